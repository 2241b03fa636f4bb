/*
 * cmd_poll.c — the collector's admin commands that talk to Spotify or
 * show what collecting did: add-user, poll-once, users, gaps, plays,
 * playlists and top.
 *
 * Each opens the store, does its one thing and exits with a code for
 * people and scripts: 0 when everything asked for succeeded, 1 with one
 * clear line on stderr per failure, 2 for a usage error.  poll-once runs
 * exactly the code the daemon runs (poll.c over spotify.c), only started
 * by hand and waiting at most POLL_ONCE_MAX_WAIT_MS for a rate-limit
 * pause before it reports the job as failed instead.
 */
#include <sys/resource.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "cmd.h"
#include "config.h"
#include "ids.h"
#include "log.h"
#include "poll.h"
#include "spotify.h"
#include "store.h"
#include "timeutil.h"
#include "usage.h"

#define PROG			"linernotes-collector"
#define POLL_ONCE_MAX_WAIT_MS	30000
#define TASKS_MAX		32	/* tasks side by side (memory bound) */
#define AUTH_LIFETIME_S		(182LL * 86400)	/* refresh tokens: 6 months */
#define AUTH_WARN_S		(14LL * 86400)

/*
 * Opens the store and the Spotify client the way the one-off commands
 * use them: waiting at most POLL_ONCE_MAX_WAIT_MS for a rate-limit pause.
 * Returns 0, or -1 (with nothing left open) after saying why on stderr.
 */
static int
once_open(const struct config *cfg, struct store **st, struct spotify **sp)
{
	char err[256];

	if ((*st = cmd_open_store(cfg, 0)) == NULL)
		return -1;
	if ((*sp = spotify_new(cfg, *st, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		store_close(*st);
		return -1;
	}
	spotify_set_max_wait(*sp, POLL_ONCE_MAX_WAIT_MS);
	return 0;
}

static void
cmd_fmt_time(int64_t s, char out[32])
{
	if (s <= 0)
		(void)strlcpy(out, "-", 32);
	else if (time_format_iso8601(s * 1000, out, 0) == -1)
		(void)strlcpy(out, "?", 32);
}

/* ---- add-user ------------------------------------------------------------ */

int
cmd_add_user(struct config *cfg, int argc, char *argv[])
{
	char id[USER_ID_MAX + 1], err[256];
	const char *token = NULL;
	struct store *st;
	struct spotify *sp;
	const struct cmd_opt opts[] = {
		{ "refresh-token", 't', required_argument, cmd_opt_str,
		    &token },
		CMD_OPT_HELP,
	};
	int stop, rc = CMD_FAIL;

	if ((stop = cmd_options("add-user", argc, argv, opts, CMD_NELEM(opts),
	    0)) != -1)
		return stop;
	if (token == NULL || *token == '\0')
		return cmd_usage("add-user");
	if (once_open(cfg, &st, &sp) == -1)
		return CMD_FAIL;
	if (poll_enrol_user(cfg, st, sp, token, id, err, sizeof(err)) == -1)
		fprintf(stderr, "%s: add-user: %s\n", PROG, err);
	else {
		printf("%s\n", id);
		rc = CMD_OK;
	}
	spotify_free(sp);
	store_close(st);
	return rc;
}

/* ---- poll-once ----------------------------------------------------------- */

struct once {
	char		(*ids)[USER_ID_MAX + 1];
	size_t		 n;
	unsigned	 failed;
	unsigned	 ok;
	int64_t		 due;		/* > 0: only users whose plays are due */
};

static void
once_report(const char *user, enum poll_job job, int ok, const char *error,
    void *arg)
{
	struct once *o = arg;
	char esc[64];

	if (ok) {
		o->ok++;
		return;
	}
	o->failed++;
	fprintf(stderr, "%s: user %s: %s: %s\n", PROG,
	    log_escape(esc, sizeof(esc), user, strlen(user)),
	    poll_job_name(job), error);
}

static int
once_collect(const struct user *u, void *arg)
{
	struct once *o = arg;
	char (*ids)[USER_ID_MAX + 1];

	if (o->due > 0 && (u->status != USER_ACTIVE || u->next_plays > o->due))
		return 0;
	if ((ids = reallocarray(o->ids, o->n + 1, sizeof(*ids))) == NULL)
		return -1;
	o->ids = ids;
	memcpy(o->ids[o->n++], u->id, USER_ID_MAX + 1);
	return 0;
}

static int
once_list(struct store_txn *txn, void *arg)
{
	return store_iter_users(txn, once_collect, arg) == STORE_OK ? 0 : -1;
}

/* Parses "plays,top" or "all" into a job mask; 0 when a word is unknown. */
static unsigned
once_parse_jobs(const char *s)
{
	char word[32];
	unsigned mask = 0;
	size_t n;
	int j;

	if (strcmp(s, "all") == 0)
		return JOB_ALL;
	while (*s != '\0') {
		n = strcspn(s, ",");
		if (n == 0 || n >= sizeof(word))
			return 0;
		memcpy(word, s, n);
		word[n] = '\0';
		if ((j = poll_job_parse(word)) < 0)
			return 0;
		mask |= JOB_BIT(j);
		s += n;
		if (*s == ',')
			s++;
	}
	return mask;
}

/* The take (struct cmd_opt) of --jobs: the mask into the unsigned to. */
static int
once_take_jobs(const char *arg, void *to)
{
	if ((*(unsigned *)to = once_parse_jobs(arg)) == 0) {
		fprintf(stderr, "%s: poll-once: --jobs takes "
		    "plays,top,dw,profile or all\n", PROG);
		return -1;
	}
	return 0;
}

int
cmd_poll_once(struct config *cfg, int argc, char *argv[])
{
	struct once o;
	struct store *st;
	struct spotify *sp;
	struct poller *pl;
	const char *user = NULL;
	unsigned jobs = JOB_ALL;
	size_t next = 0;
	int stop, rc = CMD_FAIL, due = 0;
	const struct cmd_opt opts[] = {
		{ "user", 'u', required_argument, cmd_opt_str, &user },
		{ "jobs", 'j', required_argument, once_take_jobs, &jobs },
		{ "due", 'd', no_argument, cmd_opt_flag, &due },
		CMD_OPT_HELP,
	};

	if ((stop = cmd_options("poll-once", argc, argv, opts,
	    CMD_NELEM(opts), 0)) != -1)
		return stop;
	if (user != NULL && !ids_valid_user(user)) {
		fprintf(stderr, "%s: poll-once: not a user id\n", PROG);
		return CMD_USAGE;
	}
	memset(&o, 0, sizeof(o));
	if (due)
		o.due = time_now_ms() / 1000;
	if (once_open(cfg, &st, &sp) == -1)
		return CMD_FAIL;
	if ((pl = poll_new(cfg, st, sp, once_report, &o)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto free_engine;
	}
	if (user != NULL) {
		if (once_collect(&(struct user){ .id = "" }, &o) == -1)
			goto free_poller;
		(void)strlcpy(o.ids[0], user, sizeof(o.ids[0]));
	} else if (store_read(st, once_list, &o) != STORE_OK) {
		fprintf(stderr, "%s: cannot list the users\n", PROG);
		goto free_poller;
	}
	while (next < o.n || poll_running(pl) > 0) {
		while (next < o.n && poll_running(pl) < TASKS_MAX)
			(void)poll_start(pl, o.ids[next++], jobs);
		if (poll_running(pl) > 0)
			(void)spotify_run(sp, 1000);
	}
	rc = o.failed == 0 ? CMD_OK : CMD_FAIL;
	if (usage_write(st, sp, time_now_ms() / 1000) == -1)
		fprintf(stderr, "%s: cannot record the Spotify requests\n",
		    PROG);
	{
		struct spotify_stats ss;
		struct rusage ru;

		spotify_get_stats(sp, &ss);
		memset(&ru, 0, sizeof(ru));
		(void)getrusage(RUSAGE_SELF, &ru);
		log_debug("poll-once: %zu users, %u jobs ok, %u failed; "
		    "%llu Web API and %llu accounts requests, %llu new "
		    "connections, %llu retries, %llu 429s; cpu %ld.%06ld s "
		    "user %ld.%06ld s sys, max rss %ld KiB",
		    o.n, o.ok, o.failed,
		    (unsigned long long)ss.sent[SPOTIFY_SVC_API],
		    (unsigned long long)ss.sent[SPOTIFY_SVC_ACCOUNTS],
		    (unsigned long long)ss.connects,
		    (unsigned long long)ss.retries, (unsigned long long)ss.n429,
		    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
		    (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec,
		    ru.ru_maxrss);
	}
free_poller:
	poll_free(pl);
free_engine:
	spotify_free(sp);
	store_close(st);
	free(o.ids);
	return rc;
}

/* ---- users --------------------------------------------------------------- */

struct users_ctx {
	struct store_txn *txn;
	int64_t		 now;		/* Unix s */
	int64_t		 now_ms;
	unsigned	 n;
};

static int
users_row(const struct user *u, void *arg)
{
	struct users_ctx *c = arg;
	char last[32], next[32], exp[32], cur[32], esc[300], why[256];
	int64_t auth_end;

	cmd_fmt_time(u->last_poll, last);
	cmd_fmt_time(u->next_plays, next);
	cmd_fmt_time(u->token_expires, exp);
	if (u->cursor_ms <= 0 || time_format_iso8601(u->cursor_ms, cur, 1) ==
	    -1)
		(void)strlcpy(cur, "-", sizeof(cur));
	printf("%-24s %-8s %-20s %-20s %9llu %-20s %-24s %s\n", u->id,
	    SCHEMA_WORD(schema_statuses, u->status),
	    last, u->status == USER_ACTIVE ? next : "-",
	    (unsigned long long)u->n_plays, exp, cur,
	    log_escape(esc, sizeof(esc), u->last_error,
	    strlen(u->last_error)));
	if (u->status == USER_ACTIVE && cadence_describe(c->txn, u->id,
	    why, sizeof(why)) == 0 && why[0] != '\0')
		printf("  plays polled %s\n", why);
	auth_end = u->authorized_at + AUTH_LIFETIME_S;
	if (u->status == USER_ACTIVE && u->authorized_at > 0 &&
	    auth_end - AUTH_WARN_S <= c->now) {
		cmd_fmt_time(auth_end, exp);
		printf("  warning: %s's authorization ends %s; they must "
		    "sign in again\n", u->id, exp);
	}
	c->n++;
	return 0;
}

struct users_meta {
	int64_t		 quota, nb_api, nb_acc, heartbeat;
};

static int
users_list(struct store_txn *txn, void *arg)
{
	struct users_meta m;
	char t[32];
	struct users_ctx *c = arg;

	memset(&m, 0, sizeof(m));
	(void)store_get_meta_i64(txn, "ratelimit.quota_until", &m.quota);
	(void)store_get_meta_i64(txn, "ratelimit.not_before.api", &m.nb_api);
	(void)store_get_meta_i64(txn, "ratelimit.not_before.accounts",
	    &m.nb_acc);
	(void)store_get_meta_i64(txn, "collector.heartbeat", &m.heartbeat);
	cmd_fmt_time(m.heartbeat, t);
	printf("collector heartbeat: %s\n", t);
	if (m.quota > c->now_ms) {
		cmd_fmt_time(m.quota / 1000, t);
		printf("Spotify quota exceeded: paused until %s\n", t);
	}
	if (m.nb_api > c->now_ms) {
		cmd_fmt_time(m.nb_api / 1000, t);
		printf("Web API rate limited until %s\n", t);
	}
	if (m.nb_acc > c->now_ms) {
		cmd_fmt_time(m.nb_acc / 1000, t);
		printf("accounts service rate limited until %s\n", t);
	}
	printf("%-24s %-8s %-20s %-20s %9s %-20s %-24s %s\n", "ID", "STATUS",
	    "LAST_POLL", "NEXT_POLL", "PLAYS", "TOKEN_EXPIRES", "NEWEST_PLAY",
	    "LAST_ERROR");
	c->txn = txn;
	return store_iter_users(txn, users_row, c) == STORE_OK ? 0 : -1;
}

int
cmd_users(struct config *cfg, int argc, char *argv[])
{
	static const struct cmd_opt opts[] = { CMD_OPT_HELP };
	struct users_ctx c;
	struct store *st;
	int rc;

	if ((rc = cmd_options("users", argc, argv, opts, CMD_NELEM(opts),
	    0)) != -1)
		return rc;
	if ((st = cmd_open_store(cfg, STORE_RDONLY)) == NULL)
		return CMD_FAIL;
	memset(&c, 0, sizeof(c));
	c.now_ms = time_now_ms();
	c.now = c.now_ms / 1000;
	rc = store_read(st, users_list, &c) == STORE_OK ? CMD_OK : CMD_FAIL;
	if (rc != CMD_OK)
		fprintf(stderr, "%s: cannot read the users\n", PROG);
	store_close(st);
	return rc;
}

/* ---- gaps and plays ------------------------------------------------------ */

struct list_ctx {
	const char	*user;	/* NULL: every user */
	const char	*cur;	/* the user being listed */
	unsigned	 n;
};

static int
gaps_row(const struct gap *g, void *arg)
{
	struct list_ctx *c = arg;
	char from[32], to[32], rec[32];

	(void)time_format_iso8601(g->from_ms, from, 1);
	(void)time_format_iso8601(g->to_ms, to, 1);
	cmd_fmt_time(g->recorded_at, rec);
	printf("%s %lld %lld %s %s %s recorded %s\n", c->cur,
	    (long long)g->from_ms, (long long)g->to_ms,
	    SCHEMA_WORD(schema_gap_reasons, g->reason), from, to,
	    rec);
	c->n++;
	return 0;
}

struct gaps_users {
	struct store_txn *txn;
	struct list_ctx	*c;
};

static int
gaps_of(struct store_txn *txn, struct list_ctx *c, const char *id)
{
	c->cur = id;
	return store_iter_gaps(txn, id, INT64_MIN, INT64_MAX, STORE_ASC,
	    gaps_row, c) == STORE_OK ? 0 : -1;
}

static int
gaps_user(const struct user *u, void *arg)
{
	struct gaps_users *g = arg;

	return gaps_of(g->txn, g->c, u->id);
}

static int
gaps_list(struct store_txn *txn, void *arg)
{
	struct list_ctx *c = arg;
	struct gaps_users g = { txn, c };

	if (c->user != NULL)		/* known: list_read() checked */
		return gaps_of(txn, c, c->user);
	return store_iter_users(txn, gaps_user, &g) == STORE_OK ? 0 : -1;
}

struct list_read_arg {
	store_write_fn	 list;
	struct list_ctx	*c;
};

/* A listing for one user fails when there is no such user; else list. */
static int
list_read(struct store_txn *txn, void *arg)
{
	struct list_read_arg *a = arg;
	struct user u;

	if (a->c->user != NULL &&
	    store_get_user(txn, a->c->user, &u) != STORE_OK)
		return -1;
	return a->list(txn, a->c);
}

static int
plays_row(const struct play *p, void *arg)
{
	struct list_ctx *c = arg;

	printf("%lld %s %s\n", (long long)p->played_at, p->track_id,
	    p->context_uri != NULL && p->context_uri[0] != '\0' ?
	    p->context_uri : "-");
	c->n++;
	return 0;
}

static int
plays_list(struct store_txn *txn, void *arg)
{
	struct list_ctx *c = arg;

	return store_iter_plays(txn, c->user, INT64_MIN, INT64_MAX, STORE_ASC,
	    plays_row, c) == STORE_OK ? 0 : -1;
}


/* ---- playlists (weekly snapshots) -------------------------------------- */

static int
weeks_row(const struct playlist_week *pw, void *arg)
{
	struct list_ctx *c = arg;
	char esc[300];
	int64_t y;
	unsigned m, d;

	time_civil_from_days(pw->week, &y, &m, &d);
	printf("%s %04lld-%02u-%02u %s %u %s %s\n", pw->playlist_id,
	    (long long)y, m, d, SCHEMA_WORD(schema_hows, pw->how),
	    pw->tracks.n,
	    pw->snapshot_id != NULL && pw->snapshot_id[0] != '\0' ?
	    pw->snapshot_id : "-", log_escape(esc, sizeof(esc),
	    pw->name != NULL ? pw->name : "", pw->name != NULL ?
	    strlen(pw->name) : 0));
	c->n++;
	return 0;
}

static int
weeks_list(struct store_txn *txn, void *arg)
{
	struct list_ctx *c = arg;

	return store_iter_playlist_weeks(txn, c->user, NULL, STORE_ASC,
	    weeks_row, c) == STORE_OK ? 0 : -1;
}


/* ---- top lists ------------------------------------------------------------ */

static int
top_row(const struct top_snapshot *ts, void *arg)
{
	struct list_ctx *c = arg;
	char first[ID_LEN + 1] = "-", conf[32];
	int64_t y;
	unsigned m, d;

	if (ts->ids.n > 0)
		idlist_get(&ts->ids, 0, first);
	time_civil_from_days(ts->day, &y, &m, &d);
	cmd_fmt_time(ts->confirmed_at, conf);
	printf("%s %s %04lld-%02u-%02u %u %s confirmed %s\n",
	    SCHEMA_WORD(schema_kinds, ts->kind),
	    SCHEMA_WORD(schema_ranges, ts->range),
	    (long long)y, m, d, ts->ids.n, first, conf);
	c->n++;
	return 0;
}

static int
top_list(struct store_txn *txn, void *arg)
{
	struct list_ctx *c = arg;
	int k, r;

	for (k = 0; k < TOP_KIND__MAX; k++)
		for (r = 0; r < RANGE__MAX; r++)
			if (store_iter_top(txn, c->user, k, r, STORE_ASC,
			    top_row, c) != STORE_OK)
				return -1;
	return 0;
}

/* ---- the listings' command ------------------------------------------------ */

/* A listing command: list runs in a read transaction over a list_ctx. */
struct listing {
	const char	*name;
	int		 need_user;	/* --user is required */
	store_write_fn	 list;
	const char	*why_user;	/* the failure with --user */
	const char	*why_all;	/* the failure without */
};

static const struct listing listings[] = {
	{ "gaps", 0, gaps_list, "no such user", "cannot read the store" },
	{ "plays", 1, plays_list, "no such user or unreadable store", NULL },
	{ "playlists", 1, weeks_list, "no such user or unreadable store",
	    NULL },
	{ "top", 1, top_list, "no such user or unreadable store", NULL },
};

/*
 * What every listing command does: parses [--user ID] (required when the
 * listing says so), runs its list in a read transaction with a struct
 * list_ctx (after checking that the user given is one), and on failure
 * says why.
 */
int
cmd_list(struct config *cfg, int argc, char *argv[])
{
	const struct listing *l;
	struct list_ctx c;
	struct list_read_arg a = { NULL, &c };
	struct store *st;
	const struct cmd_opt opts[] = {
		{ "user", 'u', required_argument, cmd_opt_str, &c.user },
		CMD_OPT_HELP,
	};
	size_t i;
	int rc;

	for (i = 0; strcmp(listings[i].name, argv[0]) != 0; i++)
		if (i + 1 == CMD_NELEM(listings))
			return cmd_usage(argv[0]);
	l = &listings[i];
	memset(&c, 0, sizeof(c));
	if ((rc = cmd_options(l->name, argc, argv, opts, CMD_NELEM(opts),
	    0)) != -1)
		return rc;
	if ((l->need_user && c.user == NULL) ||
	    (c.user != NULL && !ids_valid_user(c.user)))
		return cmd_usage(l->name);
	if ((st = cmd_open_store(cfg, STORE_RDONLY)) == NULL)
		return CMD_FAIL;
	a.list = l->list;
	rc = store_read(st, list_read, &a) == STORE_OK ? CMD_OK : CMD_FAIL;
	if (rc != CMD_OK)
		fprintf(stderr, "%s: %s: %s\n", PROG, l->name, c.user != NULL ?
		    l->why_user : l->why_all);
	store_close(st);
	return rc;
}
