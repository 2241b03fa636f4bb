/*
 * lib_text.c — unit tests of lib/text.c: hex digits and UTF-8 encoding,
 * the pieces every decoder (import JSON, local URIs, query strings,
 * search folding) shares, and the decimal digits the writers share.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "text.h"

/* Proves every hex digit in either case has its value, nothing else one. */
static void
test_hexval(void **state)
{
	int c;

	(void)state;
	for (c = 0; c < 256; c++)
		assert_int_equal(text_hexval(c), !isxdigit(c) ? -1 :
		    isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	assert_int_equal(text_hexval(-1), -1);
	assert_int_equal(text_hexval('F'), 15);
}

/* Code points at each UTF-8 length boundary and their RFC 3629 bytes. */
static const struct {
	uint32_t	 cp;
	const char	*utf8;
} utf8_cases[] = {
	{ 0x41, "A" }, { 0x7F, "\x7f" },
	{ 0x80, "\xc2\x80" }, { 0xE9, "\xc3\xa9" }, { 0x7FF, "\xdf\xbf" },
	{ 0x800, "\xe0\xa0\x80" }, { 0xFFFD, "\xef\xbf\xbd" },
	{ 0x10000, "\xf0\x90\x80\x80" }, { 0x10FFFF, "\xf4\x8f\xbf\xbf" },
};

/* Proves each boundary code point encodes to its bytes and length. */
static void
test_utf8_put(void **state)
{
	char b[4];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		n = strlen(utf8_cases[i].utf8);
		assert_int_equal(text_utf8_put(b, utf8_cases[i].cp), n);
		assert_memory_equal(b, utf8_cases[i].utf8, n);
	}
}

/*
 * Proves integers come out as printf writes them: 0..99 999, both sides of
 * every power of ten (the digit pairs' edges), both signs, and the ends
 * of both types; nothing is written past the digits.
 */
static void
test_put_digits(void **state)
{
	char got[24], want[24];
	uint64_t p;
	int64_t v;
	size_t n;
	int k;

	(void)state;
	for (v = 0; v < 100000; v++) {
		n = text_put_i64(got, v);
		assert_int_equal(n, (size_t)snprintf(want, sizeof(want),
		    "%" PRId64, v));
		assert_memory_equal(got, want, n);
	}
	for (p = 1, k = 0; k < 20; k++, p *= 10) {
		for (v = -1; v <= 1; v++) {
			memset(got, 'x', sizeof(got));
			n = text_put_u64(got, p + (uint64_t)v);
			snprintf(want, sizeof(want), "%" PRIu64, p + (uint64_t)v);
			assert_int_equal(n, strlen(want));
			assert_memory_equal(got, want, n);
			assert_int_equal(got[n], 'x');
			if (p > INT64_MAX)
				continue;
			n = text_put_i64(got, -(int64_t)p - v);
			snprintf(want, sizeof(want), "%" PRId64, -(int64_t)p - v);
			assert_int_equal(n, strlen(want));
			assert_memory_equal(got, want, n);
		}
	}
	assert_int_equal(text_put_u64(got, UINT64_MAX), 20);
	assert_memory_equal(got, "18446744073709551615", 20);
	assert_int_equal(text_put_i64(got, INT64_MIN), 20);
	assert_memory_equal(got, "-9223372036854775808", 20);
	assert_int_equal(text_put_i64(got, INT64_MAX), 19);
	assert_memory_equal(got, "9223372036854775807", 19);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_hexval),
	cmocka_unit_test(test_utf8_put),
	cmocka_unit_test(test_put_digits),
)
