/*
 * etag.c — the ETags of the API's answers that are not entity batches
 * (api_entity.c makes those from the entities' own hashes): the
 * validator made before the answer from what the route says the answer
 * is made of, and the one made from a small answer's bytes (etag.h).
 *
 * The parts are hashed in a fixed order, each one present or not as the
 * route's flags say, so two routes can never share an ETag by accident:
 * the path and the query are parts of every one.
 */
#include <string.h>

#include "config.h"
#include "etag.h"
#include "hash.h"
#include "insights.h"
#include "route.h"
#include "timeutil.h"
#include "version.h"

/* What per-user answers may be kept as: by the browser only, revalidated. */
#define ETAG_PRIVATE	"private, no-cache"

#define ETAG_PARTS	(ROUTE_PLAYS | ROUTE_PLAYLISTS | ROUTE_TOP | ROUTE_GAPS)

/* One route flag per part of a journal, in enum store_part's order. */
_Static_assert(ROUTE_PART(STORE_PART_PLAYS) == ROUTE_PLAYS &&
    ROUTE_PART(STORE_PART_PLAYLISTS) == ROUTE_PLAYLISTS &&
    ROUTE_PART(STORE_PART_TOP) == ROUTE_TOP &&
    ROUTE_PART(STORE_PART_GAPS) == ROUTE_GAPS &&
    STORE_PART__MAX == 4, "route flags and store parts differ");
#define ETAG_ROUTES	(ETAG_PARTS | ROUTE_ENTITIES | ROUTE_TODAY)

static uint64_t
etag_str(uint64_t h, const char *s)
{
	return hash_combine(h, hash_bytes(s, strlen(s)));
}

/* The user's settings that shape an answer: zone, playlists, visibility. */
static uint64_t
etag_user(uint64_t h, const struct user *u)
{
	int i;

	h = hash_combine(h, u->visibility);
	h = etag_str(h, u->timezone);
	h = etag_str(h, u->dw_playlist);
	h = hash_combine(h, u->n_archive);
	for (i = 0; i < u->n_archive && i < ARCHIVE_MAX; i++)
		h = etag_str(h, u->archive[i]);
	return h;
}

int
etag_check(struct ctx *c, unsigned flags, struct resp *r)
{
	struct store_txn *txn = c->app->txn;
	const struct tz *z;
	uint64_t h, v = 0, parts[STORE_PART__MAX];
	int p;

	if (!(flags & ETAG_ROUTES))
		return 0;
	h = hash_bytes(LINERNOTES_VERSION, strlen(LINERNOTES_VERSION));
	h = etag_str(h, c->req->path);
	h = etag_str(h, c->req->query);
	h = hash_combine(h, flags & ETAG_ROUTES);
	if (flags & ROUTE_USER)
		h = etag_user(h, &c->user);
	/*
	 * Defaults of the insights and stories the configuration sets (the
	 * unit tests' and the fuzz target's apps have no configuration).
	 */
	if (c->app->cfg != NULL) {
		h = hash_combine(h, (uint64_t)config_num(c->app->cfg,
		    CFG_BINGE_MIN));
		h = hash_combine(h, (uint64_t)config_num(c->app->cfg,
		    CFG_RETURN_DAYS));
	}
	if (flags & ETAG_PARTS) {
		if (store_part_versions(txn, c->a.user, parts) != STORE_OK)
			goto fail;
		for (p = 0; p < STORE_PART__MAX; p++)
			if (flags & ROUTE_PART(p))
				h = hash_combine(h, parts[p]);
	}
	if (flags & ROUTE_ENTITIES) {
		if (store_change_seq(txn, &v, NULL) != STORE_OK)
			goto fail;
		h = hash_combine(h, v);
	}
	if (flags & ROUTE_TODAY) {
		if (api_insights_zone(c, r, &z) == -1)
			return 1;
		h = hash_combine(h, (uint64_t)(int64_t)insights_day_of(z,
		    time_now_ms()));
	}
	http_etag(r, h, c->req->if_none_match);
	r->cache_control = ETAG_PRIVATE;
	return r->status == 304;
fail:
	http_error(r, 500, "the journal could not be read");
	return 1;
}

void
etag_body(struct ctx *c, unsigned flags, struct resp *r)
{
	if (!(flags & ROUTE_ETAG_BODY) || r->status != 200)
		return;
	http_etag(r, hash_bytes(r->body.data, r->body.len),
	    c->req->if_none_match);
	r->cache_control = ETAG_PRIVATE;
}
