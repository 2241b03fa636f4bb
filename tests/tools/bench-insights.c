/*
 * bench-insights.c — server time of every insight on a large journal.
 *
 *   bench-insights [-d DIR] [-n PLAYS] [-y YEARS] [-r RUNS] [-z ZONE]
 *                  [-k INSIGHT] [-c SERIES]
 *
 * Fills DIR (default run/bench/insights-store) through lib/store, as the
 * importer and collector would, with one user ("bench") who listened
 * PLAYS times (200000) over YEARS years (10) ending 2026-01-01, unless
 * the store there already holds that journal.  The listening is
 * generated deterministically: a catalogue of 3000 artists, 9000 albums
 * and 45000 tracks; a rotation of current favourites that drifts day by
 * day plus a long tail; sessions at evening-heavy hours; occasional
 * binges; the first 60% of the years imported (ms_played known), the
 * rest from the API (ms_played unknown: timed by duration); and the
 * planted patterns of the unit tests (a 73-play binge, a December song,
 * a return after 400 days, a 30-day artist streak).
 *
 * Then every insight of insights_kinds[] runs RUNS times (100) over two
 * ranges, all time and the last year, in ZONE (Europe/Berlin), each run
 * exactly as the API would: begin (renew) a read transaction, compute,
 * render the JSON into a buffer, free, end; in four series (-c SERIES
 * runs one): "no", without a cache (every run reads its tracks' records
 * and the plays it needs from the store); "cold", with a new, empty
 * insights_cache every run (a reader process's first request for the
 * user: the cache is filled with the tracks and the user's journal
 * first); "yes", with the process's one insights_cache (the first run
 * fills it); and "write", with that cache but a write of the user's
 * plays committed before every run (as a poll does every 20 minutes:
 * the journal is read again).
 * Printed per insight, range and cache: p50, p99 and max of the wall
 * time in ms, p50 and p99 of the CPU time the process spent (which other
 * load on a shared machine inflates less), and the size of the JSON, as
 * Markdown table rows (tests/bench.sh adds them to its results).
 *
 * Not installed: a test tool (tests/tools/).  Exit 0, or 1 with a message.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "insights.h"
#include "json.h"
#include "log.h"
#include "store.h"
#include "../unit/testutil.h"
#include "timeutil.h"
#include "tz.h"

#define USER		"bench"
#define N_ARTISTS	3000
#define N_ALBUMS	9000
#define N_TRACKS	45000
#define ROTATION	300
#define END_MS		INT64_C(1767225600000)	/* 2026-01-01T00:00:00Z */
#define DAY_MS		INT64_C(86400000)
#define CHUNK		4000	/* plays per write transaction */
/* The index of the 99th percentile of n sorted samples (nearest rank). */
#define P99(n)		(((n) * 99 + 99) / 100 - 1)

/* The series: how each run meets the cache (see above). */
enum series {
	SERIES_NO,		/* no cache */
	SERIES_COLD,		/* a new cache every run */
	SERIES_YES,		/* the process's cache */
	SERIES_WRITE,		/* the process's cache, a write before each */
	SERIES__MAX
};

/* Indexed by enum series: the -c word and the table's words. */
static const char *const series_names[SERIES__MAX] = {
	"no", "cold", "yes", "write"
};
static const char *const series_labels[SERIES__MAX] = {
	"no", "cold (new cache)", "yes", "yes, after a write"
};

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint32_t
rand_below(uint32_t n)
{
	return (uint32_t)(tu_rand(&rng) % n);
}

/*
 * A 22-character id: kind letter then base-62 digits of n, scrambled so
 * that ids do not sort like their numbers.
 */
static void
mkid(char out[ID_LEN + 1], char kind, uint64_t n)
{
	tu_b62_id(out, kind, n * UINT64_C(0x9e3779b97f4a7c15) + 0x1234567);
}

static uint32_t
track_duration(uint32_t t)
{
	return 150000 + (t * 2654435761u) % 240000;
}

/* ---- the catalogue ----------------------------------------------------------- */

static int
gen_catalog(struct store_txn *txn, void *arg)
{
	char id[ID_LEN + 1], art[2 * ID_LEN + 1], name[64];
	struct artist a;
	struct album al;
	struct track t;
	uint32_t i;

	(void)arg;
	for (i = 0; i < N_ARTISTS; i++) {
		memset(&a, 0, sizeof(a));
		mkid(a.id, 'R', i);
		snprintf(name, sizeof(name), "Artist %u", i);
		a.name = name;
		a.updated_at = 1700000000;
		if (store_put_artist(txn, &a) == STORE_ERR)
			return -1;
	}
	for (i = 0; i < N_ALBUMS; i++) {
		memset(&al, 0, sizeof(al));
		mkid(al.id, 'L', i);
		mkid(id, 'R', i / 3);
		snprintf(name, sizeof(name), "Album %u", i);
		al.name = name;
		al.album_type = "album";
		al.release_date = "2001";
		al.artists.ids = id;
		al.artists.n = 1;
		al.updated_at = 1700000000;
		if (store_put_album(txn, &al) == STORE_ERR)
			return -1;
	}
	for (i = 0; i < N_TRACKS; i++) {
		memset(&t, 0, sizeof(t));
		mkid(t.id, 'T', i);
		snprintf(name, sizeof(name), "Track %u", i);
		t.name = name;
		t.uri = "spotify:track:x";
		mkid(t.album_id, 'L', i / 5);
		mkid(art, 'R', i / 15);
		t.artists.ids = art;
		t.artists.n = 1;
		if (i % 7 == 0) {	/* a featured second artist */
			mkid(art + ID_LEN, 'R', (i * 31 + 7) % N_ARTISTS);
			t.artists.n = 2;
		}
		t.duration_ms = track_duration(i);
		t.track_number = (uint16_t)(i % 5 + 1);
		t.updated_at = 1700000000;
		if (store_put_track(txn, &t) == STORE_ERR)
			return -1;
	}
	return 0;
}

/* ---- the listening ------------------------------------------------------------- */

struct gen {
	int64_t		 n_plays, done;
	int64_t		 start_ms, at;	/* first day; the clock */
	int64_t		 import_until;	/* ms_played known before this */
	uint32_t	 rotation[ROTATION];
	int32_t		 day;		/* day index being generated */
	int32_t		 n_days;
	double		 per_day;
	/* planted patterns (day indices) */
	int32_t		 binge_day, streak_first, ret_gone, ret_back;
};

/* A track by taste: mostly the rotation, else the long tail (Zipf-ish). */
static uint32_t
pick_track(struct gen *g)
{
	uint32_t r;
	double u;

	if (tu_rand(&rng) % 10 < 7) {
		r = rand_below(ROTATION);
		r = r * r / ROTATION;		/* favour the head */
		return g->rotation[r];
	}
	u = (double)(tu_rand(&rng) >> 11) / 9007199254740992.0;
	return (uint32_t)((double)N_TRACKS * u * u * u) % N_TRACKS;
}

static int
put_one(struct store_txn *txn, struct gen *g, uint32_t track)
{
	struct play p;
	uint32_t dur = track_duration(track);
	int rc;

	memset(&p, 0, sizeof(p));
	g->at += dur + rand_below(20000);
	p.played_at = g->at;
	mkid(p.track_id, 'T', track);
	p.context_uri = "spotify:playlist:37i9dQZEVXcJZyENOWUFo7";
	if (p.played_at < g->import_until) {
		p.source = SOURCE_EXTENDED;
		p.ms_played = (int32_t)(dur / 3 + rand_below(dur - dur / 3));
	} else {
		p.source = SOURCE_API;
		p.ms_played = -1;
	}
	rc = store_put_play(txn, USER, &p);
	if (rc == STORE_ERR)
		return -1;
	g->done += rc == STORE_OK;
	return 0;
}

/* One day: sessions of plays; the planted patterns on their days. */
static int
gen_day(struct store_txn *txn, struct gen *g)
{
	int64_t day0 = g->start_ms + (int64_t)g->day * DAY_MS;
	uint32_t target, sessions, s, n, i, tr, k;
	int64_t year_day;

	/* The rotation drifts: a few favourites replaced every day. */
	for (i = 0; i < 3; i++)
		g->rotation[rand_below(ROTATION)] = rand_below(N_TRACKS);
	target = (uint32_t)(g->per_day * (0.2 + 1.6 *
	    (double)rand_below(1000) / 1000.0));
	if (rand_below(20) == 0)
		target = 0;			/* a day off */
	year_day = (g->day % 365);
	sessions = 1 + rand_below(3);
	for (s = 0; s < sessions; s++) {
		/* Evening-heavy start hours (UTC; the zone adds 1-2 h). */
		static const uint8_t hours[] = { 6, 7, 11, 12, 16, 17, 18, 19,
		    19, 20, 20, 21, 21, 22 };
		g->at = day0 + (int64_t)hours[rand_below(sizeof(hours))] *
		    3600000 + (int64_t)s * 5400000 + rand_below(1800000);
		n = target / sessions;
		for (i = 0; i < n && g->done < g->n_plays; i++) {
			tr = pick_track(g);
			if (rand_below(400) == 0) {	/* a binge */
				for (k = 5 + rand_below(20); k > 0; k--)
					if (put_one(txn, g, tr) == -1)
						return -1;
				continue;
			}
			/* December: the seasonal song, often. */
			if (year_day >= 334 && rand_below(8) == 0)
				tr = 4242;
			if (put_one(txn, g, tr) == -1)
				return -1;
		}
	}
	/* Planted: the 73-play binge, 23:00 UTC on its day. */
	if (g->day == g->binge_day) {
		g->at = day0 + 23 * 3600000;
		for (i = 0; i < 73; i++)
			if (put_one(txn, g, 31337) == -1)
				return -1;
	}
	/* Planted: an artist (2999: tracks 44985..44999) every day for 30. */
	if (g->day >= g->streak_first && g->day < g->streak_first + 30) {
		g->at = day0 + 13 * 3600000;
		if (put_one(txn, g, 44985 + (uint32_t)g->day % 15) == -1)
			return -1;
	}
	/* Planted: a track gone for 400 days, then back. */
	if ((g->day < g->ret_gone && g->day % 9 == 0) ||
	    (g->day >= g->ret_back && g->day < g->ret_back + 60 &&
	    g->day % 3 == 0)) {
		g->at = day0 + 14 * 3600000;
		if (put_one(txn, g, 12345) == -1)
			return -1;
	}
	return 0;
}

static int
gen_plays(struct store_txn *txn, void *arg)
{
	struct gen *g = arg;
	int64_t stop = g->done + CHUNK;

	while (g->day < g->n_days && g->done < g->n_plays && g->done < stop) {
		if (gen_day(txn, g) == -1)
			return -1;
		g->day++;
	}
	return 0;
}

/*
 * store_write may run a function again after growing the map: the
 * generator's state is restored from a copy taken before each chunk.
 */
struct gen_run {
	struct gen	 g, saved;
	uint64_t	 rng_saved;
};

static int
gen_chunk(struct store_txn *txn, void *arg)
{
	struct gen_run *r = arg;

	r->g = r->saved;
	rng = r->rng_saved;
	return gen_plays(txn, &r->g);
}

static int
gen_mark(struct store_txn *txn, void *arg)
{
	return store_put_meta_i64(txn, "bench.plays", *(int64_t *)arg) ==
	    STORE_OK ? 0 : -1;
}

static int
gen_has(struct store_txn *txn, void *arg)
{
	int64_t v;

	if (store_get_meta_i64(txn, "bench.plays", &v) != STORE_OK)
		v = -1;
	*(int64_t *)arg = v;
	return 0;
}

static void
generate(struct store *st, int64_t plays, int years)
{
	struct gen_run r;
	struct timespec a, b;
	uint32_t i;

	memset(&r, 0, sizeof(r));
	r.g.n_plays = plays;
	r.g.n_days = years * 365 + years / 4;
	r.g.start_ms = END_MS - (int64_t)r.g.n_days * DAY_MS;
	r.g.import_until = r.g.start_ms + (int64_t)r.g.n_days * DAY_MS * 6 /
	    10;
	r.g.per_day = (double)plays / r.g.n_days * 1.02;
	r.g.binge_day = r.g.n_days / 3;
	r.g.streak_first = r.g.n_days / 2;
	r.g.ret_gone = r.g.n_days / 4;
	r.g.ret_back = r.g.ret_gone + 400;
	for (i = 0; i < ROTATION; i++)
		r.g.rotation[i] = rand_below(N_TRACKS);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (store_write(st, gen_catalog, NULL) != STORE_OK)
		errx(1, "cannot write the catalogue");
	while (r.g.day < r.g.n_days && r.g.done < r.g.n_plays) {
		r.saved = r.g;
		r.rng_saved = rng;
		if (store_write(st, gen_chunk, &r) != STORE_OK)
			errx(1, "cannot write plays");
	}
	/* Whatever the days left short, fill up at the end. */
	while (r.g.done < r.g.n_plays) {
		r.g.day = r.g.n_days - 1;
		r.saved = r.g;
		r.rng_saved = rng;
		if (store_write(st, gen_chunk, &r) != STORE_OK)
			errx(1, "cannot write plays");
	}
	if (store_write(st, gen_mark, &r.g.done) != STORE_OK)
		errx(1, "cannot write the marker");
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("generated %lld plays over %d days in %.1f s "
	    "(%.0f plays/s with aggregates)\n", (long long)r.g.done,
	    r.g.n_days, (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	    (double)r.g.done / ((double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9));
}

/* ---- measuring ------------------------------------------------------------------ */

/*
 * What a poll does to the user's journal, without changing it: a play
 * put and deleted again (its version changes, the plays do not).
 */
static int
poll_write(struct store_txn *txn, void *arg)
{
	char id[ID_LEN + 1];
	struct play p;

	(void)arg;
	mkid(id, 'T', 1);
	tu_untimed(&p, END_MS + 1, id);
	if (store_put_play(txn, USER, &p) != STORE_OK ||
	    store_del_play(txn, USER, p.played_at) != STORE_OK)
		return -1;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct agg_count {
	uint64_t	buckets, plays;
};

static int
count_agg(const struct agg_bucket *b, void *arg)
{
	struct agg_count *c = arg;

	c->buckets++;
	c->plays += b->plays;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-insights [-d DIR] [-n PLAYS] "
	    "[-y YEARS] [-r RUNS] [-z ZONE] [-k INSIGHT] "
	    "[-c no|cold|yes|write]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	const char *dir = "run/bench/insights-store", *zone = "Europe/Berlin";
	const char *errstr, *only = NULL, *only_series = NULL;
	struct store *st;
	struct store_txn *rd;
	struct insights_query q;
	struct insights_top top;
	const struct tz *z;
	struct agg_count ac = { 0, 0 };
	struct buf b = BUF_INIT;
	struct json j;
	double *t, *cpu, t0, c0;
	int64_t plays = 200000, have;
	int years = 10, runs = 100, ch, k, i, range, series;
	enum series cached;
	struct insights_cache *cache, *cold;
	uint64_t ct, cl, cr, cb;
	size_t bytes;
	char label[32];

	while ((ch = getopt(argc, argv, "c:d:k:n:y:r:z:")) != -1) {
		switch (ch) {
		case 'c':
			for (k = 0; k < SERIES__MAX; k++)
				if (strcmp(optarg, series_names[k]) == 0)
					break;
			if (k == SERIES__MAX)
				usage();
			only_series = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'n':
			plays = strtonum(optarg, 1, 100000000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'y':
			years = (int)strtonum(optarg, 1, 100, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'r':
			runs = (int)strtonum(optarg, 2, 100000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'z':
			zone = optarg;
			break;
		case 'k':
			if (insights_kind_from_name(optarg) == -1)
				usage();
			only = optarg;
			break;
		default:
			usage();
		}
	}
	log_init("bench-insights", 0, 0);
	if (store_open(&st, dir, 0, (size_t)1 << 30) != STORE_OK)
		errx(1, "%s: cannot open the store", dir);
	if (store_read(st, gen_has, &have) != STORE_OK)
		errx(1, "cannot read the store");
	if (have != plays) {
		if (have != -1)
			errx(1, "%s holds another journal: remove it", dir);
		generate(st, plays, years);
	}
	if (tz_cache_get(zone, &z) == -1)
		errx(1, "%s: no such time zone", zone);
	if ((rd = store_reader(st)) == NULL ||
	    (t = calloc((size_t)runs, sizeof(*t))) == NULL ||
	    (cpu = calloc((size_t)runs, sizeof(*cpu))) == NULL)
		errx(1, "memory");
	if (store_read_begin(rd) != STORE_OK ||
	    store_iter_agg(rd, USER, INT64_MIN, INT64_MAX, STORE_ASC,
	    count_agg, &ac) != STORE_OK)
		errx(1, "cannot read the aggregates");
	insights_query_init(&q, USER, z);
	if (insights_get_top(rd, &q, &top) == -1)
		errx(1, "cannot count the journal");
	store_read_end(rd);
	printf("journal: %llu plays of %zu tracks, %zu artists, %zu albums "
	    "in %llu aggregate buckets of %d min; zone %s\n",
	    (unsigned long long)ac.plays, top.distinct_tracks,
	    top.distinct_artists, top.distinct_albums,
	    (unsigned long long)ac.buckets, STORE_AGG_BUCKET_MS / 60000,
	    zone);
	insights_free_top(&top);
	snprintf(label, sizeof(label), "all %d years", years);
	if ((cache = insights_cache_new()) == NULL)
		errx(1, "memory");
	printf("| insight | range | cache | p50 ms | p99 ms | max ms | "
	    "CPU p50 ms | CPU p99 ms | JSON bytes |\n");
	printf("|---|---|---|---|---|---|---|---|---|\n");
	for (series = 0; series < 2 * SERIES__MAX; series++) {
		range = series / SERIES__MAX;
		cached = (enum series)(series % SERIES__MAX);
		if (only_series != NULL && strcmp(only_series,
		    series_names[cached]) != 0)
			continue;
		for (k = 0; k < INSIGHTS__MAX; k++) {
			if (only != NULL && strcmp(only,
			    insights_kinds[k].name) != 0)
				continue;
			bytes = 0;
			for (i = 0; i < runs; i++) {
				insights_query_init(&q, USER, z);
				if (range == 1)
					q.from_ms = END_MS - 365 * DAY_MS;
				q.to_ms = END_MS;
				q.day = (int32_t)(END_MS / DAY_MS) - 90;
				q.cache = cached == SERIES_NO ? NULL : cache;
				if (cached == SERIES_WRITE && store_write(st,
				    poll_write, NULL) != STORE_OK)
					errx(1, "cannot write");
				buf_reset(&b);
				c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
				t0 = clock_ms(CLOCK_MONOTONIC);
				cold = NULL;
				if (cached == SERIES_COLD && (q.cache = cold =
				    insights_cache_new()) == NULL)
					errx(1, "memory");
				if (store_read_begin(rd) != STORE_OK)
					errx(1, "cannot begin a read");
				json_init(&j, &b);
				if (insights_run(rd, (enum insights_kind)k, &q,
				    &j) == -1 || json_finish(&j) == -1)
					errx(1, "%s failed",
					    insights_kinds[k].name);
				store_read_end(rd);
				t[i] = clock_ms(CLOCK_MONOTONIC) - t0;
				cpu[i] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
				insights_cache_free(cold);	/* not timed */
				bytes = b.len;
			}
			qsort(t, (size_t)runs, sizeof(*t), cmp_double);
			qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
			printf("| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | "
			    "%.2f | %zu |\n",
			    insights_kinds[k].name,
			    range == 0 ? label : "last year",
			    series_labels[cached],
			    t[runs / 2], t[P99(runs)], t[runs - 1],
			    cpu[runs / 2], cpu[P99(runs)], bytes);
		}
	}
	insights_cache_stats(cache, &ct, &cl, &cr, &cb);
	printf("track cache: %llu tracks, %llu records read, %llu resets, "
	    "%llu journals read\n", (unsigned long long)ct,
	    (unsigned long long)cl, (unsigned long long)cr,
	    (unsigned long long)cb);
	insights_cache_free(cache);
	buf_free(&b);
	free(t);
	free(cpu);
	store_reader_free(rd);
	store_close(st);
	tz_cache_clear();
	return 0;
}
