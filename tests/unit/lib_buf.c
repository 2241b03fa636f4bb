/*
 * lib_buf.c — unit tests of lib/buf.c, the growable byte buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "testutil.h"

/* Proves appends accumulate in order and stay NUL-terminated. */
static void
test_append(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_putc(&b, '-'), 0);
	assert_int_equal(buf_add(&b, "xyz", 2), 0);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abc-xy");
	assert_int_equal(buf_add(&b, NULL, 0), 0);	/* nothing, no crash */
	assert_int_equal(b.len, 6);
	/* Binary data with NULs is kept; the terminator follows it. */
	assert_int_equal(buf_add(&b, "\0\1", 2), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data + 6, "\0\1\0", 3);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

/* Proves growth past the first capacity keeps every byte. */
static void
test_growth(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	for (i = 0; i < 100000; i++)
		assert_int_equal(b.data[i], (char)('a' + i % 26));
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);
}

/* Proves printf formatting, including output longer than the buffer. */
static void
test_printf(void **state)
{
	struct buf b = BUF_INIT;
	char big[1000];

	(void)state;
	assert_int_equal(buf_printf(&b, "%d-%s-%zu", 42, "x", (size_t)7), 0);
	assert_string_equal(b.data, "42-x-7");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 6 + 2 + 999);
	assert_int_equal(b.data[7], 'q');
	assert_int_equal(b.data[b.len - 1], ']');
	buf_free(&b);
}

/* Proves reset empties but keeps memory, and clears the oom flag. */
static void
test_reset(void **state)
{
	struct buf b = BUF_INIT;
	char *p;

	(void)state;
	buf_reset(&b);			/* on an empty buffer: harmless */
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	p = b.data;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, p);
	assert_string_equal(b.data, "");
	b.oom = 1;
	buf_reset(&b);
	assert_int_equal(b.oom, 0);
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

/* Proves an impossible size fails, sets oom, and is sticky. */
static void
test_oom_sticky(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "ok"), 0);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -1);
	assert_int_equal(b.oom, 1);
	/* Unchanged, and later appends do nothing. */
	assert_string_equal(b.data, "ok");
	assert_int_equal(buf_puts(&b, "more"), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(b.len, 2);
	assert_string_equal(b.data, "ok");
	buf_free(&b);
	assert_int_equal(b.oom, 0);
}

/*
 * Proves an array grows from its first size by doubling, keeps what it
 * held, zero-fills the rest, and refuses a size that cannot be counted.
 */
static void
test_grow_array(void **state)
{
	uint32_t *a = NULL;
	size_t cap = 0, i;

	(void)state;
	assert_int_equal(buf_grow_array(&a, &cap, 1, sizeof(*a), 4), 0);
	assert_int_equal(cap, 4);
	for (i = 0; i < cap; i++)
		assert_int_equal(a[i], 0);
	a[3] = 7;
	assert_int_equal(buf_grow_array(&a, &cap, 4, sizeof(*a), 4), 0);
	assert_int_equal(cap, 4);		/* room already */
	assert_int_equal(buf_grow_array(&a, &cap, 9, sizeof(*a), 4), 0);
	assert_int_equal(cap, 16);
	assert_int_equal(a[3], 7);
	for (i = 4; i < cap; i++)
		assert_int_equal(a[i], 0);
	assert_int_equal(buf_grow_array(&a, &cap, SIZE_MAX, sizeof(*a), 4),
	    -1);
	assert_int_equal(cap, 16);
	assert_int_equal(a[3], 7);
	free(a);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_append),
	cmocka_unit_test(test_growth),
	cmocka_unit_test(test_printf),
	cmocka_unit_test(test_reset),
	cmocka_unit_test(test_oom_sticky),
	cmocka_unit_test(test_grow_array),
)
