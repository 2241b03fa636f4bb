/*
 * lib_jbody.c — unit tests of the strict body parser (lib/jbody.c).
 *
 * They prove that a well-formed body parses (whitespace after it
 * included), and that each thing cJSON alone lets through is refused with
 * no tree left: text after the value, a \u0000 escape (in a value or a
 * key, while an escaped backslash before "u0000" is fine), a NUL byte,
 * and a key given twice, at the top or nested, spelt the same or escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jbody.h"
#include "testutil.h"

/* Parses s; returns jbody_parse()'s result, checking the tree matches. */
static int
parse(const char *s, size_t len)
{
	const char *msg = NULL;
	cJSON *root = (cJSON *)1;
	int rc;

	rc = jbody_parse(s, len, &root, &msg);
	if (rc == 0) {
		assert_non_null(root);
		cJSON_Delete(root);
	} else {
		assert_null(root);
		assert_non_null(msg);
	}
	return rc;
}

/* A body of len bytes, NULs inside or at the end included. */
struct body {
	const char	*s;
	size_t		 len;
};

#define B(s)	{ (s), sizeof(s) - 1 }

static const struct body good[] = {
	B("{\"ids\":[\"a\",\"b\"]}"),
	B("{\"ids\":[\"a\"]} \r\n\t"),
	B("{\"visibility\":\"public\"}"),
	B("{\"a\":{\"x\":1},\"b\":{\"x\":2}}"),
	B("{\"s\":\"back\\\\u0000slash\"}"),
	B("{\"s\":\"\\u0001\"}"),
	B("[{\"a\":1},{\"a\":1}]"),
};

static const struct body trailing[] = {
	B("{\"ids\":[\"a\"]} xyz"),
	B("{\"ids\":[\"a\"]}{}"),
	B("{} 1"),
	B(""),
	B("{"),
};

static const struct body nul[] = {
	B("{\"visibility\":\"public\\u0000x\"}"),
	B("{\"vis\\u0000x\":\"public\"}"),
	B("[\"\\u0000\"]"),
	B("{\"visibility\":\"public\0x\"}"),
	B("{\"a\":1}\0"),
};

static const struct body dupkey[] = {
	B("{\"ids\":[\"a\"],\"ids\":[\"b\"]}"),
	B("{\"a\":1,\"b\":2,\"a\":3}"),
	B("{\"o\":{\"x\":1,\"x\":2}}"),
	B("[1,{\"x\":1,\"x\":2}]"),
	B("{\"a\":1,\"\\u0061\":2}"),
};

/* Asserts each of the n bodies of v parses (want 0) or is refused (-1). */
static void
assert_bodies(const struct body *v, size_t n, int want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (parse(v[i].s, v[i].len) != want)
			fail_msg("body %zu: want %d", i, want);
}

static void
test_good(void **state)
{
	(void)state;
	assert_bodies(good, TU_NITEMS(good), 0);
}

static void
test_trailing(void **state)
{
	(void)state;
	assert_bodies(trailing, TU_NITEMS(trailing), -1);
}

static void
test_nul(void **state)
{
	(void)state;
	assert_bodies(nul, TU_NITEMS(nul), -1);
}

static void
test_dup(void **state)
{
	(void)state;
	assert_bodies(dupkey, TU_NITEMS(dupkey), -1);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_good),
	cmocka_unit_test(test_trailing),
	cmocka_unit_test(test_nul),
	cmocka_unit_test(test_dup),
)
