/*
 * parse.c — normalizing Spotify's JSON into schema.h records (see parse.h).
 *
 * The parser trusts nothing: every field is looked up by name and type,
 * ids are checked for Spotify's alphabet and length, numbers are bounded,
 * strings are copied into memory the set owns.  A missing optional field
 * becomes "" or 0; a missing essential one (played_at, a track with no id
 * that is not a local file) drops that item, never the page and never the
 * process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "log.h"
#include "parse.h"
#include "timeutil.h"

/* ---- small accessors ---------------------------------------------------- */

static const char *
parse_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring :
	    NULL;
}

static int64_t
parse_num(const cJSON *o, const char *k, int64_t lo, int64_t hi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	double d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	if (!(d >= (double)lo))
		return lo;
	if (d > (double)hi)
		return hi;
	return (int64_t)d;
}

static int
parse_bool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Copies s (NULL -> "") into memory the set owns; NULL when out of memory. */
/* Keeps a copy of n bytes; for packed id lists. */
static const char *
parse_keep_bytes(struct parse_set *set, const char *p, size_t n)
{
	char **strs, *c;

	if ((strs = reallocarray(set->strs, set->n_strs + 1,
	    sizeof(*strs))) == NULL)
		return NULL;
	set->strs = strs;
	if ((c = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(c, p, n);
	c[n] = '\0';
	set->strs[set->n_strs++] = c;
	return c;
}

/* Keeps a copy of s ("" for NULL); NULL on memory. */
static const char *
parse_keep(struct parse_set *set, const char *s)
{
	if (s == NULL)
		s = "";
	return parse_keep_bytes(set, s, strlen(s));
}

/* Copies a Spotify id when v is one; returns 0, or -1 when it is not. */
static int
parse_id(const char *v, char out[ID_LEN + 1])
{
	if (v == NULL || !ids_valid_spotify(v))
		return -1;
	memcpy(out, v, ID_LEN + 1);
	return 0;
}

/* ---- entities ----------------------------------------------------------- */

/*
 * The element of v (n of them, sz bytes each, each a struct track,
 * artist or album: the id first) whose id is id, or NULL.
 */
static void *
parse_find(void *v, size_t n, size_t sz, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp((char *)v + i * sz, id) == 0)
			return (char *)v + i * sz;
	return NULL;
}

/*
 * Appends the sz bytes of elem to the array whose pointer is at arrp (n
 * elements, *n incremented).  Returns 0, or -1 on memory (unchanged).
 */
static int
parse_append(void *arrp, size_t *n, size_t sz, const void *elem)
{
	void *arr;

	memcpy(&arr, arrp, sizeof(arr));
	if ((arr = reallocarray(arr, *n + 1, sz)) == NULL)
		return -1;
	memcpy((char *)arr + *n * sz, elem, sz);
	(*n)++;
	memcpy(arrp, &arr, sizeof(arr));
	return 0;
}

static int
parse_images(struct parse_set *set, const cJSON *o, struct image *img,
    uint8_t *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "images"), *it;
	const char *url;

	*n = 0;
	if (!cJSON_IsArray(arr))
		return 0;
	cJSON_ArrayForEach(it, arr) {
		if (*n >= IMAGES_MAX)
			break;
		if ((url = parse_str(it, "url")) == NULL || *url == '\0')
			continue;
		if ((img[*n].url = parse_keep(set, url)) == NULL)
			return -1;
		img[*n].width = (uint16_t)parse_num(it, "width", 0, UINT16_MAX);
		img[*n].height = (uint16_t)parse_num(it, "height", 0,
		    UINT16_MAX);
		(*n)++;
	}
	return 0;
}

/*
 * Adds an artist object; full objects (with genres/images/popularity)
 * are marked detailed and replace a simplified one already in the set.
 * Writes the artist's id (real or synthetic) to idout.  Returns 0, 1 when
 * the object had neither id nor name (skipped), -1 on memory.
 */
static int
parse_add_artist(struct parse_set *set, const cJSON *o, int full,
    char idout[ID_LEN + 1])
{
	struct artist a, *have;
	const cJSON *g, *it;
	const char *name = parse_str(o, "name");

	memset(&a, 0, sizeof(a));
	if (parse_id(parse_str(o, "id"), a.id) == -1) {
		if (name == NULL || *name == '\0')
			return 1;
		/* A local file's artist: named, never looked up. */
		ids_synth_artist(a.id, name);
		full = 1;
	}
	memcpy(idout, a.id, ID_LEN + 1);
	have = parse_find(set->artists, set->n_artists, sizeof(a), a.id);
	if (have != NULL && (have->detailed || !full))
		return 0;
	if ((a.name = parse_keep(set, name)) == NULL)
		return -1;
	if (full && a.id[0] != '_') {
		g = cJSON_GetObjectItemCaseSensitive(o, "genres");
		if (cJSON_IsArray(g))
			cJSON_ArrayForEach(it, g) {
				if (a.n_genres >= GENRES_MAX)
					break;
				if (!cJSON_IsString(it))
					continue;
				if ((a.genres[a.n_genres] = parse_keep(set,
				    it->valuestring)) == NULL)
					return -1;
				a.n_genres++;
			}
		if (parse_images(set, o, a.images, &a.n_images) == -1)
			return -1;
		a.popularity = (uint16_t)parse_num(o, "popularity", 0, 100);
	}
	a.detailed = (uint8_t)(full != 0);
	if (have != NULL) {
		*have = a;
		return 0;
	}
	return parse_append(&set->artists, &set->n_artists, sizeof(a), &a);
}

/* Adds the artists of o's "artists" array; packs their ids.  -1 on memory. */
static int
parse_artist_list(struct parse_set *set, const cJSON *o, struct idlist *l,
    const char **first_name)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "artists"), *it;
	char packed[16 * ID_LEN], id[ID_LEN + 1];
	uint32_t n = 0;
	int rc;

	*first_name = "";
	l->ids = "";
	l->n = 0;
	if (!cJSON_IsArray(arr))
		return 0;
	cJSON_ArrayForEach(it, arr) {
		if (n >= 16)
			break;
		if ((rc = parse_add_artist(set, it, 0, id)) == -1)
			return -1;
		if (rc == 1)
			continue;
		if (n == 0 && parse_str(it, "name") != NULL)
			*first_name = parse_str(it, "name");
		memcpy(packed + (size_t)n * ID_LEN, id, ID_LEN);
		n++;
	}
	if (n > 0 && (l->ids = parse_keep_bytes(set, packed,
	    (size_t)n * ID_LEN)) == NULL)
		return -1;
	l->n = n;
	return 0;
}

/*
 * Adds an album object.  artist_name names the track's first artist, for
 * a local file's synthetic album id.  Writes the id to idout ("" when the
 * album is unusable).  Returns 0 or -1 on memory.
 */
static int
parse_add_album(struct parse_set *set, const cJSON *o, const char *artist_name,
    char idout[ID_LEN + 1])
{
	struct album a;
	const char *name = parse_str(o, "name"), *first;

	idout[0] = '\0';
	if (!cJSON_IsObject(o))
		return 0;
	memset(&a, 0, sizeof(a));
	if (parse_id(parse_str(o, "id"), a.id) == -1) {
		if (name == NULL || *name == '\0')
			return 0;
		ids_synth_album(a.id, artist_name, name);
	}
	memcpy(idout, a.id, ID_LEN + 1);
	if (parse_find(set->albums, set->n_albums, sizeof(a), a.id) != NULL)
		return 0;
	if ((a.name = parse_keep(set, name)) == NULL ||
	    (a.album_type = parse_keep(set, parse_str(o, "album_type"))) ==
	    NULL ||
	    (a.release_date = parse_keep(set, parse_str(o, "release_date"))) ==
	    NULL)
		return -1;
	if (parse_artist_list(set, o, &a.artists, &first) == -1 ||
	    parse_images(set, o, a.images, &a.n_images) == -1)
		return -1;
	a.total_tracks = (uint16_t)parse_num(o, "total_tracks", 0, UINT16_MAX);
	return parse_append(&set->albums, &set->n_albums, sizeof(a), &a);
}

/*
 * Adds a track object with its album and artists.  Writes the track id
 * (synthetic for local files) to idout.  Returns 0, 1 when the object is
 * an episode, 2 when it is unusable, -1 on memory.
 */
static int
parse_add_track(struct parse_set *set, const cJSON *o, char idout[ID_LEN + 1])
{
	struct track t;
	const char *type, *name, *artist_name, *album_name;
	const cJSON *album;

	if (!cJSON_IsObject(o))
		return 2;
	type = parse_str(o, "type");
	if (type != NULL && strcmp(type, "episode") == 0)
		return 1;
	if (type != NULL && strcmp(type, "track") != 0)
		return 2;
	memset(&t, 0, sizeof(t));
	name = parse_str(o, "name");
	album = cJSON_GetObjectItemCaseSensitive(o, "album");
	if (parse_id(parse_str(o, "id"), t.id) == 0) {
		if (parse_find(set->tracks, set->n_tracks, sizeof(t), t.id) !=
		    NULL) {
			memcpy(idout, t.id, ID_LEN + 1);
			return 0;
		}
	} else if (!parse_bool(o, "is_local") || name == NULL || *name == '\0')
		return 2;
	if (parse_artist_list(set, o, &t.artists, &artist_name) == -1)
		return -1;
	if (t.id[0] == '\0') {
		album_name = parse_str(album, "name");
		ids_synth_local(t.id, artist_name, album_name, name);
		t.is_local = 1;
		if (parse_find(set->tracks, set->n_tracks, sizeof(t), t.id) !=
		    NULL) {
			memcpy(idout, t.id, ID_LEN + 1);
			return 0;
		}
	}
	if (parse_add_album(set, album, artist_name, t.album_id) == -1)
		return -1;
	if ((t.name = parse_keep(set, name)) == NULL ||
	    (t.uri = parse_keep(set, parse_str(o, "uri"))) == NULL)
		return -1;
	t.duration_ms = (uint32_t)parse_num(o, "duration_ms", 0, UINT32_MAX);
	t.popularity = (uint16_t)parse_num(o, "popularity", 0, 100);
	t.explicit_ = (uint8_t)parse_bool(o, "explicit");
	t.is_local = (uint8_t)(t.is_local || parse_bool(o, "is_local"));
	t.disc_number = (uint16_t)parse_num(o, "disc_number", 0, UINT16_MAX);
	t.track_number = (uint16_t)parse_num(o, "track_number", 0,
	    UINT16_MAX);
	if (parse_append(&set->tracks, &set->n_tracks, sizeof(t), &t) == -1)
		return -1;
	memcpy(idout, t.id, ID_LEN + 1);
	return 0;
}

static int
parse_add_id(struct parse_set *set, const char id[ID_LEN + 1])
{
	return parse_append(&set->ids, &set->n_ids, ID_LEN + 1, id);
}

/* ---- documents ---------------------------------------------------------- */

void
parse_set_free(struct parse_set *set)
{
	size_t i;

	for (i = 0; i < set->n_strs; i++)
		free(set->strs[i]);
	free(set->strs);
	free(set->plays);
	free(set->tracks);
	free(set->albums);
	free(set->artists);
	free(set->ids);
	memset(set, 0, sizeof(*set));
}

/*
 * A page's "items" array (NULL when doc is no page); *has_next then says
 * whether the page names a next one.
 */
static const cJSON *
parse_items(const cJSON *doc, int *has_next)
{
	const cJSON *items;

	if (!cJSON_IsObject(doc))
		return NULL;
	items = cJSON_GetObjectItemCaseSensitive(doc, "items");
	if (!cJSON_IsArray(items))
		return NULL;
	*has_next = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc,
	    "next"));
	return items;
}

int
parse_recent_page(const cJSON *doc, struct parse_set *set)
{
	const cJSON *items, *it, *ctx;
	const char *at, *uri;
	struct play p;
	char esc[64];
	int64_t ms;
	int rc;

	if ((items = parse_items(doc, &set->has_next)) == NULL)
		return -1;
	cJSON_ArrayForEach(it, items) {
		set->n_items++;
		at = parse_str(it, "played_at");
		if (at == NULL || time_parse_iso8601(at, &ms) == -1 || ms <= 0) {
			set->n_garbage++;
			log_warnx("recently-played: item without a valid "
			    "played_at skipped");
			continue;
		}
		if (set->oldest_ms == 0 || ms < set->oldest_ms)
			set->oldest_ms = ms;
		if (ms > set->newest_ms)
			set->newest_ms = ms;
		memset(&p, 0, sizeof(p));
		p.played_at = ms;
		p.source = SOURCE_API;
		p.ms_played = -1;
		rc = parse_add_track(set, cJSON_GetObjectItemCaseSensitive(it,
		    "track"), p.track_id);
		if (rc == -1)
			return -1;
		if (rc == 1) {
			set->n_episodes++;
			log_debug("recently-played: episode at %s skipped "
			    "(podcasts are not kept)", log_escape(esc,
			    sizeof(esc), at, strlen(at)));
			continue;
		}
		if (rc == 2) {
			set->n_garbage++;
			log_warnx("recently-played: unusable track at %s "
			    "skipped", log_escape(esc, sizeof(esc), at,
			    strlen(at)));
			continue;
		}
		ctx = cJSON_GetObjectItemCaseSensitive(it, "context");
		uri = cJSON_IsObject(ctx) ? parse_str(ctx, "uri") : NULL;
		if ((p.context_uri = parse_keep(set, uri)) == NULL)
			return -1;
		if (parse_append(&set->plays, &set->n_plays, sizeof(p),
		    &p) == -1)
			return -1;
	}
	return 0;
}

int
parse_top_page(const cJSON *doc, int artists, struct parse_set *set)
{
	const cJSON *items, *it;
	char id[ID_LEN + 1];
	int rc;

	if ((items = parse_items(doc, &set->has_next)) == NULL)
		return -1;
	cJSON_ArrayForEach(it, items) {
		set->n_items++;
		if (artists)
			rc = parse_id(parse_str(it, "id"), id) == -1 ? 2 :
			    parse_add_artist(set, it, 1, id);
		else
			rc = parse_add_track(set, it, id);
		if (rc == -1)
			return -1;
		if (rc != 0) {
			set->n_garbage++;
			continue;
		}
		if (parse_add_id(set, id) == -1)
			return -1;
	}
	return 0;
}

int
parse_playlist_items(const cJSON *doc, struct parse_set *set)
{
	const cJSON *items, *it, *tr;
	const char *snap;
	char id[ID_LEN + 1];
	int rc;

	if ((items = parse_items(doc, &set->has_next)) == NULL)
		return -1;
	if ((snap = parse_str(doc, "snapshot_id")) != NULL)
		(void)strlcpy(set->snapshot_id, snap, sizeof(set->snapshot_id));
	cJSON_ArrayForEach(it, items) {
		set->n_items++;
		tr = cJSON_GetObjectItemCaseSensitive(it, "item");
		if (!cJSON_IsObject(tr))
			tr = cJSON_GetObjectItemCaseSensitive(it, "track");
		if ((rc = parse_add_track(set, tr, id)) == -1)
			return -1;
		if (rc == 1) {
			set->n_episodes++;
			continue;
		}
		if (rc == 2) {
			set->n_garbage++;	/* removed or unavailable */
			continue;
		}
		if (parse_add_id(set, id) == -1)
			return -1;
	}
	return 0;
}

int
parse_entities(const cJSON *doc, struct parse_set *set)
{
	static const char *const lists[] = { "artists", "albums", "tracks" };
	const cJSON *arr, *it;
	const char *type;
	char id[ID_LEN + 1];
	size_t i;
	int rc;

	if (!cJSON_IsObject(doc))
		return -1;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		arr = cJSON_GetObjectItemCaseSensitive(doc, lists[i]);
		if (!cJSON_IsArray(arr) || parse_str(doc, "type") != NULL)
			continue;
		cJSON_ArrayForEach(it, arr) {
			if (cJSON_IsNull(it))
				continue;	/* unknown id in a batch */
			if (parse_entities(it, set) == -1)
				return -1;
		}
		return 0;
	}
	if ((type = parse_str(doc, "type")) == NULL)
		return -1;
	if (strcmp(type, "artist") == 0)
		rc = parse_id(parse_str(doc, "id"), id) == -1 ? -2 :
		    parse_add_artist(set, doc, 1, id);
	else if (strcmp(type, "album") == 0)
		rc = parse_id(parse_str(doc, "id"), id) == -1 ? -2 :
		    parse_add_album(set, doc, "", id);
	else if (strcmp(type, "track") == 0)
		rc = parse_add_track(set, doc, id) == 0 ? 0 : -2;
	else
		rc = -2;
	return rc == -1 || rc == -2 ? -1 : 0;
}

int
parse_playlists(const cJSON *doc, struct parse_playlist *out, size_t max,
    size_t *n, int *has_next)
{
	const cJSON *items, *it, *owner;
	const char *s;
	struct parse_playlist pl;

	*n = 0;
	*has_next = 0;
	if ((items = parse_items(doc, has_next)) == NULL)
		return -1;
	cJSON_ArrayForEach(it, items) {
		if (*n >= max)
			break;
		memset(&pl, 0, sizeof(pl));
		if (parse_id(parse_str(it, "id"), pl.id) == -1)
			continue;
		if ((s = parse_str(it, "name")) != NULL)
			(void)strlcpy(pl.name, s, sizeof(pl.name));
		owner = cJSON_GetObjectItemCaseSensitive(it, "owner");
		if ((s = parse_str(owner, "id")) != NULL)
			(void)strlcpy(pl.owner, s, sizeof(pl.owner));
		if ((s = parse_str(it, "snapshot_id")) != NULL)
			(void)strlcpy(pl.snapshot_id, s,
			    sizeof(pl.snapshot_id));
		out[(*n)++] = pl;
	}
	return 0;
}

int
parse_is_quota(const cJSON *doc)
{
	const cJSON *e;
	const char *r;

	if (!cJSON_IsObject(doc))
		return 0;
	e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	r = parse_str(cJSON_IsObject(e) ? e : doc, "reason");
	return r != NULL && strcmp(r, "QUOTA_EXCEEDED") == 0;
}
