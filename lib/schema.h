/*
 * schema.h — the records linernotes keeps, as plain C structs.
 *
 * These are the types every program exchanges with the store (store.h).
 * How they are laid out in LMDB (keys, value encodings, version bytes) is
 * known only to store.c; nothing here says how a record is stored.
 *
 * Ownership: a record filled by a store_get_* or handed to a store_*_iter
 * callback points into the LMDB map where it says "txn" below: its strings
 * and id lists are valid only until the read or write transaction that
 * produced it ends (or is reset).  struct user is the exception: it is a
 * plain value with its own arrays, because the collector edits and writes
 * it back.  A record given to a store_put_* function is only read.
 *
 * Ids.  Spotify ids of tracks, artists, albums and playlists are exactly
 * ID_LEN (22) characters of [0-9A-Za-z].  A track or album that Spotify
 * gives no id (local files, name-only rows of an account-data import) gets a
 * synthetic id of the same length that starts with '_' (ids_synthetic() in
 * ids.h), so every play names a track.  Lists of ids (a track's artists, a
 * playlist's items, a top list) are stored as n * ID_LEN bytes without
 * separators: see struct idlist and idlist_get().
 *
 * User ids are Spotify user ids: 1..USER_ID_MAX bytes of [0-9A-Za-z._-].
 */
#ifndef LN_SCHEMA_H
#define LN_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#define ID_LEN		22	/* track, artist, album, playlist ids */
#define USER_ID_MAX	64	/* Spotify user ids, bytes */
#define TOKEN_MAX	512	/* access / refresh tokens, bytes */
#define IMAGES_MAX	4	/* images kept per album / artist / user */
#define GENRES_MAX	8
#define ARCHIVE_MAX	8	/* playlists a user archives weekly */

/* A packed list of n ids of ID_LEN bytes each, not NUL-terminated (txn). */
struct idlist {
	const char	*ids;
	uint32_t	 n;
};

/* Copies the i-th id of l into out as a string.  i must be < l->n. */
void	idlist_get(const struct idlist *l, uint32_t i, char out[ID_LEN + 1]);

struct image {
	const char	*url;		/* txn; NULL when there is no image */
	uint16_t	 width;		/* 0 when unknown */
	uint16_t	 height;
};

/* ---- plays: user, played_at ms -> what was played ---------------------- */

enum play_source {
	SOURCE_API,		/* recently-played */
	SOURCE_EXTENDED,	/* extended streaming history import */
	SOURCE_ACCOUNT,		/* account-data import (minute precision) */
	SOURCE__MAX
};

/* prev_played_at of a play whose track the user never played before. */
#define PLAY_NO_PREV	INT64_MIN

struct play {
	int64_t		 played_at;	/* Unix ms, end of the play, UTC */
	char		 track_id[ID_LEN + 1];
	const char	*context_uri;	/* txn; "" when none */
	uint8_t		 source;	/* enum play_source */
	int32_t		 ms_played;	/* -1 when unknown */
	/*
	 * The user's play of the same track before this one (ms), or
	 * PLAY_NO_PREV.  Kept by the store (store.h, "the plays-by-track
	 * index"): filled in by reads, ignored by store_put_play().
	 */
	int64_t		 prev_played_at;
};

/* ---- tracks, artists, albums: Spotify id -> normalized metadata -------- */

struct track {
	char		 id[ID_LEN + 1];
	const char	*name;		/* txn */
	const char	*uri;		/* txn; "spotify:track:..." or local uri */
	char		 album_id[ID_LEN + 1];	/* "" when unknown */
	struct idlist	 artists;	/* txn; in credit order */
	uint32_t	 duration_ms;	/* 0 when unknown */
	uint16_t	 popularity;	/* 0..100 */
	uint8_t		 explicit_;
	uint8_t		 is_local;
	uint16_t	 disc_number;
	uint16_t	 track_number;
	int64_t		 updated_at;	/* Unix s the record last changed */
};

struct artist {
	char		 id[ID_LEN + 1];
	const char	*name;		/* txn */
	const char	*genres[GENRES_MAX];	/* txn */
	uint8_t		 n_genres;
	struct image	 images[IMAGES_MAX];
	uint8_t		 n_images;
	uint16_t	 popularity;
	uint8_t		 detailed;	/* genres/images fetched from /artists/{id} */
	int64_t		 updated_at;
};

struct album {
	char		 id[ID_LEN + 1];
	const char	*name;		/* txn */
	const char	*album_type;	/* txn; "album", "single", "compilation" */
	const char	*release_date;	/* txn; "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
	struct idlist	 artists;	/* txn */
	struct image	 images[IMAGES_MAX];
	uint8_t		 n_images;
	uint16_t	 total_tracks;
	int64_t		 updated_at;
};

/* ---- playlists: user, playlist id, week -> a weekly snapshot ----------- */

enum playlist_how {
	PLAYLIST_FULL,		/* read from the API: the whole list */
	PLAYLIST_HEARD,		/* reconstructed from plays in its context */
	PLAYLIST__MAX
};

struct playlist_week {
	char		 playlist_id[ID_LEN + 1];
	int32_t		 week;		/* days since 1970-01-01 of the week's Monday */
	const char	*name;		/* txn */
	const char	*snapshot_id;	/* txn; "" for PLAYLIST_HEARD */
	uint8_t		 how;		/* enum playlist_how */
	int64_t		 obtained_at;	/* Unix s */
	struct idlist	 tracks;	/* txn; in playlist order */
};

/* ---- top: user, kind, range, day -> ordered ids ------------------------ */

enum top_kind {
	TOP_TRACKS,
	TOP_ARTISTS,
	TOP_KIND__MAX
};

enum top_range {
	RANGE_SHORT,		/* short_term: about 4 weeks */
	RANGE_MEDIUM,		/* medium_term: about 6 months */
	RANGE_LONG,		/* long_term: all time */
	RANGE__MAX
};

struct top_snapshot {
	uint8_t		 kind;		/* enum top_kind */
	uint8_t		 range;		/* enum top_range */
	int32_t		 day;		/* days since 1970-01-01 (UTC) taken */
	int64_t		 confirmed_at;	/* Unix s it was last seen unchanged */
	struct idlist	 ids;		/* txn; rank order, rank 1 first */
};

/* ---- gaps: user, from ms -> to ms, reason ------------------------------ */

enum gap_reason {
	GAP_OVERFLOW,		/* more than 50 plays since the last poll */
	GAP_UNREACHABLE,	/* polls failed long enough to lose plays */
	GAP_REAUTH,		/* the user had to re-authorize */
	GAP__MAX
};

struct gap {
	int64_t		 from_ms;	/* newest play known before the gap */
	int64_t		 to_ms;		/* oldest play known after the gap */
	uint8_t		 reason;	/* enum gap_reason */
	int64_t		 recorded_at;	/* Unix s */
};

/* ---- agg: user, 15-minute UTC bucket -> plays and listening time ------
 * Kept by the store itself (store_put_play / store_del_play), never put
 * by callers: see store_iter_agg() in store.h.
 */
struct agg_bucket {
	int64_t		 start_ms;	/* UTC start of the bucket */
	uint32_t	 plays;
	uint32_t	 by_played;	/* plays whose ms_played is known */
	uint64_t	 ms_played;	/* ... their ms_played, summed */
	uint32_t	 by_duration;	/* the others whose track had a duration */
	uint64_t	 ms_duration;	/* ... those durations, summed */
};

/* ---- per-entity indexes: user, artist/album -> plays; user, entity, day
 * -> plays and listening time (schema version 6) --------------------------
 * Kept by the store itself, like the aggregates: store_put_play(),
 * store_del_play() (the one way a play is removed), store_put_track()
 * and store_del_track() (a track's album, artists or duration decide
 * what its plays count for) maintain them in their own transaction;
 * callers only read them (struct entity_tally and the iterations in
 * store.h, "the per-entity indexes"; the code is lib/store_byentity.c).
 */

/* ---- sessions: user, SHA-256 of the token -> lifetime ----------------
 * A signed-in browser holds a random token in a cookie; the store keeps
 * only the token's SHA-256 (a copy of the store opens no session), under
 * the user it belongs to, so the user's purge removes their sessions.
 */
#define SESSION_HASH_LEN	32

struct session {
	char		 user[USER_ID_MAX + 1];
	unsigned char	 hash[SESSION_HASH_LEN];	/* SHA-256 of the token */
	int64_t		 created_at;	/* Unix s */
	int64_t		 expires_at;	/* Unix s; invalid from this second on */
};

/* ---- users: user id -> profile, tokens, settings, schedule, cursors ---- */

enum user_status {
	USER_ACTIVE,
	USER_REAUTH,		/* refresh token refused: data kept, no polls */
	USER_DISABLED,		/* paused by the owner of the instance */
	USER_STATUS__MAX
};

enum user_visibility {
	VIS_PRIVATE,
	VIS_PUBLIC,
	VIS__MAX
};

/* A plain value: copied out of and into the store, never pointing into it. */
struct user {
	char		 id[USER_ID_MAX + 1];
	char		 display_name[256];
	char		 country[8];
	char		 product[32];
	char		 image_url[512];
	char		 access_token[TOKEN_MAX + 1];	/* secret */
	char		 refresh_token[TOKEN_MAX + 1];	/* secret */
	int64_t		 token_expires;		/* Unix s the access token ends */
	int64_t		 authorized_at;		/* Unix s of the last authorization */
	uint8_t		 status;		/* enum user_status */
	uint8_t		 visibility;		/* enum user_visibility */
	char		 timezone[64];		/* IANA name, "" = UTC */
	char		 dw_playlist[ID_LEN + 1];	/* "" = find it by name */
	char		 archive[ARCHIVE_MAX][ID_LEN + 1];
	uint8_t		 n_archive;
	int64_t		 created_at;		/* Unix s */
	/* cursors and schedule (collector) */
	int64_t		 cursor_ms;		/* newest played_at stored from the API */
	int32_t		 offset_s;		/* per-user offset within the interval */
	int64_t		 last_poll;		/* Unix s of the last attempt */
	int64_t		 last_ok_poll;		/* Unix s of the last success */
	int64_t		 next_plays;		/* Unix s each job is due */
	int64_t		 next_top;
	int64_t		 next_dw;
	int64_t		 next_profile;
	uint32_t	 failures;		/* consecutive failed polls */
	char		 last_error[256];	/* "" when the last poll succeeded */
	uint64_t	 n_plays;		/* plays stored for this user */
};

/* ---- imports: user, job id -> an upload of Spotify's history ----------
 * A history file or .zip a user uploaded through the API, and what
 * became of it (fcgi/api_imports.c records it, the collector runs it:
 * collector/job_import.c).  Keyed by user and a per-user id counting
 * from 1 (store key prefix [U] be32 id, database "imports"; store_int.h).
 * Each play an import put is marked with the job's id (database
 * "importmarks", [U] be64 played_at -> be32 id), so an undo removes
 * exactly those plays.  A plain value, like struct user.
 */
enum import_status {
	IMPORT_QUEUED,		/* uploaded, waiting for the collector */
	IMPORT_IMPORTING,	/* files being read (resumed after a crash) */
	IMPORT_DONE,		/* every file read (some may have failed) */
	IMPORT_FAILED,		/* nothing more will happen: see reason */
	IMPORT_UNDOING,		/* its plays being removed */
	IMPORT_UNDONE,		/* its plays removed */
	IMPORT_STATUS__MAX
};

enum import_media {
	IMPORT_MEDIA_JSON,	/* one history file */
	IMPORT_MEDIA_ZIP,	/* the download as Spotify sends it */
	IMPORT_MEDIA__MAX
};

#define IMPORT_NAME_MAX		255	/* bytes of a file or entry name */
#define IMPORT_TEXT_MAX		255	/* bytes of a reason or error */
#define IMPORT_FILES_MAX	32	/* per-file results kept per job */

struct import_file {
	char		 name[IMPORT_NAME_MAX + 1];
	uint8_t		 ok;		/* 0: rejected, see error */
	uint64_t	 records;	/* objects in the file */
	uint64_t	 added;		/* plays stored */
	uint64_t	 duplicates;	/* already stored (or twice in it) */
	uint64_t	 skipped;	/* rows a rule dropped */
	char		 error[IMPORT_TEXT_MAX + 1];	/* "" when ok */
};

struct import_job {
	char		 user[USER_ID_MAX + 1];	/* from the key */
	uint32_t	 id;		/* from the key, 1.. */
	uint8_t		 status;	/* enum import_status */
	uint8_t		 media;		/* enum import_media */
	int64_t		 created_at;	/* Unix ms */
	int64_t		 updated_at;	/* Unix ms */
	uint64_t	 bytes;		/* the upload's size */
	char		 file_name[IMPORT_NAME_MAX + 1];	/* X-Filename */
	char		 reason[IMPORT_TEXT_MAX + 1];	/* why failed; "" */
	uint32_t	 attempts;	/* runs started (a crash retries) */
	uint32_t	 files_total;	/* history files found; 0 until known */
	uint32_t	 files_done;	/* read, imported or rejected */
	uint32_t	 files_failed;
	uint64_t	 records;	/* objects read, every file */
	uint64_t	 added;		/* plays stored */
	uint64_t	 duplicates;	/* rows already stored */
	uint64_t	 skipped_podcast;	/* episode rows */
	uint64_t	 skipped_audiobook;	/* audiobook rows */
	uint64_t	 skipped_other;	/* video, incognito, short, no track */
	uint64_t	 removed;	/* plays an undo removed so far */
	int64_t		 undo_cursor;	/* undo goes on after this played_at */
	uint8_t		 n_files;	/* results kept, <= IMPORT_FILES_MAX */
	struct import_file files[IMPORT_FILES_MAX];
};

/* ---- the words of the enums above (schema.c) ---------------------------
 * One table per enum, indexed by its value: the words the API, the exports
 * and the collector's commands show, and the API's query parameters accept
 * (kind, range).  Visibility's words live with the settings (settings.h).
 */
extern const char *const schema_sources[SOURCE__MAX];
extern const char *const schema_hows[PLAYLIST__MAX];
extern const char *const schema_kinds[TOP_KIND__MAX];
extern const char *const schema_ranges[RANGE__MAX];
extern const char *const schema_gap_reasons[GAP__MAX];
extern const char *const schema_statuses[USER_STATUS__MAX];
extern const char *const schema_import_statuses[IMPORT_STATUS__MAX];
extern const char *const schema_import_media[IMPORT_MEDIA__MAX];

/* Returns words[v] when v < n, else "unknown" (a value no table names). */
const char	*schema_word(const char *const *words, size_t n, unsigned v);
#define SCHEMA_WORD(words, v) \
	schema_word((words), sizeof(words) / sizeof((words)[0]), (v))

/*
 * The other way: the index of s among words[0..n-1] (compared exactly),
 * or -1 when none is s.  Every table of words (these, the settings', the
 * export formats', the HTTP methods') is looked up through it.
 */
int		 schema_word_index(const char *const *words, size_t n,
		    const char *s);
#define SCHEMA_INDEX(words, s) \
	schema_word_index((words), sizeof(words) / sizeof((words)[0]), (s))

#endif
