/*
 * cadence.h — how often each user's plays are polled: an interval that
 * follows the listener.
 *
 * Spotify shows only a user's last 50 plays, so a poll interval is safe
 * only while the user cannot play 50 tracks within it.  The rule
 * (cadence_choose, pure, unit-tested) keeps each user's interval between
 * the floor (poll_interval) and a ceiling (poll_interval_max):
 *  - the floor when the schedule is fixed (poll_adaptive = 0), while a gap
 *    was recorded within the last CADENCE_RECOVER_S ("recovering from a
 *    gap"), when the last poll found plays ("active"), and while the user
 *    is new ("learning") until the plays known of them cover
 *    CADENCE_LEARN_MIN_S, a week, so that habits that come back only every
 *    few days, such as 30-second skims, are seen before any interval grows
 *    (or up to CADENCE_LEARN_MAX_S from enrolment until their journal first
 *    holds 50 plays).  The week counts from the oldest play in the journal
 *    when it was first scanned, if that is older than enrolment: the first
 *    recently-played page holds every play of its span (up to 50), and an
 *    imported history every play of its own, so a light listener whose
 *    last 50 plays took over a week, or a user with an imported history,
 *    is known at once, and anyone else after a week of complete journal,
 *    as if watched at the floor all along;
 *  - otherwise as long as the user has been idle (time since their newest
 *    play), at most (floor + ceiling) / 2 when the coming hours of the
 *    same weekday held plays in at least half of the last CADENCE_WEEKS
 *    weeks ("usually listening now"), and never more than 95 % of the
 *    shortest time in which the user ever played CADENCE_PLAYS tracks
 *    (their densest listening);
 *  - always a whole multiple of the floor, so that every poll lands on the
 *    user's own slot grid (sched.c's golden-ratio offsets): users stay
 *    spread, and the fixed schedule is the multiple 1.
 *
 * What the rule needs beyond the user record (the densest span, how far
 * the plays were scanned for it and from which play, when the user was
 * first seen, the last
 * interval and why) is kept per user in the store's meta database under
 * "cadence.<user id>" (encoded by lib/cadence_rec.c, which the reader
 * shares), written in the poll's own transaction, so it
 * survives restarts.  It is derived data: a lost or damaged record is
 * rebuilt from the plays (one scan of the user's journal); the first
 * scan reads the whole journal (an imported history included), later ones
 * only plays newer than the last scanned; the importer asks for a whole
 * scan again (cadence_rec_rescan) when it stores plays.
 * remove-user
 * deletes it with the rest of the user's records (cadence_forget).
 *
 * Error convention: cadence_choose and cadence_next_poll cannot fail; the
 * functions taking a transaction return 0 or -1 (store failure, logged by
 * the store).
 */
#ifndef LN_CADENCE_H
#define LN_CADENCE_H

#include <stddef.h>
#include <stdint.h>

#include "cadence_rec.h"

#define CADENCE_PLAYS		50	/* a recently-played page */
#define CADENCE_RECOVER_S	86400	/* floor this long after a gap */
#define CADENCE_LEARN_MIN_S	(7 * 86400)	/* floor for a new user */
#define CADENCE_LEARN_MAX_S	(14 * 86400)	/* ... until 50 plays known */
#define CADENCE_WEEKS		4	/* weeks of hour-of-week profile */

struct config;
struct store_txn;
struct user;

/* What the rule knows of one user at the end of a plays poll. */
struct cadence_in {
	int64_t		 now_s;
	int32_t		 floor_s;	/* poll_interval */
	int32_t		 ceiling_s;	/* poll_interval_max (>= floor_s) */
	int		 adaptive;	/* poll_adaptive */
	int		 found;		/* this poll stored new plays */
	int64_t		 last_play_ms;	/* newest play, 0 = none */
	int64_t		 last_gap_s;	/* newest gap's recorded_at, 0 = none */
	int64_t		 dense_ms;	/* shortest span of CADENCE_PLAYS plays,
					   0 = fewer than that ever */
	int64_t		 since_s;	/* when the user was first seen */
	int64_t		 known_s;	/* oldest play of the journal first
					   scanned, 0 = none */
	uint32_t	 usual_weeks;	/* past weeks with plays in the coming
					   ceiling_s of the same weekday */
	uint32_t	 weeks;		/* weeks looked at */
};

struct cadence_out {
	int32_t		 interval_s;	/* a multiple of floor_s */
	enum cadence_why why;
	int		 dense_capped;	/* the densest listening set the limit */
};

/* Chooses the interval for in (see the rule above).  Cannot fail. */
void	cadence_choose(const struct cadence_in *in, struct cadence_out *out);

/*
 * The next poll time: the slot of the user's grid (offset_s modulo
 * floor_s) that lies interval_s - floor_s after the next one, i.e.
 * sched_next_slot(now_s + interval_s - floor_s, offset_s, floor_s).
 */
int64_t	cadence_next_poll(int64_t now_s, int32_t offset_s, int32_t floor_s,
	    int32_t interval_s);

/*
 * The shortest end-to-end span of k consecutive times in t[0..n) (any
 * order of consecutive: ascending or descending), 0 when n < k or k < 2.
 */
int64_t	cadence_min_span(const int64_t *t, size_t n, size_t k);

/*
 * After a successful plays poll, inside its write transaction: updates the
 * user's densest span with the plays stored since the last update, reads
 * the newest gap and the hour-of-week profile, chooses the interval and
 * sets cur->next_plays (cur->last_poll is now; prev_cursor_ms the cursor
 * before the poll, to tell whether it found plays).  Stores the cadence
 * record.  Returns 0 or -1.
 */
int	cadence_apply(struct store_txn *txn, const struct config *cfg,
	    struct user *cur, int64_t prev_cursor_ms);

/*
 * Writes a line for people about user id's cadence into buf (size bytes):
 * "every 40 min: idle since 2026-01-05T02:10:00Z", or "" when none was
 * chosen yet.  Returns 0, or -1 on a store failure.
 */
int	cadence_describe(struct store_txn *txn, const char *id, char *buf,
	    size_t size);

/*
 * Deletes user id's cadence record (remove-user, with the user's purge).
 * Returns 0 (also when there was none) or -1.
 */
int	cadence_forget(struct store_txn *txn, const char *id);

#endif
