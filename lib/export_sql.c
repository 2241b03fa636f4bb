/*
 * export_sql.c — the SQL writer: one script for SQLite and PostgreSQL.
 *
 * It first gathers every id the user's records refer to (plays, playlist
 * items, top lists, and through them artists and albums), so that it can
 * write the entities before the rows that point to them and the script's
 * foreign keys hold in PostgreSQL, which checks them per statement.  Then
 * it writes the schema and every table in that order, as multi-row
 * INSERT statements of at most SQL_BATCH rows, through the output buffer
 * and the text formatting of export.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "export.h"
#include "export_int.h"
#include "idtab.h"
#include "ids.h"
#include "schema.h"
#include "store.h"
#include "timeutil.h"

#define SQL_BATCH	500	/* rows per INSERT statement */

/* A set of ids, for the SQL writer's references: sorted by idset_sort(). */
struct ex_idset {
	struct idtab	 t;
	char		(*ids)[ID_LEN + 1];	/* sorted, n of them */
	size_t		 n;
};

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
	export_put_text(b, s, strlen(s), '\'');
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

	export_format_time(ex, ms, ts);
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
	return export_flush_due(ex);
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

/* One entity of any kind, as read for its row. */
union sql_entity {
	struct artist	 artist;
	struct album	 album;
	struct track	 track;
};

/*
 * What the rows of one kind of entity are: the INSERT, the values after
 * the id of a known entity (closing the row) and how many NULLs stand for
 * them when the store does not know it, and the INSERT of its links to
 * its artists (NULL: none).
 */
struct sql_kind {
	const char	*ins;
	int		(*get)(struct store_txn *, const char *id,
			    union sql_entity *);
	void		(*values)(struct buf *, const union sql_entity *);
	int		 n_null;
	const char	*ins_links;
	const struct idlist *(*artists)(const union sql_entity *);
};

static int
sql_get_artist(struct store_txn *txn, const char *id, union sql_entity *e)
{
	return store_get_artist(txn, id, &e->artist);
}

static int
sql_get_album(struct store_txn *txn, const char *id, union sql_entity *e)
{
	return store_get_album(txn, id, &e->album);
}

static int
sql_get_track(struct store_txn *txn, const char *id, union sql_entity *e)
{
	return store_get_track(txn, id, &e->track);
}

static void
sql_artist_values(struct buf *b, const union sql_entity *e)
{
	const struct artist *a = &e->artist;
	int g;

	buf_putc(b, ',');
	sql_str(b, a->name);
	buf_putc(b, ',');
	if (a->n_genres == 0)
		buf_puts(b, "NULL");
	else {
		buf_putc(b, '\'');
		for (g = 0; g < a->n_genres; g++) {
			if (g > 0)
				buf_puts(b, "; ");
			export_put_text(b, a->genres[g], strlen(a->genres[g]),
			    '\'');
		}
		buf_putc(b, '\'');
	}
	buf_printf(b, ",%u)", (unsigned)a->popularity);
}

static void
sql_album_values(struct buf *b, const union sql_entity *e)
{
	const struct album *al = &e->album;

	buf_putc(b, ',');
	sql_str(b, al->name);
	buf_putc(b, ',');
	sql_str_or_null(b, al->album_type);
	buf_putc(b, ',');
	sql_str_or_null(b, al->release_date);
	buf_printf(b, ",%u)", (unsigned)al->total_tracks);
}

static const struct idlist *
sql_album_artists(const union sql_entity *e)
{
	return &e->album.artists;
}

static void
sql_track_values(struct buf *b, const union sql_entity *e)
{
	const struct track *t = &e->track;

	buf_putc(b, ',');
	sql_str(b, t->name);
	buf_putc(b, ',');
	sql_str_or_null(b, t->uri);
	buf_putc(b, ',');
	sql_str_or_null(b, t->album_id);
	buf_printf(b, ",%u,%u,%u,%u,%u,%u)", (unsigned)t->duration_ms,
	    (unsigned)t->explicit_, (unsigned)t->is_local,
	    (unsigned)t->disc_number, (unsigned)t->track_number,
	    (unsigned)t->popularity);
}

static const struct idlist *
sql_track_artists(const union sql_entity *e)
{
	return &e->track.artists;
}

static const struct sql_kind sql_artists = {
	ins_artists, sql_get_artist, sql_artist_values, 3, NULL, NULL
};
static const struct sql_kind sql_albums = {
	ins_albums, sql_get_album, sql_album_values, 4, ins_album_artists,
	sql_album_artists
};
static const struct sql_kind sql_tracks = {
	ins_tracks, sql_get_track, sql_track_values, 9, ins_track_artists,
	sql_track_artists
};

/*
 * The rows of every entity in s, of kind k, then the links of those the
 * store knows to their artists.  Returns 0 or -1.
 */
static int
sql_entities(struct ex *ex, const struct ex_idset *s,
    const struct sql_kind *k)
{
	struct buf *b = &ex->out;
	union sql_entity e;
	size_t i;
	int rc, n;

	for (i = 0; i < s->n; i++) {
		if ((rc = k->get(ex->txn, s->ids[i], &e)) == STORE_ERR)
			return -1;
		sql_row(ex, k->ins, ON_CONFLICT);
		buf_putc(b, '(');
		sql_str(b, s->ids[i]);
		if (rc == STORE_OK)
			k->values(b, &e);
		else {
			for (n = 0; n < k->n_null; n++)
				buf_puts(b, ",NULL");
			buf_putc(b, ')');
		}
		if (export_flush_due(ex) == -1)
			return -1;
	}
	if (sql_end(ex) == -1)
		return -1;
	if (k->artists == NULL)
		return 0;
	for (i = 0; i < s->n; i++) {
		if ((rc = k->get(ex->txn, s->ids[i], &e)) == STORE_ERR)
			return -1;
		if (rc == STORE_OK)
			sql_links(ex, k->ins_links, s->ids[i], k->artists(&e));
		if (export_flush_due(ex) == -1)
			return -1;
	}
	return sql_end(ex);
}

/* Starts a row of one of the user's own tables (ins): "(user". */
static void
sql_user_row(struct ex *ex, const char *ins)
{
	sql_row(ex, ins, "");
	buf_putc(&ex->out, '(');
	sql_str(&ex->out, ex->user);
}

/* Starts a row of a weekly playlist's table: "(user,'id',day". */
static void
sql_week_row(struct ex *ex, const char *ins, const void *rec)
{
	const struct playlist_week *w = rec;

	sql_user_row(ex, ins);
	buf_printf(&ex->out, ",'%s',", w->playlist_id);
	sql_day(&ex->out, w->week);
}

/* Starts a row of a top list's table: "(user,'kind','range',day". */
static void
sql_top_row(struct ex *ex, const char *ins, const void *rec)
{
	const struct top_snapshot *s = rec;

	sql_user_row(ex, ins);
	buf_printf(&ex->out, ",'%s','%s',", SCHEMA_WORD(schema_kinds, s->kind),
	    SCHEMA_WORD(schema_ranges, s->range));
	sql_day(&ex->out, s->day);
}

/*
 * Writes the rows of an ordered id list (a playlist's tracks, a top list's
 * entries): each starts as row() starts rec's rows, then "ord,'id')" with
 * ord counted from first.
 */
static int
sql_item_rows(struct ex *ex, const char *ins,
    void (*row)(struct ex *, const char *, const void *), const void *rec,
    const struct idlist *ids, uint32_t first)
{
	char id[ID_LEN + 1];
	uint32_t i;

	for (i = 0; i < ids->n; i++) {
		idlist_get(ids, i, id);
		row(ex, ins, rec);
		buf_printf(&ex->out, ",%u,'%s')", first + i, id);
		if (export_flush_due(ex) == -1)
			return -1;
	}
	return 0;
}

static int
sql_play(const struct play *p, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;

	sql_user_row(ex, ins_plays);
	buf_printf(b, ",%lld,", (long long)p->played_at);
	sql_ms_time(ex, p->played_at);
	buf_printf(b, ",'%s',", p->track_id);
	sql_str_or_null(b, p->context_uri);
	if (p->ms_played >= 0)
		buf_printf(b, ",'%s',%d)", export_source_name(p->source),
		    (int)p->ms_played);
	else
		buf_printf(b, ",'%s',NULL)", export_source_name(p->source));
	ex->st.plays++;
	return export_flush_due(ex);
}

static int
sql_playlist(const struct playlist_week *w, void *arg)
{
	struct ex *ex = arg;
	struct buf *b = &ex->out;

	sql_week_row(ex, ins_playlists, w);
	buf_putc(b, ',');
	sql_str_or_null(b, w->name);
	buf_putc(b, ',');
	sql_str_or_null(b, w->snapshot_id);
	buf_printf(b, ",'%s',%lld)", SCHEMA_WORD(schema_hows, w->how),
	    (long long)w->obtained_at);
	return export_flush_due(ex);
}

static int
sql_playlist_items(const struct playlist_week *w, void *arg)
{
	return sql_item_rows(arg, ins_playlist_items, sql_week_row, w,
	    &w->tracks, 0);
}

static int
sql_top(const struct top_snapshot *s, void *arg)
{
	struct ex *ex = arg;

	sql_top_row(ex, ins_top, s);
	buf_printf(&ex->out, ",%lld)", (long long)s->confirmed_at);
	return export_flush_due(ex);
}

static int
sql_top_items(const struct top_snapshot *s, void *arg)
{
	return sql_item_rows(arg, ins_top_items, sql_top_row, s, &s->ids, 1);
}

static int
sql_gap_row(const struct gap *g, void *arg)
{
	struct ex *ex = arg;

	sql_user_row(ex, ins_gaps);
	buf_printf(&ex->out, ",%lld,%lld,'%s',%lld)", (long long)g->from_ms,
	    (long long)g->to_ms, SCHEMA_WORD(schema_gap_reasons, g->reason),
	    (long long)g->recorded_at);
	return export_flush_due(ex);
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

	export_init_ctx(&ex, txn, user, sink);
	memset(&r, 0, sizeof(r));
	time_format_iso8601(time_now_ms(), now, 0);
	buf_puts(&ex.out, "-- linernotes export of the listening journal of ");
	export_put_text(&ex.out, user, strlen(user), 0);
	buf_printf(&ex.out, ", written %s.\n"
	    "-- Loads into an empty SQLite (sqlite3 -bail db < file) or "
	    "PostgreSQL\n-- (psql -v ON_ERROR_STOP=1 -f file) database.\n"
	    "BEGIN;\n", now);
	buf_puts(&ex.out, sql_schema);
	if (export_flush_out(&ex) == -1 || sql_gather(&ex, &r) == -1)
		goto free_refs;
	if (sql_user(&ex) == -1 ||
	    sql_entities(&ex, &r.artists, &sql_artists) == -1 ||
	    sql_entities(&ex, &r.albums, &sql_albums) == -1 ||
	    sql_entities(&ex, &r.tracks, &sql_tracks) == -1)
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
	return export_finish_ctx(&ex, rc, stats);
}
