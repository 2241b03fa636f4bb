/*
 * import_match.c — matching imported rows to tracks by name.
 *
 * Account data names a play's track only by artist and title, and a row
 * of any kind may repeat a play stored earlier under another id of the
 * same name.  This file holds what the importer matches with: the
 * synthetic ids of name-only tracks, artists, albums and local files (one
 * place that says what names each kind), the name index (a hash of the
 * folded artist and title of every known track to its ids) read from the
 * store once, and the small open-addressing sets of int64 values the
 * importer keeps (times a file claimed, hashes of track ids known to
 * exist).  import.c uses them through import_match.h.
 */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "hash.h"
#include "ids.h"
#include "import_match.h"
#include "store.h"

#define NAMES_RELEASE	256	/* tracks read between store_release_pages() */
#define IMPORT_CASE_MAX	512	/* bytes of an album name whose spelling counts */

/* ---- small hash tables ------------------------------------------------- */

/* Empties s, keeping its memory. */
void
import_match_clear_i64(struct i64set *s)
{
	if (s->used != NULL)
		memset(s->used, 0, s->cap);
	s->n = 0;
}

/* Frees what s holds; s is then empty and may be used again. */
void
import_match_free_i64(struct i64set *s)
{
	free(s->v);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* Whether x is in s: 1 or 0. */
int
import_match_has_i64(const struct i64set *s, int64_t x)
{
	size_t h;

	if (s->cap == 0)
		return 0;
	for (h = hash_mix((uint64_t)x) & (s->cap - 1); s->used[h];
	    h = (h + 1) & (s->cap - 1))
		if (s->v[h] == x)
			return 1;
	return 0;
}

/* Adds x to s unless present.  0, or -1 when memory ran out. */
int
import_match_add_i64(struct i64set *s, int64_t x)
{
	size_t h, i, cap;
	int64_t *nv;
	uint8_t *nu;

	if ((s->n + 1) * 2 > s->cap) {
		cap = s->cap ? s->cap * 2 : 4096;
		if ((nv = reallocarray(NULL, cap, sizeof(*nv))) == NULL ||
		    (nu = calloc(cap, 1)) == NULL) {
			free(nv);
			return -1;
		}
		for (i = 0; i < s->cap; i++) {
			if (!s->used[i])
				continue;
			for (h = hash_mix((uint64_t)s->v[i]) & (cap - 1); nu[h];
			    h = (h + 1) & (cap - 1))
				;
			nu[h] = 1;
			nv[h] = s->v[i];
		}
		free(s->v);
		free(s->used);
		s->v = nv;
		s->used = nu;
		s->cap = cap;
	}
	for (h = hash_mix((uint64_t)x) & (s->cap - 1); s->used[h];
	    h = (h + 1) & (s->cap - 1))
		if (s->v[h] == x)
			return 0;
	s->used[h] = 1;
	s->v[h] = x;
	s->n++;
	return 0;
}

/* Frees what x holds; x is then empty and may be used again. */
void
import_match_free_names(struct nameidx *x)
{
	free(x->h);
	free(x->id);
	memset(x, 0, sizeof(*x));
}

/*
 * The ids of the tracks named h, real ids first, at most max of them,
 * into out.  The ids belong to x and stay valid until x changes.
 * Returns how many.
 */
size_t
import_match_get_names(const struct nameidx *x, uint64_t h,
    const char *out[], size_t max)
{
	size_t i, n = 0, k;

	if (x->cap == 0 || h == 0)
		return 0;
	for (i = hash_mix(h) & (x->cap - 1); x->h[i] != 0 && n < max;
	    i = (i + 1) & (x->cap - 1)) {
		if (x->h[i] != h)
			continue;
		if (x->id[i][0] == '_')
			out[n++] = x->id[i];
		else {
			/* Keep real ids in front of synthetic ones. */
			for (k = n++; k > 0 && out[k - 1][0] == '_'; k--)
				out[k] = out[k - 1];
			out[k] = x->id[i];
		}
	}
	return n;
}

/*
 * Adds h -> id.  One name may stand for several tracks (a song on an
 * album and on a single): each pair is kept once.  id is copied.
 * Returns 0, or -1 when memory ran out (x is unchanged).
 */
int
import_match_put_name(struct nameidx *x, uint64_t h, const char *id)
{
	size_t i, j, cap;
	uint64_t *nh;
	char (*nid)[ID_LEN + 1];

	if (h == 0)
		return 0;
	if ((x->n + 1) * 2 > x->cap) {
		cap = x->cap ? x->cap * 2 : 4096;
		if ((nh = calloc(cap, sizeof(*nh))) == NULL ||
		    (nid = reallocarray(NULL, cap, sizeof(*nid))) == NULL) {
			free(nh);
			return -1;
		}
		for (i = 0; i < x->cap; i++) {
			if (x->h[i] == 0)
				continue;
			for (j = hash_mix(x->h[i]) & (cap - 1); nh[j] != 0;
			    j = (j + 1) & (cap - 1))
				;
			nh[j] = x->h[i];
			memcpy(nid[j], x->id[i], ID_LEN + 1);
		}
		free(x->h);
		free(x->id);
		x->h = nh;
		x->id = nid;
		x->cap = cap;
	}
	for (i = hash_mix(h) & (x->cap - 1); x->h[i] != 0;
	    i = (i + 1) & (x->cap - 1))
		if (x->h[i] == h && strcmp(x->id[i], id) == 0)
			return 0;
	x->h[i] = h;
	memcpy(x->id[i], id, ID_LEN + 1);
	x->n++;
	return 0;
}

/* FNV-1a over s, ASCII case and white space folded. */
static uint64_t
fold_hash(uint64_t h, const char *s)
{
	int pending = 0, started = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			pending = started;
			continue;
		}
		if (pending) {
			h ^= ' ';
			h *= 1099511628211ULL;
			pending = 0;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h ^= c;
		h *= 1099511628211ULL;
		started = 1;
	}
	return h;
}

/*
 * fold_hash() of s folded as ids_synthetic() folds names (fold_name():
 * case and diacritics), so "BJÖRK" finds the tracks of "Björk".  A name
 * too long to fold here is hashed as it is.
 */
static uint64_t
fold_hash_name(uint64_t h, const char *s)
{
	char b[3 * 512 + 1];
	size_t len = strlen(s);

	if (len > 512 || fold_name(s, len, b, sizeof(b)) == -1)
		return fold_hash(h, s);
	return fold_hash(h, b);
}

/* The name index key of (artist, title); never 0. */
uint64_t
import_match_key(const char *artist, const char *title)
{
	uint64_t h = 1469598103934665603ULL;

	h = fold_hash_name(h, artist);
	h ^= 0xff;			/* a separator no UTF-8 text has */
	h *= 1099511628211ULL;
	h = fold_hash_name(h, title);
	return h ? h : 1;
}

/* ---- synthetic ids (the names each kind takes: lib/ids.h) ----------- */

void
import_match_synth_album_cased(char out[ID_LEN + 1], const char *artist,
    const char *album)
{
	static const char hex[] = "0123456789abcdef";
	char exact[2 * IMPORT_CASE_MAX + 1];
	const char *parts[3] = { artist, album, exact };
	size_t i;

	/*
	 * ids_synthetic() folds case and diacritics: the name's own bytes go
	 * in as hexadecimal digits, which folding leaves alone.
	 */
	for (i = 0; album[i] != '\0' && i < IMPORT_CASE_MAX; i++) {
		exact[2 * i] = hex[(unsigned char)album[i] >> 4];
		exact[2 * i + 1] = hex[(unsigned char)album[i] & 0xf];
	}
	exact[2 * i] = '\0';
	ids_synthetic(out, "album", parts, 3);
}

/* ---- matching names to tracks ----------------------------------------- */

struct names_build {
	struct store		*st;
	struct store_txn	*txn;
	struct nameidx		 x;
	struct i64set		 known;
	size_t			 n;		/* tracks read */
};

static int
names_track(const struct track *t, void *arg)
{
	struct names_build *b = arg;
	struct artist a;
	char aid[ID_LEN + 1];

	/*
	 * The scan reads every track and its first artist: the whole store
	 * would be mapped in by its end (see IMPORT_RELEASE in import.c).
	 */
	if (++b->n % NAMES_RELEASE == 0)
		(void)store_release_pages(b->st);
	if (import_match_add_i64(&b->known,
	    (int64_t)import_match_hash_id(t->id)) == -1)
		return -1;
	if (t->artists.n == 0 || t->name == NULL || t->name[0] == '\0')
		return 0;
	idlist_get(&t->artists, 0, aid);
	if (store_get_artist(b->txn, aid, &a) != STORE_OK)
		return 0;
	return import_match_put_name(&b->x, import_match_key(a.name, t->name),
	    t->id);
}

static int
names_read(struct store_txn *txn, void *arg)
{
	struct names_build *b = arg;

	import_match_free_names(&b->x);
	import_match_free_i64(&b->known);
	b->txn = txn;
	return store_iter_tracks(txn, names_track, b) == STORE_OK ? 0 : -1;
}

/*
 * Reads every track of the store into a new name index x and the set
 * known of the hashes of their ids, which replace what x and known held
 * (they should be empty); on failure both are left as they were.  The
 * caller frees them.  Returns 0 or -1.
 */
int
import_match_read_names(struct store *st, struct nameidx *x,
    struct i64set *known)
{
	struct names_build b;

	memset(&b, 0, sizeof(b));
	b.st = st;
	if (store_read(st, names_read, &b) != STORE_OK) {
		import_match_free_names(&b.x);
		import_match_free_i64(&b.known);
		return -1;
	}
	*x = b.x;
	*known = b.known;
	return 0;
}

/* FNV-1a of a track id (ID_LEN bytes), the key of the sets of known ids. */
uint64_t
import_match_hash_id(const char *id)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < ID_LEN; i++) {
		h ^= (unsigned char)id[i];
		h *= 1099511628211ULL;
	}
	return h;
}
