/*
 * dispatch.h — the reader's first, minimal route table.
 *
 * main.c turns each FastCGI request into a struct dispatch_req and hands it
 * to dispatch_request(), which finds the row of the table {method, path,
 * handler} for it and runs the handler; a handler fills a struct
 * dispatch_resp.  Paths nobody serves get a JSON 404, known paths asked
 * with another method a JSON 405 with Allow.  Nothing here knows libfcgi,
 * so the table can be driven by unit tests with plain strings.
 *
 * This is the seam the full read API replaces with its own route table:
 * main.c only needs "a parsed request in, a status, type and body out".
 *
 * Ownership: the strings of a dispatch_req belong to the caller and live
 * for the request; a dispatch_resp owns its body (dispatch_resp_free()).
 *
 * Error convention: handlers return 0, or -1 after dispatch_error() set the
 * response; dispatch_request() cannot fail (errors are responses).
 */
#ifndef LN_DISPATCH_H
#define LN_DISPATCH_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

struct config;

struct dispatch_req {
	const char	*method;	/* "GET", "HEAD", ... */
	const char	*path;		/* without the query string */
	const char	*query;		/* "" when none */
	const struct config *cfg;
	time_t		 started;	/* when the process started */
};

struct dispatch_resp {
	int		 status;
	const char	*content_type;	/* static string */
	struct buf	 body;
	char		 allow[32];	/* Allow: for a 405, "" otherwise */
};

void	dispatch_resp_init(struct dispatch_resp *);
void	dispatch_resp_free(struct dispatch_resp *);
/* Answers req into resp, which the caller initialised. */
void	dispatch_request(const struct dispatch_req *, struct dispatch_resp *);
/*
 * Replaces resp with {"error":{"status":status,"message":msg}} and
 * returns -1, so a handler can end with `return dispatch_error(...)`.
 */
int	dispatch_error(struct dispatch_resp *, int status, const char *msg);
/* The reason phrase of an HTTP status ("Unknown" when not in the table). */
const char *dispatch_reason(int status);

/*
 * Handlers.  health_get() writes {"status":"ok","version","api","time",
 * "uptime"} and returns 0.
 */
int	health_get(const struct dispatch_req *, struct dispatch_resp *);

#endif
