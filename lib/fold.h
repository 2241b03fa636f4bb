/*
 * fold.h — case and diacritic folding of UTF-8 names, for search.
 *
 * fold_name() turns a name into the form the search index stores and a
 * query is compared in: letters lower-cased with full case folding,
 * diacritics removed ("Björk" -> "bjork", "Sigur Rós" -> "sigur ros",
 * "ΣΊΓΜΑ" -> "σιγμα", "ЁЛКА" -> "елка"), runs of white space (ASCII
 * and U+00A0; control characters too) turned into one space and trimmed at both ends.  Latin
 * (with Latin Extended A, B and Additional), Greek (with Greek Extended)
 * and Cyrillic are folded from a table generated from Unicode's
 * decompositions (tests/tools/fold-table.py); combining marks
 * U+0300..U+036F are dropped, so decomposed input folds as composed
 * input does; every other code point is kept as it is.  Bytes that are
 * not well-formed UTF-8 (a stray continuation byte, an overlong or
 * truncated sequence, a surrogate) are replaced by U+FFFD, so the output
 * is always valid UTF-8.
 *
 * Error convention: fold_name() returns the output's length, or -1 when
 * it did not fit in outsz bytes (out then holds a truncated but valid
 * prefix, NUL-terminated when outsz > 0).
 */
#ifndef LN_FOLD_H
#define LN_FOLD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Folds the len bytes at s into out (outsz bytes, NUL-terminated).  A
 * folded name is never more than three times as long as its input
 * (U+FFFD for a single bad byte), so 3 * len + 1 bytes always suffice.
 */
ssize_t	fold_name(const char *s, size_t len, char *out, size_t outsz);

/*
 * Whether s (len bytes) holds a control character (C0, DEL or C1) or is
 * not well-formed UTF-8: what a search query must not.  1 or 0.
 */
int	fold_has_control(const char *s, size_t len);

#endif
