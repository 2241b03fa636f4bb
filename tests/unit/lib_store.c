/*
 * lib_store.c — unit tests of lib/store.c over a real LMDB environment.
 *
 * Every test gets a fresh directory from mkdtemp(3) with a store opened in
 * it (the fixture) and removes it afterwards.  Tests that need the raw
 * bytes (the documented key/value layout, damaged values) close the store
 * and open the environment with plain mdb_* calls, as LMDB forbids two
 * handles on one environment in one process.  Tests of other processes
 * (a map grown elsewhere, reader slots left by a dead process) fork a
 * child that opens the environment itself and exits with _exit(2).
 *
 * Write bodies run inside store_write() through body_cb(); cmocka
 * assertions there are fine: a failure abandons the transaction and the
 * test's directory with it.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ids.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "testutil.h"

#define T1	"1111111111111111111111"
#define T2	"2222222222222222222222"
#define T3	"3333333333333333333333"
#define A1	"AAAAAAAAAAAAAAAAAAAAAA"
#define A2	"BBBBBBBBBBBBBBBBBBBBBB"
#define L1	"LLLLLLLLLLLLLLLLLLLLLL"
#define P1	"PPPPPPPPPPPPPPPPPPPPPP"
#define P2	"QQQQQQQQQQQQQQQQQQQQQQ"
#define TINY	(64 * 1024)

TU_FX_SETUP(setup, "lib_store_test")

/* A subdirectory path of the fixture's directory. */
static void
subdir(const struct tu_fx *fx, const char *name, char *out, size_t outsz)
{
	assert_true((size_t)snprintf(out, outsz, "%s/%s", fx->dir, name) <
	    outsz);
}

/* ---- running bodies inside transactions ---------------------------------- */

typedef void (*body_fn)(struct store_txn *, void *);

struct body {
	body_fn	 fn;
	void	*arg;
	int	 runs;
};

static int
body_cb(struct store_txn *t, void *arg)
{
	struct body *b = arg;

	b->runs++;
	b->fn(t, b->arg);
	return 0;
}

/* Runs fn in one write transaction and asserts it committed. */
static void
W(struct store *st, body_fn fn, void *arg)
{
	struct body b = { fn, arg, 0 };

	assert_int_equal(store_write(st, body_cb, &b), STORE_OK);
}

/*
 * Defines the test name(), which runs body in one write transaction of
 * the fixture's store and asserts it committed.
 */
#define W_TEST(name, body)						\
static void								\
name(void **state)							\
{									\
	W(((struct tu_fx *)*state)->st, (body), NULL);			\
}

/* Runs fn in one read transaction. */
static void
R(struct store *st, body_fn fn, void *arg)
{
	struct body b = { fn, arg, 0 };

	assert_int_equal(store_read(st, body_cb, &b), STORE_OK);
}

/* A step of STEPS_TEST(): its body and the transaction it runs in. */
struct step {
	body_fn	 fn;
	enum { STEP_READ, STEP_WRITE } txn;
};

/* Runs the n steps s in order on st, each in a transaction of its own. */
static void
run_steps(struct store *st, const struct step *s, size_t n)
{
	for (; n > 0; s++, n--) {
		if (s->txn == STEP_WRITE)
			W(st, s->fn, NULL);
		else
			R(st, s->fn, NULL);
	}
}

/*
 * Defines the test name(), which runs the steps given (struct step
 * initializers) on the fixture's store with run_steps().
 */
#define STEPS_TEST(name, ...)						\
static void								\
name(void **state)							\
{									\
	static const struct step steps[] = { __VA_ARGS__ };		\
									\
	run_steps(((struct tu_fx *)*state)->st, steps, TU_NITEMS(steps)); \
}

/* ---- collecting iterations ----------------------------------------------- */

struct seen {
	int64_t	v[256];
	char	id[256][ID_LEN + 1];
	size_t	n;
	size_t	stop_after;	/* 0: never */
	int	fail_at;	/* -1 at this index (1-based); 0: never */
};

static int
seen_add(struct seen *s, int64_t v, const char *id)
{
	assert_true(s->n < 256);
	s->v[s->n] = v;
	strlcpy(s->id[s->n], id != NULL ? id : "", sizeof(s->id[0]));
	s->n++;
	if (s->fail_at > 0 && (size_t)s->fail_at == s->n)
		return -1;
	return s->stop_after > 0 && s->n >= s->stop_after ? 1 : 0;
}

/*
 * The iteration callback name of records of type, adding each record r
 * to the struct seen as its value v and its id (NULL: none).
 */
#define SEEN_FN(name, type, v, id)					\
static int								\
name(const type *r, void *arg)						\
{									\
	return seen_add(arg, (v), (id));				\
}

SEEN_FN(seen_play, struct play, r->played_at, r->track_id)
SEEN_FN(seen_week, struct playlist_week, r->week, r->playlist_id)
SEEN_FN(seen_top, struct top_snapshot, r->day, NULL)
SEEN_FN(seen_gap, struct gap, r->from_ms, NULL)
SEEN_FN(seen_user, struct user, (int64_t)r->n_plays, r->id)
SEEN_FN(seen_track, struct track, r->duration_ms, r->id)
SEEN_FN(seen_artist, struct artist, r->popularity, r->id)
SEEN_FN(seen_album, struct album, r->total_tracks, r->id)

static int
seen_change(uint64_t seq, enum entity_kind kind, const char *id, void *arg)
{
	struct seen *s = arg;
	int rc;

	rc = seen_add(s, (int64_t)seq, id);
	/* The kind replaces the id's first character: both get checked. */
	s->id[s->n - 1][0] = (char)('0' + kind);
	return rc;
}

static void
expect(const struct seen *s, const int64_t *want, size_t n)
{
	size_t i;

	assert_int_equal(s->n, n);
	for (i = 0; i < n; i++)
		if (s->v[i] != want[i])
			fail_msg("item %zu: got %lld, want %lld", i,
			    (long long)s->v[i], (long long)want[i]);
}

/* ---- records ------------------------------------------------------------- */

static struct play
mkplay(int64_t at, const char *track, const char *ctx)
{
	struct play p;

	memset(&p, 0, sizeof(p));
	p.played_at = at;
	strlcpy(p.track_id, track, sizeof(p.track_id));
	p.context_uri = ctx;
	p.source = SOURCE_API;
	p.ms_played = -1;
	return p;
}

static void
put_play(struct store_txn *t, const char *user, int64_t at)
{
	struct play p = mkplay(at, T1, "spotify:playlist:" P1);

	assert_int_equal(store_put_play(t, user, &p), STORE_OK);
}

static void
fill_user(struct user *u, const char *id)
{
	int i;

	memset(u, 0, sizeof(*u));
	strlcpy(u->id, id, sizeof(u->id));
	/* Longest values each array takes, so no field is cut. */
	memset(u->display_name, 'd', sizeof(u->display_name) - 1);
	strlcpy(u->country, "SE", sizeof(u->country));
	strlcpy(u->product, "premium", sizeof(u->product));
	strlcpy(u->image_url, "https://i.scdn.co/image/ab67",
	    sizeof(u->image_url));
	memset(u->access_token, 'a', sizeof(u->access_token) - 1);
	memset(u->refresh_token, 'r', sizeof(u->refresh_token) - 1);
	u->token_expires = INT64_C(1767607201);
	u->authorized_at = -5;
	u->status = USER_REAUTH;
	u->visibility = VIS_PUBLIC;
	strlcpy(u->timezone, "Europe/Stockholm", sizeof(u->timezone));
	strlcpy(u->dw_playlist, P1, sizeof(u->dw_playlist));
	for (i = 0; i < ARCHIVE_MAX; i++) {
		memset(u->archive[i], 'a' + i, ID_LEN);
		u->archive[i][ID_LEN] = '\0';
	}
	u->n_archive = ARCHIVE_MAX;
	u->created_at = 1;
	u->cursor_ms = INT64_C(1767607201123);
	u->offset_s = -1199;
	u->last_poll = 2;
	u->last_ok_poll = 3;
	u->next_plays = 4;
	u->next_top = 5;
	u->next_dw = 6;
	u->next_profile = INT64_MAX;
	u->failures = UINT32_MAX;
	strlcpy(u->last_error, "HTTP 503 \"busy\"\n", sizeof(u->last_error));
	u->n_plays = UINT64_MAX - 1;
}

/* ---- opening ------------------------------------------------------------- */

static void
body_nothing(struct store_txn *t, void *arg)
{
	(void)t;
	(void)arg;
}

/* Proves open creates a 0700 directory and records schema version 1. */
static void
test_open_creates(void **state)
{
	struct tu_fx *fx = *state;
	struct store_info info;
	struct store *st;
	struct stat sb;
	char path[128];

	subdir(fx, "new", path, sizeof(path));
	assert_int_equal(store_open(&st, path, 0, 1 << 20), STORE_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(store_get_info(st, &info), STORE_OK);
	assert_int_equal(info.schema_version, STORE_SCHEMA_VERSION);
	assert_int_equal(info.map_size, 1 << 20);
	assert_true(info.used > 0 && info.used <= info.map_size);
	assert_true(info.readers_max >= 100);
	R(st, body_nothing, NULL);
	store_close(st);
	/* Reopening with a smaller size keeps the recorded map. */
	assert_int_equal(store_open(&st, path, 0, 64 * 1024), STORE_OK);
	assert_int_equal(store_get_info(st, &info), STORE_OK);
	assert_int_equal(info.map_size, 1 << 20);
	store_close(st);
	/* A regular file is not a store directory. */
	subdir(fx, "file", path, sizeof(path));
	fclose(fopen(path, "w"));
	assert_int_equal(store_open(&st, path, 0, 0), STORE_ERR);
	assert_null(st);
}

/* Proves a read-only open works, refuses writes, and needs a store. */
static void
test_open_rdonly(void **state)
{
	struct tu_fx *fx = *state;
	struct store *ro;
	struct stat sb;
	char path[128];

	subdir(fx, "missing", path, sizeof(path));
	assert_int_equal(store_open(&ro, path, STORE_RDONLY, 0), STORE_ERR);
	assert_int_equal(stat(path, &sb), -1);	/* and nothing was created */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(store_open(&ro, path, STORE_RDONLY, 0), STORE_ERR);

	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0), STORE_OK);
	fx->st = ro;		/* teardown closes it */
}

static char bob[] = "bob";

static void
body_put_one_play(struct store_txn *t, void *arg)
{
	put_play(t, arg, 1000);
}

static int
rd_put_play(struct store_txn *t, void *arg)
{
	struct play p = mkplay(5, T1, "");

	(void)arg;
	return store_put_play(t, "bob", &p) == STORE_ERR ? 0 : -1;
}

static int
rd_get_play(struct store_txn *t, void *arg)
{
	struct play p;

	(void)arg;
	return store_get_play(t, "bob", 1000, &p) == STORE_OK &&
	    strcmp(p.track_id, T1) == 0 ? 0 : -1;
}

/* Proves a read-only handle reads and every write path fails cleanly. */
static void
test_rdonly_reads_not_writes(void **state)
{
	struct tu_fx *fx = *state;
	struct body b = { body_nothing, NULL, 0 };
	struct store *ro;

	W(fx->st, body_put_one_play, bob);
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(store_open(&ro, fx->dir, STORE_RDONLY, 0), STORE_OK);
	fx->st = ro;
	assert_int_equal(store_read(ro, rd_get_play, NULL), STORE_OK);
	assert_int_equal(store_read(ro, rd_put_play, NULL), STORE_OK);
	assert_int_equal(store_write(ro, body_cb, &b), STORE_ERR);
	assert_int_equal(b.runs, 0);
}

static void
body_set_schema(struct store_txn *t, void *arg)
{
	assert_int_equal(store_put_meta_i64(t, "schema_version",
	    *(int64_t *)arg), STORE_OK);
}

/* Writes the schema version meta value with raw LMDB (store closed). */
static void
poke_schema(const char *dir, unsigned char version)
{
	MDB_env *env;
	MDB_txn *txn;

	assert_int_equal(tu_raw_open(dir, 0, &env, &txn), 0);
	assert_int_equal(tu_raw_set_version(env, txn, version), 0);
}

/* Proves a store of a newer (or nonsensical) schema version is refused. */
static void
test_newer_schema_refused(void **state)
{
	struct tu_fx *fx = *state;
	struct store *st;
	int64_t v = STORE_SCHEMA_VERSION + 1;

	W(fx->st, body_set_schema, &v);
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(store_open(&st, fx->dir, 0, 0), STORE_ERR);
	assert_int_equal(store_open(&st, fx->dir, STORE_RDONLY, 0), STORE_ERR);
	assert_null(st);

	/* Version 0 is refused too; back to the current one, it opens. */
	poke_schema(fx->dir, 0);
	assert_int_equal(store_open(&st, fx->dir, 0, 0), STORE_ERR);
	poke_schema(fx->dir, STORE_SCHEMA_VERSION);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
}

/* ---- users --------------------------------------------------------------- */

static void
body_users(struct store_txn *t, void *arg)
{
	struct user u, got;
	struct seen s;

	(void)arg;
	fill_user(&u, "bob");
	assert_int_equal(store_put_user(t, &u), STORE_OK);
	assert_int_equal(store_get_user(t, "bob", &got), STORE_OK);
	/* Every byte, padding included (both sides start zeroed). */
	assert_memory_equal(&got, &u, sizeof(u));

	/* Changing a field and writing again replaces the record. */
	u.failures = 3;
	u.n_archive = 1;
	memset(u.archive[1], 0, sizeof(u.archive) - sizeof(u.archive[0]));
	assert_int_equal(store_put_user(t, &u), STORE_OK);
	assert_int_equal(store_get_user(t, "bob", &got), STORE_OK);
	assert_memory_equal(&got, &u, sizeof(u));

	fill_user(&u, "alice");
	u.n_plays = 1;
	assert_int_equal(store_put_user(t, &u), STORE_OK);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_users(t, seen_user, &s), STORE_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.id[0], "alice");
	assert_string_equal(s.id[1], "bob");

	/* Out-of-range or unterminated fields are refused. */
	fill_user(&u, "carol");
	u.status = USER_STATUS__MAX;
	assert_int_equal(store_put_user(t, &u), STORE_ERR);
	fill_user(&u, "carol");
	u.n_archive = ARCHIVE_MAX + 1;
	assert_int_equal(store_put_user(t, &u), STORE_ERR);
	fill_user(&u, "carol");
	memset(u.country, 'x', sizeof(u.country));
	assert_int_equal(store_put_user(t, &u), STORE_ERR);
	fill_user(&u, "");
	assert_int_equal(store_put_user(t, &u), STORE_ERR);
	assert_int_equal(store_get_user(t, "carol", &got), STORE_NOTFOUND);
	assert_int_equal(store_get_user(t, "", &got), STORE_NOTFOUND);

	assert_int_equal(store_del_user(t, "alice"), STORE_OK);
	assert_int_equal(store_del_user(t, "alice"), STORE_NOTFOUND);
	assert_int_equal(store_get_user(t, "alice", &got), STORE_NOTFOUND);
}

/* Proves struct user round trips byte for byte and is validated. */
W_TEST(test_users, body_users)

/* ---- plays --------------------------------------------------------------- */

static void
body_play_round_trip(struct store_txn *t, void *arg)
{
	struct play p, got;

	(void)arg;
	p = mkplay(INT64_C(1767607201123), T2, "spotify:album:" L1);
	p.source = SOURCE_ACCOUNT;
	p.ms_played = 183000;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	assert_int_equal(store_get_play(t, "bob", p.played_at, &got),
	    STORE_OK);
	assert_int_equal(got.played_at, p.played_at);
	assert_string_equal(got.track_id, T2);
	assert_string_equal(got.context_uri, "spotify:album:" L1);
	assert_int_equal(got.source, SOURCE_ACCOUNT);
	assert_int_equal(got.ms_played, 183000);

	/* Same user and instant: STORE_EXISTS, and the first one stays. */
	p.track_id[0] = '9';
	assert_int_equal(store_put_play(t, "bob", &p), STORE_EXISTS);
	assert_int_equal(store_get_play(t, "bob", p.played_at, &got),
	    STORE_OK);
	assert_string_equal(got.track_id, T2);
	/* ...but another user at that instant is a different play. */
	assert_int_equal(store_put_play(t, "bobby", &p), STORE_OK);

	/* An empty context and an unknown ms_played. */
	p = mkplay(0, T3, "");
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	assert_int_equal(store_get_play(t, "bob", 0, &got), STORE_OK);
	assert_string_equal(got.context_uri, "");
	assert_int_equal(got.ms_played, -1);
	p = mkplay(1, T3, NULL);	/* NULL context is stored as "" */
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	assert_int_equal(store_get_play(t, "bob", 1, &got), STORE_OK);
	assert_string_equal(got.context_uri, "");

	/* Refused: no track id, a bad source, a bad user. */
	p = mkplay(2, "", "");
	assert_int_equal(store_put_play(t, "bob", &p), STORE_ERR);
	p = mkplay(2, T1, "");
	p.source = SOURCE__MAX;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_ERR);
	p.source = SOURCE_API;
	assert_int_equal(store_put_play(t, "", &p), STORE_ERR);
	assert_int_equal(store_put_play(t,
	    "u1234567890123456789012345678901234567890123456789012345678901234",
	    &p), STORE_ERR);
	assert_int_equal(store_get_play(t, "bob", 2, &got), STORE_NOTFOUND);
	assert_int_equal(store_get_play(t, NULL, 2, &got), STORE_NOTFOUND);

	assert_int_equal(store_del_play(t, "bob", 0), STORE_OK);
	assert_int_equal(store_del_play(t, "bob", 0), STORE_NOTFOUND);
	assert_int_equal(store_get_play(t, "bob", 0, &got), STORE_NOTFOUND);
}

/* Proves plays round trip, duplicates are STORE_EXISTS, bad input ERR. */
W_TEST(test_play_round_trip, body_play_round_trip)

/* Times in sorted order: negative, zero, both sides of 2^31 s, far. */
static const int64_t play_times[] = {
	INT64_MIN, -INT64_C(86400000), -1, 0, 1, INT64_C(1000),
	INT64_C(2147483647000), INT64_C(2147483647999), INT64_C(2147483648000),
	INT64_C(4294967296000), INT64_C(253402300799999), INT64_MAX,
};
#define N_TIMES	(sizeof(play_times) / sizeof(play_times[0]))

static void
body_put_times(struct store_txn *t, void *arg)
{
	size_t i;

	(void)arg;
	/* Inserted in a scrambled order. */
	for (i = 0; i < N_TIMES; i++)
		put_play(t, "bob", play_times[(i * 5) % N_TIMES]);
}

static void
body_order(struct store_txn *t, void *arg)
{
	int64_t rev[N_TIMES];
	struct seen s;
	uint64_t n;
	size_t i;

	(void)arg;
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, seen_play, &s), STORE_OK);
	expect(&s, play_times, N_TIMES);
	for (i = 0; i < N_TIMES; i++)
		rev[i] = play_times[N_TIMES - 1 - i];
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_DESC, seen_play, &s), STORE_OK);
	expect(&s, rev, N_TIMES);
	assert_int_equal(store_count_plays(t, "bob", INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	assert_int_equal(n, N_TIMES);
	/* Across 2038: exactly the three plays in [2^31 s - 1 s, 2^31 s]. */
	assert_int_equal(store_count_plays(t, "bob", INT64_C(2147483647000),
	    INT64_C(2147483648000), &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_count_plays(t, "bob", -1, 0, &n), STORE_OK);
	assert_int_equal(n, 2);
}

/* Proves key order is time order, negative and post-2038 times included. */
static void
test_play_order(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(N_TIMES, 12);
	W(fx->st, body_put_times, NULL);
	R(fx->st, body_order, NULL);
}

static void
body_put_neighbours(struct store_txn *t, void *arg)
{
	int64_t at;

	(void)arg;
	/*
	 * "bo" < "bob" = "zed" (by length byte, then bytes) < "bobby":
	 * bob's range has a neighbour on each side, bobby's is the last.
	 */
	for (at = 100; at <= 500; at += 100) {
		put_play(t, "bob", at);
		put_play(t, "bobby", at + 1);
		put_play(t, "bo", at + 2);
		put_play(t, "zed", at + 3);
	}
}

struct range_case {
	const char	*user;
	int64_t		 from, to;
	enum store_dir	 dir;
	int64_t		 want[8];
	size_t		 n;
};

static const struct range_case range_cases[] = {
	{ "bob", 200, 400, STORE_ASC, { 200, 300, 400 }, 3 },
	{ "bob", 200, 400, STORE_DESC, { 400, 300, 200 }, 3 },
	{ "bob", 201, 399, STORE_ASC, { 300 }, 1 },
	{ "bob", 201, 399, STORE_DESC, { 300 }, 1 },
	{ "bob", 100, 100, STORE_DESC, { 100 }, 1 },
	{ "bob", 500, 500, STORE_ASC, { 500 }, 1 },
	{ "bob", 501, 600, STORE_ASC, { 0 }, 0 },
	{ "bob", 501, 600, STORE_DESC, { 0 }, 0 },
	{ "bob", 0, 99, STORE_DESC, { 0 }, 0 },
	{ "bob", 400, 200, STORE_ASC, { 0 }, 0 },
	{ "bob", INT64_MIN, INT64_MAX, STORE_DESC,
	    { 500, 400, 300, 200, 100 }, 5 },
	/* bobby is last in the db: DESC starts from MDB_LAST. */
	{ "bobby", INT64_MIN, INT64_MAX, STORE_DESC,
	    { 501, 401, 301, 201, 101 }, 5 },
	{ "bobby", 0, 250, STORE_DESC, { 201, 101 }, 2 },
	{ "bobby", 0, INT64_MAX, STORE_ASC, { 101, 201, 301, 401, 501 }, 5 },
	{ "bo", 0, 1000, STORE_ASC, { 102, 202, 302, 402, 502 }, 5 },
	{ "zed", 300, INT64_MAX, STORE_DESC, { 503, 403, 303 }, 3 },
	{ "b", INT64_MIN, INT64_MAX, STORE_ASC, { 0 }, 0 },
	{ "bobb", INT64_MIN, INT64_MAX, STORE_DESC, { 0 }, 0 },
	{ "", INT64_MIN, INT64_MAX, STORE_ASC, { 0 }, 0 },
};

static void
body_ranges(struct store_txn *t, void *arg)
{
	const struct range_case *c;
	struct seen s;
	uint64_t n;
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		c = &range_cases[i];
		memset(&s, 0, sizeof(s));
		assert_int_equal(store_iter_plays(t, c->user, c->from, c->to,
		    c->dir, seen_play, &s), STORE_OK);
		expect(&s, c->want, c->n);
		assert_int_equal(store_count_plays(t, c->user, c->from, c->to,
		    &n), STORE_OK);
		assert_int_equal(n, c->n);
	}
}

/*
 * Proves ranges are inclusive at both ends in both directions and that
 * a user's scan never yields a neighbouring user's plays ("bob" vs
 * "bobby" vs "bo").
 */
STEPS_TEST(test_play_ranges, { body_put_neighbours, STEP_WRITE },
    { body_ranges, STEP_READ })

struct nested {
	struct store_txn *t;
	uint64_t	  inner;
	int		  calls;
};

static int
nested_play(const struct play *p, void *arg)
{
	struct nested *ns = arg;
	uint64_t n;

	ns->calls++;
	/* A scan of the same database from inside a scan callback. */
	if (store_count_plays(ns->t, "bob", INT64_MIN, p->played_at, &n) !=
	    STORE_OK)
		return -1;
	ns->inner += n;
	return 0;
}

static void
body_stop_fail_nest(struct store_txn *t, void *arg)
{
	struct nested ns = { t, 0, 0 };
	struct seen s;

	(void)arg;
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_DESC, seen_play, &s), STORE_OK);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	s.fail_at = 3;
	assert_int_equal(store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, seen_play, &s), STORE_ERR);
	assert_int_equal(s.n, 3);
	assert_int_equal(store_iter_plays(t, "bob", 0, 1000, (enum store_dir)7,
	    seen_play, &s), STORE_ERR);
	/* 1 + 2 + 3 + 4 + 5 plays at or before each of bob's five. */
	assert_int_equal(store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, nested_play, &ns), STORE_OK);
	assert_int_equal(ns.calls, 5);
	assert_int_equal(ns.inner, 15);
}

/* Proves fn's 1 stops with OK, -1 fails, nested scans of one db work. */
STEPS_TEST(test_iter_control, { body_put_neighbours, STEP_WRITE },
    { body_stop_fail_nest, STEP_READ }, { body_stop_fail_nest, STEP_WRITE })

/* ---- entities and the change log ----------------------------------------- */

static struct track
mktrack(const char *id, const char *name, const char *artists, uint32_t n)
{
	struct track tr;

	memset(&tr, 0, sizeof(tr));
	strlcpy(tr.id, id, sizeof(tr.id));
	tr.name = name;
	tr.uri = "spotify:track:1111111111111111111111";
	strlcpy(tr.album_id, L1, sizeof(tr.album_id));
	tr.artists.ids = artists;
	tr.artists.n = n;
	tr.duration_ms = 245000;
	tr.popularity = 73;
	tr.explicit_ = 1;
	tr.is_local = 0;
	tr.disc_number = 2;
	tr.track_number = 11;
	tr.updated_at = 1000;
	return tr;
}

static void
body_entities(struct store_txn *t, void *arg)
{
	static const char artists[] = A1 A2;
	struct track tr = mktrack(T1, "When I Paint My Masterpiece", artists,
	    2), gt;
	struct artist a, ga;
	struct album al, gl;
	struct seen s;
	int i;

	(void)arg;
	assert_int_equal(store_put_track(t, &tr), STORE_OK);
	assert_int_equal(store_get_track(t, T1, &gt), STORE_OK);
	assert_string_equal(gt.id, T1);
	assert_string_equal(gt.name, tr.name);
	assert_string_equal(gt.uri, tr.uri);
	assert_string_equal(gt.album_id, L1);
	assert_int_equal(gt.artists.n, 2);
	assert_memory_equal(gt.artists.ids, artists, 2 * ID_LEN);
	assert_int_equal(gt.duration_ms, 245000);
	assert_int_equal(gt.popularity, 73);
	assert_int_equal(gt.explicit_, 1);
	assert_int_equal(gt.is_local, 0);
	assert_int_equal(gt.disc_number, 2);
	assert_int_equal(gt.track_number, 11);
	assert_int_equal(gt.updated_at, 1000);
	/* A local track: synthetic id, no album, no artists. */
	tr = mktrack("_1o7g0KP6krPyQNR5ASc8f", "Demo", NULL, 0);
	tr.album_id[0] = '\0';
	tr.is_local = 1;
	assert_int_equal(store_put_track(t, &tr), STORE_OK);
	assert_int_equal(store_get_track(t, tr.id, &gt), STORE_OK);
	assert_string_equal(gt.album_id, "");
	assert_int_equal(gt.artists.n, 0);
	assert_int_equal(gt.is_local, 1);
	assert_int_equal(store_get_track(t, T2, &gt), STORE_NOTFOUND);
	assert_int_equal(store_get_track(t, "short", &gt), STORE_NOTFOUND);
	tr = mktrack("short", "x", NULL, 0);
	assert_int_equal(store_put_track(t, &tr), STORE_ERR);
	tr = mktrack(T3, "x", NULL, 2);		/* n without ids */
	assert_int_equal(store_put_track(t, &tr), STORE_ERR);

	memset(&a, 0, sizeof(a));
	strlcpy(a.id, A1, sizeof(a.id));
	a.name = "Bob Dylan";
	for (i = 0; i < GENRES_MAX; i++)
		a.genres[i] = i % 2 ? "folk" : "";
	a.n_genres = GENRES_MAX;
	for (i = 0; i < IMAGES_MAX; i++) {
		a.images[i].url = "https://i.scdn.co/image/x";
		a.images[i].width = (uint16_t)(640 >> i);
		a.images[i].height = (uint16_t)(641 >> i);
	}
	a.images[3].url = NULL;		/* an image without a url */
	a.n_images = IMAGES_MAX;
	a.popularity = 80;
	a.detailed = 1;
	a.updated_at = -7;
	assert_int_equal(store_put_artist(t, &a), STORE_OK);
	assert_int_equal(store_get_artist(t, A1, &ga), STORE_OK);
	assert_string_equal(ga.name, "Bob Dylan");
	assert_int_equal(ga.n_genres, GENRES_MAX);
	for (i = 0; i < GENRES_MAX; i++)
		assert_string_equal(ga.genres[i], a.genres[i]);
	assert_int_equal(ga.n_images, IMAGES_MAX);
	for (i = 0; i < 3; i++) {
		assert_string_equal(ga.images[i].url, a.images[i].url);
		assert_int_equal(ga.images[i].width, a.images[i].width);
		assert_int_equal(ga.images[i].height, a.images[i].height);
	}
	assert_null(ga.images[3].url);
	assert_int_equal(ga.popularity, 80);
	assert_int_equal(ga.detailed, 1);
	assert_int_equal(ga.updated_at, -7);
	a.n_genres = GENRES_MAX + 1;
	assert_int_equal(store_put_artist(t, &a), STORE_ERR);
	a.n_genres = 0;
	a.n_images = IMAGES_MAX + 1;
	assert_int_equal(store_put_artist(t, &a), STORE_ERR);

	memset(&al, 0, sizeof(al));
	strlcpy(al.id, L1, sizeof(al.id));
	al.name = "Greatest Hits Vol. II";
	al.album_type = "compilation";
	al.release_date = "1971-11";
	al.artists.ids = A1;
	al.artists.n = 1;
	al.images[0].url = "https://i.scdn.co/image/y";
	al.images[0].width = 300;
	al.images[0].height = 300;
	al.n_images = 1;
	al.total_tracks = 21;
	al.updated_at = 5;
	assert_int_equal(store_put_album(t, &al), STORE_OK);
	assert_int_equal(store_get_album(t, L1, &gl), STORE_OK);
	assert_string_equal(gl.name, al.name);
	assert_string_equal(gl.album_type, "compilation");
	assert_string_equal(gl.release_date, "1971-11");
	assert_int_equal(gl.artists.n, 1);
	assert_memory_equal(gl.artists.ids, A1, ID_LEN);
	assert_int_equal(gl.n_images, 1);
	assert_string_equal(gl.images[0].url, "https://i.scdn.co/image/y");
	assert_null(gl.images[1].url);
	assert_int_equal(gl.total_tracks, 21);
	assert_int_equal(gl.updated_at, 5);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_tracks(t, seen_track, &s), STORE_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.id[0], T1);	/* '1' < '_' */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_artists(t, seen_artist, &s), STORE_OK);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_albums(t, seen_album, &s), STORE_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0], 21);
}

/* Proves tracks, artists and albums round trip field by field. */
W_TEST(test_entities, body_entities)

/* ---- many tracks at once (store_get_tracks) ------------------------------ */

#define GT_N		600		/* tracks stored */
#define GT_ASK		900		/* ids asked: stored, absent, repeated */

struct gt_seen {
	char		(*ids)[ID_LEN + 1];	/* asked, by position */
	int		 calls[GT_ASK];
	size_t		 n, stop_at;		/* stop_at: return 1 there */
	int		 fail_at;		/* >= 0: return -1 there */
};

static void
gt_id(char out[ID_LEN + 1], uint64_t n)
{
	static const char d[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t r = n * UINT64_C(0x9e3779b97f4a7c15) + 17;
	int i;

	/* Random-looking in every byte, as Spotify's ids are. */
	for (i = 0; i < ID_LEN; i++) {
		out[i] = d[r % 62];
		r = r * UINT64_C(6364136223846793005) + 1442695040888963407u;
		r ^= r >> 29;
	}
	out[ID_LEN] = '\0';
}

static int
gt_cb(size_t i, const struct track *tr, void *arg)
{
	struct gt_seen *s = arg;

	assert_true(i < GT_ASK);
	assert_string_equal(tr->id, s->ids[i]);
	/* Its own record, field by field as store_get_track reads it. */
	assert_int_equal(tr->duration_ms, 1000 + strtoul(tr->name, NULL, 10));
	assert_int_equal(tr->artists.n, 1);
	assert_memory_equal(tr->artists.ids, A1, ID_LEN);
	s->calls[i]++;
	s->n++;
	if ((int)i == s->fail_at)
		return -1;
	return i == s->stop_at ? 1 : 0;
}

static int
gt_cmp(const void *a, const void *b)
{
	return memcmp(a, b, ID_LEN + 1);
}

static void
body_put_many_tracks(struct store_txn *t, void *arg)
{
	static const char artists[] = A1;
	char name[16];
	struct track tr;
	uint64_t i;

	(void)arg;
	for (i = 0; i < GT_N; i++) {
		snprintf(name, sizeof(name), "%llu", (unsigned long long)i);
		tr = mktrack("x", name, artists, 1);
		gt_id(tr.id, i);
		tr.duration_ms = 1000 + (uint32_t)i;
		assert_int_equal(store_put_track(t, &tr), STORE_OK);
	}
}

static void
body_get_many(struct store_txn *t, void *arg)
{
	struct gt_seen *s = arg;
	const char *p[GT_ASK];
	size_t i, stored = 0;

	for (i = 0; i < GT_ASK; i++)
		p[i] = s->ids[i];
	memset(s->calls, 0, sizeof(s->calls));
	s->n = 0;
	s->stop_at = SIZE_MAX;
	s->fail_at = -1;
	assert_int_equal(store_get_tracks(t, p, GT_ASK, gt_cb, s), STORE_OK);
	/* Exactly once for each stored id asked, never for the others. */
	for (i = 0; i < GT_ASK; i++) {
		struct track tr;
		int rc = store_get_track(t, s->ids[i], &tr);

		assert_int_equal(s->calls[i], rc == STORE_OK);
		stored += rc == STORE_OK;
	}
	assert_int_equal(s->n, stored);
	/* 1 stops (OK), -1 fails (ERR), at the third found. */
	for (i = 0; s->calls[i] == 0; i++)
		;
	for (i++; s->calls[i] == 0; i++)
		;
	for (i++; s->calls[i] == 0; i++)
		;
	memset(s->calls, 0, sizeof(s->calls));
	s->n = 0;
	s->stop_at = i;
	assert_int_equal(store_get_tracks(t, p, GT_ASK, gt_cb, s), STORE_OK);
	assert_int_equal(s->n, 3);
	s->n = 0;
	s->stop_at = SIZE_MAX;
	s->fail_at = (int)i;
	assert_int_equal(store_get_tracks(t, p, GT_ASK, gt_cb, s), STORE_ERR);
	assert_int_equal(s->n, 3);
	assert_int_equal(store_get_tracks(t, p, 0, gt_cb, s), STORE_OK);
}

/*
 * Proves store_get_tracks() finds exactly the stored ones among ids
 * asked in random and in ascending order (absent ones, ones past the
 * last key and repeats among them), in a write and in a read
 * transaction, and that fn's 1 and -1 stop it.
 */
static void
test_get_tracks(void **state)
{
	struct tu_fx *fx = *state;
	struct gt_seen s;
	char (*ids)[ID_LEN + 1];
	uint64_t rng = 99;
	size_t i;

	assert_non_null(ids = calloc(GT_ASK, sizeof(*ids)));
	W(fx->st, body_put_many_tracks, NULL);
	for (i = 0; i < GT_ASK; i++) {
		if (i % 3 == 2)		/* absent */
			gt_id(ids[i], GT_N + tu_rand(&rng) % 1000);
		else if (i % 7 == 6)	/* a repeat */
			memcpy(ids[i], ids[tu_rand(&rng) % i], ID_LEN + 1);
		else
			gt_id(ids[i], tu_rand(&rng) % GT_N);
	}
	memset(ids[GT_ASK - 1], 'z', ID_LEN);	/* past the last key */
	memset(&s, 0, sizeof(s));
	s.ids = ids;
	W(fx->st, body_get_many, &s);
	R(fx->st, body_get_many, &s);
	qsort(ids, GT_ASK, sizeof(*ids), gt_cmp);
	W(fx->st, body_get_many, &s);
	R(fx->st, body_get_many, &s);
	free(ids);
}

/*
 * Puts tr, asserting the put's answer rc and the change log's sequence
 * number seq after it.
 */
static void
put_logged(struct store_txn *t, const struct track *tr, int rc, uint64_t seq)
{
	uint64_t got;

	assert_int_equal(store_put_track(t, tr), rc);
	assert_int_equal(store_change_seq(t, &got, NULL), STORE_OK);
	assert_int_equal(got, seq);
}

static void
body_changes(struct store_txn *t, void *arg)
{
	static const char artists[] = A1;
	struct track tr = mktrack(T1, "One", artists, 1), got;
	struct artist a;
	struct album al;
	struct seen s;
	uint64_t seq, oldest;

	(void)arg;
	assert_int_equal(store_change_seq(t, &seq, &oldest), STORE_OK);
	assert_int_equal(seq, 0);
	assert_int_equal(oldest, 0);

	put_logged(t, &tr, STORE_OK, 1);
	assert_int_equal(store_change_seq(t, &seq, &oldest), STORE_OK);
	assert_int_equal(oldest, 1);

	/* Equal but for updated_at: EXISTS, nothing written or logged. */
	tr.updated_at = 2000;
	put_logged(t, &tr, STORE_EXISTS, 1);
	assert_int_equal(store_get_track(t, T1, &got), STORE_OK);
	assert_int_equal(got.updated_at, 1000);

	/* A real change: written, next sequence number. */
	tr.popularity = 74;
	put_logged(t, &tr, STORE_OK, 2);
	assert_int_equal(store_get_track(t, T1, &got), STORE_OK);
	assert_int_equal(got.popularity, 74);
	assert_int_equal(got.updated_at, 2000);

	memset(&a, 0, sizeof(a));
	strlcpy(a.id, A1, sizeof(a.id));
	a.name = "A";
	assert_int_equal(store_put_artist(t, &a), STORE_OK);
	assert_int_equal(store_put_artist(t, &a), STORE_EXISTS);
	memset(&al, 0, sizeof(al));
	strlcpy(al.id, L1, sizeof(al.id));
	al.name = "L";
	assert_int_equal(store_put_album(t, &al), STORE_OK);
	assert_int_equal(store_del_track(t, T1), STORE_OK);
	assert_int_equal(store_del_track(t, T1), STORE_NOTFOUND);
	assert_int_equal(store_del_album(t, T2), STORE_NOTFOUND);
	assert_int_equal(store_del_artist(t, A1), STORE_OK);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_changes(t, 0, seen_change, &s), STORE_OK);
	{
		static const int64_t want[] = { 1, 2, 3, 4, 5, 6 };

		expect(&s, want, 6);
	}
	assert_int_equal(s.id[0][0], '0' + ENTITY_TRACK);
	assert_string_equal(s.id[0] + 1, T1 + 1);
	assert_int_equal(s.id[2][0], '0' + ENTITY_ARTIST);
	assert_string_equal(s.id[2] + 1, A1 + 1);
	assert_int_equal(s.id[3][0], '0' + ENTITY_ALBUM);
	assert_int_equal(s.id[4][0], '0' + ENTITY_TRACK);	/* delete */
	assert_int_equal(s.id[5][0], '0' + ENTITY_ARTIST);	/* delete */

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_changes(t, 4, seen_change, &s), STORE_OK);
	{
		static const int64_t want[] = { 5, 6 };

		expect(&s, want, 2);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_changes(t, 6, seen_change, &s), STORE_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(store_iter_changes(t, UINT64_MAX, seen_change, &s),
	    STORE_OK);
}

/* Proves equal puts log nothing, changes and deletes log in order. */
W_TEST(test_change_log, body_changes)

static void
body_churn(struct store_txn *t, void *arg)
{
	struct track tr = mktrack(T1, "churn", NULL, 0);
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		tr.duration_ms = (uint32_t)i;
		assert_int_equal(store_put_track(t, &tr), STORE_OK);
	}
}

static int
count_change(uint64_t seq, enum entity_kind kind, const char *id, void *arg)
{
	uint64_t *c = arg;

	(void)kind;
	(void)id;
	if (c[0] != 0 && seq != c[1] + 1)
		return -1;		/* must be contiguous */
	if (c[0] == 0)
		c[2] = seq;		/* first seen */
	c[0]++;
	c[1] = seq;
	return 0;
}

static void
body_trim_check(struct store_txn *t, void *arg)
{
	uint64_t seq, oldest, c[3] = { 0, 0, 0 };

	(void)arg;
	assert_int_equal(store_change_seq(t, &seq, &oldest), STORE_OK);
	assert_int_equal(seq, 70000);
	/* Trimmed (oldest moved) but never below the newest 65536. */
	assert_true(oldest > 1);
	assert_true(seq - oldest + 1 >= 65536);
	assert_true(seq - oldest + 1 < 65536 + 2048);
	assert_int_equal(store_iter_changes(t, 0, count_change, c), STORE_OK);
	assert_int_equal(c[0], seq - oldest + 1);
	assert_int_equal(c[2], oldest);
	assert_int_equal(c[1], seq);
}

/* Proves the change log is trimmed to (at least) the newest 65536. */
static void
test_change_log_trim(void **state)
{
	struct tu_fx *fx = *state;
	int n = 40000;

	/* Two units of work: the counter carries across transactions. */
	W(fx->st, body_churn, &n);
	n = 30000;
	W(fx->st, body_churn, &n);
	R(fx->st, body_trim_check, NULL);
}

/* ---- playlists, top lists, gaps ------------------------------------------ */

static void
put_week(struct store_txn *t, const char *user, const char *pl, int32_t week,
    const char *tracks, uint32_t n)
{
	struct playlist_week w;

	memset(&w, 0, sizeof(w));
	strlcpy(w.playlist_id, pl, sizeof(w.playlist_id));
	w.week = week;
	w.name = "Discover Weekly";
	w.snapshot_id = week % 2 ? "" : "MTY3NjAwMDAwMCwwMDAw";
	w.how = week % 2 ? PLAYLIST_HEARD : PLAYLIST_FULL;
	w.obtained_at = (int64_t)week * 86400;
	w.tracks.ids = tracks;
	w.tracks.n = n;
	assert_int_equal(store_put_playlist_week(t, user, &w), STORE_OK);
}

static void
body_playlists(struct store_txn *t, void *arg)
{
	static const char tracks[] = T1 T2 T3;
	struct playlist_week w;
	struct seen s;

	(void)arg;
	put_week(t, "bob", P1, 20458, tracks, 3);
	put_week(t, "bob", P1, -3, tracks, 1);
	put_week(t, "bob", P1, 0, NULL, 0);
	put_week(t, "bob", P2, 20451, tracks + ID_LEN, 2);
	put_week(t, "bobby", P1, 20465, tracks, 3);
	put_week(t, "bo", P2, 1, tracks, 3);

	assert_int_equal(store_get_playlist_week(t, "bob", P1, 20458, &w),
	    STORE_OK);
	assert_string_equal(w.playlist_id, P1);
	assert_int_equal(w.week, 20458);
	assert_string_equal(w.name, "Discover Weekly");
	assert_string_equal(w.snapshot_id, "MTY3NjAwMDAwMCwwMDAw");
	assert_int_equal(w.how, PLAYLIST_FULL);
	assert_int_equal(w.obtained_at, INT64_C(20458) * 86400);
	assert_int_equal(w.tracks.n, 3);
	assert_memory_equal(w.tracks.ids, tracks, 3 * ID_LEN);
	assert_int_equal(store_get_playlist_week(t, "bob", P1, -3, &w),
	    STORE_OK);
	assert_int_equal(w.week, -3);
	assert_int_equal(w.how, PLAYLIST_HEARD);
	assert_int_equal(store_get_playlist_week(t, "bob", P1, 1, &w),
	    STORE_NOTFOUND);
	assert_int_equal(store_get_playlist_week(t, "bob", "x", 1, &w),
	    STORE_NOTFOUND);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_playlist_weeks(t, "bob", P1, STORE_ASC,
	    seen_week, &s), STORE_OK);
	{
		static const int64_t want[] = { -3, 0, 20458 };

		expect(&s, want, 3);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_playlist_weeks(t, "bob", NULL, STORE_DESC,
	    seen_week, &s), STORE_OK);
	{
		static const int64_t want[] = { 20451, 20458, 0, -3 };

		expect(&s, want, 4);
		assert_string_equal(s.id[0], P2);
		assert_string_equal(s.id[1], P1);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_playlist_weeks(t, "bobby", NULL, STORE_DESC,
	    seen_week, &s), STORE_OK);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_playlist_weeks(t, "bob", "bad", STORE_ASC,
	    seen_week, &s), STORE_OK);
	assert_int_equal(s.n, 0);

	memset(&w, 0, sizeof(w));
	strlcpy(w.playlist_id, P1, sizeof(w.playlist_id));
	w.how = PLAYLIST__MAX;
	assert_int_equal(store_put_playlist_week(t, "bob", &w), STORE_ERR);
	strlcpy(w.playlist_id, "short", sizeof(w.playlist_id));
	w.how = PLAYLIST_FULL;
	assert_int_equal(store_put_playlist_week(t, "bob", &w), STORE_ERR);

	assert_int_equal(store_del_playlist_week(t, "bob", P1, 0), STORE_OK);
	assert_int_equal(store_del_playlist_week(t, "bob", P1, 0),
	    STORE_NOTFOUND);
}

/* Proves weekly snapshots round trip and iterate by id, then week. */
W_TEST(test_playlists, body_playlists)

/* Puts user's top list (tu_put_top()), asserting it was stored. */
static void
put_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, int32_t day, const char *ids, uint32_t n)
{
	assert_int_equal(tu_put_top(t, user, kind, range, day, ids, n),
	    STORE_OK);
}

static void
body_top(struct store_txn *t, void *arg)
{
	static const char ids[] = T3 T1 T2;
	/* What store_latest_top() finds of a series: rc, and day and n ids. */
	static const struct {
		const char	*user;
		enum top_kind	 kind;
		enum top_range	 range;
		int		 rc;
		int32_t		 day;
		uint32_t	 n;
	} latest[] = {
		{ "bob", TOP_TRACKS, RANGE_SHORT, STORE_OK, 20, 2 },
		{ "bob", TOP_TRACKS, RANGE_MEDIUM, STORE_OK, 30, 3 },
		{ "bob", TOP_TRACKS, RANGE_LONG, STORE_NOTFOUND, 0, 0 },
		{ "bob", TOP_ARTISTS, RANGE_SHORT, STORE_OK, 40, 1 },
		/* bobby's artists/long is the last key of the db (MDB_LAST) */
		{ "bobby", TOP_ARTISTS, RANGE_LONG, STORE_OK, 60, 3 },
		{ "bobbyz", TOP_ARTISTS, RANGE_LONG, STORE_NOTFOUND, 0, 0 },
		{ "bobby", TOP_TRACKS, RANGE_LONG, STORE_NOTFOUND, 0, 0 },
	};
	struct top_snapshot s;
	struct seen seen;
	size_t i;

	(void)arg;
	put_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 10, ids, 3);
	put_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 20, ids, 2);
	put_top(t, "bob", TOP_TRACKS, RANGE_SHORT, -5, ids, 1);
	put_top(t, "bob", TOP_TRACKS, RANGE_MEDIUM, 30, ids, 3);
	put_top(t, "bob", TOP_ARTISTS, RANGE_SHORT, 40, ids, 1);
	put_top(t, "bobby", TOP_TRACKS, RANGE_SHORT, 50, ids, 3);
	put_top(t, "bobby", TOP_ARTISTS, RANGE_LONG, 60, ids, 3);

	assert_int_equal(store_get_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 10,
	    &s), STORE_OK);
	assert_int_equal(s.kind, TOP_TRACKS);
	assert_int_equal(s.range, RANGE_SHORT);
	assert_int_equal(s.day, 10);
	assert_int_equal(s.confirmed_at, 10 * 86400 + 1);
	assert_int_equal(s.ids.n, 3);
	assert_memory_equal(s.ids.ids, ids, 3 * ID_LEN);
	assert_int_equal(store_get_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 11,
	    &s), STORE_NOTFOUND);

	/* The newest of each series, never a neighbouring series'. */
	for (i = 0; i < TU_NITEMS(latest); i++) {
		assert_int_equal(store_latest_top(t, latest[i].user,
		    latest[i].kind, latest[i].range, &s), latest[i].rc);
		if (latest[i].rc != STORE_OK)
			continue;
		assert_int_equal(s.kind, latest[i].kind);
		assert_int_equal(s.range, latest[i].range);
		assert_int_equal(s.day, latest[i].day);
		assert_int_equal(s.ids.n, latest[i].n);
	}

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_iter_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
	    STORE_ASC, seen_top, &seen), STORE_OK);
	{
		static const int64_t want[] = { -5, 10, 20 };

		expect(&seen, want, 3);
	}
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_iter_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
	    STORE_DESC, seen_top, &seen), STORE_OK);
	{
		static const int64_t want[] = { 20, 10, -5 };

		expect(&seen, want, 3);
	}

	s.kind = TOP_KIND__MAX;
	assert_int_equal(store_put_top(t, "bob", &s), STORE_ERR);
	assert_int_equal(store_latest_top(t, "bob", TOP_TRACKS,
	    (enum top_range)RANGE__MAX, &s), STORE_ERR);
	assert_int_equal(store_del_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 20),
	    STORE_OK);
	assert_int_equal(store_latest_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
	    &s), STORE_OK);
	assert_int_equal(s.day, 10);
}

/* Proves top snapshots round trip and "latest" stays in its series. */
W_TEST(test_top, body_top)

static void
put_gap(struct store_txn *t, const char *user, int64_t from, int64_t to)
{
	struct gap g;

	memset(&g, 0, sizeof(g));
	g.from_ms = from;
	g.to_ms = to;
	g.reason = GAP_OVERFLOW;
	g.recorded_at = 77;
	assert_int_equal(store_put_gap(t, user, &g), STORE_OK);
}

static void
body_gaps(struct store_txn *t, void *arg)
{
	struct seen s;
	struct gap g;
	static const struct {
		int64_t	from, to;
		enum store_dir dir;
		int64_t	want[4];
		size_t	n;
	} cases[] = {
		{ 150, 350, STORE_ASC, { 100, 300 }, 2 },
		{ 150, 350, STORE_DESC, { 300, 100 }, 2 },
		{ 200, 300, STORE_ASC, { 100, 300 }, 2 },	/* touching */
		{ 201, 299, STORE_ASC, { 0 }, 0 },
		{ 0, 99, STORE_ASC, { 0 }, 0 },
		{ 600, 700, STORE_DESC, { 500 }, 1 },
		{ 601, 700, STORE_ASC, { 0 }, 0 },
		{ INT64_MIN, INT64_MAX, STORE_DESC, { 500, 300, 100 }, 3 },
		{ 350, 150, STORE_ASC, { 0 }, 0 },
	};
	size_t i;

	(void)arg;
	put_gap(t, "bob", 100, 200);
	put_gap(t, "bob", 300, 400);
	put_gap(t, "bob", 500, 600);
	put_gap(t, "bobby", 150, 350);
	put_gap(t, "bo", 0, INT64_MAX);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		assert_int_equal(store_iter_gaps(t, "bob", cases[i].from,
		    cases[i].to, cases[i].dir, seen_gap, &s), STORE_OK);
		expect(&s, cases[i].want, cases[i].n);
	}
	memset(&g, 0, sizeof(g));
	g.reason = GAP__MAX;
	assert_int_equal(store_put_gap(t, "bob", &g), STORE_ERR);
	assert_int_equal(store_del_gap(t, "bob", 300), STORE_OK);
	assert_int_equal(store_del_gap(t, "bob", 300), STORE_NOTFOUND);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_gaps(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, seen_gap, &s), STORE_OK);
	assert_int_equal(s.n, 2);
}

/* Proves gap iteration returns exactly the gaps overlapping the window. */
W_TEST(test_gaps, body_gaps)

/* ---- purge --------------------------------------------------------------- */

static void
populate(struct store_txn *t, const char *user, int n)
{
	struct user u;
	int i;

	fill_user(&u, user);
	assert_int_equal(store_put_user(t, &u), STORE_OK);
	for (i = 0; i < n; i++) {
		put_play(t, user, i * 1000);
		put_week(t, user, P1, i, T1, 1);
		put_top(t, user, TOP_TRACKS, RANGE_SHORT, i, T1, 1);
		put_gap(t, user, i, i + 1);
	}
}

static void
body_populate(struct store_txn *t, void *arg)
{
	struct track tr = mktrack(T1, "kept", NULL, 0);

	(void)arg;
	populate(t, "bob", 50);
	populate(t, "bobby", 7);
	populate(t, "bo", 3);
	assert_int_equal(store_put_track(t, &tr), STORE_OK);
}

static void
body_purge(struct store_txn *t, void *arg)
{
	uint64_t n = 99;

	(void)arg;
	assert_int_equal(store_purge_user(t, "bob", &n), STORE_OK);
	assert_int_equal(n, 50 * 4 + 1);
	assert_int_equal(store_purge_user(t, "bob", &n), STORE_NOTFOUND);
	assert_int_equal(n, 0);
	assert_int_equal(store_purge_user(t, "", NULL), STORE_NOTFOUND);
}

static void
body_after_purge(struct store_txn *t, void *arg)
{
	struct top_snapshot ts;
	struct track tr;
	struct user u;
	struct seen s;
	uint64_t n;
	const char *const users[] = { "bob", "bobby", "bo" };
	const int counts[] = { 0, 7, 3 };
	size_t i;

	(void)arg;
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_count_plays(t, users[i], INT64_MIN,
		    INT64_MAX, &n), STORE_OK);
		assert_int_equal(n, counts[i]);
		memset(&s, 0, sizeof(s));
		assert_int_equal(store_iter_playlist_weeks(t, users[i], NULL,
		    STORE_ASC, seen_week, &s), STORE_OK);
		assert_int_equal(s.n, counts[i]);
		memset(&s, 0, sizeof(s));
		assert_int_equal(store_iter_top(t, users[i], TOP_TRACKS,
		    RANGE_SHORT, STORE_ASC, seen_top, &s), STORE_OK);
		assert_int_equal(s.n, counts[i]);
		memset(&s, 0, sizeof(s));
		assert_int_equal(store_iter_gaps(t, users[i], INT64_MIN,
		    INT64_MAX, STORE_ASC, seen_gap, &s), STORE_OK);
		assert_int_equal(s.n, counts[i]);
		assert_int_equal(store_get_user(t, users[i], &u),
		    counts[i] ? STORE_OK : STORE_NOTFOUND);
	}
	assert_int_equal(store_latest_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
	    &ts), STORE_NOTFOUND);
	/* Shared data is not the user's: entities stay. */
	assert_int_equal(store_get_track(t, T1, &tr), STORE_OK);
}

/* Proves purge removes every record of one user and none of another. */
STEPS_TEST(test_purge, { body_populate, STEP_WRITE },
    { body_purge, STEP_WRITE }, { body_after_purge, STEP_READ })

/* ---- meta ---------------------------------------------------------------- */

static void
body_meta(struct store_txn *t, void *arg)
{
	char out[16], longname[300];
	size_t len;
	int64_t v;

	(void)arg;
	assert_int_equal(store_put_meta(t, "limiter", "\0abc\xff", 5),
	    STORE_OK);
	len = sizeof(out);
	assert_int_equal(store_get_meta(t, "limiter", out, &len), STORE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(out, "\0abc\xff", 5);
	/* A short buffer gets a prefix; len tells the full size. */
	memset(out, 'Z', sizeof(out));
	len = 2;
	assert_int_equal(store_get_meta(t, "limiter", out, &len), STORE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(out, "\0aZ", 3);
	len = 0;
	assert_int_equal(store_get_meta(t, "limiter", NULL, &len), STORE_OK);
	assert_int_equal(len, 5);
	assert_int_equal(store_put_meta(t, "empty", NULL, 0), STORE_OK);
	len = sizeof(out);
	assert_int_equal(store_get_meta(t, "empty", out, &len), STORE_OK);
	assert_int_equal(len, 0);

	assert_int_equal(store_put_meta_i64(t, "heartbeat", INT64_MIN),
	    STORE_OK);
	assert_int_equal(store_get_meta_i64(t, "heartbeat", &v), STORE_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(store_put_meta_i64(t, "heartbeat", -42), STORE_OK);
	assert_int_equal(store_get_meta_i64(t, "heartbeat", &v), STORE_OK);
	assert_int_equal(v, -42);
	/* A 5-byte value is not an i64. */
	assert_int_equal(store_get_meta_i64(t, "limiter", &v), STORE_ERR);
	assert_int_equal(store_get_meta_i64(t, "nope", &v), STORE_NOTFOUND);

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(store_put_meta_i64(t, longname, 1), STORE_ERR);
	assert_int_equal(store_put_meta_i64(t, "", 1), STORE_ERR);
	assert_int_equal(store_get_meta_i64(t, longname, &v), STORE_NOTFOUND);

	assert_int_equal(store_del_meta(t, "heartbeat"), STORE_OK);
	assert_int_equal(store_del_meta(t, "heartbeat"), STORE_NOTFOUND);
	assert_int_equal(store_get_meta_i64(t, "heartbeat", &v),
	    STORE_NOTFOUND);
	/* The schema version is readable as a meta value. */
	assert_int_equal(store_get_meta_i64(t, "schema_version", &v),
	    STORE_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
}

/* Proves meta values round trip, partial reads report the full size. */
W_TEST(test_meta, body_meta)

/* ---- layout and damage, seen through raw LMDB ---------------------------- */

struct raw {
	MDB_env	*env;
	MDB_txn	*txn;
};

static void
raw_open(struct raw *r, const char *dir)
{
	assert_int_equal(tu_raw_open(dir, 0, &r->env, &r->txn), 0);
}

static MDB_dbi
raw_dbi(struct raw *r, const char *name)
{
	MDB_dbi dbi;

	assert_int_equal(mdb_dbi_open(r->txn, name, 0, &dbi), 0);
	return dbi;
}

static void
raw_close(struct raw *r)
{
	assert_int_equal(mdb_txn_commit(r->txn), 0);
	mdb_env_close(r->env);
}

/* Key builders mirroring the layout documented atop store.c. */
static size_t
tk_user(unsigned char *k, const char *user)
{
	size_t n = strlen(user);

	k[0] = (unsigned char)n;
	memcpy(k + 1, user, n);
	return 1 + n;
}

static void
tk_be(unsigned char *p, uint64_t v, int width)
{
	int i;

	for (i = 0; i < width; i++)
		p[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
}

static size_t
tk_play(unsigned char *k, const char *user, int64_t at)
{
	size_t n = tk_user(k, user);

	tk_be(k + n, (uint64_t)at ^ UINT64_C(0x8000000000000000), 8);
	return n + 8;
}

static size_t
tk_week(unsigned char *k, const char *user, const char *pl, int32_t week)
{
	size_t n = tk_user(k, user);

	memcpy(k + n, pl, ID_LEN);
	tk_be(k + n + ID_LEN, (uint32_t)week ^ UINT32_C(0x80000000), 4);
	return n + ID_LEN + 4;
}

static size_t
tk_top(unsigned char *k, const char *user, int kind, int range, int32_t day)
{
	size_t n = tk_user(k, user);

	k[n] = (unsigned char)kind;
	k[n + 1] = (unsigned char)range;
	tk_be(k + n + 2, (uint32_t)day ^ UINT32_C(0x80000000), 4);
	return n + 6;
}

static void
body_layout_put(struct store_txn *t, void *arg)
{
	struct play p = mkplay(-2, T2, "ab");

	(void)arg;
	p.source = SOURCE_EXTENDED;
	p.ms_played = 258;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	/* The track again, 3 ms later: its previous play is the one at -2. */
	p.played_at = 1;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	put_week(t, "bob", P1, -1, T1, 1);
	put_top(t, "bob", TOP_ARTISTS, RANGE_LONG, 3, T1, 1);
}

/*
 * Proves the bytes on disk are the documented ones: the key of a play
 * (negative time, biased) and its value byte by byte, the previous play
 * in a later play of the track, and the keys of a playlist week and a
 * top snapshot.
 */
static void
test_layout(void **state)
{
	static const unsigned char want[] = {
		1,
		'2', '2', '2', '2', '2', '2', '2', '2', '2', '2', '2',
		'2', '2', '2', '2', '2', '2', '2', '2', '2', '2', '2',
		0, 0, 0, 2, 'a', 'b', 0,
		SOURCE_EXTENDED,
		0, 0, 1, 2,
		0x80, 0, 0, 0, 0, 0, 0, 0,	/* no previous play: INT64_MIN */
	};
	static const unsigned char play_key[] = { 3, 'b', 'o', 'b',
	    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	/* The play at 1 ends with the one at -2 (two's complement). */
	static const unsigned char prev_tail[] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	struct tu_fx *fx = *state;
	unsigned char k[128];
	struct raw r;
	MDB_val mk, mv;

	W(fx->st, body_layout_put, NULL);
	store_close(fx->st);
	fx->st = NULL;
	raw_open(&r, fx->dir);
	assert_int_equal(tk_play(k, "bob", -2), sizeof(play_key));
	assert_memory_equal(k, play_key, sizeof(play_key));
	mk.mv_size = sizeof(play_key);
	mk.mv_data = k;
	assert_int_equal(mdb_get(r.txn, raw_dbi(&r, "plays"), &mk, &mv), 0);
	assert_int_equal(mv.mv_size, sizeof(want));
	assert_memory_equal(mv.mv_data, want, sizeof(want));
	mk.mv_size = tk_play(k, "bob", 1);
	assert_int_equal(mdb_get(r.txn, raw_dbi(&r, "plays"), &mk, &mv), 0);
	assert_int_equal(mv.mv_size, sizeof(want));
	assert_memory_equal((const unsigned char *)mv.mv_data +
	    sizeof(want) - 8, prev_tail, 8);
	mk.mv_size = tk_week(k, "bob", P1, -1);
	assert_int_equal(mdb_get(r.txn, raw_dbi(&r, "playlists"), &mk, &mv),
	    0);
	mk.mv_size = tk_top(k, "bob", TOP_ARTISTS, RANGE_LONG, 3);
	assert_int_equal(mdb_get(r.txn, raw_dbi(&r, "top"), &mk, &mv), 0);
	raw_close(&r);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
}

/* One record of each kind, written through the store. */
static void
body_damage_seed(struct store_txn *t, void *arg)
{
	static const char artists[] = A1 A2;
	struct track tr = mktrack(T1, "name", artists, 2);
	struct artist a;
	struct album al;
	struct user u;

	(void)arg;
	fill_user(&u, "bob");
	assert_int_equal(store_put_user(t, &u), STORE_OK);
	put_play(t, "bob", 1000);
	assert_int_equal(store_put_track(t, &tr), STORE_OK);
	memset(&a, 0, sizeof(a));
	strlcpy(a.id, A1, sizeof(a.id));
	a.name = "a";
	a.genres[0] = "g";
	a.n_genres = 1;
	a.images[0].url = "u";
	a.n_images = 1;
	assert_int_equal(store_put_artist(t, &a), STORE_OK);
	memset(&al, 0, sizeof(al));
	strlcpy(al.id, L1, sizeof(al.id));
	al.name = "l";
	al.artists.ids = A1;
	al.artists.n = 1;
	assert_int_equal(store_put_album(t, &al), STORE_OK);
	put_week(t, "bob", P1, 5, artists, 2);
	put_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 7, artists, 2);
	put_gap(t, "bob", 100, 200);
	assert_int_equal(store_put_meta_i64(t, "m", 5), STORE_OK);
}

/* The damaged copies of one record: what to write, where. */
enum dmg_db { D_USERS, D_PLAYS, D_TRACKS, D_ARTISTS, D_ALBUMS, D_WEEKS,
    D_TOP, D_GAPS, D_META, D_CHANGES, D__MAX };

static const char *const dmg_name[D__MAX] = { "users", "plays", "tracks",
    "artists", "albums", "playlists", "top", "gaps", "meta", "changes" };

/* The key of the i-th damaged copy (i = 0 is the good original). */
static size_t
dmg_key(enum dmg_db db, int i, unsigned char *k)
{
	char id[ID_LEN + 1];

	switch (db) {
	case D_USERS:
		if (i == 0)
			return (size_t)snprintf((char *)k, 64, "bob");
		return (size_t)snprintf((char *)k, 64, "dmg%d", i);
	case D_PLAYS:
		return tk_play(k, "bob", 1000 + i);
	case D_TRACKS:
	case D_ARTISTS:
	case D_ALBUMS:
		if (i == 0) {
			memcpy(k, db == D_TRACKS ? T1 : db == D_ARTISTS ? A1 :
			    L1, ID_LEN);
			return ID_LEN;
		}
		snprintf(id, sizeof(id), "X%021d", i);
		memcpy(k, id, ID_LEN);
		return ID_LEN;
	case D_WEEKS:
		return tk_week(k, "bob", P1, 5 + i);
	case D_TOP:
		return tk_top(k, "bob", TOP_TRACKS, RANGE_SHORT, 7 + i);
	case D_GAPS:
		return tk_play(k, "bob", 100 + i);	/* same shape */
	case D_META:
		if (i == 0)
			return (size_t)snprintf((char *)k, 64, "m");
		return (size_t)snprintf((char *)k, 64, "m%d", i);
	case D_CHANGES:
	default:
		tk_be(k, (uint64_t)(1 + i), 8);
		return 8;
	}
}

static int dmg_count[D__MAX];

/*
 * For each database: every truncation of the good value, the value with
 * a byte appended, and the value with version byte 2.
 */
static void
write_damage(const char *dir)
{
	unsigned char k[128], *copy;
	struct raw r;
	MDB_val mk, mv, dv;
	MDB_dbi dbi;
	size_t cut;
	int db, i;

	raw_open(&r, dir);
	for (db = 0; db < D__MAX; db++) {
		dbi = raw_dbi(&r, dmg_name[db]);
		mk.mv_data = k;
		mk.mv_size = dmg_key(db, 0, k);
		assert_int_equal(mdb_get(r.txn, dbi, &mk, &mv), 0);
		copy = malloc(mv.mv_size + 1);
		assert_non_null(copy);
		memcpy(copy, mv.mv_data, mv.mv_size);
		copy[mv.mv_size] = 0;
		i = 1;
		for (cut = 0; cut <= mv.mv_size + 2; cut++, i++) {
			dv.mv_data = copy;
			if (cut < mv.mv_size)
				dv.mv_size = cut;	/* truncated */
			else if (cut == mv.mv_size)
				dv.mv_size = mv.mv_size + 1;	/* one more */
			else if (cut == mv.mv_size + 1) {
				copy[0] = 2;			/* version 2 */
				dv.mv_size = mv.mv_size;
			} else {
				copy[0] = 0;			/* version 0 */
				dv.mv_size = mv.mv_size;
			}
			mk.mv_size = dmg_key(db, i, k);
			assert_int_equal(mdb_put(r.txn, dbi, &mk, &dv, 0), 0);
		}
		dmg_count[db] = i - 1;
		free(copy);
	}
	raw_close(&r);
}

static void
body_damage_check(struct store_txn *t, void *arg)
{
	unsigned char k[128];
	char key[ID_LEN + 1];
	struct top_snapshot ts;
	struct playlist_week w;
	struct artist a;
	struct album al;
	struct track tr;
	struct play p;
	struct user u;
	struct seen s;
	size_t len;
	int64_t v;
	int i;
	char mbuf[16];

	(void)arg;
	/* The originals are intact... */
	assert_int_equal(store_get_user(t, "bob", &u), STORE_OK);
	assert_int_equal(store_get_play(t, "bob", 1000, &p), STORE_OK);
	assert_int_equal(store_get_track(t, T1, &tr), STORE_OK);
	assert_int_equal(store_get_meta_i64(t, "m", &v), STORE_OK);
	/* ...every damaged copy is STORE_ERR. */
	for (i = 1; i <= dmg_count[D_USERS]; i++) {
		dmg_key(D_USERS, i, k);
		assert_int_equal(store_get_user(t, (char *)k, &u), STORE_ERR);
	}
	for (i = 1; i <= dmg_count[D_PLAYS]; i++)
		assert_int_equal(store_get_play(t, "bob", 1000 + i, &p),
		    STORE_ERR);
	for (i = 1; i <= dmg_count[D_TRACKS]; i++) {
		snprintf(key, sizeof(key), "X%021d", i);
		assert_int_equal(store_get_track(t, key, &tr), STORE_ERR);
	}
	for (i = 1; i <= dmg_count[D_ARTISTS]; i++) {
		snprintf(key, sizeof(key), "X%021d", i);
		assert_int_equal(store_get_artist(t, key, &a), STORE_ERR);
	}
	for (i = 1; i <= dmg_count[D_ALBUMS]; i++) {
		snprintf(key, sizeof(key), "X%021d", i);
		assert_int_equal(store_get_album(t, key, &al), STORE_ERR);
	}
	for (i = 1; i <= dmg_count[D_WEEKS]; i++)
		assert_int_equal(store_get_playlist_week(t, "bob", P1, 5 + i,
		    &w), STORE_ERR);
	for (i = 1; i <= dmg_count[D_TOP]; i++)
		assert_int_equal(store_get_top(t, "bob", TOP_TRACKS,
		    RANGE_SHORT, 7 + i, &ts), STORE_ERR);
	for (i = 1; i <= dmg_count[D_META]; i++) {
		k[dmg_key(D_META, i, k)] = '\0';
		assert_int_equal(store_get_meta_i64(t, (char *)k, &v),
		    STORE_ERR);
		/*
		 * Raw meta values are the caller's bytes: only the version
		 * byte can be wrong (copies 1: empty, and the last two:
		 * versions 2 and 0); other lengths are valid raw values.
		 */
		len = sizeof(mbuf);
		assert_int_equal(store_get_meta(t, (char *)k, mbuf, &len),
		    i == 1 || i >= dmg_count[D_META] - 1 ? STORE_ERR :
		    STORE_OK);
	}
	/* Iterations stop at the first damaged record with STORE_ERR. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_users(t, seen_user, &s), STORE_ERR);
	assert_int_equal(store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, seen_play, &s), STORE_ERR);
	assert_int_equal(store_iter_tracks(t, seen_track, &s), STORE_ERR);
	assert_int_equal(store_iter_artists(t, seen_artist, &s), STORE_ERR);
	assert_int_equal(store_iter_albums(t, seen_album, &s), STORE_ERR);
	assert_int_equal(store_iter_playlist_weeks(t, "bob", P1, STORE_DESC,
	    seen_week, &s), STORE_ERR);
	assert_int_equal(store_iter_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
	    STORE_ASC, seen_top, &s), STORE_ERR);
	assert_int_equal(store_latest_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
	    &ts), STORE_ERR);
	assert_int_equal(store_iter_gaps(t, "bob", INT64_MIN, INT64_MAX,
	    STORE_ASC, seen_gap, &s), STORE_ERR);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_iter_changes(t, 0, seen_change, &s), STORE_ERR);
	assert_int_equal(s.n, 1);		/* the good first one */
}

/*
 * Proves that a value truncated anywhere, one byte too long, or with an
 * unknown version byte gives STORE_ERR (logged) for gets and iterations
 * of every database, and never a crash.
 */
static void
test_damaged_values(void **state)
{
	struct tu_fx *fx = *state;

	W(fx->st, body_damage_seed, NULL);
	store_close(fx->st);
	fx->st = NULL;
	write_damage(fx->dir);
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	R(fx->st, body_damage_check, NULL);
}

/* ---- what every record type does at its edges ---------------------------- */

/*
 * Counts calls and answers each with ret: every typed iteration's fn
 * goes through ctl_step, so one table row checks every iteration.
 */
struct ctl {
	int	n;
	int	ret;
};

static int
ctl_step(void *arg)
{
	struct ctl *c = arg;

	c->n++;
	return c->ret;
}

static int
ctl_user(const struct user *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_play(const struct play *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_track(const struct track *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_artist(const struct artist *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_album(const struct album *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_week(const struct playlist_week *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_top(const struct top_snapshot *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_gap(const struct gap *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_session(const struct session *r, void *a)
{
	(void)r;
	return ctl_step(a);
}

static int
ctl_agg(const struct agg_bucket *r, void *a)
{
	(void)r;
	return ctl_step(a);
}


/* Runs iteration i of the table below with fn answering ret. */
static int
ctl_iter(struct store_txn *t, int i, struct ctl *c)
{
	switch (i) {
	case 0:
		return store_iter_users(t, ctl_user, c);
	case 1:
		return store_iter_plays(t, "bob", INT64_MIN, INT64_MAX,
		    STORE_ASC, ctl_play, c);
	case 2:
		return store_iter_tracks(t, ctl_track, c);
	case 3:
		return store_iter_artists(t, ctl_artist, c);
	case 4:
		return store_iter_albums(t, ctl_album, c);
	case 5:
		return store_iter_playlist_weeks(t, "bob", NULL, STORE_DESC,
		    ctl_week, c);
	case 6:
		return store_iter_top(t, "bob", TOP_TRACKS, RANGE_SHORT,
		    STORE_DESC, ctl_top, c);
	case 7:
		return store_iter_gaps(t, "bob", INT64_MIN, INT64_MAX,
		    STORE_ASC, ctl_gap, c);
	case 8:
		return store_iter_sessions(t, NULL, ctl_session, c);
	case 9:
		return store_iter_sessions(t, "bob", ctl_session, c);
	case 10:
		return store_iter_agg(t, "bob", INT64_MIN, INT64_MAX,
		    STORE_ASC, ctl_agg, c);
	default:
		return -2;
	}
}

static void
body_edges(struct store_txn *t, void *arg)
{
	static const char ids[] = T1 T2;
	char longid[USER_ID_MAX + 2];
	struct top_snapshot ts;
	struct playlist_week w;
	struct session ses;
	struct artist a;
	struct album al;
	struct track tr;
	struct user u;
	struct gap g;
	struct play p;
	struct ctl c;
	int i;

	(void)arg;
	/* Two records of every type, so "stop" and "fail" are seen early. */
	for (i = 0; i < 2; i++) {
		fill_user(&u, i ? "bob" : "alice");
		assert_int_equal(store_put_user(t, &u), STORE_OK);
		put_play(t, "bob", i * STORE_AGG_BUCKET_MS);
		tr = mktrack(i ? T2 : T1, "x", NULL, 0);
		assert_int_equal(store_put_track(t, &tr), STORE_OK);
		memset(&a, 0, sizeof(a));
		strlcpy(a.id, i ? A2 : A1, sizeof(a.id));
		a.name = "a";
		assert_int_equal(store_put_artist(t, &a), STORE_OK);
		memset(&al, 0, sizeof(al));
		strlcpy(al.id, i ? P2 : L1, sizeof(al.id));
		al.name = al.album_type = al.release_date = "";
		assert_int_equal(store_put_album(t, &al), STORE_OK);
		put_week(t, "bob", P1, i, ids, 2);
		put_top(t, "bob", TOP_TRACKS, RANGE_SHORT, i, ids, 2);
		put_gap(t, "bob", i * 10, i * 10 + 5);
		memset(&ses, 0, sizeof(ses));
		strlcpy(ses.user, "bob", sizeof(ses.user));
		memset(ses.hash, 'a' + i, sizeof(ses.hash));
		ses.expires_at = 100;
		assert_int_equal(store_put_session(t, &ses), STORE_OK);
	}
	/* fn's 1 stops with STORE_OK, -1 fails with STORE_ERR: every type. */
	for (i = 0; i <= 10; i++) {
		c.n = 0;
		c.ret = 0;
		assert_int_equal(ctl_iter(t, i, &c), STORE_OK);
		assert_int_equal(c.n, 2);
		c.n = 0;
		c.ret = 1;
		assert_int_equal(ctl_iter(t, i, &c), STORE_OK);
		assert_int_equal(c.n, 1);
		c.n = 0;
		c.ret = -1;
		assert_int_equal(ctl_iter(t, i, &c), STORE_ERR);
		assert_int_equal(c.n, 1);
	}

	/* An ill-formed user or id: gets and deletes NOTFOUND, puts ERR. */
	memset(longid, 'u', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(store_get_user(t, longid, &u), STORE_NOTFOUND);
	assert_int_equal(store_del_user(t, longid), STORE_NOTFOUND);
	assert_int_equal(store_get_play(t, longid, 0, &p), STORE_NOTFOUND);
	assert_int_equal(store_del_play(t, "", 0), STORE_NOTFOUND);
	assert_int_equal(store_get_artist(t, "short", &a), STORE_NOTFOUND);
	assert_int_equal(store_get_album(t, NULL, &al), STORE_NOTFOUND);
	assert_int_equal(store_del_artist(t, "short"), STORE_NOTFOUND);
	assert_int_equal(store_get_playlist_week(t, "bob", "short", 0, &w),
	    STORE_NOTFOUND);
	assert_int_equal(store_get_playlist_week(t, "", P1, 0, &w),
	    STORE_NOTFOUND);
	assert_int_equal(store_del_playlist_week(t, "bob", "short", 0),
	    STORE_NOTFOUND);
	assert_int_equal(store_get_top(t, "", TOP_TRACKS, RANGE_SHORT, 0, &ts),
	    STORE_NOTFOUND);
	assert_int_equal(store_del_top(t, "", TOP_TRACKS, RANGE_SHORT, 0),
	    STORE_NOTFOUND);
	assert_int_equal(store_del_gap(t, "", 0), STORE_NOTFOUND);
	assert_int_equal(store_get_session(t, "", ses.hash, &ses),
	    STORE_NOTFOUND);
	assert_int_equal(store_del_session(t, longid, ses.hash),
	    STORE_NOTFOUND);
	/* ...a bad kind or range is an error before the user is looked at. */
	assert_int_equal(store_get_top(t, "", TOP_KIND__MAX, RANGE_SHORT, 0,
	    &ts), STORE_ERR);
	assert_int_equal(store_del_top(t, "", TOP_TRACKS, RANGE__MAX, 0),
	    STORE_ERR);
	assert_int_equal(store_iter_top(t, "", TOP_TRACKS, RANGE__MAX,
	    STORE_ASC, ctl_top, &c), STORE_ERR);

	strlcpy(u.id, "", sizeof(u.id));
	assert_int_equal(store_put_user(t, &u), STORE_ERR);
	p = mkplay(0, T1, "");
	assert_int_equal(store_put_play(t, "", &p), STORE_ERR);
	assert_int_equal(store_get_playlist_week(t, "bob", P1, 1, &w),
	    STORE_OK);
	assert_int_equal(store_put_playlist_week(t, "bob", &w), STORE_OK);
	strlcpy(w.playlist_id, "short", sizeof(w.playlist_id));
	assert_int_equal(store_put_playlist_week(t, "bob", &w), STORE_ERR);
	w.how = PLAYLIST__MAX;
	strlcpy(w.playlist_id, P1, sizeof(w.playlist_id));
	assert_int_equal(store_put_playlist_week(t, "bob", &w), STORE_ERR);
	assert_int_equal(store_get_top(t, "bob", TOP_TRACKS, RANGE_SHORT, 1,
	    &ts), STORE_OK);
	assert_int_equal(store_put_top(t, "", &ts), STORE_ERR);
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_put_gap(t, "", &g), STORE_ERR);
	strlcpy(ses.user, "", sizeof(ses.user));
	assert_int_equal(store_put_session(t, &ses), STORE_ERR);
	/* An album's images are bounded like an artist's. */
	memset(&al, 0, sizeof(al));
	strlcpy(al.id, L1, sizeof(al.id));
	al.name = al.album_type = al.release_date = "";
	al.n_images = IMAGES_MAX + 1;
	assert_int_equal(store_put_album(t, &al), STORE_ERR);
	al.n_images = 0;
	assert_int_equal(store_put_album(t, &al), STORE_EXISTS);
	/* A track with a bad id is refused. */
	tr = mktrack("short", "x", NULL, 0);
	assert_int_equal(store_put_track(t, &tr), STORE_ERR);
}

/*
 * Proves that every record type answers the same way at its edges: an
 * iteration's fn stops (1) or fails (-1) it, an ill-formed user or id
 * is STORE_NOTFOUND for gets and deletes and STORE_ERR for puts, and a
 * bad top kind or range is STORE_ERR.
 */
W_TEST(test_record_edges, body_edges)

/* ---- map growth, readers, other processes -------------------------------- */

struct fill {
	const char	*user;
	int		 n;
	int		 swallow;	/* ignore errors, return 0 anyway */
	int		 runs;
};

static int
fill_cb(struct store_txn *t, void *arg)
{
	struct fill *f = arg;
	struct play p = mkplay(0, T1, "spotify:playlist:" P1);
	int i;

	f->runs++;
	for (i = 0; i < f->n; i++) {
		p.played_at = i;
		if (store_put_play(t, f->user, &p) != STORE_OK && !f->swallow)
			return -1;
	}
	return 0;
}

static uint64_t
count_all(struct store *st, const char *user)
{
	struct store_txn *r;
	uint64_t n = 0;

	assert_non_null(r = store_reader(st));
	assert_int_equal(store_read_begin(r), STORE_OK);
	assert_int_equal(store_count_plays(r, user, INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	store_read_end(r);
	store_reader_free(r);
	return n;
}

/* A writable store of a TINY map, opened in the fixture's "tiny" subdir. */
static struct store *
open_tiny(const struct tu_fx *fx)
{
	struct store *st;
	char path[128];

	subdir(fx, "tiny", path, sizeof(path));
	assert_int_equal(store_open(&st, path, 0, TINY), STORE_OK);
	return st;
}

/*
 * Proves a 64 KiB map filled through store_write grows and reruns the
 * unit until everything fits, whether fn passes the error up or swallows
 * it, and all the data is there afterwards.
 */
static void
test_map_full_grows(void **state)
{
	struct fill f = { "bob", 20000, 0, 0 }, g = { "eve", 20000, 1, 0 };
	struct store_info info;
	struct store *st = open_tiny(*state);

	assert_int_equal(store_get_info(st, &info), STORE_OK);
	assert_int_equal(info.map_size, TINY);
	assert_int_equal(store_write(st, fill_cb, &f), STORE_OK);
	assert_true(f.runs > 1);
	assert_int_equal(store_get_info(st, &info), STORE_OK);
	assert_true(info.map_size >= 4 * TINY);
	assert_int_equal(count_all(st, "bob"), 20000);
	/* fn ignores every error and returns 0: the txn still knows. */
	assert_int_equal(store_write(st, fill_cb, &g), STORE_OK);
	assert_true(g.runs > 1);
	assert_int_equal(count_all(st, "eve"), 20000);
	assert_int_equal(count_all(st, "bob"), 20000);
	store_close(st);
}

/* The resident file pages of this process (RssFile in /proc/self/status). */
static long
rss_file_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	assert_non_null(f = fopen("/proc/self/status", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "RssFile: %ld", &kb) == 1)
			break;
	fclose(f);
	assert_true(kb >= 0);
	return kb;
}

static int
release_cb(struct store_txn *t, void *arg)
{
	struct store *st = arg;
	struct play p = mkplay(0, T2, "");
	struct play got;

	p.played_at = -5;
	assert_int_equal(store_put_play(t, "bob", &p), STORE_OK);
	assert_int_equal(store_release_pages(st), STORE_OK);
	assert_int_equal(store_get_play(t, "bob", 7, &got), STORE_OK);
	assert_string_equal(got.track_id, T1);
	assert_int_equal(store_get_play(t, "bob", -5, &got), STORE_OK);
	assert_string_equal(got.track_id, T2);
	return 0;
}

/*
 * Proves store_release_pages() gives back the map's pages a scan made
 * resident (RssFile falls), finds the map again after it was grown and
 * remapped, and changes nothing a reader or a write transaction sees:
 * a record read before it reads the same after, and a write that calls
 * it midway commits everything.
 */
static void
test_release_pages(void **state)
{
	struct fill f = { "bob", 20000, 0, 0 };
	struct store *st = open_tiny(*state);
	struct store_txn *r;
	struct play before, after;
	long touched, released;
	int64_t at;

	assert_int_equal(store_release_pages(st), STORE_OK);
	assert_int_equal(store_write(st, fill_cb, &f), STORE_OK);
	assert_true(f.runs > 1);		/* grown: remapped */

	assert_non_null(r = tu_read(st));
	assert_int_equal(store_get_play(r, "bob", 12345, &before), STORE_OK);
	/* Pages of all the plays made resident, then given back. */
	for (at = 0; at < 20000; at += 50)
		assert_int_equal(store_get_play(r, "bob", at, &after),
		    STORE_OK);
	touched = rss_file_kb();
	assert_int_equal(store_release_pages(st), STORE_OK);
	released = rss_file_kb();
	assert_true(released < touched);
	assert_int_equal(store_get_play(r, "bob", 12345, &after), STORE_OK);
	assert_int_equal(after.played_at, before.played_at);
	assert_string_equal(after.track_id, before.track_id);
	assert_string_equal(after.context_uri, before.context_uri);
	tu_read_done(r);

	assert_int_equal(store_write(st, release_cb, st), STORE_OK);
	assert_int_equal(count_all(st, "bob"), 20001);
	store_close(st);
}

/*
 * Proves growing is refused, cleanly, while a reader of the same process
 * is begun (a remap would move the map under it), and works after.
 */
static void
test_grow_waits_for_readers(void **state)
{
	struct fill f = { "bob", 20000, 0, 0 };
	struct store *st = open_tiny(*state);
	struct store_txn *r;
	uint64_t n;

	assert_non_null(r = tu_read(st));
	assert_int_equal(store_write(st, fill_cb, &f), STORE_ERR);
	assert_int_equal(f.runs, 1);
	/* The reader is unharmed. */
	assert_int_equal(store_count_plays(r, "bob", INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	assert_int_equal(n, 0);
	store_read_end(r);
	assert_int_equal(store_write(st, fill_cb, &f), STORE_OK);
	assert_int_equal(count_all(st, "bob"), 20000);
	store_reader_free(r);
	store_close(st);
}

static int
write_fail_cb(struct store_txn *t, void *arg)
{
	(void)arg;
	put_play(t, "bob", 42);
	return -1;
}

/* Proves fn returning -1 aborts: nothing of the unit is kept. */
static void
test_write_abort(void **state)
{
	struct tu_fx *fx = *state;

	assert_int_equal(store_write(fx->st, write_fail_cb, NULL), STORE_ERR);
	assert_int_equal(count_all(fx->st, "bob"), 0);
}

/*
 * Proves a reader sees a snapshot while begun, and the commits made
 * meanwhile after end + begin (reset/renew), over many cycles.
 */
static void
test_reader_renew(void **state)
{
	struct tu_fx *fx = *state;
	struct store_info info;
	struct store_txn *r;
	uint64_t n;
	int i;

	assert_non_null(r = store_reader(fx->st));
	assert_int_equal(store_read_begin(r), STORE_OK);
	assert_int_equal(store_read_begin(r), STORE_ERR);	/* twice */
	assert_int_equal(store_count_plays(r, "bob", INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	assert_int_equal(n, 0);
	W(fx->st, body_put_one_play, bob);
	/* Still the old snapshot. */
	assert_int_equal(store_count_plays(r, "bob", INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.readers_used, 1);
	store_read_end(r);
	store_read_end(r);					/* harmless */
	/* Reads outside begin/end fail cleanly. */
	assert_int_equal(store_count_plays(r, "bob", INT64_MIN, INT64_MAX, &n),
	    STORE_ERR);
	assert_int_equal(store_read_begin(r), STORE_OK);
	assert_int_equal(store_count_plays(r, "bob", INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	assert_int_equal(n, 1);
	store_read_end(r);
	for (i = 0; i < 2000; i++) {
		assert_int_equal(store_read_begin(r), STORE_OK);
		assert_int_equal(store_count_plays(r, "bob", 0, 2000, &n),
		    STORE_OK);
		assert_int_equal(n, 1);
		store_read_end(r);
	}
	store_reader_free(r);
	store_reader_free(NULL);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.readers_used, 0);
}

/*
 * Proves MDB_MAP_RESIZED is handled: a child process grows the map of a
 * 64 KiB store far past the parent's mapping; the parent's reader and
 * writer then adopt the new size and see every record.
 */
static void
test_map_resized(void **state)
{
	struct tu_fx *fx = *state;
	struct fill f = { "bob", 1, 0, 0 };
	struct store_info info;
	struct store_txn *r, *r2;
	struct store *st;
	char path[128];
	uint64_t n;
	pid_t pid;
	int status;

	subdir(fx, "shared", path, sizeof(path));
	assert_int_equal(store_open(&st, path, 0, TINY), STORE_OK);
	assert_int_equal(store_write(st, fill_cb, &f), STORE_OK);
	assert_non_null(r = store_reader(st));
	assert_int_equal(store_read_begin(r), STORE_OK);
	store_read_end(r);
	assert_non_null(r2 = store_reader(st));
	assert_int_equal(store_read_begin(r2), STORE_OK);

	if ((pid = fork()) == 0) {
		struct store *cst;
		struct fill cf = { "kid", 20000, 0, 0 };

		if (store_open(&cst, path, 0, TINY) != STORE_OK)
			_exit(2);
		if (store_write(cst, fill_cb, &cf) != STORE_OK)
			_exit(3);
		store_close(cst);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	assert_int_equal(store_get_info(st, &info), STORE_OK);
	assert_int_equal(info.map_size, TINY);
	/* While r2 (old snapshot) is begun, r cannot adopt the new size. */
	assert_int_equal(store_read_begin(r), STORE_ERR);
	assert_int_equal(store_count_plays(r2, "bob", INT64_MIN, INT64_MAX,
	    &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_count_plays(r2, "kid", INT64_MIN, INT64_MAX,
	    &n), STORE_OK);
	assert_int_equal(n, 0);
	store_reader_free(r2);		/* ends it too */
	assert_int_equal(store_read_begin(r), STORE_OK);
	assert_int_equal(store_count_plays(r, "kid", INT64_MIN, INT64_MAX, &n),
	    STORE_OK);
	assert_int_equal(n, 20000);
	store_read_end(r);
	assert_int_equal(store_get_info(st, &info), STORE_OK);
	assert_true(info.map_size > 16 * TINY);
	store_reader_free(r);
	/* The parent writes into the grown map too. */
	f.user = "dad";
	f.n = 100;
	assert_int_equal(store_write(st, fill_cb, &f), STORE_OK);
	assert_int_equal(count_all(st, "dad"), 100);
	store_close(st);
}

/*
 * A child that takes reader slots with raw LMDB and dies holding them
 * (up to want, or until the table is full).  Returns how many it took.
 */
static int
leave_stale_readers(const char *dir, int want)
{
	int fds[2], taken = 0;
	pid_t pid;
	int status;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		MDB_env *env;
		MDB_txn *txn;
		int i;

		close(fds[0]);
		if (mdb_env_create(&env) != 0 ||
		    mdb_env_open(env, dir, MDB_NOTLS | MDB_RDONLY, 0600) != 0)
			_exit(2);
		for (i = 0; i < want; i++)
			if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
				break;
		if (write(fds[1], &i, sizeof(i)) != sizeof(i))
			_exit(3);
		_exit(0);		/* without ending anything */
	}
	close(fds[1]);
	assert_true(pid > 0);
	assert_int_equal(read(fds[0], &taken, sizeof(taken)), sizeof(taken));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return taken;
}

/* Proves slots left by a killed process are cleared by the next open. */
static void
test_stale_readers_at_open(void **state)
{
	struct tu_fx *fx = *state;
	struct store_info info;

	assert_int_equal(leave_stale_readers(fx->dir, 5), 5);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.readers_used, 5);
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(store_open(&fx->st, fx->dir, 0, 0), STORE_OK);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.readers_used, 0);
}

/*
 * Proves MDB_READERS_FULL is handled: with every slot held by a dead
 * process, beginning a reader clears them and succeeds.
 */
static void
test_readers_full(void **state)
{
	struct tu_fx *fx = *state;
	struct store_info info;
	struct store_txn *r;
	int taken;

	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	taken = leave_stale_readers(fx->dir, (int)info.readers_max + 10);
	assert_int_equal(taken, (int)info.readers_max);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.readers_used, info.readers_max);
	assert_non_null(r = store_reader(fx->st));
	assert_int_equal(store_read_begin(r), STORE_OK);
	assert_int_equal(store_get_info(fx->st, &info), STORE_OK);
	assert_int_equal(info.readers_used, 1);
	store_read_end(r);
	store_reader_free(r);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, tu_fx_teardown)
TU_MAIN(NULL, NULL,
	T(test_open_creates),
	T(test_open_rdonly),
	T(test_rdonly_reads_not_writes),
	T(test_newer_schema_refused),
	T(test_users),
	T(test_play_round_trip),
	T(test_play_order),
	T(test_play_ranges),
	T(test_iter_control),
	T(test_entities),
	T(test_get_tracks),
	T(test_change_log),
	T(test_change_log_trim),
	T(test_playlists),
	T(test_top),
	T(test_gaps),
	T(test_purge),
	T(test_meta),
	T(test_layout),
	T(test_damaged_values),
	T(test_record_edges),
	T(test_map_full_grows),
	T(test_release_pages),
	T(test_grow_waits_for_readers),
	T(test_write_abort),
	T(test_reader_renew),
	T(test_map_resized),
	T(test_stale_readers_at_open),
	T(test_readers_full),
)
#undef T
