/*
 * collector_import_job.c — unit tests of an upload's job record as the
 * import command runs it (collector/import_job.c).
 *
 * They prove that a run that never ended (a collector killed mid-import)
 * is started again at most IMPORT_JOB_ATTEMPTS times, each resuming after
 * the files already committed, and that the next start fails the job with
 * a reason in plain words instead of trying forever; and that a job that
 * has ended, or is being undone, is never imported again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../collector/import_job.h"
#include "store.h"
#include "testutil.h"

TU_FX_SETUP(setup, "collector_import_job_test")

struct put {
	uint8_t		 status;
	uint32_t	 files_done;
};

static int
put_job(struct store_txn *t, void *arg)
{
	const struct put *p = arg;
	struct import_job *j;
	int rc;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	strlcpy(j->user, "alice", sizeof(j->user));
	j->id = 1;
	j->status = p->status;
	j->media = IMPORT_MEDIA_ZIP;
	j->created_at = 1700000000000LL;
	j->updated_at = j->created_at;
	strlcpy(j->file_name, "my_spotify_data.zip", sizeof(j->file_name));
	j->files_done = p->files_done;
	j->undo_cursor = INT64_MIN;
	rc = store_put_import(t, j) == STORE_OK ? 0 : -1;
	free(j);
	return rc;
}

static int
get_job(struct store_txn *t, void *arg)
{
	return store_get_import(t, "alice", 1, arg) == STORE_OK ? 0 : -1;
}

static void
test_attempts_then_failed(void **state)
{
	struct tu_fx *fx = *state;
	struct put p = { IMPORT_QUEUED, 2 };
	struct import_job *j;
	uint32_t done, i;

	assert_non_null(j = calloc(1, sizeof(*j)));
	assert_int_equal(store_write(fx->st, put_job, &p), STORE_OK);
	/* Each start is a run the collector may be killed in. */
	for (i = 1; i <= IMPORT_JOB_ATTEMPTS; i++) {
		done = 99;
		assert_int_equal(import_job_begin(fx->st, "alice", 1, 5,
		    &done), 0);
		assert_int_equal(done, 2);	/* resumes after file 2 */
		assert_int_equal(store_read(fx->st, get_job, j), STORE_OK);
		assert_int_equal(j->status, IMPORT_IMPORTING);
		assert_int_equal(j->attempts, i);
		assert_int_equal(j->files_total, 5);
	}
	/* The next start gives up, and says why. */
	assert_int_equal(import_job_begin(fx->st, "alice", 1, 5, &done), 1);
	assert_int_equal(store_read(fx->st, get_job, j), STORE_OK);
	assert_int_equal(j->status, IMPORT_FAILED);
	assert_int_equal(j->attempts, IMPORT_JOB_ATTEMPTS);
	assert_non_null(strstr(j->reason, "stopped unexpectedly"));
	assert_true(import_job_ended(j->status));
	/* A failed job stays failed. */
	assert_int_equal(import_job_begin(fx->st, "alice", 1, 5, &done), 1);
	assert_int_equal(store_read(fx->st, get_job, j), STORE_OK);
	assert_int_equal(j->status, IMPORT_FAILED);
	free(j);
}

static void
test_ended_jobs_not_run(void **state)
{
	struct tu_fx *fx = *state;
	const uint8_t other[] = { IMPORT_DONE, IMPORT_UNDONE, IMPORT_UNDOING };
	struct import_job *j;
	uint32_t done;
	size_t i;

	assert_non_null(j = calloc(1, sizeof(*j)));
	for (i = 0; i < sizeof(other); i++) {
		struct put p = { other[i], 3 };

		assert_int_equal(store_write(fx->st, put_job, &p), STORE_OK);
		assert_int_equal(import_job_begin(fx->st, "alice", 1, 3,
		    &done), 1);
		assert_int_equal(store_read(fx->st, get_job, j), STORE_OK);
		assert_int_equal(j->status, other[i]);
		assert_int_equal(j->attempts, 0);
	}
	/* A job that is not there is not run either. */
	assert_int_equal(import_job_begin(fx->st, "alice", 2, 3, &done), 1);
	free(j);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_attempts_then_failed, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_ended_jobs_not_run, setup,
	    tu_fx_teardown),
)
