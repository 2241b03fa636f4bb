/*
 * dedupe.c — the one rule for "this report is a play already stored".
 *
 * Used by the importer for every row and meant for the collector's poll
 * too, so that a play imported from a download and later seen in
 * recently-played (or the other way round) is stored once.  The windows
 * and the reasons for them are in dedupe.h; this file is one table and
 * one bounded scan of the plays around the new report's time.
 */
#include <string.h>

#include "dedupe.h"
#include "store.h"

/* [new report's source][stored play's source] = { lo, hi } in ms. */
static const struct {
	int32_t	lo, hi;
} dedupe_windows[SOURCE__MAX][SOURCE__MAX] = {
	[SOURCE_API] = {
		[SOURCE_API] =		{ -DEDUPE_PRECISE_MS, DEDUPE_PRECISE_MS },
		[SOURCE_EXTENDED] =	{ -DEDUPE_PRECISE_MS, DEDUPE_PRECISE_MS },
		[SOURCE_ACCOUNT] =	{ -DEDUPE_MINUTE_MS - DEDUPE_PRECISE_MS,
					  DEDUPE_PRECISE_MS },
	},
	[SOURCE_EXTENDED] = {
		[SOURCE_API] =		{ -DEDUPE_PRECISE_MS, DEDUPE_PRECISE_MS },
		[SOURCE_EXTENDED] =	{ -DEDUPE_PRECISE_MS, DEDUPE_PRECISE_MS },
		[SOURCE_ACCOUNT] =	{ -DEDUPE_MINUTE_MS - DEDUPE_PRECISE_MS,
					  DEDUPE_PRECISE_MS },
	},
	[SOURCE_ACCOUNT] = {
		[SOURCE_API] =		{ -DEDUPE_PRECISE_MS,
					  DEDUPE_MINUTE_MS + DEDUPE_PRECISE_MS },
		[SOURCE_EXTENDED] =	{ -DEDUPE_PRECISE_MS,
					  DEDUPE_MINUTE_MS + DEDUPE_PRECISE_MS },
		[SOURCE_ACCOUNT] =	{ 0, 999 },
	},
};

void
dedupe_window(enum play_source src, enum play_source have, int64_t *lo,
    int64_t *hi)
{
	if (src >= SOURCE__MAX || have >= SOURCE__MAX) {
		*lo = *hi = 0;
		return;
	}
	*lo = dedupe_windows[src][have].lo;
	*hi = dedupe_windows[src][have].hi;
}

struct dedupe_scan {
	int64_t			 t;
	enum play_source	 src;
	const char *const	*ids;
	size_t			 n_ids;
	int			(*claimed)(int64_t, void *);
	void			*arg;
	struct play		*found;
	int			 hit;
};

static int
dedupe_cb(const struct play *p, void *arg)
{
	struct dedupe_scan *s = arg;
	int64_t lo, hi;
	size_t i;

	if (p->source >= SOURCE__MAX)
		return 0;
	dedupe_window(s->src, p->source, &lo, &hi);
	if (p->played_at < s->t + lo || p->played_at > s->t + hi)
		return 0;
	for (i = 0; i < s->n_ids; i++)
		if (s->ids[i] != NULL && s->ids[i][0] != '\0' &&
		    strcmp(s->ids[i], p->track_id) == 0)
			break;
	if (i == s->n_ids)
		return 0;
	if (s->claimed != NULL && s->claimed(p->played_at, s->arg))
		return 0;
	if (s->found != NULL)
		*s->found = *p;
	s->hit = 1;
	return 1;
}

int
dedupe_find(struct store_txn *txn, const char *user, int64_t played_at,
    enum play_source src, const char *const ids[], size_t n_ids,
    int (*claimed)(int64_t at, void *arg), void *arg, struct play *found)
{
	struct dedupe_scan s;
	int64_t lo = 0, hi = 0, l, h;
	int have;

	if (src >= SOURCE__MAX)
		return 0;
	for (have = 0; have < SOURCE__MAX; have++) {
		dedupe_window(src, (enum play_source)have, &l, &h);
		if (l < lo)
			lo = l;
		if (h > hi)
			hi = h;
	}
	memset(&s, 0, sizeof(s));
	s.t = played_at;
	s.src = src;
	s.ids = ids;
	s.n_ids = n_ids;
	s.claimed = claimed;
	s.arg = arg;
	s.found = found;
	if (store_iter_plays(txn, user, played_at + lo, played_at + hi,
	    STORE_ASC, dedupe_cb, &s) != STORE_OK)
		return -1;
	return s.hit;
}
