/*
 * cadence.c — each user's plays poll interval, from what their own journal
 * says about them (see cadence.h for the rule).
 *
 * The rule itself (cadence_choose) is a pure function of a struct of plain
 * numbers, so that its unit tests are hand-made journals.  The rest reads
 * those numbers from the store through store.h's public API, inside the
 * poll's write transaction: the newest gap, the hour-of-week buckets of the
 * aggregates, and the densest listening, which is kept incrementally (each
 * poll scans only the plays stored since the previous one, plus the 49
 * before them) in a small per-user record in the meta database.
 *
 * The record ("cadence.<user id>") is encoded by lib/cadence_rec.c, which
 * the reader shares to show the owner their interval.  The user's purge
 * (store.c) knows nothing of it; remove-user calls cadence_forget() in the
 * same transaction.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cadence.h"
#include "config.h"
#include "schema.h"
#include "store.h"
#include "timeutil.h"

#define CADENCE_WEEK_MS		(7LL * 86400 * 1000)

/* ---- the rule ------------------------------------------------------------ */

void
cadence_choose(const struct cadence_in *in, struct cadence_out *out)
{
	int64_t floor_s = in->floor_s > 0 ? in->floor_s : 1;
	int64_t ceil_s = in->ceiling_s > floor_s ? in->ceiling_s : floor_s;
	int64_t want, safe, k, known = in->since_s;
	int learning;

	memset(out, 0, sizeof(*out));
	out->interval_s = (int32_t)floor_s;
	if (!in->adaptive) {
		out->why = CADENCE_FIXED;
		return;
	}
	if (in->last_gap_s > 0 && in->now_s - in->last_gap_s <
	    CADENCE_RECOVER_S) {
		out->why = CADENCE_GAP;
		return;
	}
	if (in->found) {
		out->why = CADENCE_ACTIVE;
		return;
	}
	/* A week of complete journal, watched or found at enrolment. */
	if (in->known_s > 0 && in->known_s < known)
		known = in->known_s;
	learning = in->now_s - known < CADENCE_LEARN_MIN_S ||
	    (in->dense_ms <= 0 && in->now_s - in->since_s <
	    CADENCE_LEARN_MAX_S);
	if (learning) {
		out->why = CADENCE_LEARNING;
		return;
	}
	/* Idle: as long as the user has been quiet. */
	want = in->last_play_ms > 0 ? in->now_s - in->last_play_ms / 1000 :
	    in->now_s - in->since_s;
	out->why = CADENCE_IDLE;
	if (in->weeks > 0 && 2 * in->usual_weeks >= in->weeks) {
		out->why = CADENCE_USUAL;
		if (want > (floor_s + ceil_s) / 2)
			want = (floor_s + ceil_s) / 2;
	}
	if (want > ceil_s)
		want = ceil_s;
	if (in->dense_ms > 0) {
		safe = in->dense_ms / 1000;
		safe -= safe / 20;
		if (want > safe) {
			want = safe;
			out->dense_capped = 1;
		}
	}
	k = want / floor_s;
	if (k < 1)
		k = 1;
	out->interval_s = (int32_t)(k * floor_s);
}

int64_t
cadence_next_poll(int64_t now_s, int32_t offset_s, int32_t floor_s,
    int32_t interval_s)
{
	int64_t r, from = now_s + interval_s - floor_s;

	if (floor_s <= 0)
		return now_s + 1;
	if (interval_s < floor_s)
		from = now_s;
	r = (from - offset_s) % floor_s;
	if (r < 0)
		r += floor_s;
	return from - r + floor_s;
}

int64_t
cadence_min_span(const int64_t *t, size_t n, size_t k)
{
	int64_t best = 0, d;
	size_t i;

	if (k < 2 || n < k)
		return 0;
	for (i = 0; i + k <= n; i++) {
		d = t[i + k - 1] - t[i];
		if (d < 0)
			d = -d;
		if (best == 0 || d < best)
			best = d;
	}
	return best;
}

/* ---- the record ---------------------------------------------------------- */

int
cadence_forget(struct store_txn *txn, const char *id)
{
	return cadence_rec_del(txn, id);
}

/* ---- reading the journal ------------------------------------------------- */

/*
 * The densest-span scan, newest play first: a ring of the last
 * CADENCE_PLAYS times seen; it stops CADENCE_PLAYS - 1 plays past the
 * first one at or before scanned_ms (every window holding a new play has
 * then been seen).
 */
struct dense_scan {
	int64_t		 ring[CADENCE_PLAYS];
	size_t		 n;
	int64_t		 scanned_ms;
	int64_t		 newest;
	int64_t		 best;
	int64_t		 oldest;	/* the last play seen */
	unsigned	 past;		/* plays seen at or before scanned_ms */
};

static int
dense_play(const struct play_ref *p, void *arg)
{
	struct dense_scan *s = arg;
	int64_t first, d;

	if (s->n == 0)
		s->newest = p->played_at;
	if (s->scanned_ms > 0 && p->played_at <= s->scanned_ms &&
	    ++s->past >= CADENCE_PLAYS)
		return 1;
	s->oldest = p->played_at;
	s->ring[s->n % CADENCE_PLAYS] = p->played_at;
	s->n++;
	if (s->n >= CADENCE_PLAYS) {
		first = s->ring[(s->n - CADENCE_PLAYS) % CADENCE_PLAYS];
		d = first - p->played_at;
		if (d > 0 && (s->best == 0 || d < s->best))
			s->best = d;
	}
	return 0;
}

static int
first_gap(const struct gap *g, void *arg)
{
	*(int64_t *)arg = g->recorded_at;
	return 1;
}

static int
any_plays(const struct agg_bucket *b, void *arg)
{
	if (b->plays == 0)
		return 0;
	*(int *)arg = 1;
	return 1;
}

int
cadence_apply(struct store_txn *txn, const struct config *cfg,
    struct user *cur, int64_t prev_cursor_ms)
{
	struct cadence_rec r;
	struct cadence_in in;
	struct cadence_out out;
	struct dense_scan s;
	int64_t now = cur->last_poll, from;
	uint32_t w;
	int hit;

	if (cadence_rec_get(txn, cur->id, &r) == -1)
		return -1;
	if (r.since_s == 0)
		r.since_s = cur->created_at > 0 && cur->created_at < now ?
		    cur->created_at : now;
	memset(&in, 0, sizeof(in));
	in.now_s = now;
	in.floor_s = (int32_t)config_num(cfg, CFG_POLL_INTERVAL);
	in.ceiling_s = (int32_t)config_num(cfg, CFG_POLL_INTERVAL_MAX);
	in.adaptive = config_num(cfg, CFG_POLL_ADAPTIVE) != 0;
	in.found = cur->cursor_ms > prev_cursor_ms;
	in.last_play_ms = cur->cursor_ms;
	in.since_s = r.since_s;
	/* Nothing new since the last scan: the densest span stands. */
	if (in.adaptive && (r.scanned_ms == 0 ||
	    cur->cursor_ms > r.scanned_ms)) {
		memset(&s, 0, sizeof(s));
		s.scanned_ms = r.scanned_ms;
		if (store_scan_plays(txn, cur->id, INT64_MIN, INT64_MAX,
		    STORE_DESC, dense_play, &s) != STORE_OK)
			return -1;
		if (s.best > 0 && (r.dense_ms == 0 || s.best < r.dense_ms))
			r.dense_ms = s.best;
		/* A whole scan: the journal is known from its oldest play. */
		if (r.scanned_ms == 0 && s.n > 0)
			r.known_ms = s.oldest;
		if (s.newest > r.scanned_ms)
			r.scanned_ms = s.newest;
	}
	if (in.adaptive) {
		if (store_iter_gaps(txn, cur->id, INT64_MIN, INT64_MAX,
		    STORE_DESC, first_gap, &in.last_gap_s) != STORE_OK)
			return -1;
		for (w = 1; w <= CADENCE_WEEKS; w++) {
			from = now * 1000 - (int64_t)w * CADENCE_WEEK_MS;
			hit = 0;
			if (store_iter_agg(txn, cur->id, from, from +
			    (int64_t)in.ceiling_s * 1000, STORE_ASC, any_plays,
			    &hit) != STORE_OK)
				return -1;
			in.usual_weeks += (uint32_t)hit;
			in.weeks++;
		}
	}
	in.dense_ms = r.dense_ms;
	in.known_s = r.known_ms / 1000;
	cadence_choose(&in, &out);
	cur->next_plays = cadence_next_poll(now, cur->offset_s, in.floor_s,
	    out.interval_s);
	r.interval_s = out.interval_s;
	r.why = (uint8_t)out.why;
	r.dense_capped = (uint8_t)out.dense_capped;
	r.idle_since_ms = cur->cursor_ms;
	r.decided_s = now;
	return cadence_rec_put(txn, cur->id, &r);
}

int
cadence_describe(struct store_txn *txn, const char *id, char *buf,
    size_t size)
{
	struct cadence_rec r;
	char since[32] = "", dense[96] = "";

	if (size > 0)
		buf[0] = '\0';
	if (cadence_rec_get(txn, id, &r) == -1)
		return -1;
	if (r.decided_s == 0 || r.why >= CADENCE__MAX)
		return 0;
	if ((r.why == CADENCE_IDLE || r.why == CADENCE_USUAL) &&
	    r.idle_since_ms > 0 &&
	    time_format_iso8601(r.idle_since_ms, since, 0) == -1)
		since[0] = '\0';
	if (r.dense_ms > 0)
		(void)snprintf(dense, sizeof(dense), "; %d plays in %lld min "
		    "at the densest%s", CADENCE_PLAYS,
		    (long long)(r.dense_ms / 60000),
		    r.dense_capped ? ", which sets the limit" : "");
	(void)snprintf(buf, size, "every %d min: %s%s%s%s", r.interval_s / 60,
	    cadence_whys[r.why], since[0] != '\0' ? " since " : "", since,
	    dense);
	return 0;
}
