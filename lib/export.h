/*
 * export.h — a user's journal written out as CSV, SQL or JSON Lines.
 *
 * The same writers serve `linernotes-collector export` (a FILE sink) and
 * the API's GET /api/v0/export/:user_id.{csv,sql,json} (a FastCGI sink):
 * each walks the user's data inside the caller's read transaction and
 * hands the output to a sink in chunks of about EXPORT_CHUNK bytes, so
 * memory stays small whatever the size of the history.  docs/EXPORT.md
 * describes the formats for people; in short:
 *
 *  - CSV (RFC 4180, UTF-8, CRLF line ends, a header row): one row per play,
 *    oldest first.  Columns: played_at (ISO 8601 UTC with ms), played_at_ms,
 *    ms_played (empty when unknown), source (api, extended, account),
 *    track_id, track_uri, track_name, artist_ids and artist_names (";"
 *    and "; " joined, in credit order), album_id, album_name, context_uri.
 *    Cells are quoted when they hold a comma, quote, CR or LF (quotes
 *    doubled).  Formula neutralisation: a text cell that begins with = + -
 *    @ TAB or CR, possibly after apostrophes, gets one more apostrophe in
 *    front ("=1+1" is written '=1+1), so a spreadsheet shows text and a
 *    reader removes exactly one leading apostrophe from such cells to get
 *    the value back.
 *  - SQL: one script that sqlite3 loads as is and PostgreSQL accepts:
 *    BEGIN; CREATE TABLE for users, artists, albums, album_artists, tracks,
 *    track_artists, plays, playlists, playlist_items, top_snapshots,
 *    top_items and gaps, with primary and foreign keys; multi-row INSERTs;
 *    COMMIT.  Strings are standard SQL literals ('' for a quote, no
 *    backslash escapes); invalid UTF-8 becomes U+FFFD.  Every entity a
 *    row refers to is exported (a stub row with NULL name when the store
 *    lacks it), so the foreign keys hold.
 *  - JSON Lines: one object per play, oldest first, with the CSV's fields
 *    (artist_ids and artist_names as arrays; ms_played, track_uri,
 *    album_id, album_name and context_uri null when unknown or none).
 *
 * Secrets (tokens) are never exported.
 *
 * Error convention: the export_* functions return 0, or -1 when the store
 * failed, memory ran out or the sink returned -1 (the output is then
 * incomplete and the caller should discard or cut it off).
 */
#ifndef LN_EXPORT_H
#define LN_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct store_txn;

#define EXPORT_CHUNK	65536	/* bytes handed to the sink at a time, about */

enum export_format {
	EXPORT_CSV,
	EXPORT_SQL,
	EXPORT_JSON,
	EXPORT__MAX
};

/*
 * Where output goes.  write(ctx, p, n) is called with n > 0 bytes that
 * are only valid during the call; it returns 0, or -1 to stop the export
 * (a client that went away, a full disk).
 */
struct export_sink {
	int	(*write)(void *ctx, const void *p, size_t n);
	void	*ctx;
};

/* What an export wrote. */
struct export_stats {
	uint64_t	plays;		/* play rows */
	uint64_t	bytes;		/* handed to the sink */
};

/*
 * Writes everything of user (who need not exist: then only the header or
 * the empty schema is written) in the given format.  txn is a read (or
 * write) transaction the caller holds for the whole call; nothing is
 * written to the store.  stats may be NULL.  Returns 0 or -1.
 */
int	export_csv(struct store_txn *txn, const char *user,
	    const struct export_sink *sink, struct export_stats *stats);
int	export_sql(struct store_txn *txn, const char *user,
	    const struct export_sink *sink, struct export_stats *stats);
int	export_json(struct store_txn *txn, const char *user,
	    const struct export_sink *sink, struct export_stats *stats);
/* The one of the three named by fmt. */
int	export_run(enum export_format fmt, struct store_txn *txn,
	    const char *user, const struct export_sink *sink,
	    struct export_stats *stats);

/* The format named "csv", "sql" or "json"; -1 for anything else. */
int	export_format_parse(const char *name);
/* "csv", "sql", "json". */
const char	*export_format_name(enum export_format);
/* The media type for HTTP: "text/csv; charset=utf-8", ... */
const char	*export_format_mime(enum export_format);

#endif
