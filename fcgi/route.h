/*
 * route.h — the API's route table and the request path through it.
 *
 * route_handle() is everything between "a request arrived" and "a response
 * is ready": match the path against the table {name, method, pattern,
 * query keys, body, handler}, validate the path parameters, the query and
 * the body into struct args, open the read transaction, check that the
 * request may read the :user_id's journal (routes flagged ROUTE_USER),
 * answer 304 when the client's If-None-Match is the answer's ETag
 * (etag.h), else run the handler, and end the transaction.  Unknown paths are 404, a known path with another
 * method 405 with Allow, bad input 400/411/413/415; every error has the
 * JSON error body of http_error().
 */
#ifndef LN_ROUTE_H
#define LN_ROUTE_H

#include "app.h"
#include "http.h"

/* Route index used for requests that matched no route (metrics). */
#define ROUTE_NONE	(-1)

/* What a route's body is (validated before the handler runs). */
enum route_body {
	BODY_NONE,
	BODY_IDS,		/* {"ids":[...]}, the batch reads */
	BODY_SETTINGS,		/* PUT /settings (lib/settings.h) */
};

/*
 * Route flags.  ROUTE_WRITE: a state-changing request (POST, PUT or
 * DELETE with effects); it must pass session_same_origin() before its
 * handler runs.  ROUTE_OWNTXN: the handler begins and ends its own read
 * transactions (it writes, or waits on Spotify), so none is begun for
 * it; store_write() needs no reader of this process to be begun.
 * ROUTE_USER: the path's :user_id names a journal the request must be
 * allowed to read (access_user(), access.h); the check runs in the read
 * transaction, after the query is validated and before the handler,
 * which then finds the user in c->user.  ROUTE_USER needs the read
 * transaction route.c begins, so it never goes with ROUTE_OWNTXN.
 * ROUTE_KIND(k): the entity kind (enum entity_kind, store.h) that a
 * handler several routes share serves (the stories, the batch reads); the
 * handler finds it in c->kind.  A route without one has ENTITY_TRACK.
 */
#define ROUTE_WRITE	0x01
#define ROUTE_OWNTXN	0x02
#define ROUTE_USER	0x04
#define ROUTE_KIND(k)	((unsigned)(k) << 12)
#define ROUTE_KIND_OF(flags)	((enum entity_kind)((flags) >> 12))
/*
 * What a read's answer is made of, for its ETag (etag.h), which is made
 * before the handler runs from these and the URL: the journal's plays,
 * weekly playlists, top lists, gaps (ROUTE_PLAYS..ROUTE_GAPS, one bit
 * per enum store_part, in its order), ROUTE_ENTITIES tracks, artists and
 * albums, ROUTE_TODAY today's date in the answer's zone.
 * ROUTE_ETAG_BODY: the ETag is the hash of the answer once built (small
 * answers made of anything else).  A route that leaves out something its
 * answer depends on would have browsers keep a stale answer: the flags
 * are part of the route's contract.
 */
#define ROUTE_PLAYS	0x008
#define ROUTE_PLAYLISTS	0x010
#define ROUTE_TOP	0x020
#define ROUTE_GAPS	0x040
#define ROUTE_PART(p)	(ROUTE_PLAYS << (p))	/* p: enum store_part */
#define ROUTE_ENTITIES	0x080
#define ROUTE_TODAY	0x100
#define ROUTE_ETAG_BODY	0x200

/* One row of a route table. */
struct route {
	const char	*name;		/* for /metrics */
	enum http_method method;	/* HTTP_GET also answers HEAD */
	const char	*pattern;	/* ":user_id" and ":user_id.fmt" are
					   parameters (valid_user_id, and an
					   export format after the last dot);
					   ":name" an insight's name */
	unsigned	 keys;		/* query keys accepted */
	unsigned	 required;	/* query keys that must be given */
	int		 body;		/* enum route_body */
	int		 (*fn)(struct ctx *, struct resp *);
	unsigned	 flags;		/* ROUTE_*, ROUTE_KIND() */
};

/*
 * Handles req into resp (initialised by the caller) with the API's own
 * route table.  Returns the index of the route that matched, or
 * ROUTE_NONE.  Never fails: errors are responses.
 */
int		 route_handle(struct app *, const struct req *, struct resp *);
/*
 * The same with another table of n routes (the tests' own routes);
 * route_handle() is this with the API's table.  The table is only read.
 */
int		 route_handle_table(const struct route *table, int n,
		    struct app *, const struct req *, struct resp *);
/* How many routes the API's table has, and route i's name and method. */
int		 route_count(void);
const char	*route_name(int i);
const char	*route_method(int i);

#endif
