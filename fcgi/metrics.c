/*
 * metrics.c — counters in shared memory, rendered for Prometheus
 * (see metrics.h).
 *
 * The counters are a fixed struct of 64-bit counters in a small file in
 * the store's directory, mapped shared by every reader of that store (the
 * readers can write there: LMDB's lock file is there too).  Zero is a valid
 * start, so a new file needs no initialisation and processes racing to
 * create it are harmless.  The file's name carries the layout version; it
 * goes away with the store, and counters restart from zero when it is
 * removed (Prometheus takes that as a counter reset).
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "route.h"

#define METRICS_ROUTES	32	/* routes the layout has room for */
#define METRICS_FILE	"reader-metrics.1"	/* .N: layout version */

/* The statuses counted one by one; anything else counts as "other". */
static const int statuses[] = {
	200, 304, 400, 404, 405, 411, 413, 415, 500, 503, 0
};
#define NSTATUS	((int)(sizeof(statuses) / sizeof(statuses[0])))

/* Latency histogram upper bounds, microseconds; one more bucket is +Inf. */
static const uint64_t bounds_us[] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	1000000
};
#define NBOUNDS	((int)(sizeof(bounds_us) / sizeof(bounds_us[0])))

struct shared {
	uint64_t	req[METRICS_ROUTES + 1][NSTATUS];
	uint64_t	lat[METRICS_ROUTES + 1][NBOUNDS + 1];
	uint64_t	lat_sum_us[METRICS_ROUTES + 1];
	uint64_t	cache_hits;
	uint64_t	cache_misses;
};

static struct shared	 metrics_local;
static struct shared	*m = &metrics_local;
static int		 metrics_nroutes;

int
metrics_open(const char *db_path, int nroutes)
{
	char path[PATH_MAX];
	struct shared *p;
	int fd;

	metrics_nroutes = nroutes < METRICS_ROUTES ? nroutes : METRICS_ROUTES;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", db_path,
	    METRICS_FILE) >= sizeof(path)) {
		log_warnx("metrics: path too long (counting per process)");
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("metrics: %s (counting per process)", path);
		return -1;
	}
	if (ftruncate(fd, sizeof(struct shared)) == -1) {
		log_warn("metrics: ftruncate %s (counting per process)", path);
		close(fd);
		return -1;
	}
	p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		log_warn("metrics: mmap %s (counting per process)", path);
		return -1;
	}
	m = p;
	return 0;
}

static void
metrics_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static uint64_t
metrics_load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void
metrics_request(int route, int status, uint64_t us)
{
	int row = route < 0 || route >= metrics_nroutes ? METRICS_ROUTES :
	    route, s, b;

	for (s = 0; s < NSTATUS - 1; s++)
		if (statuses[s] == status)
			break;
	for (b = 0; b < NBOUNDS; b++)
		if (us <= bounds_us[b])
			break;
	metrics_add(&m->req[row][s], 1);
	metrics_add(&m->lat[row][b], 1);
	metrics_add(&m->lat_sum_us[row], us);
}

void
metrics_cache(uint64_t hits, uint64_t misses)
{
	if (hits > 0)
		metrics_add(&m->cache_hits, hits);
	if (misses > 0)
		metrics_add(&m->cache_misses, misses);
}

/*
 * The route and method labels of row: 0, or -1 for a row no route has
 * (the table is shorter than METRICS_ROUTES; the last row is "none").
 */
static int
metrics_labels(int row, const char **route, const char **method)
{
	if (row == METRICS_ROUTES) {
		*route = "none";
		*method = "";
	} else if (row >= metrics_nroutes)
		return -1;
	else {
		*route = route_name(row);
		*method = route_method(row);
	}
	return 0;
}

void
metrics_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Writes one sample: name{route="..",method=".."label} value. */
static void
metrics_sample(struct buf *b, const char *name, const char *route,
    const char *method, const char *label, const char *value)
{
	buf_printf(b, "%s{route=\"%s\",method=\"%s\"%s} %s\n", name, route,
	    method, label, value);
}

/* The cache's families, in the order written; the ratio is computed. */
#define CACHE_RATIO	2
static const struct {
	const char	*name, *type, *help;
} cache_metrics[] = {
	{ "linernotes_cache_hits_total", "counter",
	    "Entity look-ups answered from the cache." },
	{ "linernotes_cache_misses_total", "counter",
	    "Entity look-ups that read the store." },
	{ "linernotes_cache_hit_ratio", "gauge",
	    "Hits over look-ups since the counters started." },
	{ "linernotes_cache_entries", "gauge",
	    "Entities held by the cache of the process that answered." },
	{ "linernotes_cache_bytes", "gauge",
	    "Bytes held by the cache of the process that answered." },
};

void
metrics_render(struct buf *b, uint64_t cache_entries, uint64_t cache_bytes)
{
	const char *route, *method;
	char label[32], value[32];
	uint64_t n, cum, hits, misses, counts[5];
	int row, s, k;

	metrics_family(b, "linernotes_http_requests_total", "counter",
	    "API requests by route, method and status.");
	for (row = 0; row <= METRICS_ROUTES; row++) {
		if (metrics_labels(row, &route, &method) == -1)
			continue;
		for (s = 0; s < NSTATUS; s++) {
			if ((n = metrics_load(&m->req[row][s])) == 0)
				continue;
			if (statuses[s] != 0)
				snprintf(label, sizeof(label), ",status=\"%d\"",
				    statuses[s]);
			else
				strlcpy(label, ",status=\"other\"",
				    sizeof(label));
			snprintf(value, sizeof(value), "%llu",
			    (unsigned long long)n);
			metrics_sample(b, "linernotes_http_requests_total",
			    route, method, label, value);
		}
	}
	metrics_family(b, "linernotes_http_request_duration_seconds",
	    "histogram", "Time from request to response, in the reader.");
	for (row = 0; row <= METRICS_ROUTES; row++) {
		if (metrics_labels(row, &route, &method) == -1)
			continue;
		cum = 0;
		for (k = 0; k <= NBOUNDS; k++)
			cum += metrics_load(&m->lat[row][k]);
		if (cum == 0)
			continue;
		cum = 0;
		for (k = 0; k <= NBOUNDS; k++) {
			cum += metrics_load(&m->lat[row][k]);
			if (k < NBOUNDS)
				snprintf(label, sizeof(label), ",le=\"%g\"",
				    (double)bounds_us[k] / 1e6);
			else
				strlcpy(label, ",le=\"+Inf\"", sizeof(label));
			snprintf(value, sizeof(value), "%llu",
			    (unsigned long long)cum);
			metrics_sample(b,
			    "linernotes_http_request_duration_seconds_bucket",
			    route, method, label, value);
		}
		snprintf(value, sizeof(value), "%.6f",
		    (double)metrics_load(&m->lat_sum_us[row]) / 1e6);
		metrics_sample(b,
		    "linernotes_http_request_duration_seconds_sum", route,
		    method, "", value);
		snprintf(value, sizeof(value), "%llu", (unsigned long long)cum);
		metrics_sample(b,
		    "linernotes_http_request_duration_seconds_count", route,
		    method, "", value);
	}
	hits = metrics_load(&m->cache_hits);
	misses = metrics_load(&m->cache_misses);
	counts[0] = hits;			/* as cache_metrics[] */
	counts[1] = misses;
	counts[CACHE_RATIO] = 0;		/* computed below */
	counts[3] = cache_entries;
	counts[4] = cache_bytes;
	for (k = 0; k < (int)(sizeof(cache_metrics) / sizeof(cache_metrics[0]));
	    k++) {
		metrics_family(b, cache_metrics[k].name, cache_metrics[k].type,
		    cache_metrics[k].help);
		if (k == CACHE_RATIO)
			buf_printf(b, "%s %.4f\n", cache_metrics[k].name,
			    hits + misses > 0 ?
			    (double)hits / (double)(hits + misses) : 0.0);
		else
			buf_printf(b, "%s %llu\n", cache_metrics[k].name,
			    (unsigned long long)counts[k]);
	}
}
