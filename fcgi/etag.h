/*
 * etag.h — conditional requests for the API's lists, pages and journals'
 * answers.
 *
 * A route declares in its flags (route.h) what its answer is made of:
 * the journal's plays, weekly playlists, top lists or gaps, the entities
 * (tracks, artists, albums), today's date in the answer's zone; or that
 * it is small enough to be hashed once built.  From that alone
 * etag_check() makes the answer's ETag before the handler runs, out of
 * the version numbers the store keeps in the transactions that change
 * them (store_part_versions, store_change_seq), the URL's path and query,
 * the settings of the user that shape an answer, the configuration that
 * does and the version of linernotes.  So the ETag changes exactly when
 * the answer can, is the same in every reader process, and a matching
 * If-None-Match is a 304 that costs a few store lookups instead of the
 * answer.
 *
 * Per-user answers are "Cache-Control: private, no-cache": a browser
 * keeps them and asks again each time with If-None-Match, and the access
 * check (access.h) runs before any 304, so a journal made private or a
 * session gone answers 404, never 304.
 */
#ifndef LN_ETAG_H
#define LN_ETAG_H

#include "app.h"
#include "http.h"

/*
 * Before the handler of a route with flags (and after its access check):
 * sets r's ETag and Cache-Control when the flags ask for a validator made
 * in advance.  Returns 0 when the handler is to run, 1 when r is already
 * the answer: a 304, or an error (a store failure, a bad time zone).
 */
int	etag_check(struct ctx *, unsigned flags, struct resp *);
/*
 * After the handler: for a route flagged ROUTE_ETAG_BODY whose answer is a
 * 200, its ETag from the body's bytes (a match turns it into a 304).
 */
void	etag_body(struct ctx *, unsigned flags, struct resp *);

#endif
