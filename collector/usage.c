/*
 * usage.c — hands the Spotify engine's request counters to the store's
 * quota record (lib/quota.h), from the daemon's heartbeat.
 *
 * The record keeps the totals this process last recorded, tagged with a
 * random instance number drawn once per process, so the counters need no
 * state here beyond that number and a retried or repeated write adds
 * nothing twice.
 */
#include <stdlib.h>

#include "quota.h"
#include "spotify.h"
#include "store.h"
#include "usage.h"

int
usage_write(struct store *st, const struct spotify *sp, int64_t now_s)
{
	static uint64_t instance;
	struct spotify_stats ss;
	struct quota_counts totals;

	while (instance == 0)
		arc4random_buf(&instance, sizeof(instance));
	spotify_get_stats(sp, &ss);
	totals.api = ss.sent[SPOTIFY_SVC_API];
	totals.accounts = ss.sent[SPOTIFY_SVC_ACCOUNTS];
	totals.n429 = ss.n429;
	return quota_write(st, instance, now_s, &totals);
}
