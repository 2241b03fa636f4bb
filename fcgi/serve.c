/*
 * serve.c — libfcgi's accept loop around route_handle() (see serve.h).
 *
 * One request at a time per process (spawn-fcgi starts several; see the
 * README for why processes and not threads).  The parameters are read in
 * one pass, headers and body go into libfcgi's stream buffer as they are
 * (two FCGX_PutStr, no copy of the body), and the response buffers are
 * reused from request to request so the steady state allocates nothing.
 * Only fcgiapp.h, never fcgi_stdio.h; nothing on a request's way is
 * formatted with printf (docs/BENCHMARKS.md, issue 17).
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "serve.h"

#define SERVE_PATH_MAX	2048	/* longer paths cannot match a route */

static volatile sig_atomic_t serve_stopping;
static volatile sig_atomic_t serve_busy;	/* a request is in hand */
static int serve_unix;		/* the listening socket is AF_UNIX */

int
serve_init(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (FCGX_Init() != 0 || FCGX_IsCGI())
		return -1;
	serve_unix = getsockname(0, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_UNIX;
	return 0;
}

void
serve_stop(void)
{
	/* libfcgi retries an interrupted accept: between requests, leave. */
	if (!serve_busy)
		_exit(0);
	serve_stopping = 1;
}

/* http_body_fn over the request's stdin. */
static int
serve_body(void *ctx, struct buf *out, size_t max)
{
	FCGX_Stream *in = ctx;
	char chunk[8192];
	size_t want;
	int n;

	while (out->len < max) {
		want = max - out->len;
		if (want > sizeof(chunk))
			want = sizeof(chunk);
		if ((n = FCGX_GetStr(chunk, (int)want, in)) <= 0)
			break;
		if (buf_add(out, chunk, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

/* http_write_fn over the request's stdout. */
static int
serve_write(void *ctx, const void *p, size_t n)
{
	FCGX_Stream *out = ctx;
	size_t chunk;

	while (n > 0) {
		chunk = n > (1U << 30) ? (1U << 30) : n;
		if (FCGX_PutStr(p, (int)chunk, out) != (int)chunk)
			return -1;
		p = (const char *)p + chunk;
		n -= chunk;
	}
	return 0;
}

/* The FastCGI parameters a request is made of (serve_params()). */
enum serve_param {
	P_METHOD, P_DOCUMENT_URI, P_REQUEST_URI, P_QUERY, P_CONTENT_TYPE,
	P_CONTENT_LENGTH, P_IF_NONE_MATCH, P_COOKIE, P_ORIGIN, P_REFERER,
	P_FETCH_SITE, P_REQUESTED_WITH, P_HOST, P_BODY_FILE, P_FILENAME,
	P_HTTPS, P_SCHEME, P__MAX
};

#define SERVE_PARAM(s)	{ s, sizeof(s) - 1 }
static const struct {
	const char	*name;
	size_t		 len;
} serve_names[P__MAX] = {
	SERVE_PARAM("REQUEST_METHOD"),		/* P_METHOD */
	SERVE_PARAM("DOCUMENT_URI"),		/* P_DOCUMENT_URI */
	SERVE_PARAM("REQUEST_URI"),		/* P_REQUEST_URI */
	SERVE_PARAM("QUERY_STRING"),		/* P_QUERY */
	SERVE_PARAM("CONTENT_TYPE"),		/* P_CONTENT_TYPE */
	SERVE_PARAM("CONTENT_LENGTH"),		/* P_CONTENT_LENGTH */
	SERVE_PARAM("HTTP_IF_NONE_MATCH"),	/* P_IF_NONE_MATCH */
	SERVE_PARAM("HTTP_COOKIE"),		/* P_COOKIE */
	SERVE_PARAM("HTTP_ORIGIN"),		/* P_ORIGIN */
	SERVE_PARAM("HTTP_REFERER"),		/* P_REFERER */
	SERVE_PARAM("HTTP_SEC_FETCH_SITE"),	/* P_FETCH_SITE */
	SERVE_PARAM("HTTP_X_REQUESTED_WITH"),	/* P_REQUESTED_WITH */
	SERVE_PARAM("HTTP_HOST"),		/* P_HOST */
	SERVE_PARAM("LINERNOTES_BODY_FILE"),	/* P_BODY_FILE */
	SERVE_PARAM("HTTP_X_FILENAME"),		/* P_FILENAME */
	SERVE_PARAM("HTTPS"),			/* P_HTTPS */
	SERVE_PARAM("REQUEST_SCHEME"),		/* P_SCHEME */
};

/*
 * Finds the parameters of serve_names in envp ("NAME=value" strings) in
 * one pass: FCGX_GetParam() scans the whole list for each name, which was
 * a sixteenth of a /plays request's instructions.  The first of a name
 * wins, as with FCGX_GetParam(); v[i] is NULL for a name not sent.
 */
static void
serve_params(char **envp, const char *v[P__MAX])
{
	const char *e;
	size_t n;
	int i;

	memset(v, 0, P__MAX * sizeof(v[0]));
	for (; envp != NULL && *envp != NULL; envp++) {
		e = *envp;
		n = strcspn(e, "=");
		if (e[n] != '=')
			continue;
		for (i = 0; i < P__MAX; i++)
			if (serve_names[i].len == n && v[i] == NULL &&
			    memcmp(serve_names[i].name, e, n) == 0) {
				v[i] = e + n + 1;
				break;
			}
	}
}

/* The parameter's value, or dflt when it was not sent. */
static const char *
param(const char *const v[P__MAX], enum serve_param i, const char *dflt)
{
	return v[i] != NULL ? v[i] : dflt;
}

/*
 * Writes "app;dur=MS.UUU" for us µs into w (at least 32 bytes): the
 * reader's own time for the answer (routing, store, rendering), for
 * benchmarks through nginx (docs/BENCHMARKS.md), a duration and nothing
 * else.  No printf on every request.
 */
static void
serve_timing(char *w, uint64_t us)
{
	char digits[24], *p = digits + sizeof(digits);
	uint64_t ms = us / 1000;

	do
		*--p = (char)('0' + ms % 10);
	while ((ms /= 10) > 0);
	memcpy(w, "app;dur=", 8);
	w += 8;
	memcpy(w, p, (size_t)(digits + sizeof(digits) - p));
	w += digits + sizeof(digits) - p;
	us %= 1000;
	w[0] = '.';
	w[1] = (char)('0' + us / 100);
	w[2] = (char)('0' + us / 10 % 10);
	w[3] = (char)('0' + us % 10);
	w[4] = '\0';
}

static uint64_t
elapsed_us(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (uint64_t)((t1.tv_nsec - t0->tv_nsec) / 1000);
}

int
serve_loop(struct app *app)
{
	FCGX_Request rq;
	struct timespec t0;
	struct resp r;
	struct req q;
	struct buf out = BUF_INIT;
	char path[SERVE_PATH_MAX], timing[48];
	const char *uri, *pv[P__MAX];
	size_t n;
	int route, rc = 0;

	signal(SIGPIPE, SIG_IGN);	/* a client that left is an error */
	if (FCGX_InitRequest(&rq, 0, 0) != 0) {
		log_warnx("FCGX_InitRequest failed");
		return -1;
	}
	http_resp_init(&r);
	while (!serve_stopping) {
		if (FCGX_Accept_r(&rq) < 0) {
			if (!serve_stopping) {
				log_warnx("FCGX_Accept_r failed; stopping");
				rc = -1;
			}
			break;
		}
		serve_busy = 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		memset(&q, 0, sizeof(q));
		serve_params(rq.envp, pv);
		q.method = http_method_parse(param(pv, P_METHOD, ""));
		/* nginx's DOCUMENT_URI is normalized; else cut REQUEST_URI. */
		if ((uri = pv[P_DOCUMENT_URI]) == NULL) {
			uri = param(pv, P_REQUEST_URI, "");
			n = strcspn(uri, "?");
			if (n >= sizeof(path))
				n = 0;
			memcpy(path, uri, n);
			path[n] = '\0';
			uri = path;
		}
		q.path = uri;
		q.query = param(pv, P_QUERY, "");
		q.content_type = param(pv, P_CONTENT_TYPE, "");
		q.content_length = pv[P_CONTENT_LENGTH];
		q.if_none_match = param(pv, P_IF_NONE_MATCH, "");
		q.cookie = param(pv, P_COOKIE, "");
		q.origin = param(pv, P_ORIGIN, "");
		q.referer = param(pv, P_REFERER, "");
		q.fetch_site = param(pv, P_FETCH_SITE, "");
		q.requested_with = param(pv, P_REQUESTED_WITH, "");
		q.host = param(pv, P_HOST, "");
		q.body_file = param(pv, P_BODY_FILE, "");
		q.filename = param(pv, P_FILENAME, "");
		q.https = strcmp(param(pv, P_HTTPS, ""), "on") == 0 ||
		    strcmp(param(pv, P_SCHEME, ""), "https") == 0;
		q.body_fn = serve_body;
		q.body_ctx = rq.in;

		http_resp_reset(&r);
		r.write = serve_write;
		r.write_ctx = rq.out;
		route = route_handle(app, &q, &r);
		if (!r.streamed) {
			serve_timing(timing, elapsed_us(&t0));
			http_header(&r, "Server-Timing", timing);
			buf_reset(&out);
			http_headers(&r, &out, 1);
			if (out.oom)
				log_warnx("out of memory writing a response");
			/*
			 * Two writes into libfcgi's stream buffer, which
			 * sends full records either way: the body is not
			 * copied behind the headers first.
			 */
			else if (serve_write(rq.out, out.data, out.len) == 0 &&
			    !r.head && r.status != 304)
				serve_write(rq.out, r.body.data, r.body.len);
		}
		/*
		 * libfcgi ends a connection with shutdown(), then waits (up
		 * to 2 s) for nginx to close its side, reading what it still
		 * sends, so that the peer never gets a reset for bytes left
		 * unread.  Meanwhile this process accepts nothing, and under
		 * load nginx is busy elsewhere: that wait was a large part
		 * of a request's time here (docs/BENCHMARKS.md, "Read API").
		 * On a unix socket, once the request's stdin is read to its
		 * end nginx has nothing more to send and our answer is
		 * queued whole on its side, so the request is detached and
		 * closed at once.  A body left unread (a 413) keeps the wait.
		 */
		if (serve_unix && FCGX_GetChar(rq.in) == EOF)
			FCGX_Detach(&rq);
		FCGX_Finish_r(&rq);
		metrics_request(route, r.status, elapsed_us(&t0));
		serve_busy = 0;
		/* Do not keep a huge body's memory for the next request. */
		if (r.body.cap > (1U << 20))
			http_resp_free(&r);
		if (out.cap > (1U << 20))
			buf_free(&out);
	}
	http_resp_free(&r);
	buf_free(&out);
	return rc;
}
