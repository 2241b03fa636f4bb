/*
 * text.h — byte-level text helpers shared by the parsers and the writers:
 * hex digits, UTF-8 encoding of one code point, decimal digits.
 *
 * The collector's import parser (JSON \u escapes, percent-encoded local
 * URIs), the reader's query-string decoder and the search folder each
 * need the first two; the JSON writer and the time formatter the last
 * (two digits at a time, from one table).  They live here once so every
 * decoder and writer agrees on them.  All are ASCII-only and
 * locale-independent.
 *
 * Error convention: text_hexval() returns a value or -1; the encoder
 * cannot fail.
 */
#ifndef LN_TEXT_H
#define LN_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The value 0..15 of the hex digit c ([0-9a-fA-F]), or -1. */
int	text_hexval(int c);

/*
 * Writes code point cp (at most 0x10FFFF; the caller has replaced
 * surrogates) as UTF-8 at w, which has room for 4 bytes.  Returns the
 * bytes written, 1..4.
 */
size_t	text_utf8_put(char *w, uint32_t cp);

/* "00" "01" ... "99": the two decimal digits of 0..99, at 2 * v. */
extern const char text_pairs[201];

/* Writes v, 0..99, as two decimal digits at w. */
static inline void
text_put2(char *w, unsigned v)
{
	memcpy(w, text_pairs + 2 * v, 2);
}

/*
 * Writes v in decimal at w, which has room for 20 bytes (21 for
 * text_put_i64: a '-' first when v < 0).  Returns the bytes written; no
 * NUL.
 */
size_t	text_put_u64(char *w, uint64_t v);
size_t	text_put_i64(char *w, int64_t v);

#endif
