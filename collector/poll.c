/*
 * poll.c — the jobs of one user's poll, as a small state machine per task
 * (see poll.h for what each job does and the token rules).
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
 * Meta keys: spotify.batch_refused (1 once /artists?ids= answered 403:
 * batch look-ups are then never tried again) and collector.scheduled (how
 * many users got an offset, the k of sched_offset()).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "config.h"
#include "dedupe.h"
#include "ids.h"
#include "log.h"
#include "oauth.h"
#include "parse.h"
#include "poll.h"
#include "sched.h"
#include "spotify.h"
#include "store.h"
#include "timeutil.h"

#define PAGE_LIMIT		50	/* recently-played, top */
#define PLAYS_PAGES_MAX		12	/* extra pages one plays job may read */
#define PLAYLISTS_PAGES_MAX	4	/* /me/playlists pages (200 playlists) */
#define ITEMS_PAGES_MAX		20	/* 1000 items per playlist */
#define TOKEN_SKEW_S		120	/* refresh this long before expiry */
#define DETAIL_PENDING_MAX	20000	/* ids waiting for a look-up */
#define ARTIST_BATCH		50
#define ALBUM_BATCH		20
#define DW_NOT_YET_S		3600	/* DW unchanged: look again in an hour */
#define TOP_N			(TOP_KIND__MAX * RANGE__MAX)

#define META_BATCH_REFUSED	"spotify.batch_refused"
#define META_SCHEDULED		"collector.scheduled"

static const char *const poll_job_names[JOB__MAX] = {
	[JOB_PLAYS] = "plays",
	[JOB_TOP] = "top",
	[JOB_DW] = "dw",
	[JOB_PROFILE] = "profile",
};

/* A playlist the dw job reads: Discover Weekly or an archived one. */
struct poll_target {
	char		 id[ID_LEN + 1];
	char		 name[256];
	char		 snapshot_id[128];
	int		 is_dw;
	int		 refused;	/* 403/404: reconstruct from plays */
	struct parse_set items;
};

struct task;
typedef void (*task_fn)(struct task *, enum spot_result, long,
    const cJSON *);

struct task {
	struct poller	*pl;
	struct user	 u;		/* as read at the start; tokens kept current */
	unsigned	 jobs;		/* jobs not yet finished, current included */
	enum poll_job	 job;
	int		 refreshed;	/* the 401 refresh was used */
	int		 auth_dead;	/* no usable token: skip remaining jobs */
	task_fn		 fn;		/* handler of the pending API request */
	char		 path[1400];	/* the pending API request */
	struct spot_req	 req;
	char		 form[TOKEN_MAX * 3 + 64];	/* secret */
	/* plays */
	struct parse_set set;
	int64_t		 start_cursor;
	int		 first_full;
	int		 reached;	/* an item at or before the cursor came */
	int		 dir;		/* 0 first page, -1 paging backward */
	unsigned	 pages;
	/* top */
	struct parse_set top[TOP_N];
	unsigned	 top_i;
	/* dw */
	struct parse_playlist *pls;
	size_t		 n_pls;
	unsigned	 pl_pages;
	struct poll_target targets[1 + ARCHIVE_MAX];
	unsigned	 n_targets, target_i, item_pages;
	int		 dw_not_yet;
	/* profile */
	struct user	 me;
	/* details */
	struct parse_set det;
	int		 det_albums;	/* the pending look-up is of albums */
	size_t		 det_n;		/* ids the pending look-up covers */
	int		 det_batch;
	struct task	*next;
};

struct poller {
	const struct config *cfg;
	struct store	*st;
	struct spot	*sp;
	poll_report_fn	 report;
	void		*arg;
	struct task	*tasks;
	size_t		 n_tasks;
	long		 budget_left;
	char		(*pend_artists)[ID_LEN + 1];
	size_t		 n_pend_artists;
	char		(*pend_albums)[ID_LEN + 1];
	size_t		 n_pend_albums;
	int		 batch_refused;
	int		 batch_probing;	/* a batch is out, its answer unknown */
	int		 batch_works;	/* a batch was answered */
	uint64_t	 details_done;
};

static void	task_next_job(struct task *);
static void	task_send(struct task *);
static void	task_job_end(struct task *, int ok, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
static void	plays_start(struct task *);
static void	top_start(struct task *);
static void	dw_start(struct task *);
static void	profile_start(struct task *);
static void	details_next(struct task *);

/* The jobs, in the order a task runs them. */
static void (*const poll_job_start[JOB__MAX])(struct task *) = {
	[JOB_PLAYS] = plays_start,
	[JOB_TOP] = top_start,
	[JOB_DW] = dw_start,
	[JOB_PROFILE] = profile_start,
};

const char *
poll_job_name(enum poll_job j)
{
	return j < JOB__MAX ? poll_job_names[j] : "task";
}

int
poll_job_parse(const char *name)
{
	int j;

	for (j = 0; j < JOB__MAX; j++)
		if (strcmp(poll_job_names[j], name) == 0)
			return j;
	return -1;
}

static int64_t
now_s(void)
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
poll_new(const struct config *cfg, struct store *st, struct spot *sp,
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

static void
task_free(struct task *t)
{
	struct poller *pl = t->pl;
	struct task **pp;
	unsigned i;

	for (pp = &pl->tasks; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			pl->n_tasks--;
			break;
		}
	parse_set_free(&t->set);
	parse_set_free(&t->det);
	for (i = 0; i < TOP_N; i++)
		parse_set_free(&t->top[i]);
	for (i = 0; i < t->n_targets; i++)
		parse_set_free(&t->targets[i].items);
	free(t->pls);
	explicit_bzero(t, sizeof(*t));
	free(t);
}

void
poll_free(struct poller *pl)
{
	if (pl == NULL)
		return;
	/* The engine's cancel calls our handlers with SPOT_STOPPED. */
	spot_cancel_all(pl->sp);
	while (pl->tasks != NULL)
		task_free(pl->tasks);
	free(pl->pend_artists);
	free(pl->pend_albums);
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
	task_next_job(t);
	return 0;
}

/* ---- user record updates ----------------------------------------------- */

/* Sets the bookkeeping fields of a job that ended into cur. */
static void
task_apply_status(struct task *t, struct user *cur, int ok, const char *error)
{
	const struct config *cfg = t->pl->cfg;
	int64_t now = now_s(), wstart;
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
		else if (t->dw_not_yet)
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

/*
 * Gives a user never scheduled an offset (the k-th gets sched_offset(k)).
 * Inside a write transaction.  Returns 0 or -1.
 */
static int
task_assign_offset(struct store_txn *txn, struct user *cur, int32_t interval)
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

struct wr_status {
	struct task	*t;
	int		 ok;
	const char	*error;
	int		 reauth;
};

static int
wr_status(struct store_txn *txn, void *arg)
{
	struct wr_status *w = arg;
	struct user cur;
	int rc;

	if ((rc = store_get_user(txn, w->t->u.id, &cur)) == STORE_NOTFOUND)
		return 0;	/* deleted meanwhile: nothing to record */
	if (rc != STORE_OK)
		return -1;
	if (task_assign_offset(txn, &cur, (int32_t)config_num(w->t->pl->cfg,
	    CFG_POLL_INTERVAL)) == -1)
		return -1;
	if (w->reauth)
		cur.status = USER_REAUTH;
	task_apply_status(w->t, &cur, w->ok, w->error);
	return store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;
}

static int
wr_tokens(struct store_txn *txn, void *arg)
{
	struct task *t = arg;
	struct user cur;
	int rc;

	if ((rc = store_get_user(txn, t->u.id, &cur)) == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	memcpy(cur.access_token, t->u.access_token, sizeof(cur.access_token));
	memcpy(cur.refresh_token, t->u.refresh_token,
	    sizeof(cur.refresh_token));
	cur.token_expires = t->u.token_expires;
	rc = store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;
	explicit_bzero(&cur, sizeof(cur));
	return rc;
}

/* ---- job sequencing ------------------------------------------------------ */

static void
task_next_job(struct task *t)
{
	enum poll_job j;

	for (j = 0; j < JOB__MAX; j++)
		if (t->jobs & JOB_BIT(j))
			break;
	if (j == JOB__MAX) {
		task_free(t);
		return;
	}
	t->job = j;
	if (t->auth_dead) {
		/* Recorded like a failure, so that it retries with backoff. */
		task_job_end(t, 0, "skipped: no usable token");
		return;
	}
	poll_job_start[j](t);
}

/*
 * Ends the current job: on failure records the error in the user record
 * (with the retry time); success was recorded by the job's own write.
 * Reports, then starts the next job (which may free t).
 */
static void
task_job_end(struct task *t, int ok, const char *fmt, ...)
{
	struct poller *pl = t->pl;
	struct wr_status w;
	char error[256] = "";
	va_list ap;

	if (!ok) {
		va_start(ap, fmt);
		vsnprintf(error, sizeof(error), fmt, ap);
		va_end(ap);
		memset(&w, 0, sizeof(w));
		w.t = t;
		w.error = error;
		if (store_write(pl->st, wr_status, &w) != STORE_OK)
			log_warnx("user %s: cannot record the failure",
			    t->u.id);
	}
	t->jobs &= ~JOB_BIT(t->job);
	pl->report(t->u.id, t->job, ok, error, pl->arg);
	task_next_job(t);
}

/* Quietly drops the task (engine stopping). */
static void
task_abort(struct task *t)
{
	task_free(t);
}

/* ---- requests with token handling ------------------------------------- */

static void	task_on_api(struct spot_req *, enum spot_result, long,
		    const cJSON *, void *);
static void	task_on_token(struct spot_req *, enum spot_result, long,
		    const cJSON *, void *);

/* Issues GET path (printf-style) on the Web API; fn gets the outcome. */
static void
task_get(struct task *t, task_fn fn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
task_get(struct task *t, task_fn fn, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->path, sizeof(t->path), fmt, ap);
	va_end(ap);
	t->fn = fn;
	t->refreshed = 0;
	if (n < 0 || (size_t)n >= sizeof(t->path)) {
		fn(t, SPOT_FAILED, 0, NULL);
		return;
	}
	task_send(t);
}

static void
task_refresh(struct task *t)
{
	char esc[TOKEN_MAX * 3 + 1];

	memset(&t->req, 0, sizeof(t->req));
	if (oauth_form_escape(esc, sizeof(esc), t->u.refresh_token) == -1 ||
	    snprintf(t->form, sizeof(t->form),
	    "grant_type=refresh_token&refresh_token=%s", esc) >=
	    (int)sizeof(t->form)) {
		explicit_bzero(esc, sizeof(esc));
		t->auth_dead = 1;
		task_job_end(t, 0, "refresh token unusable");
		return;
	}
	explicit_bzero(esc, sizeof(esc));
	t->req.svc = SPOT_SVC_ACCOUNTS;
	(void)strlcpy(t->req.path, "/api/token", sizeof(t->req.path));
	t->req.form = t->form;
	t->req.basic_auth = 1;
	t->req.want_json = 1;
	t->req.done = task_on_token;
	t->req.arg = t;
	spot_submit(t->pl->sp, &t->req);
}

static void
task_send(struct task *t)
{
	if (t->u.access_token[0] == '\0' ||
	    t->u.token_expires - TOKEN_SKEW_S <= now_s()) {
		task_refresh(t);
		return;
	}
	memset(&t->req, 0, sizeof(t->req));
	t->req.svc = SPOT_SVC_API;
	memcpy(t->req.path, t->path, sizeof(t->req.path));
	if (strlcpy(t->req.bearer, t->u.access_token,
	    sizeof(t->req.bearer)) >= sizeof(t->req.bearer)) {
		t->fn(t, SPOT_FAILED, 0, NULL);
		return;
	}
	t->req.want_json = 1;
	t->req.done = task_on_api;
	t->req.arg = t;
	spot_submit(t->pl->sp, &t->req);
}

static void
task_on_api(struct spot_req *req, enum spot_result r, long status,
    const cJSON *doc, void *arg)
{
	struct task *t = arg;

	explicit_bzero(req->bearer, sizeof(req->bearer));
	if (r == SPOT_STOPPED) {
		task_abort(t);
		return;
	}
	if (r == SPOT_HTTP && status == 401 && !t->refreshed) {
		/* The token ended early (revoked, or another clock): once. */
		t->refreshed = 1;
		t->u.access_token[0] = '\0';
		task_refresh(t);
		return;
	}
	t->fn(t, r, status, doc);
}

static void
task_on_token(struct spot_req *req, enum spot_result r, long status,
    const cJSON *doc, void *arg)
{
	struct task *t = arg;
	struct parse_token tok;
	struct wr_status w;

	explicit_bzero(t->form, sizeof(t->form));
	if (r == SPOT_STOPPED) {
		task_abort(t);
		return;
	}
	if (r == SPOT_OK && parse_token(doc, &tok) == 0) {
		memcpy(t->u.access_token, tok.access_token,
		    sizeof(t->u.access_token));
		if (tok.refresh_token[0] != '\0')	/* rotated */
			memcpy(t->u.refresh_token, tok.refresh_token,
			    sizeof(t->u.refresh_token));
		t->u.token_expires = now_s() + tok.expires_in;
		explicit_bzero(&tok, sizeof(tok));
		/* Persist at once: a rotated refresh token must not be lost. */
		if (store_write(t->pl->st, wr_tokens, t) != STORE_OK) {
			t->auth_dead = 1;
			task_job_end(t, 0, "cannot store the refreshed token");
			return;
		}
		task_send(t);
		return;
	}
	if (r == SPOT_HTTP && (status == 400 || status == 401) &&
	    parse_token(doc, &tok) == -1 &&
	    strcmp(tok.error, "invalid_grant") == 0) {
		/* The report says it (the daemon logs it as a warning). */
		log_debug("user %s: refresh token refused (invalid_grant)",
		    t->u.id);
		memset(&w, 0, sizeof(w));
		w.t = t;
		w.error = "needs re-authorization (refresh token refused)";
		w.reauth = 1;
		if (store_write(t->pl->st, wr_status, &w) != STORE_OK)
			log_warnx("user %s: cannot record re-authorization",
			    t->u.id);
		t->auth_dead = 1;
		t->jobs &= ~JOB_BIT(t->job);
		t->pl->report(t->u.id, t->job, 0, w.error, t->pl->arg);
		task_next_job(t);
		return;
	}
	/* 5xx, 429, timeouts: temporary; the user stays logged in. */
	t->auth_dead = 1;
	if (r == SPOT_HTTP)
		task_job_end(t, 0, "token refresh refused: HTTP %ld%s%s",
		    status, tok.error[0] ? " " : "", tok.error);
	else
		task_job_end(t, 0, "token refresh %s: %s",
		    spot_result_name(r), req->error);
}

/* A line for a failed API request. */
static void
task_fail_req(struct task *t, const char *what, enum spot_result r,
    long status)
{
	if (r == SPOT_HTTP)
		task_job_end(t, 0, "%s: HTTP %ld", what, status);
	else
		task_job_end(t, 0, "%s: %s (%s)", what, spot_result_name(r),
		    t->req.error[0] ? t->req.error : "no detail");
}

/* ---- entities in a write transaction ----------------------------------- */

/*
 * Writes the entities of set.  Artists already stored are left alone
 * unless set's copy is detailed; new undetailed artists' ids are appended
 * to *newart (n_newart), albums without images to *newalb.  Returns 0 or
 * -1.
 */
struct ent_new {
	char		(*artists)[ID_LEN + 1];
	size_t		 n_artists;
	char		(*albums)[ID_LEN + 1];
	size_t		 n_albums;
};

static int
ent_note(char (**arr)[ID_LEN + 1], size_t *n, const char *id)
{
	char (*a)[ID_LEN + 1];

	if ((a = reallocarray(*arr, *n + 1, sizeof(**arr))) == NULL)
		return -1;
	*arr = a;
	memcpy(a[(*n)++], id, ID_LEN + 1);
	return 0;
}

static int
ent_write(struct store_txn *txn, struct parse_set *set, struct ent_new *nw)
{
	struct artist have;
	struct album *al;
	int64_t now = now_s();
	size_t i;
	int rc;

	for (i = 0; i < set->n_artists; i++) {
		set->artists[i].updated_at = now;
		rc = store_get_artist(txn, set->artists[i].id, &have);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK && !set->artists[i].detailed)
			continue;
		if (store_put_artist(txn, &set->artists[i]) == STORE_ERR)
			return -1;
		if (!set->artists[i].detailed && nw != NULL &&
		    ent_note(&nw->artists, &nw->n_artists,
		    set->artists[i].id) == -1)
			return -1;
	}
	for (i = 0; i < set->n_albums; i++) {
		al = &set->albums[i];
		al->updated_at = now;
		if (store_put_album(txn, al) == STORE_ERR)
			return -1;
		if (al->n_images == 0 && al->id[0] != '_' && nw != NULL &&
		    ent_note(&nw->albums, &nw->n_albums, al->id) == -1)
			return -1;
	}
	for (i = 0; i < set->n_tracks; i++) {
		set->tracks[i].updated_at = now;
		if (store_put_track(txn, &set->tracks[i]) == STORE_ERR)
			return -1;
	}
	return 0;
}

static int
poll_pending_has(char (*arr)[ID_LEN + 1], size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(arr[i], id, ID_LEN) == 0)
			return 1;
	return 0;
}

/* Queues ids for the lazy detail look-ups (bounded). */
static void
poll_pending_add(struct poller *pl, const struct ent_new *nw)
{
	size_t i;

	for (i = 0; i < nw->n_artists; i++)
		if (pl->n_pend_artists < DETAIL_PENDING_MAX &&
		    !poll_pending_has(pl->pend_artists, pl->n_pend_artists,
		    nw->artists[i]))
			(void)ent_note(&pl->pend_artists, &pl->n_pend_artists,
			    nw->artists[i]);
	for (i = 0; i < nw->n_albums; i++)
		if (pl->n_pend_albums < DETAIL_PENDING_MAX &&
		    !poll_pending_has(pl->pend_albums, pl->n_pend_albums,
		    nw->albums[i]))
			(void)ent_note(&pl->pend_albums, &pl->n_pend_albums,
			    nw->albums[i]);
}

/* ---- plays --------------------------------------------------------------- */

static void	plays_on_page(struct task *, enum spot_result, long,
		    const cJSON *);

static void
plays_start(struct task *t)
{
	parse_set_free(&t->set);
	t->start_cursor = t->u.cursor_ms;
	t->first_full = t->reached = 0;
	t->dir = 0;
	t->pages = 0;
	if (t->start_cursor > 0)
		task_get(t, plays_on_page,
		    "/me/player/recently-played?limit=%d&after=%lld",
		    PAGE_LIMIT, (long long)t->start_cursor);
	else
		task_get(t, plays_on_page,
		    "/me/player/recently-played?limit=%d", PAGE_LIMIT);
}

struct wr_plays {
	struct task	*t;
	struct ent_new	 nw;
	uint64_t	 added;
	int		 gap;
};

static int
wr_plays(struct store_txn *txn, void *arg)
{
	struct wr_plays *w = arg;
	struct task *t = w->t;
	struct parse_set *set = &t->set;
	struct user cur;
	struct gap g;
	int64_t newest;
	size_t i;
	int rc;

	free(w->nw.artists);
	free(w->nw.albums);
	memset(&w->nw, 0, sizeof(w->nw));
	w->added = 0;
	w->gap = 0;
	if ((rc = store_get_user(txn, t->u.id, &cur)) == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if (task_assign_offset(txn, &cur, (int32_t)config_num(t->pl->cfg,
	    CFG_POLL_INTERVAL)) == -1)
		return -1;
	/*
	 * A gap: the first page was full, nothing at or before the cursor
	 * came back however far we paged, and the oldest play we got is
	 * newer than the cursor.  Plays in between are lost; say so.  A
	 * lost play would have to start after the cursor's play ended and
	 * end before the oldest one we got began, and every play lasts at
	 * least min_play_ms: with less room than two plays' minimum nothing
	 * can be missing.  (Exactly 50 plays since the last poll look like
	 * a loss and are recorded as one: the API shows no 51st to tell.)
	 */
	if (t->first_full && !t->reached && cur.cursor_ms > 0 &&
	    set->oldest_ms - cur.cursor_ms >=
	    2 * config_num(t->pl->cfg, CFG_MIN_PLAY_MS)) {
		memset(&g, 0, sizeof(g));
		g.from_ms = cur.cursor_ms;
		g.to_ms = set->oldest_ms;
		g.reason = cur.failures > 0 ? GAP_UNREACHABLE : GAP_OVERFLOW;
		g.recorded_at = now_s();
		if (store_put_gap(txn, t->u.id, &g) == STORE_ERR)
			return -1;
		w->gap = 1;
	}
	if (ent_write(txn, set, &w->nw) == -1)
		return -1;
	newest = cur.cursor_ms;
	for (i = 0; i < set->n_plays; i++) {
		const char *const tid[] = { set->plays[i].track_id };

		if (set->plays[i].played_at > newest)
			newest = set->plays[i].played_at;
		/*
		 * The same play may be stored already from an imported
		 * history (its time to the second or the minute): then it is
		 * not stored twice (lib/dedupe.h says when two are one).
		 */
		rc = dedupe_find(txn, t->u.id, set->plays[i].played_at,
		    SOURCE_API, tid, 1, NULL, NULL, NULL);
		if (rc == -1)
			return -1;
		if (rc == 1)
			continue;
		rc = store_put_play(txn, t->u.id, &set->plays[i]);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK)
			w->added++;
	}
	/*
	 * The cursor is the newest play the API gave, stored now or before
	 * (possibly as an imported row up to 15 s away): never beyond it.
	 */
	cur.cursor_ms = newest;
	cur.n_plays += w->added;
	task_apply_status(t, &cur, 1, NULL);
	if (cadence_apply(txn, t->pl->cfg, &cur, t->u.cursor_ms) == -1)
		return -1;
	return store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;
}

static void
plays_commit(struct task *t)
{
	struct poller *pl = t->pl;
	struct wr_plays w;

	memset(&w, 0, sizeof(w));
	w.t = t;
	if (store_write(pl->st, wr_plays, &w) != STORE_OK) {
		free(w.nw.artists);
		free(w.nw.albums);
		task_job_end(t, 0, "plays: cannot write to the store");
		return;
	}
	if (w.gap) {
		char from[32], to[32];

		(void)time_format_iso8601(t->u.cursor_ms, from, 1);
		(void)time_format_iso8601(t->set.oldest_ms, to, 1);
		log_warnx("user %s: plays lost between %s and %s (more than "
		    "%d since the last poll); gap recorded", t->u.id, from, to,
		    PAGE_LIMIT);
	}
	log_debug("user %s: %llu new plays (%zu received, %zu episodes, %zu "
	    "unusable)", t->u.id, (unsigned long long)w.added,
	    t->set.n_items, t->set.n_episodes, t->set.n_garbage);
	poll_pending_add(pl, &w.nw);
	free(w.nw.artists);
	free(w.nw.albums);
	details_next(t);
}

/*
 * Pages beyond the first, only when the first was full: backward (before
 * the oldest play we have) until the cursor is reached, the API has
 * nothing older (Spotify keeps only the last 50 plays; then the gap is
 * real and recorded), or PLAYS_PAGES_MAX pages were read.
 */
static void
plays_more(struct task *t, const struct parse_set *page)
{
	if (t->pages >= PLAYS_PAGES_MAX || t->reached ||
	    (t->dir != 0 && page->n_items < PAGE_LIMIT) ||
	    (t->dir != 0 && page->n_items == 0)) {
		plays_commit(t);
		return;
	}
	t->dir = -1;
	t->pages++;
	task_get(t, plays_on_page,
	    "/me/player/recently-played?limit=%d&before=%lld",
	    PAGE_LIMIT, (long long)t->set.oldest_ms);
}

static int
plays_merge(struct parse_set *into, struct parse_set *page)
{
	struct play *p;
	size_t i, j;
	char **s;

	/* page's plays and entities move into into, with their strings. */
	for (i = 0; i < page->n_plays; i++) {
		for (j = 0; j < into->n_plays; j++)
			if (into->plays[j].played_at == page->plays[i].played_at)
				break;
		if (j < into->n_plays)
			continue;
		if ((p = reallocarray(into->plays, into->n_plays + 1,
		    sizeof(*p))) == NULL)
			return -1;
		into->plays = p;
		into->plays[into->n_plays++] = page->plays[i];
	}
#define MERGE_ARR(f, nf) do {						\
	for (i = 0; i < page->nf; i++) {				\
		for (j = 0; j < into->nf; j++)				\
			if (strcmp(into->f[j].id, page->f[i].id) == 0)	\
				break;					\
		if (j < into->nf)					\
			continue;					\
		void *np = reallocarray(into->f, into->nf + 1,		\
		    sizeof(*into->f));					\
		if (np == NULL)						\
			return -1;					\
		into->f = np;						\
		into->f[into->nf++] = page->f[i];			\
	}								\
} while (0)
	MERGE_ARR(tracks, n_tracks);
	MERGE_ARR(albums, n_albums);
	MERGE_ARR(artists, n_artists);
#undef MERGE_ARR
	/* The strings move too: into now owns them. */
	if (page->n_strs > 0) {
		if ((s = reallocarray(into->strs, into->n_strs + page->n_strs,
		    sizeof(*s))) == NULL)
			return -1;
		into->strs = s;
		memcpy(into->strs + into->n_strs, page->strs,
		    page->n_strs * sizeof(*s));
		into->n_strs += page->n_strs;
	}
	free(page->strs);
	page->strs = NULL;
	page->n_strs = 0;
	into->n_items += page->n_items;
	into->n_episodes += page->n_episodes;
	into->n_garbage += page->n_garbage;
	if (page->oldest_ms != 0 && (into->oldest_ms == 0 ||
	    page->oldest_ms < into->oldest_ms))
		into->oldest_ms = page->oldest_ms;
	if (page->newest_ms > into->newest_ms)
		into->newest_ms = page->newest_ms;
	return 0;
}

static void
plays_on_page(struct task *t, enum spot_result r, long status,
    const cJSON *doc)
{
	struct parse_set page;

	if (r != SPOT_OK) {
		task_fail_req(t, "recently-played", r, status);
		return;
	}
	memset(&page, 0, sizeof(page));
	if (parse_recent_page(doc, &page) == -1) {
		parse_set_free(&page);
		task_job_end(t, 0, "recently-played: unusable response");
		return;
	}
	if (page.n_items > 0 && page.oldest_ms <= t->start_cursor)
		t->reached = 1;
	if (t->dir == 0 && page.n_items >= PAGE_LIMIT && t->start_cursor > 0)
		t->first_full = 1;
	if (plays_merge(&t->set, &page) == -1) {
		parse_set_free(&page);
		task_job_end(t, 0, "recently-played: out of memory");
		return;
	}
	if (t->dir == 0 && !t->first_full) {
		parse_set_free(&page);
		plays_commit(t);
		return;
	}
	plays_more(t, &page);
	parse_set_free(&page);
}

/* ---- details (lazy, within the sweep's budget) ------------------------ */

static void	details_on(struct task *, enum spot_result, long,
		    const cJSON *);

static int
poll_write_meta_batch(struct store_txn *txn, void *arg)
{
	(void)arg;
	return store_put_meta_i64(txn, META_BATCH_REFUSED, 1) == STORE_OK ?
	    0 : -1;
}

/* Takes the first n ids off a pending queue. */
static void
poll_pending_drop(char (*arr)[ID_LEN + 1], size_t *n, size_t k)
{
	if (k > *n)
		k = *n;
	if (k == 0)
		return;
	memmove(arr, arr + k, (*n - k) * sizeof(*arr));
	*n -= k;
}

static void
details_next(struct task *t)
{
	struct poller *pl = t->pl;
	char path[ARTIST_BATCH * (ID_LEN + 1) + 64];
	char (*arr)[ID_LEN + 1];
	size_t n, i, max, len;
	const char *kind;

	parse_set_free(&t->det);
	if (pl->budget_left <= 0 ||
	    (pl->n_pend_artists == 0 && pl->n_pend_albums == 0)) {
		task_job_end(t, 1, NULL);
		return;
	}
	t->det_albums = pl->n_pend_artists == 0;
	arr = t->det_albums ? pl->pend_albums : pl->pend_artists;
	n = t->det_albums ? pl->n_pend_albums : pl->n_pend_artists;
	kind = t->det_albums ? "albums" : "artists";
	max = t->det_albums ? ALBUM_BATCH : ARTIST_BATCH;
	pl->budget_left--;
	/* One batch probes whether the API answers them; others wait. */
	if (!pl->batch_refused && n > 1 &&
	    (pl->batch_works || !pl->batch_probing)) {
		pl->batch_probing = !pl->batch_works;
		t->det_batch = 1;
		t->det_n = n < max ? n : max;
		len = (size_t)snprintf(path, sizeof(path), "/%s?ids=", kind);
		for (i = 0; i < t->det_n; i++) {
			if (i > 0)
				path[len++] = ',';
			memcpy(path + len, arr[i], ID_LEN);
			len += ID_LEN;
		}
		path[len] = '\0';
		task_get(t, details_on, "%s", path);
		return;
	}
	t->det_batch = 0;
	t->det_n = 1;
	task_get(t, details_on, "/%s/%s", kind, arr[0]);
}

static int
wr_details(struct store_txn *txn, void *arg)
{
	return ent_write(txn, arg, NULL);
}

static void
details_on(struct task *t, enum spot_result r, long status, const cJSON *doc)
{
	struct poller *pl = t->pl;
	char (*arr)[ID_LEN + 1] = t->det_albums ? pl->pend_albums :
	    pl->pend_artists;
	size_t *n = t->det_albums ? &pl->n_pend_albums : &pl->n_pend_artists;

	if (t->det_batch) {
		pl->batch_probing = 0;
		if (r == SPOT_OK)
			pl->batch_works = 1;
	}
	if (r == SPOT_HTTP && status == 403 && t->det_batch) {
		/* Batch look-ups are gone for this app: remember it. */
		log_info("batch look-ups refused (403); one at a time from now "
		    "on");
		pl->batch_refused = 1;
		if (store_write(pl->st, poll_write_meta_batch, NULL) !=
		    STORE_OK)
			log_warnx("cannot record that batches are refused");
		details_next(t);
		return;
	}
	if (r == SPOT_HTTP && (status == 404 || status == 400 ||
	    status == 403)) {
		/* Unknown to Spotify: do not ask again. */
		poll_pending_drop(arr, n, t->det_n);
		details_next(t);
		return;
	}
	if (r != SPOT_OK) {
		/* Details are best effort: the plays are already stored. */
		log_info("user %s: detail look-up %s; later", t->u.id,
		    spot_result_name(r));
		task_job_end(t, 1, NULL);
		return;
	}
	memset(&t->det, 0, sizeof(t->det));
	if (parse_entities(doc, &t->det) == -1 ||
	    store_write(pl->st, wr_details, &t->det) != STORE_OK) {
		log_warnx("user %s: detail look-up unusable; dropped", t->u.id);
	} else
		pl->details_done += t->det_n;
	poll_pending_drop(arr, n, t->det_n);
	details_next(t);
}

/* ---- top lists ----------------------------------------------------------- */

static void	top_on_page(struct task *, enum spot_result, long,
		    const cJSON *);

static void
top_request(struct task *t)
{
	unsigned kind = t->top_i / RANGE__MAX, range = t->top_i % RANGE__MAX;

	task_get(t, top_on_page, "/me/top/%s?time_range=%s&limit=%d",
	    kind == TOP_TRACKS ? "tracks" : "artists",
	    schema_ranges[range], PAGE_LIMIT);
}

static void
top_start(struct task *t)
{
	unsigned i;

	for (i = 0; i < TOP_N; i++)
		parse_set_free(&t->top[i]);
	t->top_i = 0;
	top_request(t);
}

static int
wr_top(struct store_txn *txn, void *arg)
{
	struct task *t = arg;
	struct top_snapshot snap, latest;
	struct ids_list l = IDS_LIST_INIT;
	struct user cur;
	unsigned i;
	size_t j;
	int rc, same;

	if ((rc = store_get_user(txn, t->u.id, &cur)) == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	for (i = 0; i < TOP_N; i++) {
		if (ent_write(txn, &t->top[i], NULL) == -1)
			goto fail_list;
		ids_list_reset(&l);
		for (j = 0; j < t->top[i].n_ids; j++)
			if (ids_list_add(&l, t->top[i].ids[j]) == -1)
				goto fail_list;
		memset(&snap, 0, sizeof(snap));
		snap.kind = (uint8_t)(i / RANGE__MAX);
		snap.range = (uint8_t)(i % RANGE__MAX);
		snap.day = time_day(time_now_ms());
		snap.confirmed_at = now_s();
		snap.ids = ids_list_view(&l);
		rc = store_latest_top(txn, t->u.id, snap.kind, snap.range,
		    &latest);
		if (rc == STORE_ERR)
			goto fail_list;
		same = rc == STORE_OK && latest.ids.n == snap.ids.n &&
		    (snap.ids.n == 0 || memcmp(latest.ids.ids, snap.ids.ids,
		    (size_t)snap.ids.n * ID_LEN) == 0);
		if (same)
			snap.day = latest.day;	/* confirm, do not copy */
		if (store_put_top(txn, t->u.id, &snap) == STORE_ERR)
			goto fail_list;
	}
	ids_list_free(&l);
	task_apply_status(t, &cur, 1, NULL);
	return store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;

fail_list:
	ids_list_free(&l);
	return -1;
}

static void
top_on_page(struct task *t, enum spot_result r, long status,
    const cJSON *doc)
{
	unsigned kind = t->top_i / RANGE__MAX;

	if (r != SPOT_OK) {
		task_fail_req(t, "top lists", r, status);
		return;
	}
	if (parse_top_page(doc, kind == TOP_ARTISTS, &t->top[t->top_i]) ==
	    -1) {
		task_job_end(t, 0, "top lists: unusable response");
		return;
	}
	if (++t->top_i < TOP_N) {
		top_request(t);
		return;
	}
	if (store_write(t->pl->st, wr_top, t) != STORE_OK) {
		task_job_end(t, 0, "top lists: cannot write to the store");
		return;
	}
	task_job_end(t, 1, NULL);
}

/* ---- Discover Weekly and archived playlists ---------------------------- */

static void	dw_on_playlists(struct task *, enum spot_result, long,
		    const cJSON *);
static void	dw_on_items(struct task *, enum spot_result, long,
		    const cJSON *);

static void
dw_start(struct task *t)
{
	free(t->pls);
	t->pls = NULL;
	t->n_pls = 0;
	t->pl_pages = 0;
	t->dw_not_yet = 0;
	task_get(t, dw_on_playlists, "/me/playlists?limit=50");
}

static void
dw_items_request(struct task *t)
{
	struct poll_target *tg = &t->targets[t->target_i];

	task_get(t, dw_on_items, "/playlists/%s/items?limit=50&offset=%u",
	    tg->id, t->item_pages * 50);
}

static void
dw_add_target(struct task *t, const char *id, int is_dw)
{
	struct poll_target *tg;
	size_t i;

	for (i = 0; i < t->n_targets; i++)
		if (strcmp(t->targets[i].id, id) == 0) {
			t->targets[i].is_dw |= is_dw;
			return;
		}
	if (t->n_targets >= sizeof(t->targets) / sizeof(t->targets[0]))
		return;
	tg = &t->targets[t->n_targets++];
	memset(tg, 0, sizeof(*tg));
	memcpy(tg->id, id, ID_LEN + 1);
	tg->is_dw = is_dw;
	(void)strlcpy(tg->name, is_dw ? "Discover Weekly" : "",
	    sizeof(tg->name));
	for (i = 0; i < t->n_pls; i++)
		if (strcmp(t->pls[i].id, id) == 0) {
			(void)strlcpy(tg->name, t->pls[i].name,
			    sizeof(tg->name));
			(void)strlcpy(tg->snapshot_id, t->pls[i].snapshot_id,
			    sizeof(tg->snapshot_id));
		}
}

static int	dw_write(struct task *);

static void
dw_targets_next(struct task *t)
{
	if (t->target_i < t->n_targets) {
		t->item_pages = 0;
		dw_items_request(t);
		return;
	}
	if (dw_write(t) == -1) {
		task_job_end(t, 0, "dw: cannot write to the store");
		return;
	}
	task_job_end(t, 1, NULL);
}

static void
dw_on_playlists(struct task *t, enum spot_result r, long status,
    const cJSON *doc)
{
	struct parse_playlist *pls;
	size_t n = 0, i;
	int more = 0;

	if (r != SPOT_OK) {
		task_fail_req(t, "playlists", r, status);
		return;
	}
	if ((pls = reallocarray(t->pls, t->n_pls + PAGE_LIMIT,
	    sizeof(*pls))) == NULL) {
		task_job_end(t, 0, "playlists: out of memory");
		return;
	}
	t->pls = pls;
	if (parse_playlists(doc, t->pls + t->n_pls, PAGE_LIMIT, &n, &more) ==
	    -1) {
		task_job_end(t, 0, "playlists: unusable response");
		return;
	}
	t->n_pls += n;
	if (more && ++t->pl_pages < PLAYLISTS_PAGES_MAX) {
		task_get(t, dw_on_playlists, "/me/playlists?limit=50&offset=%u",
		    t->pl_pages * 50);
		return;
	}
	for (i = 0; i < t->n_targets; i++)
		parse_set_free(&t->targets[i].items);
	t->n_targets = 0;
	t->target_i = 0;
	if (t->u.dw_playlist[0] != '\0')
		dw_add_target(t, t->u.dw_playlist, 1);
	else
		for (i = 0; i < t->n_pls; i++)
			if (strcmp(t->pls[i].owner, "spotify") == 0 &&
			    strcmp(t->pls[i].name, "Discover Weekly") == 0) {
				dw_add_target(t, t->pls[i].id, 1);
				break;
			}
	for (i = 0; i < t->u.n_archive && i < ARCHIVE_MAX; i++)
		if (ids_valid_spotify(t->u.archive[i]))
			dw_add_target(t, t->u.archive[i], 0);
	if (t->n_targets == 0)
		log_debug("user %s: no Discover Weekly found and nothing to "
		    "archive", t->u.id);
	dw_targets_next(t);
}

static void
dw_on_items(struct task *t, enum spot_result r, long status,
    const cJSON *doc)
{
	struct poll_target *tg = &t->targets[t->target_i];

	if (r == SPOT_HTTP && (status == 403 || status == 404)) {
		/* Restricted (Spotify-owned, development mode): reconstruct. */
		tg->refused = 1;
		parse_set_free(&tg->items);
		t->target_i++;
		dw_targets_next(t);
		return;
	}
	if (r != SPOT_OK) {
		task_fail_req(t, "playlist items", r, status);
		return;
	}
	if (parse_playlist_items(doc, &tg->items) == -1) {
		task_job_end(t, 0, "playlist items: unusable response");
		return;
	}
	if (tg->items.has_next && ++t->item_pages < ITEMS_PAGES_MAX) {
		dw_items_request(t);
		return;
	}
	t->target_i++;
	dw_targets_next(t);
}

struct wr_dw {
	struct task	*t;
	int		 not_yet;
};

/* Puts week of target tg unless a full list of that week is stored. */
static int
dw_put_heard(struct store_txn *txn, struct task *t, struct poll_target *tg,
    int32_t week, struct ids_list *l)
{
	struct playlist_week pw, have;
	int rc;

	rc = store_get_playlist_week(txn, t->u.id, tg->id, week, &have);
	if (rc == STORE_ERR)
		return -1;
	if (rc == STORE_OK && have.how == PLAYLIST_FULL)
		return 0;
	memset(&pw, 0, sizeof(pw));
	memcpy(pw.playlist_id, tg->id, ID_LEN + 1);
	pw.week = week;
	pw.name = tg->name;
	pw.snapshot_id = "";
	pw.how = PLAYLIST_HEARD;
	pw.obtained_at = now_s();
	pw.tracks = ids_list_view(l);
	return store_put_playlist_week(txn, t->u.id, &pw) == STORE_ERR ? -1 :
	    0;
}

struct heard_ctx {
	struct store_txn *txn;
	struct task	*t;
	struct poll_target *tg;
	char		 uri[64];
	struct ids_list	 l;
	int32_t		 week;
	int64_t		 end_ms;	/* the current week ends here */
	int		 any;
};

static int
heard_flush(struct heard_ctx *h)
{
	int rc = 0;

	if (h->any)
		rc = dw_put_heard(h->txn, h->t, h->tg, h->week, &h->l);
	ids_list_reset(&h->l);
	h->any = 0;
	return rc;
}

static int
heard_play(const struct play *p, void *arg)
{
	struct heard_ctx *h = arg;
	struct idlist v;
	int64_t start;

	if (p->context_uri == NULL || strcmp(p->context_uri, h->uri) != 0)
		return 0;
	if (h->end_ms == 0 || p->played_at >= h->end_ms) {
		if (heard_flush(h) == -1)
			return -1;
		sched_local_week(p->played_at / 1000, h->t->u.timezone,
		    &h->week, &start);
		sched_local_week(start + 8 * 86400, h->t->u.timezone, NULL,
		    &h->end_ms);
		h->end_ms *= 1000;
	}
	v = ids_list_view(&h->l);
	if (ids_find(&v, p->track_id) >= 0)
		return 0;	/* heard again: the list keeps first plays */
	if (ids_list_add(&h->l, p->track_id) == -1)
		return -1;
	h->any = 1;
	return 0;
}

static int
heard_last_week(const struct playlist_week *pw, void *arg)
{
	int32_t *week = arg;

	if (pw->how == PLAYLIST_HEARD) {
		*week = pw->week;
		return 1;
	}
	return 0;
}

/*
 * Rebuilds the weeks of tg from plays in its context, from the newest
 * week already reconstructed (which may have been partial) onwards.
 */
static int
dw_reconstruct(struct store_txn *txn, struct task *t, struct poll_target *tg)
{
	struct heard_ctx h;
	int32_t last = INT32_MIN;
	int64_t from_ms = 0;
	int rc;

	memset(&h, 0, sizeof(h));
	h.txn = txn;
	h.t = t;
	h.tg = tg;
	h.l = (struct ids_list)IDS_LIST_INIT;
	snprintf(h.uri, sizeof(h.uri), "spotify:playlist:%s", tg->id);
	if (store_iter_playlist_weeks(txn, t->u.id, tg->id, STORE_DESC,
	    heard_last_week, &last) == STORE_ERR)
		return -1;
	if (last != INT32_MIN)
		from_ms = ((int64_t)last - 1) * 86400 * 1000;
	rc = store_iter_plays(txn, t->u.id, from_ms, INT64_MAX, STORE_ASC,
	    heard_play, &h);
	if (rc != STORE_ERR)
		rc = heard_flush(&h) == -1 ? STORE_ERR : STORE_OK;
	ids_list_free(&h.l);
	return rc == STORE_ERR ? -1 : 0;
}

static int
dw_put_full(struct store_txn *txn, struct task *t, struct poll_target *tg,
    int *not_yet)
{
	struct playlist_week pw, prev;
	struct ids_list l = IDS_LIST_INIT;
	int32_t week;
	size_t j;
	int rc;

	sched_local_week(now_s(), t->u.timezone, &week, NULL);
	if (tg->is_dw && tg->snapshot_id[0] != '\0') {
		/* Spotify renews it on Monday; the old list is last week's. */
		rc = store_get_playlist_week(txn, t->u.id, tg->id, week - 7,
		    &prev);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK && prev.how == PLAYLIST_FULL &&
		    strcmp(prev.snapshot_id, tg->snapshot_id) == 0) {
			*not_yet = 1;
			return 0;
		}
	}
	if (ent_write(txn, &tg->items, NULL) == -1)
		return -1;
	for (j = 0; j < tg->items.n_ids; j++)
		if (ids_list_add(&l, tg->items.ids[j]) == -1) {
			ids_list_free(&l);
			return -1;
		}
	memset(&pw, 0, sizeof(pw));
	memcpy(pw.playlist_id, tg->id, ID_LEN + 1);
	pw.week = week;
	pw.name = tg->name;
	pw.snapshot_id = tg->snapshot_id[0] ? tg->snapshot_id :
	    tg->items.snapshot_id;
	pw.how = PLAYLIST_FULL;
	pw.obtained_at = now_s();
	pw.tracks = ids_list_view(&l);
	rc = store_put_playlist_week(txn, t->u.id, &pw);
	ids_list_free(&l);
	return rc == STORE_ERR ? -1 : 0;
}

static int
wr_dw(struct store_txn *txn, void *arg)
{
	struct wr_dw *w = arg;
	struct task *t = w->t;
	struct user cur;
	unsigned i;
	int rc;

	w->not_yet = 0;
	if ((rc = store_get_user(txn, t->u.id, &cur)) == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	for (i = 0; i < t->n_targets; i++) {
		if (t->targets[i].refused)
			rc = dw_reconstruct(txn, t, &t->targets[i]);
		else
			rc = dw_put_full(txn, t, &t->targets[i], &w->not_yet);
		if (rc == -1)
			return -1;
	}
	t->dw_not_yet = w->not_yet;
	task_apply_status(t, &cur, 1, NULL);
	return store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;
}

static int
dw_write(struct task *t)
{
	struct wr_dw w;

	memset(&w, 0, sizeof(w));
	w.t = t;
	return store_write(t->pl->st, wr_dw, &w) == STORE_OK ? 0 : -1;
}

/* ---- profile ------------------------------------------------------------- */

static void	profile_on_me(struct task *, enum spot_result, long,
		    const cJSON *);

static void
profile_start(struct task *t)
{
	task_get(t, profile_on_me, "/me");
}

static int
wr_profile(struct store_txn *txn, void *arg)
{
	struct task *t = arg;
	struct user cur;
	int rc;

	if ((rc = store_get_user(txn, t->u.id, &cur)) == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	memcpy(cur.display_name, t->me.display_name, sizeof(cur.display_name));
	memcpy(cur.country, t->me.country, sizeof(cur.country));
	memcpy(cur.product, t->me.product, sizeof(cur.product));
	memcpy(cur.image_url, t->me.image_url, sizeof(cur.image_url));
	task_apply_status(t, &cur, 1, NULL);
	return store_put_user(txn, &cur) == STORE_ERR ? -1 : 0;
}

static void
profile_on_me(struct task *t, enum spot_result r, long status,
    const cJSON *doc)
{
	if (r != SPOT_OK) {
		task_fail_req(t, "profile", r, status);
		return;
	}
	memset(&t->me, 0, sizeof(t->me));
	if (parse_me(doc, &t->me) == -1) {
		task_job_end(t, 0, "profile: unusable response");
		return;
	}
	if (strcmp(t->me.id, t->u.id) != 0) {
		task_job_end(t, 0, "profile: /me names another user");
		return;
	}
	if (store_write(t->pl->st, wr_profile, t) != STORE_OK) {
		task_job_end(t, 0, "profile: cannot write to the store");
		return;
	}
	task_job_end(t, 1, NULL);
}

/* ---- add-user ------------------------------------------------------------ */

struct add_ctx {
	int		 done;
	enum spot_result r;
	long		 status;
	struct parse_token tok;	/* secret */
	struct user	 me;
	int		 parsed;
	char		 error[128];
};

static void
add_on_token(struct spot_req *req, enum spot_result r, long status,
    const cJSON *doc, void *arg)
{
	struct add_ctx *c = arg;

	c->done = 1;
	c->r = r;
	c->status = status;
	c->parsed = parse_token(doc, &c->tok) == 0;
	(void)strlcpy(c->error, req->error, sizeof(c->error));
}

static void
add_on_me(struct spot_req *req, enum spot_result r, long status,
    const cJSON *doc, void *arg)
{
	struct add_ctx *c = arg;

	c->done = 1;
	c->r = r;
	c->status = status;
	c->parsed = r == SPOT_OK && parse_me(doc, &c->me) == 0;
	(void)strlcpy(c->error, req->error, sizeof(c->error));
}

struct wr_add {
	struct user	*u;
	int		 existed;
};

static int
wr_add(struct store_txn *txn, void *arg)
{
	struct wr_add *w = arg;
	struct user cur;
	int rc;

	rc = store_get_user(txn, w->u->id, &cur);
	if (rc == STORE_ERR)
		return -1;
	w->existed = rc == STORE_OK;
	if (w->existed) {
		memcpy(cur.access_token, w->u->access_token,
		    sizeof(cur.access_token));
		memcpy(cur.refresh_token, w->u->refresh_token,
		    sizeof(cur.refresh_token));
		cur.token_expires = w->u->token_expires;
		cur.authorized_at = w->u->authorized_at;
		cur.status = USER_ACTIVE;
		memcpy(cur.display_name, w->u->display_name,
		    sizeof(cur.display_name));
		memcpy(cur.country, w->u->country, sizeof(cur.country));
		memcpy(cur.product, w->u->product, sizeof(cur.product));
		memcpy(cur.image_url, w->u->image_url, sizeof(cur.image_url));
		cur.next_plays = cur.next_top = cur.next_dw =
		    cur.next_profile = 0;	/* collect at once */
		rc = store_put_user(txn, &cur);
		explicit_bzero(&cur, sizeof(cur));
	} else
		rc = store_put_user(txn, w->u);
	return rc == STORE_ERR ? -1 : 0;
}

static void
add_wait(struct spot *sp, struct add_ctx *c)
{
	while (!c->done)
		(void)spot_run(sp, 1000);
}

int
poll_add_user(const struct config *cfg, struct store *st, struct spot *sp,
    const char *refresh_token, char id_out[USER_ID_MAX + 1], char *err,
    size_t errsz)
{
	struct spot_req req;
	struct add_ctx c;
	struct wr_add w;
	struct user u;
	char esc[TOKEN_MAX * 3 + 1], form[TOKEN_MAX * 3 + 64];
	int rc = -1;

	(void)cfg;
	memset(&c, 0, sizeof(c));
	memset(&u, 0, sizeof(u));
	memset(&req, 0, sizeof(req));
	if (strlen(refresh_token) > TOKEN_MAX ||
	    oauth_form_escape(esc, sizeof(esc), refresh_token) == -1 ||
	    snprintf(form, sizeof(form),
	    "grant_type=refresh_token&refresh_token=%s", esc) >=
	    (int)sizeof(form)) {
		snprintf(err, errsz, "refresh token too long");
		goto out;
	}
	req.svc = SPOT_SVC_ACCOUNTS;
	(void)strlcpy(req.path, "/api/token", sizeof(req.path));
	req.form = form;
	req.basic_auth = 1;
	req.want_json = 1;
	req.done = add_on_token;
	req.arg = &c;
	spot_submit(sp, &req);
	add_wait(sp, &c);
	if (c.r != SPOT_OK || !c.parsed) {
		if (c.r == SPOT_HTTP)
			snprintf(err, errsz, "the token endpoint refused the "
			    "refresh token: HTTP %ld %s", c.status,
			    c.tok.error[0] ? c.tok.error : "");
		else
			snprintf(err, errsz, "token refresh %s: %s",
			    spot_result_name(c.r), c.error);
		goto out;
	}
	memcpy(u.access_token, c.tok.access_token, sizeof(u.access_token));
	if (strlcpy(u.refresh_token, c.tok.refresh_token[0] ?
	    c.tok.refresh_token : refresh_token, sizeof(u.refresh_token)) >=
	    sizeof(u.refresh_token)) {
		snprintf(err, errsz, "refresh token too long");
		goto out;
	}
	u.token_expires = now_s() + c.tok.expires_in;
	memset(&req, 0, sizeof(req));
	req.svc = SPOT_SVC_API;
	(void)strlcpy(req.path, "/me", sizeof(req.path));
	(void)strlcpy(req.bearer, u.access_token, sizeof(req.bearer));
	req.want_json = 1;
	req.done = add_on_me;
	req.arg = &c;
	c.done = 0;
	spot_submit(sp, &req);
	add_wait(sp, &c);
	if (c.r != SPOT_OK || !c.parsed) {
		snprintf(err, errsz, "/v1/me %s: %s", spot_result_name(c.r),
		    c.r == SPOT_OK ? "no valid user id" : c.error);
		goto out;
	}
	memcpy(u.id, c.me.id, sizeof(u.id));
	memcpy(u.display_name, c.me.display_name, sizeof(u.display_name));
	memcpy(u.country, c.me.country, sizeof(u.country));
	memcpy(u.product, c.me.product, sizeof(u.product));
	memcpy(u.image_url, c.me.image_url, sizeof(u.image_url));
	u.status = USER_ACTIVE;
	u.visibility = VIS_PRIVATE;
	u.created_at = u.authorized_at = now_s();
	memset(&w, 0, sizeof(w));
	w.u = &u;
	if (store_write(st, wr_add, &w) != STORE_OK) {
		snprintf(err, errsz, "cannot store the user");
		goto out;
	}
	memcpy(id_out, u.id, USER_ID_MAX + 1);
	rc = 0;
out:
	explicit_bzero(esc, sizeof(esc));
	explicit_bzero(form, sizeof(form));
	explicit_bzero(&c.tok, sizeof(c.tok));
	explicit_bzero(&u, sizeof(u));
	explicit_bzero(&req, sizeof(req));
	return rc;
}
