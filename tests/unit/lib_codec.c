/*
 * lib_codec.c — unit tests of lib/codec.c, the store's value encoding.
 *
 * Decoding tests copy every input into a heap block of exactly its size,
 * so under SANITIZE=1 a read one byte past the end is an ASan error, not
 * a silent pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "codec.h"
#include "schema.h"
#include "testutil.h"

/* A heap copy of exactly n bytes (n may be 0). */
static unsigned char *
exact(const void *p, size_t n)
{
	unsigned char *q = malloc(n > 0 ? n : 1);

	assert_non_null(q);
	if (n > 0)
		memcpy(q, p, n);
	return q;
}

/* Proves the byte layout is the documented big-endian one. */
static void
test_layout(void **state)
{
	static const unsigned char want[] = {
		0x7f,
		0x01, 0x02,
		0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0xff, 0xff, 0xff, 0xfe,
		0x80, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 2, 'a', 'b', 0,
		0, 0, 0, 0, 0,
	};
	struct buf b = BUF_INIT;
	struct enc e;

	(void)state;
	codec_enc_init(&e, &b);
	codec_put_u8(&e, 0x7f);
	codec_put_u16(&e, 0x0102);
	codec_put_u32(&e, 0x01020304);
	codec_put_u64(&e, UINT64_C(0x0102030405060708));
	codec_put_i32(&e, -2);
	codec_put_i64(&e, INT64_MIN);
	codec_put_str(&e, "ab");
	codec_put_str(&e, NULL);
	assert_int_equal(codec_enc_end(&e), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	buf_free(&b);
}

/* Proves every primitive round trips, extremes included. */
static void
test_round_trip(void **state)
{
	const char ids[] = "AAAAAAAAAAAAAAAAAAAAAA" "BBBBBBBBBBBBBBBBBBBBBB";
	struct idlist l = { ids, 2 }, l2, empty = { NULL, 0 };
	struct buf b = BUF_INIT;
	struct enc e;
	struct dec d;
	char id[ID_LEN + 1], small[8];
	unsigned char *p;
	const char *s;

	(void)state;
	codec_enc_init(&e, &b);
	codec_put_u8(&e, 255);
	codec_put_u16(&e, 65535);
	codec_put_u32(&e, UINT32_MAX);
	codec_put_u64(&e, UINT64_MAX);
	codec_put_i32(&e, INT32_MIN);
	codec_put_i32(&e, -1);
	codec_put_i64(&e, INT64_MIN);
	codec_put_i64(&e, INT64_MAX);
	codec_put_str(&e, "h\xc3\xa9llo");
	codec_put_strn(&e, "seven", sizeof(small));
	codec_put_id(&e, "CCCCCCCCCCCCCCCCCCCCCC");
	codec_put_idlist(&e, &l);
	codec_put_idlist(&e, &empty);
	assert_int_equal(codec_enc_end(&e), 0);

	p = exact(b.data, b.len);
	codec_dec_init(&d, p, b.len);
	assert_int_equal(codec_get_u8(&d), 255);
	assert_int_equal(codec_get_u16(&d), 65535);
	assert_int_equal(codec_get_u32(&d), UINT32_MAX);
	assert_true(codec_get_u64(&d) == UINT64_MAX);
	assert_int_equal(codec_get_i32(&d), INT32_MIN);
	assert_int_equal(codec_get_i32(&d), -1);
	assert_true(codec_get_i64(&d) == INT64_MIN);
	assert_true(codec_get_i64(&d) == INT64_MAX);
	s = codec_get_str(&d);
	assert_string_equal(s, "h\xc3\xa9llo");
	/* Zero copy: the string points into the decoded bytes. */
	assert_true(s > (const char *)p && s < (const char *)p + b.len);
	codec_get_strcpy(&d, small, sizeof(small));
	assert_string_equal(small, "seven");
	codec_get_id(&d, id);
	assert_string_equal(id, "CCCCCCCCCCCCCCCCCCCCCC");
	codec_get_idlist(&d, &l2);
	assert_int_equal(l2.n, 2);
	assert_memory_equal(l2.ids, ids, 2 * ID_LEN);
	codec_get_idlist(&d, &l2);
	assert_int_equal(l2.n, 0);
	assert_int_equal(codec_dec_end(&d), 0);
	free(p);
	buf_free(&b);
}

/* Proves the encoder refuses what it cannot represent faithfully. */
static void
test_enc_refuses(void **state)
{
	struct idlist bad = { NULL, 3 };
	struct buf b = BUF_INIT;
	struct enc e;
	char unterminated[4] = { 'a', 'b', 'c', 'd' };

	(void)state;
	codec_enc_init(&e, &b);
	codec_put_strn(&e, unterminated, sizeof(unterminated));
	assert_int_equal(codec_enc_end(&e), -1);
	codec_enc_init(&e, &b);
	assert_int_equal(codec_enc_end(&e), 0);	/* init clears */
	codec_put_id(&e, "short");
	assert_int_equal(codec_enc_end(&e), -1);
	codec_enc_init(&e, &b);
	codec_put_id(&e, "CCCCCCCCCCCCCCCCCCCCCCC");	/* 23 */
	assert_int_equal(codec_enc_end(&e), -1);
	codec_enc_init(&e, &b);
	codec_put_id(&e, NULL);
	assert_int_equal(codec_enc_end(&e), -1);
	codec_enc_init(&e, &b);
	codec_put_idlist(&e, &bad);
	assert_int_equal(codec_enc_end(&e), -1);
	buf_free(&b);
}

/*
 * Proves every truncation of a valid value, and a value with a byte too
 * many, fails to decode, without reading outside it.
 */
static void
test_truncations(void **state)
{
	const char ids[] = "AAAAAAAAAAAAAAAAAAAAAA";
	struct idlist l = { ids, 1 }, l2;
	struct buf b = BUF_INIT;
	struct enc e;
	struct dec d;
	char id[ID_LEN + 1], cp[16];
	unsigned char *p;
	size_t n;

	(void)state;
	codec_enc_init(&e, &b);
	codec_put_i64(&e, 7);
	codec_put_str(&e, "name");
	codec_put_id(&e, "CCCCCCCCCCCCCCCCCCCCCC");
	codec_put_idlist(&e, &l);
	codec_put_str(&e, "x");
	codec_put_u16(&e, 9);
	assert_int_equal(codec_enc_end(&e), 0);
	buf_putc(&b, 0);		/* one extra byte at index b.len - 1 */
	for (n = 0; n <= b.len; n++) {
		p = exact(b.data, n);
		codec_dec_init(&d, p, n);
		(void)codec_get_i64(&d);
		(void)codec_get_str(&d);
		codec_get_id(&d, id);
		codec_get_idlist(&d, &l2);
		codec_get_strcpy(&d, cp, sizeof(cp));
		(void)codec_get_u16(&d);
		/* Only the exact length decodes. */
		if (n == b.len - 1)
			assert_int_equal(codec_dec_end(&d), 0);
		else
			assert_int_equal(codec_dec_end(&d), -1);
		free(p);
	}
	buf_free(&b);
}

/* Proves hostile lengths are caught before any arithmetic can wrap. */
static void
test_hostile_lengths(void **state)
{
	static const unsigned char huge_str[] = { 0xff, 0xff, 0xff, 0xff, 'a',
	    0 };
	static const unsigned char no_nul[] = { 0, 0, 0, 1, 'a', 'b' };
	static const unsigned char huge_list[] = { 0xff, 0xff, 0xff, 0xff, 'A',
	    'A' };
	static const unsigned char list_one_short[] = { 0, 0, 0, 2,
	    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
	    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A' };
	static const unsigned char long_str[] = { 0, 0, 0, 5, 'a', 'b', 'c',
	    'd', 'e', 0 };
	struct idlist l;
	struct dec d;
	unsigned char *p;
	const char *s;
	char small[4];

	(void)state;
	p = exact(huge_str, sizeof(huge_str));
	codec_dec_init(&d, p, sizeof(huge_str));
	s = codec_get_str(&d);
	assert_string_equal(s, "");
	assert_int_equal(codec_dec_end(&d), -1);
	free(p);

	p = exact(no_nul, sizeof(no_nul));
	codec_dec_init(&d, p, sizeof(no_nul));
	(void)codec_get_str(&d);
	assert_int_equal(codec_dec_end(&d), -1);
	free(p);

	p = exact(huge_list, sizeof(huge_list));
	codec_dec_init(&d, p, sizeof(huge_list));
	codec_get_idlist(&d, &l);
	assert_int_equal(l.n, 0);
	assert_null(l.ids);
	assert_int_equal(codec_dec_end(&d), -1);
	free(p);

	p = exact(list_one_short, sizeof(list_one_short));
	codec_dec_init(&d, p, sizeof(list_one_short));
	codec_get_idlist(&d, &l);
	assert_int_equal(codec_dec_end(&d), -1);
	free(p);

	/* A string longer than the destination array is damage, not cut. */
	p = exact(long_str, sizeof(long_str));
	codec_dec_init(&d, p, sizeof(long_str));
	codec_get_strcpy(&d, small, sizeof(small));
	assert_string_equal(small, "");
	assert_int_equal(codec_dec_end(&d), -1);
	free(p);

	/* Sticky: after one failure everything reads as zero. */
	codec_dec_init(&d, NULL, 0);
	assert_int_equal(codec_get_u32(&d), 0);
	assert_int_equal(codec_get_u8(&d), 0);
	assert_int_equal(codec_dec_end(&d), -1);
}

/* Proves biased big-endian keys sort like the signed numbers they hold. */
static void
test_key_order(void **state)
{
	static const int64_t v64[] = { INT64_MIN, -INT64_C(2147483648001),
	    -86400000, -1, 0, 1, INT64_C(2147483647000),
	    INT64_C(2147483648000), INT64_C(4102444800000), INT64_MAX };
	static const int32_t v32[] = { INT32_MIN, -1, 0, 1, 20458, INT32_MAX };
	unsigned char a[8], b[8];
	size_t i;

	(void)state;
	for (i = 0; i + 1 < sizeof(v64) / sizeof(v64[0]); i++) {
		codec_be64_put(a, codec_bias64(v64[i]));
		codec_be64_put(b, codec_bias64(v64[i + 1]));
		assert_true(memcmp(a, b, 8) < 0);
		assert_true(codec_unbias64(codec_be64_get(a)) == v64[i]);
	}
	for (i = 0; i + 1 < sizeof(v32) / sizeof(v32[0]); i++) {
		codec_be32_put(a, codec_bias32(v32[i]));
		codec_be32_put(b, codec_bias32(v32[i + 1]));
		assert_true(memcmp(a, b, 4) < 0);
		assert_int_equal(codec_unbias32(codec_be32_get(a)), v32[i]);
	}
	assert_int_equal(codec_unbias32(codec_bias32(INT32_MAX)), INT32_MAX);
	assert_true(codec_unbias64(codec_bias64(INT64_MAX)) == INT64_MAX);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_layout),
	cmocka_unit_test(test_round_trip),
	cmocka_unit_test(test_enc_refuses),
	cmocka_unit_test(test_truncations),
	cmocka_unit_test(test_hostile_lengths),
	cmocka_unit_test(test_key_order),
)
