/*
 * import_job.h — an upload's import as a job the journal keeps: what the
 * `import --job` command (import.c) records as it goes, and the undo.
 *
 * The reader records a job (fcgi/api_imports.c) and moves the upload into
 * the spool, db_path/spool/<user>.<id>; the daemon (job_import.c) runs
 * `import --user U --job ID` (or `--undo`) for it as a child process.
 * Each file's plays, their marks and the job's progress are written in
 * one transaction, so a run killed at any moment resumes after the last
 * file it committed, nothing duplicated.
 *
 * Error convention: 0 / -1, with a message for people in err where given.
 */
#ifndef LN_IMPORT_JOB_H
#define LN_IMPORT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "import.h"
#include "schema.h"

struct store;
struct store_txn;

#define IMPORT_JOB_ATTEMPTS	3	/* runs of a job before it fails */
#define IMPORT_SPOOL_DIR	"spool"	/* under db_path */
#define IMPORT_ENTRIES_MAX	1000	/* entries of an uploaded archive */
#define IMPORT_RATIO_MAX	200	/* declared inflation of an entry */
#define IMPORT_RATIO_FLOOR	((uint64_t)1 << 20)	/* bytes it applies from */

/* What became of one file of a job, for its record. */
struct import_job_file {
	const char	*name;		/* escaped label */
	int		 ok;
	uint64_t	 records, added, duplicates;
	uint64_t	 skipped[SKIP__MAX];
	const char	*error;		/* NULL when ok */
};

/* db_path/spool into out (0 / -1). */
int	import_job_spool_dir(const char *db_path, char *out, size_t outsz);
/* db_path/spool/<user>.<id> into out (0 / -1). */
int	import_job_spool_path(const char *db_path, const char *user,
	    uint32_t id, char *out, size_t outsz);
/* Whether a job of this status has ended (its spool file may go). */
int	import_job_ended(int status);

/*
 * Starts (or resumes) job id of user: status importing, one more
 * attempt, files_total = n_files.  *files_done receives how many files an
 * earlier run committed (the run skips them).  Returns 0; 1 when the job
 * is not to be run (gone, ended, or out of attempts: then failed); -1.
 */
int	import_job_begin(struct store *, const char *user, uint32_t id,
	    size_t n_files, uint32_t *files_done);
/*
 * Adds one file's outcome to the job inside the caller's transaction (the
 * one that wrote the file's plays).  Returns 0 or -1.
 */
int	import_job_add_file(struct store_txn *, const char *user, uint32_t id,
	    const struct import_job_file *f);
/*
 * Ends the job: failed with reason when reason is not NULL, else done
 * (failed with the first file's error when every file failed).
 * Returns 0 or -1.
 */
int	import_job_end(struct store *, const char *user, uint32_t id,
	    const char *reason);
/*
 * Runs the undo of job id of user to the end, a bounded transaction at a
 * time, its progress in the job (status undoing, removed, undo_cursor),
 * then undone.  Returns 0 or -1 (the job stays undoing and a later run
 * goes on from its cursor).
 */
int	import_job_undo(struct store *, const char *user, uint32_t id);

#endif
