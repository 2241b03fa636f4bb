/*
 * parse.h — Spotify's JSON, turned into linernotes' plain records.
 *
 * Every response the collector uses is normalized here, and only here:
 * recently-played pages, top lists, playlists and their items, and
 * single or batch entity look-ups (/me and the token endpoint's answer,
 * which the reader's sign-in reads too, are lib/oauth.c's).  The
 * results are the structs of schema.h (struct play, track, album, artist)
 * whose strings and id lists point into memory owned by the struct
 * parse_set that holds them; parse_set_free() releases it all.  No cJSON
 * pointer ever leaves this module's functions: callers pass a parsed tree
 * in and get plain C back.
 *
 * What is deliberately kept or dropped:
 *  - local files (track id null, is_local true) get synthetic ids from
 *    ids_synth_*() (lib/ids.h) for the track, its album and its artists,
 *    the importer's ids for the same names, so the play is kept and
 *    names what was heard;
 *  - podcast episodes (type "episode") are skipped, counted in
 *    set->n_episodes and logged at debug level;
 *  - an item that is neither (no played_at, no usable track) is skipped,
 *    counted in set->n_garbage and logged as a warning;
 *  - a response whose overall shape is wrong (not an object, "items" not
 *    an array) is an error: the caller retries it and writes nothing.
 *
 * Error convention: the parse_* functions return 0, or -1 when the
 * document is unusable (or memory ran out); on -1 the set may hold part of
 * the document and must be freed, never written.
 */
#ifndef LN_PARSE_H
#define LN_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "schema.h"

/* Everything one response yielded, deduplicated by id. */
struct parse_set {
	struct play	*plays;		/* newest first, as Spotify sends them */
	size_t		 n_plays;
	struct track	*tracks;
	size_t		 n_tracks;
	struct album	*albums;
	size_t		 n_albums;
	struct artist	*artists;
	size_t		 n_artists;
	char		(*ids)[ID_LEN + 1];	/* ordered ids: a top list, a playlist */
	size_t		 n_ids;
	size_t		 n_items;	/* items in the response, kept or not */
	size_t		 n_episodes;	/* podcast items skipped */
	size_t		 n_garbage;	/* unusable items skipped */
	int64_t		 oldest_ms;	/* oldest played_at of any item, 0 if none */
	int64_t		 newest_ms;	/* newest played_at of any item, 0 if none */
	int		 has_next;	/* the page says more can be fetched */
	char		 snapshot_id[128];	/* playlist responses */
	/* memory owned by the set */
	char		**strs;
	size_t		 n_strs;
};

/* A playlist from /me/playlists. */
struct parse_playlist {
	char		 id[ID_LEN + 1];
	char		 name[256];
	char		 owner[USER_ID_MAX + 1];
	char		 snapshot_id[128];
};

/* Frees everything the set owns and zeroes it. */
void	parse_set_free(struct parse_set *);

/*
 * Adds one recently-played page (a CursorPagingPlayHistoryObject) to set:
 * its plays (played_at in ms, track id, context uri) and the tracks,
 * albums and artists embedded in them.  Returns 0 or -1.
 */
int	parse_recent_page(const cJSON *doc, struct parse_set *set);

/*
 * Adds a top-list page (/me/top/tracks or /me/top/artists): the ranked ids
 * go to set->ids in order, the objects to the entity arrays.  artists says
 * which of the two the page is.  Returns 0 or -1.
 */
int	parse_top_page(const cJSON *doc, int artists, struct parse_set *set);

/*
 * Adds one page of playlist items (/playlists/{id}/items or the older
 * /tracks form): track ids in order to set->ids (local files by their
 * synthetic ids, episodes and removed tracks skipped), entities to the
 * arrays.  Returns 0 or -1.
 */
int	parse_playlist_items(const cJSON *doc, struct parse_set *set);

/*
 * Adds single full objects or a batch answer ({"artists":[...]},
 * {"albums":[...]}, {"tracks":[...]}) to set; artists so parsed are marked
 * detailed.  Returns 0 or -1.
 */
int	parse_entities(const cJSON *doc, struct parse_set *set);

/*
 * Reads a /me/playlists page into out (up to max entries), *n receiving
 * how many; *has_next is set when the page has a next page.  Returns 0 or
 * -1.
 */
int	parse_playlists(const cJSON *doc, struct parse_playlist *out, size_t max,
	    size_t *n, int *has_next);

/* Whether the body is Spotify's QUOTA_EXCEEDED error ("reason"). */
int	parse_is_quota(const cJSON *doc);

#endif
