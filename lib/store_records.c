/*
 * store_records.c — the store's small records (contract: store.h;
 * layout: store_int.h): users (and the purge of everything a user has),
 * meta values, weekly playlist snapshots, top lists, gaps and sign-in
 * sessions.  Each is a key built from its fields and a value encoded by
 * codec.c; none is derived from another.
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

#define META_NAME_MAX	255

/* ---- meta ---------------------------------------------------------------- */

static int
key_meta(struct key *k, const char *name)
{
	size_t n;

	if (name == NULL || (n = strnlen(name, META_NAME_MAX + 1)) == 0 ||
	    n > META_NAME_MAX)
		return -1;
	memcpy(k->b, name, n);
	k->len = n;
	return 0;
}

/* The caller's bytes of a meta value (after the version byte). */
static int
store_meta_value(const MDB_val *k, const MDB_val *v, const unsigned char **p,
    size_t *len)
{
	if (v->mv_size < 1 ||
	    *(const unsigned char *)v->mv_data != VALUE_VERSION) {
		store_damaged(DB_META, k, v);
		return STORE_ERR;
	}
	*p = (const unsigned char *)v->mv_data + 1;
	*len = v->mv_size - 1;
	return STORE_OK;
}

/*
 * Finds the meta value name: *p and *n its bytes after the version byte
 * (valid inside t), *mk and *mv its raw key (pointing into k) and value
 * for store_damaged().  Returns STORE_OK, STORE_NOTFOUND (none, or not a
 * valid name) or STORE_ERR.
 */
static int
store_meta_find(struct store_txn *t, const char *name, struct key *k,
    MDB_val *mk, MDB_val *mv, const unsigned char **p, size_t *n)
{
	int rc;

	if (key_meta(k, name) == -1)
		return STORE_NOTFOUND;
	if ((rc = store_db_get(t, DB_META, k, mv)) != STORE_OK)
		return rc;
	*mk = key_val(k);
	if (store_meta_value(mk, mv, p, n) != STORE_OK)
		return STORE_ERR;
	return STORE_OK;
}

int
store_get_meta(struct store_txn *t, const char *name, void *out,
    size_t *len)
{
	const unsigned char *p;
	struct key k;
	MDB_val mk, v;
	size_t n;
	int rc;

	if ((rc = store_meta_find(t, name, &k, &mk, &v, &p, &n)) != STORE_OK)
		return rc;
	if (out != NULL && *len > 0)
		memcpy(out, p, n < *len ? n : *len);
	*len = n;
	return STORE_OK;
}

int
store_put_meta(struct store_txn *t, const char *name, const void *v,
    size_t len)
{
	struct key k;

	if (key_meta(&k, name) == -1) {
		log_warnx("store: put meta: bad name");
		return STORE_ERR;
	}
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	buf_reset(&t->scratch);
	if (buf_putc(&t->scratch, VALUE_VERSION) == -1 ||
	    buf_add(&t->scratch, v, len) == -1) {
		log_warn("store: put meta");
		return STORE_ERR;
	}
	return store_db_put(t, DB_META, &k, t->scratch.data, t->scratch.len, 0);
}

int
store_get_meta_i64(struct store_txn *t, const char *name, int64_t *v)
{
	const unsigned char *p;
	struct key k;
	struct dec d;
	MDB_val mk, mv;
	size_t n;
	int rc;

	if ((rc = store_meta_find(t, name, &k, &mk, &mv, &p, &n)) != STORE_OK)
		return rc;
	codec_dec_init(&d, p, n);
	*v = codec_get_i64(&d);
	if (codec_dec_end(&d) == -1) {
		store_damaged(DB_META, &mk, &mv);
		*v = 0;
		return STORE_ERR;
	}
	return STORE_OK;
}

int
store_put_meta_i64(struct store_txn *t, const char *name, int64_t v)
{
	unsigned char b[8];

	codec_be64_put(b, (uint64_t)v);
	return store_put_meta(t, name, b, sizeof(b));
}

int
store_del_meta(struct store_txn *t, const char *name)
{
	struct key k;

	if (key_meta(&k, name) == -1)
		return STORE_NOTFOUND;
	return store_db_del(t, DB_META, &k);
}

/* ---- users --------------------------------------------------------------- */

static int
enc_user(struct enc *e, const void *rec)
{
	const struct user *u = rec;
	uint8_t i;

	if (u->status >= USER_STATUS__MAX || u->visibility >= VIS__MAX ||
	    u->n_archive > ARCHIVE_MAX)
		return -1;
	codec_put_strn(e, u->display_name, sizeof(u->display_name));
	codec_put_strn(e, u->country, sizeof(u->country));
	codec_put_strn(e, u->product, sizeof(u->product));
	codec_put_strn(e, u->image_url, sizeof(u->image_url));
	codec_put_strn(e, u->access_token, sizeof(u->access_token));
	codec_put_strn(e, u->refresh_token, sizeof(u->refresh_token));
	codec_put_i64(e, u->token_expires);
	codec_put_i64(e, u->authorized_at);
	codec_put_u8(e, u->status);
	codec_put_u8(e, u->visibility);
	codec_put_strn(e, u->timezone, sizeof(u->timezone));
	codec_put_strn(e, u->dw_playlist, sizeof(u->dw_playlist));
	codec_put_u8(e, u->n_archive);
	for (i = 0; i < u->n_archive; i++)
		codec_put_strn(e, u->archive[i], sizeof(u->archive[i]));
	codec_put_i64(e, u->created_at);
	codec_put_i64(e, u->cursor_ms);
	codec_put_i32(e, u->offset_s);
	codec_put_i64(e, u->last_poll);
	codec_put_i64(e, u->last_ok_poll);
	codec_put_i64(e, u->next_plays);
	codec_put_i64(e, u->next_top);
	codec_put_i64(e, u->next_dw);
	codec_put_i64(e, u->next_profile);
	codec_put_u32(e, u->failures);
	codec_put_strn(e, u->last_error, sizeof(u->last_error));
	codec_put_u64(e, u->n_plays);
	return 0;
}

static int
dec_user(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct user *u = rec;
	struct dec d;
	uint8_t i;

	memset(u, 0, sizeof(*u));
	if (k->mv_size < 1 || k->mv_size > USER_ID_MAX)
		return -1;
	memcpy(u->id, k->mv_data, k->mv_size);
	if (store_dec_begin(&d, v) == -1)
		return -1;
	codec_get_strcpy(&d, u->display_name, sizeof(u->display_name));
	codec_get_strcpy(&d, u->country, sizeof(u->country));
	codec_get_strcpy(&d, u->product, sizeof(u->product));
	codec_get_strcpy(&d, u->image_url, sizeof(u->image_url));
	codec_get_strcpy(&d, u->access_token, sizeof(u->access_token));
	codec_get_strcpy(&d, u->refresh_token, sizeof(u->refresh_token));
	u->token_expires = codec_get_i64(&d);
	u->authorized_at = codec_get_i64(&d);
	u->status = codec_get_u8(&d);
	u->visibility = codec_get_u8(&d);
	codec_get_strcpy(&d, u->timezone, sizeof(u->timezone));
	codec_get_strcpy(&d, u->dw_playlist, sizeof(u->dw_playlist));
	u->n_archive = codec_get_u8(&d);
	if (u->status >= USER_STATUS__MAX || u->visibility >= VIS__MAX ||
	    u->n_archive > ARCHIVE_MAX)
		return -1;
	for (i = 0; i < u->n_archive; i++)
		codec_get_strcpy(&d, u->archive[i], sizeof(u->archive[i]));
	u->created_at = codec_get_i64(&d);
	u->cursor_ms = codec_get_i64(&d);
	u->offset_s = codec_get_i32(&d);
	u->last_poll = codec_get_i64(&d);
	u->last_ok_poll = codec_get_i64(&d);
	u->next_plays = codec_get_i64(&d);
	u->next_top = codec_get_i64(&d);
	u->next_dw = codec_get_i64(&d);
	u->next_profile = codec_get_i64(&d);
	u->failures = codec_get_u32(&d);
	codec_get_strcpy(&d, u->last_error, sizeof(u->last_error));
	u->n_plays = codec_get_u64(&d);
	return codec_dec_end(&d);
}

/* users: keyed by the bare user id. */
static const struct store_codec user_codec = {
	DB_USERS, "user", "a field is out of range or unterminated",
	enc_user, dec_user
};

int
store_get_user(struct store_txn *t, const char *id, struct user *out)
{
	struct key k;

	if (key_user_bare(&k, id) == -1)
		return STORE_NOTFOUND;
	return store_rec_get(t, &user_codec, &k, out);
}

int
store_put_user(struct store_txn *t, const struct user *u)
{
	struct key k;

	if (strnlen(u->id, sizeof(u->id)) == sizeof(u->id) ||
	    key_user_bare(&k, u->id) == -1) {
		log_warnx("store: put user: bad user id");
		return STORE_ERR;
	}
	return store_rec_put(t, &user_codec, &k, u);
}

int
store_del_user(struct store_txn *t, const char *id)
{
	struct key k;

	if (key_user_bare(&k, id) == -1)
		return STORE_NOTFOUND;
	return store_db_del(t, DB_USERS, &k);
}

int
store_purge_user(struct store_txn *t, const char *id, uint64_t *n_deleted)
{
	struct key prefix;
	uint64_t n = 0, derived = 0;
	int db, rc;

	if (n_deleted != NULL)
		*n_deleted = 0;
	if (key_user(&prefix, id) == -1)
		return STORE_NOTFOUND;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	for (db = 0; db < DB__MAX; db++) {
		if (!store_dbs[db].per_user)
			continue;
		/* Aggregates and indexes come from the plays: not counted. */
		if (store_del_prefix(t, db, &prefix, store_dbs[db].derived ?
		    &derived : &n) != STORE_OK)
			return STORE_ERR;
	}
	if ((rc = store_del_user(t, id)) == STORE_OK)
		n++;
	else if (rc != STORE_NOTFOUND)
		return STORE_ERR;
	if (n_deleted != NULL)
		*n_deleted = n;
	return n > 0 ? STORE_OK : STORE_NOTFOUND;
}

int
store_iter_users(struct store_txn *t,
    int (*fn)(const struct user *, void *), void *arg)
{
	struct user u;

	return store_rec_scan(t, &user_codec, NULL, NULL, STORE_ASC, &u,
	    (union store_each){ .user = fn }, arg);
}

/* ---- playlists ----------------------------------------------------------- */

static int
key_playlist(struct key *k, const char *user, const char *playlist_id,
    int32_t week)
{
	if (key_user(k, user) == -1 || key_id(k, playlist_id) == -1)
		return -1;
	key_be32(k, codec_bias32(week));
	return 0;
}

static int
enc_playlist(struct enc *e, const void *rec)
{
	const struct playlist_week *w = rec;

	codec_put_str(e, w->name);
	codec_put_str(e, w->snapshot_id);
	codec_put_u8(e, w->how);
	codec_put_i64(e, w->obtained_at);
	codec_put_idlist(e, &w->tracks);
	return w->how >= PLAYLIST__MAX ? -1 : 0;
}

static int
dec_playlist(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct playlist_week *w = rec;
	const unsigned char *tail;
	struct dec d;

	memset(w, 0, sizeof(*w));
	if ((tail = key_tail(k, ID_LEN + 4)) == NULL)
		return -1;
	memcpy(w->playlist_id, tail, ID_LEN);
	w->playlist_id[ID_LEN] = '\0';
	w->week = codec_unbias32(codec_be32_get(tail + ID_LEN));
	if (store_dec_begin(&d, v) == -1)
		return -1;
	w->name = codec_get_str(&d);
	w->snapshot_id = codec_get_str(&d);
	w->how = codec_get_u8(&d);
	w->obtained_at = codec_get_i64(&d);
	codec_get_idlist(&d, &w->tracks);
	if (w->how >= PLAYLIST__MAX)
		return -1;
	return codec_dec_end(&d);
}

/*
 * What a put or delete of a record of part of user's journal returned
 * (rc), after that part's version was bumped when it wrote something
 * (store_part_version(), store.h).
 */
static int
part_changed(struct store_txn *t, const char *user, enum store_part part,
    int rc)
{
	if (rc != STORE_OK)
		return rc;
	return store_bump_part(t, user, part);
}

/* playlists: [U] playlist id, be32 week. */
static const struct store_codec playlist_codec = {
	DB_PLAYLISTS, "playlist week", "cannot encode",
	enc_playlist, dec_playlist
};

int
store_put_playlist_week(struct store_txn *t, const char *user,
    const struct playlist_week *w)
{
	struct key k;

	if (key_playlist(&k, user, w->playlist_id, w->week) == -1) {
		log_warnx("store: put playlist week: bad user or playlist id");
		return STORE_ERR;
	}
	return part_changed(t, user, STORE_PART_PLAYLISTS,
	    store_rec_put(t, &playlist_codec, &k, w));
}

int
store_get_playlist_week(struct store_txn *t, const char *user,
    const char *playlist_id, int32_t week, struct playlist_week *out)
{
	struct key k;

	if (key_playlist(&k, user, playlist_id, week) == -1)
		return STORE_NOTFOUND;
	return store_rec_get(t, &playlist_codec, &k, out);
}

int
store_del_playlist_week(struct store_txn *t, const char *user,
    const char *playlist_id, int32_t week)
{
	struct key k;

	if (key_playlist(&k, user, playlist_id, week) == -1)
		return STORE_NOTFOUND;
	return part_changed(t, user, STORE_PART_PLAYLISTS,
	    store_db_del(t, DB_PLAYLISTS, &k));
}

int
store_iter_playlist_weeks(struct store_txn *t, const char *user,
    const char *playlist_id, enum store_dir dir,
    int (*fn)(const struct playlist_week *, void *), void *arg)
{
	struct playlist_week w;
	struct key lo, hi;
	size_t pad = ID_LEN + 4;

	if (key_user(&lo, user) == -1)
		return STORE_OK;
	if (playlist_id != NULL) {
		if (key_id(&lo, playlist_id) == -1)
			return STORE_OK;
		pad = 4;
	}
	hi = lo;
	key_fill(&lo, 0x00, pad);
	key_fill(&hi, 0xff, pad);
	return store_rec_scan(t, &playlist_codec, &lo, &hi, dir, &w,
	    (union store_each){ .week = fn }, arg);
}

/* ---- top lists ----------------------------------------------------------- */

/* [U] kind range, the prefix of one series; -1 on bad input. */
static int
key_top_series(struct key *k, const char *user, enum top_kind kind,
    enum top_range range)
{
	if (key_user(k, user) == -1)
		return -1;
	key_u8(k, (uint8_t)kind);
	key_u8(k, (uint8_t)range);
	return 0;
}

static int
top_valid(enum top_kind kind, enum top_range range)
{
	if ((unsigned)kind >= TOP_KIND__MAX || (unsigned)range >= RANGE__MAX) {
		log_warnx("store: top: bad kind or range");
		return 0;
	}
	return 1;
}

static int
enc_top(struct enc *e, const void *rec)
{
	const struct top_snapshot *s = rec;

	codec_put_i64(e, s->confirmed_at);
	codec_put_idlist(e, &s->ids);
	return 0;
}

static int
dec_top(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct top_snapshot *s = rec;
	const unsigned char *tail;
	struct dec d;

	memset(s, 0, sizeof(*s));
	if ((tail = key_tail(k, 6)) == NULL)
		return -1;
	s->kind = tail[0];
	s->range = tail[1];
	s->day = codec_unbias32(codec_be32_get(tail + 2));
	if (s->kind >= TOP_KIND__MAX || s->range >= RANGE__MAX)
		return -1;
	if (store_dec_begin(&d, v) == -1)
		return -1;
	s->confirmed_at = codec_get_i64(&d);
	codec_get_idlist(&d, &s->ids);
	return codec_dec_end(&d);
}

/* top: [U] u8 kind, u8 range, be32 day. */
static const struct store_codec top_codec = {
	DB_TOP, "top", "cannot encode", enc_top, dec_top
};

/*
 * The key of user's top snapshot of kind and range on day.  Returns
 * STORE_OK, STORE_ERR for a kind or range out of bounds, STORE_NOTFOUND
 * for a bad user id.
 */
static int
store_top_key(struct key *k, const char *user, enum top_kind kind,
    enum top_range range, int32_t day)
{
	if (!top_valid(kind, range))
		return STORE_ERR;
	if (key_top_series(k, user, kind, range) == -1)
		return STORE_NOTFOUND;
	key_be32(k, codec_bias32(day));
	return STORE_OK;
}

int
store_put_top(struct store_txn *t, const char *user,
    const struct top_snapshot *s)
{
	struct key k;
	int rc;

	rc = store_top_key(&k, user, s->kind, s->range, s->day);
	if (rc == STORE_NOTFOUND)
		log_warnx("store: put top: bad user id");
	if (rc != STORE_OK)
		return STORE_ERR;
	return part_changed(t, user, STORE_PART_TOP,
	    store_rec_put(t, &top_codec, &k, s));
}

int
store_get_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, int32_t day, struct top_snapshot *out)
{
	struct key k;
	int rc;

	if ((rc = store_top_key(&k, user, kind, range, day)) != STORE_OK)
		return rc;
	return store_rec_get(t, &top_codec, &k, out);
}

int
store_del_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, int32_t day)
{
	struct key k;
	int rc;

	if ((rc = store_top_key(&k, user, kind, range, day)) != STORE_OK)
		return rc;
	return part_changed(t, user, STORE_PART_TOP,
	    store_db_del(t, DB_TOP, &k));
}

/*
 * Scans one (user, kind, range) series, decoding into *rec: fn gets
 * each snapshot with arg.
 */
static int
store_scan_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, enum store_dir dir, struct top_snapshot *rec,
    int (*fn)(const struct top_snapshot *, void *), void *arg)
{
	struct key lo, hi;

	if (!top_valid(kind, range))
		return STORE_ERR;
	if (key_top_series(&lo, user, kind, range) == -1)
		return STORE_OK;
	hi = lo;
	key_fill(&lo, 0x00, 4);
	key_fill(&hi, 0xff, 4);
	return store_rec_scan(t, &top_codec, &lo, &hi, dir, rec,
	    (union store_each){ .top = fn }, arg);
}

/* The first snapshot is the one wanted: it is already in place. */
static int
top_found(const struct top_snapshot *s, void *arg)
{
	int *found = arg;

	(void)s;
	*found = 1;
	return 1;
}

int
store_latest_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, struct top_snapshot *out)
{
	int rc, found = 0;

	if ((rc = store_scan_top(t, user, kind, range, STORE_DESC, out,
	    top_found, &found)) != STORE_OK)
		return rc;
	return found ? STORE_OK : STORE_NOTFOUND;
}

int
store_iter_top(struct store_txn *t, const char *user, enum top_kind kind,
    enum top_range range, enum store_dir dir,
    int (*fn)(const struct top_snapshot *, void *), void *arg)
{
	struct top_snapshot s;

	return store_scan_top(t, user, kind, range, dir, &s, fn, arg);
}

/* ---- gaps ---------------------------------------------------------------- */

static int
enc_gap(struct enc *e, const void *rec)
{
	const struct gap *g = rec;

	codec_put_i64(e, g->to_ms);
	codec_put_u8(e, g->reason);
	codec_put_i64(e, g->recorded_at);
	return g->reason >= GAP__MAX ? -1 : 0;
}

static int
dec_gap(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct gap *g = rec;
	struct dec d;

	memset(g, 0, sizeof(*g));
	if (key_tail_ms(k, &g->from_ms) == -1 ||
	    store_dec_begin(&d, v) == -1)
		return -1;
	g->to_ms = codec_get_i64(&d);
	g->reason = codec_get_u8(&d);
	g->recorded_at = codec_get_i64(&d);
	if (g->reason >= GAP__MAX)
		return -1;
	return codec_dec_end(&d);
}

/* gaps: [U] be64 from_ms. */
static const struct store_codec gap_codec = {
	DB_GAPS, "gap", "bad reason", enc_gap, dec_gap
};

int
store_put_gap(struct store_txn *t, const char *user, const struct gap *g)
{
	struct key k;

	if (key_user_ms(&k, user, g->from_ms) == -1) {
		log_warnx("store: put gap: bad user id");
		return STORE_ERR;
	}
	return part_changed(t, user, STORE_PART_GAPS,
	    store_rec_put(t, &gap_codec, &k, g));
}

int
store_del_gap(struct store_txn *t, const char *user, int64_t from_ms)
{
	struct key k;

	if (key_user_ms(&k, user, from_ms) == -1)
		return STORE_NOTFOUND;
	return part_changed(t, user, STORE_PART_GAPS,
	    store_db_del(t, DB_GAPS, &k));
}

/* The caller's callback, and the time before which gaps are skipped. */
struct gap_filter {
	int	(*fn)(const struct gap *, void *);
	void	*arg;
	int64_t	 from;		/* skip gaps that end before this */
};

static int
gap_from(const struct gap *g, void *ctx)
{
	struct gap_filter *f = ctx;

	if (g->to_ms < f->from)
		return 0;
	return f->fn(g, f->arg);
}

int
store_iter_gaps(struct store_txn *t, const char *user, int64_t from_ms,
    int64_t to_ms, enum store_dir dir,
    int (*fn)(const struct gap *, void *), void *arg)
{
	struct gap_filter f = { fn, arg, from_ms };
	struct key lo, hi;
	struct gap g;

	/*
	 * A gap overlaps [from_ms, to_ms] when it starts at or before to_ms
	 * and ends at or after from_ms.  Gaps are few, so the scan runs
	 * over all of the user's gaps up to to_ms and filters the ends.
	 */
	if (from_ms > to_ms || key_user_ms(&lo, user, INT64_MIN) == -1 ||
	    key_user_ms(&hi, user, to_ms) == -1)
		return STORE_OK;
	return store_rec_scan(t, &gap_codec, &lo, &hi, dir, &g,
	    (union store_each){ .gap = gap_from }, &f);
}

/* ---- sessions ------------------------------------------------------------ */

static int
key_session(struct key *k, const char *user,
    const unsigned char hash[SESSION_HASH_LEN])
{
	if (key_user(k, user) == -1)
		return -1;
	memcpy(k->b + k->len, hash, SESSION_HASH_LEN);
	k->len += SESSION_HASH_LEN;
	return 0;
}

static int
enc_session(struct enc *e, const void *rec)
{
	const struct session *s = rec;

	codec_put_i64(e, s->created_at);
	codec_put_i64(e, s->expires_at);
	return 0;
}

static int
dec_session(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct session *s = rec;
	const unsigned char *tail;
	struct dec d;

	memset(s, 0, sizeof(*s));
	if ((tail = key_tail_user(k, SESSION_HASH_LEN, s->user)) == NULL ||
	    store_dec_begin(&d, v) == -1)
		return -1;
	memcpy(s->hash, tail, SESSION_HASH_LEN);
	s->created_at = codec_get_i64(&d);
	s->expires_at = codec_get_i64(&d);
	return codec_dec_end(&d);
}

/* sessions: [U] the token's hash. */
static const struct store_codec session_codec = {
	DB_SESSIONS, "session", "cannot encode", enc_session, dec_session
};

int
store_put_session(struct store_txn *t, const struct session *s)
{
	struct key k;

	if (key_session(&k, s->user, s->hash) == -1) {
		log_warnx("store: put session: bad user id");
		return STORE_ERR;
	}
	return store_rec_put(t, &session_codec, &k, s);
}

int
store_get_session(struct store_txn *t, const char *user,
    const unsigned char hash[SESSION_HASH_LEN], struct session *out)
{
	struct key k;

	if (key_session(&k, user, hash) == -1)
		return STORE_NOTFOUND;
	return store_rec_get(t, &session_codec, &k, out);
}

int
store_del_session(struct store_txn *t, const char *user,
    const unsigned char hash[SESSION_HASH_LEN])
{
	struct key k;

	if (key_session(&k, user, hash) == -1)
		return STORE_NOTFOUND;
	return store_db_del(t, DB_SESSIONS, &k);
}

int
store_iter_sessions(struct store_txn *t, const char *user,
    int (*fn)(const struct session *, void *), void *arg)
{
	union store_each each = { .session = fn };
	struct session s;
	struct key lo, hi;

	if (user == NULL)
		return store_rec_scan(t, &session_codec, NULL, NULL, STORE_ASC,
		    &s, each, arg);
	if (key_user(&lo, user) == -1)
		return STORE_OK;
	hi = lo;
	key_fill(&hi, 0xff, SESSION_HASH_LEN);
	return store_rec_scan(t, &session_codec, &lo, &hi, STORE_ASC, &s,
	    each, arg);
}

int
store_expire_sessions(struct store_txn *t, int64_t now, uint64_t max,
    uint64_t *n)
{
	MDB_cursor *c;
	MDB_val k, v;
	struct session s;
	struct key at;
	uint64_t done = 0;
	int rc, tmp, ret = STORE_OK;

	if (n != NULL)
		*n = 0;
	if (store_txn_check(t) == -1)
		return STORE_ERR;
	if ((c = store_cursor_acquire(t, DB_SESSIONS, &tmp)) == NULL)
		return STORE_ERR;
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == MDB_SUCCESS && done < max) {
		if (dec_session(&k, &v, &s) == -1) {
			store_damaged(DB_SESSIONS, &k, &v);
			ret = STORE_ERR;
			goto release_cursor;
		}
		if (s.expires_at > now) {
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		/* Delete, then seek past the deleted key (as store_del_prefix). */
		if (key_session(&at, s.user, s.hash) == -1 ||
		    (rc = mdb_cursor_del(c, 0)) != MDB_SUCCESS)
			break;
		done++;
		k = key_val(&at);
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	}
release_cursor:
	ret = store_walk_end(t, DB_SESSIONS, c, tmp, rc, ret, "expire");
	if (n != NULL)
		*n = done;
	return ret;
}
