/*
 * metrics.h — request counters, latency histograms and cache counters,
 * shared by every reader process, rendered in Prometheus' text format.
 *
 * spawn-fcgi starts several reader processes and a scrape of /metrics
 * reaches one of them, so the counters live in one shared mapping of a
 * small file beside the store (db_path/reader-metrics.N), updated with
 * atomic adds: every process sees the sums of all.  When the file cannot
 * be had the counters are the process's own (logged once).
 *
 * Error convention: metrics_open() returns 0 or -1 (then process-local
 * counters are used, so the other calls still work); the rest cannot fail.
 */
#ifndef LN_METRICS_H
#define LN_METRICS_H

#include <stdint.h>

#include "buf.h"

/*
 * Maps (creating when absent) the counters of the store in db_path, for
 * nroutes routes plus the "no route" row.
 */
int	metrics_open(const char *db_path, int nroutes);
/* Counts one request of route (ROUTE_NONE for none) with status, taking us. */
void	metrics_request(int route, int status, uint64_t us);
/* Adds cache hits and misses. */
void	metrics_cache(uint64_t hits, uint64_t misses);
/*
 * Appends the head of a metric family in Prometheus' text format:
 * "# HELP name help" and "# TYPE name type" (counter, gauge, histogram).
 */
void	metrics_family(struct buf *b, const char *name, const char *type,
	    const char *help);
/*
 * Appends the text exposition to b, with the gauges given by the caller
 * (this process's cache entries and bytes).
 */
void	metrics_render(struct buf *b, uint64_t cache_entries,
	    uint64_t cache_bytes);

#endif
