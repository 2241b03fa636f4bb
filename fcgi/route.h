/*
 * route.h — the API's route table and the request path through it.
 *
 * route_handle() is everything between "a request arrived" and "a response
 * is ready": match the path against the table {name, method, pattern,
 * query keys, body, handler}, validate the path parameters, the query and
 * the body into struct args, open the read transaction, run the handler and
 * end the transaction.  Unknown paths are 404, a known path with another
 * method 405 with Allow, bad input 400/411/413/415; every error has the
 * JSON error body of http_error().
 */
#ifndef LN_ROUTE_H
#define LN_ROUTE_H

#include "app.h"
#include "http.h"

/* Route index used for requests that matched no route (metrics). */
#define ROUTE_NONE	(-1)

/*
 * Handles req into resp (initialised by the caller).  Returns the index of
 * the route that matched, or ROUTE_NONE.  Never fails: errors are
 * responses.
 */
int		 route_handle(struct app *, const struct req *, struct resp *);
/* How many routes the table has, and route i's name and method. */
int		 route_count(void);
const char	*route_name(int i);
const char	*route_method(int i);

#endif
