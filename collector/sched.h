/*
 * sched.h — when each user's jobs run.
 *
 * Pure functions of (now, user, intervals), unit-tested:
 *  - per-user offsets spread evenly over the poll interval, so that a
 *    thousand users never fire at :00 together.  The k-th user to be
 *    scheduled gets offset frac(k * phi^-1) * interval (the golden-ratio
 *    sequence): for any number of users the offsets stay nearly evenly
 *    spaced, and adding a user never moves anyone else's;
 *  - the next slot of a user: the first time after now that lies on
 *    offset + n * interval;
 *  - the retry delay of a failing job: exponential, capped, jittered;
 *  - the start of the week (Monday 00:00) in the user's time zone, for
 *    Discover Weekly, and which week a play falls in there.
 *
 * Error convention: none of these fail; an unknown time zone is UTC.
 */
#ifndef LN_SCHED_H
#define LN_SCHED_H

#include <stdint.h>

/* The offset in [0, interval_s) of the k-th user scheduled. */
int32_t	sched_offset(uint32_t k, int32_t interval_s);

/* The smallest t > now_s with t = offset_s (mod interval_s). */
int64_t	sched_next_slot(int64_t now_s, int32_t offset_s, int32_t interval_s);

/*
 * When to try a failed job again: after min(cap_s, 30 s * 2^(failures-1)),
 * less up to a quarter of it at random so that users who failed together
 * do not retry together.  failures >= 1.
 */
int64_t	sched_retry_at(int64_t now_s, uint32_t failures, int64_t cap_s);

/*
 * The week containing t_s in time zone tz (IANA name, "" = UTC): *week
 * receives the day number (days since 1970-01-01) of its Monday's local
 * date and *start_s the Unix time of that Monday 00:00 local.  Both may
 * be NULL.
 */
void	sched_local_week(int64_t t_s, const char *tz, int32_t *week,
	    int64_t *start_s);

#endif
