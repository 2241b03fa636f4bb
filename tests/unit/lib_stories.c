/*
 * lib_stories.c — unit tests of the story pages' computations: the
 * store's reads of the plays-by-track index (store_iter_track_times,
 * store_iter_user_tracks), the catalog (lib/catalog.c: an artist's and
 * an album's tracks, the search), the stories (lib/stories.c) and the
 * charts (lib/charts.c, over the store's per-entity day counts).
 *
 * The reference is naive: every play of the generated journal read back
 * with store_iter_plays() and every entity with store_iter_tracks(),
 * counted by hand.  The journal has twelve tracks by four artists (one
 * track credited to two) on three albums, accented names, random plays
 * of two users (ids "al" and "alf": one a prefix of the other) with
 * planted runs and long absences, so a story that read the wrong user or
 * merged runs across another track's play would show.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "charts.h"
#include "fold.h"
#include "json.h"
#include "stories.h"
#include "store.h"
#include "testutil.h"
#include "tz.h"

#define NTRACKS		12
#define NARTISTS	4
#define NALBUMS		3
#define NPLAYS		3000
#define T0		1500000000000LL	/* 2017-07-14 */
#define MINUTE		60000LL

static const char *const users[] = { "al", "alf" };
static const char *const artist_names[NARTISTS] = {
	"Björk", "Sigur Rós", "ΣΊΓΜΑ", "Кино" };
static const char *const album_names[NALBUMS] = {
	"Homogenic", "Ágætis byrjun", "Группа крови" };
static uint64_t rng = 0x2545f4914f6cdd1dULL;


static int
fill(struct store_txn *t, void *arg)
{
	char ids[2][ID_LEN + 1], name[64];
	struct track tr;
	struct artist ar;
	struct album al;
	struct play p;
	int i, k, run;
	int64_t at = T0;

	(void)arg;
	for (i = 0; i < NARTISTS; i++) {
		memset(&ar, 0, sizeof(ar));
		tu_artist_id(i, ar.id);
		ar.name = artist_names[i];
		assert_int_equal(store_put_artist(t, &ar), STORE_OK);
	}
	for (i = 0; i < NALBUMS; i++) {
		memset(&al, 0, sizeof(al));
		tu_album_id(i, al.id);
		al.name = album_names[i];
		al.album_type = "album";
		al.release_date = "2001";
		assert_int_equal(store_put_album(t, &al), STORE_OK);
	}
	for (i = 0; i < NTRACKS; i++) {
		memset(&tr, 0, sizeof(tr));
		tu_track_id(i, tr.id);
		snprintf(name, sizeof(name), "Söng %d", i);
		tr.name = name;
		tr.uri = "spotify:track:x";
		tu_album_id(i % NALBUMS, tr.album_id);
		tu_artist_id(i % NARTISTS, ids[0]);
		tu_artist_id((i + 1) % NARTISTS, ids[1]);
		{
			char packed[2 * ID_LEN];

			memcpy(packed, ids[0], ID_LEN);
			memcpy(packed + ID_LEN, ids[1], ID_LEN);
			tr.artists.ids = packed;
			tr.artists.n = i == 5 ? 2 : 1;	/* one duet */
			tr.duration_ms = 180000 + (uint32_t)i * 1000;
			assert_int_equal(store_put_track(t, &tr), STORE_OK);
		}
	}
	for (i = 0; i < NPLAYS; ) {
		run = tu_rand(&rng) % 10 == 0 ? 2 + (int)(tu_rand(&rng) % 8) : 1;
		k = (int)(tu_rand(&rng) % NTRACKS);
		for (; run > 0 && i < NPLAYS; run--, i++) {
			memset(&p, 0, sizeof(p));
			at += (int64_t)(1 + tu_rand(&rng) % 600) * MINUTE;
			if (tu_rand(&rng) % 200 == 0)
				at += 200LL * 86400000;	/* an absence */
			p.played_at = at;
			tu_track_id(k, p.track_id);
			p.context_uri = k % 2 ? "spotify:album:x" : "";
			p.ms_played = k % 3 ? -1 : 100000;
			assert_int_equal(store_put_play(t,
			    users[tu_rand(&rng) % 4 == 0], &p), STORE_OK);
		}
	}
	return 0;
}

static int
setup(void **state)
{
	struct tu_fx *fx;

	if (tu_fx_setup(state, "lib_stories_test") == -1)
		return -1;
	fx = *state;
	return store_write(fx->st, fill, NULL) == STORE_OK ? 0 : -1;
}

/* ---- the naive journal ---------------------------------------------------- */

struct nplay {
	int64_t		 at;
	int		 track;
	int32_t		 ms_played;
};

struct naive {
	struct nplay	 p[NPLAYS];
	size_t		 n;
};

static int
naive_cb(const struct play *p, void *arg)
{
	struct naive *nv = arg;

	nv->p[nv->n].at = p->played_at;
	nv->p[nv->n].track = atoi(p->track_id + 5);
	nv->p[nv->n].ms_played = p->ms_played;
	nv->n++;
	return 0;
}

static void
naive_read(struct store_txn *t, const char *user, struct naive *nv)
{
	nv->n = 0;
	assert_int_equal(store_iter_plays(t, user, INT64_MIN, INT64_MAX,
	    STORE_ASC, naive_cb, nv), STORE_OK);
}

/* ---- store_iter_track_times and store_iter_user_tracks ------------------ */

struct times {
	int64_t		 v[NPLAYS];
	size_t		 n;
};

static int
times_cb(int64_t at, void *arg)
{
	struct times *t = arg;

	t->v[t->n++] = at;
	return 0;
}

static int
counts_cb(const char *id, uint64_t n, void *arg)
{
	uint64_t *c = arg;

	c[atoi(id + 5)] = n;
	return 0;
}

/* Proves the index reads give each track's plays in both orders and ranges. */
static void
test_track_times(void **state)
{
	struct tu_fx *fx = *state;
	static struct naive nv;
	static struct times tm;
	uint64_t counts[NTRACKS], want[NTRACKS];
	struct store_txn *t = store_reader(fx->st);
	char id[ID_LEN + 1];
	int64_t lo, hi;
	size_t i, k, u, q;
	int tr;

	assert_non_null(t);
	assert_int_equal(store_read_begin(t), STORE_OK);
	for (u = 0; u < 2; u++) {
		naive_read(t, users[u], &nv);
		memset(counts, 0, sizeof(counts));
		memset(want, 0, sizeof(want));
		for (i = 0; i < nv.n; i++)
			want[nv.p[i].track]++;
		assert_int_equal(store_iter_user_tracks(t, users[u], counts_cb,
		    counts), STORE_OK);
		assert_memory_equal(counts, want, sizeof(want));
		for (q = 0; q < 60; q++) {
			tr = (int)(tu_rand(&rng) % NTRACKS);
			tu_track_id(tr, id);
			lo = nv.p[tu_rand(&rng) % nv.n].at - (q % 3);
			hi = q % 5 == 0 ? INT64_MAX :
			    lo + (int64_t)(tu_rand(&rng) % (90 * 86400000ULL));
			if (q % 7 == 0)
				lo = INT64_MIN;
			tm.n = 0;
			assert_int_equal(store_iter_track_times(t, users[u],
			    id, lo, hi, q % 2 ? STORE_DESC : STORE_ASC,
			    times_cb, &tm), STORE_OK);
			for (i = 0, k = 0; i < nv.n; i++) {
				size_t at;

				if (nv.p[i].track != tr || nv.p[i].at < lo ||
				    nv.p[i].at > hi)
					continue;
				at = q % 2 ? tm.n - 1 - k : k;
				assert_true(k < tm.n);
				assert_int_equal(tm.v[at], nv.p[i].at);
				k++;
			}
			assert_int_equal(k, tm.n);
		}
	}
	store_read_end(t);
	store_reader_free(t);
}

/* ---- the catalog ---------------------------------------------------------- */

/* Proves an artist's and an album's tracks, and the search, as counted. */
static void
test_catalog(void **state)
{
	struct tu_fx *fx = *state;
	static struct naive nv;
	struct store_txn *t = store_reader(fx->st);
	struct catalog *cat = catalog_new();
	struct catalog_hit hits[8];
	const uint32_t *tr, *plays[ENTITY__MAX];
	char id[ID_LEN + 1];
	uint64_t np[NTRACKS] = { 0 }, want;
	size_t n, total, i, k;
	uint32_t e;

	assert_non_null(t);
	assert_non_null(cat);
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(catalog_sync(cat, t), 0);
	assert_int_equal(catalog_count(cat, ENTITY_TRACK), NTRACKS);
	naive_read(t, "al", &nv);
	for (i = 0; i < nv.n; i++)
		np[nv.p[i].track]++;

	/* Artist a's tracks: i % 4 == a, and track 5's second artist. */
	for (k = 0; k < NARTISTS; k++) {
		tu_artist_id((int)k, id);
		assert_int_not_equal(e = catalog_find(cat, ENTITY_ARTIST, id),
		    CATALOG_NONE);
		n = catalog_tracks_of(cat, ENTITY_ARTIST, e, &tr);
		assert_int_equal(n, 3 + (k == 2));
		for (i = 0; i < n; i++) {
			int num = atoi(catalog_id(cat, ENTITY_TRACK, tr[i]) + 5);

			assert_true(num % NARTISTS == (int)k ||
			    (num == 5 && k == 2));
		}
	}
	tu_album_id(1, id);
	e = catalog_find(cat, ENTITY_ALBUM, id);
	assert_int_equal(catalog_tracks_of(cat, ENTITY_ALBUM, e, &tr), 4);

	/* Search: folded, infix, ranked by plays. */
	assert_int_equal(catalog_user_plays(cat, t, "al", plays), 0);
	assert_int_equal(catalog_search(cat, ENTITY_ARTIST, "ros",
	    plays[ENTITY_ARTIST], hits, 8, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_string_equal(catalog_folded(cat, ENTITY_ARTIST, hits[0].i),
	    "sigur ros");
	for (want = 0, i = 1; i < NTRACKS; i += 4)
		want += np[i];
	assert_int_equal(hits[0].plays, want);
	assert_int_equal(catalog_search(cat, ENTITY_ARTIST, "σιγ",
	    plays[ENTITY_ARTIST], hits, 8, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_int_equal(catalog_search(cat, ENTITY_TRACK, "song",
	    plays[ENTITY_TRACK], hits, 8, &n, &total), 0);
	assert_int_equal(total, NTRACKS);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		assert_int_equal(hits[i].plays, np[atoi(catalog_id(cat,
		    ENTITY_TRACK, hits[i].i) + 5)]);
		if (i > 0)
			assert_true(hits[i].plays <= hits[i - 1].plays);
	}
	assert_int_equal(catalog_search(cat, ENTITY_ALBUM, "krovi",
	    plays[ENTITY_ALBUM], hits, 8, &n, &total), 0);
	assert_int_equal(n, 0);		/* no transliteration */
	assert_int_equal(catalog_search(cat, ENTITY_ALBUM, "крови",
	    plays[ENTITY_ALBUM], hits, 8, &n, &total), 0);
	assert_int_equal(n, 1);
	store_read_end(t);
	store_reader_free(t);
	catalog_free(cat);
}

static int
add_artist(struct store_txn *t, void *arg)
{
	struct artist ar;

	memset(&ar, 0, sizeof(ar));
	tu_artist_id(99, ar.id);
	ar.name = arg;
	return store_put_artist(t, &ar) == STORE_ERR ? -1 : 0;
}

/* A new track by artist 99, and track 0 moved to artist 99 too. */
static int
add_track(struct store_txn *t, void *arg)
{
	char a[ID_LEN + 1];
	struct track tr;

	(void)arg;
	memset(&tr, 0, sizeof(tr));
	tu_artist_id(99, a);
	tr.artists.ids = a;
	tr.artists.n = 1;
	tr.uri = "spotify:track:x";
	tu_album_id(0, tr.album_id);
	tr.name = "Girls, Girls, Girls";
	tr.duration_ms = 180000;
	snprintf(tr.id, sizeof(tr.id), "TRACK%017d", 99);
	if (store_put_track(t, &tr) == STORE_ERR)
		return -1;
	tu_track_id(0, tr.id);
	tr.name = "Söng 0 (remastered)";
	return store_put_track(t, &tr) == STORE_ERR ? -1 : 0;
}

/*
 * Proves the catalog follows the change log: a new or renamed entity, a
 * new track and one whose artists changed, applied in place, give the
 * catalog a fresh build gives.
 */
static void
test_catalog_sync(void **state)
{
	struct tu_fx *fx = *state;
	struct store_txn *t = store_reader(fx->st);
	struct catalog *cat = catalog_new(), *fresh;
	const uint32_t *plays[ENTITY__MAX];
	char id[ID_LEN + 1], tid[ID_LEN + 1];
	uint64_t all, t0, ms;
	const uint32_t *tr;
	uint32_t e;
	int k;

	assert_non_null(t);
	assert_non_null(cat);
	tu_artist_id(99, id);
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(catalog_sync(cat, t), 0);
	assert_int_equal(catalog_find(cat, ENTITY_ARTIST, id), CATALOG_NONE);
	store_read_end(t);
	assert_int_equal(store_write(fx->st, add_artist,
	    (void *)"Mötley Crüe"), STORE_OK);
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(catalog_sync(cat, t), 0);
	assert_int_not_equal(e = catalog_find(cat, ENTITY_ARTIST, id),
	    CATALOG_NONE);
	assert_string_equal(catalog_folded(cat, ENTITY_ARTIST, e),
	    "motley crue");
	store_read_end(t);
	assert_int_equal(store_write(fx->st, add_artist, (void *)"ΚΙΝΟ"),
	    STORE_OK);
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(catalog_sync(cat, t), 0);
	e = catalog_find(cat, ENTITY_ARTIST, id);
	assert_string_equal(catalog_folded(cat, ENTITY_ARTIST, e), "κινο");
	assert_int_equal(catalog_count(cat, ENTITY_ARTIST), NARTISTS + 1);
	store_read_end(t);

	/* The user's plays per entity, kept: artist 99 has none yet. */
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(catalog_sync(cat, t), 0);
	assert_int_equal(catalog_user_plays(cat, t, "al", plays), 0);
	assert_int_equal(plays[ENTITY_ARTIST][catalog_find(cat, ENTITY_ARTIST,
	    id)], 0);
	store_read_end(t);

	/* A new track of that artist, and a renamed one moved to it. */
	assert_int_equal(store_write(fx->st, add_track, NULL), STORE_OK);
	assert_int_equal(store_read_begin(t), STORE_OK);
	assert_int_equal(catalog_sync(cat, t), 0);
	assert_non_null(fresh = catalog_new());
	assert_int_equal(catalog_sync(fresh, t), 0);
	for (k = 0; k < ENTITY__MAX; k++) {
		assert_int_equal(catalog_count(cat, k),
		    catalog_count(fresh, k));
		for (e = 0; e < catalog_count(cat, k); e++) {
			const char *eid = catalog_id(cat, k, e);
			uint32_t f = catalog_find(fresh, k, eid);
			const uint32_t *a, *b;
			size_t na, nb, i;

			assert_int_not_equal(f, CATALOG_NONE);
			assert_string_equal(catalog_folded(cat, k, e),
			    catalog_folded(fresh, k, f));
			na = catalog_tracks_of(cat, k, e, &a);
			nb = catalog_tracks_of(fresh, k, f, &b);
			assert_int_equal(na, nb);
			for (i = 0; i < na && k != ENTITY_TRACK; i++)
				assert_int_equal(catalog_find(fresh,
				    ENTITY_TRACK, catalog_id(cat, ENTITY_TRACK,
				    a[i])), b[i]);
		}
	}
	e = catalog_find(cat, ENTITY_ARTIST, id);
	assert_int_equal(catalog_tracks_of(cat, ENTITY_ARTIST, e, &tr), 2);
	/* No play changed, yet artist 99 now has track 0's plays. */
	tu_track_id(0, tid);
	assert_int_equal(store_count_plays(t, "al", INT64_MIN, INT64_MAX,
	    &all), STORE_OK);
	assert_int_equal(store_get_entity_total(t, "al", ENTITY_TRACK, tid,
	    &t0, &ms), STORE_OK);
	assert_true(t0 > 0 && t0 < all);
	assert_int_equal(catalog_user_plays(cat, t, "al", plays), 0);
	assert_int_equal(plays[ENTITY_ARTIST][e], t0);
	catalog_free(fresh);
	store_read_end(t);
	store_reader_free(t);
	catalog_free(cat);
}

/* ---- what each track counts for ------------------------------------------ */

#define NENT	100		/* entity numbers, 99 the later artist's */

/*
 * What each track counts for, read from its record as stored now
 * (test_catalog_sync() moves track 0 to artist 99): the artists' and
 * album's numbers.
 */
static int credit[NTRACKS][ENTITY__MAX][3];
static int ncredit[NTRACKS][ENTITY__MAX];

static void
read_credits(struct store_txn *t)
{
	char id[ID_LEN + 1];
	struct track tr;
	uint32_t i;
	int k;

	for (k = 0; k < NTRACKS; k++) {
		tu_track_id(k, id);
		assert_int_equal(store_get_track(t, id, &tr), STORE_OK);
		credit[k][ENTITY_TRACK][0] = k;
		ncredit[k][ENTITY_TRACK] = 1;
		credit[k][ENTITY_ALBUM][0] = atoi(tr.album_id + 5);
		ncredit[k][ENTITY_ALBUM] = 1;
		ncredit[k][ENTITY_ARTIST] = 0;
		for (i = 0; i < tr.artists.n && i < 3; i++) {
			idlist_get(&tr.artists, i, id);
			credit[k][ENTITY_ARTIST][i] = atoi(id + 6);
			ncredit[k][ENTITY_ARTIST]++;
		}
	}
}

/* Whether track tr counts for entity e of kind. */
static int
counts_for(enum entity_kind kind, int tr, int e)
{
	int i;

	for (i = 0; i < ncredit[tr][kind]; i++)
		if (credit[tr][kind][i] == e)
			return 1;
	return 0;
}

/* ---- stories --------------------------------------------------------------- */

/* Begins, in b emptied, the JSON object a writer under test fills. */
static void
obj_begin(struct json *j, struct buf *b)
{
	buf_reset(b);
	json_init(j, b);
	json_obj_open(j, NULL);
}

/* Ends the object obj_begin() began; asserts the document is whole. */
static void
obj_end(struct json *j)
{
	json_obj_close(j);
	assert_int_equal(json_finish(j), 0);
}

/* Ends it and parses b: the tree is the caller's to cJSON_Delete(). */
static cJSON *
obj_parse(struct json *j, const struct buf *b)
{
	cJSON *root;

	obj_end(j);
	assert_non_null(root = cJSON_ParseWithLength(b->data, b->len));
	return root;
}

/* Proves a story's counts, first/last, runs and returns by hand. */
static void
check_story(struct store_txn *t, const char *user, const char *const *ids,
    const int *set, size_t nset, uint32_t binge_min, enum entity_kind kind,
    const char *eid)
{
	static struct naive nv;
	struct stories_query q;
	struct buf b = BUF_INIT;
	struct json j;
	const struct tz *z;
	cJSON *root, *it;
	uint64_t plays = 0, ms = 0, runs = 0, returns = 0, run = 0;
	int64_t first = INT64_MAX, last = INT64_MIN, prev = INT64_MIN;
	size_t i, k;
	int in, prev_in = 0;

	naive_read(t, user, &nv);
	for (i = 0; i < nv.n; i++) {
		for (in = 0, k = 0; k < nset; k++)
			in |= nv.p[i].track == set[k];
		if (in) {
			plays++;
			ms += nv.p[i].ms_played >= 0 ?
			    (uint64_t)nv.p[i].ms_played :
			    180000 + (uint64_t)nv.p[i].track * 1000;
			if (first == INT64_MAX)
				first = nv.p[i].at;
			last = nv.p[i].at;
			if (prev != INT64_MIN &&
			    nv.p[i].at - prev >= 90 * 86400000LL)
				returns++;
			prev = nv.p[i].at;
			run = prev_in ? run + 1 : 1;
		} else if (prev_in && run >= binge_min)
			runs++;
		prev_in = in;
	}
	if (prev_in && run >= binge_min)
		runs++;

	assert_int_equal(tz_cache_get("UTC", &z), 0);
	memset(&q, 0, sizeof(q));
	q.user = user;
	q.tz = z;
	q.tracks = ids;
	q.n_tracks = nset;
	q.binge_min = binge_min;
	q.return_days = 90;
	q.limit = 1000;
	q.per_track = 1;
	q.kind = kind;
	q.id = eid;
	obj_begin(&j, &b);
	assert_int_equal(stories_write(t, &q, &j), 0);
	root = obj_parse(&j, &b);
	assert_int_equal(cJSON_GetObjectItem(root, "plays")->valuedouble,
	    (double)plays);
	assert_int_equal(cJSON_GetObjectItem(root, "ms")->valuedouble,
	    (double)ms);
	assert_int_equal(cJSON_GetObjectItem(root, "binges_total")->valuedouble,
	    (double)runs);
	assert_int_equal(cJSON_GetObjectItem(root,
	    "returns_total")->valuedouble, (double)returns);
	if (plays > 0) {
		it = cJSON_GetObjectItem(root, "first");
		assert_int_equal(cJSON_GetObjectItem(it,
		    "played_at")->valuedouble, (double)first);
		it = cJSON_GetObjectItem(root, "last");
		assert_int_equal(cJSON_GetObjectItem(it,
		    "played_at")->valuedouble, (double)last);
	}
	/* The years add up to the whole. */
	for (ms = 0, it = cJSON_GetObjectItem(root, "years")->child;
	    it != NULL; it = it->next)
		ms += (uint64_t)cJSON_GetObjectItem(it, "plays")->valuedouble;
	assert_int_equal(ms, plays);
	for (ms = 0, it = cJSON_GetObjectItem(root, "months")->child;
	    it != NULL; it = it->next)
		ms += (uint64_t)cJSON_GetObjectItem(it, "plays")->valuedouble;
	assert_int_equal(ms, plays);
	cJSON_Delete(root);
	buf_free(&b);
}

/*
 * Pages of an artist's or album's plays from its index equal those of
 * the set of its tracks from the plays-by-track index, byte for byte.
 */
static void
check_pages(struct store_txn *t, const char *user, const char *const *ids,
    size_t nset, enum entity_kind kind, const char *eid)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct json ja, jb;
	int64_t before = INT64_MAX;
	cJSON *root, *next;
	int pages = 0;

	for (;;) {
		obj_begin(&ja, &a);
		assert_int_equal(stories_write_plays(t, user, kind, eid, NULL,
		    0, before, 7, &ja), 0);
		obj_end(&ja);
		obj_begin(&jb, &b);
		assert_int_equal(stories_write_plays(t, user, ENTITY_TRACK,
		    NULL, ids, nset, before, 7, &jb), 0);
		obj_end(&jb);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		assert_non_null(root = cJSON_ParseWithLength(a.data, a.len));
		next = cJSON_GetObjectItem(root, "next");
		pages++;
		if (cJSON_IsNull(next) || pages > 40) {
			cJSON_Delete(root);
			break;
		}
		before = (int64_t)cJSON_GetObjectItem(next,
		    "before")->valuedouble;
		cJSON_Delete(root);
	}
	assert_true(pages > 1);
	buf_free(&a);
	buf_free(&b);
}

static void
test_stories(void **state)
{
	struct tu_fx *fx = *state;
	struct store_txn *t = store_reader(fx->st);
	char idbuf[NTRACKS][ID_LEN + 1], eid[ID_LEN + 1];
	const char *ids[NTRACKS];
	int set[NTRACKS], kind, e, n;
	size_t u, k;

	assert_non_null(t);
	assert_int_equal(store_read_begin(t), STORE_OK);
	read_credits(t);
	for (u = 0; u < 2; u++) {
		/* Each track alone, runs of 2 and of 4. */
		for (k = 0; k < NTRACKS; k++) {
			tu_track_id((int)k, idbuf[0]);
			ids[0] = idbuf[0];
			set[0] = (int)k;
			check_story(t, users[u], ids, set, 1, 2, ENTITY_TRACK,
			    NULL);
			check_story(t, users[u], ids, set, 1, 4, ENTITY_TRACK,
			    NULL);
		}
		/* Three tracks given: runs across them. */
		for (k = 0; k < 3; k++) {
			set[k] = (int)(1 + 4 * k);
			tu_track_id(set[k], idbuf[k]);
			ids[k] = idbuf[k];
		}
		check_story(t, users[u], ids, set, 3, 2, ENTITY_TRACK, NULL);
		check_story(t, users[u], ids, set, 3, 3, ENTITY_TRACK, NULL);
		/* Each artist and album, from the store's per-entity index. */
		for (kind = ENTITY_ARTIST; kind <= ENTITY_ALBUM; kind++)
			for (e = 0; e < (kind == ENTITY_ARTIST ? NARTISTS :
			    NALBUMS); e++) {
				for (n = 0, k = 0; k < NTRACKS; k++)
					if (counts_for((enum entity_kind)kind,
					    (int)k, e)) {
						set[n] = (int)k;
						tu_track_id((int)k, idbuf[n]);
						ids[n] = idbuf[n];
						n++;
					}
				if (kind == ENTITY_ARTIST)
					tu_artist_id(e, eid);
				else
					tu_album_id(e, eid);
				check_story(t, users[u], ids, set, (size_t)n, 2,
				    (enum entity_kind)kind, eid);
				check_story(t, users[u], ids, set, (size_t)n, 3,
				    (enum entity_kind)kind, eid);
				check_pages(t, users[u], ids, (size_t)n,
				    (enum entity_kind)kind, eid);
			}
	}
	store_read_end(t);
	store_reader_free(t);
}

/* ---- charts ---------------------------------------------------------------- */

static void
entity_id(enum entity_kind kind, int e, char out[ID_LEN + 1])
{
	if (kind == ENTITY_TRACK)
		tu_track_id(e, out);
	else if (kind == ENTITY_ARTIST)
		tu_artist_id(e, out);
	else
		tu_album_id(e, out);
}

struct ntally {
	uint64_t	 plays[NENT], ms[NENT], total;
	int		 order[NENT], n;	/* ranked entities with plays */
	int		 rank[NENT];		/* 1-based; 0 none */
};

static const struct ntally *nsort;
static int nsort_ms;

static int
ncmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	uint64_t vx = nsort_ms ? nsort->ms[x] : nsort->plays[x];
	uint64_t vy = nsort_ms ? nsort->ms[y] : nsort->plays[y];

	if (vx != vy)
		return vx > vy ? -1 : 1;
	if (nsort->plays[x] != nsort->plays[y])
		return nsort->plays[x] > nsort->plays[y] ? -1 : 1;
	return x - y;	/* the ids sort as their numbers */
}

/* Counts [from, to) of the naive journal for kind, and ranks it. */
static void
ntally(const struct naive *nv, enum entity_kind kind, int by_ms,
    int64_t from, int64_t to, struct ntally *t)
{
	int n = NENT, e;
	uint64_t ms;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nv->n; i++) {
		if (nv->p[i].at < from || nv->p[i].at >= to)
			continue;
		ms = nv->p[i].ms_played >= 0 ? (uint64_t)nv->p[i].ms_played :
		    180000 + (uint64_t)nv->p[i].track * 1000;
		t->total++;
		for (e = 0; e < n; e++)
			if (counts_for(kind, nv->p[i].track, e)) {
				t->plays[e]++;
				t->ms[e] += ms;
			}
	}
	for (e = 0; e < n; e++)
		if (t->plays[e] > 0)
			t->order[t->n++] = e;
	nsort = t;
	nsort_ms = by_ms;
	qsort(t->order, (size_t)t->n, sizeof(int), ncmp);
	for (e = 0; e < t->n; e++)
		t->rank[t->order[e]] = e + 1;
}

/*
 * Proves a chart's totals, plays, ms, order and previous ranks, for
 * tracks, artists (a duet counts for both) and albums, by plays and by
 * time, over all time and over spans that start and end at any moment
 * (not on UTC midnights: the store's day counts plus the plays of the
 * edges), against counting the journal by hand.
 */
static void
test_charts(void **state)
{
	struct tu_fx *fx = *state;
	static struct naive nv;
	static struct ntally cur, prev;
	struct store_txn *t = store_reader(fx->st);
	struct charts_query q;
	struct buf b = BUF_INIT;
	char id[ID_LEN + 1];
	struct json j;
	cJSON *root, *it, *pr;
	size_t span, u;
	int kind, k;

	assert_non_null(t);
	assert_int_equal(store_read_begin(t), STORE_OK);
	read_credits(t);
	for (u = 0; u < 2; u++)
	for (kind = 0; kind < ENTITY__MAX; kind++)
	for (span = 0; span < 6; span++) {
		naive_read(t, users[u], &nv);
		memset(&q, 0, sizeof(q));
		q.user = users[u];
		q.kind = (enum entity_kind)kind;
		q.by = span % 2 ? CHARTS_BY_MS : CHARTS_BY_PLAYS;
		q.limit = NTRACKS;
		/* A play's moment, a few hours off it, or a UTC midnight. */
		q.from_ms = span == 0 ? INT64_MIN : nv.p[nv.n / (span + 1)].at +
		    (int64_t)(span % 3) * 3600000 - 7;
		if (span == 5)
			q.from_ms -= q.from_ms % 86400000LL;
		q.to_ms = span == 0 ? INT64_MAX : q.from_ms +
		    (int64_t)(span == 4 ? 0.5 * 86400000 :
		    (double)span * 30 * 86400000LL);
		ntally(&nv, q.kind, q.by == CHARTS_BY_MS, q.from_ms, q.to_ms,
		    &cur);
		if (span > 0)
			ntally(&nv, q.kind, q.by == CHARTS_BY_MS,
			    q.from_ms - (q.to_ms - q.from_ms), q.from_ms,
			    &prev);
		obj_begin(&j, &b);
		assert_int_equal(charts_write(t, &q, &j), 0);
		root = obj_parse(&j, &b);
		assert_int_equal(cJSON_GetObjectItem(root,
		    "total_plays")->valuedouble, (double)cur.total);
		assert_int_equal(cJSON_GetObjectItem(root,
		    "entries")->valuedouble, cur.n);
		k = 0;
		for (it = cJSON_GetObjectItem(root, "items")->child; it != NULL;
		    it = it->next, k++) {
			int e;

			assert_true(k < cur.n);
			e = cur.order[k];
			entity_id(q.kind, e, id);
			assert_string_equal(cJSON_GetObjectItem(it,
			    "id")->valuestring, id);
			assert_int_equal(cJSON_GetObjectItem(it,
			    "rank")->valuedouble, k + 1);
			assert_int_equal(cJSON_GetObjectItem(it,
			    "plays")->valuedouble, (double)cur.plays[e]);
			assert_int_equal(cJSON_GetObjectItem(it,
			    "ms")->valuedouble, (double)cur.ms[e]);
			pr = cJSON_GetObjectItem(it, "previous_rank");
			if (span == 0 || prev.rank[e] == 0)
				assert_true(cJSON_IsNull(pr));
			else
				assert_int_equal(pr->valuedouble,
				    prev.rank[e]);
			pr = cJSON_GetObjectItem(it, "previous_plays");
			if (span == 0)
				assert_true(cJSON_IsNull(pr));
			else
				assert_int_equal(pr->valuedouble,
				    (double)prev.plays[e]);
		}
		assert_int_equal(k, cur.n);
		cJSON_Delete(root);
	}
	buf_free(&b);
	store_read_end(t);
	store_reader_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_times),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_catalog_sync),
		cmocka_unit_test(test_stories),
		cmocka_unit_test(test_charts),
	};

	return cmocka_run_group_tests(tests, setup, tu_fx_teardown);
}
