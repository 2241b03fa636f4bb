/*
 * lib_text.c — unit tests of lib/text.c: hex digits and UTF-8 encoding,
 * the pieces every decoder (import JSON, local URIs, query strings,
 * search folding) shares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdint.h>
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

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_hexval),
	cmocka_unit_test(test_utf8_put),
)
