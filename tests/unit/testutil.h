/*
 * testutil.h — what the unit tests and the test tools (tests/tools/) share:
 * a store opened in a fresh temporary directory and removed afterwards
 * (the cmocka fixture struct tu_fx, optionally with a first write),
 * removing a directory tree, the seeded xorshift generator that makes
 * "random" tests repeatable, the synthetic track ids and plays of the
 * store tests, the tools' base-62 ids, a user purged in a transaction of
 * its own, a play put or deleted in one, a reader begun for one read, a
 * user's play times, and, through raw LMDB with the store closed,
 * turning the plays of a store back into an older schema's layout,
 * dropping databases and writing the schema version for the migration
 * tests; the store tests' shared fixtures (a test that is one write, one
 * random put-or-delete step, an album, a gap or a top list put, a table
 * of parser cases); for the reader's tests their two users and their
 * track, a plain GET request and a request body read from a string; a
 * time zone file of a test's own; the test tools' operands; and every
 * test program's main().
 *
 * Header-only, every function static inline, so that each test program
 * still links lib/ only and unused helpers cost nothing.  No cmocka here:
 * the tools include it too.
 *
 * Error convention: 0 / -1, like lib/.
 */
#ifndef LN_TESTUTIL_H
#define LN_TESTUTIL_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "buf.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "tz.h"

/* A store open in its own directory, for one test. */
struct tu_fx {
	char		 dir[64];
	struct store	*st;
};

static inline int
tu_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Removes top and everything below it.  Returns 0, or -1. */
static inline int
tu_rmtree(const char *top)
{
	return nftw(top, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/*
 * cmocka setup of tests that start from some data: logs as prog to
 * stderr, makes /tmp/ln-<prog>-XXXXXX, opens a writable store in it and,
 * unless fn is NULL, runs fn with arg in one write transaction of it.
 * *state gets the struct tu_fx, which tu_fx_teardown() closes, removes
 * and frees.  Returns 0, or -1 with nothing left behind.
 */
static inline int
tu_fx_setup_with(void **state, const char *prog, store_write_fn fn,
    void *arg)
{
	struct tu_fx *fx;

	log_init(prog, 0, 0);
	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	if ((size_t)snprintf(fx->dir, sizeof(fx->dir), "/tmp/ln-%s-XXXXXX",
	    prog) >= sizeof(fx->dir) || mkdtemp(fx->dir) == NULL)
		goto free;
	if (store_open(&fx->st, fx->dir, 0, 0) != STORE_OK)
		goto rmdir;
	if (fn != NULL && store_write(fx->st, fn, arg) != STORE_OK)
		goto close;
	*state = fx;
	return 0;
close:
	store_close(fx->st);
rmdir:
	(void)tu_rmtree(fx->dir);
free:
	free(fx);
	return -1;
}

/* cmocka setup: tu_fx_setup_with() of prog, nothing written. */
static inline int
tu_fx_setup(void **state, const char *prog)
{
	return tu_fx_setup_with(state, prog, NULL, NULL);
}

/* Defines static int fn(void **state), the tu_fx_setup() of prog. */
#define TU_FX_SETUP(fn, prog)						\
static int								\
fn(void **state)							\
{									\
	return tu_fx_setup(state, prog);				\
}

/* The users of the store tests whose ids share prefixes (no overrun). */
static const char *const tu_users[] = { "bo", "bob", "bobby" };
#define TU_NUSERS	3
_Static_assert(sizeof(tu_users) / sizeof(tu_users[0]) == TU_NUSERS,
    "TU_NUSERS counts tu_users");

/* cmocka teardown of tu_fx_setup(): closes the store, removes its files. */
static inline int
tu_fx_teardown(void **state)
{
	struct tu_fx *fx = *state;

	store_close(fx->st);
	(void)tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/*
 * The next number of the xorshift64 sequence whose state is *s (never 0).
 * Each test keeps its own seeded state, so its "random" data is the same
 * on every run.
 */
static inline uint64_t
tu_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The id of synthetic track i: "TRACK" and i zero-padded to 22 characters. */
static inline void
tu_track_id(int i, char out[ID_LEN + 1])
{
	snprintf(out, ID_LEN + 1, "TRACK%017d", i);
}

/* The ids of artist and album i, made the same way. */
static inline void
tu_artist_id(int i, char out[ID_LEN + 1])
{
	snprintf(out, ID_LEN + 1, "ARTIST%016d", i);
}

static inline void
tu_album_id(int i, char out[ID_LEN + 1])
{
	snprintf(out, ID_LEN + 1, "ALBUM%017d", i);
}

/*
 * A Spotify-shaped id into out: the letter prefix, then n in base 62,
 * zero-padded to ID_LEN characters (the test tools' generated catalogs).
 */
static inline void
tu_b62_id(char out[ID_LEN + 1], char prefix, uint64_t n)
{
	static const char digits[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	int i;

	out[0] = prefix;
	for (i = ID_LEN - 1; i > 0; i--) {
		out[i] = digits[n % 62];
		n /= 62;
	}
	out[ID_LEN] = '\0';
}

/*
 * Puts synthetic track i ("a track", no URI) of duration_ms into txn.
 * Returns 0, or -1.
 */
static inline int
tu_put_track(struct store_txn *txn, int i, uint32_t duration_ms)
{
	struct track tr;

	memset(&tr, 0, sizeof(tr));
	tu_track_id(i, tr.id);
	tr.name = "a track";
	tr.uri = "";
	tr.duration_ms = duration_ms;
	return store_put_track(txn, &tr) == STORE_ERR ? -1 : 0;
}

/*
 * Fills *p as the untimed play of track (an id) at ms: no context,
 * ms_played unknown (-1), the rest zero.
 */
static inline void
tu_untimed(struct play *p, int64_t at, const char *track)
{
	memset(p, 0, sizeof(*p));
	p->played_at = at;
	strlcpy(p->track_id, track, sizeof(p->track_id));
	p->context_uri = "";
	p->ms_played = -1;
}

/* Fills *p as the untimed play of synthetic track i (tu_track_id()). */
static inline void
tu_play(struct play *p, int64_t at, int i)
{
	char id[ID_LEN + 1];

	tu_track_id(i, id);
	tu_untimed(p, at, id);
}

/*
 * What tu_play_write() hands its write: user's play p to put, or (del)
 * to delete at p->played_at; fail aborts the transaction after it; rc
 * gets what the put or the delete returned.
 */
struct tu_play_op {
	const char		*user;
	const struct play	*p;
	int			 del, fail;
	int			 rc;
};

static inline int
tu_play_op_write(struct store_txn *txn, void *arg)
{
	struct tu_play_op *o = arg;

	o->rc = o->del ? store_del_play(txn, o->user, o->p->played_at) :
	    store_put_play(txn, o->user, o->p);
	if (o->rc == STORE_ERR)
		return -1;
	return o->fail ? -1 : 0;
}

/*
 * Puts user's play p (del: deletes user's play at p->played_at) in a
 * write transaction of its own of st, aborted after it when fail is set.
 * Returns what the put or delete returned (STORE_OK, STORE_EXISTS,
 * STORE_NOTFOUND) when the transaction committed, else STORE_ERR.
 */
static inline int
tu_play_write(struct store *st, const char *user, const struct play *p,
    int del, int fail)
{
	struct tu_play_op o = { user, p, del, fail, STORE_ERR };

	if (store_write(st, tu_play_op_write, &o) != STORE_OK)
		return STORE_ERR;
	return o.rc;
}

/* What tu_purge() hands its write: the user, then what the purge said. */
struct tu_purge_arg {
	const char	*user;
	uint64_t	 n;
	int		 rc;
};

static inline int
tu_purge_write(struct store_txn *txn, void *arg)
{
	struct tu_purge_arg *a = arg;

	a->rc = store_purge_user(txn, a->user, &a->n);
	return a->rc == STORE_ERR ? -1 : 0;
}

/*
 * store_purge_user() of user in its own write transaction of st; *n (when
 * not NULL) gets how many records went.  Returns store_purge_user()'s
 * STORE_OK or STORE_NOTFOUND, or STORE_ERR when it or the commit failed.
 */
static inline int
tu_purge(struct store *st, const char *user, uint64_t *n)
{
	struct tu_purge_arg a = { user, 0, STORE_ERR };

	if (store_write(st, tu_purge_write, &a) != STORE_OK)
		return STORE_ERR;
	if (n != NULL)
		*n = a.n;
	return a.rc;
}

/* Where tu_play_times() collects: up to max times into v. */
struct tu_times {
	int64_t		*v;
	size_t		 max, n;
};

static inline int
tu_times_add(const struct play *p, void *arg)
{
	struct tu_times *t = arg;

	if (t->n < t->max)
		t->v[t->n++] = p->played_at;
	return 0;
}

/*
 * The times of user's plays in txn, oldest first, into v: the first max
 * of them; *n gets how many.  Returns 0, or -1 when the store fails.
 */
static inline int
tu_play_times(struct store_txn *txn, const char *user, int64_t *v,
    size_t max, size_t *n)
{
	struct tu_times t = { v, max, 0 };
	int rc;

	rc = store_iter_plays(txn, user, INT64_MIN, INT64_MAX, STORE_ASC,
	    tu_times_add, &t);
	*n = t.n;
	return rc == STORE_OK ? 0 : -1;
}

/*
 * A reader of st with its read transaction begun (store_reader(),
 * store_read_begin()), for a test to read through; tu_read_done() ends
 * and frees it.  Returns NULL when either fails.
 */
static inline struct store_txn *
tu_read(struct store *st)
{
	struct store_txn *rd;

	if ((rd = store_reader(st)) == NULL)
		return NULL;
	if (store_read_begin(rd) != STORE_OK) {
		store_reader_free(rd);
		return NULL;
	}
	return rd;
}

static inline void
tu_read_done(struct store_txn *rd)
{
	store_read_end(rd);
	store_reader_free(rd);
}

/*
 * Rewrites every value of the "plays" database in txn (a raw LMDB write
 * transaction) in the layout of schema version 4 and older, which ended
 * before the 8-byte prev_played_at.  The keys and values are copied out
 * first, so no cursor walks the database while it changes.  Returns 0, or
 * -1 when LMDB fails or memory runs out.
 */
static inline int
tu_plays_before_v5(MDB_txn *txn)
{
	MDB_dbi plays;
	MDB_cursor *c;
	MDB_val k, v, *kv = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	if (mdb_dbi_open(txn, "plays", 0, &plays) != 0 ||
	    mdb_cursor_open(txn, plays, &c) != 0)
		return -1;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (v.mv_size < 8)
			goto out;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 256;
			if ((tmp = reallocarray(kv, cap, sizeof(*kv))) == NULL)
				goto out;
			kv = tmp;
		}
		kv[n].mv_size = k.mv_size;
		kv[n + 1].mv_size = v.mv_size - 8;
		if ((kv[n].mv_data = malloc(k.mv_size)) == NULL)
			goto out;
		if ((kv[n + 1].mv_data = malloc(v.mv_size)) == NULL) {
			free(kv[n].mv_data);
			goto out;
		}
		memcpy(kv[n].mv_data, k.mv_data, k.mv_size);
		memcpy(kv[n + 1].mv_data, v.mv_data, v.mv_size - 8);
		n += 2;
	}
	if (rc != MDB_NOTFOUND)
		goto out;
	for (i = 0; i < n; i += 2)
		if (mdb_put(txn, plays, &kv[i], &kv[i + 1], 0) != 0)
			goto out;
	ret = 0;
out:
	mdb_cursor_close(c);
	for (i = 0; i < n; i++)
		free(kv[i].mv_data);
	free(kv);
	return ret;
}

/*
 * Opens the store's LMDB environment in dir raw (the store closed) into
 * *env and begins a transaction in it into *txn, read-only when rdonly.
 * Returns 0, or -1 with nothing left open.
 */
static inline int
tu_raw_open(const char *dir, int rdonly, MDB_env **env, MDB_txn **txn)
{
	if (mdb_env_create(env) != 0)
		return -1;
	if (mdb_env_set_maxdbs(*env, 32) != 0 ||
	    mdb_env_open(*env, dir, MDB_NOTLS | (rdonly ? MDB_RDONLY : 0),
	    0600) != 0 ||
	    mdb_txn_begin(*env, NULL, rdonly ? MDB_RDONLY : 0, txn) != 0) {
		mdb_env_close(*env);
		return -1;
	}
	return 0;
}

/* Deletes the database name in txn (a raw write transaction).  0 or -1. */
static inline int
tu_raw_drop(MDB_txn *txn, const char *name)
{
	MDB_dbi dbi;

	if (mdb_dbi_open(txn, name, 0, &dbi) != 0 ||
	    mdb_drop(txn, dbi, 1) != 0)
		return -1;
	return 0;
}

/*
 * Writes schema version ver as the meta value "schema_version" in txn
 * (from tu_raw_open()), commits txn and closes env, either way.  Returns
 * 0, or -1 when LMDB fails.
 */
static inline int
tu_raw_set_version(MDB_env *env, MDB_txn *txn, unsigned char ver)
{
	unsigned char b[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	MDB_val k = { 14, (void *)(uintptr_t)"schema_version" };
	MDB_val v = { sizeof(b), b };
	MDB_dbi dbi;
	int rc = -1;

	b[8] = ver;
	if (mdb_dbi_open(txn, "meta", 0, &dbi) != 0 ||
	    mdb_put(txn, dbi, &k, &v, 0) != 0)
		mdb_txn_abort(txn);
	else if (mdb_txn_commit(txn) == 0)
		rc = 0;
	mdb_env_close(env);
	return rc;
}

/*
 * Writes the two users the reader's tests ask for into txn: "alice",
 * public, and "bob", private, both with refresh token rt and access token
 * at ("" for none).  Returns 0, or -1.
 */
static inline int
tu_put_alice_bob(struct store_txn *txn, const char *rt, const char *at)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.id, "alice", sizeof(u.id));
	strlcpy(u.refresh_token, rt, sizeof(u.refresh_token));
	strlcpy(u.access_token, at, sizeof(u.access_token));
	u.visibility = VIS_PUBLIC;
	if (store_put_user(txn, &u) == STORE_ERR)
		return -1;
	strlcpy(u.id, "bob", sizeof(u.id));
	u.visibility = VIS_PRIVATE;
	return store_put_user(txn, &u) == STORE_ERR ? -1 : 0;
}

/* The track of the reader's tests: "Masterpiece", nothing else known. */
#define TU_MASTERPIECE	"4iV5W9uYEdYUVa79Axb7Rh"

/* Writes the track TU_MASTERPIECE into txn.  Returns 0, or -1. */
static inline int
tu_put_masterpiece(struct store_txn *txn)
{
	struct track t;

	memset(&t, 0, sizeof(t));
	strlcpy(t.id, TU_MASTERPIECE, sizeof(t.id));
	t.name = "Masterpiece";
	t.uri = "spotify:track:" TU_MASTERPIECE;
	return store_put_track(txn, &t) == STORE_ERR ? -1 : 0;
}

/* ---- the store tests' shared fixtures (lib_imports.c, lib_export.c, ...) */

/*
 * Defines the cmocka test name() (cmocka.h included first), which runs
 * fn, a store_write_fn taking no argument, in one write transaction of
 * the tu_fx fixture's store and asserts it committed: for a test whose
 * every check is inside fn.
 */
#define TU_WRITE_TEST(name, fn)						\
static void								\
name(void **state)							\
{									\
	struct tu_fx *fx_ = *state;					\
									\
	assert_int_equal(store_write(fx_->st, (fn), NULL), STORE_OK);	\
}

/* Fills *p as a play at at, drawing what else it needs from *rng. */
typedef void (*tu_rand_play_fn)(struct play *p, int64_t at, uint64_t *rng);

/*
 * Where a step of a store test's random work falls, drawn from the
 * xorshift state *rng (tu_rand()): a user of tu_users, returned, then a
 * time in [base, base + span) into *at.
 */
static inline const char *
tu_rand_user_at(uint64_t *rng, int64_t base, int64_t span, int64_t *at)
{
	const char *u = tu_users[tu_rand(rng) % TU_NUSERS];

	*at = base + (int64_t)(tu_rand(rng) % (uint64_t)span);
	return u;
}

/*
 * A random step on user u's plays at at (tu_rand_user_at()) in txn: one
 * step in five (drawn from *rng) deletes u's play there, the others put
 * the play fill() makes for that time.  Returns 0 when the delete said
 * STORE_OK or STORE_NOTFOUND, or the put STORE_OK or STORE_EXISTS; -1 when
 * either said STORE_ERR; 1 for an answer it may not give.
 */
static inline int
tu_rand_play_step(struct store_txn *txn, uint64_t *rng, const char *u,
    int64_t at, tu_rand_play_fn fill)
{
	struct play p;
	int rc;

	if (tu_rand(rng) % 5 == 0) {
		rc = store_del_play(txn, u, at);
		if (rc == STORE_OK || rc == STORE_NOTFOUND)
			return 0;
	} else {
		fill(&p, at, rng);
		rc = store_put_play(txn, u, &p);
		if (rc == STORE_OK || rc == STORE_EXISTS)
			return 0;
	}
	return rc == STORE_ERR ? -1 : 1;
}

/*
 * Puts into txn the album id, name, released on release_date ("" for
 * unknown), of the one artist artist, an "album" with nothing else known.
 * Returns what store_put_album() returned.
 */
static inline int
tu_put_album(struct store_txn *txn, const char *id, const char *name,
    const char *release_date, const char *artist)
{
	struct album al;

	memset(&al, 0, sizeof(al));
	strlcpy(al.id, id, sizeof(al.id));
	al.name = name;
	al.album_type = "album";
	al.release_date = release_date;
	al.artists.ids = artist;
	al.artists.n = 1;
	return store_put_album(txn, &al);
}

/*
 * Puts into txn user's gap from from_ms to to_ms, nothing else known.
 * Returns what store_put_gap() returned.
 */
static inline int
tu_put_gap(struct store_txn *txn, const char *user, int64_t from_ms,
    int64_t to_ms)
{
	struct gap g;

	memset(&g, 0, sizeof(g));
	g.from_ms = from_ms;
	g.to_ms = to_ms;
	return store_put_gap(txn, user, &g);
}

/*
 * Puts into txn user's top list of kind and range taken on day (days
 * since 1970) and confirmed a second into it, the n ids in ids.  Returns
 * what store_put_top() returned.
 */
static inline int
tu_put_top(struct store_txn *txn, const char *user, enum top_kind kind,
    enum top_range range, int32_t day, const char *ids, uint32_t n)
{
	struct top_snapshot ts;

	memset(&ts, 0, sizeof(ts));
	ts.kind = kind;
	ts.range = range;
	ts.day = day;
	ts.confirmed_at = (int64_t)day * 86400 + 1;
	ts.ids.ids = ids;
	ts.ids.n = n;
	return store_put_top(txn, user, &ts);
}

/* A name, and what a parser of names (int fn(const char *)) should say. */
struct tu_parse_case {
	const char	*in;
	int		 want;
};

/*
 * Runs fn on the n cases c.  Returns -1 when fn gives each its want, else
 * the index of the first it gets wrong, after saying which on stderr.
 */
static inline long
tu_parse_cases(int (*fn)(const char *), const struct tu_parse_case *c,
    size_t n)
{
	size_t i;
	int got;

	for (i = 0; i < n; i++)
		if ((got = fn(c[i].in)) != c[i].want) {
			fprintf(stderr, "\"%s\": %d, not %d\n", c[i].in, got,
			    c[i].want);
			return (long)i;
		}
	return -1;
}

/* ---- end of the store tests' shared fixtures */

#ifdef LN_HTTP_H
/*
 * For the reader's tests and tools (fcgi/http.h included before this
 * file): *q as a GET of path with no query string, content type,
 * If-None-Match, other header or body.
 */
static inline void
tu_req_get(struct req *q, const char *path)
{
	memset(q, 0, sizeof(*q));
	q->method = HTTP_GET;
	q->path = path;
	q->query = "";
	q->content_type = "";
	q->if_none_match = "";
}
#endif

/* A request body served from a string, for the reader's tests. */
struct tu_body {
	const char	*p;
};

/* The reader's body function (struct req's body_fn) over a tu_body. */
static inline int
tu_body_read(void *ctx, struct buf *out, size_t max)
{
	struct tu_body *b = ctx;
	size_t n = strlen(b->p);

	return buf_add(out, b->p, n < max ? n : max);
}

/*
 * A tool's operands after getopt() (tests/tools/): skips the options in
 * *argc and *argv, and calls usage(), which does not return, unless the
 * store's directory (-d: db) and at least one operand were given.
 */
static inline void
tu_tool_operands(int *argc, char ***argv, const char *db,
    void (*usage)(void))
{
	*argc -= optind;
	*argv += optind;
	if (db == NULL || *argc < 1)
		usage();
}

/* ---- a time zone of a test's own (lib_tz.c, lib_insights.c) ----------- */

/* A temporary TZDIR for one test, where it writes the TZif file of "Test". */
struct tu_zone {
	char	dir[64];
	char	path[128];	/* dir/Test */
};

/* cmocka teardown of tu_zone_setup(): removes the directory, frees. */
static inline int
tu_zone_teardown(void **state)
{
	struct tu_zone *zf = *state;

	(void)tu_rmtree(zf->dir);
	free(zf);
	return 0;
}

/*
 * cmocka setup: makes /tmp/ln-tz-XXXXXX (no zone in it yet); *state gets
 * the struct tu_zone.  Returns 0, or -1 with nothing left behind.
 */
static inline int
tu_zone_setup(void **state)
{
	struct tu_zone *zf;

	if ((zf = calloc(1, sizeof(*zf))) == NULL)
		return -1;
	(void)strlcpy(zf->dir, "/tmp/ln-tz-XXXXXX", sizeof(zf->dir));
	if (mkdtemp(zf->dir) == NULL) {
		free(zf);
		return -1;
	}
	(void)snprintf(zf->path, sizeof(zf->path), "%s/Test", zf->dir);
	*state = zf;
	return 0;
}

/*
 * Loads the zone "Test" from the file the test wrote at zf->path, TZDIR
 * pointing at zf->dir for this load only.  Returns tz_load()'s result.
 */
static inline int
tu_zone_load(struct tz **z, const struct tu_zone *zf)
{
	int rc;

	if (setenv("TZDIR", zf->dir, 1) == -1)
		return -1;
	rc = tz_load(z, "Test");
	(void)unsetenv("TZDIR");
	return rc;
}

/* How many elements the array a holds. */
#define TU_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The main() of a cmocka test program (cmocka.h included first): runs
 * the tests given (CMUnitTest initializers, a trailing comma allowed) as
 * one group with group setup gs and teardown gt (NULL for none) and
 * returns how many failed.
 */
#define TU_MAIN(gs, gt, ...)						\
int									\
main(void)								\
{									\
	const struct CMUnitTest tests[] = { __VA_ARGS__ };		\
									\
	return cmocka_run_group_tests(tests, gs, gt);			\
}

#endif
