/*
 * main.c — linernotes-collector: its table of commands.
 *
 * The collector is one binary with several commands: the daemon (`run`)
 * and the admin commands.  cmd_main() (cmd.c) parses the global options,
 * loads the configuration, finds the command in cmds[] and hands it the
 * rest of the command line.  Every command lives in its own file (cmd.h
 * says how to add one); this file only knows the table.  import and
 * export are exec'd as linernotes-history (history.c) when it is beside
 * this program: the import's memory target leaves no room for the 7 MB
 * that libcurl's TLS, Kerberos and LDAP libraries occupy once loaded.
 *
 * Exit codes, for people and scripts: 0 success, 1 failure (a clear line
 * on stderr), 2 usage error (the usage on stderr).
 */
#include "cmd.h"

static const struct cmd cmds[] = {
	CMD_ROWS_PROGRAM,
	{ "run", cmd_run, CMD_DB, "[-d]",
	    "collect: the daemon (-d: detach, log to syslog)" },
	{ "add-user", cmd_add_user, CMD_DB, "--refresh-token TOKEN",
	    "add (or re-authorize) a user from a refresh token; prints the id" },
	{ "poll-once", cmd_poll_once, CMD_DB,
	    "[--user ID] [--jobs plays,top,dw,profile|all] [--due]",
	    "run those jobs now (--due: for users whose plays poll is due); "
	    "exit 0 only when every one succeeded" },
	{ "users", cmd_users, CMD_DB, "",
	    "list users: status, last/next poll, plays, token expiry" },
	{ "gaps", cmd_list, CMD_DB, "[--user ID]",
	    "list recorded gaps: where plays were lost" },
	{ "plays", cmd_list, CMD_DB, "--user ID",
	    "list a user's stored plays: played_at_ms track_id context" },
	{ "playlists", cmd_list, CMD_DB, "--user ID",
	    "list a user's weekly playlist snapshots (Discover Weekly, archive)" },
	{ "top", cmd_list, CMD_DB, "--user ID",
	    "list a user's top-list snapshots and when each was last confirmed" },
	CMD_ROWS_HISTORY,
	{ "set-user", cmd_set_user, CMD_DB,
	    "ID KEY=VALUE ... (visibility=public|private, timezone=Area/City, "
	    "dw_playlist=ID|\"\", archive=ID,ID,..., status=active|disabled)",
	    "change a user's settings and collection status; prints them" },
	{ "remove-user", cmd_remove_user, CMD_DB, "ID",
	    "delete a user and every record of theirs; says how many went" },
	{ "invite", cmd_invite, CMD_DB, "[--days N]",
	    "print a one-time invitation code (for signups = invite)" },
};

int
main(int argc, char *argv[])
{
	return cmd_main(cmds, sizeof(cmds) / sizeof(cmds[0]),
	    CMD_HISTORY_PROG, argc, argv);
}
