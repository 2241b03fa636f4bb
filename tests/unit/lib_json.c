/*
 * lib_json.c — unit tests of the JSON writer (lib/json.c).
 *
 * They prove that every byte that JSON or JavaScript cannot carry raw is
 * escaped, that invalid UTF-8 always becomes U+FFFD (so output is valid
 * JSON whatever the input), that commas and nesting come out right, and
 * that every misuse is caught by json_finish() instead of producing a
 * broken document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "testutil.h"

/* The escaped form of len bytes of s. */
static char *
esc(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	json_escape(b, s, len);
	assert_false(b->oom);
	return b->data;
}

/* A document being written: the fixture of the document tests. */
struct doc {
	struct buf	b;
	struct json	j;
};

/* Begins an empty document into a buffer of its own. */
static int
doc_setup(void **state)
{
	struct doc *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	json_init(&d->j, &d->b);
	*state = d;
	return 0;
}

static int
doc_teardown(void **state)
{
	struct doc *d = *state;

	buf_free(&d->b);
	free(d);
	return 0;
}

/* Ends the document d wrote and checks it is want. */
static void
assert_doc(struct doc *d, const char *want)
{
	assert_int_equal(json_finish(&d->j), 0);
	assert_string_equal(d->b.data, want);
}

static void
test_escape_control_chars(void **state)
{
	static const char *shortform[0x20] = {
		['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n",
		['\r'] = "\\r", ['\t'] = "\\t",
	};
	struct buf b = BUF_INIT;
	char in[1], want[8];
	int c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		in[0] = (char)c;
		if (shortform[c] != NULL)
			strlcpy(want, shortform[c], sizeof(want));
		else
			snprintf(want, sizeof(want), "\\u%04x", c);
		assert_string_equal(esc(&b, in, 1), want);
	}
	in[0] = 0x7f;
	assert_string_equal(esc(&b, in, 1), "\\u007f");
	buf_free(&b);
}

/* A text of len bytes (NULs inside included) and its escaped form. */
struct esc_case {
	const char	*in;
	size_t		 len;
	const char	*want;
};

#define E(in, want)	{ (in), sizeof(in) - 1, (want) }

/* Quotes and backslashes are escaped, the slash is not. */
static const struct esc_case quotes[] = {
	E("a\"b\\c/d", "a\\\"b\\\\c/d"),
	E("", ""),
	E("plain text 123", "plain text 123"),
};

/* A NUL inside the text is escaped, not the end. */
static const struct esc_case nul_inside[] = {
	E("a\0b", "a\\u0000b"),
};

/* U+2028 and U+2029, which JavaScript cannot carry raw, are escaped. */
static const struct esc_case separators[] = {
	E("x\xe2\x80\xa8y\xe2\x80\xa9z", "x\\u2028y\\u2029z"),
	/* Their neighbours U+2027 and U+202A pass as they are. */
	E("\xe2\x80\xa7\xe2\x80\xaa", "\xe2\x80\xa7\xe2\x80\xaa"),
	/* A separator right after other multi-byte text. */
	E("\xc3\xa9\xe2\x80\xa8\xc3\xa9", "\xc3\xa9\\u2028\xc3\xa9"),
};

/* A table of cases, the state of test_escapes(). */
struct esc_table {
	const struct esc_case	*v;
	size_t			 n;
};

#define ESC_TABLE(t)	(&(struct esc_table){ (t), TU_NITEMS(t) })

/* Proves each text of the table in *state escapes to its form. */
static void
test_escapes(void **state)
{
	const struct esc_table *t = *state;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < t->n; i++)
		assert_string_equal(esc(&b, t->v[i].in, t->v[i].len),
		    t->v[i].want);
	buf_free(&b);
}

static void
test_valid_utf8_passes(void **state)
{
	/* é, €, 𝄞, Москва, 東京 */
	static const char *ok[] = {
		"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e",
		"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
		"\xe6\x9d\xb1\xe4\xba\xac", "\xf4\x8f\xbf\xbf",
		"\xed\x9f\xbf",
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_string_equal(esc(&b, ok[i], strlen(ok[i])), ok[i]);
	buf_free(&b);
}

static void
test_invalid_utf8_replaced(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "a\x80z", "a\xef\xbf\xbdz" },			/* lone continuation */
		{ "\xc3", "\xef\xbf\xbd" },			/* truncated at end */
		{ "\xc3(", "\xef\xbf\xbd(" },			/* bad continuation */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong / */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf5", "\xef\xbf\xbd" },
		{ "\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x80", "\xef\xbf\xbd\xef\xbf\xbd" },	/* cut U+2028 */
		{ "\xf0\x9d\x84", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "ok\xc3\xa9\x80\xc3\xa9", "ok\xc3\xa9\xef\xbf\xbd\xc3\xa9" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(esc(&b, cases[i].in, strlen(cases[i].in)),
		    cases[i].want);
	buf_free(&b);
}

static void
test_document_nesting(void **state)
{
	struct doc *d = *state;

	json_obj_open(&d->j, NULL);
	json_str(&d->j, "name", "Bob \"Dylan\"");
	json_arr_open(&d->j, "ids");
	json_str(&d->j, NULL, "a");
	json_str(&d->j, NULL, "b");
	json_arr_open(&d->j, NULL);
	json_arr_close(&d->j);
	json_obj_open(&d->j, NULL);
	json_obj_close(&d->j);
	json_arr_close(&d->j);
	json_obj_open(&d->j, "empty");
	json_obj_close(&d->j);
	json_str(&d->j, "none", NULL);
	json_null(&d->j, "n");
	json_bool(&d->j, "t", 1);
	json_bool(&d->j, "f", 0);
	json_obj_close(&d->j);
	assert_doc(d, "{\"name\":\"Bob \\\"Dylan\\\"\","
	    "\"ids\":[\"a\",\"b\",[],{}],\"empty\":{},\"none\":null,"
	    "\"n\":null,\"t\":true,\"f\":false}");
}

static void
test_keys_escaped(void **state)
{
	struct doc *d = *state;

	json_obj_open(&d->j, NULL);
	json_int(&d->j, "a\"\n\xff", 1);
	json_obj_close(&d->j);
	assert_doc(d, "{\"a\\\"\\n\xef\xbf\xbd\":1}");
}

static void
test_appends_after_existing(void **state)
{
	struct doc *d = *state;

	buf_puts(&d->b, "prefix ");
	json_init(&d->j, &d->b);
	json_arr_open(&d->j, NULL);
	json_int(&d->j, NULL, 1);
	json_arr_close(&d->j);
	assert_doc(d, "prefix [1]");
}

static void
test_numbers(void **state)
{
	struct doc *d = *state;

	json_arr_open(&d->j, NULL);
	json_int(&d->j, NULL, 0);
	json_int(&d->j, NULL, -1);
	json_int(&d->j, NULL, INT64_MAX);
	json_int(&d->j, NULL, INT64_MIN);
	json_uint(&d->j, NULL, UINT64_MAX);
	json_uint(&d->j, NULL, 1541203200000ULL);
	json_double(&d->j, NULL, 0.5);
	json_double(&d->j, NULL, -2.25);
	json_double(&d->j, NULL, 1.0 / 3.0);
	json_double(&d->j, NULL, 1e21);
	json_double(&d->j, NULL, NAN);
	json_double(&d->j, NULL, INFINITY);
	json_double(&d->j, NULL, -INFINITY);
	json_double(&d->j, NULL, 0.0);
	json_arr_close(&d->j);
	assert_doc(d, "[0,-1,9223372036854775807,"
	    "-9223372036854775808,18446744073709551615,1541203200000,"
	    "0.5,-2.25,0.333333,1e+21,null,null,null,0]");
}

static void
test_raw_values(void **state)
{
	struct doc *d = *state;

	json_obj_open(&d->j, NULL);
	json_raw(&d->j, "track", "{\"id\":\"x\"}", 10);
	json_raw(&d->j, "part", "[1,2]xyz", 5);
	json_raw(&d->j, "none", NULL, 0);
	json_arr_open(&d->j, "list");
	json_raw(&d->j, NULL, "1", 1);
	json_raw(&d->j, NULL, "2", 1);
	json_arr_close(&d->j);
	json_obj_close(&d->j);
	assert_doc(d, "{\"track\":{\"id\":\"x\"},\"part\":[1,2],"
	    "\"none\":null,\"list\":[1,2]}");
}

static void
test_strn_not_terminated(void **state)
{
	struct doc *d = *state;

	json_strn(&d->j, NULL, "abcdef", 3);
	assert_doc(d, "\"abc\"");
}

static void
test_deep_nesting_limit(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;
	int i;

	(void)state;
	/* JSON_DEPTH - 1 nested arrays are fine... */
	json_init(&j, &b);
	for (i = 0; i < JSON_DEPTH - 1; i++)
		json_arr_open(&j, NULL);
	for (i = 0; i < JSON_DEPTH - 1; i++)
		json_arr_close(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_int_equal(b.len, 2 * (JSON_DEPTH - 1));
	/* ...one more is an error, and nothing closes it again. */
	buf_reset(&b);
	json_init(&j, &b);
	for (i = 0; i < JSON_DEPTH; i++)
		json_arr_open(&j, NULL);
	for (i = 0; i < JSON_DEPTH; i++)
		json_arr_close(&j);
	assert_int_equal(json_finish(&j), -1);
	buf_free(&b);
}

/* Each misuse leaves json_finish() failing. */
static void
test_misuse(void **state)
{
	enum { KEY_IN_ARRAY, NO_KEY_IN_OBJECT, CLOSE_WRONG, CLOSE_TOP,
	    UNCLOSED, TWO_TOP, KEY_AT_TOP, NOTHING, M__MAX };
	struct buf b = BUF_INIT;
	struct json j;
	int m;

	(void)state;
	for (m = 0; m < M__MAX; m++) {
		buf_reset(&b);
		json_init(&j, &b);
		switch (m) {
		case KEY_IN_ARRAY:
			json_arr_open(&j, NULL);
			json_int(&j, "k", 1);
			json_arr_close(&j);
			break;
		case NO_KEY_IN_OBJECT:
			json_obj_open(&j, NULL);
			json_int(&j, NULL, 1);
			json_obj_close(&j);
			break;
		case CLOSE_WRONG:
			json_obj_open(&j, NULL);
			json_arr_close(&j);
			json_obj_close(&j);
			break;
		case CLOSE_TOP:
			json_obj_close(&j);
			break;
		case UNCLOSED:
			json_obj_open(&j, NULL);
			json_arr_open(&j, "a");
			json_arr_close(&j);
			break;
		case TWO_TOP:
			json_int(&j, NULL, 1);
			json_int(&j, NULL, 2);
			break;
		case KEY_AT_TOP:
			json_int(&j, "k", 1);
			break;
		case NOTHING:
			break;
		}
		assert_int_equal(json_finish(&j), -1);
	}
	/* After an error, further calls write nothing. */
	buf_reset(&b);
	json_init(&j, &b);
	json_arr_open(&j, NULL);
	json_int(&j, "k", 1);
	json_int(&j, NULL, 2);
	json_arr_close(&j);
	assert_string_equal(b.data, "[");
	assert_int_equal(json_finish(&j), -1);
	buf_free(&b);
}

/* A long mixed string escapes the same in one call as piece by piece. */
static void
test_escape_long_runs(void **state)
{
	struct buf b = BUF_INIT, want = BUF_INIT;
	char in[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)"abc\"d\\\n\xc3\xa9 \x01xyz"[i % 15];
	json_escape(&b, in, sizeof(in));
	for (i = 0; i < sizeof(in); i++) {
		/* é is two bytes: feed whole sequences. */
		if ((unsigned char)in[i] == 0xc3 && i + 1 < sizeof(in)) {
			json_escape(&want, in + i, 2);
			i++;
		} else
			json_escape(&want, in + i, 1);
	}
	assert_false(b.oom);
	assert_int_equal(b.len, want.len);
	assert_memory_equal(b.data, want.data, b.len);
	buf_free(&b);
	buf_free(&want);
}

/*
 * Every byte value, at every offset of runs of plain letters of every
 * length up to 24, escapes exactly as it does on its own: the
 * eight-bytes-at-a-time scan (and its last word, which overlaps the one
 * before when the length is not a multiple of eight) must stop at each
 * byte the byte table would stop at (a letter escapes as itself, so the
 * expected output is the prefix, the lone byte's escape, and the suffix).
 */
static void
test_escape_word_scan(void **state)
{
	struct buf got = BUF_INIT, one = BUF_INIT;
	char in[24];
	size_t at, len;
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		buf_reset(&one);
		in[0] = (char)c;
		json_escape(&one, in, 1);
		for (len = 1; len <= sizeof(in); len++)
			for (at = 0; at < len; at++) {
				memset(in, 'a', sizeof(in));
				in[at] = (char)c;
				buf_reset(&got);
				json_escape(&got, in, len);
				assert_false(got.oom);
				assert_int_equal(got.len, len - 1 + one.len);
				assert_memory_equal(got.data, in, at);
				assert_memory_equal(got.data + at, one.data,
				    one.len);
				assert_memory_equal(got.data + at + one.len,
				    in + at + 1, len - at - 1);
			}
	}
	buf_free(&got);
	buf_free(&one);
}

/*
 * Integers as printf writes them, for every value up to 100 000 and
 * around every power of ten (the digit pairs' edges), both signs.
 */
static void
test_integers_as_printf(void **state)
{
	struct buf b = BUF_INIT;
	char want[32];
	int64_t v, p;
	int k, sign;

	(void)state;
	for (v = 0; v <= 100000; v++) {
		buf_reset(&b);
		json_put_int(&b, v);
		snprintf(want, sizeof(want), "%lld", (long long)v);
		assert_string_equal(b.data, want);
	}
	/* Around every power of ten up to 10^18 (the last one int64_t holds). */
	for (p = 1, k = 0; k < 19; k++) {
		for (v = p - 2; v <= p + 2; v++)
			for (sign = -1; sign <= 1; sign += 2) {
				buf_reset(&b);
				json_put_int(&b, sign * v);
				snprintf(want, sizeof(want), "%lld",
				    (long long)(sign * v));
				assert_string_equal(b.data, want);
			}
		if (k < 18)
			p *= 10;
	}
	/* The ends, INT64_MIN's magnitude not an int64_t. */
	for (v = INT64_MAX, k = 0; k < 2; k++, v = INT64_MIN) {
		buf_reset(&b);
		json_put_int(&b, v);
		snprintf(want, sizeof(want), "%lld", (long long)v);
		assert_string_equal(b.data, want);
	}
	buf_free(&b);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_escape_control_chars),
	cmocka_unit_test(test_escape_word_scan),
	{ "test_escape_quotes_backslash", test_escapes, NULL, NULL,
	    ESC_TABLE(quotes) },
	{ "test_escape_nul_inside", test_escapes, NULL, NULL,
	    ESC_TABLE(nul_inside) },
	{ "test_escape_line_separators", test_escapes, NULL, NULL,
	    ESC_TABLE(separators) },
	cmocka_unit_test(test_valid_utf8_passes),
	cmocka_unit_test(test_invalid_utf8_replaced),
	cmocka_unit_test_setup_teardown(test_document_nesting, doc_setup,
	    doc_teardown),
	cmocka_unit_test_setup_teardown(test_keys_escaped, doc_setup,
	    doc_teardown),
	cmocka_unit_test_setup_teardown(test_appends_after_existing, doc_setup,
	    doc_teardown),
	cmocka_unit_test_setup_teardown(test_numbers, doc_setup,
	    doc_teardown),
	cmocka_unit_test(test_integers_as_printf),
	cmocka_unit_test_setup_teardown(test_raw_values, doc_setup,
	    doc_teardown),
	cmocka_unit_test_setup_teardown(test_strn_not_terminated, doc_setup,
	    doc_teardown),
	cmocka_unit_test(test_deep_nesting_limit),
	cmocka_unit_test(test_misuse),
	cmocka_unit_test(test_escape_long_runs),
)
