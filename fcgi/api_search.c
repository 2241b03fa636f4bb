/*
 * api_search.c — GET /api/v0/search/:user_id?q=: the journal's tracks,
 * artists and albums whose names contain what was typed.
 *
 * The query is folded as the names are (lib/fold.h: case and
 * diacritics, so "bjork" finds "Björk"), and matched anywhere in a name
 * (prefix and infix) against the process's catalog (lib/catalog.h),
 * kept in memory and updated from the store's entity change log as
 * entities arrive: no store scan per keystroke.  Only what this journal played is shown,
 * ranked by its plays (an artist's and an album's are their tracks'),
 * then by whether the query starts the name or one of its words.  The
 * answer lists ids with plays, as the other lists of the API do: names
 * come from the batch reads (POST /tracks, /artists, /albums).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "fold.h"
#include "json.h"
#include "render.h"
#include "story.h"

#define SEARCH_DEFAULT	10
#define SEARCH_MAX	50

static void
write_hits(struct json *j, const struct catalog *cat, enum entity_kind kind,
    const char *key, const struct catalog_hit *h, size_t n, size_t total)
{
	char tkey[32];
	size_t i;

	json_arr_open(j, key);
	for (i = 0; i < n; i++) {
		json_obj_open(j, NULL);
		json_str(j, "id", catalog_id(cat, kind, h[i].i));
		json_uint(j, "plays", h[i].plays);
		json_bool(j, "prefix", h[i].prefix);
		json_obj_close(j);
	}
	json_arr_close(j);
	snprintf(tkey, sizeof(tkey), "%s_total", key);
	json_uint(j, tkey, total);
}

int
api_search(struct ctx *c, struct resp *r)
{
	static const char *const keys[ENTITY__MAX] = {
		"tracks", "artists", "albums" };
	struct catalog_hit hits[SEARCH_MAX];
	char folded[3 * ARGS_Q_MAX + 1];
	struct catalog *cat;
	const uint32_t *plays[ENTITY__MAX];
	struct json j;
	size_t n, total, limit = SEARCH_DEFAULT;
	int k;

	if (c->a.has & QBIT(Q_LIMIT)) {
		if (c->a.limit > SEARCH_MAX)
			return http_error(r, 400,
			    "limit must be an integer from 1 to 50");
		limit = (size_t)c->a.limit;
	}
	if (fold_name(c->a.q, strlen(c->a.q), folded, sizeof(folded)) <= 0)
		return http_error(r, 400, "q must hold a letter or a digit");
	if ((cat = story_catalog(c->app->txn)) == NULL ||
	    catalog_user_plays(cat, c->app->txn, c->a.user, plays) == -1)
		return http_error(r, 500, "the catalog could not be read");

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "user_id", c->a.user);
	json_str(&j, "q", c->a.q);
	json_str(&j, "folded", folded);
	for (k = 0; k < ENTITY__MAX; k++) {
		if (catalog_search(cat, (enum entity_kind)k, folded, plays[k],
		    hits, limit, &n, &total) == -1)
			return http_error(r, 500, "the search failed");
		write_hits(&j, cat, (enum entity_kind)k, keys[k], hits, n,
		    total);
	}
	json_obj_close(&j);
	return render_finish(&j, r);
}
