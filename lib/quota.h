/*
 * quota.h — the Spotify requests the collector made, by 10-minute slot,
 * for the last day: what /api/v0/health shows of the quota.
 *
 * Spotify counts its quota per developer account across all its apps and
 * publishes no rate, so the operator needs to see what this instance
 * spends.  The collector adds its counters (requests to the Web API and to
 * the accounts service, 429 answers) to one meta record,
 * "spotify.requests", from its heartbeat (quota_write()); the reader sums
 * the slots of the last hour and day.  The record also holds the totals
 * the running collector process last reported, so that adding the same
 * totals twice (a write repeated after the map grew, or two heartbeats
 * without requests) adds nothing.
 *
 * Error convention: 0 / -1 (a store failure, logged by the store); a
 * missing or damaged record reads as no requests.
 */
#ifndef LN_QUOTA_H
#define LN_QUOTA_H

#include <stdint.h>

#define QUOTA_SLOT_S	600
#define QUOTA_SLOTS	144	/* a day */

struct store;
struct store_txn;

struct quota_counts {
	uint64_t	 api;		/* Web API requests */
	uint64_t	 accounts;	/* accounts service (token) requests */
	uint64_t	 n429;		/* 429 answers from either */
};

/*
 * Records the process's running totals (since it started; instance tells
 * one process from the next, e.g. its pid and start time): the increase
 * over the totals last recorded by the same instance (all of them for a new
 * instance) is added to the slot of now_s.  Returns 0 or -1.
 */
int	quota_record(struct store_txn *txn, uint64_t instance, int64_t now_s,
	    const struct quota_counts *totals);
/* The same in a write transaction of its own.  Returns 0 or -1. */
int	quota_write(struct store *st, uint64_t instance, int64_t now_s,
	    const struct quota_counts *totals);

/*
 * Sums into *out the slots that overlap the window_s seconds before now_s
 * (the current slot included; so "the last hour" covers 60 to 70
 * minutes).  window_s is at most a day.  Returns 0 or -1.
 */
int	quota_sum(struct store_txn *txn, int64_t now_s, int64_t window_s,
	    struct quota_counts *out);

#endif
