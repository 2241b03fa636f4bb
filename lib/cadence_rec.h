/*
 * cadence_rec.h — the per-user record of the plays poll interval, shared by
 * the collector, which chooses and writes it (collector/cadence.c), and the
 * reader, which shows the owner their interval and why (GET /api/v0/me).
 *
 * The record lives in the store's meta database under "cadence.<user id>"
 * (version 1, big-endian):
 *   u8 version, i64 dense_ms, i64 scanned_ms, i64 since_s, i32 interval_s,
 *   u8 why, u8 dense_capped, i64 idle_since_ms, i64 decided_s.
 * It is derived data: a missing or damaged record reads as all zeroes
 * (decided_s = 0: no interval chosen yet), and the collector rebuilds it.
 *
 * Error convention: 0 / -1 (a store failure, logged by the store).
 */
#ifndef LN_CADENCE_REC_H
#define LN_CADENCE_REC_H

#include <stdint.h>

/* Why a user's interval is what it is. */
enum cadence_why {
	CADENCE_FIXED,		/* poll_adaptive = 0 */
	CADENCE_GAP,		/* a gap recorded recently */
	CADENCE_ACTIVE,		/* the last poll found plays */
	CADENCE_LEARNING,	/* a new user: pace not known yet */
	CADENCE_IDLE,		/* idle since the newest play */
	CADENCE_USUAL,		/* idle, but usually listening at this hour */
	CADENCE__MAX
};

/* Words for people, indexed by enum cadence_why ("recovering from a gap"). */
extern const char *const cadence_whys[CADENCE__MAX];

/* Short names for programs, indexed by enum cadence_why ("gap"). */
extern const char *const cadence_why_names[CADENCE__MAX];

struct store_txn;

/* The record, decoded. */
struct cadence_rec {
	int64_t		 dense_ms;	/* shortest span of 50 plays, 0 none */
	int64_t		 scanned_ms;	/* plays scanned up to this time */
	int64_t		 known_ms;	/* oldest play scanned, 0 none */
	int64_t		 since_s;	/* when the user was first seen */
	int32_t		 interval_s;	/* the interval chosen */
	uint8_t		 why;		/* enum cadence_why */
	uint8_t		 dense_capped;	/* the densest listening set it */
	int64_t		 idle_since_ms;	/* newest play when chosen, 0 none */
	int64_t		 decided_s;	/* when chosen, 0 = never */
};

/*
 * Reads user id's record into *r (zeroed when absent or damaged).
 * Returns 0, or -1 on a store failure.
 */
int	cadence_rec_get(struct store_txn *txn, const char *id,
	    struct cadence_rec *r);

/* Writes user id's record (inside a write transaction).  Returns 0 or -1. */
int	cadence_rec_put(struct store_txn *txn, const char *id,
	    const struct cadence_rec *r);

/*
 * Makes the collector scan user id's whole journal again at their next
 * plays poll (the densest span and known_ms start over; the rest stays):
 * the importer calls it when it stored plays, so that an imported history
 * counts.  Returns 0 (also when there is no record) or -1.
 */
int	cadence_rec_rescan(struct store_txn *txn, const char *id);

/* Deletes user id's record.  Returns 0 (also when there was none) or -1. */
int	cadence_rec_del(struct store_txn *txn, const char *id);

#endif
