/*
 * import_parse.c — Spotify's history files, read into plain rows.
 *
 * A history file is one JSON array of flat objects, up to tens of
 * megabytes.  A general JSON tree (cJSON) of such a file needs about four
 * times the file's size in small allocations, which would break the
 * importer's memory target (peak RSS at most twice the largest file), so
 * this file has its own small tokenizer for exactly that shape: it walks
 * the buffer once without writing to it (so the buffer can be a read-only
 * mapping of the file, whose pages are handed back to the kernel as the
 * tokenizer passes them) and keeps, per record, only the fields the
 * import rules need; the strings of the rows it keeps are copied into a
 * small arena.  Values of unknown keys, nested ones included, are
 * checked and skipped, so extra keys are tolerated.  Anything that is not
 * well-formed JSON, a known key with the wrong type, or a record without
 * its format's required keys is an error naming the line, column and
 * record.
 *
 * The rules applied to each record (docs/IMPORT.md says the same for
 * people) are in import_row_extended() and import_row_account().
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ids.h"
#include "import.h"
#include "text.h"
#include "timeutil.h"

#define JP_DEPTH	64	/* nesting allowed inside an unknown key's value */
#define TIME_MIN_MS	946684800000LL	/* 2000-01-01: earlier is implausible */
#define OFFLINE_SLACK_MS 60000	/* ts this much after an offline play's end */
#define RELEASE_STEP	(1u << 20)	/* drop a mapping's pages this many at a time */

/* ---- file names ---------------------------------------------------------- */

/* Base-name patterns, first match wins (so the bare prefix comes last). */
static const struct {
	const char		*prefix;
	enum import_kind	 kind;
} import_names[] = {
	{ "endsong_",			IMPORT_KIND_EXTENDED },
	{ "Streaming_History_Audio_",	IMPORT_KIND_EXTENDED },
	{ "Streaming_History_Video_",	IMPORT_KIND_EXT_VIDEO },
	{ "StreamingHistory_music_",	IMPORT_KIND_ACCOUNT },
	{ "StreamingHistory_podcast_",	IMPORT_KIND_ACC_PODCAST },
	{ "StreamingHistory_video_",	IMPORT_KIND_ACC_VIDEO },
	{ "StreamingHistory_audiobook_", IMPORT_KIND_ACC_AUDIOBOOK },
	{ "StreamingHistory",		IMPORT_KIND_ACCOUNT },
};

static const char *const import_skip_names[SKIP__MAX] = {
	"video",		/* SKIP_VIDEO */
	"podcast",		/* SKIP_PODCAST */
	"audiobook",		/* SKIP_AUDIOBOOK */
	"incognito",		/* SKIP_INCOGNITO */
	"short",		/* SKIP_SHORT */
	"no track",		/* SKIP_NO_TRACK */
};

const char *
import_parse_skip_name(enum import_skip s)
{
	return s < SKIP__MAX ? import_skip_names[s] : "?";
}

enum import_kind
import_parse_kind_of_name(const char *base)
{
	size_t i, len = strlen(base), pl;

	if (len < 5 || strcasecmp(base + len - 5, ".json") != 0)
		return IMPORT_KIND_OTHER;
	for (i = 0; i < sizeof(import_names) / sizeof(import_names[0]); i++) {
		pl = strlen(import_names[i].prefix);
		if (len > pl + 5 && strncasecmp(base, import_names[i].prefix,
		    pl) == 0)
			return import_names[i].kind;
	}
	return IMPORT_KIND_OTHER;
}

int
import_parse_kind_known(enum import_kind k)
{
	return k != IMPORT_KIND_OTHER && k < IMPORT_KIND__MAX;
}

/* ---- the tokenizer ------------------------------------------------------- */

struct jp {
	const char	*base;		/* the whole buffer */
	const char	*p;		/* next byte to read */
	const char	*end;
	uint32_t	 record;	/* 1-based record being read, 0 = none */
	char		*err;
	size_t		 errsz;
	struct import_parsed *out;	/* its arena holds decoded strings */
	int		 release;	/* the buffer is a mapping: drop pages read */
	size_t		 released;	/* bytes of the buffer dropped so far */
};

enum jtype { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_NESTED };

struct jval {
	enum jtype	 t;
	const char	*s;		/* JT_STR: not NUL-terminated */
	size_t		 len;
	int64_t		 i;		/* JT_NUM when is_int; JT_BOOL */
	int		 is_int;
	double		 d;		/* JT_NUM */
};

/* ---- the arena: strings that outlive the buffer's pages ------------------ */

#define ARENA_BLOCK	(256 * 1024)

struct arena_blk {
	struct arena_blk	*next;
	size_t			 used;
	size_t			 cap;
	char			 data[];
};

/* Room for n bytes in out's arena; never moves what it gave before. */
static char *
arena_alloc(struct import_parsed *out, size_t n)
{
	struct arena_blk *b = out->arena;
	size_t cap;

	if (b == NULL || b->cap - b->used < n) {
		cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = out->arena;
		out->arena = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* A NUL-terminated copy of len bytes at s in out's arena, or NULL. */
static const char *
arena_str(struct import_parsed *out, const char *s, size_t len)
{
	char *d;

	if ((d = arena_alloc(out, len + 1)) == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* Fills the error with the line and column of at.  Returns -1. */
static int
jp_fail(struct jp *j, const char *at, const char *what)
{
	const char *q, *line = j->base;
	unsigned long nl = 1;
	char rec[48] = "";

	if (at > j->end)
		at = j->end;
	for (q = j->base; q < at; q++)
		if (*q == '\n') {
			nl++;
			line = q + 1;
		}
	if (j->record > 0)
		snprintf(rec, sizeof(rec), " (record %u)", j->record);
	snprintf(j->err, j->errsz, "line %lu, column %lu%s: %s%s", nl,
	    (unsigned long)(at - line) + 1, rec, what,
	    at >= j->end ? " (the file ends here: truncated?)" : "");
	return -1;
}

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
	    *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int
jp_hex4(const char *p, unsigned *out)
{
	unsigned v = 0, i;
	int d;

	for (i = 0; i < 4; i++) {
		if ((d = text_hexval(p[i])) == -1)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

/*
 * Reads the string at j->p (on its opening quote).  Most strings have no
 * escapes: they are returned where they are, as a pointer and a length.
 * One with escapes is decoded into the arena (never into the buffer,
 * which may be a read-only mapping).  \u0000 and lone surrogates become
 * U+FFFD so that no string is cut short or carries invalid UTF-16.
 */
#define IMPORT_STRING_MAX	65536	/* bytes of one string, as written */

static int
jp_string(struct jp *j, const char **out, size_t *outlen)
{
	const char *r = j->p + 1, *start = r, *q;
	char *d, *w;
	unsigned cp, lo;

	/* Fast path: no escapes. */
	while (r < j->end && *r != '"' && *r != '\\' &&
	    (unsigned char)*r >= 0x20)
		r++;
	if ((size_t)(r - start) > IMPORT_STRING_MAX)
		return jp_fail(j, start, "a string longer than 65536 bytes: "
		    "not a Spotify history file");
	if (r < j->end && *r == '"') {
		*out = start;
		*outlen = (size_t)(r - start);
		j->p = r + 1;
		return 0;
	}
	/* Find the end first: the decoded form is never longer. */
	for (q = r; q < j->end && *q != '"'; q++) {
		if ((unsigned char)*q < 0x20)
			return jp_fail(j, q, "control character in a string");
		if (*q == '\\')
			q++;
	}
	if (q >= j->end)
		return jp_fail(j, j->end, "unterminated string");
	if ((size_t)(q - start) > IMPORT_STRING_MAX)
		return jp_fail(j, start, "a string longer than 65536 bytes: "
		    "not a Spotify history file");
	if ((d = arena_alloc(j->out, (size_t)(q - start) + 1)) == NULL)
		return jp_fail(j, start, "out of memory");
	memcpy(d, start, (size_t)(r - start));
	w = d + (r - start);
	while (r < q) {
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		switch (r[1]) {
		case '"':  *w++ = '"';  r += 2; continue;
		case '\\': *w++ = '\\'; r += 2; continue;
		case '/':  *w++ = '/';  r += 2; continue;
		case 'b':  *w++ = '\b'; r += 2; continue;
		case 'f':  *w++ = '\f'; r += 2; continue;
		case 'n':  *w++ = '\n'; r += 2; continue;
		case 'r':  *w++ = '\r'; r += 2; continue;
		case 't':  *w++ = '\t'; r += 2; continue;
		case 'u':
			break;
		default:
			return jp_fail(j, r, "bad escape in a string");
		}
		if (q - r < 6 || jp_hex4(r + 2, &cp) == -1)
			return jp_fail(j, r, "bad \\u escape in a string");
		r += 6;
		if (cp >= 0xd800 && cp <= 0xdbff && q - r >= 6 &&
		    r[0] == '\\' && r[1] == 'u' && jp_hex4(r + 2, &lo) == 0 &&
		    lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			r += 6;
		} else if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		/* 6 or 12 escape bytes always hold the 1..4 UTF-8 bytes. */
		w += text_utf8_put(w, cp);
	}
	*w = '\0';
	*out = d;
	*outlen = (size_t)(w - d);
	j->p = q + 1;
	return 0;
}

/* Skips the one or more digits at *q; -1 when there is none. */
static int
jp_digits(const struct jp *j, const char **q)
{
	if (*q >= j->end || **q < '0' || **q > '9')
		return -1;
	while (*q < j->end && **q >= '0' && **q <= '9')
		(*q)++;
	return 0;
}

static int
jp_number(struct jp *j, struct jval *v)
{
	const char *s = j->p, *q = s;
	char tmp[64];
	int64_t acc = 0;
	int neg = 0, overflow = 0;
	size_t n;

	if (*q == '-') {
		neg = 1;
		q++;
	}
	if (q >= j->end || *q < '0' || *q > '9')
		return jp_fail(j, s, "bad number");
	if (*q == '0' && q + 1 < j->end && q[1] >= '0' && q[1] <= '9')
		return jp_fail(j, s, "number with a leading zero");
	while (q < j->end && *q >= '0' && *q <= '9') {
		if (acc > (INT64_MAX - 9) / 10)
			overflow = 1;
		else
			acc = acc * 10 + (*q - '0');
		q++;
	}
	v->is_int = !overflow;
	if (q < j->end && *q == '.') {
		q++;
		if (jp_digits(j, &q) == -1)
			return jp_fail(j, s, "bad number");
		v->is_int = 0;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (jp_digits(j, &q) == -1)
			return jp_fail(j, s, "bad number");
		v->is_int = 0;
	}
	v->t = JT_NUM;
	v->i = neg ? -acc : acc;
	if (v->is_int)
		v->d = (double)v->i;
	else {
		n = (size_t)(q - s);
		if (n >= sizeof(tmp))
			n = sizeof(tmp) - 1;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		v->d = strtod(tmp, NULL);
	}
	j->p = q;
	return 0;
}

static int jp_value(struct jp *, struct jval *, int depth);

/*
 * Enters the object or array whose opening byte is at j->p: 1 when close
 * ends it at once (consumed), else 0 with j->p at its first member.
 */
static int
jp_open(struct jp *j, char close)
{
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 1;
	}
	return 0;
}

/*
 * Reads a member's key at j->p (after white space), its ':' and the white
 * space after it; colon is the message when the ':' is missing.  Returns
 * 0, or -1 (jp_fail).
 */
static int
jp_key(struct jp *j, const char **k, size_t *klen, const char *colon)
{
	if (j->p >= j->end || *j->p != '"')
		return jp_fail(j, j->p, "expected a key");
	if (jp_string(j, k, klen) == -1)
		return -1;
	jp_ws(j);
	if (j->p >= j->end || *j->p != ':')
		return jp_fail(j, j->p, colon);
	j->p++;
	jp_ws(j);
	return 0;
}

/*
 * After a member of an object or array ending in close: consumes a ','
 * (0: another member follows) or close (1: the end), else fails (-1).
 */
static int
jp_next(struct jp *j, char close)
{
	jp_ws(j);
	if (j->p < j->end && *j->p == ',') {
		j->p++;
		return 0;
	}
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 1;
	}
	return jp_fail(j, j->p, close == '}' ? "expected ',' or '}'" :
	    "expected ',' or ']'");
}

static int jp_value(struct jp *, struct jval *, int depth);

/* Skips a nested array or object (an unknown key's value). */
static int
jp_nested(struct jp *j, int depth)
{
	char close = *j->p == '{' ? '}' : ']';
	struct jval v;
	const char *k;
	size_t klen;
	int rc;

	if (depth >= JP_DEPTH)
		return jp_fail(j, j->p, "nested too deeply");
	if (jp_open(j, close))
		return 0;
	for (;;) {
		jp_ws(j);
		if (close == '}' && jp_key(j, &k, &klen, "expected ':'") == -1)
			return -1;
		if (jp_value(j, &v, depth + 1) == -1)
			return -1;
		if ((rc = jp_next(j, close)) != 0)
			return rc == 1 ? 0 : -1;
	}
}

/*
 * Reads the literal word (true, false or null) at j->p into v; fails with
 * "expected a value" when the bytes there are none of them.
 */
static int
jp_literal(struct jp *j, struct jval *v)
{
	static const struct {
		const char	*word;
		size_t		 len;
		enum jtype	 t;
		int64_t		 i;
	} lit[] = {
		{ "true", 4, JT_BOOL, 1 },
		{ "false", 5, JT_BOOL, 0 },
		{ "null", 4, JT_NULL, 0 },
	};
	size_t left = (size_t)(j->end - j->p), i;

	for (i = 0; i < sizeof(lit) / sizeof(lit[0]); i++)
		if (left >= lit[i].len &&
		    memcmp(j->p, lit[i].word, lit[i].len) == 0) {
			v->t = lit[i].t;
			v->i = lit[i].i;
			j->p += lit[i].len;
			return 0;
		}
	return jp_fail(j, j->p, "expected a value");
}

/* Reads any value at j->p (after white space). */
static int
jp_value(struct jp *j, struct jval *v, int depth)
{
	size_t left = (size_t)(j->end - j->p);

	memset(v, 0, sizeof(*v));
	if (left == 0)
		return jp_fail(j, j->p, "unexpected end of file");
	switch (*j->p) {
	case '"':
		v->t = JT_STR;
		return jp_string(j, &v->s, &v->len);
	case '{':
	case '[':
		v->t = JT_NESTED;
		return jp_nested(j, depth);
	case 't':
	case 'f':
	case 'n':
		return jp_literal(j, v);
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return jp_number(j, v);
		break;
	}
	return jp_fail(j, j->p, "expected a value");
}

/* ---- the fields of a record ---------------------------------------------- */

enum fld {
	/* extended streaming history */
	FLD_TS,
	FLD_MS_PLAYED,
	FLD_TRACK_NAME,
	FLD_ARTIST_NAME,
	FLD_ALBUM_NAME,
	FLD_TRACK_URI,
	FLD_EPISODE_NAME,
	FLD_EPISODE_SHOW,
	FLD_EPISODE_URI,
	FLD_AUDIOBOOK_TITLE,
	FLD_AUDIOBOOK_URI,
	FLD_AUDIOBOOK_CHAPTER_URI,
	FLD_AUDIOBOOK_CHAPTER_TITLE,
	FLD_INCOGNITO,
	FLD_OFFLINE,
	FLD_OFFLINE_TS,
	FLD_USERNAME,
	/* account data */
	FLD_END_TIME,
	FLD_ACC_ARTIST,
	FLD_ACC_TRACK,
	FLD_ACC_MS,
	FLD_ACC_PODCAST,
	FLD_ACC_EPISODE,
	FLD__MAX
};

enum ftype {
	FT_STR,		/* a string or null */
	FT_NUM,		/* a number or null */
	FT_BOOL,	/* true, false or null */
};

/* Known keys: name, expected type.  Any other key is skipped. */
static const struct {
	const char	*key;
	enum ftype	 type;
} import_fields[FLD__MAX] = {
	{ "ts",					FT_STR },
	{ "ms_played",				FT_NUM },
	{ "master_metadata_track_name",		FT_STR },
	{ "master_metadata_album_artist_name",	FT_STR },
	{ "master_metadata_album_album_name",	FT_STR },
	{ "spotify_track_uri",			FT_STR },
	{ "episode_name",			FT_STR },
	{ "episode_show_name",			FT_STR },
	{ "spotify_episode_uri",		FT_STR },
	{ "audiobook_title",			FT_STR },
	{ "audiobook_uri",			FT_STR },
	{ "audiobook_chapter_uri",		FT_STR },
	{ "audiobook_chapter_title",		FT_STR },
	{ "incognito_mode",			FT_BOOL },
	{ "offline",				FT_BOOL },
	{ "offline_timestamp",			FT_NUM },
	{ "username",				FT_STR },
	{ "endTime",				FT_STR },
	{ "artistName",				FT_STR },
	{ "trackName",				FT_STR },
	{ "msPlayed",				FT_NUM },
	{ "podcastName",			FT_STR },
	{ "episodeName",			FT_STR },
};

struct rec {
	struct jval	 v[FLD__MAX];
	uint8_t		 has[FLD__MAX];	/* the key was present */
	const char	*at;		/* the record's '{' */
};

static int
import_field(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < FLD__MAX; i++)
		if (key[0] == import_fields[i].key[0] &&
		    strlen(import_fields[i].key) == len &&
		    memcmp(key, import_fields[i].key, len) == 0)
			return (int)i;
	return -1;
}

/* A string field's bytes (*len of them, not NUL-terminated); "" if none. */
static const char *
rec_sv(const struct rec *r, enum fld f, size_t *len)
{
	if (r->has[f] && r->v[f].t == JT_STR) {
		*len = r->v[f].len;
		return r->v[f].s;
	}
	*len = 0;
	return "";
}

/* Whether a field is present with a non-empty string. */
static int
rec_set(const struct rec *r, enum fld f)
{
	return r->has[f] && r->v[f].t == JT_STR && r->v[f].len > 0;
}

/* A field's string copied (NUL-terminated) into the arena; "" if none. */
static const char *
rec_keep(struct jp *j, const struct rec *r, enum fld f)
{
	size_t len;
	const char *s = rec_sv(r, f, &len);

	return len == 0 ? "" : arena_str(j->out, s, len);
}

/* A short field (a time, a user id) copied into buf; -1 when too long. */
static int
rec_copy(const struct rec *r, enum fld f, char *buf, size_t bufsz)
{
	size_t len;
	const char *s = rec_sv(r, f, &len);

	if (len >= bufsz)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* Reads one object into r, checking the types of known keys. */
static int
jp_record(struct jp *j, struct rec *r)
{
	const char *k, *vat;
	size_t klen;
	struct jval v;
	int f, rc;
	static const char *const tname[] = { "a string", "a number",
	    "true or false" };
	char msg[160];

	memset(r->has, 0, sizeof(r->has));
	r->at = j->p;
	if (j->p >= j->end || *j->p != '{')
		return jp_fail(j, j->p, "expected an object (a record)");
	if (jp_open(j, '}'))
		return 0;
	for (;;) {
		jp_ws(j);
		if (jp_key(j, &k, &klen, "expected ':' after a key") == -1)
			return -1;
		f = klen > 0 ? import_field(k, klen) : -1;
		vat = j->p;
		if (jp_value(j, &v, 1) == -1)
			return -1;
		if (f >= 0) {
			enum ftype want = import_fields[f].type;

			if (v.t != JT_NULL &&
			    !(want == FT_STR && v.t == JT_STR) &&
			    !(want == FT_NUM && v.t == JT_NUM) &&
			    !(want == FT_BOOL && v.t == JT_BOOL)) {
				snprintf(msg, sizeof(msg), "\"%s\" must be %s "
				    "or null", import_fields[f].key,
				    tname[want]);
				return jp_fail(j, vat, msg);
			}
			r->v[f] = v;
			r->has[f] = 1;
		}
		if ((rc = jp_next(j, '}')) != 0)
			return rc == 1 ? 0 : -1;
	}
}

/* ---- the rules ----------------------------------------------------------- */

static int
import_add_row(struct import_parsed *out, const struct import_row *row)
{
	struct import_row *n;
	size_t cap;

	if (out->n_rows == out->cap) {
		cap = out->cap ? out->cap * 2 : 1024;
		if ((n = reallocarray(out->rows, cap, sizeof(*n))) == NULL)
			return -1;
		out->rows = n;
		out->cap = cap;
	}
	out->rows[out->n_rows++] = *row;
	return 0;
}

/* Decodes one URL-encoded field of a local URI ('+' is a space). */
static const char *
import_urldecode(struct import_parsed *out, const char *s, size_t len)
{
	char *o, *w;
	size_t i;
	int hi, lo;

	if ((o = arena_alloc(out, len + 1)) == NULL)
		return NULL;
	w = o;
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			*w++ = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    (hi = text_hexval(s[i + 1])) >= 0 &&
		    (lo = text_hexval(s[i + 2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*w++ = s[i];
	}
	*w = '\0';
	return o;
}

/*
 * A local file's URI, "spotify:local:ARTIST:ALBUM:TITLE:SECONDS", supplies
 * the names the row lacks.  Returns 0, or -1 on memory.
 */
static int
import_local_names(struct import_parsed *out, struct import_row *row)
{
	const char *p = row->uri + strlen("spotify:local:"), *c;
	const char **dst[3] = { &row->artist, &row->album, &row->track };
	int i;

	for (i = 0; i < 3; i++) {
		if ((c = strchr(p, ':')) == NULL)
			c = p + strlen(p);
		if ((*dst[i])[0] == '\0' && c > p) {
			const char *s = import_urldecode(out, p,
			    (size_t)(c - p));

			if (s == NULL)
				return -1;
			*dst[i] = s;
		}
		if (*c == '\0')
			break;
		p = c + 1;
	}
	return 0;
}

/* A number field as an integer in [lo, hi]; -1 when it is not one. */
static int
rec_int(const struct rec *r, enum fld f, int64_t lo, int64_t hi, int64_t *out)
{
	const struct jval *v = &r->v[f];

	if (!r->has[f] || v->t != JT_NUM)
		return -1;
	if (v->is_int) {
		if (v->i < lo || v->i > hi)
			return -1;
		*out = v->i;
		return 0;
	}
	if (!(v->d >= (double)lo && v->d <= (double)hi) ||
	    (double)(int64_t)v->d != v->d)
		return -1;
	*out = (int64_t)v->d;
	return 0;
}

/*
 * offline_timestamp is seconds in some files and milliseconds in others;
 * told apart by magnitude: below 10^11 it is seconds (10^11 s is the year
 * 5138, 10^11 ms is 1973).  Returns Unix ms, or 0 when absent or zero.
 */
static int64_t
import_offline_ms(const struct rec *r)
{
	int64_t v;

	if (rec_int(r, FLD_OFFLINE_TS, 1, INT64_MAX / 1000, &v) == -1)
		return 0;
	return v < 100000000000LL ? v * 1000 : v;
}

/* Counts a record skipped for why; returns 0 (the record is done with). */
static int
import_skipped(struct import_parsed *out, enum import_skip why)
{
	out->skipped[why]++;
	return 0;
}

/*
 * Account data's "endTime": "YYYY-MM-DD HH:MM" (seconds tolerated), UTC,
 * the minute the play ended in.
 */
static int
import_end_time(const char *s, int64_t *ms)
{
	char iso[32];
	size_t len = strlen(s);

	if (len != 16 && len != 19)
		return -1;
	if (s[10] != ' ' && s[10] != 'T')
		return -1;
	memcpy(iso, s, len);
	iso[10] = 'T';
	if (len == 16)
		memcpy(iso + 16, ":00Z", 5);
	else
		memcpy(iso + 19, "Z", 2);
	return time_parse_iso8601(iso, ms);
}

/*
 * Where a format keeps when a play ended and how long it played: the time
 * field, a string that parse() turns into Unix ms, and the whole number
 * of milliseconds field; the errors say which format the record is not.
 */
struct rec_when {
	enum fld	 time;
	int		(*parse)(const char *, int64_t *);
	const char	*missing;	/* the time is no string */
	const char	*bad;		/* it is not such a time */
	enum fld	 ms;
	const char	*ms_name;	/* the ms field, as the file spells it */
};

static const struct rec_when when_extended = {
	FLD_TS, time_parse_iso8601,
	"no \"ts\": not an extended streaming history record",
	"\"ts\" is not an ISO 8601 UTC time",
	FLD_MS_PLAYED, "ms_played"
};

static const struct rec_when when_account = {
	FLD_END_TIME, import_end_time,
	"no \"endTime\": not an account-data streaming history record",
	"\"endTime\" is not a time \"YYYY-MM-DD HH:MM\"",
	FLD_ACC_MS, "msPlayed"
};

/*
 * Reads the record's time as w says into *t (not before TIME_MIN_MS) and
 * its milliseconds played into *ms (0..INT32_MAX).  Fails (jp_fail, -1)
 * with the error that says which is wrong.
 */
static int
rec_when(struct jp *j, const struct rec *r, const struct rec_when *w,
    int64_t *t, int64_t *ms)
{
	char tbuf[48], what[80];

	if (!r->has[w->time] || r->v[w->time].t != JT_STR)
		return jp_fail(j, r->at, w->missing);
	if (rec_copy(r, w->time, tbuf, sizeof(tbuf)) == -1 ||
	    w->parse(tbuf, t) == -1 || *t < TIME_MIN_MS)
		return jp_fail(j, r->at, w->bad);
	if (rec_int(r, w->ms, 0, INT32_MAX, ms) == -1) {
		snprintf(what, sizeof(what), "\"%s\" must be a whole number "
		    "of milliseconds", w->ms_name);
		return jp_fail(j, r->at, what);
	}
	return 0;
}

/* The extended history's rules; see docs/IMPORT.md. */
static int
import_row_extended(struct jp *j, const struct rec *r, enum import_kind kind,
    int64_t min_play_ms, struct import_parsed *out)
{
	struct import_row row;
	int64_t ms, ts, off;

	if (rec_when(j, r, &when_extended, &ts, &ms) == -1)
		return -1;
	if (out->username[0] == '\0' && rec_set(r, FLD_USERNAME) &&
	    rec_copy(r, FLD_USERNAME, out->username,
	    sizeof(out->username)) == -1)
		out->username[0] = '\0';

	if (kind == IMPORT_KIND_EXT_VIDEO)
		return import_skipped(out, SKIP_VIDEO);
	if (rec_set(r, FLD_EPISODE_URI) || rec_set(r, FLD_EPISODE_NAME) ||
	    rec_set(r, FLD_EPISODE_SHOW))
		return import_skipped(out, SKIP_PODCAST);
	if (rec_set(r, FLD_AUDIOBOOK_URI) || rec_set(r, FLD_AUDIOBOOK_TITLE) ||
	    rec_set(r, FLD_AUDIOBOOK_CHAPTER_URI) ||
	    rec_set(r, FLD_AUDIOBOOK_CHAPTER_TITLE))
		return import_skipped(out, SKIP_AUDIOBOOK);
	if (r->has[FLD_INCOGNITO] && r->v[FLD_INCOGNITO].t == JT_BOOL &&
	    r->v[FLD_INCOGNITO].i)
		return import_skipped(out, SKIP_INCOGNITO);
	if (ms < min_play_ms)
		return import_skipped(out, SKIP_SHORT);
	memset(&row, 0, sizeof(row));
	row.played_at = ts;
	/*
	 * An offline play may be reported when the device is next online,
	 * and ts is then that moment.  offline_timestamp says when the play
	 * started (by the magnitude rule above), so when ts lies more than
	 * OFFLINE_SLACK_MS after that start plus ms_played, the play ended
	 * at start + ms_played.  Within the slack ts is kept: it is what
	 * recently-played reports, to the second.
	 */
	off = import_offline_ms(r);
	if (r->has[FLD_OFFLINE] && r->v[FLD_OFFLINE].t == JT_BOOL &&
	    r->v[FLD_OFFLINE].i && off >= TIME_MIN_MS &&
	    off + ms + OFFLINE_SLACK_MS < ts)
		row.played_at = off + ms;
	row.ms_played = (int32_t)ms;
	row.record = j->record;
	if ((row.uri = rec_keep(j, r, FLD_TRACK_URI)) == NULL ||
	    (row.track = rec_keep(j, r, FLD_TRACK_NAME)) == NULL ||
	    (row.artist = rec_keep(j, r, FLD_ARTIST_NAME)) == NULL ||
	    (row.album = rec_keep(j, r, FLD_ALBUM_NAME)) == NULL)
		return jp_fail(j, r->at, "out of memory");
	if (strncmp(row.uri, "spotify:local:", 14) == 0) {
		row.is_local = 1;
		if (import_local_names(out, &row) == -1)
			return jp_fail(j, r->at, "out of memory");
	} else if (ids_from_uri(row.uri, "track", row.track_id) == -1)
		row.track_id[0] = '\0';
	if (row.track_id[0] == '\0' && row.track[0] == '\0')
		return import_skipped(out, SKIP_NO_TRACK);
	if (import_add_row(out, &row) == -1)
		return jp_fail(j, r->at, "out of memory");
	return 0;
}

/* The account data's rules; see docs/IMPORT.md. */
static int
import_row_account(struct jp *j, const struct rec *r, enum import_kind kind,
    int64_t min_play_ms, struct import_parsed *out)
{
	struct import_row row;
	int64_t ms, t;

	if (rec_when(j, r, &when_account, &t, &ms) == -1)
		return -1;
	if (kind == IMPORT_KIND_ACC_VIDEO)
		return import_skipped(out, SKIP_VIDEO);
	if (kind == IMPORT_KIND_ACC_PODCAST || rec_set(r, FLD_ACC_PODCAST) ||
	    rec_set(r, FLD_ACC_EPISODE))
		return import_skipped(out, SKIP_PODCAST);
	if (kind == IMPORT_KIND_ACC_AUDIOBOOK)
		return import_skipped(out, SKIP_AUDIOBOOK);
	if (ms < min_play_ms)
		return import_skipped(out, SKIP_SHORT);
	memset(&row, 0, sizeof(row));
	row.played_at = t;
	row.ms_played = (int32_t)ms;
	row.record = j->record;
	if (!rec_set(r, FLD_ACC_TRACK))
		return import_skipped(out, SKIP_NO_TRACK);
	row.uri = "";
	row.album = "";
	if ((row.track = rec_keep(j, r, FLD_ACC_TRACK)) == NULL ||
	    (row.artist = rec_keep(j, r, FLD_ACC_ARTIST)) == NULL)
		return jp_fail(j, r->at, "out of memory");
	if (import_add_row(out, &row) == -1)
		return jp_fail(j, r->at, "out of memory");
	return 0;
}

/* Drops the pages of a mapped buffer the tokenizer has passed. */
static void
jp_release(struct jp *j)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), upto;

	upto = (size_t)(j->p - j->base) & ~(pg - 1);
	if (upto - j->released < RELEASE_STEP)
		return;
	(void)madvise((void *)(uintptr_t)(j->base + j->released),
	    upto - j->released, MADV_DONTNEED);
	j->released = upto;
}

int
import_parse(const char *data, size_t len, enum import_kind kind,
    int64_t min_play_ms, int mapped, struct import_parsed *out, char *err,
    size_t errsz)
{
	struct jp j;
	struct rec r;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	j.base = j.p = data;
	j.end = data + len;
	j.err = err;
	j.errsz = errsz;
	j.out = out;
	j.release = mapped;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		j.p += 3;
	jp_ws(&j);
	if (j.p >= j.end)
		return jp_fail(&j, j.p, "empty file: not a streaming history "
		    "file");
	if (*j.p != '[')
		return jp_fail(&j, j.p, "not a streaming history file (it is "
		    "not a JSON array of plays)");
	j.p++;
	jp_ws(&j);
	if (j.p < j.end && *j.p == ']')
		j.p++;
	else {
		for (;;) {
			jp_ws(&j);
			j.record++;
			if (jp_record(&j, &r) == -1)
				return -1;
			if (out->fmt == IMPORT_FMT_EMPTY)
				out->fmt = r.has[FLD_TS] ? IMPORT_FMT_EXTENDED :
				    r.has[FLD_END_TIME] ? IMPORT_FMT_ACCOUNT :
				    IMPORT_FMT_EMPTY;
			switch (out->fmt) {
			case IMPORT_FMT_EXTENDED:
				rc = import_row_extended(&j, &r, kind,
				    min_play_ms, out);
				break;
			case IMPORT_FMT_ACCOUNT:
				rc = import_row_account(&j, &r, kind,
				    min_play_ms, out);
				break;
			default:
				rc = jp_fail(&j, r.at, "not a streaming history "
				    "record (neither \"ts\" nor \"endTime\")");
				break;
			}
			if (rc == -1)
				return -1;
			out->n_records++;
			if (j.release)
				jp_release(&j);
			jp_ws(&j);
			if (j.p < j.end && *j.p == ',') {
				j.p++;
				continue;
			}
			if (j.p < j.end && *j.p == ']') {
				j.p++;
				break;
			}
			if (j.p >= j.end)
				return jp_fail(&j, j.p, "unexpected end of file "
				    "(truncated?)");
			return jp_fail(&j, j.p, "expected ',' or ']' after a "
			    "record");
		}
	}
	j.record = 0;
	jp_ws(&j);
	if (j.p != j.end)
		return jp_fail(&j, j.p, "data after the end of the array");
	return 0;
}

/* Frees the arena blocks from b on. */
static void
arena_free(struct arena_blk *b)
{
	struct arena_blk *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

/* *s copied into out's arena when not empty; -1 on memory. */
static int
arena_move(struct import_parsed *out, const char **s)
{
	const char *d;

	if ((*s)[0] == '\0')
		return 0;
	if ((d = arena_str(out, *s, strlen(*s))) == NULL)
		return -1;
	*s = d;
	return 0;
}

int
import_parse_keep(struct import_parsed *out,
    int (*keep)(const struct import_row *, void *), void *arg)
{
	struct import_parsed kept;
	struct import_row *row;
	struct arena_blk *b;
	size_t i;

	memset(&kept, 0, sizeof(kept));
	for (i = 0; i < out->n_rows; i++) {
		row = &out->rows[i];
		if (keep(row, arg)) {
			if (arena_move(&kept, &row->uri) == -1 ||
			    arena_move(&kept, &row->track) == -1 ||
			    arena_move(&kept, &row->artist) == -1 ||
			    arena_move(&kept, &row->album) == -1)
				goto nomem;
		} else
			row->uri = row->track = row->artist = row->album = "";
	}
	arena_free(out->arena);
	out->arena = kept.arena;
	return 0;
nomem:
	/* Rows point into both arenas now: keep both. */
	for (b = kept.arena; b != NULL && b->next != NULL; b = b->next)
		;
	if (b != NULL) {
		b->next = out->arena;
		out->arena = kept.arena;
	}
	return -1;
}

void
import_parse_free(struct import_parsed *out)
{
	arena_free(out->arena);
	free(out->rows);
	memset(out, 0, sizeof(*out));
}
