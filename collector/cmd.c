/*
 * cmd.c — the command-line driver both collector programs share.
 *
 * linernotes-collector and linernotes-history (the import and export
 * commands built without the HTTP client: history.c) are each a table of
 * commands and a main() that hands it to cmd_main().  This file parses
 * the global options, finds the command, loads the configuration, runs
 * the command, and prints the usage and help from the table; a command
 * the table marks CMD_HISTORY is handed to linernotes-history when the
 * collector finds it beside itself (cmd_delegate()).  It also holds what
 * the commands share: parsing their options from a table (cmd_options()),
 * opening the store (cmd_open_store()) and running one of them as a
 * child of the daemon (cmd_spawn()).
 */
#include <sys/prctl.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"
#include "version.h"

/* The running program's table, set by cmd_main(). */
static const struct cmd	*cmd_table;
static size_t		 cmd_n;

/* The -c file, for commands that read it again (run's SIGHUP). */
static const char *main_conf;

const char *
cmd_config_file(void)
{
	return main_conf;
}

pid_t
cmd_spawn(const char *what, const char *const args[], int flags)
{
	char *argv[CMD_SPAWN_ARGS + 4];
	pid_t pid, parent = getpid();
	size_t i = 0, k;

	argv[i++] = (char *)CMD_PROG;
	if (main_conf != NULL) {
		argv[i++] = (char *)"-c";
		argv[i++] = (char *)main_conf;
	}
	for (k = 0; args[k] != NULL; k++) {
		if (k == CMD_SPAWN_ARGS) {
			log_warnx("%s: %s takes too many words", what, args[0]);
			return -1;
		}
		argv[i++] = (char *)args[k];
	}
	argv[i] = NULL;
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", what);
		return -1;
	}
	if (pid == 0) {
		/* A parent that died before prctl(): the child goes now. */
		if ((flags & CMD_SPAWN_PDEATH) &&
		    (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != parent))
			_exit(127);
		closefrom(3);
		/* The collector's own file; it execs linernotes-history. */
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	return pid;
}

int
cmd_opt_str(const char *arg, void *to)
{
	*(const char **)to = arg;
	return 0;
}

int
cmd_opt_flag(const char *arg, void *to)
{
	(void)arg;
	*(int *)to = 1;
	return 0;
}

/* The most options a command has (cmd_options()'s tables). */
#define CMD_OPTS_MAX	8

int
cmd_options(const char *name, int argc, char *argv[],
    const struct cmd_opt *opts, size_t n, int operands)
{
	struct option lo[CMD_OPTS_MAX + 1];
	char optstring[2 * CMD_OPTS_MAX + 1];
	size_t i, k = 0, l = 0;
	int ch;

	if (n > CMD_OPTS_MAX)
		abort();
	memset(lo, 0, sizeof(lo));
	for (i = 0; i < n; i++) {
		if (opts[i].name != NULL) {
			lo[l].name = opts[i].name;
			lo[l].has_arg = opts[i].has_arg;
			lo[l++].val = opts[i].ch;
		}
		optstring[k++] = (char)opts[i].ch;
		if (opts[i].has_arg == required_argument)
			optstring[k++] = ':';
	}
	optstring[k] = '\0';
	while ((ch = getopt_long(argc, argv, optstring, lo, NULL)) != -1) {
		for (i = 0; i < n && opts[i].ch != ch; i++)
			;
		if (i == n)		/* '?': getopt_long said why */
			return cmd_usage(name);
		if (opts[i].take == NULL) {
			cmd_usage(name);
			return CMD_OK;
		}
		if (opts[i].take(optarg, opts[i].to) == -1)
			return CMD_USAGE;
	}
	if (!operands && optind != argc)
		return cmd_usage(name);
	return -1;
}

struct store *
cmd_open_store(const struct config *cfg, unsigned flags)
{
	struct store *st;

	if (store_open(&st, config_str(cfg, CFG_DB_PATH), flags, 0) !=
	    STORE_OK) {
		fprintf(stderr, "%s: cannot open the store at %s\n", CMD_PROG,
		    config_str(cfg, CFG_DB_PATH));
		return NULL;
	}
	return st;
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_n; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
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
	    "commands:\n", CMD_PROG);
	for (i = 0; i < cmd_n; i++)
		fprintf(f, "  %-12s %s\n", cmd_table[i].name, cmd_table[i].help);
	fprintf(f, "Run '%s help COMMAND' for a command's arguments.\n",
	    CMD_PROG);
}

int
cmd_usage(const char *name)
{
	const struct cmd *c = cmd_find(name);

	if (c == NULL)
		fprintf(stderr, "usage: %s [-c file] %s ...\n", CMD_PROG, name);
	else
		fprintf(stderr, "usage: %s [-c file] %s%s%s\n  %s\n", CMD_PROG,
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
		fprintf(stderr, "%s: no such command: %s\n", CMD_PROG, argv[1]);
		return CMD_USAGE;
	}
	printf("usage: %s [-c file] %s%s%s\n  %s\n", CMD_PROG, c->name,
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
	printf("%s %s\n", CMD_PROG, LINERNOTES_VERSION);
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

/*
 * Execs prog, found in the folder of this program's own file
 * (/proc/self/exe), with this process's whole argv.  Returns only when
 * that failed (logged at debug level): the caller then runs the command
 * itself.
 */
static void
cmd_delegate(const char *prog, char *argv[])
{
	char self[PATH_MAX], path[PATH_MAX], *slash;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		log_debug("/proc/self/exe: %s", strerror(errno));
		return;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return;
	*slash = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", self, prog) >=
	    sizeof(path))
		return;
	execv(path, argv);
	log_debug("%s: %s; running the command in this process", path,
	    strerror(errno));
}

int
cmd_main(const struct cmd *table, size_t n, const char *delegate,
    int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **whole = argv;
	const struct cmd *c;
	struct config *cfg = NULL;
	const char *conf = NULL;
	char errbuf[512];
	int ch, verbose = 0, rc;

	cmd_table = table;
	cmd_n = n;
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
		fprintf(stderr, "%s: no command given\n", CMD_PROG);
		main_usage(stderr);
		return CMD_USAGE;
	}
	if ((c = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "%s: no such command: %s (try '%s help')\n",
		    CMD_PROG, argv[0], CMD_PROG);
		return CMD_USAGE;
	}
	log_init(CMD_PROG, 0, verbose);
	if (delegate != NULL && (c->flags & CMD_HISTORY))
		cmd_delegate(delegate, whole);
	if (!(c->flags & CMD_NOCONFIG)) {
		if (config_load(&cfg, conf, errbuf, sizeof(errbuf)) == -1) {
			fprintf(stderr, "%s: %s\n", CMD_PROG, errbuf);
			return CMD_FAIL;
		}
		if (config_num(cfg, CFG_VERBOSE))
			log_set_verbose(1);
		(void)time_use_clock_file(config_str(cfg, CFG_CLOCK_FILE));
		if ((c->flags & CMD_DB) && config_require(cfg, CFG_DB_PATH,
		    errbuf, sizeof(errbuf)) == -1) {
			fprintf(stderr, "%s: %s\n", CMD_PROG, errbuf);
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
