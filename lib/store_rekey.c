/*
 * store_rekey.c — schema version 7's migration: synthetic ids made by
 * version 1 of their algorithm re-keyed to version 2's (ids.h), merging
 * entities whose ids now coincide (contract: store_int.h).
 *
 * Version 1 folded ASCII case only, so a local file's artist "Björk" and
 * "BJÖRK" were two artists, their albums two albums and their tracks two
 * tracks.  An entity's synthetic id is recomputed from the names the
 * store holds, with the formulas the collector uses (one place:
 * collector/import_match.c): an artist from its name; an album from its
 * track's first artist's name and its name; a track from its first
 * artist's, its album's and its own name (a local file) or its first
 * artist's and its own (a name-only import row).  Only an id that
 * version 1 gives back from those names is re-keyed, so a real id, or a
 * synthetic one whose names changed since, is left alone.
 *
 * Then, in the migration's one transaction: every track that is re-keyed
 * or names a re-keyed artist or album is written again with the new ids
 * (duplicates in its artists dropped), a re-keyed track's plays, every
 * user's, are deleted and put again with the new id (store_del_play(),
 * store_put_play(): every index and aggregate follows, the previous-play
 * links included), and the old records are deleted; where the new id
 * already has a record (the merged twin), that record is kept.  Weekly
 * playlist snapshots and top lists keep the ids they were given
 * (Spotify's lists hold no local files).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "idtab.h"
#include "ids.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "store_int.h"

#define IDSZ	(ID_LEN + 1)	/* an id and its NUL, as a buf holds them */

struct remap {
	struct idtab	 from;		/* old ids; index i maps to id i */
	struct buf	 to;		/* of to */
};

struct rekey {
	struct store_txn *t;
	struct remap	 m[ENTITY__MAX];
	struct buf	 ids;		/* tracks to write again */
	uint64_t	 plays;		/* plays moved */
};

/* The new id of kind/id, or id itself when it is not re-keyed. */
static const char *
remap_get(const struct rekey *r, enum entity_kind kind, const char *id)
{
	uint32_t i;

	if (id[0] != '_' || idtab_get((struct idtab *)&r->m[kind].from, id,
	    0, &i) != 1)
		return id;
	return r->m[kind].to.data + (size_t)i * IDSZ;
}

static int
remap_add(struct rekey *r, enum entity_kind kind, const char *from,
    const char *to)
{
	struct remap *m = &r->m[kind];
	uint32_t i;

	if (strcmp(from, to) == 0)
		return 0;
	if (idtab_get(&m->from, from, 1, &i) == -1)
		return -1;
	if ((size_t)i * IDSZ == m->to.len)
		return buf_add(&m->to, to, IDSZ);
	memcpy(m->to.data + (size_t)i * IDSZ, to, IDSZ);
	return 0;
}

/*
 * The id kind/parts gave under version 1 is id: then its version 2 id
 * is recorded as its new one.
 */
static int
remap_check(struct rekey *r, enum entity_kind kind, const char *id,
    const char *what, const char *const *parts, size_t n, int *matched)
{
	char v1[ID_LEN + 1], v2[ID_LEN + 1];

	ids_synthetic_v(v1, 1, what, parts, n);
	*matched = strcmp(v1, id) == 0;
	if (!*matched)
		return 0;
	ids_synthetic_v(v2, 2, what, parts, n);
	return remap_add(r, kind, id, v2);
}

static int
scan_artist(const struct artist *a, void *arg)
{
	const char *parts[1] = { a->name };
	int matched;

	if (a->id[0] != '_')
		return 0;
	return remap_check(arg, ENTITY_ARTIST, a->id, "artist", parts, 1,
	    &matched);
}

/* The name of track tr's first artist, as the collector named it. */
static int
first_artist(struct store_txn *t, const struct track *tr, const char **name)
{
	char id[ID_LEN + 1];
	struct artist a;
	int rc;

	*name = "";
	if (tr->artists.n == 0)
		return 0;
	idlist_get(&tr->artists, 0, id);
	if ((rc = store_get_artist(t, id, &a)) == STORE_ERR)
		return -1;
	if (rc == STORE_OK && a.name != NULL)
		*name = a.name;
	return 0;
}

static int
scan_track(const struct track *tr, void *arg)
{
	struct rekey *r = arg;
	const char *artist, *album = "";
	const char *p3[3], *p2[2];
	struct album al;
	int rc, matched = 0;

	if (tr->id[0] != '_' && tr->album_id[0] != '_')
		return 0;
	if (first_artist(r->t, tr, &artist) == -1)
		return -1;
	if (tr->album_id[0] != '\0') {
		if ((rc = store_get_album(r->t, tr->album_id, &al)) ==
		    STORE_ERR)
			return -1;
		if (rc == STORE_OK && al.name != NULL)
			album = al.name;
	}
	if (tr->album_id[0] == '_') {
		p2[0] = artist;
		p2[1] = album;
		if (remap_check(r, ENTITY_ALBUM, tr->album_id, "album", p2, 2,
		    &matched) == -1)
			return -1;
	}
	if (tr->id[0] != '_')
		return 0;
	p3[0] = artist;
	p3[1] = album;
	p3[2] = tr->name;
	if (remap_check(r, ENTITY_TRACK, tr->id, "track", p3, 3,
	    &matched) == -1)
		return -1;
	if (matched)
		return 0;
	p2[0] = artist;
	p2[1] = tr->name;
	return remap_check(r, ENTITY_TRACK, tr->id, "track", p2, 2, &matched);
}

/* Whether tr is re-keyed or names a re-keyed artist or album. */
static int
track_touched(const struct rekey *r, const struct track *tr)
{
	char id[ID_LEN + 1];
	uint32_t i;

	if (remap_get(r, ENTITY_TRACK, tr->id) != tr->id ||
	    (tr->album_id[0] != '\0' &&
	    remap_get(r, ENTITY_ALBUM, tr->album_id) != tr->album_id))
		return 1;
	for (i = 0; i < tr->artists.n; i++) {
		idlist_get(&tr->artists, i, id);
		if (remap_get(r, ENTITY_ARTIST, id) != id)
			return 1;
	}
	return 0;
}

static int
collect_track(const struct track *tr, void *arg)
{
	struct rekey *r = arg;

	return track_touched(r, tr) ? buf_add(&r->ids, tr->id, IDSZ) : 0;
}

/*
 * Packs list with each id re-keyed as kind says, duplicates dropped,
 * into out (room for list->n ids); returns how many.
 */
static uint32_t
repack(const struct rekey *r, enum entity_kind kind, const struct idlist *l,
    char *out)
{
	char id[ID_LEN + 1];
	const char *nid;
	uint32_t i, k, n = 0;

	for (i = 0; i < l->n; i++) {
		idlist_get(l, i, id);
		nid = remap_get(r, kind, id);
		for (k = 0; k < n; k++)
			if (memcmp(out + (size_t)k * ID_LEN, nid, ID_LEN) == 0)
				break;
		if (k == n)
			memcpy(out + (size_t)n++ * ID_LEN, nid, ID_LEN);
	}
	return n;
}

struct move {
	struct rekey	*r;
	const char	*to;
};

/* A play put again as a play of the new track. */
static int
move_play(struct store_txn *t, const struct key *u, const char *user,
    const struct play *p, void *arg)
{
	struct move *m = arg;
	struct play np = *p;
	char *ctx;
	int rc;

	(void)u;
	/* The context points into the play deleted next: a copy. */
	if ((ctx = strdup(p->context_uri != NULL ? p->context_uri : "")) ==
	    NULL)
		return STORE_ERR;
	np.context_uri = ctx;
	memcpy(np.track_id, m->to, ID_LEN + 1);
	rc = store_del_play(t, user, p->played_at);
	if (rc == STORE_OK)
		rc = store_put_play(t, user, &np);
	free(ctx);
	if (rc != STORE_OK)
		return STORE_ERR;
	m->r->plays++;
	return STORE_OK;
}

/* Every user's plays of track from put again as plays of track to. */
static int
move_plays(struct rekey *r, const char *from, const char *to)
{
	struct move m = { r, to };

	return store_track_plays_each(r->t, from, move_play, &m);
}

/* Writes track id again with new ids; moves its plays when re-keyed. */
static int
rewrite_track(struct rekey *r, const char *id)
{
	char packed[STORE_VIEW_ARTISTS * 4 * ID_LEN], old[ID_LEN + 1];
	const char *nid = remap_get(r, ENTITY_TRACK, id), *nalb;
	struct track tr, twin;
	int rc;

	memcpy(old, id, ID_LEN + 1);
	if ((rc = store_get_track(r->t, old, &tr)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : STORE_ERR;
	if (tr.artists.n > sizeof(packed) / ID_LEN)
		tr.artists.n = sizeof(packed) / ID_LEN;
	tr.artists.n = repack(r, ENTITY_ARTIST, &tr.artists, packed);
	tr.artists.ids = packed;
	if (tr.album_id[0] != '\0' &&
	    (nalb = remap_get(r, ENTITY_ALBUM, tr.album_id)) != tr.album_id)
		memcpy(tr.album_id, nalb, ID_LEN + 1);
	if (nid == id) {
		rc = store_put_track(r->t, &tr);
		return rc == STORE_ERR ? STORE_ERR : STORE_OK;
	}
	/* Re-keyed: the twin, when there is one, keeps its record. */
	memcpy(tr.id, nid, ID_LEN + 1);
	if ((rc = store_get_track(r->t, nid, &twin)) == STORE_ERR)
		return STORE_ERR;
	if (rc == STORE_NOTFOUND && store_put_track(r->t, &tr) == STORE_ERR)
		return STORE_ERR;
	if (move_plays(r, old, nid) != STORE_OK)
		return STORE_ERR;
	rc = store_del_track(r->t, old);
	return rc == STORE_ERR ? STORE_ERR : STORE_OK;
}

/* Moves each re-keyed artist's record to its new id. */
static int
rekey_artists(struct rekey *r)
{
	const struct remap *m = &r->m[ENTITY_ARTIST];
	char from[ID_LEN + 1];
	const char *to;
	struct artist a;
	size_t i;
	int rc;

	for (i = 0; i < m->from.n; i++) {
		idtab_copy(&m->from, (uint32_t)i, from);
		to = m->to.data + i * IDSZ;
		if ((rc = store_get_artist(r->t, to, &a)) == STORE_ERR)
			return STORE_ERR;
		if (rc == STORE_NOTFOUND) {
			if ((rc = store_get_artist(r->t, from, &a)) ==
			    STORE_ERR)
				return STORE_ERR;
			memcpy(a.id, to, IDSZ);
			if (rc == STORE_OK && store_put_artist(r->t, &a) ==
			    STORE_ERR)
				return STORE_ERR;
		}
		if (store_del_artist(r->t, from) == STORE_ERR)
			return STORE_ERR;
	}
	return STORE_OK;
}

struct album_ids {
	struct buf	 ids;
	const struct rekey *r;
};

static int
collect_album(const struct album *al, void *arg)
{
	struct album_ids *c = arg;
	char id[ID_LEN + 1];
	uint32_t i;
	int touched = remap_get(c->r, ENTITY_ALBUM, al->id) != al->id;

	for (i = 0; i < al->artists.n && !touched; i++) {
		idlist_get(&al->artists, i, id);
		touched = remap_get(c->r, ENTITY_ARTIST, id) != id;
	}
	return touched ? buf_add(&c->ids, al->id, IDSZ) : 0;
}

/* Albums re-keyed or naming a re-keyed artist, written again. */
static int
rekey_albums(struct rekey *r)
{
	struct album_ids c = { BUF_INIT, r };
	char packed[64 * ID_LEN], old[ID_LEN + 1];
	const char *nid;
	struct album al;
	size_t i;
	int rc, ret = STORE_ERR;

	if (store_iter_albums(r->t, collect_album, &c) != STORE_OK)
		goto free;
	for (i = 0; i < c.ids.len / IDSZ; i++) {
		memcpy(old, c.ids.data + i * IDSZ, IDSZ);
		nid = remap_get(r, ENTITY_ALBUM, old);
		if ((rc = store_get_album(r->t, nid, &al)) == STORE_ERR)
			goto free;
		/* A re-keyed album whose twin is there: the twin stays. */
		if (rc == STORE_NOTFOUND || nid == old) {
			if (store_get_album(r->t, old, &al) != STORE_OK)
				goto free;
			if (al.artists.n > sizeof(packed) / ID_LEN)
				al.artists.n = sizeof(packed) / ID_LEN;
			al.artists.n = repack(r, ENTITY_ARTIST, &al.artists,
			    packed);
			al.artists.ids = packed;
			memcpy(al.id, nid, ID_LEN + 1);
			if (store_put_album(r->t, &al) == STORE_ERR)
				goto free;
		}
		if (nid != old && store_del_album(r->t, old) == STORE_ERR)
			goto free;
	}
	ret = STORE_OK;
free:
	buf_free(&c.ids);
	return ret;
}

int
store_rekey_synthetic(struct store_txn *t, uint64_t *n_entities,
    uint64_t *n_plays)
{
	struct rekey r;
	size_t i;
	int k, ret = STORE_ERR;

	memset(&r, 0, sizeof(r));
	r.t = t;
	*n_entities = *n_plays = 0;
	/* Read every map first: nothing is written while a scan runs. */
	if (store_iter_artists(t, scan_artist, &r) != STORE_OK ||
	    store_iter_tracks(t, scan_track, &r) != STORE_OK)
		goto free;
	for (k = 0; k < ENTITY__MAX; k++)
		*n_entities += r.m[k].from.n;
	if (*n_entities == 0) {
		ret = STORE_OK;
		goto free;
	}
	if (store_iter_tracks(t, collect_track, &r) != STORE_OK)
		goto free;
	for (i = 0; i < r.ids.len / IDSZ; i++)
		if (rewrite_track(&r, r.ids.data + i * IDSZ) != STORE_OK)
			goto free;
	if (rekey_albums(&r) != STORE_OK || rekey_artists(&r) != STORE_OK)
		goto free;
	*n_plays = r.plays;
	ret = STORE_OK;
free:
	for (k = 0; k < ENTITY__MAX; k++) {
		idtab_free(&r.m[k].from);
		buf_free(&r.m[k].to);
	}
	buf_free(&r.ids);
	return ret;
}
