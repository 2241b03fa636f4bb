/*
 * import_job.c — the job record of an upload's import and its undo
 * (import_job.h).  import.c calls these when it runs with --job: at the
 * start (resume point, attempts), with each file's transaction (its
 * outcome and counters) and at the end; --undo runs import_job_undo().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_job.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"

#define UNDO_BATCH	40000	/* plays removed per transaction */

int
import_job_spool_dir(const char *db_path, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", db_path, IMPORT_SPOOL_DIR);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
import_job_spool_path(const char *db_path, const char *user, uint32_t id,
    char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s/%s.%u", db_path, IMPORT_SPOOL_DIR,
	    user, id);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
import_job_ended(int status)
{
	return status == IMPORT_DONE || status == IMPORT_FAILED ||
	    status == IMPORT_UNDONE;
}

/* A job read, changed by fn and written back in one transaction. */
struct job_edit {
	const char	*user;
	uint32_t	 id;
	int		 (*fn)(struct import_job *, struct job_edit *);
	size_t		 n_files;
	const char	*reason;
	const struct import_job_file *file;
	uint64_t	 removed;
	int64_t		 cursor;
	int		 finished;
	int		 result;	/* fn's answer to its caller */
	uint32_t	 files_done;
	struct import_job *j;		/* the caller's room */
};

static int
job_edit_fn(struct store_txn *txn, void *arg)
{
	struct job_edit *e = arg;
	int rc;

	rc = store_get_import(txn, e->user, e->id, e->j);
	if (rc == STORE_NOTFOUND) {
		e->result = 1;
		return 0;
	}
	if (rc != STORE_OK)
		return -1;
	if ((rc = e->fn(e->j, e)) == -1)
		return -1;
	if (rc == 1)
		return 0;	/* nothing to write */
	e->j->updated_at = time_now_ms();
	return store_put_import(txn, e->j) == STORE_OK ? 0 : -1;
}

/* Runs fn on job id of user in one transaction; e holds fn's inputs. */
static int
job_edit(struct store *st, const char *user, uint32_t id,
    int (*fn)(struct import_job *, struct job_edit *), struct job_edit *e)
{
	int rc;

	e->user = user;
	e->id = id;
	e->fn = fn;
	if ((e->j = malloc(sizeof(*e->j))) == NULL)
		return -1;
	rc = store_write(st, job_edit_fn, e);
	free(e->j);
	e->j = NULL;
	return rc == STORE_OK ? 0 : -1;
}

static int
begin_fn(struct import_job *j, struct job_edit *e)
{
	if (j->status != IMPORT_QUEUED && j->status != IMPORT_IMPORTING) {
		e->result = 1;
		return 1;
	}
	if (j->attempts >= IMPORT_JOB_ATTEMPTS) {
		j->status = IMPORT_FAILED;
		snprintf(j->reason, sizeof(j->reason), "the import stopped "
		    "unexpectedly %u times; nothing more was tried",
		    j->attempts);
		e->result = 1;
		return 0;
	}
	j->attempts++;
	j->status = IMPORT_IMPORTING;
	j->files_total = (uint32_t)e->n_files;
	e->files_done = j->files_done;
	e->result = 0;
	return 0;
}

int
import_job_begin(struct store *st, const char *user, uint32_t id,
    size_t n_files, uint32_t *files_done)
{
	struct job_edit e;

	memset(&e, 0, sizeof(e));
	e.n_files = n_files;
	if (job_edit(st, user, id, begin_fn, &e) == -1)
		return -1;
	*files_done = e.files_done;
	return e.result;
}

int
import_job_add_file(struct store_txn *txn, const char *user, uint32_t id,
    const struct import_job_file *f)
{
	struct import_job *j;
	struct import_file *r;
	int rc = -1;

	if ((j = malloc(sizeof(*j))) == NULL)
		return -1;
	if (store_get_import(txn, user, id, j) != STORE_OK)
		goto free_j;
	j->files_done++;
	j->records += f->records;
	j->added += f->added;
	j->duplicates += f->duplicates;
	j->skipped_podcast += f->skipped[SKIP_PODCAST];
	j->skipped_audiobook += f->skipped[SKIP_AUDIOBOOK];
	j->skipped_other += f->skipped[SKIP_VIDEO] + f->skipped[SKIP_INCOGNITO] +
	    f->skipped[SKIP_SHORT] + f->skipped[SKIP_NO_TRACK];
	if (!f->ok)
		j->files_failed++;
	if (j->n_files < IMPORT_FILES_MAX) {
		r = &j->files[j->n_files++];
		memset(r, 0, sizeof(*r));
		(void)strlcpy(r->name, f->name, sizeof(r->name));
		r->ok = f->ok != 0;
		r->records = f->records;
		r->added = f->added;
		r->duplicates = f->duplicates;
		r->skipped = f->skipped[SKIP_VIDEO] + f->skipped[SKIP_PODCAST] +
		    f->skipped[SKIP_AUDIOBOOK] + f->skipped[SKIP_INCOGNITO] +
		    f->skipped[SKIP_SHORT] + f->skipped[SKIP_NO_TRACK];
		if (f->error != NULL)
			(void)strlcpy(r->error, f->error, sizeof(r->error));
	}
	j->updated_at = time_now_ms();
	rc = store_put_import(txn, j) == STORE_OK ? 0 : -1;
free_j:
	free(j);
	return rc;
}

static int
end_fn(struct import_job *j, struct job_edit *e)
{
	size_t i;

	if (j->status != IMPORT_IMPORTING && j->status != IMPORT_QUEUED)
		return 1;
	if (e->reason != NULL) {
		j->status = IMPORT_FAILED;
		(void)strlcpy(j->reason, e->reason, sizeof(j->reason));
		return 0;
	}
	if (j->files_done > 0 && j->files_failed == j->files_done) {
		j->status = IMPORT_FAILED;
		for (i = 0; i < j->n_files; i++)
			if (!j->files[i].ok) {
				snprintf(j->reason, sizeof(j->reason), "%s: %s",
				    j->files[i].name, j->files[i].error);
				break;
			}
		return 0;
	}
	j->status = IMPORT_DONE;
	return 0;
}

int
import_job_end(struct store *st, const char *user, uint32_t id,
    const char *reason)
{
	struct job_edit e;

	memset(&e, 0, sizeof(e));
	e.reason = reason;
	return job_edit(st, user, id, end_fn, &e);
}

/* One step: removes a batch and records it with the job. */
static int
undo_step_fn(struct store_txn *txn, void *arg)
{
	struct job_edit *e = arg;
	struct import_job *j = e->j;
	struct user *u;
	int rc;

	if ((rc = store_get_import(txn, e->user, e->id, j)) != STORE_OK)
		return rc == STORE_NOTFOUND ? (e->finished = 1, 0) : -1;
	if (j->status != IMPORT_UNDOING) {
		e->finished = 1;
		return 0;
	}
	e->cursor = j->undo_cursor;
	if (store_undo_import(txn, e->user, e->id, &e->cursor, UNDO_BATCH,
	    &e->removed, &e->finished) != STORE_OK)
		return -1;
	if (e->removed > 0) {
		/* struct user carries tokens: off the stack, wiped after. */
		if ((u = calloc(1, sizeof(*u))) == NULL)
			return -1;
		rc = store_get_user(txn, e->user, u);
		if (rc == STORE_OK) {
			u->n_plays = u->n_plays > e->removed ?
			    u->n_plays - e->removed : 0;
			rc = store_put_user(txn, u);
		}
		explicit_bzero(u, sizeof(*u));
		free(u);
		if (rc == STORE_ERR)
			return -1;
	}
	j->removed += e->removed;
	j->undo_cursor = e->cursor;
	if (e->finished)
		j->status = IMPORT_UNDONE;
	j->updated_at = time_now_ms();
	return store_put_import(txn, j) == STORE_OK ? 0 : -1;
}

int
import_job_undo(struct store *st, const char *user, uint32_t id)
{
	struct job_edit e;
	int rc = 0;

	memset(&e, 0, sizeof(e));
	e.user = user;
	e.id = id;
	if ((e.j = malloc(sizeof(*e.j))) == NULL)
		return -1;
	while (!e.finished) {
		if (store_write(st, undo_step_fn, &e) != STORE_OK) {
			rc = -1;
			break;
		}
		(void)store_release_pages(st);
	}
	free(e.j);
	return rc;
}
