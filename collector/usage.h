/*
 * usage.h — the collector's Spotify requests into the store, for
 * /api/v0/health (lib/quota.h keeps them by 10-minute slot).
 *
 * Error convention: 0 / -1 (the store failed; logged there).
 */
#ifndef LN_USAGE_H
#define LN_USAGE_H

#include <stdint.h>

struct spotify;
struct store;

/*
 * Adds the requests st's engine sp sent since the last call (the whole
 * process's totals, so a call that failed is made up by the next one) to
 * the slot of now_s, in a write transaction of its own.  Returns 0 or -1.
 */
int	usage_write(struct store *st, const struct spotify *sp, int64_t now_s);

#endif
