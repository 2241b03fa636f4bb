/*
 * cmd.h — the collector's commands: one handler per command.
 *
 * main.c holds the table {name, handler, flags, synopsis, help}; a new
 * command is a file collector/cmd_NAME.c (or poll.c, import.c, ...) with a
 * handler declared here and one row in that table.  main() has parsed the
 * global options (-c, -v) and loaded the configuration before it calls the
 * handler, unless the row says CMD_NOCONFIG; with CMD_DB it has also
 * checked that db_path is set.
 *
 * A handler gets argc/argv with argv[0] the command's name, so it may use
 * getopt(3) after setting optind = 1.  It returns the process's exit code:
 * CMD_OK (0), CMD_FAIL (1, after a clear line on stderr) or CMD_USAGE (2,
 * after printing its usage with cmd_usage()).
 */
#ifndef LN_CMD_H
#define LN_CMD_H

struct config;

enum cmd_exit {
	CMD_OK = 0,
	CMD_FAIL = 1,
	CMD_USAGE = 2,
};

/* Row flags. */
#define CMD_NOCONFIG	0x01	/* runs without loading the configuration */
#define CMD_DB		0x02	/* needs db_path */

typedef int (*cmd_fn)(struct config *cfg, int argc, char *argv[]);

/*
 * Prints "usage: linernotes-collector [-c file] NAME SYNOPSIS" for the
 * command named name (from the table) to stderr and returns CMD_USAGE.
 */
int	cmd_usage(const char *name);

/* The -c file given to main() (NULL: none), to load it again. */
const char *cmd_config_file(void);

/* Handlers, one per row of main.c's table. */
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
