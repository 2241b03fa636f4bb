/*
 * dedupe.h — when two reports are the same play.
 *
 * A play can reach the store three ways: from recently-played (the
 * collector, SOURCE_API, end time in ms), from the extended streaming
 * history (SOURCE_EXTENDED, end time "ts" to the second) and from account
 * data (SOURCE_ACCOUNT, end time to the minute, truncated).  The same play
 * reported twice must be stored once, so a new report is compared with the
 * plays already stored around its time: it is the same play as an
 * existing one when the track is the same and the existing play's time
 * lies in the window below (offsets from the new report's played_at, in
 * ms, both ends included):
 *
 *   new \ existing      API / EXTENDED          ACCOUNT
 *   API / EXTENDED      -15 s .. +15 s          -75 s .. +15 s
 *   ACCOUNT             -15 s .. +75 s           0    .. +999 ms
 *
 * Why: both precise sources give the end of the play, to within a second
 * of each other; 15 s is half the shortest play that counts (30 s), so two
 * real plays of one track never fall into one window.  An account row
 * says only the minute the play ended in (endTime is truncated), so the
 * precise end lies within the following 60 s: 15 s of slack on each side.
 * Two account rows are the same play only in the same minute (a stored
 * account play sits at its minute plus at most 999 ms, see import.c).
 *
 * "The same track" means the same track id; callers that know a track
 * only by name pass its synthetic id too (ids_synthetic), so a name-only
 * play stored earlier still matches.  When several stored plays qualify,
 * the earliest one that the caller has not already claimed wins: imports
 * walk their rows in time order, so matching stays one-to-one and in
 * order even for a short track played twice within a minute.
 *
 * Error convention: dedupe_find() returns 1 (found), 0 (none) or -1 (the
 * store failed).
 */
#ifndef LN_DEDUPE_H
#define LN_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

struct store_txn;

#define DEDUPE_PRECISE_MS	15000	/* API / extended against each other */
#define DEDUPE_MINUTE_MS	60000	/* account data's precision */

/*
 * The window for a new report of source src against stored plays of
 * source have: a stored play at e matches a new one at t when
 * t + *lo <= e <= t + *hi.
 */
void	dedupe_window(enum play_source src, enum play_source have,
	    int64_t *lo, int64_t *hi);

/*
 * Looks for a stored play of user that is the same play as a new report
 * of source src at played_at whose track is any of ids[0..n_ids-1].
 * claimed (may be NULL) is asked about each candidate's played_at and
 * returns 1 to pass over it (already matched or written by the caller).
 * On a match *found (may be NULL) receives the stored play (its strings
 * are valid while txn lasts).  Returns 1, 0 or -1.
 */
int	dedupe_find(struct store_txn *txn, const char *user, int64_t played_at,
	    enum play_source src, const char *const ids[], size_t n_ids,
	    int (*claimed)(int64_t at, void *arg), void *arg,
	    struct play *found);

#endif
