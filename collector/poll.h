/*
 * poll.h — the collector's jobs: what one user's poll fetches and writes.
 *
 * A task is one user's due jobs, run one request at a time (a user's
 * token may rotate, so a user never has two requests in flight) while
 * many users' tasks run side by side on the shared engine (spotify.h).
 * Jobs, in the order a task runs them:
 *   plays    recently-played after the stored cursor; one write
 *            transaction for plays + cursor + entities + status + gap;
 *            then lazy details of new artists/albums within the budget
 *   top      3 ranges x tracks and artists; a snapshot only when the
 *            list changed, otherwise the newest one is confirmed
 *   dw       Discover Weekly (and the user's archive[] playlists): the
 *            full list where the API allows, else the weeks reconstructed
 *            from plays in the playlist's context (PLAYLIST_HEARD)
 *   profile  /me: display name, country, product, image
 * Tokens: a request refreshes first when the access token ends within
 * 120 s; a 401 refreshes once and retries; invalid_grant marks the user
 * USER_REAUTH (data kept, no more polls until they authorize again).
 * Because the access token's end is measured on our clock while Spotify
 * (or the simulator's virtual clock) decides, the 401 path is what
 * actually guards against a token that ended early.
 *
 * Every request's JSON is parsed completely and validated before anything
 * is written; a job writes in one store_write() or not at all.  Each job
 * also writes the user's schedule (next_* times), last_poll, failures and
 * last_error, so `users` shows what the collector is doing.
 *
 * The poller lives in collector/poll.c and one file per job beside it
 * (poll_task.h, their private header, says which does what); add-user,
 * which is not a poll, in poll_enrol.c.
 *
 * Error convention: 0 / -1.  Outcomes of jobs are reported through the
 * poll_report callback, one call per job.
 */
#ifndef LN_POLL_H
#define LN_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

struct config;
struct spotify;
struct store;
struct poller;

enum poll_job {
	JOB_PLAYS,
	JOB_TOP,
	JOB_DW,
	JOB_PROFILE,
	JOB__MAX
};

#define JOB_BIT(j)	(1u << (j))
#define JOB_ALL		((1u << JOB__MAX) - 1)

/* A job's name ("plays", ...) and the job of a name (-1 when none). */
const char	*poll_job_name(enum poll_job);
int		 poll_job_parse(const char *name);

/*
 * Called once per job of a task when it ended: ok is 1 or 0, error a line
 * for people (never a secret) when ok is 0.  The same callback is told
 * JOB__MAX with ok 0 when the task could not start at all (no such user,
 * needs re-authorization).
 */
typedef void (*poll_report_fn)(const char *user, enum poll_job job, int ok,
    const char *error, void *arg);

/*
 * Creates a poller over the engine and the store (both borrowed; they must
 * outlive it).  cfg is read again by poll_reconfigure().  Returns NULL when
 * memory ran out.
 */
struct poller	*poll_new(const struct config *cfg, struct store *st,
		    struct spotify *sp, poll_report_fn report, void *arg);
void		 poll_reconfigure(struct poller *, const struct config *cfg);
/* Frees the poller; tasks still running are abandoned without writing. */
void		 poll_free(struct poller *);

/*
 * Starts a task running jobs (JOB_BIT mask) for user id.  Returns 0 when
 * it started, 1 when that user's task is already running, -1 when the
 * user is unknown or not active (reported through the callback).
 */
int		 poll_start(struct poller *, const char *id, unsigned jobs);
/* Tasks running. */
size_t		 poll_running(const struct poller *);
/* Whether a task of user id is running. */
int		 poll_busy(const struct poller *, const char *id);
/* Gives the detail look-ups a new budget (the start of a sweep). */
void		 poll_reset_budget(struct poller *);
/* Detail look-ups done since the poller was created. */
uint64_t	 poll_details_done(const struct poller *);

/*
 * Adds a user from a refresh token: refreshes it, reads /v1/me, stores the
 * user (a new one, or tokens and profile of a known one made active
 * again) and copies the id into id_out.  Runs the engine until done.
 * Returns 0, or -1 with a line for people in err.
 */
int		 poll_enrol_user(const struct config *cfg, struct store *st,
		    struct spotify *sp, const char *refresh_token,
		    char id_out[USER_ID_MAX + 1], char *err, size_t errsz);

#endif
