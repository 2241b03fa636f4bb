/*
 * buf.h — a growable byte buffer, and how arrays of records grow.
 *
 * The one way linernotes builds strings and bodies of unknown length
 * (JSON responses, export rows, encoded LMDB values); buf_grow_array()
 * is the one way an array of records grows (doubling, zero-filled).
 * The buffer owns its memory; buf_free() releases it.  data is always
 * NUL-terminated after len bytes (the NUL is not counted), so a buffer
 * can be read as a string.
 *
 * Error convention: 0 on success, -1 when memory ran out (errno set); after
 * a failure the buffer is unchanged but sticky: b->oom stays set and later
 * appends do nothing, so a writer may check once at the end.
 */
#ifndef LN_BUF_H
#define LN_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* Makes room for at least n more bytes.  Returns 0 or -1. */
int	buf_reserve(struct buf *, size_t n);
/*
 * Appends n bytes / a string / one byte.  Return 0 or -1.  buf_add and
 * buf_putc are inline: a JSON response is hundreds of small appends, and
 * when the buffer has room (nearly always) each is a copy and a store;
 * only growth goes through buf_reserve().
 */
static inline int	buf_add(struct buf *, const void *p, size_t n);
int	buf_puts(struct buf *, const char *s);
static inline int	buf_putc(struct buf *, char c);
/* Appends printf-formatted text.  Returns 0 or -1. */
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *, const char *, va_list);
/* Forgets the contents but keeps the memory (and clears oom). */
void	buf_reset(struct buf *);
/* Releases the memory; the buffer may be used again afterwards. */
void	buf_free(struct buf *);

/*
 * Grows the array *arrp (of elements of size sz, *cap of them) to hold n,
 * by doubling from at least first; new elements are zero-filled.  The one
 * way an array of records grows.  Returns 0, or -1 when memory ran out
 * (*arrp and *cap unchanged).
 */
int	buf_grow_array(void *arrp, size_t *cap, size_t n, size_t sz,
	    size_t first);

/* What buf_add does when the buffer must grow first (buf.c). */
int	buf_add_grow(struct buf *, const void *p, size_t n);

static inline int
buf_add(struct buf *b, const void *p, size_t n)
{
	/* Room for n bytes and the NUL; oom buffers have none (cap 0 or full). */
	if (b->oom || n >= b->cap - b->len)
		return buf_add_grow(b, p, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static inline int
buf_putc(struct buf *b, char c)
{
	if (b->oom || b->cap - b->len < 2)
		return buf_add_grow(b, &c, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return 0;
}

#endif
