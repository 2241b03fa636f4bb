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

#define P(s)	parse((s), sizeof(s) - 1)

static void
test_good(void **state)
{
	(void)state;
	assert_int_equal(P("{\"ids\":[\"a\",\"b\"]}"), 0);
	assert_int_equal(P("{\"ids\":[\"a\"]} \r\n\t"), 0);
	assert_int_equal(P("{\"visibility\":\"public\"}"), 0);
	assert_int_equal(P("{\"a\":{\"x\":1},\"b\":{\"x\":2}}"), 0);
	assert_int_equal(P("{\"s\":\"back\\\\u0000slash\"}"), 0);
	assert_int_equal(P("{\"s\":\"\\u0001\"}"), 0);
	assert_int_equal(P("[{\"a\":1},{\"a\":1}]"), 0);
}

static void
test_trailing(void **state)
{
	(void)state;
	assert_int_equal(P("{\"ids\":[\"a\"]} xyz"), -1);
	assert_int_equal(P("{\"ids\":[\"a\"]}{}"), -1);
	assert_int_equal(P("{} 1"), -1);
	assert_int_equal(P(""), -1);
	assert_int_equal(P("{"), -1);
}

static void
test_nul(void **state)
{
	(void)state;
	assert_int_equal(P("{\"visibility\":\"public\\u0000x\"}"), -1);
	assert_int_equal(P("{\"vis\\u0000x\":\"public\"}"), -1);
	assert_int_equal(P("[\"\\u0000\"]"), -1);
	assert_int_equal(P("{\"visibility\":\"public\0x\"}"), -1);
	assert_int_equal(P("{\"a\":1}\0"), -1);
}

static void
test_dup(void **state)
{
	(void)state;
	assert_int_equal(P("{\"ids\":[\"a\"],\"ids\":[\"b\"]}"), -1);
	assert_int_equal(P("{\"a\":1,\"b\":2,\"a\":3}"), -1);
	assert_int_equal(P("{\"o\":{\"x\":1,\"x\":2}}"), -1);
	assert_int_equal(P("[1,{\"x\":1,\"x\":2}]"), -1);
	assert_int_equal(P("{\"a\":1,\"\\u0061\":2}"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
