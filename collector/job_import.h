/*
 * job_import.h — the daemon's import job: runs the uploads of Spotify's
 * history the reader queued, and their undos (job_import.c).
 *
 * Error convention: job_import_new() returns NULL when memory ran out;
 * the rest cannot fail (failures are logged and retried later).
 */
#ifndef LN_JOB_IMPORT_H
#define LN_JOB_IMPORT_H

#include <stdint.h>

struct config;
struct store;
struct job_import;

/*
 * Makes the job for the store in cfg's db_path (creating db_path/spool
 * and its incoming/, mode 0750, when absent).  st stays the caller's.
 */
struct job_import *job_import_new(const struct config *cfg, struct store *st);
/*
 * One turn, never blocking: reaps the runs that ended (deleting the
 * spool files of jobs that ended), starts queued, interrupted and undoing
 * jobs up to import_jobs at once and one per user, and sweeps the spool
 * now and then.  cfg is the current configuration (import_jobs).
 */
void	job_import_tick(struct job_import *, const struct config *cfg,
	    int64_t now_ms);
/*
 * How long the daemon may wait before the next turn (ms), and in *fd a
 * descriptor whose readability should end the wait early (-1: none): the
 * store's data file was written, a new job may be there.
 */
int	job_import_wait(const struct job_import *, int64_t now_ms, int *fd);
/* Stops the runs in progress (they resume when the daemon is back). */
void	job_import_free(struct job_import *);

#endif
