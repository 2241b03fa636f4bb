/*
 * main.c — linernotes-collector: global options and the command table.
 *
 * The collector is one binary with several commands: the daemon (`run`)
 * and the admin commands.  main() parses the global options, loads the
 * configuration, finds the command in cmds[] and hands it the rest of the
 * command line.  Every command lives in its own file (cmd.h says how to add
 * one); this file only knows the table and the commands that concern the
 * program itself: help, version and config.
 *
 * Exit codes, for people and scripts: 0 success, 1 failure (a clear line
 * on stderr), 2 usage error (the usage on stderr).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "version.h"

#define PROG	"linernotes-collector"

static const struct cmd {
	const char	*name;
	cmd_fn		 fn;
	int		 flags;
	const char	*synopsis;	/* arguments after the name */
	const char	*help;		/* one line */
} cmds[] = {
	{ "help", cmd_help, CMD_NOCONFIG, "[command]",
	    "show the commands, or one command's usage" },
	{ "version", cmd_version, CMD_NOCONFIG, "",
	    "print the version" },
	{ "config", cmd_config, 0, "",
	    "check the configuration and print it (secrets hidden)" },
	{ "run", cmd_run, CMD_DB, "[-d]",
	    "collect: the daemon (-d: detach, log to syslog)" },
	{ "add-user", cmd_add_user, CMD_DB, "--refresh-token TOKEN",
	    "add (or re-authorize) a user from a refresh token; prints the id" },
	{ "poll-once", cmd_poll_once, CMD_DB,
	    "[--user ID] [--jobs plays,top,dw,profile|all]",
	    "run those jobs now; exit 0 only when every one succeeded" },
	{ "users", cmd_users, CMD_DB, "",
	    "list users: status, last/next poll, plays, token expiry" },
	{ "gaps", cmd_gaps, CMD_DB, "[--user ID]",
	    "list recorded gaps: where plays were lost" },
	{ "plays", cmd_plays, CMD_DB, "--user ID",
	    "list a user's stored plays: played_at_ms track_id context" },
	{ "playlists", cmd_playlists, CMD_DB, "--user ID",
	    "list a user's weekly playlist snapshots (Discover Weekly, archive)" },
	{ "top", cmd_top, CMD_DB, "--user ID",
	    "list a user's top-list snapshots and when each was last confirmed" },
	{ "import", cmd_import, CMD_DB, "--user ID path ...",
	    "import Spotify's history download: JSON files, folders, .zip" },
	{ "export", cmd_export, CMD_DB,
	    "--user ID --format csv|sql|json [-o file]",
	    "write a user's plays and lists as CSV, SQL or JSON Lines" },
	{ "set-user", cmd_set_user, CMD_DB,
	    "ID KEY=VALUE ... (visibility=public|private, timezone=Area/City, "
	    "dw_playlist=ID|\"\", archive=ID,ID,..., status=active|disabled)",
	    "change a user's settings and collection status; prints them" },
	{ "remove-user", cmd_remove_user, CMD_DB, "ID",
	    "delete a user and every record of theirs; says how many went" },
	{ "invite", cmd_invite, CMD_DB, "[--days N]",
	    "print a one-time invitation code (for signups = invite)" },
};

#define CMDS_N	(sizeof(cmds) / sizeof(cmds[0]))

/* The -c file, for commands that read it again (run's SIGHUP). */
static const char *main_conf;

const char *
cmd_config_file(void)
{
	return main_conf;
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < CMDS_N; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* The whole usage with the table of commands. */
static void
main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [-hv] [-c file] command [argument ...]\n"
	    "  -c file  configuration file (default: environment only)\n"
	    "  -v       verbose (debug) logging\n"
	    "  -h, --help  this help\n"
	    "commands:\n", PROG);
	for (i = 0; i < CMDS_N; i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "Run '%s help COMMAND' for a command's arguments.\n",
	    PROG);
}

int
cmd_usage(const char *name)
{
	const struct cmd *c = cmd_find(name);

	if (c == NULL)
		fprintf(stderr, "usage: %s [-c file] %s ...\n", PROG, name);
	else
		fprintf(stderr, "usage: %s [-c file] %s%s%s\n  %s\n", PROG,
		    c->name, c->synopsis[0] ? " " : "", c->synopsis, c->help);
	return CMD_USAGE;
}

int
cmd_help(struct config *cfg, int argc, char *argv[])
{
	const struct cmd *c;

	(void)cfg;
	if (argc == 1) {
		main_usage(stdout);
		return CMD_OK;
	}
	if (argc != 2)
		return cmd_usage("help");
	if ((c = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "%s: no such command: %s\n", PROG, argv[1]);
		return CMD_USAGE;
	}
	printf("usage: %s [-c file] %s%s%s\n  %s\n", PROG, c->name,
	    c->synopsis[0] ? " " : "", c->synopsis, c->help);
	return CMD_OK;
}

int
cmd_version(struct config *cfg, int argc, char *argv[])
{
	(void)cfg;
	(void)argv;
	if (argc != 1)
		return cmd_usage("version");
	printf("%s %s\n", PROG, LINERNOTES_VERSION);
	return CMD_OK;
}

int
cmd_config(struct config *cfg, int argc, char *argv[])
{
	(void)argv;
	if (argc != 1)
		return cmd_usage("config");
	config_dump(cfg, stdout);
	return CMD_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c;
	struct config *cfg = NULL;
	const char *conf = NULL;
	char errbuf[512];
	int ch, verbose = 0, rc;

	/* '+': stop at the command, whose options are its own. */
	while ((ch = getopt_long(argc, argv, "+c:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'h':
			main_usage(stdout);
			return CMD_OK;
		case 'v':
			verbose = 1;
			break;
		default:
			main_usage(stderr);
			return CMD_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fprintf(stderr, "%s: no command given\n", PROG);
		main_usage(stderr);
		return CMD_USAGE;
	}
	if ((c = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "%s: no such command: %s (try '%s help')\n",
		    PROG, argv[0], PROG);
		return CMD_USAGE;
	}
	log_init(PROG, 0, verbose);
	if (!(c->flags & CMD_NOCONFIG)) {
		if (config_load(&cfg, conf, errbuf, sizeof(errbuf)) == -1) {
			fprintf(stderr, "%s: %s\n", PROG, errbuf);
			return CMD_FAIL;
		}
		if (config_num(cfg, CFG_VERBOSE))
			log_set_verbose(1);
		if ((c->flags & CMD_DB) && config_require(cfg, CFG_DB_PATH,
		    errbuf, sizeof(errbuf)) == -1) {
			fprintf(stderr, "%s: %s\n", PROG, errbuf);
			config_free(cfg);
			return CMD_FAIL;
		}
	}
	main_conf = conf;
	optind = 1;
	rc = c->fn(cfg, argc, argv);
	config_free(cfg);
	return rc;
}
