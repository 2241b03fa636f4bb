/*
 * poll.c — the poller: tasks' lives, the order of a task's jobs, and the
 * bookkeeping each job leaves in the user record (poll.h says what the
 * jobs do; poll_task.h which file does what).
 *
 * A task holds one embedded request; each response handler parses what
 * came back into plain structs (parse.h), then either asks for the next
 * page or writes everything the job gathered in one store_write().  The
 * write functions re-read the user inside the transaction and change only
 * the fields the collector owns, so a setting changed meanwhile by the web
 * (visibility, time zone, archive list) is never overwritten; they may run
 * twice (store_write grows the map and repeats), so they keep no state
 * outside the transaction except what they reset at their start.
 *
 * Meta keys: spotify.batch_refused (read here, written by the details of
 * poll_plays.c) and collector.scheduled (how many users got an offset,
 * the k of sched_offset()).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "poll.h"
#include "poll_task.h"
#include "sched.h"
#include "store.h"
#include "timeutil.h"

#define DW_NOT_YET_S		3600	/* DW unchanged: look again in an hour */

#define META_SCHEDULED		"collector.scheduled"

/* The jobs, in the order a task runs them. */
static const struct {
	const char	*name;
	void		(*start)(struct task *);
	void		(*free)(struct task *);	/* NULL: nothing to free */
} poll_jobs[JOB__MAX] = {
	[JOB_PLAYS] = { "plays", poll_plays_start, poll_plays_free },
	[JOB_TOP] = { "top", poll_top_start, poll_top_free },
	[JOB_DW] = { "dw", poll_dw_start, poll_dw_free },
	[JOB_PROFILE] = { "profile", poll_top_start_profile, NULL },
};

const char *
poll_job_name(enum poll_job j)
{
	return j < JOB__MAX ? poll_jobs[j].name : "task";
}

int
poll_job_parse(const char *name)
{
	int j;

	for (j = 0; j < JOB__MAX; j++)
		if (strcmp(poll_jobs[j].name, name) == 0)
			return j;
	return -1;
}

int64_t
poll_now_s(void)
{
	return time_now_ms() / 1000;
}

/* ---- the poller ---------------------------------------------------------- */

static int
poll_read_meta(struct store_txn *txn, void *arg)
{
	struct poller *pl = arg;
	int64_t v;

	if (store_get_meta_i64(txn, META_BATCH_REFUSED, &v) == STORE_OK)
		pl->batch_refused = v != 0;
	return 0;
}

struct poller *
poll_new(const struct config *cfg, struct store *st, struct spotify *sp,
    poll_report_fn report, void *arg)
{
	struct poller *pl;

	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return NULL;
	pl->cfg = cfg;
	pl->st = st;
	pl->sp = sp;
	pl->report = report;
	pl->arg = arg;
	pl->budget_left = (long)config_num(cfg, CFG_DETAIL_BUDGET);
	(void)store_read(st, poll_read_meta, pl);
	return pl;
}

void
poll_reconfigure(struct poller *pl, const struct config *cfg)
{
	pl->cfg = cfg;
}

/* Releases the current job's state and zeroes it for the next job. */
static void
poll_job_clear(struct task *t)
{
	if (poll_jobs[t->job].free != NULL)
		poll_jobs[t->job].free(t);
	explicit_bzero(&t->state, sizeof(t->state));
}

static void
task_free(struct task *t)
{
	struct poller *pl = t->pl;
	struct task **pp;

	for (pp = &pl->tasks; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			pl->n_tasks--;
			break;
		}
	poll_job_clear(t);
	explicit_bzero(t, sizeof(*t));
	free(t);
}

void
poll_free(struct poller *pl)
{
	int k;

	if (pl == NULL)
		return;
	/* The engine's cancel calls our handlers with SPOTIFY_STOPPED. */
	spotify_cancel_all(pl->sp);
	while (pl->tasks != NULL)
		task_free(pl->tasks);
	for (k = 0; k < DETAIL__MAX; k++)
		free(pl->pend[k]);
	free(pl);
}

size_t
poll_running(const struct poller *pl)
{
	return pl->n_tasks;
}

int
poll_busy(const struct poller *pl, const char *id)
{
	const struct task *t;

	for (t = pl->tasks; t != NULL; t = t->next)
		if (strcmp(t->u.id, id) == 0)
			return 1;
	return 0;
}

void
poll_reset_budget(struct poller *pl)
{
	pl->budget_left = (long)config_num(pl->cfg, CFG_DETAIL_BUDGET);
}

uint64_t
poll_details_done(const struct poller *pl)
{
	return pl->details_done;
}

struct poll_get_user {
	const char	*id;
	struct user	*u;
};

static int
poll_read_user(struct store_txn *txn, void *arg)
{
	struct poll_get_user *g = arg;

	return store_get_user(txn, g->id, g->u) == STORE_OK ? 0 : -1;
}

int
poll_start(struct poller *pl, const char *id, unsigned jobs)
{
	struct poll_get_user g;
	struct task *t;

	if (poll_busy(pl, id))
		return 1;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		pl->report(id, JOB__MAX, 0, "out of memory", pl->arg);
		return -1;
	}
	t->pl = pl;
	g.id = id;
	g.u = &t->u;
	if (store_read(pl->st, poll_read_user, &g) != STORE_OK) {
		pl->report(id, JOB__MAX, 0, "no such user", pl->arg);
		free(t);
		return -1;
	}
	if (t->u.status != USER_ACTIVE) {
		pl->report(id, JOB__MAX, 0, t->u.status == USER_REAUTH ?
		    "needs re-authorization (refresh token refused); not "
		    "polled" : "disabled; not polled", pl->arg);
		explicit_bzero(t, sizeof(*t));
		free(t);
		return -1;
	}
	t->jobs = jobs & JOB_ALL;
	t->next = pl->tasks;
	pl->tasks = t;
	pl->n_tasks++;
	poll_next_job(t);
	return 0;
}

/* ---- user record updates ----------------------------------------------- */

void
poll_apply_status(struct task *t, struct user *cur, int ok, const char *error)
{
	const struct config *cfg = t->pl->cfg;
	int64_t now = poll_now_s(), wstart;
	int32_t interval = (int32_t)config_num(cfg, CFG_POLL_INTERVAL);
	int64_t *next = NULL;

	cur->last_poll = now;
	if (ok) {
		cur->failures = 0;
		cur->last_error[0] = '\0';
		if (t->job == JOB_PLAYS)
			cur->last_ok_poll = now;
	} else {
		cur->failures++;
		(void)strlcpy(cur->last_error, error, sizeof(cur->last_error));
	}
	switch (t->job) {
	case JOB_PLAYS:
		next = &cur->next_plays;
		*next = ok ? sched_next_slot(now, cur->offset_s, interval) :
		    sched_retry_at(now, cur->failures, interval / 2);
		break;
	case JOB_TOP:
		next = &cur->next_top;
		*next = ok ? now + config_num(cfg, CFG_TOP_INTERVAL) :
		    sched_retry_at(now, cur->failures, 3600);
		break;
	case JOB_DW:
		next = &cur->next_dw;
		if (!ok)
			*next = sched_retry_at(now, cur->failures, 3600);
		else if (t->state.dw.not_yet)
			*next = now + DW_NOT_YET_S;
		else {
			/* Next Monday 00:00 local, spread over an hour. */
			sched_local_week(now, cur->timezone, NULL, &wstart);
			sched_local_week(wstart + 8 * 86400, cur->timezone,
			    NULL, next);
			*next += cur->offset_s % 3600;
		}
		break;
	case JOB_PROFILE:
		next = &cur->next_profile;
		*next = ok ? now + config_num(cfg, CFG_PROFILE_INTERVAL) :
		    sched_retry_at(now, cur->failures, 3600);
		break;
	default:
		break;
	}
}

int
poll_assign_offset(struct store_txn *txn, struct user *cur, int32_t interval)
{
	int64_t k = 0;

	if (cur->next_plays != 0 || cur->offset_s != 0)
		return 0;
	if (store_get_meta_i64(txn, META_SCHEDULED, &k) == STORE_ERR)
		return -1;
	cur->offset_s = sched_offset((uint32_t)k, interval);
	return store_put_meta_i64(txn, META_SCHEDULED, k + 1) == STORE_OK ?
	    0 : -1;
}

int
poll_with_user(struct store_txn *txn, const struct task *t,
    int (*fn)(struct store_txn *, struct user *, void *), void *arg)
{
	struct user cur;
	int rc;

	switch (store_get_user(txn, t->u.id, &cur)) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		return 0;	/* deleted meanwhile: nothing to record */
	default:
		return -1;
	}
	rc = fn(txn, &cur, arg);
	explicit_bzero(&cur, sizeof(cur));	/* it holds the tokens */
	return rc;
}

/* What poll_write_user() hands its transaction. */
struct poll_write {
	const struct task	*t;
	int			(*fn)(struct store_txn *, struct user *,
				    void *);
	void			*arg;
};

static int
poll_write_txn(struct store_txn *txn, void *arg)
{
	const struct poll_write *w = arg;

	return poll_with_user(txn, w->t, w->fn, w->arg);
}

int
poll_write_user(struct task *t,
    int (*fn)(struct store_txn *, struct user *, void *), void *arg)
{
	struct poll_write w = { t, fn, arg };

	return store_write(t->pl->st, poll_write_txn, &w) == STORE_OK ? 0 :
	    -1;
}

struct wr_status {
	struct task	*t;
	int		 ok;
	const char	*error;
	int		 reauth;
};

static int
wr_status_user(struct store_txn *txn, struct user *cur, void *arg)
{
	struct wr_status *w = arg;

	if (poll_assign_offset(txn, cur, (int32_t)config_num(w->t->pl->cfg,
	    CFG_POLL_INTERVAL)) == -1)
		return -1;
	if (w->reauth)
		cur->status = USER_REAUTH;
	poll_apply_status(w->t, cur, w->ok, w->error);
	return store_put_user(txn, cur) == STORE_ERR ? -1 : 0;
}

int
poll_record_failure(struct task *t, const char *error, int reauth)
{
	struct wr_status w;

	memset(&w, 0, sizeof(w));
	w.t = t;
	w.error = error;
	w.reauth = reauth;
	return poll_write_user(t, wr_status_user, &w);
}

/* ---- job sequencing ------------------------------------------------------ */

void
poll_next_job(struct task *t)
{
	enum poll_job j;

	for (j = 0; j < JOB__MAX; j++)
		if (t->jobs & JOB_BIT(j))
			break;
	if (j == JOB__MAX) {
		task_free(t);
		return;
	}
	poll_job_clear(t);	/* the job that ended (none at the start) */
	t->job = j;
	if (t->auth_dead) {
		/* Recorded like a failure, so that it retries with backoff. */
		poll_job_end(t, 0, "skipped: no usable token");
		return;
	}
	poll_jobs[j].start(t);
}

void
poll_job_end(struct task *t, int ok, const char *fmt, ...)
{
	struct poller *pl = t->pl;
	char error[256] = "";
	va_list ap;

	if (!ok) {
		va_start(ap, fmt);
		vsnprintf(error, sizeof(error), fmt, ap);
		va_end(ap);
		if (poll_record_failure(t, error, 0) == -1)
			log_warnx("user %s: cannot record the failure",
			    t->u.id);
	}
	t->jobs &= ~JOB_BIT(t->job);
	pl->report(t->u.id, t->job, ok, error, pl->arg);
	poll_next_job(t);
}

void
poll_abort_task(struct task *t)
{
	task_free(t);
}

