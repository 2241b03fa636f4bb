/*
 * export.c — `linernotes-collector export --user ID --format F [-o FILE]`.
 *
 * The command-line face of lib/export.c: it opens the store read-only,
 * checks that the user exists, and runs the chosen writer inside one read
 * transaction (a consistent snapshot, however long the export takes; the
 * daemon keeps writing meanwhile) with a sink that writes to standard
 * output or to FILE.  FILE is written under a temporary name in the same
 * folder and renamed into place only when the export is complete, so a
 * failed export never leaves a truncated file that looks whole.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "export.h"
#include "ids.h"
#include "log.h"
#include "store.h"

struct export_cmd {
	const char		*user;
	enum export_format	 fmt;
	FILE			*f;
	struct export_stats	 stats;
	int			 no_user;
	int			 write_err;
};

static int
export_file_write(void *ctx, const void *p, size_t n)
{
	struct export_cmd *c = ctx;

	if (fwrite(p, 1, n, c->f) != n) {
		c->write_err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static int
export_read(struct store_txn *txn, void *arg)
{
	struct export_cmd *c = arg;
	struct export_sink sink = { export_file_write, c };
	struct user *u;
	int rc;

	/* struct user carries tokens: off the stack, wiped after. */
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	rc = store_get_user(txn, c->user, u);
	explicit_bzero(u, sizeof(*u));
	free(u);
	if (rc == STORE_NOTFOUND) {
		c->no_user = 1;
		return -1;
	}
	if (rc != STORE_OK)
		return -1;
	return export_run(c->fmt, txn, c->user, &sink, &c->stats);
}

int
cmd_export(struct config *cfg, int argc, char *argv[])
{
	struct export_cmd c;
	struct store *st = NULL;
	struct timespec t0, t1;
	const char *out = NULL, *fmt = NULL;
	char tmp[4096];
	double secs;
	const struct cmd_opt opts[] = {
		{ "user", 'u', required_argument, cmd_opt_str, &c.user },
		{ "format", 'f', required_argument, cmd_opt_str, &fmt },
		{ "output", 'o', required_argument, cmd_opt_str, &out },
	};
	int stop, fd, fmtn, rc = CMD_FAIL;

	memset(&c, 0, sizeof(c));
	tmp[0] = '\0';
	if ((stop = cmd_options("export", argc, argv, opts, CMD_NELEM(opts),
	    0)) != -1)
		return stop;
	if (c.user == NULL || fmt == NULL)
		return cmd_usage("export");
	if ((fmtn = export_format_parse(fmt)) == -1) {
		fprintf(stderr, "linernotes-collector: export: unknown format "
		    "\"%s\" (csv, sql or json)\n", fmt);
		return CMD_USAGE;
	}
	c.fmt = (enum export_format)fmtn;
	if (!ids_valid_user(c.user)) {
		fprintf(stderr, "linernotes-collector: export: not a Spotify "
		    "user id: %s\n", c.user);
		return CMD_USAGE;
	}
	if (store_open(&st, config_str(cfg, CFG_DB_PATH), STORE_RDONLY, 0) !=
	    STORE_OK) {
		log_warnx("export: cannot open the store at %s",
		    config_str(cfg, CFG_DB_PATH));
		return CMD_FAIL;
	}
	if (out == NULL || strcmp(out, "-") == 0)
		c.f = stdout;
	else {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out) >=
		    sizeof(tmp)) {
			log_warnx("export: output path too long");
			goto out;
		}
		if ((fd = mkstemp(tmp)) == -1) {
			log_warn("export: %s", tmp);
			tmp[0] = '\0';
			goto out;
		}
		if ((c.f = fdopen(fd, "w")) == NULL) {
			log_warn("export: %s", tmp);
			close(fd);
			goto out;
		}
		(void)fchmod(fd, 0644);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_read(st, export_read, &c) != STORE_OK) {
		if (c.no_user)
			log_warnx("export: no such user: %s", c.user);
		else if (c.write_err)
			log_warnx("export: cannot write: %s",
			    strerror(c.write_err));
		else
			log_warnx("export: reading the store failed");
		goto out;
	}
	if (fflush(c.f) == EOF || ferror(c.f)) {
		log_warn("export: cannot write");
		goto out;
	}
	if (c.f != stdout) {
		if (fsync(fileno(c.f)) == -1 || fclose(c.f) == EOF) {
			c.f = NULL;
			log_warn("export: %s", tmp);
			goto out;
		}
		c.f = NULL;
		if (rename(tmp, out) == -1) {
			log_warn("export: %s", out);
			goto out;
		}
		tmp[0] = '\0';
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	log_info("export of %s as %s: %llu plays, %llu bytes in %.2f s "
	    "(%.0f plays/s)", c.user, export_format_name(c.fmt),
	    (unsigned long long)c.stats.plays,
	    (unsigned long long)c.stats.bytes, secs,
	    secs > 0 ? (double)c.stats.plays / secs : 0.0);
	rc = CMD_OK;
out:
	if (c.f != NULL && c.f != stdout)
		fclose(c.f);
	if (tmp[0] != '\0')
		unlink(tmp);
	store_close(st);
	return rc;
}
