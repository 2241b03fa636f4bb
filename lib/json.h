/*
 * json.h — the one small escaping JSON writer.
 *
 * Every JSON document linernotes produces (API responses, JSON Lines
 * exports) is written through these calls into a struct buf, never by
 * hand-built format strings.  The writer tracks nesting and commas; keys
 * and strings are escaped (control characters, quotes, backslashes, and
 * U+2028/U+2029 so the output is safe inside <script> too); invalid UTF-8
 * is replaced by U+FFFD so the output is always valid JSON.
 *
 * Inside an object every value call takes a key; inside an array (or at
 * the top level) key must be NULL.  Misuse (a key in an array, closing
 * what is not open, nesting deeper than JSON_DEPTH) sets j->err and the
 * writer ignores further calls; json_finish() reports it.
 *
 * Error convention: the value calls return nothing; json_finish() returns
 * 0 when the document is complete and well formed and memory sufficed,
 * else -1.
 */
#ifndef LN_JSON_H
#define LN_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_DEPTH 32

struct json {
	struct buf	*b;
	int		 depth;
	int		 err;
	uint8_t		 first[JSON_DEPTH];	/* no value written yet at depth */
	uint8_t		 is_obj[JSON_DEPTH];
};

/* Starts a document written into b (appended after b's contents). */
/*
 * The length (2..4) of the well-formed UTF-8 sequence at s (n >= 1 bytes
 * available, s[0] >= 0x80), or 0 when the bytes there are not one (RFC
 * 3629: no overlongs, no surrogates, nothing above U+10FFFF).  The JSON
 * writer's rule; the CSV export's too.
 */
size_t	json_utf8_len(const unsigned char *s, size_t n);

void	json_init(struct json *, struct buf *b);
void	json_obj_open(struct json *, const char *key);
void	json_obj_close(struct json *);
void	json_arr_open(struct json *, const char *key);
void	json_arr_close(struct json *);
/* A string value; NULL writes null. */
void	json_str(struct json *, const char *key, const char *s);
/* A string of len bytes (need not be NUL-terminated). */
void	json_strn(struct json *, const char *key, const char *s, size_t len);
void	json_int(struct json *, const char *key, int64_t v);
void	json_uint(struct json *, const char *key, uint64_t v);
/* A finite double with up to 6 significant decimals; NaN/inf write null. */
void	json_double(struct json *, const char *key, double v);
void	json_bool(struct json *, const char *key, int v);
void	json_null(struct json *, const char *key);
/* Already-rendered JSON (e.g. a cached entity) inserted as a value. */
void	json_raw(struct json *, const char *key, const char *raw, size_t len);
/*
 * Times, one way for every answer (timeutil.h): key: the number as
 * given, and isokey: its RFC 3339 UTC form ("...T...Z", with ms for
 * json_time_ms, without for json_time_s), or null outside the years
 * linernotes can date (TIME_MS_MIN..TIME_MS_MAX).
 */
void	json_time_ms(struct json *, const char *key, const char *isokey,
	    int64_t ms);
void	json_time_s(struct json *, const char *key, const char *isokey,
	    int64_t s);
/* key: "YYYY-MM-DD" of a day number, or null outside years 0001..9999. */
void	json_day(struct json *, const char *key, int64_t day);
/*
 * For a dedicated writer of a record an answer holds hundreds of (a play):
 * writes what goes before a value (the comma, the key) and returns the
 * buffer the caller then appends exactly one complete, valid JSON value to
 * by hand, with literals, json_put_int() and json_escape(); NULL when a
 * value is not allowed here (j->err is then set) or a call failed before.
 */
struct buf *json_value_buf(struct json *, const char *key);
/* Appends v in decimal to b (what json_int writes for the value). */
void	json_put_int(struct buf *b, int64_t v);
/* Appends the escaped form of s (without quotes) to b; for other writers. */
void	json_escape(struct buf *b, const char *s, size_t len);
/* The most bytes one byte of a string becomes escaped (\u00XX). */
#define JSON_ESCAPE_GROWTH	6
/*
 * Writes the escaped form of s (len bytes, without quotes) at w, which has
 * room for JSON_ESCAPE_GROWTH * len bytes; returns the bytes written.  For
 * a writer that has made the room for a whole record at once.
 */
size_t	json_escape_to(char *w, const char *s, size_t len);
/* Returns 0 when every container was closed and nothing failed, else -1. */
int	json_finish(struct json *);

#endif
