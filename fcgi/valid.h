/*
 * valid.h — small pure validators for everything a client sends.
 *
 * Each takes an untrusted NUL-terminated string and either stores a typed
 * value and returns 0, or returns -1 and leaves the output untouched.  None
 * allocates or keeps a pointer to its input.  Bounds are explicit in the
 * callers (route.c's key table), in the manner of kcgi's validators.
 */
#ifndef LN_VALID_H
#define LN_VALID_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "timeutil.h"

/* Largest ms cursor accepted: 9999-12-31T23:59:59.999Z (timeutil.h). */
#define VALID_MS_MAX	TIME_MS_MAX

/* A Spotify user id (1..USER_ID_MAX of [0-9A-Za-z._-]) into out. */
int	valid_user_id(const char *s, char out[USER_ID_MAX + 1]);
/* A track, artist, album or playlist id (or a synthetic '_' id) into out. */
int	valid_entity_id(const char *s, char out[ID_LEN + 1]);
/* A decimal integer in [min, max] (no sign but '-', no spaces) into *out. */
int	valid_int(const char *s, long long min, long long max, long long *out);
/* One of n words (exact match) into *out as its index. */
int	valid_word(const char *s, const char *const *words, int n, int *out);
/*
 * A list of 1..max entity ids separated by sep into ids[]; *n receives the
 * count.  Empty items are refused.
 */
int	valid_id_list(const char *s, char sep, char ids[][ID_LEN + 1],
	    int max, int *n);
/*
 * An opaque token (an authorization code, a state, an invitation code):
 * min..max bytes of [A-Za-z0-9._~+/=-], copied into out (outsz bytes,
 * which must hold max and the NUL).
 */
int	valid_token(const char *s, size_t min, size_t max, char *out,
	    size_t outsz);
/*
 * An OAuth error word ("access_denied"): 1..max bytes of [a-z_], copied
 * into out (outsz bytes, which must hold max and the NUL).
 */
int	valid_error_word(const char *s, size_t max, char *out, size_t outsz);
/*
 * A calendar date "YYYY-MM-DD" (years 0001..9999, a real day of that
 * month) into *out as days since 1970-01-01.
 */
int	valid_date(const char *s, int32_t *out);
/*
 * Whether a Content-Type header names media (e.g. "application/json"),
 * with optional parameters; only charset=utf-8 is accepted as one.
 */
int	valid_media_type(const char *s, const char *media);

#endif
