/*
 * store_imports.c — the import jobs and the marks of the plays each one
 * put (contract: store.h, "imports"; layout: store_int.h).
 *
 * A job (struct import_job, schema.h) is a plain record under [U] be32 id.
 * A mark is [U] be64 played_at -> the id of the job that put the play at
 * that key; the importer writes it in the transaction that puts the play,
 * so a committed store never has an imported play without its mark.
 * store_undo_import() walks a user's marks in time order and removes, a
 * bounded batch per transaction, the plays whose mark names the job, with
 * everything store_del_play() keeps beside them (aggregates, the
 * plays-by-track index, previous-play links).  A play put by a poll never
 * has a mark, and a play whose mark another import overwrote belongs to
 * that one: neither is ever removed by an undo.
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

#define UNDO_SCAN_FACTOR	8	/* marks looked at per play removed */
#define UNDO_RELEASE		64	/* plays between store_release_pages() */

static int
key_import(struct key *k, const char *user, uint32_t id)
{
	if (key_user(k, user) == -1)
		return -1;
	key_be32(k, id);
	return 0;
}

/* A mark's key is the key of the play it marks. */
static int
key_mark(struct key *k, const char *user, int64_t played_at)
{
	return key_user_ms(k, user, played_at);
}

static int
enc_import(struct enc *e, const void *rec)
{
	const struct import_job *j = rec;
	const struct import_file *f;
	uint8_t i;

	if (j->status >= IMPORT_STATUS__MAX || j->media >= IMPORT_MEDIA__MAX ||
	    j->n_files > IMPORT_FILES_MAX)
		return -1;
	codec_put_u8(e, j->status);
	codec_put_u8(e, j->media);
	codec_put_i64(e, j->created_at);
	codec_put_i64(e, j->updated_at);
	codec_put_u64(e, j->bytes);
	codec_put_strn(e, j->file_name, sizeof(j->file_name));
	codec_put_strn(e, j->reason, sizeof(j->reason));
	codec_put_u32(e, j->attempts);
	codec_put_u32(e, j->files_total);
	codec_put_u32(e, j->files_done);
	codec_put_u32(e, j->files_failed);
	codec_put_u64(e, j->records);
	codec_put_u64(e, j->added);
	codec_put_u64(e, j->duplicates);
	codec_put_u64(e, j->skipped_podcast);
	codec_put_u64(e, j->skipped_audiobook);
	codec_put_u64(e, j->skipped_other);
	codec_put_u64(e, j->removed);
	codec_put_i64(e, j->undo_cursor);
	codec_put_u8(e, j->n_files);
	for (i = 0; i < j->n_files; i++) {
		f = &j->files[i];
		codec_put_strn(e, f->name, sizeof(f->name));
		codec_put_u8(e, f->ok);
		codec_put_u64(e, f->records);
		codec_put_u64(e, f->added);
		codec_put_u64(e, f->duplicates);
		codec_put_u64(e, f->skipped);
		codec_put_strn(e, f->error, sizeof(f->error));
	}
	return 0;
}

static int
dec_import(const MDB_val *k, const MDB_val *v, void *rec)
{
	struct import_job *j = rec;
	const unsigned char *tail;
	struct import_file *f;
	struct dec d;
	uint8_t i;

	memset(j, 0, sizeof(*j));
	if ((tail = key_tail_user(k, 4, j->user)) == NULL ||
	    store_dec_begin(&d, v) == -1)
		return -1;
	j->id = codec_be32_get(tail);
	j->status = codec_get_u8(&d);
	j->media = codec_get_u8(&d);
	j->created_at = codec_get_i64(&d);
	j->updated_at = codec_get_i64(&d);
	j->bytes = codec_get_u64(&d);
	codec_get_strcpy(&d, j->file_name, sizeof(j->file_name));
	codec_get_strcpy(&d, j->reason, sizeof(j->reason));
	j->attempts = codec_get_u32(&d);
	j->files_total = codec_get_u32(&d);
	j->files_done = codec_get_u32(&d);
	j->files_failed = codec_get_u32(&d);
	j->records = codec_get_u64(&d);
	j->added = codec_get_u64(&d);
	j->duplicates = codec_get_u64(&d);
	j->skipped_podcast = codec_get_u64(&d);
	j->skipped_audiobook = codec_get_u64(&d);
	j->skipped_other = codec_get_u64(&d);
	j->removed = codec_get_u64(&d);
	j->undo_cursor = codec_get_i64(&d);
	j->n_files = codec_get_u8(&d);
	if (j->status >= IMPORT_STATUS__MAX || j->media >= IMPORT_MEDIA__MAX ||
	    j->n_files > IMPORT_FILES_MAX)
		return -1;
	for (i = 0; i < j->n_files; i++) {
		f = &j->files[i];
		codec_get_strcpy(&d, f->name, sizeof(f->name));
		f->ok = codec_get_u8(&d);
		f->records = codec_get_u64(&d);
		f->added = codec_get_u64(&d);
		f->duplicates = codec_get_u64(&d);
		f->skipped = codec_get_u64(&d);
		codec_get_strcpy(&d, f->error, sizeof(f->error));
	}
	return codec_dec_end(&d);
}

/* imports: [U] be32 id. */
static const struct store_codec import_codec = {
	DB_IMPORTS, "import", "bad status, media or file count", enc_import,
	dec_import
};

int
store_put_import(struct store_txn *t, const struct import_job *j)
{
	struct key k;

	if (j->id == 0 || key_import(&k, j->user, j->id) == -1) {
		log_warnx("store: put import: bad user or id");
		return STORE_ERR;
	}
	return store_rec_put(t, &import_codec, &k, j);
}

int
store_get_import(struct store_txn *t, const char *user, uint32_t id,
    struct import_job *out)
{
	struct key k;

	if (id == 0 || key_import(&k, user, id) == -1)
		return STORE_NOTFOUND;
	return store_rec_get(t, &import_codec, &k, out);
}

int
store_iter_imports(struct store_txn *t, const char *user, enum store_dir dir,
    int (*fn)(const struct import_job *, void *), void *arg)
{
	union store_each each = { .import = fn };
	struct import_job *j;
	struct key lo, hi;
	int rc;

	/* A job with its file results is some 20 KB: not on the stack. */
	if ((j = malloc(sizeof(*j))) == NULL) {
		log_warnx("store: imports: out of memory");
		return STORE_ERR;
	}
	if (user == NULL)
		rc = store_rec_scan(t, &import_codec, NULL, NULL, dir, j, each,
		    arg);
	else if (key_user(&lo, user) == -1)
		rc = STORE_OK;
	else {
		hi = lo;
		key_fill(&hi, 0xff, 4);
		rc = store_rec_scan(t, &import_codec, &lo, &hi, dir, j, each,
		    arg);
	}
	free(j);
	return rc;
}

/* Keeps the id of the first key it is shown (a DESC scan: the largest). */
static int
scan_last_id(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	const unsigned char *tail;

	(void)t;
	(void)v;
	if ((tail = key_tail(k, 4)) == NULL)
		return -1;
	*(uint32_t *)ctx = codec_be32_get(tail);
	return 1;
}

int
store_last_import_id(struct store_txn *t, const char *user, uint32_t *id)
{
	struct key lo, hi;

	*id = 0;
	if (key_user(&lo, user) == -1)
		return STORE_OK;
	hi = lo;
	key_fill(&hi, 0xff, 4);
	return store_scan(t, DB_IMPORTS, &lo, &hi, STORE_DESC, scan_last_id,
	    id);
}

int
store_mark_import(struct store_txn *t, const char *user, int64_t played_at,
    uint32_t id)
{
	struct enc e;
	struct key k;
	int rc;

	if (key_mark(&k, user, played_at) == -1) {
		log_warnx("store: mark import: bad user id");
		return STORE_ERR;
	}
	if (id == 0) {
		rc = store_db_del(t, DB_IMPORTMARKS, &k);
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	}
	store_enc_begin(t, &e);
	codec_put_u32(&e, id);
	if (codec_enc_end(&e) == -1)
		return STORE_ERR;
	return store_db_put(t, DB_IMPORTMARKS, &k, t->scratch.data,
	    t->scratch.len, 0);
}

int
store_get_import_mark(struct store_txn *t, const char *user,
    int64_t played_at, uint32_t *id)
{
	struct key k;
	MDB_val v;
	struct dec d;
	int rc;

	if (key_mark(&k, user, played_at) == -1)
		return STORE_NOTFOUND;
	if ((rc = store_db_get(t, DB_IMPORTMARKS, &k, &v)) != STORE_OK)
		return rc;
	if (store_dec_begin(&d, &v) == -1)
		goto damaged;
	*id = codec_get_u32(&d);
	if (codec_dec_end(&d) == -1)
		goto damaged;
	return STORE_OK;
damaged:
	store_damaged(DB_IMPORTMARKS, &(MDB_val){ k.len, k.b }, &v);
	return STORE_ERR;
}

/* What one batch of an undo collects before it deletes. */
struct undo_scan {
	uint32_t	 id;
	int64_t		*at;		/* marked plays of the job */
	size_t		 n, max;
	uint64_t	 looked, look_max;
	int64_t		 last;		/* last played_at looked at */
	int		 stopped;	/* stopped before the end */
};

static int
scan_undo(struct store_txn *t, const MDB_val *k, const MDB_val *v,
    void *ctx)
{
	struct undo_scan *u = ctx;
	const unsigned char *tail;
	struct dec d;
	uint32_t id;

	(void)t;
	if (u->n == u->max || u->looked == u->look_max) {
		u->stopped = 1;
		return 1;
	}
	if ((tail = key_tail(k, 8)) == NULL || store_dec_begin(&d, v) == -1 ||
	    (id = codec_get_u32(&d), codec_dec_end(&d)) == -1) {
		store_damaged(DB_IMPORTMARKS, k, v);
		return -1;
	}
	u->looked++;
	u->last = codec_unbias64(codec_be64_get(tail));
	if (id == u->id)
		u->at[u->n++] = u->last;
	return 0;
}

int
store_undo_import(struct store_txn *t, const char *user, uint32_t id,
    int64_t *cursor, uint32_t max, uint64_t *removed, int *finished)
{
	struct undo_scan u;
	struct play p;
	struct key lo, hi;
	char (*track)[ID_LEN + 1] = NULL;	/* "": not the import's */
	const char **ids = NULL;
	size_t i;
	int rc, ret = STORE_ERR;

	*removed = 0;
	*finished = 0;
	if (max == 0 || key_mark(&lo, user, *cursor) == -1)
		return STORE_ERR;
	(void)key_mark(&hi, user, INT64_MAX);
	memset(&u, 0, sizeof(u));
	u.id = id;
	u.max = max;
	u.look_max = (uint64_t)max * UNDO_SCAN_FACTOR;
	if ((u.at = calloc(max, sizeof(*u.at))) == NULL ||
	    (track = calloc(max, sizeof(*track))) == NULL ||
	    (ids = calloc(max, sizeof(*ids))) == NULL) {
		log_warnx("store: undo import: out of memory");
		goto free_at;
	}
	if (store_scan(t, DB_IMPORTMARKS, &lo, &hi, STORE_ASC, scan_undo,
	    &u) != STORE_OK)
		goto free_at;
	/*
	 * The plays' tracks first, then what those tracks count for read at
	 * once in key order (store_track_views_load()), not once each as
	 * the deletes come to them.
	 */
	for (i = 0; i < u.n; i++) {
		/* The map's pages given back as the import's do (import.c). */
		if (i % UNDO_RELEASE == UNDO_RELEASE - 1)
			(void)store_release_pages(t->st);
		rc = store_get_play(t, user, u.at[i], &p);
		if (rc == STORE_ERR)
			goto free_at;
		/* A polled play is never an import's, whatever the mark says. */
		if (rc == STORE_OK && p.source != SOURCE_API)
			memcpy(track[i], p.track_id, ID_LEN + 1);
		ids[i] = track[i];
	}
	if (store_track_views_load(t, ids, u.n) != STORE_OK)
		goto free_at;
	for (i = 0; i < u.n; i++) {
		if (i % UNDO_RELEASE == UNDO_RELEASE - 1)
			(void)store_release_pages(t->st);
		if (track[i][0] != '\0') {
			if (store_del_play(t, user, u.at[i]) != STORE_OK)
				goto free_at;
			(*removed)++;
		}
		if (store_mark_import(t, user, u.at[i], 0) != STORE_OK)
			goto free_at;
	}
	if (u.stopped)
		*cursor = u.last == INT64_MAX ? INT64_MAX : u.last + 1;
	else {
		*cursor = INT64_MAX;
		*finished = 1;
	}
	ret = STORE_OK;
free_at:
	free(u.at);
	free(track);
	free(ids);
	return ret;
}
