/*
 * ln-fixture.c — fills a linernotes store for the API's tests and
 * benchmarks, through lib/store like the collector would.
 *
 *   ln-fixture -d DB load        JSON Lines on stdin, one store_write
 *   ln-fixture -d DB gen USERS PLAYS   synthetic journals (benchmarks)
 *   ln-fixture -d DB publish USER...  makes those journals public (the
 *                                demo's stand-in until owners can do it
 *                                in Settings, issue 7)
 *   ln-fixture -d DB churn SECONDS USER [MS]  commit a poll-sized write
 *                                every MS ms (2) for SECONDS, or until a
 *                                SIGTERM (reads while writing)
 *
 * load's lines are objects with a "type" and the fields of schema.h's
 * records, times as numbers: user, play, track, artist, album,
 * playlist_week, top, gap, meta.  A track line for an id already stored is
 * a rename: the store logs the change and readers must show the new name.
 * Unknown types or fields of the wrong type stop it with the line number.
 *
 * Not installed: a test tool (tests/tools/), built by `make tests/tools/
 * ln-fixture`.  Exit 0 on success, 1 on failure with a message on stderr.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ids.h"
#include "log.h"
#include "store.h"
#include "../unit/testutil.h"
#include "timeutil.h"

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: ln-fixture -d DB load < lines.jsonl\n"
	    "       ln-fixture -d DB gen USERS PLAYS_PER_USER\n"
	    "       ln-fixture -d DB publish USER...\n"
	    "       ln-fixture -d DB churn SECONDS USER [INTERVAL_MS]\n");
	exit(2);
}

/* ---- load --------------------------------------------------------------- */

struct lines {
	cJSON		**v;
	size_t		  n;
};

static const char *
str(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : dflt;
}

static int64_t
num(const cJSON *o, const char *k, int64_t dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(it) ? (int64_t)it->valuedouble : dflt;
}

static int
word(const cJSON *o, const char *k, const char *const *words, int n)
{
	const char *s = str(o, k, NULL);
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return 0;
}

/* Packs the string array o[k] into l; 0 or -1. */
static int
idarr(const cJSON *o, const char *k, struct ids_list *l)
{
	const cJSON *it;

	ids_list_reset(l);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, k))
		if (!cJSON_IsString(it) || ids_list_add(l, it->valuestring))
			return -1;
	return 0;
}

static void
images(const cJSON *o, struct image *im, uint8_t *n)
{
	const cJSON *it;

	*n = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "images")) {
		if (*n == IMAGES_MAX)
			break;
		im[*n].url = str(it, "url", NULL);
		im[*n].width = (uint16_t)num(it, "width", 0);
		im[*n].height = (uint16_t)num(it, "height", 0);
		(*n)++;
	}
}

static const char *const sources[] = { "api", "extended", "account" };
static const char *const reasons[] = { "overflow", "unreachable", "reauth" };
static const char *const hows[] = { "full", "heard" };
static const char *const kinds[] = { "tracks", "artists" };
static const char *const ranges[] = { "short_term", "medium_term",
	"long_term" };
static const char *const statuses[] = { "active", "reauth", "disabled" };
static const char *const vis[] = { "private", "public" };

static int
load_one(struct store_txn *txn, const cJSON *o, struct ids_list *l)
{
	const char *type = str(o, "type", ""), *user = str(o, "user", "");
	int rc = STORE_ERR;

	if (strcmp(type, "user") == 0) {
		struct user u;

		memset(&u, 0, sizeof(u));
		strlcpy(u.id, str(o, "id", ""), sizeof(u.id));
		strlcpy(u.display_name, str(o, "display_name", ""),
		    sizeof(u.display_name));
		strlcpy(u.image_url, str(o, "image_url", ""),
		    sizeof(u.image_url));
		strlcpy(u.access_token, str(o, "access_token", ""),
		    sizeof(u.access_token));
		strlcpy(u.refresh_token, str(o, "refresh_token", ""),
		    sizeof(u.refresh_token));
		strlcpy(u.dw_playlist, str(o, "dw_playlist", ""),
		    sizeof(u.dw_playlist));
		strlcpy(u.timezone, str(o, "timezone", ""), sizeof(u.timezone));
		u.status = (uint8_t)word(o, "status", statuses, 3);
		u.visibility = (uint8_t)word(o, "visibility", vis, 2);
		u.last_ok_poll = num(o, "last_ok_poll", 0);
		u.created_at = num(o, "created_at", 0);
		u.n_plays = (uint64_t)num(o, "n_plays", 0);
		rc = store_put_user(txn, &u);
	} else if (strcmp(type, "play") == 0) {
		struct play p;

		memset(&p, 0, sizeof(p));
		p.played_at = num(o, "played_at", 0);
		strlcpy(p.track_id, str(o, "track_id", ""), sizeof(p.track_id));
		p.context_uri = str(o, "context_uri", "");
		p.source = (uint8_t)word(o, "source", sources, 3);
		p.ms_played = (int32_t)num(o, "ms_played", -1);
		rc = store_put_play(txn, user, &p);
	} else if (strcmp(type, "track") == 0) {
		struct track t;

		memset(&t, 0, sizeof(t));
		strlcpy(t.id, str(o, "id", ""), sizeof(t.id));
		t.name = str(o, "name", "");
		t.uri = str(o, "uri", "");
		strlcpy(t.album_id, str(o, "album_id", ""), sizeof(t.album_id));
		if (idarr(o, "artist_ids", l) == -1)
			return -1;
		t.artists = ids_list_view(l);
		t.duration_ms = (uint32_t)num(o, "duration_ms", 0);
		t.popularity = (uint16_t)num(o, "popularity", 0);
		t.track_number = (uint16_t)num(o, "track_number", 1);
		t.disc_number = (uint16_t)num(o, "disc_number", 1);
		t.updated_at = num(o, "updated_at", time(NULL));
		rc = store_put_track(txn, &t);
	} else if (strcmp(type, "artist") == 0) {
		struct artist a;
		const cJSON *g;

		memset(&a, 0, sizeof(a));
		strlcpy(a.id, str(o, "id", ""), sizeof(a.id));
		a.name = str(o, "name", "");
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(o,
		    "genres"))
			if (cJSON_IsString(g) && a.n_genres < GENRES_MAX)
				a.genres[a.n_genres++] = g->valuestring;
		images(o, a.images, &a.n_images);
		a.popularity = (uint16_t)num(o, "popularity", 0);
		a.updated_at = num(o, "updated_at", time(NULL));
		rc = store_put_artist(txn, &a);
	} else if (strcmp(type, "album") == 0) {
		struct album a;

		memset(&a, 0, sizeof(a));
		strlcpy(a.id, str(o, "id", ""), sizeof(a.id));
		a.name = str(o, "name", "");
		a.album_type = str(o, "album_type", "album");
		a.release_date = str(o, "release_date", "");
		if (idarr(o, "artist_ids", l) == -1)
			return -1;
		a.artists = ids_list_view(l);
		images(o, a.images, &a.n_images);
		a.total_tracks = (uint16_t)num(o, "total_tracks", 0);
		a.updated_at = num(o, "updated_at", time(NULL));
		rc = store_put_album(txn, &a);
	} else if (strcmp(type, "playlist_week") == 0) {
		struct playlist_week w;

		memset(&w, 0, sizeof(w));
		strlcpy(w.playlist_id, str(o, "playlist_id", ""),
		    sizeof(w.playlist_id));
		w.week = (int32_t)num(o, "week", 0);
		w.name = str(o, "name", "Discover Weekly");
		w.snapshot_id = str(o, "snapshot_id", "");
		w.how = (uint8_t)word(o, "how", hows, 2);
		w.obtained_at = num(o, "obtained_at", 0);
		if (idarr(o, "track_ids", l) == -1)
			return -1;
		w.tracks = ids_list_view(l);
		rc = store_put_playlist_week(txn, user, &w);
	} else if (strcmp(type, "top") == 0) {
		struct top_snapshot s;

		memset(&s, 0, sizeof(s));
		s.kind = (uint8_t)word(o, "kind", kinds, 2);
		s.range = (uint8_t)word(o, "range", ranges, 3);
		s.day = (int32_t)num(o, "day", 0);
		s.confirmed_at = num(o, "confirmed_at", 0);
		if (idarr(o, "ids", l) == -1)
			return -1;
		s.ids = ids_list_view(l);
		rc = store_put_top(txn, user, &s);
	} else if (strcmp(type, "gap") == 0) {
		struct gap g;

		g.from_ms = num(o, "from_ms", 0);
		g.to_ms = num(o, "to_ms", 0);
		g.reason = (uint8_t)word(o, "reason", reasons, 3);
		g.recorded_at = num(o, "recorded_at", 0);
		rc = store_put_gap(txn, user, &g);
	} else if (strcmp(type, "meta") == 0)
		rc = store_put_meta_i64(txn, str(o, "name", ""),
		    num(o, "value", 0));
	return rc == STORE_OK || rc == STORE_EXISTS ? 0 : -1;
}

static int
load_all(struct store_txn *txn, void *arg)
{
	struct lines *ls = arg;
	struct ids_list l = IDS_LIST_INIT;
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (load_one(txn, ls->v[i], &l) == -1) {
			warnx("line %zu: cannot store it", i + 1);
			ids_list_free(&l);
			return -1;
		}
	ids_list_free(&l);
	return 0;
}

static int
cmd_load(struct store *st)
{
	struct lines ls = { NULL, 0 };
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	int rc;

	while ((len = getline(&line, &cap, stdin)) != -1) {
		if (len <= 1)
			continue;
		if ((ls.v = reallocarray(ls.v, ls.n + 1, sizeof(*ls.v))) == NULL)
			err(1, NULL);
		if ((ls.v[ls.n] = cJSON_Parse(line)) == NULL)
			errx(1, "line %zu: not JSON", ls.n + 1);
		ls.n++;
	}
	free(line);
	rc = store_write(st, load_all, &ls);
	for (i = 0; i < ls.n; i++)
		cJSON_Delete(ls.v[i]);
	free(ls.v);
	return rc == STORE_OK ? 0 : -1;
}

/* ---- publish: one field of existing users ------------------------------ */

struct publish {
	char	**users;
	int	  n;
};

static int
publish_write(struct store_txn *txn, void *arg)
{
	struct publish *p = arg;
	struct user u;
	int i, rc = 0;

	for (i = 0; i < p->n && rc == 0; i++) {
		if (store_get_user(txn, p->users[i], &u) != STORE_OK) {
			warnx("publish: no user %s", p->users[i]);
			rc = -1;
		} else {
			u.visibility = VIS_PUBLIC;
			if (store_put_user(txn, &u) == STORE_ERR)
				rc = -1;
		}
		explicit_bzero(&u, sizeof(u));
	}
	return rc;
}

/* ---- gen and churn: synthetic data -------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

#define GEN_TRACKS	20000
#define GEN_ARTISTS	4000
#define GEN_ALBUMS	6000

struct gen {
	int		 users, plays;
	int		 u;		/* user being written (-1: catalog) */
	int64_t		 now_ms;
};

static int
gen_catalog(struct store_txn *txn)
{
	struct ids_list l = IDS_LIST_INIT;
	char id[ID_LEN + 1], name[64], al[ID_LEN + 1];
	struct artist a;
	struct album b;
	struct track t;
	int i;

	for (i = 0; i < GEN_ARTISTS; i++) {
		memset(&a, 0, sizeof(a));
		tu_b62_id(a.id, 'R', (uint64_t)i);
		snprintf(name, sizeof(name), "Artist %d", i);
		a.name = name;
		a.genres[0] = "folk rock";
		a.n_genres = 1;
		a.images[0].url = "https://i.scdn.co/image/ab67616d0000b273";
		a.images[0].width = a.images[0].height = 640;
		a.n_images = 1;
		a.popularity = (uint16_t)(i % 100);
		a.updated_at = 1700000000;
		if (store_put_artist(txn, &a) == STORE_ERR)
			goto fail;
	}
	for (i = 0; i < GEN_ALBUMS; i++) {
		memset(&b, 0, sizeof(b));
		tu_b62_id(b.id, 'L', (uint64_t)i);
		snprintf(name, sizeof(name), "Album %d", i);
		b.name = name;
		b.album_type = "album";
		b.release_date = "1975-01-20";
		tu_b62_id(id, 'R', (uint64_t)(i % GEN_ARTISTS));
		ids_list_reset(&l);
		ids_list_add(&l, id);
		b.artists = ids_list_view(&l);
		b.images[0].url = "https://i.scdn.co/image/ab67616d0000b273";
		b.images[0].width = b.images[0].height = 640;
		b.n_images = 1;
		b.total_tracks = 12;
		b.updated_at = 1700000000;
		if (store_put_album(txn, &b) == STORE_ERR)
			goto fail;
	}
	for (i = 0; i < GEN_TRACKS; i++) {
		memset(&t, 0, sizeof(t));
		tu_b62_id(t.id, 'T', (uint64_t)i);
		snprintf(name, sizeof(name), "Track number %d", i);
		t.name = name;
		t.uri = "spotify:track:placeholder";
		tu_b62_id(al, 'L', (uint64_t)(i % GEN_ALBUMS));
		strlcpy(t.album_id, al, sizeof(t.album_id));
		ids_list_reset(&l);
		tu_b62_id(id, 'R', (uint64_t)(i % GEN_ARTISTS));
		ids_list_add(&l, id);
		if (i % 3 == 0) {
			tu_b62_id(id, 'R', (uint64_t)((i * 7 + 1) % GEN_ARTISTS));
			ids_list_add(&l, id);
		}
		t.artists = ids_list_view(&l);
		t.duration_ms = 180000 + (uint32_t)(i % 120) * 1000;
		t.popularity = (uint16_t)(i % 100);
		t.track_number = (uint16_t)(i % 12 + 1);
		t.disc_number = 1;
		t.updated_at = 1700000000;
		if (store_put_track(txn, &t) == STORE_ERR)
			goto fail;
	}
	ids_list_free(&l);
	return 0;
fail:
	ids_list_free(&l);
	return -1;
}

static void
gen_username(char out[USER_ID_MAX + 1], int u)
{
	snprintf(out, USER_ID_MAX + 1, "user%04d", u);
}

/* One user: profile, plays (about 3 minutes apart, going back), top lists. */
static int
gen_user(struct store_txn *txn, const struct gen *g)
{
	struct ids_list l = IDS_LIST_INIT;
	char id[ID_LEN + 1];
	struct top_snapshot s;
	struct user u;
	struct play p;
	int64_t at;
	int i, k;

	memset(&u, 0, sizeof(u));
	gen_username(u.id, g->u);
	snprintf(u.display_name, sizeof(u.display_name), "Listener %d", g->u);
	strlcpy(u.refresh_token, "rt-secret-never-shown", sizeof(u.refresh_token));
	strlcpy(u.access_token, "at-secret-never-shown", sizeof(u.access_token));
	u.visibility = VIS_PUBLIC;
	u.status = USER_ACTIVE;
	u.created_at = g->now_ms / 1000 - 86400 * 365;
	u.last_ok_poll = g->now_ms / 1000;
	u.n_plays = (uint64_t)g->plays;
	if (store_put_user(txn, &u) == STORE_ERR)
		return -1;
	at = g->now_ms - (int64_t)g->plays * 180000;
	for (i = 0; i < g->plays; i++) {
		memset(&p, 0, sizeof(p));
		at += 120000 + (int64_t)(tu_rand(&rng) % 120000);
		p.played_at = at;
		tu_b62_id(p.track_id, 'T', tu_rand(&rng) % GEN_TRACKS);
		p.context_uri = "spotify:playlist:37i9dQZEVXcJZyENOWUFo7";
		p.source = SOURCE_API;
		p.ms_played = -1;
		if (store_put_play(txn, u.id, &p) == STORE_ERR)
			return -1;
	}
	for (k = 0; k < TOP_KIND__MAX; k++) {
		memset(&s, 0, sizeof(s));
		s.kind = (uint8_t)k;
		s.range = RANGE_SHORT;
		s.day = time_day(g->now_ms);
		s.confirmed_at = g->now_ms / 1000;
		ids_list_reset(&l);
		for (i = 0; i < 50; i++) {
			tu_b62_id(id, k == TOP_TRACKS ? 'T' : 'R',
			    tu_rand(&rng) % (k == TOP_TRACKS ? GEN_TRACKS :
			    GEN_ARTISTS));
			ids_list_add(&l, id);
		}
		s.ids = ids_list_view(&l);
		if (store_put_top(txn, u.id, &s) == STORE_ERR) {
			ids_list_free(&l);
			return -1;
		}
	}
	ids_list_free(&l);
	return 0;
}

static int
gen_write(struct store_txn *txn, void *arg)
{
	struct gen *g = arg;

	return g->u < 0 ? gen_catalog(txn) : gen_user(txn, g);
}

static int
cmd_gen(struct store *st, int users, int plays)
{
	struct gen g = { users, plays, -1, time_now_ms() };

	if (store_write(st, gen_write, &g) != STORE_OK)
		return -1;
	for (g.u = 0; g.u < users; g.u++) {
		rng = 0x9e3779b97f4a7c15ULL + (uint64_t)g.u;	/* per user */
		if (store_write(st, gen_write, &g) != STORE_OK)
			return -1;
	}
	return 0;
}

/* A poll's write: a few new plays, the cursor, a touched entity. */
struct churn {
	const char	*user;
	int64_t		 at;	/* the last play's time */
};

static int
churn_write(struct store_txn *txn, void *arg)
{
	struct churn *c = arg;
	char id[ID_LEN + 1];
	struct user u;
	struct play p;
	int i;

	if (store_get_user(txn, c->user, &u) != STORE_OK)
		return -1;
	for (i = 0; i < 3; i++) {
		tu_b62_id(id, 'T', tu_rand(&rng) % GEN_TRACKS);
		tu_untimed(&p, ++c->at, id);
		if (store_put_play(txn, c->user, &p) == STORE_ERR)
			return -1;
	}
	u.cursor_ms = c->at;
	u.last_ok_poll = c->at / 1000;
	u.n_plays += 3;
	if (store_put_user(txn, &u) == STORE_ERR ||
	    store_put_meta_i64(txn, "collector.heartbeat", c->at / 1000) ==
	    STORE_ERR)
		return -1;
	explicit_bzero(&u, sizeof(u));
	return 0;
}

static volatile sig_atomic_t churn_stop;

static void
churn_on_term(int sig)
{
	(void)sig;
	churn_stop = 1;
}

/*
 * Commits until SECONDS have passed or a SIGTERM arrives (a test reads
 * until it has seen enough, however slow the machine), then says how many.
 */
static int
cmd_churn(struct store *st, int seconds, const char *user, int interval_ms)
{
	struct churn c = { user, time_now_ms() };
	int64_t end = time_now_ms() + (int64_t)seconds * 1000;
	unsigned long long n = 0;

	if (signal(SIGTERM, churn_on_term) == SIG_ERR)
		err(1, "signal");
	while (!churn_stop && time_now_ms() < end) {
		if (store_write(st, churn_write, &c) != STORE_OK)
			return -1;
		n++;
		usleep((useconds_t)interval_ms * 1000);
	}
	printf("%llu commits\n", n);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct store *st;
	const char *db = NULL, *errstr;
	int ch, rc, a, b;

	while ((ch = getopt(argc, argv, "d:")) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		default:
			usage();
		}
	}
	tu_tool_operands(&argc, &argv, db, usage);
	log_init("ln-fixture", 0, 0);
	if (store_open(&st, db, 0, 0) != STORE_OK)
		errx(1, "cannot open the store in %s", db);
	if (strcmp(argv[0], "load") == 0 && argc == 1)
		rc = cmd_load(st);
	else if (strcmp(argv[0], "gen") == 0 && argc == 3) {
		a = (int)strtonum(argv[1], 1, 100000, &errstr);
		if (errstr == NULL)
			b = (int)strtonum(argv[2], 0, 10000000, &errstr);
		if (errstr != NULL)
			errx(2, "gen: USERS and PLAYS: %s", errstr);
		rc = cmd_gen(st, a, b);
	} else if (strcmp(argv[0], "publish") == 0 && argc >= 2) {
		struct publish p = { argv + 1, argc - 1 };

		rc = store_write(st, publish_write, &p) == STORE_OK ? 0 : -1;
	} else if (strcmp(argv[0], "churn") == 0 && (argc == 3 || argc == 4)) {
		a = (int)strtonum(argv[1], 1, 3600, &errstr);
		b = 2;
		if (errstr == NULL && argc == 4)
			b = (int)strtonum(argv[3], 0, 60000, &errstr);
		if (errstr != NULL)
			errx(2, "churn: SECONDS or INTERVAL_MS %s", errstr);
		rc = cmd_churn(st, a, argv[2], b);
	} else
		usage();
	store_close(st);
	if (rc == -1)
		errx(1, "%s failed", argv[0]);
	return 0;
}
