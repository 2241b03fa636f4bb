/*
 * bench-reader.c — the read API's own cost, without nginx or FastCGI.
 *
 *   bench-reader -d DB [-n RUNS] [-c] [-b BODY] URL...
 *
 * Opens the store in DB read-only, as a linernotes-fcgi process does (one
 * reusable reader, the entity cache), and hands route_handle() a GET of
 * each URL ("/api/v0/plays/user0001?limit=50", the query after '?') in
 * turn, RUNS times in all (10000), exactly as serve.c would for a request
 * that arrived.  Every answer must be 200.  Printed: the mean, p50 and p99
 * wall time per request in µs, the CPU time per request (which other load
 * on a shared machine inflates less) and the mean body size, as one
 * Markdown table row.  -c disables the entity cache (cache_entries = 0).
 * -b BODY makes each request a POST of the JSON in the file BODY (a batch
 * of ids for /api/v0/tracks, say) instead of a GET.
 *
 * This is the "inside the reader" figure of docs/BENCHMARKS.md: what a
 * request costs the reader process itself; everything else a client sees
 * is nginx, the FastCGI hop and the load generator.
 *
 * Not installed: a test tool (tests/tools/).  Exit 0, or 1 with a message.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "cache.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "store.h"
#include "../unit/testutil.h"

#define RUNS_DEFAULT	10000
#define URL_MAX		1024
/* The index of the 99th percentile of n sorted samples (nearest rank). */
#define P99(n)		(((n) * 99 + 99) / 100 - 1)

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: bench-reader -d DB [-n RUNS] [-c] [-b BODY] "
	    "URL...\n");
	exit(2);
}

static double
now_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The request body of -b, handed out whole to each request. */
static struct buf body = BUF_INIT;

static int
body_read(void *ctx, struct buf *out, size_t max)
{
	(void)ctx;
	if (body.len > max)
		return -1;
	return buf_add(out, body.data, body.len);
}

/* Reads the file at path into body; exits with a message when it cannot. */
static void
body_load(const char *path)
{
	char chunk[8192];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&body, chunk, n);
	if (ferror(fp) || body.oom)
		errx(1, "%s: could not be read", path);
	fclose(fp);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct app app;
	struct resp r;
	struct req q;
	const char *db = NULL;
	char path[URL_MAX], length[24], *qs;
	double *wall, t0, c0, cpu, sum = 0;
	uint64_t bytes = 0;
	long runs = RUNS_DEFAULT, i;
	int ch, nocache = 0, nurl;

	while ((ch = getopt(argc, argv, "b:cd:n:")) != -1) {
		switch (ch) {
		case 'b':
			body_load(optarg);
			break;
		case 'c':
			nocache = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'n':
			if ((runs = strtol(optarg, NULL, 10)) < 1 ||
			    runs > 10000000)
				usage();
			break;
		default:
			usage();
		}
	}
	tu_tool_operands(&argc, &argv, db, usage);
	nurl = argc;
	log_init("bench-reader", 0, 0);

	memset(&app, 0, sizeof(app));
	app.max_body = 65536;
	app.started = time(NULL);
	if (store_open(&app.store, db, STORE_RDONLY, 0) != STORE_OK)
		errx(1, "cannot open the store in %s", db);
	if ((app.txn = store_reader(app.store)) == NULL)
		errx(1, "cannot make a reader");
	if ((app.cache = cache_new(nocache ? 0 : 20000, 16u << 20)) == NULL)
		err(1, "cache");
	if ((wall = calloc((size_t)runs, sizeof(*wall))) == NULL)
		err(1, NULL);
	http_resp_init(&r);

	c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < runs; i++) {
		if (strlcpy(path, argv[i % nurl], sizeof(path)) >=
		    sizeof(path))
			errx(1, "URL too long: %s", argv[i % nurl]);
		memset(&q, 0, sizeof(q));
		q.method = HTTP_GET;
		q.path = path;
		q.query = "";
		if ((qs = strchr(path, '?')) != NULL) {
			*qs = '\0';
			q.query = qs + 1;
		}
		q.content_type = "";
		q.if_none_match = "";
		if (body.data != NULL) {
			q.method = HTTP_POST;
			q.content_type = "application/json";
			snprintf(length, sizeof(length), "%zu", body.len);
			q.content_length = length;
			q.body_fn = body_read;
		}
		http_resp_reset(&r);
		t0 = now_us(CLOCK_MONOTONIC);
		route_handle(&app, &q, &r);
		wall[i] = now_us(CLOCK_MONOTONIC) - t0;
		if (r.status != 200)
			errx(1, "%s answered %d: %.*s", argv[i % nurl],
			    r.status, (int)r.body.len, r.body.data);
		sum += wall[i];
		bytes += r.body.len;
	}
	cpu = now_us(CLOCK_PROCESS_CPUTIME_ID) - c0;
	qsort(wall, (size_t)runs, sizeof(*wall), cmp_double);
	printf("| %s%s | %ld | %.1f µs | %.1f µs | %.1f µs | %.1f µs | "
	    "%llu B |\n", argv[0], nurl > 1 ? " (and others)" : "", runs,
	    sum / (double)runs, wall[runs / 2], wall[P99(runs)],
	    cpu / (double)runs, (unsigned long long)(bytes / (uint64_t)runs));

	free(wall);
	http_resp_free(&r);
	cache_free(app.cache);
	store_reader_free(app.txn);
	store_close(app.store);
	return 0;
}
