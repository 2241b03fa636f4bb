/*
 * daemon.c — `linernotes-collector run`: the collecting daemon.
 *
 * One process, one thread, one loop:
 *   - every DAEMON_SCAN_MS the users are read from the store into a table
 *     sorted by id (so users added by the web appear within 5 seconds,
 *     with next_plays 0: due at once).  A scan of 1000 users costs about
 *     0.16 ms of CPU: 600 scans, 0.1 s, per 20-minute sweep;
 *   - users whose jobs are due get a task (poll.c), at most DAEMON_TASKS
 *     side by side; the engine (spotify.c) bounds requests in flight and
 *     the rate;
 *   - every poll_interval a new sweep: the detail budget is renewed;
 *   - every DAEMON_HEARTBEAT_S the meta key collector.heartbeat (Unix s)
 *     is written, which the API's /health shows, and the Spotify requests
 *     sent since are added to the quota record (usage.c);
 *   - every turn the export job (job_export.c) reaps, records and starts
 *     export builds, each a child process, and the import job
 *     (job_import.c) likewise runs the uploads' imports and undos;
 *   - signals only set flags, read once per turn of the loop (at most
 *     DAEMON_TURN_MS apart): TERM/INT stop (requests in flight are
 *     dropped, a write transaction in progress always completes because
 *     writes are synchronous), HUP reloads the configuration (a bad one is
 *     logged and the old one kept), USR1 polls every user's plays now.
 * err(3) is used only before the loop; inside it every failure is logged
 * and retried later.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <libutil.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "job_export.h"
#include "job_import.h"
#include "log.h"
#include "oauth.h"
#include "poll.h"
#include "spotify.h"
#include "store.h"
#include "timeutil.h"
#include "usage.h"

#define PROG			"linernotes-collector"
#define DAEMON_SCAN_MS		2000	/* new users seen within this (+1 turn) */
#define DAEMON_TURN_MS		250	/* signal latency bound */
#define DAEMON_HEARTBEAT_S	30
#define DAEMON_TASKS		64	/* tasks side by side */

static volatile sig_atomic_t daemon_sig_stop;
static volatile sig_atomic_t daemon_sig_hup;
static volatile sig_atomic_t daemon_sig_usr1;

static void
daemon_on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		daemon_sig_stop = 1;
		break;
	case SIGHUP:
		daemon_sig_hup = 1;
		break;
	case SIGUSR1:
		daemon_sig_usr1 = 1;
		break;
	}
}

/* What the scheduler knows of a user. */
struct duser {
	char		 id[USER_ID_MAX + 1];
	uint8_t		 status;
	int64_t		 next[JOB__MAX];	/* Unix s; 0 = at once */
	unsigned	 forced;		/* jobs asked for by USR1 */
};

struct daemon {
	struct config	*cfg;
	struct config	*cfg_main;	/* main()'s, freed by main() */
	struct store	*st;
	struct store_txn *rd;		/* reads the users */
	struct spotify	*sp;
	struct poller	*pl;
	struct job_export *exports;	/* builds the export files */
	struct job_import *imports;	/* runs the uploads' imports */
	struct duser	*users;
	size_t		 n_users;
	struct duser	*scan;		/* the table being read */
	size_t		 n_scan;
	size_t		 scan_err;
};

static struct duser *
daemon_find(struct daemon *d, const char *id)
{
	size_t lo = 0, hi = d->n_users, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(d->users[mid].id, id)) == 0)
			return &d->users[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
daemon_fill(struct duser *du, const struct user *u)
{
	memcpy(du->id, u->id, sizeof(du->id));
	du->status = u->status;
	du->next[JOB_PLAYS] = u->next_plays;
	du->next[JOB_TOP] = u->next_top;
	du->next[JOB_DW] = u->next_dw;
	du->next[JOB_PROFILE] = u->next_profile;
}

static int
daemon_scan_user(const struct user *u, void *arg)
{
	struct daemon *d = arg;
	struct duser *arr;

	if ((arr = reallocarray(d->scan, d->n_scan + 1, sizeof(*arr))) ==
	    NULL)
		return -1;
	d->scan = arr;
	memset(&arr[d->n_scan], 0, sizeof(arr[0]));
	daemon_fill(&arr[d->n_scan++], u);
	return 0;
}

static int
daemon_cmp(const void *a, const void *b)
{
	return strcmp(((const struct duser *)a)->id,
	    ((const struct duser *)b)->id);
}

/* Re-reads the users; keeps USR1 requests of users still there. */
static void
daemon_scan(struct daemon *d)
{
	struct duser *old, *tmp;
	size_t i;
	int rc;

	d->n_scan = 0;
	if ((rc = store_read_begin(d->rd)) == STORE_OK) {
		rc = store_iter_users(d->rd, daemon_scan_user, d);
		store_read_end(d->rd);
	}
	if (rc != STORE_OK) {
		if (d->scan_err++ % 30 == 0)
			log_warnx("cannot read the users; keeping the old list");
		return;
	}
	d->scan_err = 0;
	/* The store lists users in key order; sort only if that changes. */
	for (i = 1; i < d->n_scan; i++)
		if (strcmp(d->scan[i - 1].id, d->scan[i].id) > 0) {
			qsort(d->scan, d->n_scan, sizeof(*d->scan),
			    daemon_cmp);
			break;
		}
	for (i = 0; i < d->n_scan; i++)
		if ((old = daemon_find(d, d->scan[i].id)) != NULL)
			d->scan[i].forced = old->forced;
	tmp = d->users;
	d->users = d->scan;
	d->n_users = d->n_scan;
	d->scan = tmp;
}

/* A job ended: take the user's new schedule from the store at once. */
static void
daemon_report(const char *user, enum poll_job job, int ok, const char *error,
    void *arg)
{
	struct daemon *d = arg;
	struct duser *du;
	struct user u;
	unsigned forced;
	int rc;

	if (!ok)
		log_warnx("user %s: %s: %s", user, poll_job_name(job), error);
	if ((du = daemon_find(d, user)) == NULL)
		return;
	memset(&u, 0, sizeof(u));
	if ((rc = store_read_begin(d->rd)) == STORE_OK) {
		rc = store_get_user(d->rd, user, &u);
		store_read_end(d->rd);
	}
	if (rc == STORE_OK) {
		forced = du->forced;
		daemon_fill(du, &u);
		du->forced = forced;
	} else if (job < JOB__MAX)
		du->next[job] = time_now_ms() / 1000 + 60;
	explicit_bzero(&u, sizeof(u));
}

/* Starts tasks for users with due jobs, up to DAEMON_TASKS. */
static void
daemon_start_due(struct daemon *d, int64_t now)
{
	struct duser *du;
	unsigned jobs;
	size_t i;
	int j;

	for (i = 0; i < d->n_users && poll_running(d->pl) < DAEMON_TASKS;
	    i++) {
		du = &d->users[i];
		if (du->status != USER_ACTIVE) {
			du->forced = 0;
			continue;
		}
		jobs = du->forced;
		for (j = 0; j < JOB__MAX; j++)
			if (du->next[j] <= now)
				jobs |= JOB_BIT(j);
		if (jobs == 0 || poll_busy(d->pl, du->id))
			continue;
		du->forced = 0;
		/* Until the task reports, the table must not say "due". */
		for (j = 0; j < JOB__MAX; j++)
			if (jobs & JOB_BIT(j))
				du->next[j] = now + 3600;
		if (poll_start(d->pl, du->id, jobs) == -1)
			log_debug("user %s: not started", du->id);
	}
}

static int
daemon_heartbeat_txn(struct store_txn *txn, void *arg)
{
	return store_put_meta_i64(txn, "collector.heartbeat",
	    *(int64_t *)arg) == STORE_OK ? 0 : -1;
}

static void
daemon_heartbeat(struct daemon *d, int64_t now)
{
	if (store_write(d->st, daemon_heartbeat_txn, &now) != STORE_OK)
		log_warnx("cannot write the heartbeat");
	if (usage_write(d->st, d->sp, now) == -1)
		log_warnx("cannot record the Spotify requests");
}

static void
daemon_reload(struct daemon *d)
{
	struct config *ncfg;
	char err[512];
	const char *path = cmd_config_file();

	if (config_load(&ncfg, path, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the old configuration", err);
		return;
	}
	if (strcmp(config_str(ncfg, CFG_DB_PATH),
	    config_str(d->cfg, CFG_DB_PATH)) != 0)
		log_warnx("reload: db_path changes only with a restart");
	if (spotify_reconfigure(d->sp, ncfg, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the old configuration", err);
		config_free(ncfg);
		return;
	}
	poll_reconfigure(d->pl, ncfg);
	log_set_verbose((int)config_num(ncfg, CFG_VERBOSE));
	if (d->cfg != d->cfg_main)
		config_free(d->cfg);
	d->cfg = ncfg;
	log_info("configuration reloaded");
}

static void
daemon_loop(struct daemon *d)
{
	int64_t now_ms, last_scan = 0, last_beat = 0, sweep_start;
	size_t i;
	int wait_ms, wake_fd;

	sweep_start = time_now_ms();
	while (!daemon_sig_stop) {
		now_ms = time_now_ms();
		if (daemon_sig_hup) {
			daemon_sig_hup = 0;
			daemon_reload(d);
		}
		if (now_ms - last_scan >= DAEMON_SCAN_MS || now_ms < last_scan) {
			daemon_scan(d);
			last_scan = now_ms;
		}
		if (daemon_sig_usr1) {
			daemon_sig_usr1 = 0;
			log_info("USR1: polling every user now");
			for (i = 0; i < d->n_users; i++)
				d->users[i].forced |= JOB_BIT(JOB_PLAYS);
		}
		if (now_ms - sweep_start >=
		    config_num(d->cfg, CFG_POLL_INTERVAL) * 1000) {
			poll_reset_budget(d->pl);
			sweep_start = now_ms;
		}
		if (now_ms / 1000 - last_beat >= DAEMON_HEARTBEAT_S) {
			last_beat = now_ms / 1000;
			daemon_heartbeat(d, last_beat);
		}
		daemon_start_due(d, now_ms / 1000);
		job_export_tick(d->exports, d->cfg, now_ms);
		job_import_tick(d->imports, d->cfg, now_ms);
		wait_ms = job_import_wait(d->imports, time_now_ms(), &wake_fd);
		(void)spotify_run_fd(d->sp, wait_ms < DAEMON_TURN_MS ? wait_ms :
		    DAEMON_TURN_MS, wake_fd);
	}
	log_info("stopping");
}

int
cmd_run(struct config *cfg, int argc, char *argv[])
{
	struct daemon d;
	struct sigaction sa;
	struct pidfh *pfh = NULL;
	const char *pidfile;
	char errbuf[512];
	pid_t other;
	int stop, detach = 0, sig;
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	const struct cmd_opt opts[] = {
		{ NULL, 'd', no_argument, cmd_opt_flag, &detach },
		CMD_OPT_HELP,
	};
	size_t i;

	if ((stop = cmd_options("run", argc, argv, opts, CMD_NELEM(opts),
	    0)) != -1)
		return stop;
	for (i = 0; i < 2; i++) {
		const char *u = config_str(cfg, i == 0 ? CFG_SPOTIFY_API_BASE :
		    CFG_SPOTIFY_ACCOUNTS_BASE);

		if (!oauth_url_allowed(u))
			errx(CMD_FAIL, "%s: https is required (plain http "
			    "only to a loopback host)", config_name(i == 0 ?
			    CFG_SPOTIFY_API_BASE : CFG_SPOTIFY_ACCOUNTS_BASE));
	}
	if (config_str(cfg, CFG_CLIENT_ID)[0] == '\0' ||
	    config_str(cfg, CFG_CLIENT_SECRET)[0] == '\0')
		errx(CMD_FAIL, "client_id and client_secret are required to "
		    "collect");
	pidfile = config_str(cfg, CFG_PIDFILE);
	if (*pidfile != '\0' &&
	    (pfh = pidfile_open(pidfile, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			errx(CMD_FAIL, "already running (pid %ld)",
			    (long)other);
		err(CMD_FAIL, "pidfile %s", pidfile);
	}
	if (detach) {
		/*
		 * The working directory stays: a relative -c file, db_path or
		 * pidfile must mean after a SIGHUP what it meant at start.
		 */
		if (daemon(1, 0) == -1) {
			pidfile_remove(pfh);
			err(CMD_FAIL, "daemon");
		}
		log_init(PROG, 1, (int)config_num(cfg, CFG_VERBOSE));
	}
	if (pfh != NULL && pidfile_write(pfh) == -1)
		log_warn("pidfile %s", pidfile);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sig = sigs[i];
		if (sigaction(sig, &sa, NULL) == -1)
			err(CMD_FAIL, "sigaction");
	}
	signal(SIGPIPE, SIG_IGN);

	/* The store is opened after any fork (daemon()). */
	memset(&d, 0, sizeof(d));
	d.cfg = d.cfg_main = cfg;
	if (store_open(&d.st, config_str(cfg, CFG_DB_PATH), 0, 0) != STORE_OK)
		errx(CMD_FAIL, "cannot open the store at %s",
		    config_str(cfg, CFG_DB_PATH));
	if ((d.rd = store_reader(d.st)) == NULL)
		errx(CMD_FAIL, "out of memory");
	if ((d.sp = spotify_new(cfg, d.st, errbuf, sizeof(errbuf))) == NULL)
		errx(CMD_FAIL, "%s", errbuf);
	if ((d.pl = poll_new(cfg, d.st, d.sp, daemon_report, &d)) == NULL)
		errx(CMD_FAIL, "out of memory");
	if ((d.exports = job_export_new(cfg, d.st)) == NULL ||
	    (d.imports = job_import_new(cfg, d.st)) == NULL)
		errx(CMD_FAIL, "out of memory");
	log_info("collecting (pid %ld)", (long)getpid());

	daemon_loop(&d);

	job_export_free(d.exports);
	job_import_free(d.imports);
	poll_free(d.pl);
	spotify_free(d.sp);
	store_reader_free(d.rd);
	store_close(d.st);
	free(d.users);
	free(d.scan);
	if (pfh != NULL)
		pidfile_remove(pfh);
	/* A configuration loaded by a reload is ours; main frees its own. */
	if (d.cfg != cfg)
		config_free(d.cfg);
	return CMD_OK;
}
