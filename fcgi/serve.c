/*
 * serve.c — libfcgi's accept loop around route_handle() (see serve.h).
 *
 * One request at a time per process (spawn-fcgi starts several; see the
 * README for why processes and not threads).  Headers and body leave in
 * one FCGX_PutStr; the response buffers are reused from request to request
 * so the steady state allocates nothing.  Only fcgiapp.h, never
 * fcgi_stdio.h; formatted text is made with snprintf/buf_printf first.
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

static const char *
param(FCGX_Request *rq, const char *name, const char *dflt)
{
	const char *v = FCGX_GetParam(name, rq->envp);

	return v != NULL ? v : dflt;
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
	const char *uri;
	uint64_t us;
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
		q.method = http_method_parse(param(&rq, "REQUEST_METHOD", ""));
		/* nginx's DOCUMENT_URI is normalized; else cut REQUEST_URI. */
		if ((uri = FCGX_GetParam("DOCUMENT_URI", rq.envp)) == NULL) {
			uri = param(&rq, "REQUEST_URI", "");
			n = strcspn(uri, "?");
			if (n >= sizeof(path))
				n = 0;
			memcpy(path, uri, n);
			path[n] = '\0';
			uri = path;
		}
		q.path = uri;
		q.query = param(&rq, "QUERY_STRING", "");
		q.content_type = param(&rq, "CONTENT_TYPE", "");
		q.content_length = FCGX_GetParam("CONTENT_LENGTH", rq.envp);
		q.if_none_match = param(&rq, "HTTP_IF_NONE_MATCH", "");
		q.cookie = param(&rq, "HTTP_COOKIE", "");
		q.origin = param(&rq, "HTTP_ORIGIN", "");
		q.referer = param(&rq, "HTTP_REFERER", "");
		q.fetch_site = param(&rq, "HTTP_SEC_FETCH_SITE", "");
		q.requested_with = param(&rq, "HTTP_X_REQUESTED_WITH", "");
		q.host = param(&rq, "HTTP_HOST", "");
		q.body_file = param(&rq, "LINERNOTES_BODY_FILE", "");
		q.filename = param(&rq, "HTTP_X_FILENAME", "");
		q.https = strcmp(param(&rq, "HTTPS", ""), "on") == 0 ||
		    strcmp(param(&rq, "REQUEST_SCHEME", ""), "https") == 0;
		q.body_fn = serve_body;
		q.body_ctx = rq.in;

		http_resp_reset(&r);
		r.write = serve_write;
		r.write_ctx = rq.out;
		route = route_handle(app, &q, &r);
		if (!r.streamed) {
			/*
			 * The reader's own time for the answer (routing,
			 * store, rendering), for benchmarks through nginx
			 * (docs/BENCHMARKS.md): a duration, nothing else.
			 */
			us = elapsed_us(&t0);
			snprintf(timing, sizeof(timing), "app;dur=%llu.%03llu",
			    (unsigned long long)(us / 1000),
			    (unsigned long long)(us % 1000));
			http_header(&r, "Server-Timing", timing);
			buf_reset(&out);
			http_headers(&r, &out, 1);
			if (!r.head && r.status != 304)
				buf_add(&out, r.body.data, r.body.len);
			if (out.oom)
				log_warnx("out of memory writing a response");
			else
				serve_write(rq.out, out.data, out.len);
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
