/*
 * fold.c — case and diacritic folding of UTF-8 (contract: fold.h).
 *
 * A small UTF-8 decoder hands each code point to fold_one(): ASCII is
 * lower-cased in place, combining marks vanish, and the code points of
 * the Latin, Greek and Cyrillic blocks are looked up by binary search in
 * fold_rows[] (fold_table.h, generated), whose rows give the folded
 * form as UTF-8.  Everything else is copied.  White space is collapsed
 * afterwards, while writing, so "A  Á" and "a a" fold alike; control
 * characters (NUL included) count as white space.
 */
#include <stdint.h>
#include <string.h>

#include "fold.h"
#include "text.h"

struct fold_row {
	uint32_t	 cp;
	const char	*to;	/* UTF-8 */
};

#include "fold_table.h"

#define FOLD_ROWS	(sizeof(fold_rows) / sizeof(fold_rows[0]))
#define REPLACEMENT	0xFFFDu

/*
 * Decodes one code point at s (n > 0 bytes left) into *cp; returns the
 * bytes used (1 for an ill-formed sequence, *cp then U+FFFD).
 */
static size_t
fold_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		*cp = REPLACEMENT;
		return 1;
	}
	if (n < len) {
		*cp = REPLACEMENT;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = REPLACEMENT;
		return 1;
	}
	*cp = c;
	return len;
}

/* The table's folded form of cp, or NULL when cp folds to itself. */
static const char *
fold_lookup(uint32_t cp)
{
	size_t lo = 0, hi = FOLD_ROWS, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fold_rows[mid].cp == cp)
			return fold_rows[mid].to;
		if (fold_rows[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
fold_is_space(uint32_t cp)
{
	return cp <= ' ' || cp == 0x7F || cp == 0xA0;
}

ssize_t
fold_name(const char *s, size_t len, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *to;
	char enc[4];
	size_t i = 0, o = 0, n, tl;
	uint32_t cp;
	int space = 0;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	while (i < len) {
		i += fold_decode(p + i, len - i, &cp);
		if (fold_is_space(cp)) {
			space = o > 0;
			continue;
		}
		if (cp >= 0x300 && cp <= 0x36F)
			continue;	/* a combining mark */
		if (cp >= 'A' && cp <= 'Z') {
			enc[0] = (char)(cp + 32);
			to = enc;
			tl = 1;
		} else if (cp < 0x80) {
			enc[0] = (char)cp;
			to = enc;
			tl = 1;
		} else if ((to = fold_lookup(cp)) != NULL)
			tl = strlen(to);
		else {
			tl = text_utf8_put(enc, cp);
			to = enc;
		}
		n = tl + (space ? 1 : 0);
		if (o + n + 1 > outsz)
			return -1;
		if (space)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, to, tl);
		o += tl;
		out[o] = '\0';
	}
	return (ssize_t)o;
}

int
fold_has_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = fold_decode(p + i, len - i, &cp);
		if (cp == REPLACEMENT && n == 1)
			return 1;	/* ill-formed (U+FFFD itself is 3 bytes) */
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			return 1;
		i += n;
	}
	return 0;
}
