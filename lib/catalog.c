/*
 * catalog.c — the in-memory index of tracks, artists and albums that the
 * story pages and the search read (contract: catalog.h).
 *
 * Per kind: the ids in one array, the folded names in one string arena
 * (offsets), an open-addressing hash of id -> number.  Tracks also keep
 * their album number and a packed list of artist numbers (CSR: offsets
 * and one array); artists and albums keep their tracks the same way,
 * built by counting then filling, so a build allocates a fixed number of
 * arrays whatever the catalog's size.  A build reads artists and albums
 * first, so a track's links resolve as it is read.  Changes from the log
 * are applied in place: a new entity is appended (its hash slot added),
 * a renamed one gets its new folded name appended to the arena, a track
 * its new artist list appended to theirs (per track: start and length),
 * and the reverse links are then counted and filled again in memory; the
 * superseded bytes stay until the next build.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "fold.h"
#include "hash.h"
#include "log.h"

#define USERS_KEPT	4	/* users whose plays per entity are kept */
#define NAME_FOLD_MAX	1024	/* folded name bytes kept (longer: cut) */

struct cat_kind {
	uint32_t	 n, cap;
	char		(*ids)[ID_LEN + 1];
	uint32_t	*name;		/* offsets into the arena */
	uint32_t	*slots;		/* number + 1; 0 = empty */
	size_t		 nslots;	/* a power of two */
	uint32_t	*rev_off;	/* n + 1: artist / album -> tracks */
	uint32_t	*rev;
};

struct cat_user {
	char		 user[USER_ID_MAX + 1];	/* "" = unused */
	uint64_t	 version;	/* the user's play version, and */
	uint64_t	 seq;		/* ... the catalog's change sequence */
	uint64_t	 used;		/* for least recently used */
	uint32_t	*plays[ENTITY__MAX];	/* one per entity of a kind */
};

struct catalog {
	int		 built;
	uint64_t	 seq;		/* change log seq built at */
	struct cat_kind	 k[ENTITY__MAX];
	struct buf	 names;		/* folded names, NUL-separated */
	uint32_t	*album;		/* per track */
	uint32_t	*dur;		/* per track: duration ms */
	uint32_t	*art_off;	/* per track: its first artist in art */
	uint32_t	*art_len;	/* per track: how many */
	uint32_t	*art;
	size_t		 art_n, art_cap;	/* art used; per-track arrays */
	size_t		 art_acap;	/* art allocated */
	struct cat_user	 users[USERS_KEPT];
	uint64_t	 clock;
	size_t		 applied;	/* changes applied since the build */
};

static void	users_forget(struct catalog *);

struct catalog *
catalog_new(void)
{
	return calloc(1, sizeof(struct catalog));
}

static void
catalog_clear(struct catalog *cat)
{
	int i;

	for (i = 0; i < ENTITY__MAX; i++) {
		free(cat->k[i].ids);
		free(cat->k[i].name);
		free(cat->k[i].slots);
		free(cat->k[i].rev_off);
		free(cat->k[i].rev);
		memset(&cat->k[i], 0, sizeof(cat->k[i]));
	}
	users_forget(cat);
	buf_free(&cat->names);
	free(cat->album);
	free(cat->dur);
	free(cat->art_off);
	free(cat->art_len);
	free(cat->art);
	cat->album = cat->dur = cat->art_off = cat->art_len = cat->art = NULL;
	cat->applied = 0;
	cat->art_n = cat->art_cap = cat->art_acap = 0;
	cat->built = 0;
}

void
catalog_free(struct catalog *cat)
{
	if (cat == NULL)
		return;
	catalog_clear(cat);
	free(cat);
}

/* ---- building ------------------------------------------------------------ */

static size_t
slot_of(const struct cat_kind *k, const char *id)
{
	return (size_t)hash_bytes(id, ID_LEN) & (k->nslots - 1);
}

uint32_t
catalog_find(const struct catalog *cat, enum entity_kind kind,
    const char *id)
{
	const struct cat_kind *k;
	size_t s;

	if (kind >= ENTITY__MAX || id == NULL || strlen(id) != ID_LEN)
		return CATALOG_NONE;
	k = &cat->k[kind];
	if (k->nslots == 0)
		return CATALOG_NONE;
	for (s = slot_of(k, id); k->slots[s] != 0; s = (s + 1) &
	    (k->nslots - 1))
		if (memcmp(k->ids[k->slots[s] - 1], id, ID_LEN) == 0)
			return k->slots[s] - 1;
	return CATALOG_NONE;
}

/* Adds id with name (folded here).  Returns its number or CATALOG_NONE. */
static uint32_t
kind_add(struct catalog *cat, struct cat_kind *k, const char *id,
    const char *name)
{
	char folded[NAME_FOLD_MAX];
	void *p;
	size_t len;

	if (k->n == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 1024;

		if ((p = reallocarray(k->ids, cap, sizeof(*k->ids))) == NULL)
			return CATALOG_NONE;
		k->ids = p;
		if ((p = reallocarray(k->name, cap, sizeof(*k->name))) == NULL)
			return CATALOG_NONE;
		k->name = p;
		k->cap = cap;
	}
	len = strlen(name != NULL ? name : "");
	if (fold_name(name != NULL ? name : "", len, folded,
	    sizeof(folded)) == -1)
		log_debug("catalog: a name was cut to %d bytes",
		    NAME_FOLD_MAX);
	if (cat->names.len > UINT32_MAX - sizeof(folded))
		return CATALOG_NONE;
	k->name[k->n] = (uint32_t)cat->names.len;
	if (buf_add(&cat->names, folded, strlen(folded) + 1) == -1)
		return CATALOG_NONE;
	memcpy(k->ids[k->n], id, ID_LEN + 1);
	return k->n++;
}

/* Builds kind's hash over its n ids. */
static int
kind_hash(struct cat_kind *k)
{
	size_t s;
	uint32_t i;

	free(k->slots);
	k->nslots = 64;
	while (k->nslots < (size_t)k->n * 2)
		k->nslots *= 2;
	if ((k->slots = calloc(k->nslots, sizeof(*k->slots))) == NULL)
		return -1;
	for (i = 0; i < k->n; i++) {
		for (s = slot_of(k, k->ids[i]); k->slots[s] != 0;
		    s = (s + 1) & (k->nslots - 1))
			;
		k->slots[s] = i + 1;
	}
	return 0;
}

/*
 * Puts entity i (the newest) into kind's hash, or builds the hash again
 * when it would be more than half full.
 */
static int
kind_hash_add(struct cat_kind *k, uint32_t i)
{
	size_t s;

	if (k->nslots == 0 || (size_t)k->n * 2 > k->nslots)
		return kind_hash(k);
	for (s = slot_of(k, k->ids[i]); k->slots[s] != 0;
	    s = (s + 1) & (k->nslots - 1))
		;
	k->slots[s] = i + 1;
	return 0;
}

static int
load_artist(const struct artist *a, void *arg)
{
	struct catalog *cat = arg;

	return kind_add(cat, &cat->k[ENTITY_ARTIST], a->id, a->name) ==
	    CATALOG_NONE ? -1 : 0;
}

static int
load_album(const struct album *al, void *arg)
{
	struct catalog *cat = arg;

	return kind_add(cat, &cat->k[ENTITY_ALBUM], al->id, al->name) ==
	    CATALOG_NONE ? -1 : 0;
}

/* Sets track t's album, duration and artists from tr (artists appended). */
static int
track_set(struct catalog *cat, uint32_t t, const struct track *tr)
{
	struct cat_kind *k = &cat->k[ENTITY_TRACK];
	char aid[ID_LEN + 1];
	uint32_t a, i, cap;
	void *p;

	if (t >= cat->art_cap) {
		cap = k->cap + 1;
		if ((p = reallocarray(cat->album, cap, sizeof(*cat->album)))
		    == NULL)
			return -1;
		cat->album = p;
		if ((p = reallocarray(cat->dur, cap, sizeof(*cat->dur))) ==
		    NULL)
			return -1;
		cat->dur = p;
		if ((p = reallocarray(cat->art_off, cap,
		    sizeof(*cat->art_off))) == NULL)
			return -1;
		cat->art_off = p;
		if ((p = reallocarray(cat->art_len, cap,
		    sizeof(*cat->art_len))) == NULL)
			return -1;
		cat->art_len = p;
		cat->art_cap = cap;
	}
	cat->album[t] = tr->album_id[0] != '\0' ? catalog_find(cat,
	    ENTITY_ALBUM, tr->album_id) : CATALOG_NONE;
	cat->dur[t] = tr->duration_ms;
	cat->art_off[t] = (uint32_t)cat->art_n;
	cat->art_len[t] = 0;
	for (i = 0; i < tr->artists.n; i++) {
		idlist_get(&tr->artists, i, aid);
		if ((a = catalog_find(cat, ENTITY_ARTIST, aid)) == CATALOG_NONE)
			continue;
		if (cat->art_n == cat->art_acap) {
			cap = cat->art_acap ? (uint32_t)cat->art_acap * 2 :
			    1024;
			if ((p = reallocarray(cat->art, cap,
			    sizeof(*cat->art))) == NULL)
				return -1;
			cat->art = p;
			cat->art_acap = cap;
		}
		cat->art[cat->art_n++] = a;
		cat->art_len[t]++;
	}
	return 0;
}

static int
load_track(const struct track *tr, void *arg)
{
	struct catalog *cat = arg;
	uint32_t t;

	if ((t = kind_add(cat, &cat->k[ENTITY_TRACK], tr->id, tr->name)) ==
	    CATALOG_NONE)
		return -1;
	return track_set(cat, t, tr);
}

/* The reverse links of kind (artist or album) from the tracks' links. */
static int
kind_reverse(struct catalog *cat, enum entity_kind kind)
{
	struct cat_kind *k = &cat->k[kind];
	uint32_t t, j, e, nt = cat->k[ENTITY_TRACK].n, *fill;
	size_t total = 0;

	if ((k->rev_off = calloc((size_t)k->n + 1, sizeof(uint32_t))) == NULL)
		return -1;
	for (t = 0; t < nt; t++) {
		if (kind == ENTITY_ALBUM) {
			if (cat->album[t] != CATALOG_NONE)
				k->rev_off[cat->album[t] + 1]++;
		} else
			for (j = cat->art_off[t]; j < cat->art_off[t] +
			    cat->art_len[t]; j++)
				k->rev_off[cat->art[j] + 1]++;
	}
	for (e = 0; e < k->n; e++)
		k->rev_off[e + 1] += k->rev_off[e];
	total = k->rev_off[k->n];
	if ((k->rev = calloc(total + 1, sizeof(uint32_t))) == NULL)
		return -1;
	if ((fill = calloc((size_t)k->n + 1, sizeof(uint32_t))) == NULL)
		return -1;
	for (t = 0; t < nt; t++) {
		if (kind == ENTITY_ALBUM) {
			if ((e = cat->album[t]) != CATALOG_NONE)
				k->rev[k->rev_off[e] + fill[e]++] = t;
		} else
			for (j = cat->art_off[t]; j < cat->art_off[t] +
			    cat->art_len[t]; j++) {
				e = cat->art[j];
				/* a track crediting an artist twice: once */
				if (fill[e] > 0 && k->rev[k->rev_off[e] +
				    fill[e] - 1] == t)
					continue;
				k->rev[k->rev_off[e] + fill[e]++] = t;
			}
	}
	/* Shrink the lists of artists credited twice on one track. */
	for (e = 0, total = 0; e < k->n; e++) {
		uint32_t from = k->rev_off[e];

		k->rev_off[e] = (uint32_t)total;
		memmove(k->rev + total, k->rev + from, fill[e] *
		    sizeof(uint32_t));
		total += fill[e];
	}
	k->rev_off[k->n] = (uint32_t)total;
	free(fill);
	return 0;
}

static int
catalog_build(struct catalog *cat, struct store_txn *txn, uint64_t seq)
{
	catalog_clear(cat);
	if (store_iter_artists(txn, load_artist, cat) != STORE_OK ||
	    kind_hash(&cat->k[ENTITY_ARTIST]) == -1 ||
	    store_iter_albums(txn, load_album, cat) != STORE_OK ||
	    kind_hash(&cat->k[ENTITY_ALBUM]) == -1 ||
	    store_iter_tracks(txn, load_track, cat) != STORE_OK ||
	    kind_hash(&cat->k[ENTITY_TRACK]) == -1)
		goto clear;
	if (cat->k[ENTITY_TRACK].n == 0) {
		/* No track: the per-track arrays were never allocated. */
		if ((cat->album = calloc(1, sizeof(uint32_t))) == NULL ||
		    (cat->dur = calloc(1, sizeof(uint32_t))) == NULL ||
		    (cat->art_off = calloc(1, sizeof(uint32_t))) == NULL ||
		    (cat->art_len = calloc(1, sizeof(uint32_t))) == NULL)
			goto clear;
	}
	if (kind_reverse(cat, ENTITY_ARTIST) == -1 ||
	    kind_reverse(cat, ENTITY_ALBUM) == -1)
		goto clear;
	cat->seq = seq;
	cat->built = 1;
	return 0;
clear:
	log_warnx("catalog: the entities could not be indexed");
	catalog_clear(cat);
	return -1;
}

/* ---- following the change log ------------------------------------------ */

#define APPLIED_MAX	200000	/* changes applied before a rebuild */

struct apply_ctx {
	struct catalog	*cat;
	struct store_txn *txn;
	int		 added[ENTITY__MAX];	/* new entities of a kind */
	int		 tracks;		/* a track's links changed */
	int		 rebuild;		/* a change this cannot apply */
};

/* Sets entity i's folded name (the old one stays in the arena). */
static int
kind_rename(struct catalog *cat, struct cat_kind *k, uint32_t i,
    const char *name)
{
	char id[ID_LEN + 1];
	uint32_t n = k->n, j;

	/* kind_add() appends: add, then move the new name over to i. */
	memcpy(id, k->ids[i], sizeof(id));
	if ((j = kind_add(cat, k, id, name)) == CATALOG_NONE)
		return -1;
	k->name[i] = k->name[j];
	k->n = n;
	return 0;
}

/* Applies one change: the entity as the store has it now. */
static int
apply_change(uint64_t seq, enum entity_kind kind, const char *id, void *arg)
{
	struct apply_ctx *c = arg;
	struct catalog *cat = c->cat;
	struct cat_kind *k = &cat->k[kind];
	struct track tr;
	struct artist ar;
	struct album al;
	const char *name;
	uint32_t i;
	int rc;

	(void)seq;
	if (kind == ENTITY_TRACK)
		rc = store_get_track(c->txn, id, &tr);
	else if (kind == ENTITY_ARTIST)
		rc = store_get_artist(c->txn, id, &ar);
	else
		rc = store_get_album(c->txn, id, &al);
	if (rc == STORE_ERR)
		return -1;
	if (rc == STORE_NOTFOUND) {	/* deleted: numbers would change */
		c->rebuild = 1;
		return 1;
	}
	name = kind == ENTITY_TRACK ? tr.name : kind == ENTITY_ARTIST ?
	    ar.name : al.name;
	if ((i = catalog_find(cat, kind, id)) == CATALOG_NONE) {
		if ((i = kind_add(cat, k, id, name)) == CATALOG_NONE ||
		    kind_hash_add(k, i) == -1)
			return -1;
		c->added[kind] = 1;
	} else if (kind_rename(cat, k, i, name) == -1)
		return -1;
	if (kind == ENTITY_TRACK) {
		if (track_set(cat, i, &tr) == -1)
			return -1;
		c->tracks = 1;
	}
	cat->applied++;
	return 0;
}

/*
 * Applies the changes after the catalog's sequence number up to seq.
 * Returns 0, 1 when only a rebuild will do (a deletion, a log that no
 * longer reaches back, too many changes), or -1.
 */
static int
catalog_apply(struct catalog *cat, struct store_txn *txn, uint64_t seq,
    uint64_t oldest)
{
	struct apply_ctx c;
	int i;

	if (oldest > cat->seq + 1 || seq - cat->seq > APPLIED_MAX ||
	    cat->applied > APPLIED_MAX)
		return 1;
	memset(&c, 0, sizeof(c));
	c.cat = cat;
	c.txn = txn;
	if (store_iter_changes(txn, cat->seq, apply_change, &c) != STORE_OK)
		return c.rebuild ? 1 : -1;
	if (c.rebuild)
		return 1;
	/* An artist or album added without tracks still needs its row. */
	if (c.tracks || c.added[ENTITY_ARTIST] || c.added[ENTITY_ALBUM]) {
		for (i = ENTITY_ARTIST; i <= ENTITY_ALBUM; i++) {
			free(cat->k[i].rev_off);
			free(cat->k[i].rev);
			cat->k[i].rev_off = cat->k[i].rev = NULL;
			if (kind_reverse(cat, (enum entity_kind)i) == -1)
				return -1;
		}
	}
	cat->seq = seq;	/* the users' plays, of an older seq, are read again */
	return 0;
}

int
catalog_sync(struct catalog *cat, struct store_txn *txn)
{
	uint64_t seq, oldest = 0;
	int rc;

	if (store_change_seq(txn, &seq, &oldest) != STORE_OK)
		return -1;
	if (cat->built && seq == cat->seq)
		return 0;
	if (cat->built && seq > cat->seq &&
	    (rc = catalog_apply(cat, txn, seq, oldest)) != 1) {
		if (rc == 0)
			return 0;
		log_warnx("catalog: the entity changes could not be applied");
	}
	return catalog_build(cat, txn, seq);
}

/* ---- reading ------------------------------------------------------------- */

uint32_t
catalog_count(const struct catalog *cat, enum entity_kind kind)
{
	return kind < ENTITY__MAX ? cat->k[kind].n : 0;
}

const char *
catalog_id(const struct catalog *cat, enum entity_kind kind, uint32_t i)
{
	return cat->k[kind].ids[i];
}

const char *
catalog_folded(const struct catalog *cat, enum entity_kind kind, uint32_t i)
{
	return cat->names.data + cat->k[kind].name[i];
}

size_t
catalog_tracks_of(const struct catalog *cat, enum entity_kind kind,
    uint32_t i, const uint32_t **out)
{
	static uint32_t self;
	const struct cat_kind *k = &cat->k[kind];

	if (kind == ENTITY_TRACK) {
		self = i;
		*out = &self;
		return 1;
	}
	*out = k->rev + k->rev_off[i];
	return k->rev_off[i + 1] - k->rev_off[i];
}

uint32_t
catalog_track_album(const struct catalog *cat, uint32_t t)
{
	return cat->album[t];
}

uint32_t
catalog_track_duration(const struct catalog *cat, uint32_t t)
{
	return cat->dur[t];
}

size_t
catalog_track_artists(const struct catalog *cat, uint32_t t,
    const uint32_t **out)
{
	*out = cat->art + cat->art_off[t];
	return cat->art_len[t];
}

/* Forgets every user's plays (their arrays are the catalog's size). */
static void
users_forget(struct catalog *cat)
{
	int i, k;

	for (i = 0; i < USERS_KEPT; i++) {
		for (k = 0; k < ENTITY__MAX; k++)
			free(cat->users[i].plays[k]);
		memset(&cat->users[i], 0, sizeof(cat->users[i]));
	}
}

struct count_ctx {
	const struct catalog *cat;
	enum entity_kind kind;
	uint32_t	*plays;
};

static int
count_entity(const struct entity_tally *e, void *arg)
{
	struct count_ctx *c = arg;
	char id[ID_LEN + 1];
	uint32_t i;

	memcpy(id, e->id, ID_LEN);
	id[ID_LEN] = '\0';
	if ((i = catalog_find(c->cat, c->kind, id)) != CATALOG_NONE)
		c->plays[i] = e->plays > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)e->plays;
	return 0;
}

int
catalog_user_plays(struct catalog *cat, struct store_txn *txn,
    const char *user, const uint32_t *plays[ENTITY__MAX])
{
	struct cat_user *u = NULL, *old = &cat->users[0];
	struct count_ctx c;
	uint64_t version = 0;
	int i, k, rc;

	if ((rc = store_agg_version(txn, user, &version)) == STORE_ERR)
		return -1;
	for (i = 0; i < USERS_KEPT; i++) {
		if (strcmp(cat->users[i].user, user) == 0) {
			u = &cat->users[i];
			break;
		}
		if (cat->users[i].used < old->used)
			old = &cat->users[i];
	}
	if (u != NULL && u->version == version && u->seq == cat->seq &&
	    u->plays[0] != NULL) {
		u->used = ++cat->clock;
		for (k = 0; k < ENTITY__MAX; k++)
			plays[k] = u->plays[k];
		return 0;
	}
	if (u == NULL)
		u = old;
	for (k = 0; k < ENTITY__MAX; k++)
		free(u->plays[k]);
	memset(u, 0, sizeof(*u));
	c.cat = cat;
	for (k = 0; k < ENTITY__MAX; k++) {
		if ((u->plays[k] = calloc((size_t)cat->k[k].n + 1,
		    sizeof(uint32_t))) == NULL)
			goto fail;
		c.kind = (enum entity_kind)k;
		c.plays = u->plays[k];
		if (rc == STORE_OK && store_iter_entity_days(txn, user,
		    (unsigned)k, STORE_DAY_ALL, STORE_DAY_ALL, count_entity,
		    &c) != STORE_OK)
			goto fail;
	}
	strlcpy(u->user, user, sizeof(u->user));
	u->version = version;
	u->seq = cat->seq;
	u->used = ++cat->clock;
	for (k = 0; k < ENTITY__MAX; k++)
		plays[k] = u->plays[k];
	return 0;
fail:
	for (k = 0; k < ENTITY__MAX; k++)
		free(u->plays[k]);
	memset(u, 0, sizeof(*u));
	return -1;
}

/* ---- search -------------------------------------------------------------- */

/* Whether q occurs in s at its start or at the start of a word. */
static int
match_prefix(const char *s, const char *q)
{
	const char *p = s;

	while ((p = strstr(p, q)) != NULL) {
		if (p == s || p[-1] == ' ')
			return 1;
		p++;
	}
	return 0;
}

/* Whether hit a ranks before hit b. */
static int
hit_before(const struct catalog *cat, enum entity_kind kind,
    const struct catalog_hit *a, const struct catalog_hit *b)
{
	if (a->plays != b->plays)
		return a->plays > b->plays;
	if (a->prefix != b->prefix)
		return a->prefix > b->prefix;
	return strcmp(catalog_folded(cat, kind, a->i),
	    catalog_folded(cat, kind, b->i)) < 0;
}

int
catalog_search(const struct catalog *cat, enum entity_kind kind,
    const char *q, const uint32_t *plays, struct catalog_hit *out,
    size_t max, size_t *n, size_t *total)
{
	const struct cat_kind *k;
	struct catalog_hit h;
	size_t pos;
	uint32_t i;
	const char *name;

	*n = *total = 0;
	if (kind >= ENTITY__MAX || q == NULL || *q == '\0')
		return 0;
	k = &cat->k[kind];
	for (i = 0; i < k->n; i++) {
		name = cat->names.data + k->name[i];
		if (strstr(name, q) == NULL)
			continue;
		h.i = i;
		h.plays = plays[i];
		if (h.plays == 0)
			continue;
		h.prefix = (uint8_t)match_prefix(name, q);
		(*total)++;
		/* Insertion into the best max, kept sorted. */
		if (*n == max && (max == 0 || !hit_before(cat, kind, &h,
		    &out[max - 1])))
			continue;
		pos = *n < max ? (*n)++ : max - 1;
		while (pos > 0 && hit_before(cat, kind, &h, &out[pos - 1])) {
			out[pos] = out[pos - 1];
			pos--;
		}
		out[pos] = h;
	}
	return 0;
}
