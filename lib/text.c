/*
 * text.c — hex digits, UTF-8 encoding and decimal digits (see text.h).
 */
#include "text.h"

int
text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
text_utf8_put(char *w, uint32_t cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xC0 | (cp >> 6));
		w[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xE0 | (cp >> 12));
		w[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		w[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	w[0] = (char)(0xF0 | (cp >> 18));
	w[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	w[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	w[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

const char text_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* 10^0 .. 10^19. */
static const uint64_t text_pow10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL,
    10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
    1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
    10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
    10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
    10000000000000000000ULL };

size_t
text_put_u64(char *w, uint64_t v)
{
	unsigned t;
	size_t n;
	char *p;

	if (v < 10) {
		w[0] = (char)('0' + v);
		return 1;
	}
	/*
	 * The digits: log10 from the bit length (1233 / 4096 is just over
	 * log10(2)), one less when v is below that power of ten.
	 */
	t = ((unsigned)(64 - __builtin_clzll(v)) * 1233) >> 12;
	n = t + 1 - (v < text_pow10[t]);
	/* From the last, two at a time. */
	p = w + n;
	while (v >= 100) {
		p -= 2;
		text_put2(p, (unsigned)(v % 100));
		v /= 100;
	}
	if (v >= 10)
		text_put2(p - 2, (unsigned)v);
	else
		p[-1] = (char)('0' + v);
	return n;
}

size_t
text_put_i64(char *w, int64_t v)
{
	if (v >= 0)
		return text_put_u64(w, (uint64_t)v);
	/* The magnitude of INT64_MIN does not fit in int64_t. */
	w[0] = '-';
	return 1 + text_put_u64(w + 1, (uint64_t)0 - (uint64_t)v);
}
