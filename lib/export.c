/*
 * export.c — what the CSV, SQL and JSON Lines writers share (see export.h).
 *
 * All three walk the user's plays in time order inside the caller's read
 * transaction and append to one output buffer that is handed to the sink
 * whenever it passes EXPORT_CHUNK bytes.  A play names only a track id, so
 * what a row shows of the track (names, artists, album) is looked up once
 * per distinct track and kept as copied strings (struct ex_track) at the
 * track's index in an id table (idtab.h); every later play of that track
 * costs one hash probe.  That keeps exports well above 500,000 plays a second.
 *
 * This file holds the output buffer, the track cache, the time and text
 * formatting every writer uses, and the table of formats behind
 * export_run(); export_rows.c writes CSV and JSON Lines, export_sql.c the
 * SQL script.  What they share is declared in export_int.h.
 *
 * Text is written as valid UTF-8 in all three formats: a byte that does
 * not belong to a well-formed sequence becomes U+FFFD (the JSON writer
 * does the same for the JSON Lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "export.h"
#include "export_int.h"
#include "idtab.h"
#include "ids.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"


static const char *const export_names[EXPORT__MAX] = {
	"csv",			/* EXPORT_CSV */
	"sql",			/* EXPORT_SQL */
	"json",			/* EXPORT_JSON */
};

static const char *const export_mimes[EXPORT__MAX] = {
	"text/csv; charset=utf-8",		/* EXPORT_CSV */
	"application/sql; charset=utf-8",	/* EXPORT_SQL */
	"application/x-ndjson; charset=utf-8",	/* EXPORT_JSON */
};

/* ---- output -------------------------------------------------------------- */

/*
 * Hands ex->out to the sink and empties it.  Returns 0, or -1 (and marks
 * ex failed) when memory ran out earlier, the sink refused or ex had
 * already failed.
 */
int
export_flush_out(struct ex *ex)
{
	if (ex->err)
		return -1;
	if (ex->out.oom) {
		log_warnx("export: out of memory");
		ex->err = 1;
		return -1;
	}
	if (ex->out.len == 0)
		return 0;
	if (ex->sink->write(ex->sink->ctx, ex->out.data, ex->out.len) == -1) {
		ex->err = 1;
		return -1;
	}
	ex->st.bytes += ex->out.len;
	buf_reset(&ex->out);
	return 0;
}

/*
 * Appends s (len bytes) as valid UTF-8, doubling every byte equal to dup
 * (the CSV and SQL quote) when dup is not 0.  Out of memory is recorded
 * in b and reported when b is flushed.
 */
void
export_put_text(struct buf *b, const char *s, size_t len, char dup)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, l;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80 && (char)c != dup) {
			i++;
			continue;
		}
		if (c < 0x80) {		/* the quote: keep it and add one */
			buf_add(b, s + run, i + 1 - run);
			buf_putc(b, dup);
			run = ++i;
			continue;
		}
		if ((l = json_utf8_len(p + i, len - i)) > 0) {
			i += l;
			continue;
		}
		buf_add(b, s + run, i - run);
		buf_add(b, "\xef\xbf\xbd", 3);
		run = ++i;
	}
	buf_add(b, s + run, i - run);
}

/* ---- the track cache ----------------------------------------------------- */

static uint32_t
ex_keep(struct ex *ex, const char *s)
{
	uint32_t off = (uint32_t)ex->arena.len;

	buf_add(&ex->arena, s ? s : "", strlen(s ? s : "") + 1);
	return off;
}

/* Room in ex->tracks for index n (doubling). */
static int
ex_track_grow(struct ex *ex, size_t n)
{
	struct ex_track *nt;
	size_t cap = ex->t_cap ? ex->t_cap : 1024;

	if (n < ex->t_cap)
		return 0;
	while (cap <= n)
		cap *= 2;
	if ((nt = reallocarray(ex->tracks, cap, sizeof(*nt))) == NULL)
		return -1;
	ex->tracks = nt;
	ex->t_cap = cap;
	return 0;
}

/*
 * The cached view of track id: looked up in the store on first use (a
 * track the store lacks shows empty names).  The entry belongs to ex and
 * stays valid until the next call (the table may move).  NULL on failure.
 */
const struct ex_track *
export_get_track(struct ex *ex, const char *id)
{
	struct ex_track *e;
	struct track t;
	struct artist a;
	struct album al;
	uint64_t h;
	uint32_t i, idx;
	char aid[ID_LEN + 1];
	int rc;

	h = idtab_hash(id);
	if (idtab_get_h(&ex->t_ids, id, h, 0, &idx) == 1)
		return &ex->tracks[idx];
	/* Added below only once complete: a failure leaves no half entry. */
	if (ex_track_grow(ex, ex->t_ids.n) == -1)
		return NULL;
	e = &ex->tracks[ex->t_ids.n];
	memset(e, 0, sizeof(*e));
	if ((rc = store_get_track(ex->txn, id, &t)) == STORE_ERR)
		return NULL;
	if (rc == STORE_NOTFOUND) {
		memset(&t, 0, sizeof(t));
		t.name = t.uri = "";
		t.artists.ids = "";
	}
	e->uri = ex_keep(ex, t.uri);
	e->name = ex_keep(ex, t.name);
	memcpy(e->album_id, t.album_id, ID_LEN + 1);
	e->album = ex_keep(ex, "");
	if (t.album_id[0] != '\0') {
		if ((rc = store_get_album(ex->txn, t.album_id, &al)) ==
		    STORE_ERR)
			return NULL;
		if (rc == STORE_OK)
			e->album = ex_keep(ex, al.name);
	}
	e->n_artists = t.artists.n;
	e->artist_ids = (uint32_t)ex->arena.len;
	buf_add(&ex->arena, t.artists.ids, (size_t)t.artists.n * ID_LEN);
	e->artist_names = (uint32_t)ex->arena.len;
	for (i = 0; i < t.artists.n; i++) {
		idlist_get(&t.artists, i, aid);
		if ((rc = store_get_artist(ex->txn, aid, &a)) == STORE_ERR)
			return NULL;
		ex_keep(ex, rc == STORE_OK ? a.name : "");
	}
	if (ex->arena.oom || ex->arena.len > UINT32_MAX / 2)
		return NULL;
	if (idtab_get_h(&ex->t_ids, id, h, 1, &idx) == -1)
		return NULL;
	return e;
}

/*
 * Formats ms like time_format_iso8601(ms, out, 1).  Plays come in time
 * order, so the date is formatted once per day through timeutil and only
 * the time of day here, which keeps snprintf out of the per-play path.
 */
void
export_format_time(struct ex *ex, int64_t ms, char out[32])
{
	int64_t day = ms >= 0 ? ms - ms % 86400000 : -1, t;

	if (day < 0) {
		time_format_iso8601(ms, out, 1);
		return;
	}
	if (day != ex->day_ms) {
		if (time_format_iso8601(day, out, 0) == -1)
			return;
		memcpy(ex->day, out, 11);
		ex->day_ms = day;
	}
	t = ms - day;
	memcpy(out, ex->day, 11);
	out[11] = (char)('0' + t / 36000000);
	out[12] = (char)('0' + t / 3600000 % 10);
	out[13] = ':';
	out[14] = (char)('0' + t / 600000 % 6);
	out[15] = (char)('0' + t / 60000 % 10);
	out[16] = ':';
	out[17] = (char)('0' + t / 10000 % 6);
	out[18] = (char)('0' + t / 1000 % 10);
	out[19] = '.';
	out[20] = (char)('0' + t / 100 % 10);
	out[21] = (char)('0' + t / 10 % 10);
	out[22] = (char)('0' + t % 10);
	out[23] = 'Z';
	out[24] = '\0';
}

static void
ex_free(struct ex *ex)
{
	buf_free(&ex->out);
	buf_free(&ex->arena);
	idtab_free(&ex->t_ids);
	free(ex->tracks);
}

/*
 * Prepares ex for one export of user to sink inside txn; ex holds no
 * memory yet.  Every export_init_ctx() is ended by export_finish_ctx().
 */
void
export_init_ctx(struct ex *ex, struct store_txn *txn, const char *user,
    const struct export_sink *sink)
{
	memset(ex, 0, sizeof(*ex));
	ex->txn = txn;
	ex->user = user;
	ex->sink = sink;
	ex->day_ms = -1;
}

/*
 * Ends an export: flushes what is left when rc is 0, copies the counts
 * to stats (may be NULL) and frees everything ex holds.  Returns 0 when
 * rc was 0 and nothing failed, else -1.
 */
int
export_finish_ctx(struct ex *ex, int rc, struct export_stats *stats)
{
	if (rc == 0 && export_flush_out(ex) == -1)
		rc = -1;
	if (stats != NULL)
		*stats = ex->st;
	ex_free(ex);
	return rc == 0 && !ex->err ? 0 : -1;
}

/* The word for play source s (schema_sources), a static string. */
const char *
export_source_name(uint8_t s)
{
	return SCHEMA_WORD(schema_sources, s);
}

/* ---- the table of formats ------------------------------------------------ */

static int (*const export_fns[EXPORT__MAX])(struct store_txn *, const char *,
    const struct export_sink *, struct export_stats *) = {
	export_csv,		/* EXPORT_CSV */
	export_sql,		/* EXPORT_SQL */
	export_json,		/* EXPORT_JSON */
};

int
export_run(enum export_format fmt, struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats)
{
	if (fmt >= EXPORT__MAX)
		return -1;
	return export_fns[fmt](txn, user, sink, stats);
}

int
export_format_parse(const char *name)
{
	return SCHEMA_INDEX(export_names, name);
}

const char *
export_format_name(enum export_format fmt)
{
	return fmt < EXPORT__MAX ? export_names[fmt] : "?";
}

const char *
export_format_mime(enum export_format fmt)
{
	return fmt < EXPORT__MAX ? export_mimes[fmt] : "application/octet-stream";
}
