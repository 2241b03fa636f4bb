/*
 * store_plays.c — the plays and what the store derives from them
 * (contract: store.h; layout: store_int.h).
 *
 * A play is put or deleted together with everything kept from it, in
 * the same transaction: the 15-minute aggregates and the user's journal
 * version ("aggregates"), the plays-by-track index, each play's link to
 * the previous play of its track ("the plays-by-track index"), and the
 * per-artist and per-album indexes and per-entity day counts
 * (store_byentity.c).  store_del_play() is the one way a play leaves
 * the store (but a user's purge): whatever removes plays calls it.
 * Also here: the plays' iterations, their count, and the zero-copy scan
 * the insights use for whole journals.  The migrations (store_migrate.c)
 * reuse the play codec, the bucket update and the index put to build
 * these from an older store.
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
#include "timeutil.h"

/* ---- plays --------------------------------------------------------------- */

static int	agg_count_play(struct store_txn *, const char *user,
		    const struct play *, int sign);
static int	trackplay_put(struct store_txn *, const char *user,
		    const struct play *);
static int	trackplay_del(struct store_txn *, const char *user,
		    const struct play *);
static int	trackplay_around(struct store_txn *, const char *user,
		    const char *track_id, int64_t at, int64_t *prev,
		    int64_t *next);
static int	play_set_prev(struct store_txn *, const char *user,
		    int64_t played_at, int64_t prev);

/*
 * Decodes a play; with_prev 0 reads schema version 4's layout, which
 * ended at ms_played (only the migration does: prev_played_at is then
 * PLAY_NO_PREV).
 */
int
store_dec_play(const MDB_val *k, const MDB_val *v, struct play *p,
    int with_prev)
{
	struct dec d;

	memset(p, 0, sizeof(*p));
	if (key_tail_ms(k, &p->played_at) == -1 ||
	    store_dec_begin(&d, v) == -1)
		return -1;
	codec_get_id(&d, p->track_id);
	p->context_uri = codec_get_str(&d);
	p->source = codec_get_u8(&d);
	p->ms_played = codec_get_i32(&d);
	p->prev_played_at = with_prev ? codec_get_i64(&d) : PLAY_NO_PREV;
	if (p->source >= SOURCE__MAX)
		return -1;
	return codec_dec_end(&d);
}

static int
dec_play(const MDB_val *k, const MDB_val *v, void *rec)
{
	return store_dec_play(k, v, rec, 1);
}

/* plays: [U] be64 played_at; written by store_put_play() alone. */
static const struct store_codec play_codec = {
	DB_PLAYS, "play", NULL, NULL, dec_play
};

/*
 * Encodes p with prev as its previous play into t->scratch.  Returns 0,
 * or -1 (logged) when the track id or the source is bad.
 */
int
store_enc_play(struct store_txn *t, const struct play *p, int64_t prev)
{
	struct enc e;

	store_enc_begin(t, &e);
	codec_put_id(&e, p->track_id);
	codec_put_str(&e, p->context_uri);
	codec_put_u8(&e, p->source);
	codec_put_i32(&e, p->ms_played);
	codec_put_i64(&e, prev);
	if (p->source >= SOURCE__MAX || codec_enc_end(&e) == -1) {
		log_warnx("store: put play: bad track id or source");
		return -1;
	}
	return 0;
}

int
store_put_play(struct store_txn *t, const char *user, const struct play *p)
{
	struct key k;
	int64_t prev, next;
	int rc;

	if (key_user_ms(&k, user, p->played_at) == -1) {
		log_warnx("store: put play: bad user id");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	/* Its neighbours among the plays of its track, before it goes in. */
	if (trackplay_around(t, user, p->track_id, p->played_at, &prev,
	    &next) != STORE_OK)
		return STORE_ERR;
	if (store_enc_play(t, p, prev) == -1)
		return STORE_ERR;
	if ((rc = store_db_put(t, DB_PLAYS, &k, t->scratch.data, t->scratch.len,
	    MDB_NOOVERWRITE)) != STORE_OK)
		return rc;
	if (trackplay_put(t, user, p) != STORE_OK)
		return STORE_ERR;
	/* A play of the track after it now has this one before it. */
	if (next != PLAY_NO_PREV &&
	    play_set_prev(t, user, next, p->played_at) != STORE_OK)
		return STORE_ERR;
	/* The per-entity indexes and aggregates (store_byentity.c). */
	k.len = 1 + k.b[0];
	if (store_byent_play(t, &k, p, 1) != STORE_OK)
		return STORE_ERR;
	return agg_count_play(t, user, p, 1);
}

int
store_get_play(struct store_txn *t, const char *user, int64_t played_at,
    struct play *out)
{
	struct key k;

	if (key_user_ms(&k, user, played_at) == -1)
		return STORE_NOTFOUND;
	return store_rec_get(t, &play_codec, &k, out);
}

int
store_del_play(struct store_txn *t, const char *user, int64_t played_at)
{
	struct key k;
	struct play p;
	int64_t next;
	int rc;

	if (key_user_ms(&k, user, played_at) == -1)
		return STORE_NOTFOUND;
	/*
	 * The aggregates and the index need what is deleted (its strings
	 * are not used; its track id is a copy).
	 */
	if ((rc = store_get_play(t, user, played_at, &p)) != STORE_OK)
		return rc;
	if ((rc = store_db_del(t, DB_PLAYS, &k)) != STORE_OK)
		return rc;
	if (trackplay_del(t, user, &p) != STORE_OK)
		return STORE_ERR;
	/* The play of the track after it now follows the one before it. */
	if (trackplay_around(t, user, p.track_id, p.played_at, NULL,
	    &next) != STORE_OK || (next != PLAY_NO_PREV &&
	    play_set_prev(t, user, next, p.prev_played_at) != STORE_OK))
		return STORE_ERR;
	k.len = 1 + k.b[0];
	if (store_byent_play(t, &k, &p, -1) != STORE_OK)
		return STORE_ERR;
	return agg_count_play(t, user, &p, -1);
}

/* Counts the keys it is shown into *(uint64_t *)ctx. */
static int
scan_count(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	uint64_t *n = ctx;

	(void)t;
	(void)k;
	(void)v;
	(*n)++;
	return 0;
}

int
store_iter_plays(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct play *, void *), void *arg)
{
	struct play p;
	struct key lo, hi;

	if (key_user_ms(&lo, user, from_ms) == -1 ||
	    key_user_ms(&hi, user, to_ms) == -1)
		return STORE_OK;
	return store_rec_scan(t, &play_codec, &lo, &hi, dir, &p,
	    (union store_each){ .play = fn }, arg);
}

int
store_count_plays(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, uint64_t *n)
{
	struct key lo, hi;
	uint64_t count = 0;
	int rc;

	*n = 0;
	if (key_user_ms(&lo, user, from_ms) == -1 ||
	    key_user_ms(&hi, user, to_ms) == -1)
		return STORE_OK;
	rc = store_scan(t, DB_PLAYS, &lo, &hi, STORE_ASC, scan_count, &count);
	if (rc == STORE_OK)
		*n = count;
	return rc;
}

/* ---- aggregates ------------------------------------------------------------
 *
 * Per user and 15-minute UTC bucket: plays and listening time (store.h).
 * agg_count_play() is called by store_put_play() after a new play was
 * written and by store_del_play() after one was deleted, inside their
 * transaction, and holds the change back in t->aggpend (one bucket's
 * sum, so a run of plays in one bucket writes it once) until another
 * bucket or user comes, a read of the aggregates, or the commit
 * (store_agg_flush()); nothing else writes this database but the
 * rebuild of a migration.  A bucket whose last play goes is deleted, so the database
 * holds exactly the buckets that have plays, and a few more records per
 * user: the journal's versions (agg_bump_version; a store migrated from
 * version 1 or 2 has none until the user's next play or record, which
 * store_part_version() reports as STORE_NOTFOUND).  store_scan_plays() is
 * the plays' lean iteration for the insights' long scans.
 */

struct agg_rec {
	uint32_t	plays, by_played, by_duration;
	uint64_t	ms_played, ms_duration;
};

/* The bucket number of t (floor); -1 when t is not aggregated. */
static int
agg_bucket_of(int64_t t, int32_t *b)
{
	int64_t q;

	if (t < TIME_MS_MIN || t > TIME_MS_MAX)
		return -1;
	q = t / STORE_AGG_BUCKET_MS;
	if (t % STORE_AGG_BUCKET_MS < 0)
		q--;
	*b = (int32_t)q;
	return 0;
}

static int
dec_agg(const MDB_val *v, struct agg_rec *r)
{
	struct dec d;

	memset(r, 0, sizeof(*r));
	if (store_dec_begin(&d, v) == -1)
		return -1;
	r->plays = codec_get_u32(&d);
	r->by_played = codec_get_u32(&d);
	r->ms_played = codec_get_u64(&d);
	r->by_duration = codec_get_u32(&d);
	r->ms_duration = codec_get_u64(&d);
	if ((uint64_t)r->by_played + r->by_duration > r->plays)
		return -1;
	return codec_dec_end(&d);
}

/*
 * Play p's share of its bucket, times sign (1: added, -1: removed), into
 * a: its bucket and the listening time it counts (ms_played when known,
 * else the track's duration as stored now).  STORE_NOTFOUND: p is not
 * aggregated.
 */
static int
agg_delta_of(struct store_txn *t, const struct play *p, int sign,
    struct store_aggpend *a)
{
	struct track tr;
	int rc;

	if (agg_bucket_of(p->played_at, &a->bucket) == -1)
		return STORE_NOTFOUND;
	a->plays = sign;
	a->by_played = a->by_duration = a->ms_played = a->ms_duration = 0;
	if (p->ms_played >= 0) {
		a->by_played = sign;
		a->ms_played = sign * (int64_t)p->ms_played;
		return STORE_OK;
	}
	rc = store_get_track(t, p->track_id, &tr);
	if (rc == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_OK && tr.duration_ms > 0) {
		a->by_duration = sign;
		a->ms_duration = sign * (int64_t)tr.duration_ms;
	}
	return STORE_OK;
}

/* n + d, at least 0. */
static uint64_t
agg_add(uint64_t n, int64_t d)
{
	if (d >= 0)
		return n + (uint64_t)d;
	return (uint64_t)-d < n ? n - (uint64_t)-d : 0;
}

/*
 * Adds the deltas a to bucket a->bucket of the user whose key prefix
 * [U] is k (extended).  A removal from what is not there (a damaged or
 * hand-edited store) stops at 0, as it always has.
 */
static int
agg_delta_apply(struct store_txn *t, struct key *k,
    const struct store_aggpend *a)
{
	struct agg_rec r;
	struct enc e;
	MDB_val v, mk;
	int rc;

	key_be32(k, codec_bias32(a->bucket));
	memset(&r, 0, sizeof(r));
	if ((rc = store_db_get(t, DB_AGG, k, &v)) == STORE_OK) {
		if (dec_agg(&v, &r) == -1) {
			mk = key_val(k);
			store_damaged(DB_AGG, &mk, &v);
			return STORE_ERR;
		}
	} else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if ((int64_t)r.plays + a->plays < 0)
		log_warnx("store: agg: deleting from an empty bucket");
	r.plays = (uint32_t)agg_add(r.plays, a->plays);
	r.by_played = (uint32_t)agg_add(r.by_played, a->by_played);
	r.ms_played = agg_add(r.ms_played, a->ms_played);
	r.by_duration = (uint32_t)agg_add(r.by_duration, a->by_duration);
	r.ms_duration = agg_add(r.ms_duration, a->ms_duration);
	if (r.by_played > r.plays)
		r.by_played = r.plays;
	if (r.by_played + r.by_duration > r.plays)
		r.by_duration = r.plays - r.by_played;
	if (r.plays == 0)
		return rc == STORE_OK ? store_db_del(t, DB_AGG, k) : STORE_OK;
	store_enc_begin(t, &e);
	codec_put_u32(&e, r.plays);
	codec_put_u32(&e, r.by_played);
	codec_put_u64(&e, r.ms_played);
	codec_put_u32(&e, r.by_duration);
	codec_put_u64(&e, r.ms_duration);
	if (codec_enc_end(&e) == -1)
		return STORE_ERR;
	return store_db_put(t, DB_AGG, k, t->scratch.data, t->scratch.len, 0);
}

/*
 * Adds (sign 1) or removes (sign -1) play p of the user whose key prefix
 * [U] is k (len bytes) to or from its bucket, at once (the migrations).
 */
int
store_agg_apply(struct store_txn *t, struct key *k, const struct play *p,
    int sign)
{
	struct store_aggpend a;
	int rc;

	if ((rc = agg_delta_of(t, p, sign, &a)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	return agg_delta_apply(t, k, &a);
}

/*
 * The user's journal versions: records past year 9999 (so no bucket scan
 * meets them), u64 n each, one per enum store_part at bucket INT32_MAX -
 * part: the plays' (bumped by every transaction that puts or deletes
 * a play of the user, at its commit: agg_count_play()), then the
 * weekly playlists', the top lists' and the gaps' (store_bump_part()).
 * Each starts at a random number, so a version never comes back for a
 * user purged and added again.  k is the key prefix [U].
 */
static int32_t
agg_version_slot(enum store_part part)
{
	return INT32_MAX - (int32_t)part;
}

static int
agg_bump_version(struct store_txn *t, struct key *k, enum store_part part)
{
	const unsigned char *p;
	unsigned char v[9];
	MDB_val mv;
	uint64_t n;
	int rc;

	key_be32(k, codec_bias32(agg_version_slot(part)));
	if ((rc = store_db_get(t, DB_AGG, k, &mv)) == STORE_OK) {
		p = mv.mv_data;
		if (mv.mv_size != sizeof(v) || p[0] != VALUE_VERSION) {
			store_damaged(DB_AGG, &mv, &mv);
			return STORE_ERR;
		}
		n = codec_be64_get(p + 1) + 1;
	} else if (rc == STORE_NOTFOUND)
		arc4random_buf(&n, sizeof(n));
	else
		return STORE_ERR;
	v[0] = VALUE_VERSION;
	codec_be64_put(v + 1, n);
	return store_db_put(t, DB_AGG, k, v, sizeof(v), 0);
}

/* Applies the pending bucket's deltas, if any, and keeps the rest. */
static int
agg_pend_apply_delta(struct store_txn *t)
{
	struct store_aggpend *a = &t->aggpend;
	struct key k;

	if (!a->has_delta)
		return STORE_OK;
	a->has_delta = 0;
	if (a->plays == 0 && a->by_played == 0 && a->by_duration == 0 &&
	    a->ms_played == 0 && a->ms_duration == 0)
		return STORE_OK;
	k = a->user;
	return agg_delta_apply(t, &k, a);
}

int
store_agg_flush(struct store_txn *t)
{
	struct store_aggpend *a = &t->aggpend;
	struct key k;
	int rc, bump = a->bump;

	if (a->user.len == 0)
		return STORE_OK;
	rc = agg_pend_apply_delta(t);
	k = a->user;
	store_agg_discard(t);
	if (rc == STORE_OK && bump)
		rc = agg_bump_version(t, &k, STORE_PART_PLAYS);
	return rc;
}

void
store_agg_discard(struct store_txn *t)
{
	t->aggpend.user.len = 0;
	t->aggpend.has_delta = 0;
	t->aggpend.bump = 0;
}

/*
 * Counts play p in (sign 1) or out of (-1) its bucket and bumps the
 * user's plays version, both held back in t->aggpend: the plays of one
 * bucket in a row (an import, an undo) make one write of the bucket, and
 * one user's plays in a transaction one bump of the version.
 */
static int
agg_count_play(struct store_txn *t, const char *user, const struct play *p,
    int sign)
{
	struct store_aggpend *a = &t->aggpend, d;
	struct key k;
	int rc;

	if (key_user(&k, user) == -1)
		return STORE_ERR;
	if (a->user.len != 0 && (a->user.len != k.len ||
	    memcmp(a->user.b, k.b, k.len) != 0) && store_agg_flush(t) != STORE_OK)
		return STORE_ERR;
	if ((rc = agg_delta_of(t, p, sign, &d)) == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_OK && a->has_delta && a->bucket != d.bucket &&
	    agg_pend_apply_delta(t) != STORE_OK)
		return STORE_ERR;
	a->user = k;
	a->bump = 1;
	if (rc != STORE_OK)
		return STORE_OK;
	if (!a->has_delta) {
		a->has_delta = 1;
		a->bucket = d.bucket;
		a->plays = a->by_played = a->by_duration = 0;
		a->ms_played = a->ms_duration = 0;
	}
	a->plays += d.plays;
	a->by_played += d.by_played;
	a->by_duration += d.by_duration;
	a->ms_played += d.ms_played;
	a->ms_duration += d.ms_duration;
	return STORE_OK;
}

int
store_bump_part(struct store_txn *t, const char *user, enum store_part part)
{
	struct key k;

	if (key_user(&k, user) == -1 || part >= STORE_PART__MAX)
		return STORE_ERR;
	return agg_bump_version(t, &k, part);
}

/* A version record's value (9 bytes), or -1 when it is damaged. */
static int
agg_version_value(const MDB_val *k, const MDB_val *v, uint64_t *version)
{
	if (v->mv_size != 9 || *(const unsigned char *)v->mv_data !=
	    VALUE_VERSION) {
		store_damaged(DB_AGG, k, v);
		return -1;
	}
	*version = codec_be64_get((const unsigned char *)v->mv_data + 1);
	return 0;
}

int
store_part_version(struct store_txn *t, const char *user,
    enum store_part part, uint64_t *version)
{
	struct key k;
	MDB_val v, mk;
	int rc;

	*version = 0;
	if (key_user(&k, user) == -1 || part >= STORE_PART__MAX)
		return STORE_NOTFOUND;
	if (store_agg_flush(t) != STORE_OK)
		return STORE_ERR;
	key_be32(&k, codec_bias32(agg_version_slot(part)));
	if ((rc = store_db_get(t, DB_AGG, &k, &v)) != STORE_OK)
		return rc;
	mk = key_val(&k);
	return agg_version_value(&mk, &v, version) == -1 ? STORE_ERR :
	    STORE_OK;
}

/* store_part_versions(): each version record met, into its slot. */
static int
agg_versions_each(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *arg)
{
	uint64_t *out = arg;
	const unsigned char *tail;
	int32_t slot;

	(void)t;
	if ((tail = key_tail(k, 4)) == NULL)
		return -1;
	slot = codec_unbias32(codec_be32_get(tail));
	if (slot < agg_version_slot(STORE_PART__MAX - 1))
		return 0;
	return agg_version_value(k, v, &out[INT32_MAX - slot]);
}

int
store_part_versions(struct store_txn *t, const char *user,
    uint64_t out[STORE_PART__MAX])
{
	struct key lo, hi;

	memset(out, 0, STORE_PART__MAX * sizeof(out[0]));
	if (key_user(&lo, user) == -1 || key_user(&hi, user) == -1)
		return STORE_OK;
	if (store_agg_flush(t) != STORE_OK)
		return STORE_ERR;
	key_be32(&lo, codec_bias32(agg_version_slot(STORE_PART__MAX - 1)));
	key_be32(&hi, codec_bias32(agg_version_slot(STORE_PART_PLAYS)));
	return store_scan(t, DB_AGG, &lo, &hi, STORE_ASC, agg_versions_each,
	    out);
}

int
store_agg_version(struct store_txn *t, const char *user, uint64_t *version)
{
	return store_part_version(t, user, STORE_PART_PLAYS, version);
}

/* A bucket as store_iter_agg() hands it out: its start from the key. */
static int
dec_agg_bucket(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct agg_bucket *b = rec;
	const unsigned char *tail;
	struct agg_rec r;

	if ((tail = key_tail(k, 4)) == NULL || dec_agg(v, &r) == -1)
		return -1;
	b->start_ms = (int64_t)codec_unbias32(codec_be32_get(tail)) *
	    STORE_AGG_BUCKET_MS;
	b->plays = r.plays;
	b->by_played = r.by_played;
	b->ms_played = r.ms_played;
	b->by_duration = r.by_duration;
	b->ms_duration = r.ms_duration;
	return 0;
}

/* agg: [U] be32 bucket; written by the play functions alone. */
static const struct store_codec agg_codec = {
	DB_AGG, "agg", NULL, NULL, dec_agg_bucket
};

int
store_iter_agg(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct agg_bucket *, void *), void *arg)
{
	struct agg_bucket b;
	struct key lo, hi;
	int32_t blo, bhi;

	/* Buckets starting in [from, to]: from rounded up, to down. */
	if (from_ms < TIME_MS_MIN)
		from_ms = TIME_MS_MIN;
	if (to_ms > TIME_MS_MAX)
		to_ms = TIME_MS_MAX;
	if (from_ms > to_ms || agg_bucket_of(from_ms, &blo) == -1 ||
	    agg_bucket_of(to_ms, &bhi) == -1)
		return STORE_OK;
	if ((int64_t)blo * STORE_AGG_BUCKET_MS < from_ms)
		blo++;
	if (blo > bhi || key_user(&lo, user) == -1 ||
	    key_user(&hi, user) == -1)
		return STORE_OK;
	if (store_agg_flush(t) != STORE_OK)
		return STORE_ERR;
	key_be32(&lo, codec_bias32(blo));
	key_be32(&hi, codec_bias32(bhi));
	return store_rec_scan(t, &agg_codec, &lo, &hi, dir, &b,
	    (union store_each){ .agg = fn }, arg);
}

/* ---- the zero-copy play scan ---- */

struct ref_iter {
	int	(*fn)(const struct play_ref *, void *);
	void	*arg;
};

/*
 * The play value's layout, checked without a decoder: version byte, the
 * 22-byte track id, a str (u32 length, bytes, NUL), u8 source, i32
 * ms_played and i64 prev_played_at; exactly that many bytes.
 */
static int
scan_play_ref(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	const unsigned char *p = v->mv_data;
	struct ref_iter *it = ctx;
	struct play_ref r;
	uint32_t n, ms;

	(void)t;
	if (key_tail_ms(k, &r.played_at) == -1 ||
	    v->mv_size < 1 + ID_LEN + 4 || p[0] != VALUE_VERSION)
		goto damaged;
	n = codec_be32_get(p + 1 + ID_LEN);
	if (v->mv_size - (1 + ID_LEN + 4) != (size_t)n + 1 + 1 + 4 + 8 ||
	    p[1 + ID_LEN + 4 + n] != '\0' ||
	    p[1 + ID_LEN + 4 + n + 1] >= SOURCE__MAX)
		goto damaged;
	ms = codec_be32_get(p + 1 + ID_LEN + 4 + n + 2);
	r.track_id = (const char *)p + 1;
	r.ms_played = codec_as_i32(ms);
	return it->fn(&r, it->arg);
damaged:
	store_damaged(DB_PLAYS, k, v);
	return -1;
}

int
store_scan_plays(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct play_ref *, void *), void *arg)
{
	struct ref_iter it = { fn, arg };
	struct key lo, hi;

	if (key_user_ms(&lo, user, from_ms) == -1 ||
	    key_user_ms(&hi, user, to_ms) == -1)
		return STORE_OK;
	return store_scan(t, DB_PLAYS, &lo, &hi, dir, scan_play_ref, &it);
}

/* ---- the plays-by-track index -------------------------------------------
 *
 * playsbytrack holds, under the key [U] track id, one sorted duplicate
 * value be64 played_at (biased) per play: MDB_DUPSORT | MDB_DUPFIXED, so
 * a user's plays of one track are one key with a packed array of 8-byte
 * times, oldest first (LMDB keeps a few inline in the key's node and
 * moves more into a sub-database of their own).  The values are written
 * and deleted with the play in store_put_play() and store_del_play(), so
 * the index holds exactly the plays' (user, track, time) triples in
 * every committed state.  The play before any moment is one
 * MDB_GET_BOTH_RANGE and one MDB_PREV_DUP away (store_prev_track_play()),
 * the one after it one MDB_GET_BOTH_RANGE: the play functions use both
 * to keep each play value's prev_played_at (trackplay_around(),
 * play_set_prev()), so readers never seek here.
 *
 * Against schema version 3's layout (one key [U] track id be64 played_at
 * per play, empty values) it stores a track's key once instead of once
 * per play: 2.5x fewer pages, so a bulk write of plays spread over
 * many tracks (an import file) changes, and copies, that many fewer.
 * Stores of schema version 3 or older get it built by the migration.
 */

/* k = [U] track id; -1 when user or id is ill-formed. */
static int
key_trackplay(struct key *k, const char *user, const char *track_id)
{
	if (key_user(k, user) == -1 || key_id(k, track_id) == -1)
		return -1;
	return 0;
}

/* Adds played_at to the index key k ([U] track id). */
int
store_bytrack_put(struct store_txn *t, const struct key *k, int64_t played_at)
{
	unsigned char v[8];

	codec_be64_put(v, codec_bias64(played_at));
	return store_db_put(t, DB_PLAYSBYTRACK, k, v, sizeof(v), 0);
}

static int
trackplay_put(struct store_txn *t, const char *user, const struct play *p)
{
	struct key k;

	if (key_trackplay(&k, user, p->track_id) == -1)
		return STORE_ERR;
	return store_bytrack_put(t, &k, p->played_at);
}

/* A missing entry is not an error: the play is gone either way. */
static int
trackplay_del(struct store_txn *t, const char *user, const struct play *p)
{
	unsigned char v[8];
	struct key k;
	int rc;

	if (key_trackplay(&k, user, p->track_id) == -1)
		return STORE_ERR;
	codec_be64_put(v, codec_bias64(p->played_at));
	rc = store_db_del_dup(t, DB_PLAYSBYTRACK, &k, v, sizeof(v));
	if (rc == STORE_NOTFOUND)
		log_warnx("store: playsbytrack: no entry for a deleted play");
	return rc == STORE_ERR ? STORE_ERR : STORE_OK;
}

/*
 * The time in the index key k ([U] track id) nearest to at on one side:
 * before (side < 0, the newest time < at) or after (side > 0, the oldest
 * time > at) into *out.  Returns STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
static int
bytrack_seek(struct store_txn *t, const struct key *k, int64_t at, int side,
    int64_t *out)
{
	unsigned char from[8];
	MDB_cursor *c;
	MDB_val mk, mv;
	int rc, tmp, ret;

	if (side > 0 && at == INT64_MAX)
		return STORE_NOTFOUND;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = store_cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	/* The key's first value >= from (at, or at + 1 for the side after). */
	codec_be64_put(from, codec_bias64(side > 0 ? at + 1 : at));
	mk = key_val(k);
	mv.mv_size = sizeof(from);
	mv.mv_data = from;
	rc = mdb_cursor_get(c, &mk, &mv, MDB_GET_BOTH_RANGE);
	if (side < 0 && rc == MDB_SUCCESS)
		rc = mdb_cursor_get(c, &mk, &mv, MDB_PREV_DUP);
	else if (side < 0 && rc == MDB_NOTFOUND) {
		/* No such key, or all its values are < at: the last. */
		mk = key_val(k);
		rc = mdb_cursor_get(c, &mk, &mv, MDB_SET);
		if (rc == MDB_SUCCESS)
			rc = mdb_cursor_get(c, &mk, &mv, MDB_LAST_DUP);
	}
	if (rc == MDB_NOTFOUND)
		ret = STORE_NOTFOUND;
	else if (rc != MDB_SUCCESS)
		ret = store_map_error(t, rc, "seek", DB_PLAYSBYTRACK);
	else if (mv.mv_size != sizeof(from)) {
		store_damaged(DB_PLAYSBYTRACK, &mk, &mv);
		ret = STORE_ERR;
	} else {
		*out = codec_unbias64(codec_be64_get(mv.mv_data));
		ret = STORE_OK;
	}
	store_cursor_release(t, DB_PLAYSBYTRACK, c, tmp);
	return ret;
}

/*
 * The user's plays of track_id just before and just after at (not at
 * itself) into *prev (when not NULL) and *next, PLAY_NO_PREV for none.
 * Returns STORE_OK or STORE_ERR.
 */
static int
trackplay_around(struct store_txn *t, const char *user, const char *track_id,
    int64_t at, int64_t *prev, int64_t *next)
{
	struct key k;
	int rc;

	if (key_trackplay(&k, user, track_id) == -1)
		return STORE_ERR;
	if (prev != NULL) {
		if ((rc = bytrack_seek(t, &k, at, -1, prev)) == STORE_ERR)
			return STORE_ERR;
		if (rc == STORE_NOTFOUND)
			*prev = PLAY_NO_PREV;
	}
	if ((rc = bytrack_seek(t, &k, at, 1, next)) == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_NOTFOUND)
		*next = PLAY_NO_PREV;
	return STORE_OK;
}

/*
 * Rewrites the user's play at played_at with prev as its previous play.
 * A play the index names but the plays lack is logged and skipped, as
 * trackplay_del() does the other way round.
 */
static int
play_set_prev(struct store_txn *t, const char *user, int64_t played_at,
    int64_t prev)
{
	struct play p;
	struct key k;
	int rc;

	if ((rc = store_get_play(t, user, played_at, &p)) == STORE_NOTFOUND) {
		log_warnx("store: playsbytrack: an entry without its play");
		return STORE_OK;
	}
	if (rc != STORE_OK || p.prev_played_at == prev)
		return rc;
	if (key_user_ms(&k, user, played_at) == -1 ||
	    store_enc_play(t, &p, prev) == -1)
		return STORE_ERR;
	return store_db_put(t, DB_PLAYS, &k, t->scratch.data, t->scratch.len,
	    0);
}

int
store_prev_track_play(struct store_txn *t, const char *user,
    const char *track_id, int64_t before_ms, int64_t *played_at)
{
	struct key k;

	if (key_trackplay(&k, user, track_id) == -1)
		return STORE_NOTFOUND;
	return bytrack_seek(t, &k, before_ms, -1, played_at);
}

/* ---- reading the plays-by-track index (the story pages) ----------------- */

struct times_iter {
	int	(*fn)(int64_t played_at, void *);
	void	*arg;
};

static int
bytrack_value(const MDB_val *k, const MDB_val *v, void *ctx)
{
	struct times_iter *it = ctx;

	(void)k;
	return it->fn(codec_unbias64(codec_be64_get(v->mv_data)), it->arg);
}

int
store_iter_track_times(struct store_txn *t, const char *user,
    const char *track_id, int64_t from_ms, int64_t to_ms, enum store_dir dir,
    int (*fn)(int64_t played_at, void *), void *arg)
{
	struct times_iter it = { fn, arg };
	struct key k;

	if (key_trackplay(&k, user, track_id) == -1)
		return STORE_OK;
	return store_dup_scan(t, DB_PLAYSBYTRACK, &k, 8, from_ms, to_ms, dir,
	    bytrack_value, &it);
}

int
store_iter_user_tracks(struct store_txn *t, const char *user,
    int (*fn)(const char *track_id, uint64_t n_plays, void *), void *arg)
{
	char id[ID_LEN + 1];
	const unsigned char *tail;
	struct key k;
	MDB_cursor *c;
	MDB_val mk, mv;
	size_t n;
	int rc, frc, tmp, ret = STORE_OK;

	if (key_user(&k, user) == -1)
		return STORE_OK;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = store_cursor_acquire(t, DB_PLAYSBYTRACK, &tmp)) == NULL)
		return STORE_ERR;
	mk = key_val(&k);
	rc = mdb_cursor_get(c, &mk, &mv, MDB_SET_RANGE);
	while (rc == MDB_SUCCESS) {
		if (mk.mv_size < k.len || memcmp(mk.mv_data, k.b, k.len) != 0)
			break;
		if ((tail = key_tail(&mk, ID_LEN)) == NULL) {
			store_damaged(DB_PLAYSBYTRACK, &mk, &mv);
			ret = STORE_ERR;
			goto release;
		}
		if ((rc = mdb_cursor_count(c, &n)) != MDB_SUCCESS)
			break;
		memcpy(id, tail, ID_LEN);
		id[ID_LEN] = '\0';
		if ((frc = fn(id, (uint64_t)n, arg)) != 0) {
			if (frc != 1)
				ret = STORE_ERR;
			goto release;
		}
		rc = mdb_cursor_get(c, &mk, &mv, MDB_NEXT_NODUP);
	}
release:
	return store_walk_end(t, DB_PLAYSBYTRACK, c, tmp, rc, ret, "iterate");
}
