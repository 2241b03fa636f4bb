/*
 * ratelimit.c — the token bucket, backoff with full jitter, and
 * Retry-After parsing (see ratelimit.h).
 *
 * Why a bucket sized burst + rate * window <= max: Spotify counts requests
 * in a rolling 30-second window.  A bucket as large as the window's limit
 * would allow a full bucket plus a window's refill inside one window,
 * twice the limit; keeping the burst small and the refill at the rest keeps
 * every window under the limit while still letting a sweep start quickly.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "timeutil.h"

void
ratelimit_init(struct ratelimit *rl, long max, long window_s, int64_t now_ms)
{
	double burst;

	if (max < 1)
		max = 1;
	if (window_s < 1)
		window_s = 1;
	burst = (double)max / 10.0;
	if (burst < 1.0)
		burst = 1.0;
	rl->burst = burst;
	/*
	 * max == 1: the burst is the whole budget, and one token per window
	 * comes back exactly when the window has passed.
	 */
	rl->rate = max > 1 ? ((double)max - burst) / ((double)window_s * 1000.0)
	    : 1.0 / ((double)window_s * 1000.0);
	rl->tokens = burst;
	rl->last_ms = now_ms;
}

int64_t
ratelimit_take(struct ratelimit *rl, int64_t now_ms)
{
	double need;

	if (now_ms > rl->last_ms) {
		rl->tokens += (double)(now_ms - rl->last_ms) * rl->rate;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
		rl->last_ms = now_ms;
	}
	if (rl->tokens >= 1.0) {
		rl->tokens -= 1.0;
		return 0;
	}
	need = (1.0 - rl->tokens) / rl->rate;
	return need < 1.0 ? 1 : (int64_t)need + 1;
}

int64_t
ratelimit_backoff_cap(unsigned attempt, int64_t base_ms, int64_t cap_ms)
{
	int64_t d = base_ms;

	while (attempt-- > 0 && d < cap_ms)
		d *= 2;
	return d < cap_ms ? d : cap_ms;
}

int64_t
ratelimit_backoff(unsigned attempt, int64_t base_ms, int64_t cap_ms)
{
	int64_t cap = ratelimit_backoff_cap(attempt, base_ms, cap_ms);

	if (cap <= 0)
		return 0;
	if (cap >= UINT32_MAX)
		cap = UINT32_MAX - 1;
	return (int64_t)arc4random_uniform((uint32_t)cap + 1);
}

int
ratelimit_parse_retry_after(const char *value, int64_t now_ms,
    int64_t server_date_ms, long max_s, int64_t *delay_ms)
{
	const char *errstr;
	char num[32];
	size_t n;
	long long secs;
	int64_t when_s, d;

	while (*value == ' ' || *value == '\t')
		value++;
	n = strcspn(value, " \t\r\n");
	if (n > 0 && isdigit((unsigned char)value[0])) {
		if (n >= sizeof(num))
			secs = max_s;	/* absurdly long: clamp */
		else {
			memcpy(num, value, n);
			num[n] = '\0';
			secs = strtonum(num, 0, LLONG_MAX / 1000, &errstr);
			if (errstr != NULL) {
				if (strspn(num, "0123456789") != n)
					return -1;
				secs = max_s;	/* too large: clamp */
			}
		}
		if (secs > max_s)
			secs = max_s;
		*delay_ms = secs * 1000;
		return 0;
	}
	if (time_parse_http_date(value, &when_s) == -1)
		return -1;
	d = when_s * 1000 + 1000 -
	    (server_date_ms > 0 ? server_date_ms - server_date_ms % 1000 : now_ms);
	if (d < 0)
		d = 0;
	if (d > (int64_t)max_s * 1000)
		d = (int64_t)max_s * 1000;
	*delay_ms = d;
	return 0;
}
