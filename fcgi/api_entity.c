/*
 * api_entity.c — the batch reads: POST (or GET ?ids=) /api/v0/tracks,
 * /artists and /albums.
 *
 * Ids come validated (1..50).  Each entity is taken from the process's
 * cache or read from the store, rendered once and cached (see cache.h);
 * unknown ids answer null in their place.  The answer is
 * {"tracks":[...]} in the order asked, with an ETag (If-None-Match gives
 * 304) and a Cache-Control that lets browsers keep it a while.
 */
#include <string.h>

#include "app.h"
#include "cache.h"
#include "hash.h"
#include "json.h"
#include "metrics.h"
#include "render.h"

#define ENTITY_CACHE_CONTROL	"public, max-age=300"

/* Renders kind/id from the store into b ("null" when unknown); 0 or -1. */
static int
entity_render(struct store_txn *txn, enum entity_kind kind, const char *id,
    struct buf *b)
{
	struct track t;
	struct artist ar;
	struct album al;
	struct json j;
	int rc;

	json_init(&j, b);
	switch (kind) {
	case ENTITY_TRACK:
		if ((rc = store_get_track(txn, id, &t)) == STORE_OK)
			render_track(&j, NULL, &t);
		break;
	case ENTITY_ARTIST:
		if ((rc = store_get_artist(txn, id, &ar)) == STORE_OK)
			render_artist(&j, NULL, &ar);
		break;
	case ENTITY_ALBUM:
		if ((rc = store_get_album(txn, id, &al)) == STORE_OK)
			render_album(&j, NULL, &al);
		break;
	default:
		return -1;
	}
	if (rc == STORE_NOTFOUND)
		json_null(&j, NULL);
	else if (rc != STORE_OK)
		return -1;
	return json_finish(&j);
}

/* The answer's key for each kind (enum entity_kind). */
static const char *const entity_keys[ENTITY__MAX] = {
	"tracks", "artists", "albums",
};

int
api_entities(struct ctx *c, struct resp *r)
{
	enum entity_kind kind = c->kind;
	const char *key = entity_keys[kind];
	static struct buf one;		/* one rendered entity, reused */
	struct cache *cache = c->app->cache;
	struct cache_stats before, after;
	struct json j;
	const char *raw;
	uint64_t etag, tag;
	size_t len;
	int i;

	cache_sync(cache, c->app->txn);
	cache_get_stats(cache, &before);
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_arr_open(&j, key);
	/* The ETag: the key, then each entity's hash, kept with it. */
	etag = hash_bytes(key, strlen(key));
	for (i = 0; i < c->a.n_ids; i++) {
		if (cache_get(cache, kind, c->a.ids[i], &raw, &len, &tag) ==
		    0) {
			json_raw(&j, NULL, raw, len);
			etag = hash_combine(etag, tag);
			continue;
		}
		buf_reset(&one);
		if (entity_render(c->app->txn, kind, c->a.ids[i], &one) == -1)
			return http_error(r, 500, "an entity could not be read");
		tag = hash_bytes(one.data, one.len);
		cache_put(cache, kind, c->a.ids[i], one.data, one.len, tag);
		json_raw(&j, NULL, one.data, one.len);
		etag = hash_combine(etag, tag);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	cache_get_stats(cache, &after);
	metrics_cache(after.hits - before.hits, after.misses - before.misses);
	if (json_finish(&j) == -1)
		return http_error(r, 500, "the response could not be written");
	r->cache_control = ENTITY_CACHE_CONTROL;
	http_etag(r, etag, c->req->if_none_match);
	return 0;
}
