/*
 * lib_exportfile.c — unit tests of the export files' records
 * (lib/exportfile.c).
 *
 * They prove that file names go both ways and refuse what is not one (a
 * build's temporary file, a bad user or format); that a file is fresh
 * exactly when built from the same stamp or less than the interval ago;
 * that the stamp moves with the plays, the last poll and the settings;
 * that build records read back and are deleted; and that the exports
 * asked for are kept once each, at most EXPORTFILE_WANTS_MAX (the oldest
 * going), and taken all at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "exportfile.h"
#include "testutil.h"

TU_FX_SETUP(setup, "lib_exportfile_test")

static void
test_names(void **state)
{
	struct exportfile_want w;
	char name[EXPORTFILE_NAME_MAX], dir[64];

	(void)state;
	assert_int_equal(exportfile_name("alice", EXPORT_CSV, name,
	    sizeof(name)), 0);
	assert_string_equal(name, "alice.csv");
	assert_int_equal(exportfile_name("carol.x-1_", EXPORT_JSON, name,
	    sizeof(name)), 0);
	assert_string_equal(name, "carol.x-1_.json");
	assert_int_equal(exportfile_parse_name(name, &w), 0);
	assert_string_equal(w.user, "carol.x-1_");
	assert_int_equal(w.fmt, EXPORT_JSON);
	assert_int_equal(exportfile_parse_name("alice.sql", &w), 0);
	assert_int_equal(w.fmt, EXPORT_SQL);
	assert_int_equal(exportfile_parse_name("alice.csv.Ab12Cd", &w), -1);
	assert_int_equal(exportfile_parse_name("alice.txt", &w), -1);
	assert_int_equal(exportfile_parse_name(".csv", &w), -1);
	assert_int_equal(exportfile_parse_name("al/ce.csv", &w), -1);
	assert_int_equal(exportfile_name("a/b", EXPORT_CSV, name,
	    sizeof(name)), -1);
	assert_int_equal(exportfile_name("alice", EXPORT__MAX, name,
	    sizeof(name)), -1);
	assert_int_equal(exportfile_dir("/var/db", dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/var/db/exports");
	assert_int_equal(exportfile_dir("/var/db", dir, 8), -1);
}

static void
test_fresh_and_stamp(void **state)
{
	struct exportfile_built b = { 1000, 42 };
	struct user u;
	uint64_t s;

	(void)state;
	assert_true(exportfile_fresh(&b, 42, 999999, 60));
	assert_true(exportfile_fresh(&b, 43, 1059, 60));
	assert_false(exportfile_fresh(&b, 43, 1060, 60));
	assert_false(exportfile_fresh(&b, 43, 999, 60));	/* clock back */
	memset(&u, 0, sizeof(u));
	strlcpy(u.id, "alice", sizeof(u.id));
	s = exportfile_stamp(&u);
	assert_true(s == exportfile_stamp(&u));
	u.n_plays = 1;
	assert_true(s != exportfile_stamp(&u));
	s = exportfile_stamp(&u);
	u.last_ok_poll = 5;
	assert_true(s != exportfile_stamp(&u));
	s = exportfile_stamp(&u);
	u.visibility = VIS_PUBLIC;
	assert_true(s != exportfile_stamp(&u));
	s = exportfile_stamp(&u);
	strlcpy(u.timezone, "Europe/Berlin", sizeof(u.timezone));
	assert_true(s != exportfile_stamp(&u));
}

static int
built_fn(struct store_txn *txn, void *arg)
{
	struct exportfile_built b = { 1700000000, 0x1122334455667788ULL }, r;

	(void)arg;
	assert_int_equal(exportfile_get_built(txn, "alice", EXPORT_CSV, &r),
	    1);
	assert_int_equal(exportfile_put_built(txn, "alice", EXPORT_CSV, &b),
	    0);
	assert_int_equal(exportfile_get_built(txn, "alice", EXPORT_CSV, &r),
	    0);
	assert_int_equal(r.built_at, b.built_at);
	assert_true(r.stamp == b.stamp);
	assert_int_equal(exportfile_get_built(txn, "alice", EXPORT_SQL, &r),
	    1);
	assert_int_equal(exportfile_del_built(txn, "alice", EXPORT_CSV), 0);
	assert_int_equal(exportfile_del_built(txn, "alice", EXPORT_CSV), 0);
	assert_int_equal(exportfile_get_built(txn, "alice", EXPORT_CSV, &r),
	    1);
	return 0;
}

TU_WRITE_TEST(test_built, built_fn)

static int
wants_fn(struct store_txn *txn, void *arg)
{
	struct exportfile_want w[EXPORTFILE_WANTS_MAX];
	char user[32];
	size_t n;
	int i;

	(void)arg;
	assert_int_equal(exportfile_take_wants(txn, w, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(exportfile_want(txn, "alice", EXPORT_CSV), 0);
	assert_int_equal(exportfile_want(txn, "alice", EXPORT_CSV), 0);
	assert_int_equal(exportfile_want(txn, "alice", EXPORT_SQL), 0);
	assert_int_equal(exportfile_want(txn, "a/b", EXPORT_SQL), -1);
	assert_int_equal(exportfile_take_wants(txn, w, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(w[0].user, "alice");
	assert_int_equal(w[0].fmt, EXPORT_CSV);
	assert_int_equal(w[1].fmt, EXPORT_SQL);
	assert_int_equal(exportfile_take_wants(txn, w, &n), 0);
	assert_int_equal(n, 0);
	/* One more than fits: the oldest goes. */
	for (i = 0; i <= EXPORTFILE_WANTS_MAX; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		assert_int_equal(exportfile_want(txn, user, EXPORT_JSON), 0);
	}
	assert_int_equal(exportfile_take_wants(txn, w, &n), 0);
	assert_int_equal(n, EXPORTFILE_WANTS_MAX);
	assert_string_equal(w[0].user, "user1");
	snprintf(user, sizeof(user), "user%d", EXPORTFILE_WANTS_MAX);
	assert_string_equal(w[n - 1].user, user);
	return 0;
}

TU_WRITE_TEST(test_wants, wants_fn)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_fresh_and_stamp),
		cmocka_unit_test_setup_teardown(test_built, setup,
		    tu_fx_teardown),
		cmocka_unit_test_setup_teardown(test_wants, setup,
		    tu_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
