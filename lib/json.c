/*
 * json.c — the one small escaping JSON writer (see json.h for the contract).
 *
 * Every API response goes through json_escape(), so it is written for
 * speed: the room for the worst case is made once, runs of bytes that
 * need nothing are checked and copied eight at a time (json_word_safe)
 * and then by a 256-entry table that classifies each byte; only the rare
 * byte that needs an escape, or starts a multi-byte UTF-8 sequence, is
 * handled on its own.
 *
 * Escapes: the two-character forms \" \\ \b \f \n \r \t where JSON has
 * them, \u00XX for the other control characters and DEL, and \u2028 /
 * \u2029 for the line and paragraph separators, which JSON allows raw but
 * JavaScript source does not.  UTF-8 is checked as RFC 3629 defines it (no
 * overlong forms, no surrogates, nothing above U+10FFFF); each byte that
 * does not belong to a well-formed sequence becomes one U+FFFD.
 *
 * Times and days are written in the one form timeutil.c gives them, so
 * that every endpoint and every insight agrees (json_time_ms, json_day).
 *
 * State: j->depth is the number of open containers.  Slot 0 of first[]
 * stands for the top level (1 until the document's one value is written);
 * slot d for the container opened at depth d, so at most JSON_DEPTH - 1
 * containers nest.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "text.h"
#include "timeutil.h"

/* Byte classes for escaping. */
enum {
	JC_SAFE = 0,	/* copied as is */
	JC_SHORT,	/* a two-character escape */
	JC_CTRL,	/* \u00XX */
	JC_UTF8,	/* first byte of a multi-byte sequence, checked */
};

#define S JC_SAFE
#define E JC_SHORT
#define C JC_CTRL
#define U JC_UTF8
static const unsigned char json_class[256] = {
	C, C, C, C, C, C, C, C, E, E, E, C, E, E, C, C,	/* 0x00 */
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,	/* 0x10 */
	S, S, E, S, S, S, S, S, S, S, S, S, S, S, S, S,	/* 0x20 " */
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,	/* 0x30 */
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,	/* 0x40 */
	S, S, S, S, S, S, S, S, S, S, S, S, E, S, S, S,	/* 0x50 \ */
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,	/* 0x60 */
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, C,	/* 0x70 DEL */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,	/* 0x80 */
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
	U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,	/* 0xf0 */
};
#undef S
#undef E
#undef C
#undef U

/* The letter after the backslash for a JC_SHORT byte. */
static char
json_short(unsigned char c)
{
	switch (c) {
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	default:
		return (char)c;		/* " and \ */
	}
}

/* Whether the 3-byte sequence at s is U+2028 or U+2029. */
#define JSON_IS_SEP(s) ((s)[0] == 0xe2 && (s)[1] == 0x80 && \
	((s)[2] == 0xa8 || (s)[2] == 0xa9))

size_t
json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)		/* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0)		/* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)		/* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)		/* > U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Whether none of the 8 bytes at s needs more than a copy, i.e. each is
 * in 0x20..0x7e and is neither '"' nor '\\': the table's test for a whole
 * word at once (SWAR).  A byte below 0x20 sets its high bit in w - 0x20..,
 * a byte 0x7f in w + 0x01.., a byte >= 0x80 in w itself; ((x - 0x01..) &
 * ~x & 0x80..) is non-zero exactly when some byte of x is zero.  Borrows
 * and carries between bytes only start at a byte that is itself unsafe,
 * so they can add a flag to an unsafe word but never hide one.
 */
static inline int
json_word_safe(const unsigned char *s)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w, q, bs;

	memcpy(&w, s, sizeof(w));
	q = w ^ (ones * '"');
	bs = w ^ (ones * '\\');
	return ((w - ones * 0x20) | (w + ones) | w | ((q - ones) & ~q) |
	    ((bs - ones) & ~bs)) & high ? 0 : 1;
}

/*
 * Copies to w the bytes at the start of s (len of them) that need no
 * escape and returns how many: whole words while every one is safe, then
 * the rest as the one word that ends at len (it overlaps bytes already
 * copied, which are safe), else byte by byte up to the first that needs
 * more than a copy.
 */
static inline size_t
json_copy_safe(char *w, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (len - i >= 8 && json_word_safe(s + i)) {
		memcpy(w + i, s + i, 8);
		i += 8;
	}
	if (i == len)
		return len;
	if (len - i < 8 && len >= 8 && json_word_safe(s + len - 8)) {
		memcpy(w + len - 8, s + len - 8, 8);
		return len;
	}
	while (i < len && json_class[s[i]] == JC_SAFE) {
		w[i] = (char)s[i];
		i++;
	}
	return i;
}

size_t
json_escape_to(char *w, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i, o, n;

	/* Nearly every string needs no escape: one pass of copies. */
	i = o = json_copy_safe(w, s, len);
	while (i < len) {
		switch (json_class[s[i]]) {
		case JC_SHORT:
			w[o++] = '\\';
			w[o++] = json_short(s[i++]);
			break;
		case JC_CTRL:
			memcpy(w + o, "\\u00", 4);
			w[o + 4] = hex[s[i] >> 4];
			w[o + 5] = hex[s[i] & 15];
			o += 6;
			i++;
			break;
		default:
			n = json_utf8_len(s + i, len - i);
			if (n == 0) {
				memcpy(w + o, "\xef\xbf\xbd", 3);	/* U+FFFD */
				o += 3;
				i++;
			} else if (n == 3 && JSON_IS_SEP(s + i)) {
				memcpy(w + o, s[i + 2] == 0xa8 ? "\\u2028" :
				    "\\u2029", 6);
				o += 6;
				i += 3;
			} else {
				memcpy(w + o, s + i, n);
				o += n;
				i += n;
			}
			break;
		}
		n = json_copy_safe(w + o, s + i, len - i);
		i += n;
		o += n;
	}
	return o;
}

void
json_escape(struct buf *b, const char *s, size_t len)
{
	if (len > SIZE_MAX / JSON_ESCAPE_GROWTH) {
		b->oom = 1;
		return;
	}
	if (buf_reserve(b, JSON_ESCAPE_GROWTH * len) == -1)
		return;
	b->len += json_escape_to(b->data + b->len, s, len);
	b->data[b->len] = '\0';
}

void
json_init(struct json *j, struct buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
	j->first[0] = 1;
}

/*
 * Writes the comma and the key that go before a value, or sets err when a
 * value is not allowed here.  Returns 0 when the value may be written.
 */
static int
json_pre(struct json *j, const char *key)
{
	int d = j->depth;

	if (j->err)
		return -1;
	if (d == 0) {
		/* The top level holds exactly one value, without a key. */
		if (key != NULL || !j->first[0])
			goto misuse;
		j->first[0] = 0;
		return 0;
	}
	if (j->is_obj[d] != (key != NULL))
		goto misuse;
	if (!j->first[d])
		buf_putc(j->b, ',');
	j->first[d] = 0;
	if (key != NULL) {
		buf_putc(j->b, '"');
		json_escape(j->b, key, strlen(key));
		buf_add(j->b, "\":", 2);
	}
	return 0;
misuse:
	j->err = 1;
	return -1;
}

static void
json_open(struct json *j, const char *key, int obj)
{
	if (!j->err && j->depth >= JSON_DEPTH - 1) {
		j->err = 1;
		return;
	}
	if (json_pre(j, key) == -1)
		return;
	j->depth++;
	j->first[j->depth] = 1;
	j->is_obj[j->depth] = (uint8_t)obj;
	buf_putc(j->b, obj ? '{' : '[');
}

static void
json_close(struct json *j, int obj)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->is_obj[j->depth] != obj) {
		j->err = 1;
		return;
	}
	j->depth--;
	buf_putc(j->b, obj ? '}' : ']');
}

void
json_obj_open(struct json *j, const char *key)
{
	json_open(j, key, 1);
}

void
json_obj_close(struct json *j)
{
	json_close(j, 1);
}

void
json_arr_open(struct json *j, const char *key)
{
	json_open(j, key, 0);
}

void
json_arr_close(struct json *j)
{
	json_close(j, 0);
}

void
json_strn(struct json *j, const char *key, const char *s, size_t len)
{
	if (json_pre(j, key) == -1)
		return;
	if (s == NULL) {
		buf_add(j->b, "null", 4);
		return;
	}
	buf_putc(j->b, '"');
	json_escape(j->b, s, len);
	buf_putc(j->b, '"');
}

void
json_str(struct json *j, const char *key, const char *s)
{
	json_strn(j, key, s, s == NULL ? 0 : strlen(s));
}

/* Appends v in decimal to b. */
void
json_put_int(struct buf *b, int64_t v)
{
	char tmp[21];

	buf_add(b, tmp, text_put_i64(tmp, v));
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	if (json_pre(j, key) == -1)
		return;
	json_put_int(j->b, v);
}

struct buf *
json_value_buf(struct json *j, const char *key)
{
	return json_pre(j, key) == -1 ? NULL : j->b;
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	char tmp[20];

	if (json_pre(j, key) == -1)
		return;
	buf_add(j->b, tmp, text_put_u64(tmp, v));
}

void
json_double(struct json *j, const char *key, double v)
{
	char tmp[32];
	int n;

	if (json_pre(j, key) == -1)
		return;
	if (!isfinite(v)) {
		buf_add(j->b, "null", 4);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.6g", v);
	if (n <= 0 || (size_t)n >= sizeof(tmp)) {
		j->err = 1;
		return;
	}
	buf_add(j->b, tmp, (size_t)n);
}

void
json_bool(struct json *j, const char *key, int v)
{
	if (json_pre(j, key) == -1)
		return;
	if (v)
		buf_add(j->b, "true", 4);
	else
		buf_add(j->b, "false", 5);
}

void
json_null(struct json *j, const char *key)
{
	if (json_pre(j, key) == -1)
		return;
	buf_add(j->b, "null", 4);
}

void
json_raw(struct json *j, const char *key, const char *raw, size_t len)
{
	if (json_pre(j, key) == -1)
		return;
	if (raw == NULL || len == 0)
		buf_add(j->b, "null", 4);
	else
		buf_add(j->b, raw, len);
}

void
json_time_ms(struct json *j, const char *key, const char *isokey, int64_t ms)
{
	char iso[32];

	json_int(j, key, ms);
	if (time_format_rfc3339(ms, iso, 1) == 0)
		json_str(j, isokey, iso);
	else
		json_null(j, isokey);
}

void
json_time_s(struct json *j, const char *key, const char *isokey, int64_t s)
{
	char iso[32];

	json_int(j, key, s);
	/* s * 1000 in range: compared before it is multiplied. */
	if (s >= TIME_MS_MIN / 1000 && s <= TIME_MS_MAX / 1000 &&
	    time_format_rfc3339(s * 1000, iso, 0) == 0)
		json_str(j, isokey, iso);
	else
		json_null(j, isokey);
}

void
json_day(struct json *j, const char *key, int64_t day)
{
	char s[11];

	if (time_format_day(day, s) == 0)
		json_str(j, key, s);
	else
		json_null(j, key);
}

int
json_finish(struct json *j)
{
	if (j->err || j->b->oom || j->depth != 0 || j->first[0])
		return -1;
	return 0;
}
