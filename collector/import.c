/*
 * import.c — `linernotes-collector import --user ID PATH...`.
 *
 * Takes in the history Spotify sends on request, so a journal starts
 * years before the collector first ran.  PATH is a history file, a folder
 * (the unpacked download, searched recursively) or the .zip download
 * itself (read by zip.c, never unpacked to disk).  The work:
 *
 *  1. find the files and order them: extended history first, then files
 *     named on the command line whose kind only their content tells, then
 *     account data, so that account rows (names only) can be matched to
 *     the tracks the extended files brought in;
 *  2. per file: map it read-only (an archive entry is first inflated into
 *     an unlinked temporary file), parse it (import_parse.c applies the
 *     rules that drop rows and gives the mapped pages back as it goes),
 *     unmap it, sort its rows by time and resolve name-only rows to track
 *     ids; any error here rejects the file before the store is touched;
 *  3. write the file's plays in one store_write(): each row is compared
 *     with the plays around its time (dedupe.h: same track within the
 *     documented window = already present), new tracks get minimal
 *     entities (names, synthetic artist and album) so the play counts
 *     everywhere, the user's play count is updated and their poll
 *     interval's densest listening is scanned again at the next poll
 *     (cadence_rec_rescan: an imported history tells how dense it can be,
 *     and that the user's pace is known).  A file is thus
 *     all or nothing; a failure in one file does not stop the others.
 *
 * Progress and the summary go to stderr through the logger.  Unknown
 * users are created on the fly without tokens (status "needs
 * authorization"), so a history can be imported before the account is
 * connected; docs/IMPORT.md says why.
 *
 * This file holds the import of one file, the run over all of them (the
 * next file read in a second thread while one is written) and the
 * command; the work list (finding, checking, ordering and mapping the
 * files) is in import_list.c, behind import_run.h; matching rows to
 * tracks by name (the name index) and the small hash sets are in
 * import_match.c.
 */
#include <sys/file.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cadence_rec.h"
#include "cmd.h"
#include "config.h"
#include "dedupe.h"
#include "hash.h"
#include "ids.h"
#include "import.h"
#include "import_job.h"
#include "import_match.h"
#include "import_run.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"

#define IMPORT_NUDGE	999	/* ms a play may move to find a free key */
#define IMPORT_RELEASE	32	/* rows between store_release_pages() */
#define IMPORT_ROW_BYTES 2048	/* store growth a row may need, at most */
#define IMPORT_VIEWS	16384	/* rows whose tracks' views are read at once */

/* ---- one file ------------------------------------------------------------ */

/*
 * What a row is matched by besides its track id, kept beside the rows
 * (wfile.rows[i] is p->rows[i]'s) because its names may be let go once
 * this is worked out (wf_resolve()).
 */
struct wrow {
	uint64_t		 key;		/* its name's key, 0: no name */
	char			 alt[ID_LEN + 1];	/* name-only id, or "" */
};

#define MATCH_IDS	10	/* track ids a row may match a stored play by */

struct prep_thread;
static void	prep_join(struct prep_thread *);

struct wfile {
	struct run		*r;
	const struct item	*it;
	struct import_parsed	*p;
	struct wrow		*rows;
	size_t			 n;
	enum play_source	 src;
	/* per attempt (store_write may run the function again) */
	struct i64set		 claimed;	/* played_at matched or written */
	struct i64set		 ensured;	/* tracks known to exist (by hash) */
	struct i64set		 ents_ok;	/* the same for run.ents */
	struct prep_thread	*pt;		/* reading the next file, or NULL */
	uint64_t		 imported, present, refined, dup;
	int			 created;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct import_row *x = a, *y = b;

	if (x->played_at != y->played_at)
		return x->played_at < y->played_at ? -1 : 1;
	return x->record < y->record ? -1 : x->record > y->record;
}

static int
claimed_cb(int64_t at, void *arg)
{
	return import_match_has_i64(&((struct wfile *)arg)->claimed, at);
}
/*
 * The artists and albums ensure_track() made or found are remembered (an
 * album with its exact name), so each is read once a run, not once for
 * each of its new tracks.  Whether the one of hash h is.
 */
static int
ent_known(const struct wfile *wf, uint64_t h)
{
	return import_match_has_i64(&wf->r->ents, (int64_t)h) ||
	    import_match_has_i64(&wf->ents_ok, (int64_t)h);
}

/* The row's synthetic artist into artist_id, made when absent. */
static int
ensure_artist(struct store_txn *txn, struct wfile *wf,
    const struct import_row *row, char artist_id[ID_LEN + 1])
{
	struct artist a;
	uint64_t h;
	int rc;

	ids_synth_artist(artist_id, row->artist);
	h = import_match_hash_id(artist_id);
	if (ent_known(wf, h))
		return 0;
	if ((rc = store_get_artist(txn, artist_id, &a)) == STORE_ERR)
		return -1;
	if (rc == STORE_NOTFOUND) {
		memset(&a, 0, sizeof(a));
		memcpy(a.id, artist_id, ID_LEN + 1);
		a.name = row->artist;
		a.updated_at = time_now_ms() / 1000;
		if (store_put_artist(txn, &a) == STORE_ERR)
			return -1;
	}
	return import_match_add_i64(&wf->ents_ok, (int64_t)h);
}

/* The row's synthetic album into album_id, made when absent. */
static int
ensure_album(struct store_txn *txn, struct wfile *wf,
    const struct import_row *row, char artist_id[ID_LEN + 1],
    char album_id[ID_LEN + 1])
{
	struct album al;
	uint64_t h;
	int rc, cased = 0;

	ids_synth_album(album_id, row->artist, row->album);
	h = hash_combine(import_match_hash_id(album_id),
	    hash_bytes(row->album, strlen(row->album)));
	if (ent_known(wf, h))
		return 0;
	if ((rc = store_get_album(txn, album_id, &al)) == STORE_ERR)
		return -1;
	/*
	 * The id folds case and diacritics (lib/fold.c), names do not:
	 * another spelling under the same id is another album, under an id
	 * of its own (not remembered: this one is rare).
	 */
	if (rc == STORE_OK && strcmp(al.name, row->album) != 0) {
		import_match_synth_album_cased(album_id, row->artist,
		    row->album);
		cased = 1;
		if ((rc = store_get_album(txn, album_id, &al)) == STORE_ERR)
			return -1;
	}
	if (rc == STORE_NOTFOUND) {
		memset(&al, 0, sizeof(al));
		memcpy(al.id, album_id, ID_LEN + 1);
		al.name = row->album;
		al.album_type = "";
		al.release_date = "";
		al.artists.ids = artist_id;
		al.artists.n = artist_id[0] != '\0';
		al.updated_at = time_now_ms() / 1000;
		if (store_put_album(txn, &al) == STORE_ERR)
			return -1;
	}
	return cased ? 0 : import_match_add_i64(&wf->ents_ok, (int64_t)h);
}

/*
 * Makes sure the track of w exists, with the names the file gives, so
 * the play shows and counts everywhere.  A track already stored (from the
 * API, with real artists and album) is left alone.
 */
static int
ensure_track(struct store_txn *txn, struct wfile *wf,
    const struct import_row *row)
{
	struct track t;
	char artist_id[ID_LEN + 1] = "", album_id[ID_LEN + 1] = "";
	uint64_t h = import_match_hash_id(row->track_id);
	int rc;

	if (import_match_has_i64(&wf->r->known, (int64_t)h) ||
	    import_match_has_i64(&wf->ensured, (int64_t)h))
		return 0;
	if ((rc = store_get_track(txn, row->track_id, &t)) == STORE_ERR)
		return -1;
	if (rc == STORE_NOTFOUND) {
		if (row->artist[0] != '\0' &&
		    ensure_artist(txn, wf, row, artist_id) == -1)
			return -1;
		if (row->album[0] != '\0' &&
		    ensure_album(txn, wf, row, artist_id, album_id) == -1)
			return -1;
		memset(&t, 0, sizeof(t));
		memcpy(t.id, row->track_id, ID_LEN + 1);
		t.name = row->track;
		t.uri = row->uri;
		memcpy(t.album_id, album_id, ID_LEN + 1);
		t.artists.ids = artist_id;
		t.artists.n = artist_id[0] != '\0';
		t.is_local = row->is_local;
		t.updated_at = time_now_ms() / 1000;
		if (store_put_track(txn, &t) == STORE_ERR)
			return -1;
	}
	return import_match_add_i64(&wf->ensured, (int64_t)h);
}

/* Stores the play of row at its time or the next free ms (up to 999 later). */
static int
put_play(struct store_txn *txn, struct wfile *wf,
    const struct import_row *row)
{
	struct play p;
	int64_t at;
	int rc;

	memset(&p, 0, sizeof(p));
	memcpy(p.track_id, row->track_id, ID_LEN + 1);
	p.context_uri = "";
	p.source = (uint8_t)wf->src;
	p.ms_played = row->ms_played;
	for (at = row->played_at; at <= row->played_at + IMPORT_NUDGE; at++) {
		p.played_at = at;
		rc = store_put_play(txn, wf->r->user, &p);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK) {
			if (wf->r->job != 0 && store_mark_import(txn,
			    wf->r->user, at, wf->r->job) != STORE_OK)
				return -1;
			return import_match_add_i64(&wf->claimed, at);
		}
	}
	log_warnx("%s: record %u: no free time slot near it; dropped",
	    wf->it->label, row->record);
	return 0;
}

/* The user record, created when unknown (no tokens: not polled). */
static int
wf_user(struct store_txn *txn, struct wfile *wf, struct user *u)
{
	int rc;

	if ((rc = store_get_user(txn, wf->r->user, u)) == STORE_OK)
		return 0;
	if (rc != STORE_NOTFOUND)
		return -1;
	memset(u, 0, sizeof(*u));
	if (strlcpy(u->id, wf->r->user, sizeof(u->id)) >= sizeof(u->id))
		return -1;
	u->status = USER_REAUTH;
	u->visibility = VIS_PRIVATE;
	u->created_at = time_now_ms() / 1000;
	wf->created = 1;
	return 0;
}

/*
 * For --job: records the file's outcome with the job, in the transaction
 * of its plays (error NULL) or alone (a rejected file).  0 or -1.
 */
static int
wf_job_file(struct store_txn *txn, const struct wfile *wf, const char *error)
{
	struct import_job_file f;

	if (wf->r->job == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.name = wf->it->label;
	f.ok = error == NULL;
	f.error = error;
	if (wf->p != NULL && error == NULL) {
		f.records = wf->p->n_records;
		memcpy(f.skipped, wf->p->skipped, sizeof(f.skipped));
	}
	f.added = wf->imported;
	f.duplicates = wf->present;
	return import_job_add_file(txn, wf->r->user, wf->r->job, &f);
}

struct wf_reject {
	struct wfile	*wf;
	const char	*error;
};

static int
wf_reject_fn(struct store_txn *txn, void *arg)
{
	struct wf_reject *x = arg;

	x->wf->imported = x->wf->present = 0;
	return wf_job_file(txn, x->wf, x->error);
}

/*
 * Before row i's put: unless done (i < *upto), reads what the tracks of
 * rows i to i + IMPORT_VIEWS count for (their views) at once, in key
 * order, ahead of the puts that need them; so a file already imported
 * reads none.  0 or -1.
 */
static int
wf_views(struct store_txn *txn, const struct wfile *wf, size_t i,
    size_t *upto)
{
	const char **ids;
	size_t n;
	int rc;

	if (i < *upto)
		return 0;
	if ((ids = reallocarray(NULL, IMPORT_VIEWS, sizeof(*ids))) == NULL)
		return -1;
	for (n = 0; i + n < wf->n && n < IMPORT_VIEWS; n++)
		ids[n] = wf->p->rows[i + n].track_id;
	*upto = i + n;
	rc = store_track_views_load(txn, ids, n);
	free(ids);
	return rc == STORE_OK ? 0 : -1;
}

static int
wf_write(struct store_txn *txn, void *arg)
{
	struct wfile *wf = arg;
	struct user u;
	struct play found;
	const char *ids[MATCH_IDS];
	size_t i, n, views_to = 0;
	int rc;

	import_match_clear_i64(&wf->claimed);
	import_match_clear_i64(&wf->ensured);
	import_match_clear_i64(&wf->ents_ok);
	wf->imported = wf->present = wf->refined = wf->dup = 0;
	wf->created = 0;
	if (wf_user(txn, wf, &u) == -1)
		return -1;
	for (i = 0; i < wf->n; i++) {
		const struct wrow *w = &wf->rows[i];
		const struct import_row *row = &wf->p->rows[i];

		/*
		 * Each row copies a few store pages it changes (LMDB writes
		 * copies) and the kernel maps up to 16 neighbours of every
		 * page read: without this the map's pages would pile up in
		 * our RSS to the size of the whole store.  32 rows keep them
		 * to a few MB for about 15 % more CPU (docs/BENCHMARKS.md).
		 */
		if (i % IMPORT_RELEASE == IMPORT_RELEASE - 1)
			(void)store_release_pages(wf->r->st);
		/*
		 * The same record twice in one file: counted once.  Only
		 * for second-precise times; two account rows of one track
		 * in one minute are two short plays.
		 */
		if (i > 0 && wf->src != SOURCE_ACCOUNT &&
		    row->played_at == row[-1].played_at &&
		    strcmp(row->track_id, row[-1].track_id) == 0) {
			wf->dup++;
			wf->present++;
			continue;
		}
		ids[0] = row->track_id;
		ids[1] = w->alt;
		n = 2 + import_match_get_names(&wf->r->names, w->key, ids + 2,
		    MATCH_IDS - 2);
		rc = dedupe_find(txn, wf->r->user, row->played_at, wf->src,
		    ids, n, claimed_cb, wf, &found);
		if (rc == -1)
			return -1;
		if (rc == 1) {
			wf->present++;
			if (import_match_add_i64(&wf->claimed,
			    found.played_at) == -1)
				return -1;
			/*
			 * An account-data play (minute, maybe name-only) that
			 * the extended history now tells precisely: keep the
			 * better one.
			 */
			if (found.source == SOURCE_ACCOUNT &&
			    wf->src == SOURCE_EXTENDED) {
				if (store_del_play(txn, wf->r->user,
				    found.played_at) == STORE_ERR ||
				    store_mark_import(txn, wf->r->user,
				    found.played_at, 0) == STORE_ERR ||
				    ensure_track(txn, wf, row) == -1 ||
				    wf_views(txn, wf, i, &views_to) == -1 ||
				    put_play(txn, wf, row) == -1)
					return -1;
				wf->refined++;
			}
			continue;
		}
		if (ensure_track(txn, wf, row) == -1 ||
		    wf_views(txn, wf, i, &views_to) == -1 ||
		    put_play(txn, wf, row) == -1)
			return -1;
		wf->imported++;
	}
	u.n_plays += wf->imported;
	if (wf->imported > 0 || wf->created)
		if (store_put_user(txn, &u) == STORE_ERR)
			return -1;
	/* The poll interval's densest span must see these plays. */
	if (wf->imported > 0 && cadence_rec_rescan(txn, wf->r->user) == -1)
		return -1;
	/*
	 * The next file is read before the commit, whose LMDB page copies
	 * are the import's peak: its parse's memory is not added to them.
	 */
	prep_join(wf->pt);
	return wf_job_file(txn, wf, NULL);
}

/* Builds the name index from every track in the store, once. */
static int
run_names(struct run *r)
{
	if (r->names_built)
		return 0;
	if (import_match_read_names(r->st, &r->names, &r->known) == -1)
		return -1;
	r->names_built = 1;
	log_debug("import: %zu known tracks indexed by artist and title",
	    r->names.n);
	return 0;
}

/*
 * Every row with a name carries the name-only id as an alternative, so
 * it matches a play stored earlier from account data, and its name's key.
 */
static void
rows_names(struct wrow *rows, const struct import_parsed *p)
{
	size_t i;

	for (i = 0; i < p->n_rows; i++) {
		const struct import_row *row = &p->rows[i];

		if (row->track[0] != '\0') {
			ids_synth_track(rows[i].alt, row->artist,
			    row->track);
			rows[i].key = import_match_key(row->artist, row->track);
		}
	}
}

/*
 * Resolves the ids of a file's rows: a Spotify id stays; a local file
 * gets the collector's synthetic id; a name-only row the id of a known
 * track with that artist and title, else its own synthetic id.
 */
static int
wf_resolve(struct wfile *wf)
{
	struct run *r = wf->r;
	const char *known[1];
	size_t i;

	if (run_names(r) == -1)
		return -1;
	for (i = 0; i < wf->n; i++) {
		struct wrow *w = &wf->rows[i];
		struct import_row *row = &wf->p->rows[i];

		if (row->track_id[0] != '\0')
			continue;
		if (row->is_local) {
			ids_synth_local(row->track_id, row->artist,
			    row->album, row->track);
			continue;
		}
		if (import_match_get_names(&r->names, w->key, known, 1) == 1)
			memcpy(row->track_id, known[0], ID_LEN + 1);
		else
			memcpy(row->track_id, w->alt, ID_LEN + 1);
	}
	return 0;
}

/*
 * Whether a row's strings are still needed once it is resolved: only to
 * create its track (ensure_track()), so not when the track is known.
 */
static int
row_needs_names(const struct import_row *row, void *arg)
{
	const struct run *r = arg;

	return !import_match_has_i64(&r->known,
	    (int64_t)import_match_hash_id(row->track_id));
}

/* Adds every value of src to dst: 0, or -1 (no memory). */
static int
merge_i64(struct i64set *dst, const struct i64set *src)
{
	size_t i;

	for (i = 0; i < src->cap; i++)
		if (src->used[i] && import_match_add_i64(dst, src->v[i]) == -1)
			return -1;
	return 0;
}

/*
 * After a commit: the file's tracks become known to later account rows,
 * its artists and albums to later files.
 */
static void
wf_learn(struct wfile *wf)
{
	size_t i;

	if (merge_i64(&wf->r->known, &wf->ensured) == -1 ||
	    merge_i64(&wf->r->ents, &wf->ents_ok) == -1)
		return;

	if (!wf->r->names_built)
		return;
	for (i = 0; i < wf->n; i++) {
		const struct import_row *row = &wf->p->rows[i];

		if (wf->rows[i].key != 0 && import_match_put_name(&wf->r->names,
		    wf->rows[i].key, row->track_id) == -1)
			return;
	}
}

static double
secs_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
skipped_text(const uint64_t *sk, char *out, size_t outsz)
{
	size_t i, o = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < SKIP__MAX; i++) {
		if (sk[i] == 0)
			continue;
		n = snprintf(out + o, outsz - o, "%s%s %llu", o ? ", " : "",
		    import_parse_skip_name((enum import_skip)i),
		    (unsigned long long)sk[i]);
		if (n < 0 || (size_t)n >= outsz - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		strlcpy(out, "none", outsz);
}

/*
 * What is read of one file before its write: mapped (inflated from the
 * archive), parsed, unmapped, its rows sorted by time, their names'
 * alternative ids and keys worked out and, when the run's known tracks
 * are read (keep), the names of rows whose track is known let go.  It
 * touches the item, the archive and, only reading, the known tracks:
 * never the store, so it may run in a thread of its own while the file
 * before it is written (run_files()), up to that file's wf_learn().
 */
struct prep {
	struct run		*r;
	size_t			 idx;
	int			 keep;		/* let the known rows' names go */
	struct import_parsed	 p;
	struct wrow		*rows;		/* beside p.rows */
	int			 rc;		/* 0, or -1 with err */
	int			 kept;		/* names let go already */
	char			 err[512];
	struct timespec		 t0;
};

/* The thread reading the next file, if one runs. */
struct prep_thread {
	pthread_t		 th;
	int			 running;
};

static void
prep_join(struct prep_thread *pt)
{
	if (pt != NULL && pt->running) {
		(void)pthread_join(pt->th, NULL);
		pt->running = 0;
	}
}

static void *
prep_file(void *arg)
{
	struct prep *pr = arg;
	const struct item *it = &pr->r->items[pr->idx];
	const char *data = "";
	size_t len = 0;

	clock_gettime(CLOCK_MONOTONIC, &pr->t0);
	memset(&pr->p, 0, sizeof(pr->p));
	pr->rows = NULL;
	pr->kept = 0;
	pr->rc = import_list_map(pr->r, it, &data, &len, pr->err, sizeof(pr->err));
	if (pr->rc == 0)
		pr->rc = import_parse(data, len, it->kind, pr->r->min_play_ms,
		    1, &pr->p, pr->err, sizeof(pr->err));
	/* The rows keep copies of what they need: the file can go. */
	import_list_unmap(data, len);
	if (pr->rc == -1 || pr->p.n_rows == 0)
		return NULL;
	if (pr->p.n_rows > 1)
		qsort(pr->p.rows, pr->p.n_rows, sizeof(*pr->p.rows), row_cmp);
	if ((pr->rows = calloc(pr->p.n_rows, sizeof(*pr->rows))) == NULL) {
		snprintf(pr->err, sizeof(pr->err), "out of memory");
		pr->rc = -1;
		return NULL;
	}
	rows_names(pr->rows, &pr->p);
	/*
	 * A row without an id yet (name-only, local) keeps its names: its
	 * id is worked out with the names index before the write.
	 */
	if (pr->keep && import_parse_keep(&pr->p, row_needs_names, pr->r) == 0)
		pr->kept = 1;
	return NULL;
}

/*
 * Imports one file read by prep_file().  Returns 0 (imported or rejected)
 * or -1 (fatal).
 */
static int
run_file(struct run *r, struct prep *pr, struct prep_thread *pt)
{
	size_t idx = pr->idx;
	const struct item *it = &r->items[idx];
	struct import_parsed *p = &pr->p;
	struct wfile wf;
	char *err = pr->err, sk[256];
	const size_t errsz = sizeof(pr->err);
	size_t i;
	uint64_t nskip = 0;
	double secs;
	int ret = 0;

	memset(&wf, 0, sizeof(wf));
	if (pr->rc == -1)
		goto reject;
	if (p->username[0] != '\0' && strcmp(p->username, r->user) != 0) {
		char esc[USER_ID_MAX * 4 + 1];

		log_warnx("%s: the file says it belongs to Spotify user "
		    "\"%s\"; importing it for %s as asked", it->label,
		    log_escape(esc, sizeof(esc), p->username,
		    strlen(p->username)), r->user);
	}
	wf.rows = pr->rows;
	wf.pt = pt;
	pr->rows = NULL;
	wf.n = p->n_rows;
	wf.r = r;
	wf.it = it;
	wf.p = p;
	wf.src = p->fmt == IMPORT_FMT_ACCOUNT ? SOURCE_ACCOUNT :
	    SOURCE_EXTENDED;
	/* A full map would undo the file's transaction and run it again. */
	(void)store_reserve(r->st, wf.n * IMPORT_ROW_BYTES);
	if (wf_resolve(&wf) == -1) {
		snprintf(err, errsz, "cannot read the known tracks");
		goto reject;
	}
	/*
	 * The names of rows whose track is known are of no more use: they
	 * go before the write, whose copies of pages are the peak.
	 */
	if (!pr->kept && import_parse_keep(p, row_needs_names, r) == -1) {
		snprintf(err, errsz, "out of memory");
		goto reject;
	}
	/*
	 * Even a file with no play to store is written: it creates the
	 * user (docs/IMPORT.md) and, for a job, records the file.
	 */
	if (store_write(r->st, wf_write, &wf) != STORE_OK) {
		snprintf(err, errsz, "cannot write to the store");
		goto reject;
	}
	prep_join(pt);		/* it reads the known tracks this changes */
	wf_learn(&wf);
	for (i = 0; i < SKIP__MAX; i++) {
		r->skipped[i] += p->skipped[i];
		nskip += p->skipped[i];
	}
	r->records += p->n_records;
	r->imported += wf.imported;
	r->present += wf.present;
	r->refined += wf.refined;
	if (wf.created)
		r->user_created = 1;
	if (p->fmt == IMPORT_FMT_EMPTY)
		r->files_empty++;
	r->files_ok++;
	secs = secs_since(&pr->t0);
	skipped_text(p->skipped, sk, sizeof(sk));
	log_info("[%zu/%zu] %s: %zu records: %llu imported, %llu already "
	    "present, %llu skipped (%s); %.2f s, %.0f records/s", idx + 1,
	    r->n_items, it->label, p->n_records,
	    (unsigned long long)wf.imported, (unsigned long long)wf.present,
	    (unsigned long long)nskip, sk, secs,
	    secs > 0 ? (double)p->n_records / secs : 0.0);
	goto close_file;
reject:
	r->files_failed++;
	log_warnx("%s: %s; nothing from this file was imported", it->label,
	    err);
	if (r->job != 0) {
		struct wf_reject x = { &wf, err };

		wf.r = r;
		wf.it = it;
		wf.p = NULL;
		/* The job must not lose a file: a fatal error. */
		if (store_write(r->st, wf_reject_fn, &x) != STORE_OK)
			ret = -1;
	}
close_file:
	import_match_free_i64(&wf.claimed);
	import_match_free_i64(&wf.ensured);
	import_match_free_i64(&wf.ents_ok);
	free(wf.rows);
	free(pr->rows);
	pr->rows = NULL;
	import_parse_free(p);
	return ret;
}

/*
 * Imports the items from first on, each read (prep_file()) in a second
 * thread while the one before it is written: the reading (inflating,
 * parsing, sorting, the names' ids) then costs no time of the writer's,
 * the store's one writer, when a second core is free.  Every file is
 * still written, all or nothing, in order.  The name index and the known
 * tracks are read first, so that the thread may consult them while the
 * writer only reads them too.  Returns 0 or -1 (fatal).
 */
static int
run_files(struct run *r, size_t first)
{
	struct prep *cur, *next, *t;
	struct prep_thread pt = { 0 };
	int threaded, ret = 0;
	size_t i;

	if (first >= r->n_items)
		return 0;
	cur = calloc(1, sizeof(*cur));
	next = calloc(1, sizeof(*next));
	if (cur == NULL || next == NULL) {
		free(cur);
		free(next);
		log_warnx("import: out of memory");
		return -1;
	}
	/*
	 * One store for the whole run: opened for each file, it gave its
	 * map and LMDB's pool of page copies back, which the next file then
	 * faulted in again (docs/BENCHMARKS.md).  The names are read now,
	 * before any thread runs.  If they cannot be, the first file's
	 * resolving says why, and run_file() lets the names go.
	 */
	if (store_open(&r->st, r->dbpath, 0, 0) != STORE_OK) {
		log_warnx("import: cannot open the store at %s", r->dbpath);
		free(cur);
		free(next);
		return -1;
	}
	(void)run_names(r);
	cur->r = next->r = r;
	cur->idx = first;
	cur->keep = next->keep = r->names_built;
	(void)prep_file(cur);
	for (i = first; i < r->n_items; i++) {
		threaded = 0;
		if (i + 1 < r->n_items) {
			next->idx = i + 1;
			threaded = pt.running = pthread_create(&pt.th, NULL,
			    prep_file, next) == 0;
		}
		ret = run_file(r, cur, &pt);
		prep_join(&pt);
		if (!threaded && i + 1 < r->n_items && ret == 0)
			(void)prep_file(next);
		if (ret == -1) {
			/* run_file() let its own file's rows go. */
			if (i + 1 < r->n_items) {
				free(next->rows);
				import_parse_free(&next->p);
			}
			break;
		}
		t = cur;
		cur = next;
		next = t;
	}
	store_close(r->st);
	r->st = NULL;
	free(cur);
	free(next);
	return ret;
}

/* ---- --job: an upload's import (import_job.h) --------------------------- */

/*
 * Takes the lock of the job's spool file: a second run of the same job
 * (a collector restarted while an orphan still runs) waits for nothing
 * and fails.  Returns the descriptor holding the lock, or -1.
 */
static int
import_lock(const char *path)
{
	char esc[LABEL_MAX];
	int fd;

	log_escape(esc, sizeof(esc), path, strlen(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("import: %s", esc);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		log_warn("import: %s: another run holds it", esc);
		close(fd);
		return -1;
	}
	return fd;
}

/* Opens the store for the job's own records around fn (0 / 1 / -1). */
static int
import_job_start(struct run *r, uint32_t *done)
{
	struct store *st;
	int rc;

	if (store_open(&st, r->dbpath, 0, 0) != STORE_OK)
		return -1;
	rc = import_job_begin(st, r->user, r->job, r->n_items, done);
	store_close(st);
	if (rc == 0 && *done > 0)
		log_info("import: job %u of %s resumes after %u files", r->job,
		    r->user, *done);
	return rc;
}

static int
import_job_stop(struct run *r, const char *reason)
{
	struct store *st;
	int rc;

	if (store_open(&st, r->dbpath, 0, 0) != STORE_OK)
		return -1;
	rc = import_job_end(st, r->user, r->job, reason);
	store_close(st);
	return rc;
}

static int
import_undo(struct config *cfg, const char *user, uint32_t job)
{
	struct store *st;
	int rc;

	if (store_open(&st, config_str(cfg, CFG_DB_PATH), 0, 0) != STORE_OK)
		return CMD_FAIL;
	rc = import_job_undo(st, user, job);
	store_close(st);
	if (rc == 0)
		log_info("import: job %u of %s undone", job, user);
	return rc == 0 ? CMD_OK : CMD_FAIL;
}

static void
run_free(struct run *r)
{
	import_list_free(r);
	import_match_free_names(&r->names);
	import_match_free_i64(&r->known);
	import_match_free_i64(&r->ents);
}

/* --job N: an upload's job (1 to 2^32 - 1), for cmd_options(). */
static int
take_job(const char *arg, void *to)
{
	const char *errstr;

	*(uint32_t *)to = (uint32_t)strtonum(arg, 1, UINT32_MAX, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "%s: import: --job %s: %s\n", CMD_PROG, arg,
		    errstr);
		return -1;
	}
	return 0;
}

int
cmd_import(struct config *cfg, int argc, char *argv[])
{
	uint32_t done = 0;
	int undo = 0, lockfd = -1;
	struct run r;
	struct timespec t0;
	const char *user = NULL;
	char sk[256];
	double secs;
	size_t i;
	const struct cmd_opt opts[] = {
		{ "user", 'u', required_argument, cmd_opt_str, &user },
		{ "job", 'j', required_argument, take_job, &r.job },
		{ "name", 'n', required_argument, cmd_opt_str, &r.display },
		{ "undo", 'U', no_argument, cmd_opt_flag, &undo },
	};
	int stop, rc = CMD_FAIL;

	memset(&r, 0, sizeof(r));
	if ((stop = cmd_options("import", argc, argv, opts, CMD_NELEM(opts),
	    1)) != -1)
		return stop;
	argc -= optind;
	argv += optind;
	if (user == NULL || (argc == 0 && !undo))
		return cmd_usage("import");
	if (!ids_valid_user(user)) {
		fprintf(stderr, "linernotes-collector: import: not a Spotify "
		    "user id: %s\n", user);
		return CMD_USAGE;
	}
	if ((undo || r.display != NULL) && r.job == 0)
		return cmd_usage("import");
	if (undo)	/* one at a time: the daemon's one run per user */
		return argc == 0 ? import_undo(cfg, user, r.job) :
		    cmd_usage("import");
	if (r.job != 0) {
		if (argc != 1)
			return cmd_usage("import");
		/* One run of a job at a time, whoever started it. */
		if ((lockfd = import_lock(argv[0])) == -1)
			return CMD_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r.user = user;
	r.min_play_ms = config_num(cfg, CFG_MIN_PLAY_MS);
	for (i = 0; i < (size_t)argc; i++)
		if (import_list_add(&r, argv[i]) == -1) {
			log_warnx("import: out of memory");
			goto free_run;
		}
	r.dbpath = config_str(cfg, CFG_DB_PATH);
	if (r.n_items == 0 && r.fail[0] == '\0')
		snprintf(r.fail, sizeof(r.fail), "no streaming history files "
		    "found (looked for endsong_*.json, "
		    "Streaming_History_Audio_*.json and StreamingHistory*.json)");
	if (r.job != 0) {
		switch (import_job_start(&r, &done)) {
		case 0:
			break;
		case 1:
			rc = CMD_OK;	/* nothing to do */
			goto free_run;
		default:
			goto free_run;
		}
	}
	if (r.n_items == 0 || (r.job != 0 && r.fail[0] != '\0')) {
		log_warnx("import: %s", r.fail);
		goto free_run;
	}
	import_list_sort(&r);
	if (run_files(&r, done) == -1)
		goto free_run;
	if (r.job != 0 && import_job_stop(&r, NULL) == -1)
		goto free_run;
	secs = secs_since(&t0);
	skipped_text(r.skipped, sk, sizeof(sk));
	if (r.user_created)
		log_info("user %s was not known: created without Spotify "
		    "access (it cannot be polled until the account is "
		    "connected)", user);
	log_info("import for %s: %llu files (%llu failed, %llu other files "
	    "ignored), %llu records: %llu plays imported, %llu already "
	    "present (%llu made precise), skipped: %s; %.2f s, %.0f "
	    "records/s", user, (unsigned long long)(r.files_ok +
	    r.files_failed), (unsigned long long)r.files_failed,
	    (unsigned long long)r.files_ignored,
	    (unsigned long long)r.records, (unsigned long long)r.imported,
	    (unsigned long long)r.present, (unsigned long long)r.refined, sk,
	    secs, secs > 0 ? (double)r.records / secs : 0.0);
	rc = r.files_failed > 0 || r.bad_paths > 0 ? CMD_FAIL : CMD_OK;
free_run:
	if (r.job != 0 && rc == CMD_FAIL && r.fail[0] != '\0')
		(void)import_job_stop(&r, r.fail);
	run_free(&r);
	if (lockfd != -1)
		close(lockfd);
	return rc;
}
