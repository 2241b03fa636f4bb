/*
 * codec.c — bounds-checked value and key encoding for the store.
 *
 * The byte-level half of store.c: integers are written one byte at a time
 * in big-endian order and read back through memcpy() and be64toh() and
 * its kin (so values read the same on every host and nothing depends on
 * alignment), strings carry a length and a trailing NUL, and
 * every read checks the remaining length first, with the subtraction on
 * the side that cannot overflow.  Errors are sticky (see codec.h).
 */
#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "schema.h"

void
codec_enc_init(struct enc *e, struct buf *b)
{
	buf_reset(b);
	e->b = b;
	e->bad = 0;
}

static void
enc_bytes(struct enc *e, const void *p, size_t n)
{
	if (e->bad)
		return;
	if (buf_add(e->b, p, n) == -1)
		e->bad = 1;
}

static void
enc_be(struct enc *e, uint64_t v, size_t width)
{
	unsigned char tmp[8];
	size_t i;

	for (i = 0; i < width; i++)
		tmp[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
	enc_bytes(e, tmp, width);
}

void
codec_put_u8(struct enc *e, uint8_t v)
{
	enc_bytes(e, &v, 1);
}

void
codec_put_u16(struct enc *e, uint16_t v)
{
	enc_be(e, v, 2);
}

void
codec_put_u32(struct enc *e, uint32_t v)
{
	enc_be(e, v, 4);
}

void
codec_put_u64(struct enc *e, uint64_t v)
{
	enc_be(e, v, 8);
}

void
codec_put_i32(struct enc *e, int32_t v)
{
	enc_be(e, (uint32_t)v, 4);
}

void
codec_put_i64(struct enc *e, int64_t v)
{
	enc_be(e, (uint64_t)v, 8);
}

static void
enc_str(struct enc *e, const char *s, size_t n)
{
	if (n > UINT32_MAX) {
		e->bad = 1;
		return;
	}
	codec_put_u32(e, (uint32_t)n);
	enc_bytes(e, s, n);
	codec_put_u8(e, 0);
}

void
codec_put_str(struct enc *e, const char *s)
{
	if (s == NULL)
		s = "";
	enc_str(e, s, strlen(s));
}

void
codec_put_strn(struct enc *e, const char *s, size_t max)
{
	size_t n;

	if ((n = strnlen(s, max)) == max) {
		/* Not terminated within its array: refuse, do not cut. */
		e->bad = 1;
		return;
	}
	enc_str(e, s, n);
}

void
codec_put_id(struct enc *e, const char *id)
{
	if (id == NULL || strnlen(id, ID_LEN + 1) != ID_LEN) {
		e->bad = 1;
		return;
	}
	enc_bytes(e, id, ID_LEN);
}

void
codec_put_idlist(struct enc *e, const struct idlist *l)
{
	if (l->n > 0 && l->ids == NULL) {
		e->bad = 1;
		return;
	}
	codec_put_u32(e, l->n);
	if (l->n > 0)
		enc_bytes(e, l->ids, (size_t)l->n * ID_LEN);
}

int
codec_enc_end(const struct enc *e)
{
	return (e->bad || e->b->oom) ? -1 : 0;
}

void
codec_dec_init(struct dec *d, const void *p, size_t len)
{
	d->p = p;
	d->len = p == NULL ? 0 : len;
	d->off = 0;
	d->bad = 0;
}

/*
 * Returns a pointer to the next n bytes and consumes them, or NULL (and
 * marks d bad) when fewer remain.  off <= len always holds, so len - off
 * cannot wrap.
 */
static inline const unsigned char *
dec_take(struct dec *d, size_t n)
{
	const unsigned char *p;

	if (d->bad || n > d->len - d->off) {
		d->bad = 1;
		return NULL;
	}
	p = d->p + d->off;
	d->off += n;
	return p;
}

/* Consumes a big-endian integer of width bytes (1, 2, 4 or 8). */
static inline uint64_t
dec_be(struct dec *d, size_t width)
{
	const unsigned char *p;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	if ((p = dec_take(d, width)) == NULL)
		return 0;
	/* One load each (a store's values are read hundreds per page). */
	switch (width) {
	case 8:
		memcpy(&v64, p, 8);
		return be64toh(v64);
	case 4:
		memcpy(&v32, p, 4);
		return be32toh(v32);
	case 2:
		memcpy(&v16, p, 2);
		return be16toh(v16);
	default:
		return p[0];
	}
}

uint8_t
codec_get_u8(struct dec *d)
{
	return (uint8_t)dec_be(d, 1);
}

uint16_t
codec_get_u16(struct dec *d)
{
	return (uint16_t)dec_be(d, 2);
}

uint32_t
codec_get_u32(struct dec *d)
{
	return (uint32_t)dec_be(d, 4);
}

uint64_t
codec_get_u64(struct dec *d)
{
	return dec_be(d, 8);
}

/*
 * Two's complement without implementation-defined conversions: flipping
 * the sign bit turns it into the biased form codec_unbias*() reads.
 */
int32_t
codec_as_i32(uint32_t u)
{
	return codec_unbias32(u ^ UINT32_C(0x80000000));
}

int32_t
codec_get_i32(struct dec *d)
{
	return codec_as_i32(codec_get_u32(d));
}

int64_t
codec_get_i64(struct dec *d)
{
	return codec_unbias64(codec_get_u64(d) ^ UINT64_C(0x8000000000000000));
}

/* Consumes a str and returns it with *n its length, or NULL when bad. */
static const char *
dec_str(struct dec *d, size_t *n)
{
	const unsigned char *p;
	uint32_t len;

	len = codec_get_u32(d);
	if (d->bad)
		return NULL;
	/* len bytes and the NUL: compare without computing len + 1 first. */
	if (len >= d->len - d->off) {
		d->bad = 1;
		return NULL;
	}
	p = dec_take(d, (size_t)len + 1);
	if (p == NULL || p[len] != '\0') {
		d->bad = 1;
		return NULL;
	}
	*n = len;
	return (const char *)p;
}

const char *
codec_get_str(struct dec *d)
{
	const char *s;
	size_t n;

	if ((s = dec_str(d, &n)) == NULL)
		return "";
	return s;
}

void
codec_get_strcpy(struct dec *d, char *out, size_t outsz)
{
	const char *s;
	size_t n;

	if (outsz == 0) {
		d->bad = 1;
		return;
	}
	out[0] = '\0';
	if ((s = dec_str(d, &n)) == NULL)
		return;
	if (n >= outsz) {
		d->bad = 1;
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

void
codec_get_id(struct dec *d, char out[ID_LEN + 1])
{
	const unsigned char *p;

	out[0] = '\0';
	if ((p = dec_take(d, ID_LEN)) == NULL)
		return;
	memcpy(out, p, ID_LEN);
	out[ID_LEN] = '\0';
}

void
codec_get_idlist(struct dec *d, struct idlist *l)
{
	const unsigned char *p;
	uint32_t n;

	l->ids = NULL;
	l->n = 0;
	n = codec_get_u32(d);
	if (d->bad)
		return;
	/* Divide instead of multiplying so a huge n cannot wrap. */
	if (n > (d->len - d->off) / ID_LEN) {
		d->bad = 1;
		return;
	}
	if ((p = dec_take(d, (size_t)n * ID_LEN)) == NULL)
		return;
	l->ids = n > 0 ? (const char *)p : NULL;
	l->n = n;
}

int
codec_dec_end(const struct dec *d)
{
	return (d->bad || d->off != d->len) ? -1 : 0;
}

void
codec_be32_put(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void
codec_be64_put(unsigned char *p, uint64_t v)
{
	codec_be32_put(p, (uint32_t)(v >> 32));
	codec_be32_put(p + 4, (uint32_t)v);
}

uint32_t
codec_be32_get(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

uint64_t
codec_be64_get(const unsigned char *p)
{
	return ((uint64_t)codec_be32_get(p) << 32) | codec_be32_get(p + 4);
}

/* 32 bits: v + 2^31 and back, exact in 64-bit arithmetic. */
uint32_t
codec_bias32(int32_t v)
{
	return (uint32_t)((int64_t)v + INT64_C(0x80000000));
}

int32_t
codec_unbias32(uint32_t v)
{
	return (int32_t)((int64_t)v - INT64_C(0x80000000));
}

uint64_t
codec_bias64(int64_t v)
{
	return (uint64_t)v ^ UINT64_C(0x8000000000000000);
}

int64_t
codec_unbias64(uint64_t v)
{
	uint64_t u = v ^ UINT64_C(0x8000000000000000);

	if (u <= INT64_MAX)
		return (int64_t)u;
	return -(int64_t)(~u) - 1;
}
