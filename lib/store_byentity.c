/*
 * store_byentity.c — what the store keeps of the plays per artist, per
 * album and per entity and day (contract: store.h, "the per-entity
 * indexes"; layout: store_int.h).
 *
 * Two databases, both derived from the plays and the tracks' records:
 *
 *  - playsbyentity: per user, artist or album, one sorted duplicate per
 *    play of any of its tracks (time, then track id), so an artist's or
 *    an album's story reads its plays with one seek, in time order, and
 *    knows each play's track without reading it;
 *  - entagg: per user, kind (track, artist, album, or the whole
 *    journal), UTC day and entity, the plays and listening time of that
 *    day, and under the day STORE_DAY_ALL the entity's totals, so a
 *    chart of a span reads one record per entity and day, and an
 *    all-time chart one per entity.
 *
 * A play counts for its track, for every distinct artist its track's
 * record credits (the first STORE_VIEW_ARTISTS) and for its album, as the
 * track's record says now; its listening time is ms_played when known,
 * else the record's duration (0 without a record).  store_put_play() and
 * store_del_play() call store_byent_play() in their transaction; and
 * since what a play counts for follows its track's record, a put or a
 * delete of a track whose album, artists or duration changed moves that
 * track's plays, of every user, from what the old record said to what
 * the new one says (store_byent_track_changed()), in the same
 * transaction.  So in every committed state both databases are exactly
 * a function of the plays and the tracks as stored: the unit tests
 * (tests/unit/lib_byentity.c) compare them with that function computed
 * naively.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "store_int.h"

#define DAY_MS		INT64_C(86400000)
#define ENTAGG_VLEN	(1 + 4 + 8)	/* version, u32 plays, u64 ms */
#define BYENT_VLEN	(8 + ID_LEN)	/* be64 played_at, track id */

/* The id the journal's own records carry in entagg. */
static const char journal_id[ID_LEN + 1] = "0000000000000000000000";

/* ---- what a track's record says a play counts for ------------------------ */

void
store_track_view_of(const struct track *tr, struct track_view *v)
{
	char id[ID_LEN + 1];
	uint32_t i, k;

	memset(v, 0, sizeof(*v));
	if (tr == NULL)
		return;
	v->duration = tr->duration_ms;
	if (strnlen(tr->album_id, ID_LEN + 1) == ID_LEN)
		memcpy(v->album, tr->album_id, ID_LEN + 1);
	for (i = 0; i < tr->artists.n && v->n_artists < STORE_VIEW_ARTISTS;
	    i++) {
		idlist_get(&tr->artists, i, id);
		for (k = 0; k < v->n_artists; k++)
			if (memcmp(v->artists[k], id, ID_LEN) == 0)
				break;
		if (k == v->n_artists)
			memcpy(v->artists[v->n_artists++], id, ID_LEN + 1);
	}
}

int
store_track_view(struct store_txn *t, const char *track_id,
    struct track_view *v)
{
	struct track tr;
	int rc;

	rc = store_get_track(t, track_id, &tr);
	if (rc == STORE_ERR)
		return STORE_ERR;
	store_track_view_of(rc == STORE_OK ? &tr : NULL, v);
	return STORE_OK;
}

static int
view_equal(const struct track_view *a, const struct track_view *b)
{
	return a->duration == b->duration && a->n_artists == b->n_artists &&
	    strcmp(a->album, b->album) == 0 && memcmp(a->artists, b->artists,
	    sizeof(a->artists[0]) * a->n_artists) == 0;
}

/* ---- keys --------------------------------------------------------------- */

/* The UTC day of t, clamped below STORE_DAY_ALL. */
static int32_t
utc_day(int64_t t)
{
	int64_t d = t / DAY_MS;

	if (t % DAY_MS < 0)
		d--;
	if (d < INT32_MIN)
		d = INT32_MIN;
	if (d >= STORE_DAY_ALL)
		d = STORE_DAY_ALL - 1;
	return (int32_t)d;
}

/* k = [U] u8 kind be32 day id. */
static void
key_entagg(struct key *k, size_t ulen, unsigned kind, int32_t day,
    const char *id)
{
	k->len = ulen;
	key_u8(k, (uint8_t)kind);
	key_be32(k, codec_bias32(day));
	memcpy(k->b + k->len, id, ID_LEN);
	k->len += ID_LEN;
}

/* ---- writing ------------------------------------------------------------- */

/* Adds sign * (1 play, ms) to the record at k. */
static int
entagg_add(struct store_txn *t, const struct key *k, uint64_t ms, int sign)
{
	unsigned char v[ENTAGG_VLEN];
	const unsigned char *p;
	uint64_t plays = 0, sum = 0;
	MDB_val old, mk;
	int rc;

	if ((rc = store_db_get(t, DB_ENTAGG, k, &old)) == STORE_OK) {
		p = old.mv_data;
		if (old.mv_size != ENTAGG_VLEN || p[0] != VALUE_VERSION) {
			mk = key_val(k);
			store_damaged(DB_ENTAGG, &mk, &old);
			return STORE_ERR;
		}
		plays = codec_be32_get(p + 1);
		sum = codec_be64_get(p + 5);
	} else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if (sign > 0) {
		plays++;
		sum += ms;
	} else {
		if (plays == 0) {
			log_warnx("store: entagg: deleting from an empty "
			    "record");
			return STORE_OK;
		}
		plays--;
		sum -= ms < sum ? ms : sum;
	}
	if (plays == 0)
		return store_db_del(t, DB_ENTAGG, k);
	v[0] = VALUE_VERSION;
	codec_be32_put(v + 1, (uint32_t)plays);
	codec_be64_put(v + 5, sum);
	return store_db_put(t, DB_ENTAGG, k, v, sizeof(v), 0);
}

/* Adds or removes one play to or from kind/id's day and total. */
static int
entagg_apply(struct store_txn *t, struct key *k, size_t ulen, unsigned kind,
    const char *id, int32_t day, uint64_t ms, int sign)
{
	key_entagg(k, ulen, kind, day, id);
	if (entagg_add(t, k, ms, sign) != STORE_OK)
		return STORE_ERR;
	key_entagg(k, ulen, kind, STORE_DAY_ALL, id);
	return entagg_add(t, k, ms, sign);
}

/* Adds or removes the play (at, track) under kind/id in playsbyentity. */
static int
byent_apply(struct store_txn *t, struct key *k, size_t ulen, unsigned kind,
    const char *id, int64_t at, const char *track, int sign)
{
	unsigned char v[BYENT_VLEN];
	int rc;

	k->len = ulen;
	key_u8(k, (uint8_t)kind);
	memcpy(k->b + k->len, id, ID_LEN);
	k->len += ID_LEN;
	codec_be64_put(v, codec_bias64(at));
	memcpy(v + 8, track, ID_LEN);
	if (sign > 0)
		return store_db_put(t, DB_PLAYSBYENTITY, k, v, sizeof(v), 0);
	rc = store_db_del_dup(t, DB_PLAYSBYENTITY, k, v, sizeof(v));
	if (rc == STORE_NOTFOUND)
		log_warnx("store: playsbyentity: no entry for a play");
	return rc == STORE_ERR ? STORE_ERR : STORE_OK;
}

/*
 * Adds (sign 1) or removes (sign -1) the play of track at at, with
 * ms_played, as the view v has it; u is the key prefix [U].
 */
static int
byent_count(struct store_txn *t, const struct key *u, int64_t at,
    const char *track, int32_t ms_played, const struct track_view *v,
    int sign)
{
	struct key k;
	uint64_t ms = ms_played >= 0 ? (uint64_t)ms_played : v->duration;
	int32_t day = utc_day(at);
	uint32_t i;

	k = *u;
	if (entagg_apply(t, &k, u->len, STORE_KIND_JOURNAL, journal_id, day,
	    ms, sign) != STORE_OK ||
	    entagg_apply(t, &k, u->len, ENTITY_TRACK, track, day, ms,
	    sign) != STORE_OK)
		return STORE_ERR;
	for (i = 0; i < v->n_artists; i++)
		if (entagg_apply(t, &k, u->len, ENTITY_ARTIST, v->artists[i],
		    day, ms, sign) != STORE_OK ||
		    byent_apply(t, &k, u->len, ENTITY_ARTIST, v->artists[i],
		    at, track, sign) != STORE_OK)
			return STORE_ERR;
	if (v->album[0] != '\0' && (entagg_apply(t, &k, u->len, ENTITY_ALBUM,
	    v->album, day, ms, sign) != STORE_OK ||
	    byent_apply(t, &k, u->len, ENTITY_ALBUM, v->album, at, track,
	    sign) != STORE_OK))
		return STORE_ERR;
	return STORE_OK;
}

int
store_byent_play(struct store_txn *t, const struct key *u,
    const struct play *p, int sign)
{
	struct track_view v;

	if (store_track_view(t, p->track_id, &v) != STORE_OK)
		return STORE_ERR;
	return byent_count(t, u, p->played_at, p->track_id, p->ms_played, &v,
	    sign);
}

/* ---- every user's plays of one track ------------------------------------ */

static int
time_add(int64_t at, void *arg)
{
	return buf_add(arg, &at, sizeof(at));
}

/*
 * The [U] prefixes of every user with a key in playsbytrack (whoever has
 * plays) appended to us as struct key: one seek per user, past all of
 * the user's tracks.
 */
static int
bytrack_users(struct store_txn *t, struct buf *us)
{
	struct key k;
	MDB_cursor *c;
	MDB_val mk, mv;
	int rc, tmp, ret = STORE_OK;

	if ((c = store_cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	rc = mdb_cursor_get(c, &mk, &mv, MDB_FIRST);
	while (rc == MDB_SUCCESS) {
		const unsigned char *p = mk.mv_data;

		if (mk.mv_size < 1 || mk.mv_size < 1 + (size_t)p[0]) {
			store_damaged(DB_PLAYSBYTRACK, &mk, &mv);
			ret = STORE_ERR;
			break;
		}
		memcpy(k.b, p, 1 + (size_t)p[0]);
		k.len = 1 + (size_t)p[0];
		if (buf_add(us, &k, sizeof(k)) == -1) {
			ret = STORE_ERR;
			break;
		}
		/* Past every key of this user: [U] and ID_LEN + 1 0xff. */
		key_fill(&k, 0xff, ID_LEN + 1);
		mk = key_val(&k);
		rc = mdb_cursor_get(c, &mk, &mv, MDB_SET_RANGE);
	}
	if (ret == STORE_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", DB_PLAYSBYTRACK);
	store_cursor_release(t, DB_PLAYSBYTRACK, c, tmp);
	return ret;
}

int
store_track_plays_each(struct store_txn *t, const char *id,
    int (*fn)(struct store_txn *, const struct key *u, const char *user,
    const struct play *, void *), void *arg)
{
	struct buf us = BUF_INIT, ts = BUF_INIT;
	const struct key *u;
	const int64_t *at;
	char user[USER_ID_MAX + 1];
	struct play p;
	size_t i, k, nu, nt;
	int rc, ret = STORE_ERR;

	if (bytrack_users(t, &us) != STORE_OK)
		goto free;
	nu = us.len / sizeof(*u);
	for (i = 0; i < nu; i++) {
		u = (const struct key *)(const void *)us.data + i;
		memcpy(user, u->b + 1, u->b[0]);
		user[u->b[0]] = '\0';
		buf_reset(&ts);
		if (store_iter_track_times(t, user, id, INT64_MIN, INT64_MAX,
		    STORE_ASC, time_add, &ts) != STORE_OK)
			goto free;
		/* Times first, then the plays: fn may write. */
		nt = ts.len / sizeof(*at);
		at = (const int64_t *)(const void *)ts.data;
		for (k = 0; k < nt; k++) {
			if ((rc = store_get_play(t, user, at[k], &p)) ==
			    STORE_ERR)
				goto free;
			if (rc == STORE_OK && fn(t, u, user, &p, arg) !=
			    STORE_OK)
				goto free;
		}
	}
	ret = STORE_OK;
free:
	buf_free(&us);
	buf_free(&ts);
	return ret;
}

/* ---- a track's record changed ------------------------------------------- */

struct views {
	const struct track_view *old, *nw;
};

static int
move_play(struct store_txn *t, const struct key *u, const char *user,
    const struct play *p, void *arg)
{
	const struct views *v = arg;

	(void)user;
	if (byent_count(t, u, p->played_at, p->track_id, p->ms_played,
	    v->old, -1) != STORE_OK)
		return STORE_ERR;
	return byent_count(t, u, p->played_at, p->track_id, p->ms_played,
	    v->nw, 1);
}

int
store_byent_track_changed(struct store_txn *t, const char *id,
    const struct track_view *old, const struct track_view *nw)
{
	struct views v = { old, nw };

	if (view_equal(old, nw))
		return STORE_OK;
	return store_track_plays_each(t, id, move_play, &v);
}

/* ---- reading ------------------------------------------------------------- */

struct byent_iter {
	int	(*fn)(int64_t, const char *, void *);
	void	*arg;
};

static int
byent_value(const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct byent_iter *it = ctx;
	char track[ID_LEN + 1];

	if (v->mv_size != BYENT_VLEN) {
		store_damaged(DB_PLAYSBYENTITY, k, v);
		return -1;
	}
	memcpy(track, (const char *)v->mv_data + 8, ID_LEN);
	track[ID_LEN] = '\0';
	return it->fn(codec_unbias64(codec_be64_get(v->mv_data)), track,
	    it->arg);
}

int
store_iter_entity_plays(struct store_txn *t, const char *user,
    enum entity_kind kind, const char *id, int64_t from_ms, int64_t to_ms,
    enum store_dir dir, int (*fn)(int64_t, const char *, void *), void *arg)
{
	struct byent_iter it = { fn, arg };
	struct key k;

	if ((kind != ENTITY_ARTIST && kind != ENTITY_ALBUM) ||
	    key_user(&k, user) == -1)
		return STORE_OK;
	key_u8(&k, (uint8_t)kind);
	if (key_id(&k, id) == -1)
		return STORE_OK;
	return store_dup_scan(t, DB_PLAYSBYENTITY, &k, BYENT_VLEN, from_ms,
	    to_ms, dir, byent_value, &it);
}

struct tally_iter {
	int	(*fn)(const struct entity_tally *, void *);
	void	*arg;
};

static int
scan_tally(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct tally_iter *it = ctx;
	struct entity_tally e;
	const unsigned char *tail, *p = v->mv_data;

	(void)t;
	if ((tail = key_tail(k, 1 + 4 + ID_LEN)) == NULL ||
	    v->mv_size != ENTAGG_VLEN || p[0] != VALUE_VERSION) {
		store_damaged(DB_ENTAGG, k, v);
		return -1;
	}
	e.day = (int32_t)codec_unbias32(codec_be32_get(tail + 1));
	e.id = (const char *)tail + 5;
	e.plays = codec_be32_get(p + 1);
	e.ms = codec_be64_get(p + 5);
	return it->fn(&e, it->arg);
}

int
store_iter_entity_days(struct store_txn *t, const char *user, unsigned kind,
    int32_t from_day, int32_t to_day,
    int (*fn)(const struct entity_tally *, void *), void *arg)
{
	struct tally_iter it = { fn, arg };
	struct key lo, hi;

	if (kind > STORE_KIND_JOURNAL || from_day > to_day ||
	    key_user(&lo, user) == -1)
		return STORE_OK;
	key_u8(&lo, (uint8_t)kind);
	hi = lo;
	key_be32(&lo, codec_bias32(from_day));
	key_be32(&hi, codec_bias32(to_day));
	key_fill(&hi, 0xff, ID_LEN);
	return store_scan(t, DB_ENTAGG, &lo, &hi, STORE_ASC, scan_tally, &it);
}

int
store_get_entity_total(struct store_txn *t, const char *user, unsigned kind,
    const char *id, uint64_t *plays, uint64_t *ms)
{
	struct key k;
	MDB_val v;
	const unsigned char *p;
	int rc;

	*plays = *ms = 0;
	if (kind > STORE_KIND_JOURNAL || key_user(&k, user) == -1)
		return STORE_NOTFOUND;
	if (kind == STORE_KIND_JOURNAL)
		id = journal_id;
	else if (id == NULL || strnlen(id, ID_LEN + 1) != ID_LEN)
		return STORE_NOTFOUND;
	key_entagg(&k, k.len, kind, STORE_DAY_ALL, id);
	if ((rc = store_db_get(t, DB_ENTAGG, &k, &v)) != STORE_OK)
		return rc;
	p = v.mv_data;
	if (v.mv_size != ENTAGG_VLEN || p[0] != VALUE_VERSION) {
		MDB_val mk = key_val(&k);

		store_damaged(DB_ENTAGG, &mk, &v);
		return STORE_ERR;
	}
	*plays = codec_be32_get(p + 1);
	*ms = codec_be64_get(p + 5);
	return STORE_OK;
}

/* ---- the sorted duplicates of one key, by time --------------------------- */

/*
 * Decodes the time at the front of a duplicate value of vlen bytes into
 * *at; -1 (logged) when the value is damaged.
 */
static int
dup_time(enum store_db db, const MDB_val *k, const MDB_val *v, size_t vlen,
    int64_t *at)
{
	if (v->mv_size != vlen) {
		store_damaged(db, k, v);
		return -1;
	}
	*at = codec_unbias64(codec_be64_get(v->mv_data));
	return 0;
}

int
store_dup_scan(struct store_txn *t, enum store_db db, const struct key *k,
    size_t vlen, int64_t from_ms, int64_t to_ms, enum store_dir dir,
    int (*fn)(const MDB_val *k, const MDB_val *v, void *), void *arg)
{
	unsigned char b[64];
	MDB_cursor *c;
	MDB_val mk, mv;
	int64_t at;
	int rc, frc, tmp, ret = STORE_OK;

	if (from_ms > to_ms || vlen < 8 || vlen > sizeof(b))
		return STORE_OK;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = store_cursor_acquire(t, db, &tmp)) == NULL)
		return STORE_ERR;
	/* The seek value: a time, then the smallest tail. */
	memset(b, 0, vlen);
	mk = key_val(k);
	mv.mv_size = vlen;
	mv.mv_data = b;
	if (dir == STORE_ASC) {
		codec_be64_put(b, codec_bias64(from_ms));
		rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
	} else {
		rc = MDB_NOTFOUND;
		if (to_ms < INT64_MAX) {
			codec_be64_put(b, codec_bias64(to_ms + 1));
			rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
			if (rc == MDB_SUCCESS)
				rc = mdb_cursor_get(c, &mk, &mv, MDB_PREV_DUP);
		}
		if (rc == MDB_NOTFOUND) {
			/* No value > to: the key's last one, if any. */
			mk = key_val(k);
			rc = mdb_cursor_get(c, &mk, &mv, MDB_SET);
			if (rc == MDB_SUCCESS)
				rc = mdb_cursor_get(c, &mk, &mv, MDB_LAST_DUP);
			if (rc == MDB_SUCCESS && to_ms < INT64_MAX &&
			    dup_time(db, &mk, &mv, vlen, &at) == 0 &&
			    at > to_ms)
				rc = MDB_NOTFOUND;	/* all values > to */
		}
	}
	while (rc == MDB_SUCCESS) {
		if (dup_time(db, &mk, &mv, vlen, &at) == -1) {
			ret = STORE_ERR;
			goto release;
		}
		if (dir == STORE_ASC ? at > to_ms : at < from_ms)
			break;
		if ((frc = fn(&mk, &mv, arg)) != 0) {
			if (frc != 1)
				ret = STORE_ERR;
			goto release;
		}
		rc = mdb_cursor_get(c, &mk, &mv,
		    dir == STORE_ASC ? MDB_NEXT_DUP : MDB_PREV_DUP);
	}
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		ret = store_map_error(t, rc, "iterate", db);
release:
	store_cursor_release(t, db, c, tmp);
	return ret;
}
