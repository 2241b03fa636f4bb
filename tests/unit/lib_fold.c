/*
 * lib_fold.c — unit tests of lib/fold.c: the folding the search index and
 * its queries share.
 *
 * Besides the names the search must find ("bjork" finds "Björk"), it
 * proves properties over every row of the generated table and over
 * random bytes: folding is idempotent, never yields an ASCII capital or
 * a combining mark, always yields well-formed UTF-8, and the composed
 * and decomposed spellings of a name fold alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fold.h"
#include "testutil.h"

static const char *
F(const char *s)
{
	static char out[512];

	assert_true(fold_name(s, strlen(s), out, sizeof(out)) >= 0);
	return out;
}

/* A name and its folded form. */
struct foldcase {
	const char	*in;
	const char	*want;
};

static const struct foldcase names[] = {
	{ "Björk", "bjork" },
	{ "BJÖRK", "bjork" },
	{ "Sigur Rós", "sigur ros" },
	{ "ΣΊΓΜΑ", "σιγμα" },
	{ "σίγμας", "σιγμασ" },	/* final sigma */
	{ "Ёлка", "елка" },
	{ "КИНО", "кино" },
	{ "Mötley Crüe", "motley crue" },
	{ "Straße", "strasse" },
	{ "Øystein Łukasz Æsop", "oystein lukasz aesop" },
	{ "Ç'est Ça", "c'est ca" },
	{ "Việt Nam", "viet nam" },
	{ "  a \t\n b  ", "a b" },
	{ "a\xc2\xa0" "b", "a b" },	/* no-break space */
	{ "", "" },
	{ "日本 ABC", "日本 abc" },	/* kept, but ASCII */
};

static const struct foldcase decomposed[] = {
	{ "Bjo\xcc\x88rk", "bjork" },
	{ "Ro\xcc\x81s", "ros" },
	{ "\xce\x99\xcc\x81", "ι" },
};

static const struct foldcase bad_utf8[] = {
	{ "a\x80" "b", "a\xef\xbf\xbd" "b" },
	{ "\xc3", "\xef\xbf\xbd" },
	{ "\xed\xa0\x80",				/* a surrogate */
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
};

/* Asserts each of the n names of v folds to its form. */
static void
assert_folds(const struct foldcase *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_string_equal(F(v[i].in), v[i].want);
}

/* Proves the names of the issue fold as a person types them. */
static void
test_names(void **state)
{
	(void)state;
	assert_folds(names, TU_NITEMS(names));
}

/* Proves decomposed input (NFD) folds like composed input. */
static void
test_decomposed(void **state)
{
	(void)state;
	assert_folds(decomposed, TU_NITEMS(decomposed));
}

/* Proves ill-formed bytes become U+FFFD and the output stays UTF-8. */
static void
test_bad_utf8(void **state)
{
	(void)state;
	assert_folds(bad_utf8, TU_NITEMS(bad_utf8));
}

/* Proves an output that does not fit is refused, the prefix valid. */
static void
test_too_small(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(fold_name("Björk", 6, out, sizeof(out)), -1);
	assert_string_equal(out, "bjo");
	assert_int_equal(fold_name("ab", 2, out, 0), -1);
	assert_int_equal(fold_name("abc", 3, out, sizeof(out)), 3);
}

/* Proves the control check: C0, DEL, C1 and ill-formed bytes. */
static void
test_control(void **state)
{
	(void)state;
	assert_false(fold_has_control("Sigur Rós", 10));
	assert_false(fold_has_control("\xef\xbf\xbd", 3));
	assert_true(fold_has_control("a\tb", 3));
	assert_true(fold_has_control("a\x7f", 2));
	assert_true(fold_has_control("a\xc2\x85", 3));	/* NEL */
	assert_true(fold_has_control("a\x80", 2));
}

/* 1 when s (NUL-terminated) is well-formed UTF-8 (the naive check). */
static int
utf8_ok(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		n = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC2 ? 2 : 0;
		if (n == 0 || *s > 0xF4)
			return 0;
		c = *s & (0x3F >> (n - 1));
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (s[i] & 0x3F);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		    (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		s += n;
	}
	return 1;
}

/* The properties every folded string has. */
static void
check_folded(const char *in, size_t len)
{
	char a[1024], b[1024];
	ssize_t n;
	size_t i;

	assert_true((n = fold_name(in, len, a, sizeof(a))) >= 0);
	assert_int_equal((size_t)n, strlen(a));
	assert_true((size_t)n <= 3 * len);
	assert_true(utf8_ok((const unsigned char *)a));
	for (i = 0; a[i] != '\0'; i++) {
		assert_false(a[i] >= 'A' && a[i] <= 'Z');
		/* U+0300..U+036F are CC 80..CD AF */
		assert_false((unsigned char)a[i] == 0xCC);
		assert_false((unsigned char)a[i] == 0xCD &&
		    (unsigned char)a[i + 1] <= 0xAF);
	}
	assert_true(fold_name(a, (size_t)n, b, sizeof(b)) == n);
	assert_string_equal(a, b);
}

/* Proves the properties over every code point of the folded blocks. */
static void
test_blocks(void **state)
{
	static const uint32_t ranges[][2] = {
		{ 0x20, 0x7E }, { 0xA0, 0x24F }, { 0x370, 0x4FF },
		{ 0x1E00, 0x1FFF },
	};
	unsigned char s[8];
	uint32_t cp;
	size_t r, n;

	(void)state;
	for (r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++)
		for (cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
			if (cp < 0x80) {
				s[0] = (unsigned char)cp;
				n = 1;
			} else if (cp < 0x800) {
				s[0] = (unsigned char)(0xC0 | (cp >> 6));
				s[1] = (unsigned char)(0x80 | (cp & 0x3F));
				n = 2;
			} else {
				s[0] = (unsigned char)(0xE0 | (cp >> 12));
				s[1] = (unsigned char)(0x80 |
				    ((cp >> 6) & 0x3F));
				s[2] = (unsigned char)(0x80 | (cp & 0x3F));
				n = 3;
			}
			check_folded((const char *)s, n);
		}
}

/* Proves the properties over random bytes (seeded, repeatable). */
static void
test_random(void **state)
{
	char s[64];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int i, k, len;

	(void)state;
	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = (int)(x % sizeof(s));
		for (k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s[k] = (char)(x >> 24);
		}
		check_folded(s, (size_t)len);
	}
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_names),
	cmocka_unit_test(test_decomposed),
	cmocka_unit_test(test_bad_utf8),
	cmocka_unit_test(test_too_small),
	cmocka_unit_test(test_control),
	cmocka_unit_test(test_blocks),
	cmocka_unit_test(test_random),
)
