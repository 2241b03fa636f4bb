/*
 * timeutil.h — the clock, calendar arithmetic and timestamp formats.
 *
 * linernotes keeps time as Unix milliseconds (plays) or seconds (records'
 * bookkeeping), always UTC.  Days are counted from 1970-01-01 (day 0) and
 * may be negative.  The calendar is the proleptic Gregorian one, computed
 * here (days-from-civil) rather than through timegm(3) or the locale, so
 * results never depend on TZ, LC_TIME or the C library.
 *
 * Error convention: parsers and the formatter return 0 or -1; on -1 their
 * output is left unchanged (parsers) or set to "" (formatter).
 */
#ifndef LN_TIMEUTIL_H
#define LN_TIMEUTIL_H

#include <stdint.h>

/*
 * The instants and days linernotes can date: years 0001..9999, UTC.  Plays
 * outside are kept but neither aggregated nor counted by the insights, a
 * client cannot name them, and nothing outside is written as a date
 * (time_format_rfc3339, time_format_day: the API writes null instead).
 */
#define TIME_MS_MIN	INT64_C(-62135596800000)  /* 0001-01-01T00:00:00.000Z */
#define TIME_MS_MAX	INT64_C(253402300799999)  /* 9999-12-31T23:59:59.999Z */
#define TIME_DAY_MIN	(-719162)		  /* 0001-01-01 */
#define TIME_DAY_MAX	2932896			  /* 9999-12-31 */

/* a / b rounded toward minus infinity (b > 0), so -1 ms is in day -1. */
int64_t	time_fdiv(int64_t a, int64_t b);

/*
 * The current time in Unix ms: CLOCK_REALTIME, or the clock file's time
 * once time_use_clock_file() named one.  Every date a program records or
 * compares with a recorded one comes from here, so that the tests and the
 * demo can run linernotes on the simulator's clock.
 */
int64_t	time_now_ms(void);

/*
 * Makes time_now_ms() follow the file at path (the `clock_file` key), or
 * the system clock again when path is NULL or "".  The file holds two
 * decimal numbers, "now_ms real_ms": a time, and the real time at which
 * it was written; the clock runs on from now_ms in step with the real one
 * until the file changes (the simulator rewrites it whenever its clock
 * moves).  The file is read at every call; one that cannot be read or
 * parsed gives the system clock for that call.  Returns 0, or -1 when
 * path is too long.
 */
int	time_use_clock_file(const char *path);

/*
 * Parses an RFC 3339 timestamp with a four-digit year:
 * "YYYY-MM-DDTHH:MM:SS" then an optional fraction ".d" of 1..9 digits
 * (truncated to ms), then "Z" or an offset "+HH:MM" / "-HH:MM".  "t" and
 * "z" may be lower case (RFC 3339 5.6); nothing else is lenient: fields
 * have exactly their width, dates must exist, seconds are 00..59 (leap
 * seconds are refused), nothing may follow.  *ms receives Unix ms.
 * Returns 0 or -1.
 */
int	time_parse_iso8601(const char *s, int64_t *ms);

/*
 * Writes ms as "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DDTHH:MM:SS.mmmZ" when
 * with_ms (TIME_ISO_LEN and TIME_ISO_MS_LEN bytes, then a NUL), into out.
 * Returns 0, or -1 (out = "") when the year is outside 0000..9999.
 */
#define TIME_ISO_LEN	20
#define TIME_ISO_MS_LEN	24
int	time_format_iso8601(int64_t ms, char out[32], int with_ms);
/*
 * The form every API answer and insight gives an instant: as
 * time_format_iso8601(), but only for ms in TIME_MS_MIN..TIME_MS_MAX.
 * Returns 0, or -1 (out = "") outside.
 */
int	time_format_rfc3339(int64_t ms, char out[32], int with_ms);
/*
 * Writes day (days since 1970-01-01) as "YYYY-MM-DD" into out, only for
 * days in TIME_DAY_MIN..TIME_DAY_MAX.  Returns 0, or -1 (out = "").
 */
int	time_format_day(int64_t day, char out[11]);

/* The day (days since 1970-01-01, rounded down, so -1 ms is day -1). */
int32_t	time_day(int64_t ms);
/* The day number of the Monday starting the UTC week that contains ms. */
int32_t	time_week_monday(int64_t ms);

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (m 1..12, d 1..31;
 * not validated), and back.
 */
int64_t	time_days_from_civil(int64_t y, unsigned m, unsigned d);
void	time_civil_from_days(int64_t days, int64_t *y, unsigned *m,
	    unsigned *d);

/*
 * Parses an HTTP date (RFC 9110 5.6.7) into Unix seconds: IMF-fixdate
 * "Sun, 06 Nov 1994 08:49:37 GMT", the obsolete RFC 850 form
 * "Sunday, 06-Nov-94 08:49:37 GMT" and asctime(3)'s
 * "Sun Nov  6 08:49:37 1994".  Names are case-sensitive as the grammar
 * says; the weekday must be a real day name but is not checked against
 * the date.  A two-digit RFC 850 year more than 50 years ahead of the
 * current year is taken as the past century's, as RFC 9110 requires (the
 * only thing here that reads the clock).  Returns 0 or -1.
 */
int	time_parse_http_date(const char *s, int64_t *unix_s);

#endif
