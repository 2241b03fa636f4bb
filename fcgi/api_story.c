/*
 * api_story.c — GET /api/v0/story/:user_id/{track,artist,album}/:id and
 * their /plays: the story of one track, artist or album in a journal.
 *
 * The story itself comes from lib/stories.c over the store's indexes
 * (a track's plays-by-track, an artist's or album's per-entity index),
 * so an answer costs the entity's own plays, never a scan of the
 * journal.  The process's catalog (lib/catalog.h) says whether the id
 * is known and lists an artist's or album's tracks (track_ids, and the
 * Discover Weekly weeks that held any of them, played or not); a page
 * of its plays reads the per-entity index newest first.
 * The journal's access check comes first: a private journal is a 404,
 * as everywhere.  Then an id the store does not know is a 404 of its own
 * ("no such track"); a known one the journal never played is a story
 * with no plays.  Zone, binge length, return days and list length are
 * the insights' (`tz`, `min`, `days`, `limit`; docs/API.md).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "config.h"
#include "fold.h"
#include "insights.h"
#include "json.h"
#include "log.h"
#include "render.h"
#include "stories.h"
#include "story.h"
#include "tz.h"
#include "valid.h"

#define STORY_LIMIT	50	/* rows per list unless limit is given */
#define PLAYS_PAGE	50

static struct catalog *story_cat;

struct catalog *
story_catalog(struct store_txn *txn)
{
	if (story_cat == NULL && (story_cat = catalog_new()) == NULL)
		return NULL;
	if (catalog_sync(story_cat, txn) == -1)
		return NULL;
	return story_cat;
}

/* ---- query keys ---------------------------------------------------------- */

int
story_q(const char *s, struct args *a)
{
	size_t n = strlen(s);

	if (n == 0 || n > ARGS_Q_MAX || fold_has_control(s, n))
		return -1;
	memcpy(a->q, s, n + 1);
	return 0;
}

static const char *const story_bys[] = { "plays", "ms" };
static const char *const story_kinds[] = { "tracks", "artists", "albums" };

int
story_by(const char *s, struct args *a)
{
	return valid_word(s, story_bys, 2, &a->by);
}

int
story_kind(const char *s, struct args *a)
{
	return valid_word(s, story_kinds, 3, &a->ckind);
}

/* ---- the story ----------------------------------------------------------- */

static const char *const kind_words[ENTITY__MAX] = {
	"track", "artist", "album" };

/*
 * Kind/id's tracks as ids into *ids (an array the caller frees; the
 * route has checked access).  Returns the number of tracks, or -1 with the
 * response set.
 */
static ssize_t
story_tracks(struct ctx *c, struct resp *r, enum entity_kind kind,
    const char ***ids)
{
	static const char *const missing[ENTITY__MAX] = {
		"no such track", "no such artist", "no such album" };
	struct catalog *cat;
	const uint32_t *tr;
	uint32_t e;
	size_t n, i;

	if ((cat = story_catalog(c->app->txn)) == NULL)
		return http_error(r, 500, "the catalog could not be read");
	if ((e = catalog_find(cat, kind, c->a.id)) == CATALOG_NONE)
		return http_error(r, 404, missing[kind]);
	n = catalog_tracks_of(cat, kind, e, &tr);
	if ((*ids = calloc(n + 1, sizeof(**ids))) == NULL)
		return http_error(r, 500, "out of memory");
	for (i = 0; i < n; i++)
		(*ids)[i] = catalog_id(cat, ENTITY_TRACK, tr[i]);
	return (ssize_t)n;
}

/*
 * Writes a story's answer through j after the fields that name it, for
 * the n tracks ids.  Returns 0, or -1 with the response set.
 */
typedef int (*story_body_fn)(struct ctx *, struct resp *, const char **ids,
    size_t n, struct json *j);

/*
 * The answer of c->kind's story: kind/id's tracks, then an object with
 * user, kind and id and what body writes.  Returns 0 or -1 (response set).
 */
static int
story_answer(struct ctx *c, struct resp *r, story_body_fn body)
{
	const char **ids = NULL;
	struct json j;
	ssize_t n;
	int rc = -1;

	if ((n = story_tracks(c, r, c->kind, &ids)) == -1)
		return -1;
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "user_id", c->a.user);
	json_str(&j, "kind", kind_words[c->kind]);
	json_str(&j, "id", c->a.id);
	if (body(c, r, ids, (size_t)n, &j) == 0) {
		json_obj_close(&j);
		rc = render_finish(&j, r);
	}
	free(ids);
	return rc;
}

/* The story itself (story_body_fn). */
static int
story_body(struct ctx *c, struct resp *r, const char **ids, size_t n,
    struct json *j)
{
	enum entity_kind kind = c->kind;
	const struct config *cfg = c->app->cfg;
	struct stories_query q;
	const struct tz *z;
	size_t i;

	if (api_insights_zone(c, r, &z) == -1)
		return -1;
	memset(&q, 0, sizeof(q));
	q.user = c->a.user;
	q.tz = z;
	q.tracks = ids;
	q.n_tracks = n;
	/* The configuration's defaults (the insights'; none in tools). */
	q.binge_min = (c->a.has & QBIT(Q_MIN)) ? c->a.min : cfg != NULL ?
	    (uint32_t)config_num(cfg, CFG_BINGE_MIN) : INSIGHTS_BINGE_MIN;
	q.return_days = (c->a.has & QBIT(Q_DAYS)) ? c->a.days : cfg != NULL ?
	    (uint32_t)config_num(cfg, CFG_RETURN_DAYS) : INSIGHTS_RETURN_DAYS;
	q.limit = (c->a.has & QBIT(Q_ILIMIT)) ? (uint32_t)c->a.limit :
	    STORY_LIMIT;
	q.per_track = kind != ENTITY_TRACK;
	q.kind = kind;
	q.id = kind != ENTITY_TRACK ? c->a.id : NULL;

	json_str(j, "tz", tz_name(z));
	if (kind != ENTITY_TRACK) {
		json_arr_open(j, "track_ids");
		for (i = 0; i < n; i++)
			json_str(j, NULL, ids[i]);
		json_arr_close(j);
	}
	if (stories_write(c->app->txn, &q, j) == -1 ||
	    (kind != ENTITY_ALBUM && stories_write_top(c->app->txn,
	    c->a.user, kind == ENTITY_TRACK ? TOP_TRACKS : TOP_ARTISTS,
	    c->a.id, j) == -1) ||
	    stories_write_dw(c->app->txn, c->a.user,
	    c->user.dw_playlist[0] != '\0' ? c->user.dw_playlist : NULL,
	    ids, n, j) == -1)
		return http_error(r, 500, "the story could not be told");
	return 0;
}

/* The plays behind a story, a page back from before (story_body_fn). */
static int
story_body_plays(struct ctx *c, struct resp *r, const char **ids, size_t n,
    struct json *j)
{
	if (stories_write_plays(c->app->txn, c->a.user, c->kind, c->a.id, ids,
	    n,
	    (c->a.has & QBIT(Q_BEFORE)) ? c->a.before : INT64_MAX,
	    (c->a.has & QBIT(Q_LIMIT)) ? c->a.limit : PLAYS_PAGE, j) == -1)
		return http_error(r, 500, "the plays could not be read");
	return 0;
}

int
api_story(struct ctx *c, struct resp *r)
{
	return story_answer(c, r, story_body);
}

int
api_story_plays(struct ctx *c, struct resp *r)
{
	return story_answer(c, r, story_body_plays);
}
