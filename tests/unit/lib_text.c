/*
 * lib_text.c — unit tests of lib/text.c: hex digits and UTF-8 encoding,
 * the pieces every decoder (import JSON, local URIs, query strings,
 * search folding) shares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "text.h"

/* Proves every hex digit in either case has its value and nothing else has one. */
static void
test_hexval(void **state)
{
	int c, n = 0;

	(void)state;
	assert_int_equal(text_hexval('0'), 0);
	assert_int_equal(text_hexval('9'), 9);
	assert_int_equal(text_hexval('a'), 10);
	assert_int_equal(text_hexval('F'), 15);
	for (c = -1; c < 256; c++)
		if (text_hexval(c) != -1)
			n++;
	assert_int_equal(n, 22);
	assert_int_equal(text_hexval('g'), -1);
	assert_int_equal(text_hexval('G'), -1);
	assert_int_equal(text_hexval('/'), -1);
	assert_int_equal(text_hexval(':'), -1);
}

/* Proves each UTF-8 length boundary encodes as RFC 3629 says. */
static void
test_utf8_put(void **state)
{
	char b[4];

	(void)state;
	assert_int_equal(text_utf8_put(b, 0x41), 1);
	assert_memory_equal(b, "A", 1);
	assert_int_equal(text_utf8_put(b, 0x7F), 1);
	assert_int_equal(text_utf8_put(b, 0x80), 2);
	assert_memory_equal(b, "\xc2\x80", 2);
	assert_int_equal(text_utf8_put(b, 0xE9), 2);
	assert_memory_equal(b, "\xc3\xa9", 2);
	assert_int_equal(text_utf8_put(b, 0x7FF), 2);
	assert_memory_equal(b, "\xdf\xbf", 2);
	assert_int_equal(text_utf8_put(b, 0x800), 3);
	assert_memory_equal(b, "\xe0\xa0\x80", 3);
	assert_int_equal(text_utf8_put(b, 0xFFFD), 3);
	assert_memory_equal(b, "\xef\xbf\xbd", 3);
	assert_int_equal(text_utf8_put(b, 0x10000), 4);
	assert_memory_equal(b, "\xf0\x90\x80\x80", 4);
	assert_int_equal(text_utf8_put(b, 0x10FFFF), 4);
	assert_memory_equal(b, "\xf4\x8f\xbf\xbf", 4);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_hexval),
	cmocka_unit_test(test_utf8_put),
)
