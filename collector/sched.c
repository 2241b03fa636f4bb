/*
 * sched.c — offsets, slots, retry delays and local weeks (see sched.h).
 *
 * Local time is computed with the C library's tz database (TZ set around
 * localtime_r/mktime), the one place linernotes needs a time zone other
 * than UTC; the collector is single-threaded, and the previous TZ is put
 * back afterwards.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"
#include "timeutil.h"

int32_t
sched_offset(uint32_t k, int32_t interval_s)
{
	/* phi^-1 as a 32-bit fraction; k * it mod 2^32 is frac(k / phi). */
	uint32_t frac = (uint32_t)(k * 2654435769u);

	if (interval_s <= 0)
		return 0;
	return (int32_t)(((uint64_t)frac * (uint64_t)interval_s) >> 32);
}

int64_t
sched_next_slot(int64_t now_s, int32_t offset_s, int32_t interval_s)
{
	int64_t r;

	if (interval_s <= 0)
		return now_s + 1;
	r = (now_s - offset_s) % interval_s;
	if (r < 0)
		r += interval_s;
	return now_s - r + interval_s;
}

int64_t
sched_retry_at(int64_t now_s, uint32_t failures, int64_t cap_s)
{
	int64_t d = 30;

	while (failures-- > 1 && d < cap_s)
		d *= 2;
	if (d > cap_s)
		d = cap_s;
	if (d < 1)
		d = 1;
	if (d >= 4)
		d -= (int64_t)arc4random_uniform((uint32_t)(d / 4));
	return now_s + d;
}

void
sched_local_week(int64_t t_s, const char *tz, int32_t *week, int64_t *start_s)
{
	char old[256];
	const char *prev;
	int had = 0, dow;
	struct tm tm;
	time_t t = (time_t)t_s, s;
	int64_t days;

	if ((prev = getenv("TZ")) != NULL && strlen(prev) < sizeof(old)) {
		memcpy(old, prev, strlen(prev) + 1);
		had = 1;
	}
	setenv("TZ", tz != NULL && *tz != '\0' ? tz : "UTC", 1);
	tzset();
	if (localtime_r(&t, &tm) == NULL) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
	}
	dow = (tm.tm_wday + 6) % 7;	/* Monday = 0 */
	days = time_days_from_civil(tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) - dow;
	if (week != NULL)
		*week = (int32_t)days;
	if (start_s != NULL) {
		tm.tm_mday -= dow;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		s = mktime(&tm);
		*start_s = s == (time_t)-1 ? days * 86400 : (int64_t)s;
	}
	if (had)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
}
