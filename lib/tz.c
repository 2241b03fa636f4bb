/*
 * tz.c — UTC offsets of IANA time zones from TZif files (contract: tz.h).
 *
 * A zone is read once: the header and counts are checked against the file
 * size, the 64-bit data block of version 2+ files is used (the 32-bit one
 * of version 1 files otherwise), transitions must ascend strictly, type
 * indices must exist and offsets lie within -25 h .. +26 h.  What remains
 * is two arrays (transition instants, offset after each) and, from the
 * footer, a POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" that gives
 * the offsets after the last transition.  The rule is evaluated per
 * calendar year of standard time: its start and end instants are
 * computed for that year and t is in daylight time when it lies between
 * them (or outside them, for southern-hemisphere rules whose end comes
 * first).  The calendar arithmetic is timeutil.c's, so nothing here reads
 * TZ or calls localtime.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "fileio.h"
#include "log.h"
#include "timeutil.h"
#include "tz.h"

#define TZ_DIR_DEFAULT	"/usr/share/zoneinfo"
#define TZ_FILE_MAX	(256 * 1024)	/* the largest TZif is ~3 KiB */
#define TZ_OFF_MIN	(-25 * 3600)	/* RFC 8536: -89999 < utoff < 93600 */
#define TZ_OFF_MAX	(26 * 3600)
#define TZ_HDR		44		/* "TZif", version, 15, 6 * be32 */
#define SECS_PER_DAY	86400

/* One end of a daylight-time period in a POSIX TZ rule. */
enum tz_datekind {
	TZD_JULIAN1,	/* Jn: day 1..365, February 29 never counted */
	TZD_JULIAN0,	/* n: day 0..365, February 29 counted */
	TZD_MONTH,	/* Mm.w.d: weekday d of week w (5 = last) of month m */
};

struct tz_date {
	enum tz_datekind kind;
	int		 n;		/* TZD_JULIAN1 / TZD_JULIAN0 */
	int		 m, w, d;	/* TZD_MONTH */
	int32_t		 secs;		/* local time of day, may be < 0 or > 24 h */
};

struct tz_rule {
	int32_t		 std_off;	/* east positive */
	int32_t		 dst_off;
	int		 has_dst;
	struct tz_date	 start, end;
};

struct tz {
	char		 name[TZ_NAME_MAX + 1];
	int64_t		*at;		/* transition instants, ascending */
	int32_t		*off;		/* offset from at[i] on */
	size_t		 n;
	int32_t		 first_off;	/* before at[0]: time type 0 */
	int		 has_rule;
	struct tz_rule	 rule;
};

int
tz_valid_name(const char *name)
{
	size_t i, len;
	int start = 1;

	if (name == NULL || (len = strnlen(name, TZ_NAME_MAX + 1)) == 0 ||
	    len > TZ_NAME_MAX || name[0] == '/')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/') {
			if (start)
				return 0;	/* empty component */
			start = 1;
			continue;
		}
		if (start && c == '.')
			return 0;
		start = 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '+' ||
		    c == '-' || c == '.'))
			return 0;
	}
	return !start;
}

/* ---- POSIX TZ strings (the TZif footer) ---------------------------------- */

static int
tz_digits(const char **pp, int max_digits, int *v)
{
	const char *p = *pp;
	int n = 0, i;

	for (i = 0; i < max_digits && *p >= '0' && *p <= '9'; i++, p++)
		n = n * 10 + (*p - '0');
	if (i == 0)
		return -1;
	*v = n;
	*pp = p;
	return 0;
}

/* A zone abbreviation: <...> or three or more letters. */
static int
tz_parse_abbr(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p != '\0' && *p != '>'; p++)
			n++;
		if (*p != '>' || n < 3)
			return -1;
		*pp = p + 1;
		return 0;
	}
	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
		n++;
	if (n < 3)
		return -1;
	*pp = p;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= maxh; *secs keeps the sign as written. */
static int
tz_parse_hms(const char **pp, int maxh, int32_t *secs)
{
	const char *p = *pp;
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (tz_digits(&p, 3, &h) == -1 || h > maxh)
		return -1;
	if (*p == ':') {
		p++;
		if (tz_digits(&p, 2, &m) == -1 || m > 59)
			return -1;
		if (*p == ':') {
			p++;
			if (tz_digits(&p, 2, &s) == -1 || s > 59)
				return -1;
		}
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

/* A rule date and its optional /time (default 02:00). */
static int
tz_parse_date(const char **pp, struct tz_date *d)
{
	const char *p = *pp;

	memset(d, 0, sizeof(*d));
	if (*p == 'M') {
		p++;
		d->kind = TZD_MONTH;
		if (tz_digits(&p, 2, &d->m) == -1 || d->m < 1 || d->m > 12 ||
		    *p++ != '.' || tz_digits(&p, 1, &d->w) == -1 ||
		    d->w < 1 || d->w > 5 || *p++ != '.' ||
		    tz_digits(&p, 1, &d->d) == -1 || d->d > 6)
			return -1;
	} else if (*p == 'J') {
		p++;
		d->kind = TZD_JULIAN1;
		if (tz_digits(&p, 3, &d->n) == -1 || d->n < 1 || d->n > 365)
			return -1;
	} else {
		d->kind = TZD_JULIAN0;
		if (tz_digits(&p, 3, &d->n) == -1 || d->n > 365)
			return -1;
	}
	d->secs = 2 * 3600;
	if (*p == '/') {
		p++;
		/* RFC 8536 3.3.1 allows -167..167 hours here. */
		if (tz_parse_hms(&p, 167, &d->secs) == -1)
			return -1;
	}
	*pp = p;
	return 0;
}

/*
 * Parses a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0".  Offsets in
 * the string count west positive; the rule keeps them east positive.
 * Without a rule part, daylight time follows the US rule (POSIX's and
 * glibc's default).  Returns 0 or -1.
 */
static int
tz_parse_rule(const char *s, struct tz_rule *r)
{
	const char *p = s;
	int32_t o;

	memset(r, 0, sizeof(*r));
	if (tz_parse_abbr(&p) == -1 || tz_parse_hms(&p, 24, &o) == -1)
		return -1;
	r->std_off = -o;
	r->dst_off = r->std_off;
	if (*p == '\0')
		return 0;
	if (tz_parse_abbr(&p) == -1)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*p == '+' || *p == '-' || (*p >= '0' && *p <= '9')) {
		if (tz_parse_hms(&p, 24, &o) == -1)
			return -1;
		r->dst_off = -o;
	}
	if (*p == '\0')
		p = ",M3.2.0,M11.1.0";
	if (*p++ != ',' || tz_parse_date(&p, &r->start) == -1 ||
	    *p++ != ',' || tz_parse_date(&p, &r->end) == -1 || *p != '\0')
		return -1;
	return 0;
}

static int
tz_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of rule date d in year y. */
static int64_t
tz_date_day(const struct tz_date *d, int64_t y)
{
	int64_t first, day, len;
	int wd;

	switch (d->kind) {
	case TZD_JULIAN1:
		day = time_days_from_civil(y, 1, 1) + d->n - 1;
		if (tz_leap(y) && d->n >= 60)
			day++;
		return day;
	case TZD_JULIAN0:
		return time_days_from_civil(y, 1, 1) + d->n;
	case TZD_MONTH:
	default:
		first = time_days_from_civil(y, (unsigned)d->m, 1);
		len = (d->m == 12 ? time_days_from_civil(y + 1, 1, 1) :
		    time_days_from_civil(y, (unsigned)d->m + 1, 1)) - first;
		/* 1970-01-01 was a Thursday (4); weekdays count from Sunday. */
		wd = (int)(((first + 4) % 7 + 7) % 7);
		day = first + (d->d - wd + 7) % 7 + 7 * (d->w - 1);
		while (day >= first + len)
			day -= 7;
		return day;
	}
}

/* Floor division for seconds to days. */
static int64_t
tz_fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b < 0)
		q--;
	return q;
}

/* The offset by rule r at t and the span [*lo, *hi) within t's year. */
static int32_t
tz_rule_span(const struct tz_rule *r, int64_t t, int64_t *lo, int64_t *hi)
{
	int64_t y, y0, y1, s, e, pts[4], tmp;
	unsigned m, d;
	int dst, i, j;

	if (!r->has_dst) {
		*lo = INT64_MIN;
		*hi = INT64_MAX;
		return r->std_off;
	}
	time_civil_from_days(tz_fdiv(t + r->std_off, SECS_PER_DAY), &y, &m, &d);
	y0 = time_days_from_civil(y, 1, 1) * SECS_PER_DAY - r->std_off;
	y1 = time_days_from_civil(y + 1, 1, 1) * SECS_PER_DAY - r->std_off;
	/* Start is written in standard time, end in daylight time. */
	s = tz_date_day(&r->start, y) * SECS_PER_DAY + r->start.secs -
	    r->std_off;
	e = tz_date_day(&r->end, y) * SECS_PER_DAY + r->end.secs - r->dst_off;
	if (s < e)
		dst = t >= s && t < e;
	else
		dst = !(t >= e && t < s);
	/* The span: the points of {y0, s, e, y1} around t, clipped. */
	pts[0] = y0;
	pts[1] = s < y0 ? y0 : s > y1 ? y1 : s;
	pts[2] = e < y0 ? y0 : e > y1 ? y1 : e;
	pts[3] = y1;
	for (i = 1; i < 4; i++)
		for (j = i; j > 0 && pts[j - 1] > pts[j]; j--) {
			tmp = pts[j];
			pts[j] = pts[j - 1];
			pts[j - 1] = tmp;
		}
	*lo = y0;
	*hi = y1;
	for (i = 0; i < 4; i++) {
		if (pts[i] <= t && pts[i] > *lo)
			*lo = pts[i];
		if (pts[i] > t && pts[i] < *hi)
			*hi = pts[i];
	}
	return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---------------------------------------------------------------- */

struct tzif_counts {
	uint32_t	isut, isstd, leap, time, type, chars;
};

static void
tzif_counts(const unsigned char *h, struct tzif_counts *c)
{
	c->isut = codec_be32_get(h + 20);
	c->isstd = codec_be32_get(h + 24);
	c->leap = codec_be32_get(h + 28);
	c->time = codec_be32_get(h + 32);
	c->type = codec_be32_get(h + 36);
	c->chars = codec_be32_get(h + 40);
}

/* The size of a data block with timestamps of tsz bytes; 0 when absurd. */
static size_t
tzif_block_size(const struct tzif_counts *c, size_t tsz)
{
	if (c->time > 100000 || c->type > 256 || c->chars > 65536 ||
	    c->leap > 10000 || c->type == 0 || c->chars == 0 ||
	    (c->isstd != 0 && c->isstd != c->type) ||
	    (c->isut != 0 && c->isut != c->type))
		return 0;
	return (size_t)c->time * (tsz + 1) + (size_t)c->type * 6 + c->chars +
	    (size_t)c->leap * (tsz + 4) + c->isstd + c->isut;
}

/* Fills z's transitions from the data block at p (timestamps tsz bytes). */
static int
tzif_read_block(struct tz *z, const unsigned char *p,
    const struct tzif_counts *c, size_t tsz)
{
	const unsigned char *times = p, *idx = p + (size_t)c->time * tsz;
	const unsigned char *types = idx + c->time;
	int32_t off;
	size_t i;

	if (c->leap != 0)
		return -1;	/* "right/" zones: Unix time has no leap seconds */
	for (i = 0; i < c->type; i++) {
		off = (int32_t)codec_be32_get(types + 6 * i);
		if (off <= TZ_OFF_MIN || off >= TZ_OFF_MAX || types[6 * i + 4] > 1)
			return -1;
	}
	z->first_off = (int32_t)codec_be32_get(types);
	if (c->time == 0)
		return 0;
	if ((z->at = reallocarray(NULL, c->time, sizeof(*z->at))) == NULL ||
	    (z->off = reallocarray(NULL, c->time, sizeof(*z->off))) == NULL)
		return -1;
	for (i = 0; i < c->time; i++) {
		if (tsz == 8)
			z->at[i] = (int64_t)codec_be64_get(times + 8 * i);
		else
			z->at[i] = (int32_t)codec_be32_get(times + 4 * i);
		if (i > 0 && z->at[i] <= z->at[i - 1])
			return -1;
		if (idx[i] >= c->type)
			return -1;
		z->off[i] = (int32_t)codec_be32_get(types + 6 * idx[i]);
	}
	z->n = c->time;
	return 0;
}

/* Parses the len bytes of a TZif file at p into z.  Returns 0 or -1. */
static int
tzif_parse(struct tz *z, const unsigned char *p, size_t len)
{
	struct tzif_counts c;
	const unsigned char *foot, *nl;
	size_t v1, v2;
	char rule[128];

	if (len < TZ_HDR || memcmp(p, "TZif", 4) != 0)
		return -1;
	tzif_counts(p, &c);
	if ((v1 = tzif_block_size(&c, 4)) == 0 || TZ_HDR + v1 > len)
		return -1;
	if (p[4] == '\0')
		return tzif_read_block(z, p + TZ_HDR, &c, 4);
	/* Version 2+: a second header, the 64-bit block, then the footer. */
	p += TZ_HDR + v1;
	len -= TZ_HDR + v1;
	if (len < TZ_HDR || memcmp(p, "TZif", 4) != 0)
		return -1;
	tzif_counts(p, &c);
	if ((v2 = tzif_block_size(&c, 8)) == 0 || TZ_HDR + v2 > len)
		return -1;
	if (tzif_read_block(z, p + TZ_HDR, &c, 8) == -1)
		return -1;
	foot = p + TZ_HDR + v2;
	len -= TZ_HDR + v2;
	if (len < 2 || foot[0] != '\n' ||
	    (nl = memchr(foot + 1, '\n', len - 1)) == NULL)
		return -1;
	if (nl == foot + 1)
		return 0;			/* no rule */
	if ((size_t)(nl - foot - 1) >= sizeof(rule))
		return -1;
	memcpy(rule, foot + 1, (size_t)(nl - foot - 1));
	rule[nl - foot - 1] = '\0';
	if (tz_parse_rule(rule, &z->rule) == -1)
		return -1;
	z->has_rule = 1;
	return 0;
}

/* Reads the whole file at path into a new *out (*len bytes). */
static int
tz_read_file(const char *path, unsigned char **out, size_t *len)
{
	struct stat sb;
	unsigned char *b = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > TZ_FILE_MAX || sb.st_size < TZ_HDR)
		goto close;
	if ((b = malloc((size_t)sb.st_size)) == NULL)
		goto close;
	if (fileio_pread_all(fd, b, (size_t)sb.st_size, 0) == -1)
		goto free;
	close(fd);
	*out = b;
	*len = (size_t)sb.st_size;
	return 0;
free:
	free(b);
close:
	close(fd);
	return -1;
}

int
tz_load(struct tz **out, const char *name)
{
	const char *dir;
	unsigned char *data = NULL;
	char path[512];
	size_t len;
	struct tz *z;
	int n;

	*out = NULL;
	if (name == NULL)
		name = "";
	if (name[0] != '\0' && !tz_valid_name(name)) {
		log_debug("tz: ill-formed zone name");
		return -1;
	}
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return -1;
	if (name[0] == '\0' || strcmp(name, "UTC") == 0) {
		(void)strlcpy(z->name, "UTC", sizeof(z->name));
		*out = z;
		return 0;
	}
	(void)strlcpy(z->name, name, sizeof(z->name));
	if ((dir = getenv("TZDIR")) == NULL || dir[0] == '\0')
		dir = TZ_DIR_DEFAULT;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    tz_read_file(path, &data, &len) == -1) {
		log_debug("tz: %s: no such zone", z->name);
		goto fail;
	}
	if (tzif_parse(z, data, len) == -1) {
		log_debug("tz: %s: not a usable TZif file", z->name);
		goto fail;
	}
	free(data);
	*out = z;
	return 0;
fail:
	free(data);
	tz_free(z);
	return -1;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->at);
	free(z->off);
	free(z);
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

int32_t
tz_span(const struct tz *z, int64_t t, int64_t *lo, int64_t *hi)
{
	size_t a, b, m;
	int32_t off;

	if (z->n == 0 || t >= z->at[z->n - 1]) {
		if (z->has_rule) {
			off = tz_rule_span(&z->rule, t, lo, hi);
			if (z->n > 0 && *lo < z->at[z->n - 1])
				*lo = z->at[z->n - 1];
			return off;
		}
		*lo = z->n == 0 ? INT64_MIN : z->at[z->n - 1];
		*hi = INT64_MAX;
		return z->n == 0 ? z->first_off : z->off[z->n - 1];
	}
	if (t < z->at[0]) {
		*lo = INT64_MIN;
		*hi = z->at[0];
		return z->first_off;
	}
	/* at[a] <= t < at[b] */
	a = 0;
	b = z->n - 1;
	while (b - a > 1) {
		m = a + (b - a) / 2;
		if (z->at[m] <= t)
			a = m;
		else
			b = m;
	}
	*lo = z->at[a];
	*hi = z->at[b];
	return z->off[a];
}

int32_t
tz_offset(const struct tz *z, int64_t t)
{
	int64_t lo, hi;

	return tz_span(z, t, &lo, &hi);
}

/* ---- the cache ----------------------------------------------------------- */

static struct {
	struct tz	*z;
	uint64_t	 used;
} tz_cache[TZ_CACHE_MAX];
static uint64_t tz_cache_clock;

int
tz_cache_get(const char *name, const struct tz **out)
{
	struct tz *z;
	size_t i, victim = 0;

	if (name == NULL || name[0] == '\0')
		name = "UTC";
	for (i = 0; i < TZ_CACHE_MAX; i++) {
		if (tz_cache[i].z != NULL &&
		    strcmp(tz_cache[i].z->name, name) == 0) {
			tz_cache[i].used = ++tz_cache_clock;
			*out = tz_cache[i].z;
			return 0;
		}
		if (tz_cache[i].z == NULL ||
		    (tz_cache[victim].z != NULL &&
		    tz_cache[i].used < tz_cache[victim].used))
			victim = i;
	}
	if (tz_load(&z, name) == -1)
		return -1;
	tz_free(tz_cache[victim].z);
	tz_cache[victim].z = z;
	tz_cache[victim].used = ++tz_cache_clock;
	*out = z;
	return 0;
}

void
tz_cache_clear(void)
{
	size_t i;

	for (i = 0; i < TZ_CACHE_MAX; i++) {
		tz_free(tz_cache[i].z);
		tz_cache[i].z = NULL;
		tz_cache[i].used = 0;
	}
}
