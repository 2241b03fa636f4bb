/*
 * quota.c — the collector's Spotify requests per 10-minute slot, kept in
 * one meta record (see quota.h).
 *
 * The record (version 1, big-endian): u8 version, u64 instance, u64 the
 * instance's api, accounts and 429 totals last recorded, then QUOTA_SLOTS
 * slots of {i64 slot number (Unix s / QUOTA_SLOT_S), u32 api, u32
 * accounts, u32 429s}; slot n lives at index n % QUOTA_SLOTS, so a slot
 * whose number is not the one asked for is an old one, counted as empty.
 */
#include <string.h>

#include "quota.h"
#include "store.h"

#define QUOTA_META	"spotify.requests"
#define QUOTA_VERSION	1
#define QUOTA_HEAD	(1 + 4 * 8)
#define QUOTA_SLOT_LEN	(8 + 3 * 4)
#define QUOTA_LEN	(QUOTA_HEAD + QUOTA_SLOTS * QUOTA_SLOT_LEN)

static void
quota_put(unsigned char *p, uint64_t v, int bytes)
{
	while (bytes-- > 0)
		*p++ = (unsigned char)(v >> (8 * bytes));
}

static uint64_t
quota_get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* Reads the record into buf (zeroed when absent or damaged); 0 or -1. */
static int
quota_load(struct store_txn *txn, unsigned char buf[QUOTA_LEN])
{
	size_t len = QUOTA_LEN;
	int rc;

	rc = store_get_meta(txn, QUOTA_META, buf, &len);
	if (rc == STORE_ERR)
		return -1;
	if (rc == STORE_NOTFOUND || len != QUOTA_LEN ||
	    buf[0] != QUOTA_VERSION)
		memset(buf, 0, QUOTA_LEN);
	buf[0] = QUOTA_VERSION;
	return 0;
}

static uint64_t
quota_delta(uint64_t now, uint64_t before, int same)
{
	return same && now >= before ? now - before : now;
}

int
quota_record(struct store_txn *txn, uint64_t instance, int64_t now_s,
    const struct quota_counts *t)
{
	unsigned char buf[QUOTA_LEN], *s;
	int64_t slot = now_s / QUOTA_SLOT_S;
	uint64_t d[3];
	int same, i;

	if (quota_load(txn, buf) == -1)
		return -1;
	same = quota_get(buf + 1, 8) == instance;
	d[0] = quota_delta(t->api, quota_get(buf + 9, 8), same);
	d[1] = quota_delta(t->accounts, quota_get(buf + 17, 8), same);
	d[2] = quota_delta(t->n429, quota_get(buf + 25, 8), same);
	quota_put(buf + 1, instance, 8);
	quota_put(buf + 9, t->api, 8);
	quota_put(buf + 17, t->accounts, 8);
	quota_put(buf + 25, t->n429, 8);
	s = buf + QUOTA_HEAD + (size_t)(slot % QUOTA_SLOTS) * QUOTA_SLOT_LEN;
	if ((int64_t)quota_get(s, 8) != slot) {
		memset(s, 0, QUOTA_SLOT_LEN);
		quota_put(s, (uint64_t)slot, 8);
	}
	for (i = 0; i < 3; i++) {
		uint64_t v = quota_get(s + 8 + 4 * i, 4) + d[i];

		quota_put(s + 8 + 4 * i, v > UINT32_MAX ? UINT32_MAX : v, 4);
	}
	return store_put_meta(txn, QUOTA_META, buf, sizeof(buf)) == STORE_OK ?
	    0 : -1;
}

struct quota_write_arg {
	uint64_t			 instance;
	int64_t				 now_s;
	const struct quota_counts	*totals;
};

static int
quota_write_txn(struct store_txn *txn, void *arg)
{
	struct quota_write_arg *a = arg;

	return quota_record(txn, a->instance, a->now_s, a->totals);
}

int
quota_write(struct store *st, uint64_t instance, int64_t now_s,
    const struct quota_counts *totals)
{
	struct quota_write_arg a = { instance, now_s, totals };

	return store_write(st, quota_write_txn, &a) == STORE_OK ? 0 : -1;
}

int
quota_sum(struct store_txn *txn, int64_t now_s, int64_t window_s,
    struct quota_counts *out)
{
	unsigned char buf[QUOTA_LEN];
	const unsigned char *s;
	int64_t slot = now_s / QUOTA_SLOT_S, first, n;

	memset(out, 0, sizeof(*out));
	if (quota_load(txn, buf) == -1)
		return -1;
	if (window_s > (int64_t)QUOTA_SLOTS * QUOTA_SLOT_S)
		window_s = (int64_t)QUOTA_SLOTS * QUOTA_SLOT_S;
	first = (now_s - window_s) / QUOTA_SLOT_S;
	if (first <= slot - QUOTA_SLOTS)
		first = slot - QUOTA_SLOTS + 1;
	for (n = first; n <= slot; n++) {
		s = buf + QUOTA_HEAD + (size_t)(((n % QUOTA_SLOTS) +
		    QUOTA_SLOTS) % QUOTA_SLOTS) * QUOTA_SLOT_LEN;
		if ((int64_t)quota_get(s, 8) != n)
			continue;
		out->api += quota_get(s + 8, 4);
		out->accounts += quota_get(s + 12, 4);
		out->n429 += quota_get(s + 16, 4);
	}
	return 0;
}
