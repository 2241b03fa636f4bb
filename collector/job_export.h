/*
 * job_export.h — the daemon's export job: builds the export files the
 * reader answers with (lib/exportfile.h).
 *
 * Error convention: job_export_new() returns NULL when memory ran out;
 * the rest cannot fail (failures are logged and retried later).
 */
#ifndef LN_JOB_EXPORT_H
#define LN_JOB_EXPORT_H

#include <stdint.h>

struct config;
struct store;
struct job_export;

/*
 * Makes the job for the store in cfg's db_path (creating db_path/exports,
 * mode 0750, when absent).  st stays the caller's.
 */
struct job_export *job_export_new(const struct config *cfg, struct store *st);
/*
 * One turn, at most every loop turn of the daemon, never blocking: reaps
 * a build that ended and records it, takes the exports asked for, sweeps
 * the folder now and then (stale files queued for a rebuild, files of
 * users that no longer exist removed), and starts the next build.  cfg
 * is the current configuration (export_interval).
 */
void	job_export_tick(struct job_export *, const struct config *cfg,
	    int64_t now_ms);
/*
 * Stops a build in progress (the file it was writing stays under its
 * temporary name, which a later sweep removes) and frees.
 */
void	job_export_free(struct job_export *);

#endif
