/*
 * story.h — the story pages' and the search's side of the reader: their
 * handlers, the validators of their query keys, and the process's
 * catalog of entities (lib/catalog.h) they share.
 *
 * Error convention: handlers as in app.h (0, or -1 with the error
 * response set); validators as in valid.h (0 or -1); story_catalog()
 * returns NULL when the catalog could not be brought up to date.
 */
#ifndef LN_STORY_H
#define LN_STORY_H

#include "app.h"

struct catalog;

/*
 * GET /api/v0/story/:user_id/{track,artist,album}/:id (api_story.c), of
 * the route's kind (c->kind).
 */
int	api_story(struct ctx *, struct resp *);
/* GET .../:id/plays: the plays behind a story, paging back. */
int	api_story_plays(struct ctx *, struct resp *);
/* GET /api/v0/search/:user_id?q= (api_search.c). */
int	api_search(struct ctx *, struct resp *);
/* GET /api/v0/charts/:user_id (api_charts.c). */
int	api_charts(struct ctx *, struct resp *);

/* Query keys: q (a search string), by, kind of a chart. */
int	story_q(const char *s, struct args *a);
int	story_by(const char *s, struct args *a);
int	story_kind(const char *s, struct args *a);

/*
 * The process's catalog, created on first use and synced to the
 * request's transaction (txn begun).  Owned by this module; valid until
 * the request ends.
 */
struct catalog *story_catalog(struct store_txn *txn);

#endif
