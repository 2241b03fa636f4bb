/*
 * cmd.h — the collector's commands: one handler per command.
 *
 * main.c holds the table {name, handler, flags, synopsis, help}; a new
 * command is a file collector/cmd_NAME.c (or poll.c, import.c, ...) with a
 * handler declared here and one row in that table.  cmd_main() (cmd.c)
 * has parsed the global options (-c, -v) and loaded the configuration
 * before it calls the handler, unless the row says CMD_NOCONFIG; with
 * CMD_DB it has also checked that db_path is set.  A row marked
 * CMD_HISTORY is also in history.c's table: linernotes-history, the same
 * commands built without libcurl, which the collector execs for them
 * (they then run without the HTTP client's libraries in memory).
 *
 * A handler gets argc/argv with argv[0] the command's name and optind
 * 1, so it may parse its options with cmd_options() (or getopt(3)).  It returns the process's exit code:
 * CMD_OK (0), CMD_FAIL (1, after a clear line on stderr) or CMD_USAGE (2,
 * after printing its usage with cmd_usage()).
 */
#ifndef LN_CMD_H
#define LN_CMD_H

#include <sys/types.h>

#include <stddef.h>

struct config;
struct store;

/* The name messages and usage give, in both programs. */
#define CMD_PROG	"linernotes-collector"
/* The sibling program the CMD_HISTORY commands run in (history.c). */
#define CMD_HISTORY_PROG "linernotes-history"

enum cmd_exit {
	CMD_OK = 0,
	CMD_FAIL = 1,
	CMD_USAGE = 2,
};

/* Row flags. */
#define CMD_NOCONFIG	0x01	/* runs without loading the configuration */
#define CMD_DB		0x02	/* needs db_path */
#define CMD_HISTORY	0x04	/* run in linernotes-history when it is there */

typedef int cmd_handler(struct config *cfg, int argc, char *argv[]);
typedef cmd_handler *cmd_fn;

/* A row of a program's table of commands. */
struct cmd {
	const char	*name;
	cmd_fn		 fn;
	int		 flags;
	const char	*synopsis;	/* arguments after the name */
	const char	*help;		/* one line */
};

/*
 * Rows both programs' tables hold (main.c, history.c): the commands about
 * the program itself, and the CMD_HISTORY ones.
 */
#define CMD_ROWS_PROGRAM \
	{ "help", cmd_help, CMD_NOCONFIG, "[command]", \
	    "show the commands, or one command's usage" }, \
	{ "version", cmd_version, CMD_NOCONFIG, "", \
	    "print the version" }, \
	{ "config", cmd_config, 0, "", \
	    "check the configuration and print it (secrets hidden)" }
#define CMD_ROWS_HISTORY \
	{ "import", cmd_import, CMD_DB | CMD_HISTORY, \
	    "--user ID [--job N [--name NAME] [--undo]] path ...", \
	    "import Spotify's history download: JSON files, folders, .zip" }, \
	{ "export", cmd_export, CMD_DB | CMD_HISTORY, \
	    "--user ID --format csv|sql|json [-o file]", \
	    "write a user's plays and lists as CSV, SQL or JSON Lines" }

/*
 * Runs a program: the global options, then the command named by the
 * first other argument, from table (n rows).  When delegate is not NULL
 * and the row says CMD_HISTORY, the program named delegate is exec'd
 * from this program's folder with the same arguments; only when that
 * fails does the command run here.  Returns the exit code.
 */
int	cmd_main(const struct cmd *table, size_t n, const char *delegate,
	    int argc, char *argv[]);

/*
 * Prints "usage: linernotes-collector [-c file] NAME SYNOPSIS" for the
 * command named name (from the table) to stderr and returns CMD_USAGE.
 */
int	cmd_usage(const char *name);

/* The -c file given to main() (NULL: none), to load it again. */
const char *cmd_config_file(void);

/* cmd_spawn() flags. */
#define CMD_SPAWN_PDEATH	0x01	/* the child dies with its parent */
#define CMD_SPAWN_ARGS		12	/* most words a spawned command takes */

/*
 * Starts this program as a child process running one of its commands:
 * args, NULL-ended, are the command's name and words, after the program's
 * name and the -c file it was given.  The child keeps only descriptors
 * 0 to 2 and never returns here; the parent does not wait.  what starts
 * the line logged when it fails.  Returns the child's pid, or -1.
 */
pid_t	cmd_spawn(const char *what, const char *const args[], int flags);

/*
 * One option of a command, for cmd_options(): --name (none when NULL)
 * and -ch.  take gets its argument (NULL when has_arg is no_argument)
 * and to; it returns 0, or -1 after saying on stderr why the argument is
 * wrong.  take NULL makes the row --help (CMD_OPT_HELP): the usage on
 * stderr, and the command exits 0.
 */
struct cmd_opt {
	const char	*name;
	int		 ch;
	int		 has_arg;	/* getopt_long's no_ / required_argument */
	int		(*take)(const char *arg, void *to);
	void		*to;
};
#define CMD_OPT_HELP	{ "help", 'h', no_argument, NULL, NULL }
#define CMD_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* takes for struct cmd_opt: the argument into a const char *, a flag 1. */
int	cmd_opt_str(const char *arg, void *to);
int	cmd_opt_flag(const char *arg, void *to);

/*
 * Parses the options of the command named name from argv with
 * getopt_long(3) over the n rows of opts, in order (the last of an
 * option given twice wins).  Without operands, any argument after the
 * options is a usage error; with them, optind is the first operand.
 * Returns -1 when the command goes on, else the exit code it returns:
 * CMD_OK after --help, CMD_USAGE after an unknown option, a missing
 * argument or an operand not taken (with the usage) or after a take's
 * own message about a wrong argument (without).
 */
int	cmd_options(const char *name, int argc, char *argv[],
	    const struct cmd_opt *opts, size_t n, int operands);

/*
 * Opens the store at the configuration's db_path (flags: store_open()'s)
 * or says on stderr why not.  Returns the store, or NULL.
 */
struct store *cmd_open_store(const struct config *cfg, unsigned flags);

/* Handlers, one per row of main.c's table (the first three: cmd.c). */
cmd_handler	cmd_version, cmd_help, cmd_config;
/* daemon.c */
cmd_handler	cmd_run;
/* cmd_poll.c; cmd_list is gaps, plays, playlists and top (by argv[0]) */
cmd_handler	cmd_add_user, cmd_poll_once, cmd_users, cmd_list;
/* import.c, export.c */
cmd_handler	cmd_import, cmd_export;
/* cmd_account.c */
cmd_handler	cmd_set_user, cmd_remove_user, cmd_invite;

#endif
