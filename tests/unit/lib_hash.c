/*
 * lib_hash.c — unit tests of the shared hashes (lib/hash.c).
 *
 * They prove that hash_bytes() tells apart what an ETag must: every one-bit
 * change of a body at every position and in every length around the
 * 32-byte step, bodies that differ only in length, and the order of the
 * parts a batch answer's ETag is combined from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"
#include "testutil.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* No two of the n hashes in h are equal. */
static void
assert_distinct(uint64_t *h, size_t n)
{
	size_t i;

	qsort(h, n, sizeof(*h), cmp_u64);
	for (i = 1; i < n; i++)
		assert_true(h[i - 1] != h[i]);
}

/* The body and each of its one-bit changes hash apart, for 1..100 bytes. */
static void
test_bit_flips(void **state)
{
	static uint64_t h[1 + 100 * 8];
	unsigned char b[100];
	size_t len, i, n;
	int bit;

	(void)state;
	for (len = 1; len <= sizeof(b); len++) {
		for (i = 0; i < len; i++)
			b[i] = (unsigned char)('a' + i % 26);
		n = 0;
		h[n++] = hash_bytes(b, len);
		for (i = 0; i < len; i++)
			for (bit = 0; bit < 8; bit++) {
				b[i] ^= (unsigned char)(1 << bit);
				h[n++] = hash_bytes(b, len);
				b[i] ^= (unsigned char)(1 << bit);
			}
		assert_distinct(h, n);
	}
}

/* Runs of zero bytes of every length up to 200 hash apart (and from "") . */
static void
test_lengths(void **state)
{
	static const unsigned char zero[200];
	uint64_t h[sizeof(zero) + 1];
	size_t len;

	(void)state;
	for (len = 0; len <= sizeof(zero); len++)
		h[len] = hash_bytes(zero, len);
	assert_distinct(h, sizeof(h) / sizeof(h[0]));
}

/* Combining is order-sensitive and repeatable. */
static void
test_combine(void **state)
{
	uint64_t a = hash_bytes("a", 1), b = hash_bytes("b", 1);
	uint64_t start = hash_bytes("tracks", 6);

	(void)state;
	assert_true(hash_combine(hash_combine(start, a), b) !=
	    hash_combine(hash_combine(start, b), a));
	assert_true(hash_combine(hash_combine(start, a), a) !=
	    hash_combine(start, a));
	assert_true(hash_combine(start, a) == hash_combine(start, a));
	assert_true(hash_combine(hash_bytes("artists", 7), a) !=
	    hash_combine(start, a));
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_bit_flips),
	cmocka_unit_test(test_lengths),
	cmocka_unit_test(test_combine),
)
