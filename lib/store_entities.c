/*
 * store_entities.c — tracks, artists and albums, and the entity change
 * log (contract: store.h; layout: store_int.h).
 *
 * A put compares with the stored entity, ignoring updated_at, and writes
 * only a new or changed one; every write and delete appends the entity to
 * the change log, which the readers follow to invalidate their caches.
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

#define CHANGE_KEEP	65536		/* change log entries kept at least */
#define CHANGE_TRIM	1024		/* trim the log every this many */
#define ENTITY_HDR	9		/* version byte + i64 updated_at */
#define META_CHANGE_SEQ	"change_seq"

/* ---- the entity change log ----------------------------------------------- */

/*
 * Deletes the changes numbered <= upto.  Called every CHANGE_TRIM
 * sequence numbers, so each run deletes about CHANGE_TRIM entries.
 */
static int
store_trim_changes(struct store_txn *t, uint64_t upto)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, tmp, ret = STORE_OK;

	if ((c = store_cursor_acquire(t, DB_CHANGES, &tmp)) == NULL)
		return STORE_ERR;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0) {
		if (k.mv_size != 8 || codec_be64_get(k.mv_data) > upto)
			break;
		if ((rc = mdb_cursor_del(c, 0)) != 0)
			break;
	}
	return store_walk_end(t, DB_CHANGES, c, tmp, rc, ret, "trim");
}

/* Appends (kind, id) to the change log under the next sequence number. */
static int
store_log_change(struct store_txn *t, enum entity_kind kind, const char *id)
{
	unsigned char v[2 + ID_LEN];
	struct key k;
	int64_t cur;
	uint64_t seq;
	int rc;

	if (!t->seq_loaded) {
		rc = store_get_meta_i64(t, META_CHANGE_SEQ, &cur);
		if (rc == STORE_NOTFOUND)
			cur = 0;
		else if (rc != STORE_OK)
			return STORE_ERR;
		t->seq = (uint64_t)cur;
		t->seq_loaded = 1;
	}
	seq = t->seq + 1;
	k.len = 0;
	key_be64(&k, seq);
	v[0] = VALUE_VERSION;
	v[1] = (unsigned char)kind;
	memcpy(v + 2, id, ID_LEN);
	if (store_db_put(t, DB_CHANGES, &k, v, sizeof(v), 0) != STORE_OK ||
	    store_put_meta_i64(t, META_CHANGE_SEQ, (int64_t)seq) != STORE_OK)
		return STORE_ERR;
	t->seq = seq;
	if (seq % CHANGE_TRIM == 0 && seq > CHANGE_KEEP)
		return store_trim_changes(t, seq - CHANGE_KEEP);
	return STORE_OK;
}

int
store_change_seq(struct store_txn *t, uint64_t *seq, uint64_t *oldest)
{
	MDB_cursor *c;
	MDB_val k, v;
	int64_t cur;
	int rc, tmp;

	*seq = 0;
	if (oldest != NULL)
		*oldest = 0;
	rc = store_get_meta_i64(t, META_CHANGE_SEQ, &cur);
	if (rc == STORE_OK)
		*seq = (uint64_t)cur;
	else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if (oldest == NULL)
		return STORE_OK;
	if ((c = store_cursor_acquire(t, DB_CHANGES, &tmp)) == NULL)
		return STORE_ERR;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	store_cursor_release(t, DB_CHANGES, c, tmp);
	if (rc == MDB_SUCCESS && k.mv_size == 8)
		*oldest = codec_be64_get(k.mv_data);
	else if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS)
		return store_map_error(t, rc, "first", DB_CHANGES);
	return STORE_OK;
}

struct change_iter {
	int	(*fn)(uint64_t, enum entity_kind, const char *, void *);
	void	*arg;
};

static int
scan_change(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct change_iter *it = ctx;
	const unsigned char *p = v->mv_data;
	char id[ID_LEN + 1];

	(void)t;
	if (k->mv_size != 8 || v->mv_size != 2 + ID_LEN ||
	    p[0] != VALUE_VERSION || p[1] >= ENTITY__MAX) {
		store_damaged(DB_CHANGES, k, v);
		return -1;
	}
	memcpy(id, p + 2, ID_LEN);
	id[ID_LEN] = '\0';
	return it->fn(codec_be64_get(k->mv_data), (enum entity_kind)p[1], id,
	    it->arg);
}

int
store_iter_changes(struct store_txn *t, uint64_t since,
    int (*fn)(uint64_t seq, enum entity_kind, const char *id, void *),
    void *arg)
{
	struct change_iter it = { fn, arg };
	struct key lo;

	if (since == UINT64_MAX)
		return STORE_OK;
	lo.len = 0;
	key_be64(&lo, since + 1);
	return store_scan(t, DB_CHANGES, &lo, NULL, STORE_ASC, scan_change,
	    &it);
}

/* ---- entities ------------------------------------------------------------ */

static int
key_entity(struct key *k, const char *id)
{
	k->len = 0;
	return key_id(k, id);
}

/* Copies an entity key (the id) into out; -1 unless it is ID_LEN bytes. */
static int
dec_entity_id(const MDB_val *k, char out[ID_LEN + 1])
{
	out[0] = '\0';
	if (k->mv_size != ID_LEN)
		return -1;
	memcpy(out, k->mv_data, ID_LEN);
	out[ID_LEN] = '\0';
	return 0;
}

static void
enc_images(struct enc *e, const struct image *im, uint8_t n)
{
	uint8_t i;

	codec_put_u8(e, n);
	for (i = 0; i < n; i++) {
		codec_put_str(e, im[i].url);
		codec_put_u16(e, im[i].width);
		codec_put_u16(e, im[i].height);
	}
}

/* Image urls stored as "" come back as NULL ("no image"). */
static int
dec_images(struct dec *d, struct image *im, uint8_t *n)
{
	uint8_t i;

	*n = codec_get_u8(d);
	if (*n > IMAGES_MAX)
		return -1;
	for (i = 0; i < *n; i++) {
		im[i].url = codec_get_str(d);
		if (im[i].url[0] == '\0')
			im[i].url = NULL;
		im[i].width = codec_get_u16(d);
		im[i].height = codec_get_u16(d);
	}
	return 0;
}

static int
enc_track(struct enc *e, const void *rec)
{
	const struct track *tr = rec;

	codec_put_i64(e, tr->updated_at);
	codec_put_str(e, tr->name);
	codec_put_str(e, tr->uri);
	codec_put_strn(e, tr->album_id, sizeof(tr->album_id));
	codec_put_idlist(e, &tr->artists);
	codec_put_u32(e, tr->duration_ms);
	codec_put_u16(e, tr->popularity);
	codec_put_u8(e, tr->explicit_);
	codec_put_u8(e, tr->is_local);
	codec_put_u16(e, tr->disc_number);
	codec_put_u16(e, tr->track_number);
	return 0;
}

static int
dec_track(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct track *tr = rec;
	struct dec d;

	memset(tr, 0, sizeof(*tr));
	if (dec_entity_id(k, tr->id) == -1 || store_dec_begin(&d, v) == -1)
		return -1;
	tr->updated_at = codec_get_i64(&d);
	tr->name = codec_get_str(&d);
	tr->uri = codec_get_str(&d);
	codec_get_strcpy(&d, tr->album_id, sizeof(tr->album_id));
	codec_get_idlist(&d, &tr->artists);
	tr->duration_ms = codec_get_u32(&d);
	tr->popularity = codec_get_u16(&d);
	tr->explicit_ = codec_get_u8(&d);
	tr->is_local = codec_get_u8(&d);
	tr->disc_number = codec_get_u16(&d);
	tr->track_number = codec_get_u16(&d);
	return codec_dec_end(&d);
}

static int
enc_artist(struct enc *e, const void *rec)
{
	const struct artist *a = rec;
	uint8_t i;

	if (a->n_genres > GENRES_MAX || a->n_images > IMAGES_MAX)
		return -1;
	codec_put_i64(e, a->updated_at);
	codec_put_str(e, a->name);
	codec_put_u8(e, a->n_genres);
	for (i = 0; i < a->n_genres; i++)
		codec_put_str(e, a->genres[i]);
	enc_images(e, a->images, a->n_images);
	codec_put_u16(e, a->popularity);
	codec_put_u8(e, a->detailed);
	return 0;
}

static int
dec_artist(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct artist *a = rec;
	struct dec d;
	uint8_t i;

	memset(a, 0, sizeof(*a));
	if (dec_entity_id(k, a->id) == -1 || store_dec_begin(&d, v) == -1)
		return -1;
	a->updated_at = codec_get_i64(&d);
	a->name = codec_get_str(&d);
	a->n_genres = codec_get_u8(&d);
	if (a->n_genres > GENRES_MAX)
		return -1;
	for (i = 0; i < a->n_genres; i++)
		a->genres[i] = codec_get_str(&d);
	if (dec_images(&d, a->images, &a->n_images) == -1)
		return -1;
	a->popularity = codec_get_u16(&d);
	a->detailed = codec_get_u8(&d);
	return codec_dec_end(&d);
}

static int
enc_album(struct enc *e, const void *rec)
{
	const struct album *al = rec;

	if (al->n_images > IMAGES_MAX)
		return -1;
	codec_put_i64(e, al->updated_at);
	codec_put_str(e, al->name);
	codec_put_str(e, al->album_type);
	codec_put_str(e, al->release_date);
	codec_put_idlist(e, &al->artists);
	enc_images(e, al->images, al->n_images);
	codec_put_u16(e, al->total_tracks);
	return 0;
}

static int
dec_album(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct album *al = rec;
	struct dec d;

	memset(al, 0, sizeof(*al));
	if (dec_entity_id(k, al->id) == -1 || store_dec_begin(&d, v) == -1)
		return -1;
	al->updated_at = codec_get_i64(&d);
	al->name = codec_get_str(&d);
	al->album_type = codec_get_str(&d);
	al->release_date = codec_get_str(&d);
	codec_get_idlist(&d, &al->artists);
	if (dec_images(&d, al->images, &al->n_images) == -1)
		return -1;
	al->total_tracks = codec_get_u16(&d);
	return codec_dec_end(&d);
}

/* The entity databases and their codecs by enum entity_kind. */
static const struct store_codec entity_codec[ENTITY__MAX] = {
	[ENTITY_TRACK] =
	    { DB_TRACKS, "track", "cannot encode", enc_track, dec_track },
	[ENTITY_ARTIST] = { DB_ARTISTS, "artist",
	    "too many genres or images, or cannot encode", enc_artist,
	    dec_artist },
	[ENTITY_ALBUM] = { DB_ALBUMS, "album",
	    "too many images, or cannot encode", enc_album, dec_album },
};

static int
store_get_entity(struct store_txn *t, enum entity_kind kind, const char *id,
    void *out)
{
	struct key k;

	if (key_entity(&k, id) == -1)
		return STORE_NOTFOUND;
	return store_rec_get(t, &entity_codec[kind], &k, out);
}

/*
 * Encodes rec and writes it under id unless an equal one (ignoring
 * updated_at, bytes 1..8) is there, and logs the change.
 */
static int
store_put_entity(struct store_txn *t, enum entity_kind kind, const char *id,
    const void *rec)
{
	enum store_db db = entity_codec[kind].db;
	const struct buf *b = &t->scratch;
	struct key k;
	MDB_val old;
	int rc;

	if (store_rec_encode(t, &entity_codec[kind], rec) == -1)
		return STORE_ERR;
	if (key_entity(&k, id) == -1) {
		log_warnx("store: put %s: bad id", store_dbs[db].name);
		return STORE_ERR;
	}
	rc = store_db_get(t, db, &k, &old);
	if (rc == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_OK && old.mv_size == b->len &&
	    b->len >= ENTITY_HDR &&
	    memcmp(old.mv_data, b->data, 1) == 0 &&
	    memcmp((const char *)old.mv_data + ENTITY_HDR,
	    b->data + ENTITY_HDR, b->len - ENTITY_HDR) == 0)
		return STORE_EXISTS;
	if (store_db_put(t, db, &k, b->data, b->len, 0) != STORE_OK)
		return STORE_ERR;
	return store_log_change(t, kind, id);
}

static int
store_del_entity(struct store_txn *t, enum entity_kind kind, const char *id)
{
	struct key k;
	int rc;

	if (key_entity(&k, id) == -1)
		return STORE_NOTFOUND;
	if ((rc = store_db_del(t, entity_codec[kind].db, &k)) != STORE_OK)
		return rc;
	return store_log_change(t, kind, id);
}

/* Every entity of kind, by id, decoded into *rec for fn. */
static int
store_scan_entities(struct store_txn *t, enum entity_kind kind, void *rec,
    union store_each fn, void *arg)
{
	return store_rec_scan(t, &entity_codec[kind], NULL, NULL, STORE_ASC,
	    rec, fn, arg);
}

/*
 * Many tracks through one cursor.  MDB_SET_KEY on a cursor already on a
 * leaf first looks in that leaf, so ids in ascending order walk along the
 * leaves instead of descending from the root for each (store.h).
 */
int
store_get_tracks(struct store_txn *t, const char *const *ids, size_t n,
    int (*fn)(size_t, const struct track *, void *), void *arg)
{
	struct track tr;
	MDB_cursor *c;
	MDB_val mk, v;
	size_t i;
	int rc = MDB_SUCCESS, ret = STORE_OK, tmp, r;

	if (n == 0)
		return STORE_OK;
	if (store_txn_check(t) == -1 ||
	    (c = store_cursor_acquire(t, DB_TRACKS, &tmp)) == NULL)
		return STORE_ERR;
	for (i = 0; i < n; i++) {
		mk.mv_size = ID_LEN;
		mk.mv_data = (void *)(uintptr_t)ids[i];
		if ((rc = mdb_cursor_get(c, &mk, &v, MDB_SET_KEY)) ==
		    MDB_NOTFOUND)
			continue;
		if (rc != MDB_SUCCESS) {
			ret = store_map_error(t, rc, "get", DB_TRACKS);
			break;
		}
		if (dec_track(&mk, &v, &tr) == -1) {
			store_damaged(DB_TRACKS, &mk, &v);
			ret = STORE_ERR;
			break;
		}
		if ((r = fn(i, &tr, arg)) != 0) {
			ret = r == 1 ? STORE_OK : STORE_ERR;
			break;
		}
	}
	store_cursor_release(t, DB_TRACKS, c, tmp);
	return ret;
}

/*
 * The calls of store.h for one kind of entity: store_get_<name>() and
 * store_iter_<plural>() (STORE_ENTITY_READS), store_put_<name>() and
 * store_del_<name>() (STORE_ENTITY_WRITES), the same for every kind but
 * for the record's type.  A track's writes are its own (below).
 */
#define STORE_ENTITY_READS(name, plural, kind)				\
int									\
store_get_##name(struct store_txn *t, const char *id, struct name *out)	\
{									\
	return store_get_entity(t, kind, id, out);			\
}									\
									\
int									\
store_iter_##plural(struct store_txn *t,				\
    int (*fn)(const struct name *, void *), void *arg)			\
{									\
	struct name rec;						\
									\
	return store_scan_entities(t, kind, &rec,			\
	    (union store_each){ .name = fn }, arg);			\
}

#define STORE_ENTITY_WRITES(name, kind)					\
int									\
store_put_##name(struct store_txn *t, const struct name *rec)		\
{									\
	return store_put_entity(t, kind, rec->id, rec);			\
}									\
									\
int									\
store_del_##name(struct store_txn *t, const char *id)			\
{									\
	return store_del_entity(t, kind, id);				\
}

STORE_ENTITY_READS(track, tracks, ENTITY_TRACK)
STORE_ENTITY_READS(artist, artists, ENTITY_ARTIST)
STORE_ENTITY_WRITES(artist, ENTITY_ARTIST)
STORE_ENTITY_READS(album, albums, ENTITY_ALBUM)
STORE_ENTITY_WRITES(album, ENTITY_ALBUM)

/*
 * A track's album, artists and duration say what its plays count for in
 * the per-entity indexes: a put or delete that changes them moves the
 * plays there too (store_byentity.c).
 */
int
store_put_track(struct store_txn *t, const struct track *tr)
{
	struct track_view old, nw;
	int rc;

	if (store_track_view(t, tr->id, &old) != STORE_OK)
		return STORE_ERR;
	if ((rc = store_put_entity(t, ENTITY_TRACK, tr->id, tr)) != STORE_OK)
		return rc;
	store_track_view_of(tr, &nw);
	return store_byent_track_changed(t, tr->id, &old, &nw);
}

int
store_del_track(struct store_txn *t, const char *id)
{
	struct track_view old, none;
	int rc;

	if (store_track_view(t, id, &old) != STORE_OK)
		return STORE_ERR;
	if ((rc = store_del_entity(t, ENTITY_TRACK, id)) != STORE_OK)
		return rc;
	store_track_view_of(NULL, &none);
	return store_byent_track_changed(t, id, &old, &none);
}
