/*
 * ids.h — Spotify ids, synthetic ids, user ids and packed id lists.
 *
 * A Spotify id (track, artist, album, playlist) is exactly ID_LEN (22)
 * characters of [0-9A-Za-z].  Things Spotify gives no id (local files,
 * name-only rows of an account-data import) get a synthetic id: '_'
 * followed by 21 base-62 characters derived from a hash of what names
 * them, so the same local file always gets the same id and can never
 * collide with a Spotify id.  User ids are 1..USER_ID_MAX characters of
 * [0-9A-Za-z._-].  All checks are ASCII-only and locale-independent.
 *
 * Packed lists (struct idlist in schema.h) are n * ID_LEN bytes; writers
 * build them with struct ids_list, readers take them apart with
 * idlist_get() (declared in schema.h, defined in ids.c).
 *
 * Error convention: validators return 1 (valid) or 0; the others return
 * 0 or -1.
 */
#ifndef LN_IDS_H
#define LN_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schema.h"

/* 1 when s is exactly ID_LEN characters of [0-9A-Za-z], else 0. */
int	ids_valid_spotify(const char *s);
/* 1 when s is a Spotify id or a synthetic id ('_' + 21 of [0-9A-Za-z]). */
int	ids_valid_any(const char *s);
/* 1 when s is 1..USER_ID_MAX characters of [0-9A-Za-z._-], else 0. */
int	ids_valid_user(const char *s);

/*
 * Writes into out the synthetic id of a thing of the given kind ("track",
 * "album", ...) named by parts[0..n-1] (e.g. artist, album, title).  Each
 * string is normalized first: folded as a search folds names
 * (fold_name() in fold.h: case and diacritics of Latin, Greek and
 * Cyrillic letters, so "Björk", "BJÖRK" and "bjork" are one; white space
 * trimmed at both ends and runs of it inside folded to one space), so
 * "Artist" and " artist " give the same id.  NULL strings count as "".
 * The parts are length-delimited, so {"ab", "c"} and {"a", "bc"} differ.
 *
 * The id is '_' and 21 base-62 digits of a 128-bit hash: two SipHash-2-4
 * values under two fixed keys.  Ids are stored, so each version of the
 * algorithm is frozen; this is version 2 (IDS_SYNTHETIC_VERSION).
 * Version 1 lower-cased ASCII letters only and kept every other byte:
 * for a name of ASCII letters, digits, punctuation and white space the
 * two agree, so only names with other letters got new ids, which schema
 * version 7's migration re-keyed (store_migrate.c).
 */
#define IDS_SYNTHETIC_VERSION	2

void	ids_synthetic(char out[ID_LEN + 1], const char *kind,
	    const char *const parts[], size_t n);
/* The same with the algorithm of the given version (1 or 2). */
void	ids_synthetic_v(char out[ID_LEN + 1], int version, const char *kind,
	    const char *const parts[], size_t n);

/*
 * What names each kind of synthetic id, in one place: the collector's
 * parser (a local file in an API answer) and the importer (a history
 * row) must give the same thing the same id, or an imported play and a
 * polled play of one local file would be two tracks.
 *   ids_synth_artist   an artist known by name only
 *   ids_synth_album    an album known by its artist's and its own name
 *   ids_synth_local    a local file: artist, album, title
 *   ids_synth_track    a track known by name only (account data):
 *                      artist, title
 */
void	ids_synth_artist(char out[ID_LEN + 1], const char *name);
void	ids_synth_album(char out[ID_LEN + 1], const char *artist,
	    const char *album);
void	ids_synth_local(char out[ID_LEN + 1], const char *artist,
	    const char *album, const char *title);
void	ids_synth_track(char out[ID_LEN + 1], const char *artist,
	    const char *title);

/*
 * Extracts the id from a Spotify URI "spotify:<type>:<id>" or an open
 * link "https://open.spotify.com/<type>/<id>" (optionally followed by
 * "?..." such as "?si=...").  type is "track", "playlist", ...  The id
 * must be a valid Spotify id.  Returns 0 with out filled, or -1 with out
 * set to "".
 */
int	ids_from_uri(const char *uri, const char *type, char out[ID_LEN + 1]);

/*
 * The playlist id of a play's context URI: "spotify:playlist:<id>" or the
 * older "spotify:user:<user>:playlist:<id>", where id must be a Spotify
 * id (playlists have no synthetic ids).  Returns 0 with out filled, or -1
 * with out set to "" for any other URI (an album, an artist, an open
 * link, NULL).
 */
int	ids_from_context_uri(const char *uri, char out[ID_LEN + 1]);

/* The index (0-based) of id in l, or -1 when absent.  Linear. */
int64_t	ids_find(const struct idlist *l, const char *id);

/*
 * A packed id list under construction.  Start from IDS_LIST_INIT; the
 * list owns its memory until ids_list_free().
 */
struct ids_list {
	struct buf	b;	/* n * ID_LEN bytes */
	uint32_t	n;
};

#define IDS_LIST_INIT	{ BUF_INIT, 0 }

/*
 * Appends id (which must satisfy ids_valid_any()).  Returns 0, or -1 when
 * the id is not valid or memory ran out (the list is then unchanged).
 */
int	ids_list_add(struct ids_list *, const char *id);
/*
 * Returns a struct idlist viewing the list, for a store_put_* call.  It
 * is valid until the next add, reset or free.
 */
struct idlist ids_list_view(const struct ids_list *);
/* Empties the list, keeping its memory. */
void	ids_list_reset(struct ids_list *);
/* Releases the memory; the list may be used again afterwards. */
void	ids_list_free(struct ids_list *);

#endif
