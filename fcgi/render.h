/*
 * render.h — how the API writes records of schema.h as JSON.
 *
 * One function per shape so every endpoint names a field the same way:
 * times as a pair "<key>" (Unix ms or s, as stored) and "<key>_iso"
 * (RFC 3339 UTC, null outside years 0001..9999, written by json.h as the
 * insights write theirs; callers pass both names, nothing is formatted
 * per key), id lists as arrays of strings, enums as words.  Nothing here
 * writes a secret: struct user has no renderer but the public one.
 *
 * Error convention: none but render_finish()'s; the JSON writer records
 * failures for json_finish(), which render_finish() turns into the 500.
 */
#ifndef LN_RENDER_H
#define LN_RENDER_H

#include <stdint.h>

#include "json.h"
#include "schema.h"

struct resp;

/*
 * Finishes the answer written through j (json_finish) into r's body.
 * Returns 0, or -1 with r set to the 500 that says it could not be
 * written.
 */
int	render_finish(struct json *j, struct resp *r);

/* Writes key: v, or null when v is NULL or "" (unknown). */
void	render_opt_str(struct json *, const char *key, const char *v);
/* Writes key: v when known is true, else null. */
void	render_opt_int(struct json *, const char *key, int64_t v,
	    int known);

/* Writes key: ms and isokey: "...Z" (with milliseconds), or null. */
void	render_time_ms(struct json *, const char *key, const char *isokey,
	    int64_t ms);
/* Writes key: s and isokey: "...Z"; null for both when s is 0. */
void	render_time_s(struct json *, const char *key, const char *isokey,
	    int64_t s);
/* Writes key: "YYYY-MM-DD" for a day number (null outside 0001..9999). */
void	render_day(struct json *, const char *key, int32_t day);
/* Writes key: [ids...]. */
void	render_idlist(struct json *, const char *key, const struct idlist *);

/* One object per entity, with key (NULL inside arrays). */
void	render_track(struct json *, const char *key, const struct track *);
void	render_artist(struct json *, const char *key, const struct artist *);
void	render_album(struct json *, const char *key, const struct album *);
/* The public face of a user: id, name, image, status, counts. */
void	render_user_public(struct json *, const char *key,
	    const struct user *);

/*
 * The journal's own records, one object each with key (NULL inside
 * arrays).  A play: played_at (ms and ISO), track_id, context_uri,
 * source, ms_played and previous_played_at (null when unknown).  A gap:
 * from, to (ms and ISO), reason, recorded_at (s and ISO).
 */
void	render_play(struct json *, const char *key, const struct play *);
void	render_gap(struct json *, const char *key, const struct gap *);

/* Enum words (schema.h's tables; "unknown" out of range). */
const char	*render_source(uint8_t);	/* enum play_source */
const char	*render_gap_reason(uint8_t);	/* enum gap_reason */
const char	*render_how(uint8_t);		/* enum playlist_how */
const char	*render_status(uint8_t);	/* enum user_status */
const char	*render_kind(int);		/* enum top_kind */
const char	*render_range(int);		/* enum top_range */

#endif
