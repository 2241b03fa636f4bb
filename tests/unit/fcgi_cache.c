/*
 * fcgi_cache.c — unit tests of the entity cache's bookkeeping
 * (fcgi/cache.c).
 *
 * They prove that both bounds hold (entries and bytes) with the least
 * recently used entry going first, that a lookup refreshes recency, that
 * kinds do not collide, that forgetting and flushing drop exactly what
 * they should, that an entry larger than the byte bound is not kept, that
 * a zero-entry cache is disabled, and that many entries (table growth)
 * stay reachable.  The change-log sync is proven end to end by the
 * integration tests (a renamed track shows its new name), its protocol
 * by lib_changelog.c; here, that a store error during a sync flushes the
 * cache and the next sync starts afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"
#include "schema.h"
#include "testutil.h"

/* A 22-character id from a number. */
static const char *
id(int n)
{
	static char out[ID_LEN + 1];

	snprintf(out, sizeof(out), "%022d", n);
	return out;
}

static int
has(struct cache *c, enum entity_kind k, int n, const char *want)
{
	const char *raw;
	uint64_t tag;
	size_t len;

	if (cache_get(c, k, id(n), &raw, &len, &tag) == -1)
		return 0;
	if (want != NULL) {
		assert_int_equal(len, strlen(want));
		assert_memory_equal(raw, want, len);
	}
	return 1;
}

static void
test_entries_bound_lru(void **state)
{
	struct cache *c = cache_new(3, 1 << 20);
	struct cache_stats st;

	(void)state;
	cache_put(c, ENTITY_TRACK, id(1), "{\"a\":1}", 7, 0);
	cache_put(c, ENTITY_TRACK, id(2), "{\"a\":2}", 7, 0);
	cache_put(c, ENTITY_TRACK, id(3), "{\"a\":3}", 7, 0);
	assert_true(has(c, ENTITY_TRACK, 1, "{\"a\":1}"));	/* 1 is recent */
	cache_put(c, ENTITY_TRACK, id(4), "{\"a\":4}", 7, 0);	/* evicts 2 */
	assert_false(has(c, ENTITY_TRACK, 2, NULL));
	assert_true(has(c, ENTITY_TRACK, 1, NULL));
	assert_true(has(c, ENTITY_TRACK, 3, NULL));
	assert_true(has(c, ENTITY_TRACK, 4, NULL));
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.hits, 4);
	assert_int_equal(st.misses, 1);
	cache_free(c);
}

static void
test_bytes_bound(void **state)
{
	char big[1000];
	struct cache *c = cache_new(1000, 2500);
	struct cache_stats st;
	int i;

	(void)state;
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 10; i++)
		cache_put(c, ENTITY_ALBUM, id(i), big, sizeof(big), 0);
	cache_get_stats(c, &st);
	assert_true(st.bytes <= 2500);
	assert_int_equal(st.entries, 2);
	assert_true(has(c, ENTITY_ALBUM, 9, NULL));
	assert_true(has(c, ENTITY_ALBUM, 8, NULL));
	assert_false(has(c, ENTITY_ALBUM, 7, NULL));
	/* Larger than the whole bound: not kept, nothing evicted for it. */
	cache_put(c, ENTITY_ALBUM, id(99), big, 2600, 0);
	assert_false(has(c, ENTITY_ALBUM, 99, NULL));
	assert_true(has(c, ENTITY_ALBUM, 9, NULL));
	cache_free(c);
}

static void
test_kinds_forget_flush(void **state)
{
	struct cache *c = cache_new(100, 1 << 20);
	struct cache_stats st;

	(void)state;
	cache_put(c, ENTITY_TRACK, id(5), "\"t\"", 3, 0);
	cache_put(c, ENTITY_ARTIST, id(5), "\"r\"", 3, 0);
	cache_put(c, ENTITY_ALBUM, id(5), "null", 4, 0);
	assert_true(has(c, ENTITY_TRACK, 5, "\"t\""));
	assert_true(has(c, ENTITY_ARTIST, 5, "\"r\""));
	assert_true(has(c, ENTITY_ALBUM, 5, "null"));
	/* Replacing keeps one entry. */
	cache_put(c, ENTITY_TRACK, id(5), "\"t2\"", 4, 0);
	assert_true(has(c, ENTITY_TRACK, 5, "\"t2\""));
	cache_forget(c, ENTITY_ARTIST, id(5));
	assert_false(has(c, ENTITY_ARTIST, 5, NULL));
	assert_true(has(c, ENTITY_TRACK, 5, NULL));
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.invalidations, 1);
	cache_flush(c);
	assert_false(has(c, ENTITY_TRACK, 5, NULL));
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	cache_free(c);
}

static void
test_disabled(void **state)
{
	struct cache *c = cache_new(0, 1 << 20);
	struct cache_stats st;

	(void)state;
	cache_put(c, ENTITY_TRACK, id(1), "{}", 2, 0);
	assert_false(has(c, ENTITY_TRACK, 1, NULL));
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.misses, 1);
	cache_free(c);
}

static void
test_many(void **state)
{
	struct cache *c = cache_new(50000, 64 << 20);
	char v[32];
	int i, n;

	(void)state;
	for (i = 0; i < 20000; i++) {
		n = snprintf(v, sizeof(v), "%d", i);
		cache_put(c, i % 2 ? ENTITY_TRACK : ENTITY_ARTIST, id(i), v,
		    (size_t)n, 0);
	}
	for (i = 0; i < 20000; i++) {
		snprintf(v, sizeof(v), "%d", i);
		assert_true(has(c, i % 2 ? ENTITY_TRACK : ENTITY_ARTIST, i, v));
	}
	cache_free(c);
}

/* Proves the tag put with an entity comes back with it, and a put again
 * replaces both. */
static void
test_tag(void **state)
{
	struct cache *c = cache_new(10, 1 << 20);
	const char *raw;
	uint64_t tag;
	size_t len;

	(void)state;
	cache_put(c, ENTITY_TRACK, id(1), "{\"a\":1}", 7, 0x1234);
	assert_int_equal(cache_get(c, ENTITY_TRACK, id(1), &raw, &len, &tag),
	    0);
	assert_int_equal(tag, 0x1234);
	cache_put(c, ENTITY_TRACK, id(1), "{\"a\":22}", 8, UINT64_MAX);
	assert_int_equal(cache_get(c, ENTITY_TRACK, id(1), &raw, &len, &tag),
	    0);
	assert_int_equal(len, 8);
	assert_memory_equal(raw, "{\"a\":22}", 8);
	assert_true(tag == UINT64_MAX);
	cache_free(c);
}

/* In a new read of rd: c syncs, keeps a track put, and syncs again. */
static void
sync_keeps_put(struct cache *c, struct store_txn *rd)
{
	assert_int_equal(store_read_begin(rd), STORE_OK);
	assert_int_equal(cache_sync(c, rd), 0);
	cache_put(c, ENTITY_TRACK, id(1), "{\"a\":1}", 7, 0);
	assert_int_equal(cache_sync(c, rd), 0);
	assert_true(has(c, ENTITY_TRACK, 1, NULL));
}

static void
test_sync_store_error(void **state)
{
	struct tu_fx *fx;
	struct store_txn *rd;
	struct cache *c = cache_new(10, 1 << 20);
	struct cache_stats st;

	assert_int_equal(tu_fx_setup(state, "fcgi_cache"), 0);
	fx = *state;
	assert_non_null(rd = store_reader(fx->st));
	sync_keeps_put(c, rd);
	/* The store fails (the transaction has ended): all is dropped. */
	store_read_end(rd);
	assert_int_equal(cache_sync(c, rd), -1);
	cache_get_stats(c, &st);
	assert_int_equal(st.entries, 0);
	/* The next sync starts afresh and keeps what is put after it. */
	sync_keeps_put(c, rd);
	store_read_end(rd);
	store_reader_free(rd);
	cache_free(c);
	assert_int_equal(tu_fx_teardown(state), 0);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_entries_bound_lru),
	cmocka_unit_test(test_bytes_bound),
	cmocka_unit_test(test_kinds_forget_flush),
	cmocka_unit_test(test_disabled),
	cmocka_unit_test(test_many),
	cmocka_unit_test(test_tag),
	cmocka_unit_test(test_sync_store_error),
)
