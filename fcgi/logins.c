/*
 * logins.c — sign-ins started and not yet finished, kept by the server.
 *
 * The login cookie holds the state and the PKCE verifier; its Max-Age
 * and its removal by the callback are only requests to the browser.  So
 * login also records the state's hash and the time in the store (one
 * meta value, LOGINS_META: up to LOGINS_MAX records of a 16-byte hash and
 * a big-endian issue time), and the callback takes the record out before
 * anything else: a cookie older than LOGINS_TTL, or used once already, is
 * refused whatever the browser sends.  The value is small and bounded;
 * every write drops the expired records, and when LOGINS_MAX are pending
 * at once (a flood of sign-ins, which nginx's limit_req slows) the oldest
 * goes.  Both run in one write transaction each, so two readers racing
 * with one cookie cannot both win.
 */
#include <string.h>

#include "codec.h"
#include "logins.h"
#include "sha256.h"

#define LOGINS_HASH	16			/* bytes of sha256 kept */
#define LOGINS_REC	(LOGINS_HASH + 8)	/* one record */

struct logins_op {
	unsigned char	hash[LOGINS_HASH];
	int64_t		now;
	int		take;		/* 0: issue; 1: take */
	enum logins_rc	rc;		/* take's outcome */
};

static int64_t
logins_get_time(const unsigned char *p)
{
	return (int64_t)codec_be64_get(p);
}

static void
logins_put_time(unsigned char *p, int64_t t)
{
	codec_be64_put(p, (uint64_t)t);
}

static int
logins_write_fn(struct store_txn *txn, void *arg)
{
	static unsigned char in[LOGINS_MAX * LOGINS_REC];
	static unsigned char out[(LOGINS_MAX + 1) * LOGINS_REC];
	struct logins_op *op = arg;
	size_t len = sizeof(in), n, i, kept = 0;
	const unsigned char *rec;
	int64_t t;
	int rc;

	rc = store_get_meta(txn, LOGINS_META, in, &len);
	if (rc == STORE_ERR)
		return -1;
	if (rc == STORE_NOTFOUND || len > sizeof(in))
		len = 0;
	n = len / LOGINS_REC;
	op->rc = LOGINS_UNKNOWN;
	for (i = 0; i < n; i++) {
		rec = in + i * LOGINS_REC;
		t = logins_get_time(rec + LOGINS_HASH);
		if (op->take && memcmp(rec, op->hash, LOGINS_HASH) == 0) {
			op->rc = op->now - t <= LOGINS_TTL && t <= op->now ?
			    LOGINS_OK : LOGINS_EXPIRED;
			continue;	/* taken out either way */
		}
		if (op->now - t > LOGINS_TTL)
			continue;	/* expired: dropped */
		memcpy(out + kept * LOGINS_REC, rec, LOGINS_REC);
		kept++;
	}
	if (!op->take) {
		memcpy(out + kept * LOGINS_REC, op->hash, LOGINS_HASH);
		logins_put_time(out + kept * LOGINS_REC + LOGINS_HASH, op->now);
		kept++;
		if (kept > LOGINS_MAX) {	/* the oldest goes */
			memmove(out, out + LOGINS_REC,
			    (kept - 1) * LOGINS_REC);
			kept--;
		}
	}
	if (kept == 0 && n == 0)
		return 0;
	if (kept == 0)
		return store_del_meta(txn, LOGINS_META) == STORE_ERR ? -1 : 0;
	return store_put_meta(txn, LOGINS_META, out, kept * LOGINS_REC) ==
	    STORE_OK ? 0 : -1;
}

/* Runs op for state in one write transaction (0 / -1). */
static int
logins_run(struct store *st, const char *state, struct logins_op *op)
{
	unsigned char d[SHA256_LEN];

	sha256(state, strlen(state), d);
	memcpy(op->hash, d, LOGINS_HASH);
	return store_write(st, logins_write_fn, op) == STORE_OK ? 0 : -1;
}

int
logins_issue(struct store *st, const char *state, int64_t now)
{
	struct logins_op op = { .now = now, .take = 0 };

	return logins_run(st, state, &op);
}

enum logins_rc
logins_take(struct store *st, const char *state, int64_t now)
{
	struct logins_op op = { .now = now, .take = 1 };

	if (logins_run(st, state, &op) == -1)
		return LOGINS_ERR;
	return op.rc;
}
