/*
 * export.c — the CSV, SQL and JSON Lines writers (see export.h).
 *
 * All three walk the user's plays in time order inside the caller's read
 * transaction and append to one output buffer that is handed to the sink
 * whenever it passes EXPORT_CHUNK bytes.  A play names only a track id, so
 * what a row shows of the track (names, artists, album) is looked up once
 * per distinct track and kept as copied strings (struct ex_track) at the
 * track's index in an id table (idtab.h); every later play of that track
 * costs one hash probe.  That keeps exports well above 500,000 plays a second.
 *
 * The SQL writer first gathers every id the user's records refer to
 * (plays, playlist items, top lists, and through them artists and albums),
 * so that it can write the entities before the rows that point to them
 * and the script's foreign keys hold in PostgreSQL, which checks them per
 * statement.
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
#include "idtab.h"
#include "ids.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"

#define SQL_BATCH	500	/* rows per INSERT statement */

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


/* What a play row shows of its track; strings are offsets into ex->arena. */
struct ex_track {
	char		 album_id[ID_LEN + 1];
	uint32_t	 uri, name, album;	/* arena offsets of strings */
	uint32_t	 artist_ids;	/* n * ID_LEN bytes */
	uint32_t	 artist_names;	/* n NUL-terminated names in a row */
	uint32_t	 n_artists;
	/* JSON Lines: values rendered once (arena offsets and lengths) */
	uint32_t	 jv[6];
	uint32_t	 jl[6];
	uint8_t		 jdone;
};

/* The track fields of a JSON Lines record, in order. */
static const char *const json_track_keys[6] = {
	"track_uri", "track_name", "artist_ids", "artist_names", "album_id",
	"album_name",
};

/* A set of ids, for the SQL writer's references: sorted by idset_sort(). */
struct ex_idset {
	struct idtab	 t;
	char		(*ids)[ID_LEN + 1];	/* sorted, n of them */
	size_t		 n;
};

struct ex {
	struct store_txn		*txn;
	const char			*user;
	const struct export_sink	*sink;
	struct export_stats		 st;
	struct buf			 out;
	int				 err;
	/* track cache */
	struct idtab			 t_ids;
	struct ex_track			*tracks;	/* by index in t_ids */
	size_t				 t_cap;
	struct buf			 arena;
	/* the day part of the last time formatted */
	int64_t				 day_ms;	/* its midnight, or -1 */
	char				 day[12];	/* "YYYY-MM-DDT" */
	/* SQL: statement batching */
	uint32_t			 batch;
	const char			*insert;	/* "INSERT INTO t VALUES" */
	const char			*conflict;	/* suffix or "" */
};

/* ---- output -------------------------------------------------------------- */

static int
ex_flush(struct ex *ex)
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

static int
ex_maybe_flush(struct ex *ex)
{
	return ex->out.len >= EXPORT_CHUNK ? ex_flush(ex) : (ex->err ? -1 : 0);
}

/*
 * Appends s (len bytes) as valid UTF-8, doubling every byte equal to dup
 * (the CSV and SQL quote) when dup is not 0.
 */
static void
ex_text(struct buf *b, const char *s, size_t len, char dup)
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

static const char *
ex_at(const struct ex *ex, uint32_t off)
{
	return ex->arena.data + off;
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
 * track the store lacks shows empty names).  NULL on failure.
 */
static const struct ex_track *
ex_track(struct ex *ex, const char *id)
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
static void
ex_time(struct ex *ex, int64_t ms, char out[32])
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

static void
ex_init(struct ex *ex, struct store_txn *txn, const char *user,
    const struct export_sink *sink)
{
	memset(ex, 0, sizeof(*ex));
	ex->txn = txn;
	ex->user = user;
	ex->sink = sink;
	ex->day_ms = -1;
}

static int
ex_done(struct ex *ex, int rc, struct export_stats *stats)
{
	if (rc == 0 && ex_flush(ex) == -1)
		rc = -1;
	if (stats != NULL)
		*stats = ex->st;
	ex_free(ex);
	return rc == 0 && !ex->err ? 0 : -1;
}

static const char *
ex_source(uint8_t s)
{
	return SCHEMA_WORD(schema_sources, s);
}

/* ---- CSV ----------------------------------------------------------------- */

/*
 * One CSV cell: neutralised when a spreadsheet would run it (a leading
 * = + - @ TAB or CR, after any apostrophes, gets one apostrophe more),
 * quoted when it holds a comma, quote, CR or LF.
 */
static void
csv_cell(struct buf *b, const char *s)
{
	size_t len = strlen(s), k = 0;
	int quote;

	while (k < len && s[k] == '\'')
		k++;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_putc(b, '"');
	/* Inside the quotes: a quote must open the field (RFC 4180). */
	if (k < len && strchr("=+-@\t\r", s[k]) != NULL)
		buf_putc(b, '\'');
	ex_text(b, s, len, quote ? '"' : 0);
	if (quote)
		buf_putc(b, '"');
}

/* The artist names of t joined by sep into b (raw, for one cell). */
static void
ex_join_names(const struct ex *ex, const struct ex_track *t, const char *sep,
    struct buf *b)
{
	const char *n = ex_at(ex, t->artist_names);
	uint32_t i;

	for (i = 0; i < t->n_artists; i++) {
		if (i > 0)
			buf_puts(b, sep);
		buf_puts(b, n);
		n += strlen(n) + 1;
	}
}

static void
ex_join_ids(const struct ex *ex, const struct ex_track *t, struct buf *b)
{
	const char *ids = ex_at(ex, t->artist_ids);
	uint32_t i;

	for (i = 0; i < t->n_artists; i++) {
		if (i > 0)
			buf_putc(b, ';');
		buf_add(b, ids + (size_t)i * ID_LEN, ID_LEN);
	}
}

static const char csv_header[] = "played_at,played_at_ms,ms_played,source,"
    "track_id,track_uri,track_name,artist_ids,artist_names,album_id,"
    "album_name,context_uri\r\n";

struct csv_ctx {
	struct ex	*ex;
	struct buf	 tmp;
};

static int
csv_play(const struct play *p, void *arg)
{
	struct csv_ctx *c = arg;
	struct ex *ex = c->ex;
	struct buf *b = &ex->out;
	const struct ex_track *t;
	char ts[32];

	if ((t = ex_track(ex, p->track_id)) == NULL)
		return -1;
	ex_time(ex, p->played_at, ts);
	buf_puts(b, ts);
	if (p->ms_played >= 0)
		buf_printf(b, ",%lld,%d,%s,%s,", (long long)p->played_at,
		    (int)p->ms_played, ex_source(p->source), p->track_id);
	else
		buf_printf(b, ",%lld,,%s,%s,", (long long)p->played_at,
		    ex_source(p->source), p->track_id);
	csv_cell(b, ex_at(ex, t->uri));
	buf_putc(b, ',');
	csv_cell(b, ex_at(ex, t->name));
	buf_putc(b, ',');
	ex_join_ids(ex, t, b);
	buf_putc(b, ',');
	buf_reset(&c->tmp);
	ex_join_names(ex, t, "; ", &c->tmp);
	csv_cell(b, c->tmp.data ? c->tmp.data : "");
	buf_putc(b, ',');
	buf_puts(b, t->album_id);
	buf_putc(b, ',');
	csv_cell(b, ex_at(ex, t->album));
	buf_putc(b, ',');
	csv_cell(b, p->context_uri ? p->context_uri : "");
	buf_add(b, "\r\n", 2);
	ex->st.plays++;
	return ex_maybe_flush(ex);
}

int
export_csv(struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats)
{
	struct ex ex;
	struct csv_ctx c;
	int rc;

	ex_init(&ex, txn, user, sink);
	memset(&c, 0, sizeof(c));
	c.ex = &ex;
	buf_add(&ex.out, csv_header, sizeof(csv_header) - 1);
	rc = store_iter_plays(txn, user, INT64_MIN, INT64_MAX, STORE_ASC,
	    csv_play, &c) == STORE_OK ? 0 : -1;
	buf_free(&c.tmp);
	return ex_done(&ex, rc, stats);
}

/* ---- JSON Lines ---------------------------------------------------------- */

/* NULL (written as null) for an absent id or URI. */
static const char *
json_opt(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/*
 * Renders the track's JSON values once, through the JSON writer, into the
 * arena; every later play of the track inserts them with json_raw().
 * Returns 0 or -1.
 */
static int
json_track(struct ex *ex, struct ex_track *t)
{
	struct buf b = BUF_INIT;
	struct json j;
	const char *n, *ids;
	uint32_t i, k;
	int rc = -1;

	for (k = 0; k < 6; k++) {
		buf_reset(&b);
		json_init(&j, &b);
		switch (k) {
		case 0:
			json_str(&j, NULL, json_opt(ex_at(ex, t->uri)));
			break;
		case 1:
			json_str(&j, NULL, ex_at(ex, t->name));
			break;
		case 2:
			json_arr_open(&j, NULL);
			ids = ex_at(ex, t->artist_ids);
			for (i = 0; i < t->n_artists; i++)
				json_strn(&j, NULL, ids + (size_t)i * ID_LEN,
				    ID_LEN);
			json_arr_close(&j);
			break;
		case 3:
			json_arr_open(&j, NULL);
			n = ex_at(ex, t->artist_names);
			for (i = 0; i < t->n_artists; i++, n += strlen(n) + 1)
				json_str(&j, NULL, n);
			json_arr_close(&j);
			break;
		case 4:
			json_str(&j, NULL, json_opt(t->album_id));
			break;
		default:
			json_str(&j, NULL, t->album_id[0] != '\0' ?
			    ex_at(ex, t->album) : NULL);
			break;
		}
		if (json_finish(&j) == -1)
			goto free_buf;
		t->jv[k] = (uint32_t)ex->arena.len;
		t->jl[k] = (uint32_t)b.len;
		buf_add(&ex->arena, b.data, b.len + 1);
	}
	if (ex->arena.oom || ex->arena.len > UINT32_MAX / 2)
		goto free_buf;
	t->jdone = 1;
	rc = 0;
free_buf:
	buf_free(&b);
	return rc;
}

static int
json_play(const struct play *p, void *arg)
{
	struct ex *ex = arg;
	struct ex_track *t;
	struct json j;
	char ts[32];
	int k;

	if ((t = (struct ex_track *)ex_track(ex, p->track_id)) == NULL ||
	    (!t->jdone && json_track(ex, t) == -1))
		return -1;
	ex_time(ex, p->played_at, ts);
	json_init(&j, &ex->out);
	json_obj_open(&j, NULL);
	json_str(&j, "played_at", ts);
	json_int(&j, "played_at_ms", p->played_at);
	if (p->ms_played >= 0)
		json_int(&j, "ms_played", p->ms_played);
	else
		json_null(&j, "ms_played");
	json_str(&j, "source", ex_source(p->source));
	json_str(&j, "track_id", p->track_id);
	for (k = 0; k < 6; k++)
		json_raw(&j, json_track_keys[k], ex_at(ex, t->jv[k]), t->jl[k]);
	json_str(&j, "context_uri", json_opt(p->context_uri));
	json_obj_close(&j);
	if (json_finish(&j) == -1)
		return -1;
	buf_putc(&ex->out, '\n');
	ex->st.plays++;
	return ex_maybe_flush(ex);
}

int
export_json(struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats)
{
	struct ex ex;
	int rc;

	ex_init(&ex, txn, user, sink);
	rc = store_iter_plays(txn, user, INT64_MIN, INT64_MAX, STORE_ASC,
	    json_play, &ex) == STORE_OK ? 0 : -1;
	return ex_done(&ex, rc, stats);
}

/* ---- SQL ----------------------------------------------------------------- */

/* Adds id (ID_LEN bytes, NUL not needed) unless present or "".  0 or -1. */
static int
idset_add(struct ex_idset *s, const char *id)
{
	uint32_t idx;

	if (id[0] == '\0')
		return 0;
	return idtab_get(&s->t, id, 1, &idx) == -1 ? -1 : 0;
}

static int
idset_add_list(struct ex_idset *s, const struct idlist *l)
{
	char id[ID_LEN + 1];
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		idlist_get(l, i, id);
		if (idset_add(s, id) == -1)
			return -1;
	}
	return 0;
}

static int
idset_cmp(const void *a, const void *b)
{
	return memcmp(a, b, ID_LEN + 1);
}

/* The set's ids in s->ids, sorted; s->n of them.  0 or -1. */
static int
idset_sort(struct ex_idset *s)
{
	size_t i;

	s->n = s->t.n;
	if ((s->ids = reallocarray(NULL, s->n ? s->n : 1,
	    sizeof(*s->ids))) == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		idtab_copy(&s->t, (uint32_t)i, s->ids[i]);
	if (s->n > 0)
		qsort(s->ids, s->n, sizeof(*s->ids), idset_cmp);
	return 0;
}

struct sql_refs {
	struct ex_idset	 tracks, artists, albums;
};

static void
sql_refs_free(struct sql_refs *r)
{
	idtab_free(&r->tracks.t);
	idtab_free(&r->artists.t);
	idtab_free(&r->albums.t);
	free(r->tracks.ids);
	free(r->artists.ids);
	free(r->albums.ids);
}

static int
refs_play(const struct play *p, void *arg)
{
	return idset_add(&((struct sql_refs *)arg)->tracks, p->track_id);
}

static int
refs_playlist(const struct playlist_week *w, void *arg)
{
	return idset_add_list(&((struct sql_refs *)arg)->tracks, &w->tracks);
}

static int
refs_top(const struct top_snapshot *s, void *arg)
{
	struct sql_refs *r = arg;

	return idset_add_list(s->kind == TOP_ARTISTS ? &r->artists :
	    &r->tracks, &s->ids);
}

/* Every id the user's records refer to, directly or through a track. */
static int
sql_gather(struct ex *ex, struct sql_refs *r)
{
	struct track t;
	struct album al;
	char id[ID_LEN + 1];
	size_t i;
	int k, g, rc;

	if (store_iter_plays(ex->txn, ex->user, INT64_MIN, INT64_MAX,
	    STORE_ASC, refs_play, r) != STORE_OK ||
	    store_iter_playlist_weeks(ex->txn, ex->user, NULL, STORE_ASC,
	    refs_playlist, r) != STORE_OK)
		return -1;
	for (k = 0; k < TOP_KIND__MAX; k++)
		for (g = 0; g < RANGE__MAX; g++)
			if (store_iter_top(ex->txn, ex->user, (enum top_kind)k,
			    (enum top_range)g, STORE_ASC, refs_top, r) !=
			    STORE_OK)
				return -1;
	for (i = 0; i < r->tracks.t.n; i++) {
		idtab_copy(&r->tracks.t, (uint32_t)i, id);
		if ((rc = store_get_track(ex->txn, id, &t)) == STORE_ERR)
			return -1;
		if (rc != STORE_OK)
			continue;
		if (idset_add(&r->albums, t.album_id) == -1 ||
		    idset_add_list(&r->artists, &t.artists) == -1)
			return -1;
	}
	for (i = 0; i < r->albums.t.n; i++) {
		idtab_copy(&r->albums.t, (uint32_t)i, id);
		if ((rc = store_get_album(ex->txn, id, &al)) == STORE_ERR)
			return -1;
		if (rc == STORE_OK &&
		    idset_add_list(&r->artists, &al.artists) == -1)
			return -1;
	}
	if (idset_sort(&r->tracks) == -1 || idset_sort(&r->albums) == -1 ||
	    idset_sort(&r->artists) == -1)
		return -1;
	return 0;
}

/* A string literal, or NULL for a NULL pointer. */
static void
sql_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_add(b, "NULL", 4);
		return;
	}
	buf_putc(b, '\'');
	ex_text(b, s, strlen(s), '\'');
	buf_putc(b, '\'');
}

/* A string literal, or NULL when s is NULL or "". */
static void
sql_str_or_null(struct buf *b, const char *s)
{
	sql_str(b, s != NULL && s[0] != '\0' ? s : NULL);
}

static void
sql_ms_time(struct ex *ex, int64_t ms)
{
	char ts[32];

	ex_time(ex, ms, ts);
	buf_putc(&ex->out, '\'');
	buf_puts(&ex->out, ts);
	buf_putc(&ex->out, '\'');
}

static void
sql_day(struct buf *b, int32_t day)
{
	int64_t y;
	unsigned m, d;

	time_civil_from_days(day, &y, &m, &d);
	buf_printf(b, "'%04lld-%02u-%02u'", (long long)y, m, d);
}

/* Starts a row of the current INSERT, opening a statement when due. */
static void
sql_row(struct ex *ex, const char *insert, const char *conflict)
{
	if (ex->batch > 0 && (ex->insert != insert ||
	    ex->batch >= SQL_BATCH)) {
		buf_puts(&ex->out, ex->conflict);
		buf_add(&ex->out, ";\n", 2);
		ex->batch = 0;
	}
	if (ex->batch == 0) {
		buf_puts(&ex->out, insert);
		buf_putc(&ex->out, '\n');
		ex->insert = insert;
		ex->conflict = conflict;
	} else
		buf_add(&ex->out, ",\n", 2);
	ex->batch++;
}

/* Ends the open INSERT statement, if any. */
static int
sql_end(struct ex *ex)
{
	if (ex->batch > 0) {
		buf_puts(&ex->out, ex->conflict);
		buf_add(&ex->out, ";\n", 2);
		ex->batch = 0;
	}
	return ex_maybe_flush(ex);
}

/* Entities shared by every user's export: a second load skips them. */
#define ON_CONFLICT	" ON CONFLICT DO NOTHING"

static const char sql_schema[] =
"-- The tables, in the order rows are inserted so foreign keys hold.\n"
"-- Times: *_ms are Unix milliseconds, *_at (Unix s) and dates are UTC.\n"
"CREATE TABLE IF NOT EXISTS users (\n"
"  id TEXT PRIMARY KEY,\n"
"  display_name TEXT,\n"
"  country TEXT,\n"
"  created_at BIGINT\n"
");\n"
"CREATE TABLE IF NOT EXISTS artists (\n"
"  id TEXT PRIMARY KEY,             -- Spotify id; '_...' = name-only\n"
"  name TEXT,                       -- NULL when unknown\n"
"  genres TEXT,                     -- '; ' joined\n"
"  popularity INTEGER\n"
");\n"
"CREATE TABLE IF NOT EXISTS albums (\n"
"  id TEXT PRIMARY KEY,\n"
"  name TEXT,\n"
"  album_type TEXT,\n"
"  release_date TEXT,\n"
"  total_tracks INTEGER\n"
");\n"
"CREATE TABLE IF NOT EXISTS album_artists (\n"
"  album_id TEXT NOT NULL REFERENCES albums (id),\n"
"  ord INTEGER NOT NULL,            -- credit order from 0\n"
"  artist_id TEXT NOT NULL REFERENCES artists (id),\n"
"  PRIMARY KEY (album_id, ord)\n"
");\n"
"CREATE TABLE IF NOT EXISTS tracks (\n"
"  id TEXT PRIMARY KEY,             -- Spotify id; '_...' = local or name-only\n"
"  name TEXT,\n"
"  uri TEXT,\n"
"  album_id TEXT REFERENCES albums (id),\n"
"  duration_ms INTEGER,\n"
"  explicit SMALLINT,\n"
"  is_local SMALLINT,\n"
"  disc_number INTEGER,\n"
"  track_number INTEGER,\n"
"  popularity INTEGER\n"
");\n"
"CREATE TABLE IF NOT EXISTS track_artists (\n"
"  track_id TEXT NOT NULL REFERENCES tracks (id),\n"
"  ord INTEGER NOT NULL,\n"
"  artist_id TEXT NOT NULL REFERENCES artists (id),\n"
"  PRIMARY KEY (track_id, ord)\n"
");\n"
"CREATE TABLE IF NOT EXISTS plays (\n"
"  user_id TEXT NOT NULL REFERENCES users (id),\n"
"  played_at_ms BIGINT NOT NULL,    -- end of the play\n"
"  played_at TEXT NOT NULL,         -- the same, ISO 8601 UTC\n"
"  track_id TEXT NOT NULL REFERENCES tracks (id),\n"
"  context_uri TEXT,\n"
"  source TEXT NOT NULL,            -- api, extended, account\n"
"  ms_played INTEGER,               -- NULL when unknown\n"
"  PRIMARY KEY (user_id, played_at_ms)\n"
");\n"
"CREATE TABLE IF NOT EXISTS playlists (\n"
"  user_id TEXT NOT NULL REFERENCES users (id),\n"
"  playlist_id TEXT NOT NULL,\n"
"  week DATE NOT NULL,              -- the week's Monday\n"
"  name TEXT,\n"
"  snapshot_id TEXT,\n"
"  how TEXT NOT NULL,               -- full, heard\n"
"  obtained_at BIGINT,\n"
"  PRIMARY KEY (user_id, playlist_id, week)\n"
");\n"
"CREATE TABLE IF NOT EXISTS playlist_items (\n"
"  user_id TEXT NOT NULL,\n"
"  playlist_id TEXT NOT NULL,\n"
"  week DATE NOT NULL,\n"
"  ord INTEGER NOT NULL,\n"
"  track_id TEXT NOT NULL REFERENCES tracks (id),\n"
"  PRIMARY KEY (user_id, playlist_id, week, ord),\n"
"  FOREIGN KEY (user_id, playlist_id, week)\n"
"    REFERENCES playlists (user_id, playlist_id, week)\n"
");\n"
"CREATE TABLE IF NOT EXISTS top_snapshots (\n"
"  user_id TEXT NOT NULL REFERENCES users (id),\n"
"  kind TEXT NOT NULL,              -- tracks, artists\n"
"  time_range TEXT NOT NULL,        -- short_term, medium_term, long_term\n"
"  day DATE NOT NULL,\n"
"  confirmed_at BIGINT,\n"
"  PRIMARY KEY (user_id, kind, time_range, day)\n"
");\n"
"CREATE TABLE IF NOT EXISTS top_items (\n"
"  user_id TEXT NOT NULL,\n"
"  kind TEXT NOT NULL,\n"
"  time_range TEXT NOT NULL,\n"
"  day DATE NOT NULL,\n"
"  rank INTEGER NOT NULL,           -- from 1\n"
"  item_id TEXT NOT NULL,           -- a track or an artist, by kind\n"
"  PRIMARY KEY (user_id, kind, time_range, day, rank),\n"
"  FOREIGN KEY (user_id, kind, time_range, day)\n"
"    REFERENCES top_snapshots (user_id, kind, time_range, day)\n"
");\n"
"CREATE TABLE IF NOT EXISTS gaps (\n"
"  user_id TEXT NOT NULL REFERENCES users (id),\n"
"  from_ms BIGINT NOT NULL,         -- newest play known before the gap\n"
"  to_ms BIGINT NOT NULL,           -- oldest play known after it\n"
"  reason TEXT NOT NULL,            -- overflow, unreachable, reauth\n"
"  recorded_at BIGINT,\n"
"  PRIMARY KEY (user_id, from_ms)\n"
");\n";


static const char ins_users[] = "INSERT INTO users VALUES";
static const char ins_artists[] = "INSERT INTO artists VALUES";
static const char ins_albums[] = "INSERT INTO albums VALUES";
static const char ins_album_artists[] = "INSERT INTO album_artists VALUES";
static const char ins_tracks[] = "INSERT INTO tracks VALUES";
static const char ins_track_artists[] = "INSERT INTO track_artists VALUES";
static const char ins_plays[] = "INSERT INTO plays VALUES";
static const char ins_playlists[] = "INSERT INTO playlists VALUES";
static const char ins_playlist_items[] = "INSERT INTO playlist_items VALUES";
static const char ins_top[] = "INSERT INTO top_snapshots VALUES";
static const char ins_top_items[] = "INSERT INTO top_items VALUES";
static const char ins_gaps[] = "INSERT INTO gaps VALUES";

static int
sql_user(struct ex *ex)
{
	struct user *u;
	struct buf *b = &ex->out;
	int rc;

	/* struct user is large (tokens): keep it off the stack. */
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	if ((rc = store_get_user(ex->txn, ex->user, u)) == STORE_ERR) {
		explicit_bzero(u, sizeof(*u));
		free(u);
		return -1;
	}
	sql_row(ex, ins_users, "");
	buf_putc(b, '(');
	sql_str(b, ex->user);
	buf_putc(b, ',');
	if (rc == STORE_OK) {
		sql_str_or_null(b, u->display_name);
		buf_putc(b, ',');
		sql_str_or_null(b, u->country);
		buf_printf(b, ",%lld)", (long long)u->created_at);
	} else
		buf_puts(b, "NULL,NULL,NULL)");
	explicit_bzero(u, sizeof(*u));
	free(u);
	return sql_end(ex);
}

static int
sql_artists(struct ex *ex, const struct sql_refs *r)
{
	struct buf *b = &ex->out;
	struct artist a;
	size_t i;
	int rc, g;

	for (i = 0; i < r->artists.n; i++) {
		const char *id = r->artists.ids[i];

		if ((rc = store_get_artist(ex->txn, id, &a)) == STORE_ERR)
			return -1;
		sql_row(ex, ins_artists, ON_CONFLICT);
		buf_putc(b, '(');
		sql_str(b, id);
		if (rc != STORE_OK) {
			buf_puts(b, ",NULL,NULL,NULL)");
		} else {
			buf_putc(b, ',');
			sql_str(b, a.name);
			buf_putc(b, ',');
			if (a.n_genres == 0)
				buf_puts(b, "NULL");
			else {
				buf_putc(b, '\'');
				for (g = 0; g < a.n_genres; g++) {
					if (g > 0)
						buf_puts(b, "; ");
					ex_text(b, a.genres[g],
					    strlen(a.genres[g]), '\'');
				}
				buf_putc(b, '\'');
			}
			buf_printf(b, ",%u)", (unsigned)a.popularity);
		}
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	return sql_end(ex);
}

/* Writes "(owner, ord, artist)" rows for an id list. */
static void
sql_links(struct ex *ex, const char *ins, const char *owner,
    const struct idlist *l)
{
	char id[ID_LEN + 1];
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		idlist_get(l, i, id);
		sql_row(ex, ins, ON_CONFLICT);
		buf_printf(&ex->out, "('%s',%u,'%s')", owner, i, id);
	}
}

static int
sql_albums(struct ex *ex, const struct sql_refs *r)
{
	struct buf *b = &ex->out;
	struct album al;
	size_t i;
	int rc;

	for (i = 0; i < r->albums.n; i++) {
		const char *id = r->albums.ids[i];

		if ((rc = store_get_album(ex->txn, id, &al)) == STORE_ERR)
			return -1;
		sql_row(ex, ins_albums, ON_CONFLICT);
		buf_putc(b, '(');
		sql_str(b, id);
		if (rc != STORE_OK)
			buf_puts(b, ",NULL,NULL,NULL,NULL)");
		else {
			buf_putc(b, ',');
			sql_str(b, al.name);
			buf_putc(b, ',');
			sql_str_or_null(b, al.album_type);
			buf_putc(b, ',');
			sql_str_or_null(b, al.release_date);
			buf_printf(b, ",%u)", (unsigned)al.total_tracks);
		}
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	if (sql_end(ex) == -1)
		return -1;
	for (i = 0; i < r->albums.n; i++) {
		if ((rc = store_get_album(ex->txn, r->albums.ids[i], &al)) ==
		    STORE_ERR)
			return -1;
		if (rc == STORE_OK)
			sql_links(ex, ins_album_artists, r->albums.ids[i],
			    &al.artists);
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	return sql_end(ex);
}

static int
sql_tracks(struct ex *ex, const struct sql_refs *r)
{
	struct buf *b = &ex->out;
	struct track t;
	size_t i;
	int rc;

	for (i = 0; i < r->tracks.n; i++) {
		const char *id = r->tracks.ids[i];

		if ((rc = store_get_track(ex->txn, id, &t)) == STORE_ERR)
			return -1;
		sql_row(ex, ins_tracks, ON_CONFLICT);
		buf_putc(b, '(');
		sql_str(b, id);
		if (rc != STORE_OK)
			buf_puts(b, ",NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,"
			    "NULL)");
		else {
			buf_putc(b, ',');
			sql_str(b, t.name);
			buf_putc(b, ',');
			sql_str_or_null(b, t.uri);
			buf_putc(b, ',');
			sql_str_or_null(b, t.album_id);
			buf_printf(b, ",%u,%u,%u,%u,%u,%u)",
			    (unsigned)t.duration_ms, (unsigned)t.explicit_,
			    (unsigned)t.is_local, (unsigned)t.disc_number,
			    (unsigned)t.track_number, (unsigned)t.popularity);
		}
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	if (sql_end(ex) == -1)
		return -1;
	for (i = 0; i < r->tracks.n; i++) {
		if ((rc = store_get_track(ex->txn, r->tracks.ids[i], &t)) ==
		    STORE_ERR)
			return -1;
		if (rc == STORE_OK)
			sql_links(ex, ins_track_artists, r->tracks.ids[i],
			    &t.artists);
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	return sql_end(ex);
}

static int
sql_play(const struct play *p, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;

	sql_row(ex, ins_plays, "");
	buf_putc(b, '(');
	sql_str(b, ex->user);
	buf_printf(b, ",%lld,", (long long)p->played_at);
	sql_ms_time(ex, p->played_at);
	buf_printf(b, ",'%s',", p->track_id);
	sql_str_or_null(b, p->context_uri);
	if (p->ms_played >= 0)
		buf_printf(b, ",'%s',%d)", ex_source(p->source),
		    (int)p->ms_played);
	else
		buf_printf(b, ",'%s',NULL)", ex_source(p->source));
	ex->st.plays++;
	return ex_maybe_flush(ex);
}

static int
sql_playlist(const struct playlist_week *w, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;

	sql_row(ex, ins_playlists, "");
	buf_putc(b, '(');
	sql_str(b, ex->user);
	buf_printf(b, ",'%s',", w->playlist_id);
	sql_day(b, w->week);
	buf_putc(b, ',');
	sql_str_or_null(b, w->name);
	buf_putc(b, ',');
	sql_str_or_null(b, w->snapshot_id);
	buf_printf(b, ",'%s',%lld)", SCHEMA_WORD(schema_hows, w->how),
	    (long long)w->obtained_at);
	return ex_maybe_flush(ex);
}

static int
sql_playlist_items(const struct playlist_week *w, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;
	char id[ID_LEN + 1];
	uint32_t i;

	for (i = 0; i < w->tracks.n; i++) {
		idlist_get(&w->tracks, i, id);
		sql_row(ex, ins_playlist_items, "");
		buf_putc(b, '(');
		sql_str(b, ex->user);
		buf_printf(b, ",'%s',", w->playlist_id);
		sql_day(b, w->week);
		buf_printf(b, ",%u,'%s')", i, id);
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	return 0;
}

static int
sql_top(const struct top_snapshot *s, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;

	sql_row(ex, ins_top, "");
	buf_putc(b, '(');
	sql_str(b, ex->user);
	buf_printf(b, ",'%s','%s',", SCHEMA_WORD(schema_kinds, s->kind),
	    SCHEMA_WORD(schema_ranges, s->range));
	sql_day(b, s->day);
	buf_printf(b, ",%lld)", (long long)s->confirmed_at);
	return ex_maybe_flush(ex);
}

static int
sql_top_items(const struct top_snapshot *s, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;
	char id[ID_LEN + 1];
	uint32_t i;

	for (i = 0; i < s->ids.n; i++) {
		idlist_get(&s->ids, i, id);
		sql_row(ex, ins_top_items, "");
		buf_putc(b, '(');
		sql_str(b, ex->user);
		buf_printf(b, ",'%s','%s',", SCHEMA_WORD(schema_kinds, s->kind),
		    SCHEMA_WORD(schema_ranges, s->range));
		sql_day(b, s->day);
		buf_printf(b, ",%u,'%s')", i + 1, id);
		if (ex_maybe_flush(ex) == -1)
			return -1;
	}
	return 0;
}

static int
sql_gap_row(const struct gap *g, void *arg)
{
	struct ex *ex = arg;

	sql_row(ex, ins_gaps, "");
	buf_putc(&ex->out, '(');
	sql_str(&ex->out, ex->user);
	buf_printf(&ex->out, ",%lld,%lld,'%s',%lld)", (long long)g->from_ms,
	    (long long)g->to_ms, SCHEMA_WORD(schema_gap_reasons, g->reason),
	    (long long)g->recorded_at);
	return ex_maybe_flush(ex);
}

/* Runs one iteration per top kind and range with fn. */
static int
sql_tops(struct ex *ex, int (*fn)(const struct top_snapshot *, void *))
{
	int k, g;

	for (k = 0; k < TOP_KIND__MAX; k++)
		for (g = 0; g < RANGE__MAX; g++)
			if (store_iter_top(ex->txn, ex->user, (enum top_kind)k,
			    (enum top_range)g, STORE_ASC, fn, ex) != STORE_OK)
				return -1;
	return sql_end(ex);
}

int
export_sql(struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats)
{
	struct ex ex;
	struct sql_refs r;
	char now[32];
	int rc = -1;

	ex_init(&ex, txn, user, sink);
	memset(&r, 0, sizeof(r));
	time_format_iso8601(time_now_ms(), now, 0);
	buf_puts(&ex.out, "-- linernotes export of the listening journal of ");
	ex_text(&ex.out, user, strlen(user), 0);
	buf_printf(&ex.out, ", written %s.\n"
	    "-- Loads into an empty SQLite (sqlite3 -bail db < file) or "
	    "PostgreSQL\n-- (psql -v ON_ERROR_STOP=1 -f file) database.\n"
	    "BEGIN;\n", now);
	buf_puts(&ex.out, sql_schema);
	if (ex_flush(&ex) == -1 || sql_gather(&ex, &r) == -1)
		goto free_refs;
	if (sql_user(&ex) == -1 || sql_artists(&ex, &r) == -1 ||
	    sql_albums(&ex, &r) == -1 || sql_tracks(&ex, &r) == -1)
		goto free_refs;
	if (store_iter_plays(txn, user, INT64_MIN, INT64_MAX, STORE_ASC,
	    sql_play, &ex) != STORE_OK || sql_end(&ex) == -1)
		goto free_refs;
	if (store_iter_playlist_weeks(txn, user, NULL, STORE_ASC, sql_playlist,
	    &ex) != STORE_OK || sql_end(&ex) == -1 ||
	    store_iter_playlist_weeks(txn, user, NULL, STORE_ASC,
	    sql_playlist_items, &ex) != STORE_OK || sql_end(&ex) == -1)
		goto free_refs;
	if (sql_tops(&ex, sql_top) == -1 || sql_tops(&ex, sql_top_items) == -1)
		goto free_refs;
	if (store_iter_gaps(txn, user, INT64_MIN, INT64_MAX, STORE_ASC,
	    sql_gap_row, &ex) != STORE_OK || sql_end(&ex) == -1)
		goto free_refs;
	buf_puts(&ex.out, "COMMIT;\n");
	rc = 0;
free_refs:
	sql_refs_free(&r);
	return ex_done(&ex, rc, stats);
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
	int i;

	for (i = 0; i < EXPORT__MAX; i++)
		if (strcmp(name, export_names[i]) == 0)
			return i;
	return -1;
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
