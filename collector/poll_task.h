/*
 * poll_task.h — what the poller's files share; private to collector/poll*.c
 * (callers use poll.h).
 *
 * The poller is split by concern:
 *   poll.c          the poller's life, the job sequence of a task, and the
 *                   bookkeeping a job leaves in the user record
 *   poll_request.c  a task's one request at a time, with token refresh
 *                   and the 401 rule
 *   poll_plays.c    the plays job: plays, cursor, gap and entities in one
 *                   transaction, then details within the sweep's budget
 *   poll_top.c      the top lists job and the profile job
 *   poll_dw.c       the Discover Weekly job (and archived playlists)
 *   poll_enrol.c    add-user, which enrols a user and is not a poll
 *
 * A task runs one job at a time, so the jobs' own state shares one union:
 * the poller zeroes it before a job starts and hands it to the job's free
 * function when the job ended or the task is dropped.
 *
 * Error convention: as poll.h, 0 / -1.
 */
#ifndef LN_POLL_TASK_H
#define LN_POLL_TASK_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "parse.h"
#include "poll.h"
#include "schema.h"
#include "spotify.h"

#define PAGE_LIMIT		50	/* recently-played, top, playlists */
#define TOP_N			(TOP_KIND__MAX * RANGE__MAX)

/* 1 once /artists?ids= answered 403: batch look-ups are never tried again. */
#define META_BATCH_REFUSED	"spotify.batch_refused"

struct config;
struct store;
struct store_txn;
struct task;

/* The handler of a task's API request: outcome, HTTP status, JSON body. */
typedef void (*task_fn)(struct task *, enum spotify_result, long,
    const cJSON *);

/* What a detail look-up asks for, in the order they are spent. */
enum poll_detail {
	DETAIL_ARTIST,		/* /artists/{id}: genres and images */
	DETAIL_ALBUM,		/* /albums/{id}: images */
	DETAIL_TRACK,		/* /tracks/{id}: album and artists (imported) */
	DETAIL__MAX
};

/* The plays job, with the detail look-ups that follow it. */
struct plays_state {
	struct parse_set set;
	int64_t		 start_cursor;
	int		 first_full;
	int		 reached;	/* an item at or before the cursor came */
	int		 dir;		/* 0 first page, -1 paging backward */
	unsigned	 pages;
	struct parse_set det;
	int		 det_kind;	/* enum poll_detail: what it looks up */
	int		 det_scanned;	/* the store was scanned for this user */
	size_t		 det_n;		/* ids the pending look-up covers */
	int		 det_batch;
};

/* The top job: the TOP_N lists, kind-major (i / RANGE__MAX is the kind). */
struct top_state {
	struct parse_set lists[TOP_N];
	unsigned	 i;		/* the list being read */
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

/* The dw job. */
struct dw_state {
	struct parse_playlist *pls;
	size_t		 n_pls;
	unsigned	 pl_pages;
	struct poll_target targets[1 + ARCHIVE_MAX];
	unsigned	 n_targets, target_i, item_pages;
	int		 not_yet;	/* DW not renewed yet: look again */
};

/* The profile job. */
struct profile_state {
	struct user	 me;
};

struct task {
	struct poller	*pl;
	struct user	 u;		/* as read at the start; tokens kept current */
	unsigned	 jobs;		/* jobs not yet finished, current included */
	enum poll_job	 job;
	int		 refreshed;	/* the 401 refresh was used */
	int		 auth_dead;	/* no usable token: skip remaining jobs */
	task_fn		 fn;		/* handler of the pending API request */
	char		 path[1400];	/* the pending API request */
	struct spotify_req req;
	char		 form[TOKEN_MAX * 3 + 64];	/* secret */
	union {				/* the current job's; see above */
		struct plays_state	plays;
		struct top_state	top;
		struct dw_state		dw;
		struct profile_state	profile;
	} state;
	struct task	*next;
};

struct poller {
	const struct config *cfg;
	struct store	*st;
	struct spotify	*sp;
	poll_report_fn	 report;
	void		*arg;
	struct task	*tasks;
	size_t		 n_tasks;
	long		 budget_left;
	/* Ids waiting for a look-up, per enum poll_detail. */
	char		(*pend[DETAIL__MAX])[ID_LEN + 1];
	size_t		 n_pend[DETAIL__MAX];
	int		 batch_refused;
	int		 batch_probing;	/* a batch is out, its answer unknown */
	int		 batch_works;	/* a batch was answered */
	uint64_t	 details_done;
};

/* ---- poll.c ------------------------------------------------------------- */

/* The collector's clock in Unix seconds. */
int64_t	poll_now_s(void);

/*
 * Ends the current job: on failure (ok 0, fmt the error for people)
 * records the error and the retry time in the user record; success was
 * recorded by the job's own write.  Reports, then starts the next job,
 * which may free t: the caller must not touch t afterwards.
 */
void	poll_job_end(struct task *t, int ok, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Starts the next job of t, or frees t when none is left. */
void	poll_next_job(struct task *t);
/* Quietly frees t (the engine is stopping); nothing is written. */
void	poll_abort_task(struct task *t);

/*
 * Sets the bookkeeping fields of t's current job into cur (last poll,
 * failures and last error, the job's next due time).  Cannot fail.
 */
void	poll_apply_status(struct task *t, struct user *cur, int ok,
	    const char *error);
/*
 * Gives cur an offset in the polling interval when it never had one (the
 * k-th user scheduled gets sched_offset(k)).  Inside a write transaction.
 * Returns 0 or -1.
 */
int	poll_assign_offset(struct store_txn *txn, struct user *cur,
	    int32_t interval);
/*
 * Reads t's user again inside a write transaction and runs fn(txn, cur,
 * arg) on that copy, so that a job changes only its own fields of the
 * record as it is now; then wipes the copy, which holds the tokens.
 * Returns fn's result, 0 when the user was deleted meanwhile (write
 * nothing, succeed), or -1.
 */
int	poll_with_user(struct store_txn *txn, const struct task *t,
	    int (*fn)(struct store_txn *, struct user *, void *), void *arg);
/*
 * poll_with_user() in a write transaction of its own: the whole write of
 * a job that changes only t's user record.  Returns 0, or -1 when fn
 * failed or the store refused (nothing was written).
 */
int	poll_write_user(struct task *t,
	    int (*fn)(struct store_txn *, struct user *, void *), void *arg);
/*
 * Records a failure of t's current job in its own write transaction
 * (error a line for people; reauth 1 also marks the user USER_REAUTH).
 * Returns 0, or -1 when the store refused.
 */
int	poll_record_failure(struct task *t, const char *error, int reauth);

/* ---- poll_request.c ----------------------------------------------------- */

/*
 * Issues GET path (printf-style) on the Web API for t, refreshing the
 * access token first when it ends soon, and once more on a 401; fn gets
 * the outcome (a token that cannot be had ends the job instead).
 */
void	poll_request_get(struct task *t, task_fn fn, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Ends t's job with a line saying how the request for what failed. */
void	poll_request_fail(struct task *t, const char *what,
	    enum spotify_result r, long status);

/* ---- the jobs: start (state zeroed), free (state released) -------------- */

void	poll_plays_start(struct task *t);
void	poll_plays_free(struct task *t);
/*
 * Writes the tracks, albums and artists of set (an artist already stored
 * is replaced only by a detailed copy).  Inside a write transaction.
 * Returns 0 or -1.
 */
int	poll_plays_put_entities(struct store_txn *txn, struct parse_set *set);

void	poll_top_start(struct task *t);
void	poll_top_free(struct task *t);
void	poll_top_start_profile(struct task *t);

void	poll_dw_start(struct task *t);
void	poll_dw_free(struct task *t);

#endif
