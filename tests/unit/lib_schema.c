/*
 * lib_schema.c — unit tests of lib/schema.c: the words of the enums.
 *
 * The API, the exports and the collector's commands all print these
 * words and the API parses kind and range back, so each table must name
 * every value, with distinct words, and an out-of-range value must read
 * "unknown" rather than run off the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema.h"
#include "testutil.h"

static void
check_table(const char *const *words, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		assert_non_null(words[i]);
		assert_true(words[i][0] != '\0');
		assert_string_equal(schema_word(words, n, (unsigned)i), words[i]);
		for (k = 0; k < i; k++)
			assert_string_not_equal(words[k], words[i]);
	}
	assert_string_equal(schema_word(words, n, (unsigned)n), "unknown");
	assert_string_equal(schema_word(words, n, 255), "unknown");
}

/* Proves every table names every value of its enum, once each. */
static void
test_tables_complete(void **state)
{
	(void)state;
	check_table(schema_sources, SOURCE__MAX);
	check_table(schema_hows, PLAYLIST__MAX);
	check_table(schema_kinds, TOP_KIND__MAX);
	check_table(schema_ranges, RANGE__MAX);
	check_table(schema_gap_reasons, GAP__MAX);
	check_table(schema_statuses, USER_STATUS__MAX);
}

/* Proves the words are the documented ones (docs/API.md, docs/EXPORT.md). */
static void
test_words(void **state)
{
	(void)state;
	assert_string_equal(SCHEMA_WORD(schema_ranges, RANGE_MEDIUM),
	    "medium_term");
	assert_string_equal(SCHEMA_WORD(schema_sources, SOURCE_ACCOUNT),
	    "account");
	assert_string_equal(SCHEMA_WORD(schema_hows, PLAYLIST_HEARD), "heard");
	assert_string_equal(SCHEMA_WORD(schema_statuses, USER_REAUTH), "reauth");
	assert_string_equal(SCHEMA_WORD(schema_gap_reasons, GAP__MAX),
	    "unknown");
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_tables_complete),
	cmocka_unit_test(test_words),
)
