/*
 * import.h — the importer of Spotify's downloadable listening history.
 *
 * Three parts, each in its own file:
 *  - import_parse.c reads one history file (already in memory) into plain
 *    rows: a small streaming tokenizer for the one shape Spotify uses (an
 *    array of flat objects), keys matched by name, extra keys tolerated,
 *    every rule that drops a row applied and counted;
 *  - import.c is the `import` command: import_list.c finds the files (a
 *    file, a folder searched recursively, the .zip download) and orders
 *    them, and import.c writes each file's rows in one store transaction,
 *    deduplicating against plays already stored (see dedupe.h for the
 *    window), with import_match.c matching rows to known tracks by artist
 *    and title;
 *  - zip.c reads the download without unpacking it.
 * docs/IMPORT.md is the user-facing statement of every rule.
 *
 * Error convention: 0 on success, -1 with a message for people in err.
 */
#ifndef LN_IMPORT_H
#define LN_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"


/* What a file is, judged by its base name (import_parse_kind_of_name). */
enum import_kind {
	IMPORT_KIND_OTHER,	/* no streaming-history name: ignored in folders */
	IMPORT_KIND_EXTENDED,	/* endsong_*.json, Streaming_History_Audio_*.json */
	IMPORT_KIND_EXT_VIDEO,	/* Streaming_History_Video_*.json: rows skipped */
	IMPORT_KIND_ACCOUNT,	/* StreamingHistory*.json, StreamingHistory_music_* */
	IMPORT_KIND_ACC_PODCAST,	/* StreamingHistory_podcast_*: rows skipped */
	IMPORT_KIND_ACC_VIDEO,	/* StreamingHistory_video_*: rows skipped */
	IMPORT_KIND_ACC_AUDIOBOOK,	/* StreamingHistory_audiobook_*: skipped */
	IMPORT_KIND__MAX
};

/* Why a row was not imported, in the order the rules are applied. */
enum import_skip {
	SKIP_VIDEO,		/* a video file's row */
	SKIP_PODCAST,		/* an episode: podcast file or episode fields */
	SKIP_AUDIOBOOK,		/* an audiobook chapter */
	SKIP_INCOGNITO,		/* incognito_mode true */
	SKIP_SHORT,		/* ms_played below min_play_ms */
	SKIP_NO_TRACK,		/* neither a track URI nor a track name */
	SKIP__MAX
};

/* The record format a file's content turned out to have. */
enum import_format {
	IMPORT_FMT_EMPTY,	/* an empty array: no records at all */
	IMPORT_FMT_EXTENDED,	/* "ts", "ms_played", ... */
	IMPORT_FMT_ACCOUNT,	/* "endTime", "msPlayed", ... */
	IMPORT_FMT__MAX
};

/* One play that passed every rule, ready to be matched and stored. */
struct import_row {
	int64_t		 played_at;	/* Unix ms, end of the play, UTC */
	int32_t		 ms_played;
	uint32_t	 record;	/* 1-based position in the file */
	char		 track_id[ID_LEN + 1];	/* Spotify id; "" when none */
	uint8_t		 is_local;	/* spotify:local: URI */
	const char	*uri;		/* track URI as given, or "" */
	const char	*track;		/* names, "" when absent */
	const char	*artist;
	const char	*album;
};

/*
 * One parsed file.  Row strings are NUL-terminated copies in the set's
 * arena: they live until import_parse_free(), whatever becomes of the
 * buffer that was parsed.
 */
struct import_parsed {
	enum import_format	 fmt;
	struct import_row	*rows;
	size_t			 n_rows;
	size_t			 cap;
	size_t			 n_records;	/* objects in the array */
	uint64_t		 skipped[SKIP__MAX];
	char			 username[USER_ID_MAX + 1];	/* first seen, or "" */
	void			*arena;		/* blocks holding the rows' strings */
};

/* The name of a skip reason for summaries ("short", "incognito", ...). */
const char	*import_parse_skip_name(enum import_skip);
/* The kind of file a base name (no directory) denotes. */
enum import_kind import_parse_kind_of_name(const char *base);
/* Whether a kind is one of the history kinds (not IMPORT_KIND_OTHER). */
int		 import_parse_kind_known(enum import_kind);

/*
 * Parses a whole history file of len bytes at data, which is only read.
 * When mapped is set, data is a private read-only mapping of the file and
 * the pages already parsed are given back (madvise MADV_DONTNEED) as the
 * parse goes, so the file never sits in memory whole.  kind, from the
 * file's name, only decides whether every row is a podcast, video or
 * audiobook row; the record format is recognised from the keys of the
 * first record, and every record must have that format's keys.  Rows that
 * a rule drops are counted in out->skipped; the others are appended to
 * out->rows in file order.  Returns 0, or -1 with err saying where (line,
 * column, record) and what was wrong; out must be freed either way.
 */
int	import_parse(const char *data, size_t len, enum import_kind kind,
	    int64_t min_play_ms, int mapped, struct import_parsed *out,
	    char *err, size_t errsz);
/*
 * Keeps the strings (uri and names) of the rows for which keep(row, arg)
 * returns 1 and lets the others' go (they become ""): the kept strings
 * are copied into a new arena and the old one is freed, so a file's rows
 * hold only the strings their writing still needs.  Returns 0, or -1
 * when out of memory (every row is still valid then, and nothing was
 * given back).
 */
int	import_parse_keep(struct import_parsed *out,
	    int (*keep)(const struct import_row *, void *), void *arg);
/* Frees what out owns and zeroes it. */
void	import_parse_free(struct import_parsed *out);

#endif
