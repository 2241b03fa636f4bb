/*
 * lib_sessions.c — unit tests of the store's sessions database
 * (lib/store.c, store_*_session), over a real LMDB environment.
 *
 * They prove: a session is found only under its own user and hash (the
 * user prefix of "bob" does not reach "bobby"'s); put replaces; delete
 * removes one; iteration per user and over everyone; the expiry sweep
 * removes exactly the sessions whose end has come, and at most max of
 * them; store_purge_user() removes a user's sessions and counts them
 * among the records that went, leaving other users' alone; user ids of a bad
 * length are STORE_ERR on put and STORE_NOTFOUND on get; and a session survives
 * closing and reopening the store (the database is created by a writable
 * open and read by a read-only one).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "schema.h"
#include "store.h"
#include "testutil.h"

TU_FX_SETUP(setup, "lib_sessions_test")

static struct session
mk(const char *user, int tag, int64_t created, int64_t expires)
{
	struct session s;

	memset(&s, 0, sizeof(s));
	strlcpy(s.user, user, sizeof(s.user));
	memset(s.hash, tag, sizeof(s.hash));
	s.hash[31] = (unsigned char)(tag * 3);
	s.created_at = created;
	s.expires_at = expires;
	return s;
}

/* The sessions every test starts from (created at 10). */
static const struct {
	const char	*user;
	int		 tag;
	int64_t		 expires;
} seed[] = {
	{ "bob", 1, 1000 }, { "bob", 2, 2000 }, { "bobby", 1, 3000 },
	{ "alice", 9, 500 }, { "alice", 8, 5000 },
};
#define SEED_N	(sizeof(seed) / sizeof(seed[0]))

static int
put_seed(struct store_txn *t, void *arg)
{
	struct session s;
	size_t i;

	(void)arg;
	for (i = 0; i < SEED_N; i++) {
		s = mk(seed[i].user, seed[i].tag, 10, seed[i].expires);
		if (store_put_session(t, &s) != STORE_OK)
			return -1;
	}
	return 0;
}

struct collect {
	struct session	 s[16];
	int		 n;
};

static int
collect_fn(const struct session *s, void *arg)
{
	struct collect *c = arg;

	if (c->n < 16)
		c->s[c->n++] = *s;
	return 0;
}

/* The sweep of expire(): its now and max, and how many went (n). */
struct sweep {
	int64_t		 now;
	uint64_t	 max, n;
};

static int
sweep_fn(struct store_txn *t, void *arg)
{
	struct sweep *w = arg;

	return store_expire_sessions(t, w->now, w->max, &w->n) == STORE_OK ?
	    0 : -1;
}

/*
 * Expires in st, in a write of its own, at most max of the sessions ended
 * by now.  Returns how many went.
 */
static uint64_t
expire(struct store *st, int64_t now, uint64_t max)
{
	struct sweep w = { now, max, 0 };

	assert_int_equal(store_write(st, sweep_fn, &w), STORE_OK);
	return w.n;
}

/* Deletes bob's session 2 (mk()), asserting the delete said *arg. */
static int
del_bob2(struct store_txn *t, void *arg)
{
	struct session s = mk("bob", 2, 0, 0);

	assert_int_equal(store_del_session(t, s.user, s.hash), *(int *)arg);
	return 0;
}

/* How many sessions user (NULL: everyone) has in st. */
static int
count(struct store *st, const char *user)
{
	struct collect c;
	struct store_txn *rd;

	c.n = 0;
	assert_non_null(rd = tu_read(st));
	assert_int_equal(store_iter_sessions(rd, user, collect_fn, &c),
	    STORE_OK);
	tu_read_done(rd);
	return c.n;
}

/*
 * Looks up user's session of tag (mk()) in st; *out (when not NULL) gets
 * it when found.  Returns what store_get_session() said.
 */
static int
lookup(struct store *st, const char *user, int tag, struct session *out)
{
	struct session want = mk(user, tag, 0, 0), got;
	struct store_txn *rd;
	int rc;

	assert_non_null(rd = tu_read(st));
	rc = store_get_session(rd, want.user, want.hash, &got);
	tu_read_done(rd);
	if (rc == STORE_OK) {
		assert_string_equal(got.user, want.user);
		assert_memory_equal(got.hash, want.hash, SESSION_HASH_LEN);
		if (out != NULL)
			*out = got;
	}
	return rc;
}

static void
test_put_get_del(void **state)
{
	struct tu_fx *fx = *state;
	struct session s;
	int want;

	assert_int_equal(store_write(fx->st, put_seed, NULL), STORE_OK);
	assert_int_equal(lookup(fx->st, "bob", 2, &s), STORE_OK);
	assert_int_equal(s.created_at, 10);
	assert_int_equal(s.expires_at, 2000);
	/* bob's hash under bobby, and an unknown hash: nothing. */
	assert_int_equal(lookup(fx->st, "bobby", 2, NULL), STORE_NOTFOUND);
	assert_int_equal(lookup(fx->st, "bob", 7, NULL), STORE_NOTFOUND);
	assert_int_equal(lookup(fx->st, "bad user!", 1, NULL), STORE_NOTFOUND);
	assert_int_equal(lookup(fx->st, "", 1, NULL), STORE_NOTFOUND);

	want = STORE_OK;
	assert_int_equal(store_write(fx->st, del_bob2, &want), STORE_OK);
	assert_int_equal(lookup(fx->st, "bob", 2, NULL), STORE_NOTFOUND);
	want = STORE_NOTFOUND;
	assert_int_equal(store_write(fx->st, del_bob2, &want), STORE_OK);
	assert_int_equal(lookup(fx->st, "bob", 1, NULL), STORE_OK);
}

static int
put_bad(struct store_txn *t, void *arg)
{
	struct session s = mk("", 1, 0, 1);

	(void)arg;
	/* The store checks the length (1..USER_ID_MAX); s.user holds 0. */
	assert_int_equal(store_put_session(t, &s), STORE_ERR);
	memset(s.user, 'u', USER_ID_MAX);
	s.user[USER_ID_MAX] = '\0';
	assert_int_equal(store_put_session(t, &s), STORE_OK);
	assert_int_equal(store_del_session(t, s.user, s.hash), STORE_OK);
	/* Replacing keeps one record with the new times. */
	s = mk("carol", 4, 1, 100);
	assert_int_equal(store_put_session(t, &s), STORE_OK);
	s.expires_at = 200;
	assert_int_equal(store_put_session(t, &s), STORE_OK);
	return 0;
}

static void
test_bad_and_replace(void **state)
{
	struct tu_fx *fx = *state;
	struct session s;

	assert_int_equal(store_write(fx->st, put_bad, NULL), STORE_OK);
	assert_int_equal(count(fx->st, NULL), 1);
	assert_int_equal(lookup(fx->st, "carol", 4, &s), STORE_OK);
	assert_int_equal(s.expires_at, 200);
}

static void
test_iterate(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(store_write(fx->st, put_seed, NULL), STORE_OK);
	assert_int_equal(count(fx->st, "bob"), 2);
	assert_int_equal(count(fx->st, "bobby"), 1);
	assert_int_equal(count(fx->st, "alice"), 2);
	assert_int_equal(count(fx->st, "nobody"), 0);
	assert_int_equal(count(fx->st, "bad user!"), 0);
	assert_int_equal(count(fx->st, NULL), (int)SEED_N);
}

static void
test_expire(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(store_write(fx->st, put_seed, NULL), STORE_OK);
	/* Ended at or before 2000: alice/9 (500), bob/1 (1000), bob/2. */
	assert_int_equal(expire(fx->st, 2000, 2), 2);
	assert_int_equal(count(fx->st, NULL), (int)SEED_N - 2);
	assert_int_equal(expire(fx->st, 2000, 100), 1);
	assert_int_equal(count(fx->st, NULL), (int)SEED_N - 3);
	assert_int_equal(lookup(fx->st, "bobby", 1, NULL), STORE_OK);
	assert_int_equal(lookup(fx->st, "alice", 8, NULL), STORE_OK);
	assert_int_equal(expire(fx->st, 2000, 100), 0);
	assert_int_equal(expire(fx->st, INT64_MAX, 100), 2);
	assert_int_equal(count(fx->st, NULL), 0);
}

static int
put_user_bob(struct store_txn *t, void *arg)
{
	struct user u;

	(void)arg;
	memset(&u, 0, sizeof(u));
	strlcpy(u.id, "bob", sizeof(u.id));
	return store_put_user(t, &u) == STORE_OK ? 0 : -1;
}

static void
test_purge(void **state)
{
	struct tu_fx *fx = *state;
	uint64_t n = 0;

	assert_int_equal(store_write(fx->st, put_seed, NULL), STORE_OK);
	assert_int_equal(store_write(fx->st, put_user_bob, NULL), STORE_OK);
	assert_int_equal(tu_purge(fx->st, "bob", &n), STORE_OK);
	assert_int_equal(n, 3);		/* the user and two sessions */
	assert_int_equal(count(fx->st, "bob"), 0);
	assert_int_equal(count(fx->st, "bobby"), 1);
	assert_int_equal(count(fx->st, NULL), (int)SEED_N - 2);
	/* Sessions alone are records of the user too. */
	assert_int_equal(tu_purge(fx->st, "alice", &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(tu_purge(fx->st, "alice", &n), STORE_NOTFOUND);
}

static void
test_reopen(void **state)
{
	struct tu_fx *fx = *state;
	struct store *ro;

	assert_int_equal(store_write(fx->st, put_seed, NULL), STORE_OK);
	store_close(fx->st);
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0), STORE_OK);
	assert_int_equal(count(ro, NULL), (int)SEED_N);
	assert_int_equal(lookup(ro, "alice", 8, NULL), STORE_OK);
	store_close(ro);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_put_get_del, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_bad_and_replace, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_iterate, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_expire, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_purge, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_reopen, setup,
	    tu_fx_teardown),
)
