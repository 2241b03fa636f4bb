/*
 * text.h — byte-level text helpers shared by the parsers: hex digits and
 * UTF-8 encoding of one code point.
 *
 * The collector's import parser (JSON \u escapes, percent-encoded local
 * URIs), the reader's query-string decoder and the search folder each
 * need these; they live here once so every decoder agrees on them.  All
 * are ASCII-only and locale-independent.
 *
 * Error convention: text_hexval() returns a value or -1; the encoder
 * cannot fail.
 */
#ifndef LN_TEXT_H
#define LN_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The value 0..15 of the hex digit c ([0-9a-fA-F]), or -1. */
int	text_hexval(int c);

/*
 * Writes code point cp (at most 0x10FFFF; the caller has replaced
 * surrogates) as UTF-8 at w, which has room for 4 bytes.  Returns the
 * bytes written, 1..4.
 */
size_t	text_utf8_put(char *w, uint32_t cp);

#endif
