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
 * A handler gets argc/argv with argv[0] the command's name, so it may use
 * getopt(3) after setting optind = 1.  It returns the process's exit code:
 * CMD_OK (0), CMD_FAIL (1, after a clear line on stderr) or CMD_USAGE (2,
 * after printing its usage with cmd_usage()).
 */
#ifndef LN_CMD_H
#define LN_CMD_H

#include <stddef.h>

struct config;

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

typedef int (*cmd_fn)(struct config *cfg, int argc, char *argv[]);

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

/* Handlers, one per row of main.c's table (the first three: cmd.c). */
int	cmd_version(struct config *, int, char *[]);
int	cmd_help(struct config *, int, char *[]);
int	cmd_config(struct config *, int, char *[]);
/* daemon.c */
int	cmd_run(struct config *, int, char *[]);
/* cmd_poll.c */
int	cmd_add_user(struct config *, int, char *[]);
int	cmd_poll_once(struct config *, int, char *[]);
int	cmd_users(struct config *, int, char *[]);
int	cmd_gaps(struct config *, int, char *[]);
int	cmd_plays(struct config *, int, char *[]);
int	cmd_playlists(struct config *, int, char *[]);
int	cmd_top(struct config *, int, char *[]);
/* import.c, export.c */
int	cmd_import(struct config *, int, char *[]);
int	cmd_export(struct config *, int, char *[]);
/* cmd_account.c */
int	cmd_set_user(struct config *, int, char *[]);
int	cmd_remove_user(struct config *, int, char *[]);
int	cmd_invite(struct config *, int, char *[]);

#endif
