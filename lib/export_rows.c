/*
 * export_rows.c — the CSV and JSON Lines writers: one row per play.
 *
 * Both walk the user's plays oldest first and write, per play, its time,
 * length, source and track id followed by what the track cache
 * (export.c) knows of the track: its URI, name, artists and album.  The
 * CSV writer quotes and neutralises each cell as export.h describes; the
 * JSON Lines writer renders a track's values once through the JSON writer
 * and inserts them as they are into every later record of that track.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "export.h"
#include "export_int.h"
#include "ids.h"
#include "json.h"
#include "store.h"

/* The track fields of a JSON Lines record, in order. */
static const char *const json_track_keys[6] = {
	"track_uri", "track_name", "artist_ids", "artist_names", "album_id",
	"album_name",
};

/* What both writers' rows are written with (rows_export()). */
struct rows_ctx {
	struct ex	*ex;
	struct buf	 tmp;		/* CSV: the cell being written */
};

/*
 * A writer of one row per play: header, then row() for each of the user's
 * plays, oldest first, with a struct rows_ctx.  Returns 0 or -1.
 */
static int
rows_export(struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats,
    const char *header, int (*row)(const struct play *, void *))
{
	struct ex ex;
	struct rows_ctx c;
	int rc;

	export_init_ctx(&ex, txn, user, sink);
	memset(&c, 0, sizeof(c));
	c.ex = &ex;
	buf_puts(&ex.out, header);
	rc = store_iter_plays(txn, user, INT64_MIN, INT64_MAX, STORE_ASC,
	    row, &c) == STORE_OK ? 0 : -1;
	buf_free(&c.tmp);
	return export_finish_ctx(&ex, rc, stats);
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
	export_put_text(b, s, len, quote ? '"' : 0);
	if (quote)
		buf_putc(b, '"');
}

/* The artist names of t joined by sep into b (raw, for one cell). */
static void
ex_join_names(const struct ex *ex, const struct ex_track *t, const char *sep,
    struct buf *b)
{
	const char *n = export_get_str(ex, t->artist_names);
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
	const char *ids = export_get_str(ex, t->artist_ids);
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


static int
csv_play(const struct play *p, void *arg)
{
	struct rows_ctx *c = arg;
	struct ex *ex = c->ex;
	struct buf *b = &ex->out;
	const struct ex_track *t;
	char ts[32];

	if ((t = export_get_track(ex, p->track_id)) == NULL)
		return -1;
	export_format_time(ex, p->played_at, ts);
	buf_puts(b, ts);
	if (p->ms_played >= 0)
		buf_printf(b, ",%lld,%d,%s,%s,", (long long)p->played_at,
		    (int)p->ms_played, export_source_name(p->source),
		    p->track_id);
	else
		buf_printf(b, ",%lld,,%s,%s,", (long long)p->played_at,
		    export_source_name(p->source), p->track_id);
	csv_cell(b, export_get_str(ex, t->uri));
	buf_putc(b, ',');
	csv_cell(b, export_get_str(ex, t->name));
	buf_putc(b, ',');
	ex_join_ids(ex, t, b);
	buf_putc(b, ',');
	buf_reset(&c->tmp);
	ex_join_names(ex, t, "; ", &c->tmp);
	csv_cell(b, c->tmp.data ? c->tmp.data : "");
	buf_putc(b, ',');
	buf_puts(b, t->album_id);
	buf_putc(b, ',');
	csv_cell(b, export_get_str(ex, t->album));
	buf_putc(b, ',');
	csv_cell(b, p->context_uri ? p->context_uri : "");
	buf_add(b, "\r\n", 2);
	ex->st.plays++;
	return export_flush_due(ex);
}

int
export_csv(struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats)
{
	return rows_export(txn, user, sink, stats, csv_header, csv_play);
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
			json_str(&j, NULL,
			    json_opt(export_get_str(ex, t->uri)));
			break;
		case 1:
			json_str(&j, NULL, export_get_str(ex, t->name));
			break;
		case 2:
			json_arr_open(&j, NULL);
			ids = export_get_str(ex, t->artist_ids);
			for (i = 0; i < t->n_artists; i++)
				json_strn(&j, NULL, ids + (size_t)i * ID_LEN,
				    ID_LEN);
			json_arr_close(&j);
			break;
		case 3:
			json_arr_open(&j, NULL);
			n = export_get_str(ex, t->artist_names);
			for (i = 0; i < t->n_artists; i++, n += strlen(n) + 1)
				json_str(&j, NULL, n);
			json_arr_close(&j);
			break;
		case 4:
			json_str(&j, NULL, json_opt(t->album_id));
			break;
		default:
			json_str(&j, NULL, t->album_id[0] != '\0' ?
			    export_get_str(ex, t->album) : NULL);
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
	struct ex *ex = ((struct rows_ctx *)arg)->ex;
	struct ex_track *t;
	struct json j;
	char ts[32];
	int k;

	t = (struct ex_track *)export_get_track(ex, p->track_id);
	if (t == NULL || (!t->jdone && json_track(ex, t) == -1))
		return -1;
	export_format_time(ex, p->played_at, ts);
	json_init(&j, &ex->out);
	json_obj_open(&j, NULL);
	json_str(&j, "played_at", ts);
	json_int(&j, "played_at_ms", p->played_at);
	if (p->ms_played >= 0)
		json_int(&j, "ms_played", p->ms_played);
	else
		json_null(&j, "ms_played");
	json_str(&j, "source", export_source_name(p->source));
	json_str(&j, "track_id", p->track_id);
	for (k = 0; k < 6; k++)
		json_raw(&j, json_track_keys[k], export_get_str(ex, t->jv[k]),
		    t->jl[k]);
	json_str(&j, "context_uri", json_opt(p->context_uri));
	json_obj_close(&j);
	if (json_finish(&j) == -1)
		return -1;
	buf_putc(&ex->out, '\n');
	ex->st.plays++;
	return export_flush_due(ex);
}

int
export_json(struct store_txn *txn, const char *user,
    const struct export_sink *sink, struct export_stats *stats)
{
	return rows_export(txn, user, sink, stats, "", json_play);
}
