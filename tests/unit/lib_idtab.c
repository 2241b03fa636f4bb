/*
 * lib_idtab.c — unit tests of the id -> index map (lib/idtab.c).
 *
 * They prove that indices are dense and in order of first addition, that
 * every id is found again at its index after the table has doubled many
 * times, that ids differing in one byte anywhere (the first, a middle and
 * the last, which the hash reads through overlapping words) are told
 * apart, that a look-up without add neither finds nor adds an absent id,
 * that a table reserved small still takes any number of ids, and that a
 * freed table is empty and usable again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idtab.h"
#include "testutil.h"

/* The i-th test id: 22 characters, all sharing a long prefix. */
static void
make_id(uint32_t i, char out[ID_LEN + 1])
{
	(void)snprintf(out, ID_LEN + 1, "4uLU6hMCjMI75M1A2t%04X", i & 0xffff);
}

static void
test_dense_and_found(void **state)
{
	struct idtab t;
	char id[ID_LEN + 1], back[ID_LEN + 1];
	uint32_t i, idx;
	const uint32_t n = 50000;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "x%021u", i * 7919u);
		assert_int_equal(idtab_get(&t, id, 1, &idx), 0);
		assert_int_equal(idx, i);
	}
	assert_int_equal(t.n, n);
	for (i = 0; i < n; i++) {
		(void)snprintf(id, sizeof(id), "x%021u", i * 7919u);
		assert_int_equal(idtab_get(&t, id, 0, &idx), 1);
		assert_int_equal(idx, i);
		assert_int_equal(idtab_get_h(&t, id, idtab_hash(id), 1, &idx),
		    1);
		assert_int_equal(idx, i);
		idtab_copy(&t, idx, back);
		assert_string_equal(back, id);
	}
	idtab_free(&t);
}

static void
test_one_byte_apart(void **state)
{
	struct idtab t;
	char id[ID_LEN + 1], other[ID_LEN + 1];
	const int pos[] = { 0, 7, 8, 13, 14, 15, ID_LEN - 1 };
	uint32_t idx, first;
	size_t k;

	(void)state;
	memset(&t, 0, sizeof(t));
	make_id(1, id);
	assert_int_equal(idtab_get(&t, id, 1, &first), 0);
	for (k = 0; k < sizeof(pos) / sizeof(pos[0]); k++) {
		memcpy(other, id, sizeof(id));
		other[pos[k]] = other[pos[k]] == 'z' ? 'y' : 'z';
		assert_true(idtab_hash(other) != idtab_hash(id));
		assert_int_equal(idtab_get(&t, other, 0, &idx), -1);
		assert_int_equal(idtab_get(&t, other, 1, &idx), 0);
		assert_int_equal(idx, k + 1);
	}
	assert_int_equal(idtab_get(&t, id, 0, &idx), 1);
	assert_int_equal(idx, first);
	idtab_free(&t);
}

static void
test_absent_and_free(void **state)
{
	struct idtab t;
	char id[ID_LEN + 1];
	uint32_t idx = 77;

	(void)state;
	memset(&t, 0, sizeof(t));
	make_id(5, id);
	/* Not added, *idx untouched, even on an empty table. */
	assert_int_equal(idtab_get(&t, id, 0, &idx), -1);
	assert_int_equal(idx, 77);
	assert_int_equal(t.n, 0);
	/* Ids need no NUL: a longer string is read for ID_LEN bytes. */
	assert_int_equal(idtab_get(&t, "4uLU6hMCjMI75M1A2t0005-and-more", 1,
	    &idx), 0);
	assert_int_equal(idtab_get(&t, id, 0, &idx), 1);
	assert_int_equal(idx, 0);
	idtab_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.slot);
	assert_int_equal(idtab_get(&t, id, 0, &idx), -1);
	assert_int_equal(idtab_get(&t, id, 1, &idx), 0);
	assert_int_equal(idx, 0);
	idtab_free(&t);
}

static void
test_reserve(void **state)
{
	struct idtab t;
	char id[ID_LEN + 1];
	uint32_t i, idx;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(idtab_reserve(&t, 3), 0);
	assert_int_equal(t.nslot, 16);
	/* Not resized once in use. */
	assert_int_equal(idtab_reserve(&t, 100000), 0);
	assert_int_equal(t.nslot, 16);
	for (i = 0; i < 1000; i++) {
		make_id(i, id);
		assert_int_equal(idtab_get(&t, id, 1, &idx), 0);
		assert_int_equal(idx, i);
	}
	assert_true(t.nslot >= 1024);
	for (i = 0; i < 1000; i++) {
		make_id(i, id);
		assert_int_equal(idtab_get(&t, id, 0, &idx), 1);
		assert_int_equal(idx, i);
	}
	idtab_free(&t);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_dense_and_found),
	cmocka_unit_test(test_one_byte_apart),
	cmocka_unit_test(test_absent_and_free),
	cmocka_unit_test(test_reserve),
)
