/*
 * http.h — one request in, one response out, independent of FastCGI.
 *
 * The FastCGI glue (serve.c) fills a struct req from the request's
 * parameters; route.c matches and validates it and runs a handler, which
 * fills a struct resp; serve.c writes the response.  Keeping libfcgi out of
 * this layer is what lets the unit tests and the fuzz target drive the whole
 * request path with plain strings.
 *
 * Ownership: the strings of a struct req belong to the caller and live for
 * the request.  A struct resp owns its body buffer; http_resp_init() before
 * use, http_resp_free() after.
 *
 * Error convention: functions returning int return 0 or -1 (out of memory).
 */
#ifndef LN_HTTP_H
#define LN_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum http_method {
	HTTP_GET,
	HTTP_HEAD,		/* routed as GET, body not sent */
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_OTHER,		/* anything else: 405 wherever a route matches */
	HTTP_METHOD__MAX
};

#define HTTP_BIT(m)	(1u << (m))

/* Reads up to max bytes of the request body into out (0 or -1). */
typedef int (*http_body_fn)(void *ctx, struct buf *out, size_t max);

struct req {
	enum http_method method;
	const char	*path;		/* without the query string */
	const char	*query;		/* "" when none */
	const char	*content_type;	/* "" when none */
	const char	*content_length; /* NULL when absent */
	const char	*if_none_match;	/* "" when none */
	/* For sessions and the same-origin check (NULL or "" when none). */
	const char	*cookie;	/* Cookie */
	const char	*origin;	/* Origin */
	const char	*referer;	/* Referer */
	const char	*fetch_site;	/* Sec-Fetch-Site */
	const char	*requested_with; /* X-Requested-With */
	const char	*host;		/* Host */
	int		 https;		/* the request came over TLS */
	/* Uploads (api_imports.c): nginx's file of the body, X-Filename. */
	const char	*body_file;	/* "" when none */
	const char	*filename;	/* "" when none */
	http_body_fn	 body_fn;	/* NULL: no body can be read */
	void		*body_ctx;
};

/* How a response's body reaches the client when it is streamed. */
typedef int (*http_write_fn)(void *ctx, const void *p, size_t n);

struct resp {
	int		 status;
	const char	*content_type;	/* static string */
	const char	*cache_control;	/* static string; NULL: "no-store" */
	char		 etag[24];	/* quoted; "" for none */
	char		 allow[32];	/* for 405; "" for none */
	char		 disposition[128]; /* Content-Disposition; "" for none */
	int		 head;		/* HEAD: headers only */
	struct buf	 body;
	struct buf	 hdrs;		/* more header lines (http_header()) */
	/* Streaming (exports): set by the writer of the response. */
	http_write_fn	 write;
	void		*write_ctx;
	int		 streamed;	/* headers and body already written */
};

/* Maps a request method name to the enum (HTTP_OTHER when unknown). */
enum http_method http_method_parse(const char *name);
/* The reason phrase of status ("Unknown" for one not in the table). */
const char	*http_reason(int status);

void	http_resp_init(struct resp *);
void	http_resp_free(struct resp *);
/* Forgets everything set on r but keeps the body's memory. */
void	http_resp_reset(struct resp *);
/*
 * Replaces the response with the JSON error body
 * {"error":{"status":status,"message":msg}}.  Returns -1 so a handler can
 * end with `return http_error(...)`.
 */
int	http_error(struct resp *, int status, const char *msg);
/*
 * Adds the header line "name: value" to r (Location, Set-Cookie).  A value
 * holding CR, LF or another control character is refused (-1), so no
 * header can be smuggled in; -1 also when memory ran out.  http_error()
 * and http_resp_reset() drop the added lines.
 */
int	http_header(struct resp *, const char *name, const char *value);
/*
 * Sets r's ETag to hash (lib/hash.h: of its body, or combined from the
 * parts it is made of) and, when inm (If-None-Match) names it (or is "*"),
 * turns r into a bodiless 304.
 */
void	http_etag(struct resp *, uint64_t hash, const char *inm);
/*
 * Appends r's header block (Status line, Content-Type, Content-Length unless
 * streamed, the security headers, Cache-Control, ETag, Allow, disposition,
 * the lines of http_header() and the blank line) to out.  Returns 0 or -1.
 */
int	http_headers(const struct resp *, struct buf *out, int with_length);
/*
 * Starts a streamed response: writes the header block through r->write and
 * marks r streamed.  Later body bytes go through http_stream().  Returns 0
 * or -1 when the client went away.  Without r->write (unit tests, the fuzz
 * target) the body is kept in r->body and sent as an ordinary response.
 */
int	http_stream_begin(struct resp *);
int	http_stream(struct resp *, const void *p, size_t n);

#endif
