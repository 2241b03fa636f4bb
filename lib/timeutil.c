/*
 * timeutil.c — time as linernotes needs it: UTC, integers, no locale.
 *
 * The calendar conversions are Howard Hinnant's days-from-civil and
 * civil-from-days algorithms (public domain), exact for the proleptic
 * Gregorian calendar over any year an int64_t day count can reach.  All
 * divisions that may see negative numbers round toward minus infinity, so
 * times before 1970 land on the right day.  Parsers are hand-written
 * scanners over fixed grammars: no sscanf, no strptime, no timegm.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "timeutil.h"

#define MS_PER_DAY	INT64_C(86400000)

int64_t
time_fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b < 0)
		q--;
	return q;
}

/* The clock file time_now_ms() follows; "" for the system clock. */
static char time_clock_path[PATH_MAX];

static int64_t
time_system_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parses "now_ms real_ms" (optional trailing newline) into two numbers. */
static int
time_parse_clock(const char *s, int64_t *now, int64_t *real)
{
	char *end;
	long long a, b;

	errno = 0;
	a = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != ' ')
		return -1;
	s = end + 1;
	b = strtoll(s, &end, 10);
	if (errno != 0 || end == s || (*end != '\0' && *end != '\n') ||
	    a < 0 || b < 0)
		return -1;
	*now = a;
	*real = b;
	return 0;
}

int
time_use_clock_file(const char *path)
{
	if (path == NULL)
		path = "";
	if (strlcpy(time_clock_path, path, sizeof(time_clock_path)) >=
	    sizeof(time_clock_path)) {
		time_clock_path[0] = '\0';
		return -1;
	}
	return 0;
}

int64_t
time_now_ms(void)
{
	char buf[64];
	int64_t real = time_system_ms(), now, written;
	ssize_t n;
	int fd;

	if (time_clock_path[0] == '\0')
		return real;
	if ((fd = open(time_clock_path, O_RDONLY | O_CLOEXEC)) == -1)
		return real;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return real;
	buf[n] = '\0';
	if (time_parse_clock(buf, &now, &written) == -1)
		return real;
	return now + (real > written ? real - written : 0);
}

int64_t
time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = time_fdiv(y, 400);
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = time_fdiv(z, 146097);
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int
time_format_rfc3339(int64_t ms, char out[32], int with_ms)
{
	if (ms < TIME_MS_MIN || ms > TIME_MS_MAX) {
		out[0] = '\0';
		return -1;
	}
	return time_format_iso8601(ms, out, with_ms);
}

int
time_format_day(int64_t day, char out[11])
{
	char iso[32];

	if (day < TIME_DAY_MIN || day > TIME_DAY_MAX ||
	    time_format_iso8601(day * MS_PER_DAY, iso, 0) == -1) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, iso, 10);
	out[10] = '\0';
	return 0;
}

int32_t
time_day(int64_t ms)
{
	return (int32_t)time_fdiv(ms, MS_PER_DAY);
}

int32_t
time_week_monday(int64_t ms)
{
	int64_t day = time_fdiv(ms, MS_PER_DAY);

	/* Day 0 (1970-01-01) was a Thursday: 3 days after a Monday. */
	return (int32_t)(day - (day + 3 - time_fdiv(day + 3, 7) * 7));
}

static int
time_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
time_mdays(int64_t y, unsigned m)
{
	static const unsigned char mdays[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && time_leap(y) ? 29 : mdays[m - 1];
}

/* Reads exactly n decimal digits at *pp into *v and advances.  0 / -1. */
static int
time_digits(const char **pp, int n, int64_t *v)
{
	const char *p = *pp;
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return 0;
}

/* Consumes the character c at *pp.  0 / -1. */
static int
time_expect(const char **pp, char c)
{
	if (**pp != c)
		return -1;
	(*pp)++;
	return 0;
}

/* Consumes one of c1 / c2 at *pp.  0 / -1. */
static int
time_expect2(const char **pp, char c1, char c2)
{
	if (**pp != c1 && **pp != c2)
		return -1;
	(*pp)++;
	return 0;
}

/*
 * Checks a date and time of day and turns them into Unix seconds.  sec
 * may be 60 only when leap is set (it then rolls into the next minute).
 */
static int
time_compose(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi,
    int64_t sec, int leap, int64_t *out)
{
	if (mo < 1 || mo > 12 || d < 1 || d > time_mdays(y, (unsigned)mo) ||
	    h > 23 || mi > 59 || sec > (leap ? 60 : 59))
		return -1;
	*out = ((time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 +
	    h) * 60 + mi) * 60 + sec;
	return 0;
}

int
time_parse_iso8601(const char *s, int64_t *ms)
{
	const char *p = s;
	int64_t y, mo, d, h, mi, sec, frac = 0, oh, om, t;
	int n = 0, sign;

	if (s == NULL)
		return -1;
	if (time_digits(&p, 4, &y) == -1 || time_expect(&p, '-') == -1 ||
	    time_digits(&p, 2, &mo) == -1 || time_expect(&p, '-') == -1 ||
	    time_digits(&p, 2, &d) == -1 || time_expect2(&p, 'T', 't') == -1 ||
	    time_digits(&p, 2, &h) == -1 || time_expect(&p, ':') == -1 ||
	    time_digits(&p, 2, &mi) == -1 || time_expect(&p, ':') == -1 ||
	    time_digits(&p, 2, &sec) == -1)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				frac = frac * 10 + (*p - '0');
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
		oh = om = 0;
		sign = 1;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (time_digits(&p, 2, &oh) == -1 ||
		    time_expect(&p, ':') == -1 ||
		    time_digits(&p, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	if (time_compose(y, mo, d, h, mi, sec, 0, &t) == -1)
		return -1;
	/* Local time = UTC + offset, so UTC = local time - offset. */
	t -= sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return 0;
}

int
time_format_iso8601(int64_t ms, char out[32], int with_ms)
{
	/*
	 * The date of the day formatted last: a page's plays and an export's
	 * rows come in time order, so most calls share the day of the call
	 * before and skip the calendar.  Digits are written two at a time,
	 * not through snprintf: this runs once per play of every /plays page
	 * and every exported row.
	 */
	static _Thread_local int64_t last_day = INT64_MIN;
	static _Thread_local char last_date[10];
	int64_t days, rem, y;
	unsigned m, d, sec, frac;

	days = time_fdiv(ms, MS_PER_DAY);
	rem = ms - days * MS_PER_DAY;
	if (days != last_day) {
		time_civil_from_days(days, &y, &m, &d);
		if (y < 0 || y > 9999) {
			out[0] = '\0';
			return -1;
		}
		text_put2(last_date, (unsigned)(y / 100));
		text_put2(last_date + 2, (unsigned)(y % 100));
		last_date[4] = '-';
		text_put2(last_date + 5, m);
		last_date[7] = '-';
		text_put2(last_date + 8, d);
		last_day = days;
	}
	memcpy(out, last_date, 10);
	sec = (unsigned)(rem / 1000);
	out[10] = 'T';
	text_put2(out + 11, sec / 3600);
	out[13] = ':';
	text_put2(out + 14, sec / 60 % 60);
	out[16] = ':';
	text_put2(out + 17, sec % 60);
	if (!with_ms) {
		memcpy(out + 19, "Z", 2);
		return 0;
	}
	frac = (unsigned)(rem % 1000);
	out[19] = '.';
	out[20] = (char)('0' + frac / 100);
	text_put2(out + 21, frac % 100);
	memcpy(out + 23, "Z", 2);
	return 0;
}

/* ---- HTTP dates ---------------------------------------------------------- */

static const char *const time_wday[7] =
    { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const time_wday_long[7] = { "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
static const char *const time_mon[12] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Consumes one of names[0..n-1] at *pp; returns its index or -1. */
static int
time_name(const char **pp, const char *const *names, int n)
{
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (strncmp(*pp, names[i], len) == 0) {
			*pp += len;
			return i;
		}
	}
	return -1;
}

/* hour ":" minute ":" second, each two digits. */
static int
time_hms(const char **pp, int64_t *h, int64_t *mi, int64_t *s)
{
	if (time_digits(pp, 2, h) == -1 || time_expect(pp, ':') == -1 ||
	    time_digits(pp, 2, mi) == -1 || time_expect(pp, ':') == -1 ||
	    time_digits(pp, 2, s) == -1)
		return -1;
	return 0;
}

/* The current UTC year, for RFC 850's two-digit years. */
static int64_t
time_this_year(void)
{
	int64_t y;
	unsigned m, d;

	time_civil_from_days(time_fdiv(time_now_ms(), MS_PER_DAY), &y, &m, &d);
	return y;
}

/* The instant of an HTTP date, its fields as read. */
struct http_date {
	int64_t		 y, d, h, mi, sec;
	int		 mo;		/* 0..11 */
};

/*
 * " DD<sep>Mon<sep>Y HH:MM:SS GMT" to the end of the string, with ydigits
 * digits of year: what follows the day name and its comma in RFC 850
 * (sep '-', two digits) and IMF-fixdate (sep ' ', four).  0 or -1.
 */
static int
time_http_dmy(const char **p, char sep, int ydigits, struct http_date *t)
{
	if (time_expect(p, ' ') == -1 ||
	    time_digits(p, 2, &t->d) == -1 ||
	    time_expect(p, sep) == -1 ||
	    (t->mo = time_name(p, time_mon, 12)) == -1 ||
	    time_expect(p, sep) == -1 ||
	    time_digits(p, ydigits, &t->y) == -1 ||
	    time_expect(p, ' ') == -1 ||
	    time_hms(p, &t->h, &t->mi, &t->sec) == -1 ||
	    strcmp(*p, " GMT") != 0)
		return -1;
	return 0;
}

int
time_parse_http_date(const char *s, int64_t *unix_s)
{
	const char *p = s;
	struct http_date t;
	int64_t now_y;

	if (s == NULL)
		return -1;
	/* The long day names first: "Sunday" must not match as "Sun". */
	if (time_name(&p, time_wday_long, 7) != -1) {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		if (time_expect(&p, ',') == -1 ||
		    time_http_dmy(&p, '-', 2, &t) == -1)
			return -1;
		now_y = time_this_year();
		t.y += now_y - now_y % 100;
		if (t.y > now_y + 50)
			t.y -= 100;
	} else if (time_name(&p, time_wday, 7) != -1) {
		if (*p == ',') {
			/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
			p++;
			if (time_http_dmy(&p, ' ', 4, &t) == -1)
				return -1;
		} else {
			/* asctime: Sun Nov  6 08:49:37 1994 */
			if (time_expect(&p, ' ') == -1 ||
			    (t.mo = time_name(&p, time_mon, 12)) == -1 ||
			    time_expect(&p, ' ') == -1)
				return -1;
			if (*p == ' ') {
				p++;
				if (time_digits(&p, 1, &t.d) == -1)
					return -1;
			} else if (time_digits(&p, 2, &t.d) == -1)
				return -1;
			if (time_expect(&p, ' ') == -1 ||
			    time_hms(&p, &t.h, &t.mi, &t.sec) == -1 ||
			    time_expect(&p, ' ') == -1 ||
			    time_digits(&p, 4, &t.y) == -1 || *p != '\0')
				return -1;
		}
	} else
		return -1;
	/* RFC 9110 allows second 60 (a leap second). */
	return time_compose(t.y, t.mo + 1, t.d, t.h, t.mi, t.sec, 1, unix_s);
}
