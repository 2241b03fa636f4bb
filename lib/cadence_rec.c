/*
 * cadence_rec.c — the encoding of the per-user poll interval record in the
 * meta database (layout in cadence_rec.h), so that the collector, which
 * writes it, and the reader, which shows it to the owner, agree on it.
 */
#include <stdio.h>
#include <string.h>

#include "cadence_rec.h"
#include "schema.h"
#include "store.h"

#define CADENCE_REC_VERSION	2
#define CADENCE_REC_LEN		55

const char *const cadence_whys[CADENCE__MAX] = {
	[CADENCE_FIXED] = "fixed schedule",
	[CADENCE_GAP] = "recovering from a gap",
	[CADENCE_ACTIVE] = "active",
	[CADENCE_LEARNING] = "learning the listener's pace",
	[CADENCE_IDLE] = "idle",
	[CADENCE_USUAL] = "idle, usually listening at this hour",
};

const char *const cadence_why_names[CADENCE__MAX] = {
	[CADENCE_FIXED] = "fixed",
	[CADENCE_GAP] = "gap",
	[CADENCE_ACTIVE] = "active",
	[CADENCE_LEARNING] = "learning",
	[CADENCE_IDLE] = "idle",
	[CADENCE_USUAL] = "usual",
};

static void
cadence_rec_key(const char *id, char *key, size_t size)
{
	(void)snprintf(key, size, "cadence.%s", id);
}

static void
put_be(unsigned char **p, uint64_t v, int bytes)
{
	while (bytes-- > 0)
		*(*p)++ = (unsigned char)(v >> (8 * bytes));
}

static uint64_t
get_be(const unsigned char **p, int bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | *(*p)++;
	return v;
}

int
cadence_rec_get(struct store_txn *txn, const char *id, struct cadence_rec *r)
{
	unsigned char buf[CADENCE_REC_LEN + 1];
	const unsigned char *p = buf;
	char key[16 + USER_ID_MAX];
	size_t len = sizeof(buf);
	int rc;

	memset(r, 0, sizeof(*r));
	cadence_rec_key(id, key, sizeof(key));
	if ((rc = store_get_meta(txn, key, buf, &len)) == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if (len != CADENCE_REC_LEN || buf[0] != CADENCE_REC_VERSION)
		return 0;	/* rebuilt from the plays */
	p++;
	r->dense_ms = (int64_t)get_be(&p, 8);
	r->scanned_ms = (int64_t)get_be(&p, 8);
	r->known_ms = (int64_t)get_be(&p, 8);
	r->since_s = (int64_t)get_be(&p, 8);
	r->interval_s = (int32_t)get_be(&p, 4);
	r->why = (uint8_t)get_be(&p, 1);
	r->dense_capped = (uint8_t)get_be(&p, 1);
	r->idle_since_ms = (int64_t)get_be(&p, 8);
	r->decided_s = (int64_t)get_be(&p, 8);
	return 0;
}

int
cadence_rec_put(struct store_txn *txn, const char *id,
    const struct cadence_rec *r)
{
	unsigned char buf[CADENCE_REC_LEN], *p = buf;
	char key[16 + USER_ID_MAX];

	*p++ = CADENCE_REC_VERSION;
	put_be(&p, (uint64_t)r->dense_ms, 8);
	put_be(&p, (uint64_t)r->scanned_ms, 8);
	put_be(&p, (uint64_t)r->known_ms, 8);
	put_be(&p, (uint64_t)r->since_s, 8);
	put_be(&p, (uint64_t)(uint32_t)r->interval_s, 4);
	put_be(&p, r->why, 1);
	put_be(&p, r->dense_capped, 1);
	put_be(&p, (uint64_t)r->idle_since_ms, 8);
	put_be(&p, (uint64_t)r->decided_s, 8);
	cadence_rec_key(id, key, sizeof(key));
	return store_put_meta(txn, key, buf, sizeof(buf)) == STORE_OK ? 0 : -1;
}

int
cadence_rec_rescan(struct store_txn *txn, const char *id)
{
	struct cadence_rec r;

	if (cadence_rec_get(txn, id, &r) == -1)
		return -1;
	if (r.scanned_ms == 0 && r.dense_ms == 0 && r.known_ms == 0)
		return 0;	/* none, or nothing scanned yet */
	r.dense_ms = r.scanned_ms = r.known_ms = 0;
	return cadence_rec_put(txn, id, &r);
}

int
cadence_rec_del(struct store_txn *txn, const char *id)
{
	char key[16 + USER_ID_MAX];

	cadence_rec_key(id, key, sizeof(key));
	return store_del_meta(txn, key) == STORE_ERR ? -1 : 0;
}
