/*
 * fcgi_valid.c — unit tests of the reader's validators (fcgi/valid.c).
 *
 * They prove that each validator takes exactly what it should and leaves
 * its output untouched otherwise: numbers within bounds and nothing else
 * (no blanks, no '+', no trailing bytes, no overflow), ids of the exact
 * length and charset, id lists with no empty item and at most max items,
 * and JSON media types with only a UTF-8 charset parameter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "valid.h"
#include "testutil.h"

static void
test_int_bounds(void **state)
{
	long long v = 42;

	(void)state;
	assert_int_equal(valid_int("1", 1, 200, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(valid_int("200", 1, 200, &v), 0);
	assert_int_equal(v, 200);
	v = 42;
	assert_int_equal(valid_int("0", 1, 200, &v), -1);
	assert_int_equal(valid_int("201", 1, 200, &v), -1);
	assert_int_equal(valid_int("-1", 1, 200, &v), -1);
	assert_int_equal(v, 42);
}

static void
test_int_garbage(void **state)
{
	static const char *bad[] = {
		"", " 5", "+5", "5 ", "5x", "0x10", "1e3", "١",
		"99999999999999999999999999", "--1", "5\n",
	};
	long long v = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(valid_int(bad[i], -1000, 1000, &v), -1);
		assert_int_equal(v, 7);
	}
	assert_int_equal(valid_int("253402300799999", 0, VALID_MS_MAX, &v), 0);
	assert_int_equal(valid_int("253402300800000", 0, VALID_MS_MAX, &v), -1);
}

/* An id and what its validator returns: 0 with it copied, or -1. */
struct idin {
	const char	*in;
	int		 rc;
};

static const struct idin user_ids[] = {
	{ "alice", 0 }, { "a.b-c_d9", 0 }, { "x", 0 }, { "", -1 },
	{ "a/b", -1 }, { "a b", -1 }, { "al%69ce", -1 }, { "\xc3\xa4", -1 },
};

static const struct idin entity_ids[] = {
	{ "4iV5W9uYEdYUVa79Axb7Rh", 0 },
	{ "_iV5W9uYEdYUVa79Axb7Rh", 0 },
	{ "4iV5W9uYEdYUVa79Axb7R", -1 },
	{ "4iV5W9uYEdYUVa79Axb7Rhh", -1 },
	{ "4iV5W9uYEdYUVa79Axb7R!", -1 },
	{ "4iV5W9uYEdYU_a79Axb7Rh", -1 },
};

/* Asserts valid copies each good id of the n of v, leaves out else. */
static void
assert_ids(int (*valid)(const char *, char *), const struct idin *v,
    size_t n)
{
	char out[USER_ID_MAX + 1];
	size_t i;

	for (i = 0; i < n; i++) {
		strlcpy(out, "untouched", sizeof(out));
		assert_int_equal(valid(v[i].in, out), v[i].rc);
		assert_string_equal(out, v[i].rc == 0 ? v[i].in : "untouched");
	}
}

/* Proves the user and entity id validators on their cases. */
static void
test_ids(void **state)
{
	(void)state;
	assert_ids(valid_user_id, user_ids, TU_NITEMS(user_ids));
	assert_ids(valid_entity_id, entity_ids, TU_NITEMS(entity_ids));
}

/* Proves a user id is at most USER_ID_MAX long. */
static void
test_user_id_length(void **state)
{
	char out[USER_ID_MAX + 1] = "untouched";
	char longid[USER_ID_MAX + 2];

	(void)state;
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(valid_user_id(longid, out), -1);
	assert_string_equal(out, "untouched");
	longid[USER_ID_MAX] = '\0';
	assert_int_equal(valid_user_id(longid, out), 0);
	assert_string_equal(out, longid);
}

static void
test_id_list(void **state)
{
	char ids[3][ID_LEN + 1];
	int n = -1;

	(void)state;
	assert_int_equal(valid_id_list("4iV5W9uYEdYUVa79Axb7Rh", ',', ids, 3,
	    &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(valid_id_list("4iV5W9uYEdYUVa79Axb7Rh,"
	    "1301WleyT98MSxVHPZCA6M,4iV5W9uYEdYUVa79Axb7Rh", ',', ids, 3, &n),
	    0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[1], "1301WleyT98MSxVHPZCA6M");
	n = -1;
	/* Four items where three are allowed, empty items, a trailing comma. */
	assert_int_equal(valid_id_list("4iV5W9uYEdYUVa79Axb7Rh,"
	    "1301WleyT98MSxVHPZCA6M,4iV5W9uYEdYUVa79Axb7Rh,"
	    "4iV5W9uYEdYUVa79Axb7Rh", ',', ids, 3, &n), -1);
	assert_int_equal(valid_id_list("", ',', ids, 3, &n), -1);
	assert_int_equal(valid_id_list("4iV5W9uYEdYUVa79Axb7Rh,", ',', ids, 3,
	    &n), -1);
	assert_int_equal(valid_id_list(",4iV5W9uYEdYUVa79Axb7Rh", ',', ids, 3,
	    &n), -1);
	assert_int_equal(n, -1);
}

static void
test_word(void **state)
{
	static const char *const words[] = { "tracks", "artists" };
	int v = 9;

	(void)state;
	assert_int_equal(valid_word("artists", words, 2, &v), 0);
	assert_int_equal(v, 1);
	v = 9;
	assert_int_equal(valid_word("Artists", words, 2, &v), -1);
	assert_int_equal(valid_word("artist", words, 2, &v), -1);
	assert_int_equal(valid_word("", words, 2, &v), -1);
	assert_int_equal(v, 9);
}

/*
 * Proves an OAuth error word is 1..max of [a-z_], copied whole, and that
 * anything else (upper case, digits, blanks, a quote, empty, one byte too
 * long, a buffer too small) is refused with out untouched.
 */
static void
test_error_word(void **state)
{
	char big[64], out[8];

	(void)state;
	assert_int_equal(valid_error_word("access_denied", 63, big,
	    sizeof(big)), 0);
	assert_string_equal(big, "access_denied");
	assert_int_equal(valid_error_word("a_b", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "a_b");
	assert_int_equal(valid_error_word("abcdefg", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "abcdefg");
	strlcpy(out, "kept", sizeof(out));
	assert_int_equal(valid_error_word("abcdefgh", 7, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("abcdefgh", 8, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("", 7, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("Denied", 7, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("e1", 7, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("a b", 7, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("a\"", 7, out, sizeof(out)), -1);
	assert_int_equal(valid_error_word("a-b", 7, out, sizeof(out)), -1);
	assert_string_equal(out, "kept");
}

static void
test_media_type(void **state)
{
	(void)state;
	assert_true(valid_media_type("application/json", "application/json"));
	assert_true(valid_media_type("Application/JSON; charset=UTF-8",
	    "application/json"));
	assert_true(valid_media_type("application/json;charset=utf-8",
	    "application/json"));
	assert_false(valid_media_type("", "application/json"));
	assert_false(valid_media_type("text/plain", "application/json"));
	assert_false(valid_media_type("application/jsonx", "application/json"));
	assert_false(valid_media_type("application/json; charset=latin1",
	    "application/json"));
	assert_false(valid_media_type("application/x-www-form-urlencoded",
	    "application/json"));
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_int_bounds),
	cmocka_unit_test(test_int_garbage),
	cmocka_unit_test(test_ids),
	cmocka_unit_test(test_user_id_length),
	cmocka_unit_test(test_id_list),
	cmocka_unit_test(test_word),
	cmocka_unit_test(test_error_word),
	cmocka_unit_test(test_media_type),
)
