/*
 * render.c — the JSON shapes of the API's records (see render.h).
 *
 * Times and days are written by json.h's json_time_ms(), json_time_s()
 * and json_day(), the same calls the insights make, so an instant or a
 * day looks the same in every answer (null outside years 0001..9999);
 * the plays' own writer formats its time with the same
 * time_format_rfc3339() those calls use.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "render.h"
#include "text.h"
#include "timeutil.h"

/* The word of enum value v in its schema.h table (SCHEMA_WORD). */
#define RENDER_WORD(name, type, table)					\
const char *								\
name(type v)								\
{									\
	return SCHEMA_WORD(table, (unsigned)v);				\
}

RENDER_WORD(render_source, uint8_t, schema_sources)
RENDER_WORD(render_gap_reason, uint8_t, schema_gap_reasons)
RENDER_WORD(render_how, uint8_t, schema_hows)
RENDER_WORD(render_status, uint8_t, schema_statuses)
RENDER_WORD(render_kind, int, schema_kinds)
RENDER_WORD(render_range, int, schema_ranges)

int
render_finish(struct json *j, struct resp *r)
{
	if (json_finish(j) == -1)
		return http_error(r, 500, "the response could not be written");
	return 0;
}

void
render_time_ms(struct json *j, const char *key, const char *isokey,
    int64_t ms)
{
	json_time_ms(j, key, isokey, ms);
}

void
render_time_s(struct json *j, const char *key, const char *isokey, int64_t s)
{
	if (s == 0) {
		json_null(j, key);
		json_null(j, isokey);
		return;
	}
	json_time_s(j, key, isokey, s);
}

void
render_day(struct json *j, const char *key, int32_t day)
{
	json_day(j, key, day);
}

void
render_opt_str(struct json *j, const char *key, const char *v)
{
	if (v == NULL || v[0] == '\0')
		json_null(j, key);
	else
		json_str(j, key, v);
}

void
render_opt_int(struct json *j, const char *key, int64_t v, int known)
{
	if (known)
		json_int(j, key, v);
	else
		json_null(j, key);
}

void
render_idlist(struct json *j, const char *key, const struct idlist *l)
{
	uint32_t i;

	json_arr_open(j, key);
	for (i = 0; i < l->n; i++)
		json_strn(j, NULL, l->ids + (size_t)i * ID_LEN, ID_LEN);
	json_arr_close(j);
}

static void
render_images(struct json *j, const struct image *im, uint8_t n)
{
	uint8_t i;

	json_arr_open(j, "images");
	for (i = 0; i < n && i < IMAGES_MAX; i++) {
		if (im[i].url == NULL)
			continue;
		json_obj_open(j, NULL);
		json_str(j, "url", im[i].url);
		render_opt_int(j, "width", im[i].width, im[i].width > 0);
		render_opt_int(j, "height", im[i].height, im[i].height > 0);
		json_obj_close(j);
	}
	json_arr_close(j);
}

/* Opens an entity's object with its id and name. */
static void
render_entity_open(struct json *j, const char *key, const char *id,
    const char *name)
{
	json_obj_open(j, key);
	json_str(j, "id", id);
	json_str(j, "name", name);
}

/* Closes an entity's object after when it was last updated. */
static void
render_entity_close(struct json *j, int64_t updated_at)
{
	render_time_s(j, "updated_at", "updated_at_iso", updated_at);
	json_obj_close(j);
}

void
render_track(struct json *j, const char *key, const struct track *t)
{
	render_entity_open(j, key, t->id, t->name);
	json_str(j, "uri", t->uri);
	render_opt_str(j, "album_id", t->album_id);
	render_idlist(j, "artist_ids", &t->artists);
	render_opt_int(j, "duration_ms", t->duration_ms, t->duration_ms > 0);
	json_int(j, "popularity", t->popularity);
	json_bool(j, "explicit", t->explicit_);
	json_bool(j, "is_local", t->is_local);
	json_int(j, "disc_number", t->disc_number);
	json_int(j, "track_number", t->track_number);
	render_entity_close(j, t->updated_at);
}

void
render_artist(struct json *j, const char *key, const struct artist *a)
{
	uint8_t i;

	render_entity_open(j, key, a->id, a->name);
	json_arr_open(j, "genres");
	for (i = 0; i < a->n_genres && i < GENRES_MAX; i++)
		json_str(j, NULL, a->genres[i]);
	json_arr_close(j);
	render_images(j, a->images, a->n_images);
	json_int(j, "popularity", a->popularity);
	json_bool(j, "detailed", a->detailed);
	render_entity_close(j, a->updated_at);
}

void
render_album(struct json *j, const char *key, const struct album *a)
{
	render_entity_open(j, key, a->id, a->name);
	json_str(j, "album_type", a->album_type);
	render_opt_str(j, "release_date", a->release_date);
	render_idlist(j, "artist_ids", &a->artists);
	render_images(j, a->images, a->n_images);
	json_int(j, "total_tracks", a->total_tracks);
	render_entity_close(j, a->updated_at);
}

void
render_user_public(struct json *j, const char *key, const struct user *u)
{
	json_obj_open(j, key);
	json_str(j, "id", u->id);
	json_str(j, "display_name", u->display_name[0] != '\0' ?
	    u->display_name : u->id);
	render_opt_str(j, "image_url", u->image_url);
	json_str(j, "status", render_status(u->status));
	/* null: the owner chose none (pages then use the viewer's zone). */
	render_opt_str(j, "timezone", u->timezone);
	json_uint(j, "n_plays", u->n_plays);
	render_time_s(j, "last_ok_poll", "last_ok_poll_iso", u->last_ok_poll);
	render_time_s(j, "created_at", "created_at_iso", u->created_at);
	json_obj_close(j);
}

/* ---- the journal's records: plays and gaps ------------------------------ */

/* Writes the string literal s (its bytes, not its NUL) at o, moving o. */
#define RENDER_PUT(o, s)	((o) = (char *)memcpy((o), (s), sizeof(s) - 1) + \
				    sizeof(s) - 1)
/*
 * The room a play takes but its strings: the literals (117 bytes at
 * most), three numbers of up to 21 bytes and the time with its NUL (25).
 */
#define RENDER_PLAY_ROOM	256

/*
 * A play is the record a page holds hundreds of, so it has a writer of
 * its own: the room for the whole item is made once, then the keys and
 * the punctuation are literals written as they are, the numbers and the
 * time straight into the buffer, and the strings the store holds (track
 * id, context) through the escaper.  It writes byte for byte what the
 * generic calls would (tests/unit/fcgi_render.c); the generic path spent
 * most of a page's instructions escaping the same six keys again for
 * every play and checking the room before each append.
 */
void
render_play(struct json *j, const char *key, const struct play *p)
{
	const char *ctx = p->context_uri != NULL ? p->context_uri : "";
	const char *word = render_source(p->source);	/* a word of schema.c */
	size_t idlen = strnlen(p->track_id, ID_LEN), ctxlen = strlen(ctx);
	size_t wlen = strlen(word);
	struct buf *b;
	char *o;

	if ((b = json_value_buf(j, key)) == NULL ||
	    buf_reserve(b, RENDER_PLAY_ROOM + wlen +
	    JSON_ESCAPE_GROWTH * (idlen + ctxlen)) == -1)
		return;
	o = b->data + b->len;
	RENDER_PUT(o, "{\"played_at\":");
	o += text_put_i64(o, p->played_at);
	RENDER_PUT(o, ",\"played_at_iso\":");
	if (time_format_rfc3339(p->played_at, o + 1, 1) == 0) {
		*o = '"';		/* digits, '-', ':', 'T', 'Z' */
		o += 1 + TIME_ISO_MS_LEN;
		*o++ = '"';
	} else
		RENDER_PUT(o, "null");
	RENDER_PUT(o, ",\"track_id\":\"");
	o += json_escape_to(o, p->track_id, idlen);
	if (ctxlen > 0) {
		RENDER_PUT(o, "\",\"context_uri\":\"");
		o += json_escape_to(o, ctx, ctxlen);
		RENDER_PUT(o, "\",\"source\":\"");
	} else
		RENDER_PUT(o, "\",\"context_uri\":null,\"source\":\"");
	memcpy(o, word, wlen);
	o += wlen;
	RENDER_PUT(o, "\",\"ms_played\":");
	if (p->ms_played >= 0)
		o += text_put_i64(o, p->ms_played);
	else
		RENDER_PUT(o, "null");
	RENDER_PUT(o, ",\"previous_played_at\":");
	if (p->prev_played_at != PLAY_NO_PREV)
		o += text_put_i64(o, p->prev_played_at);
	else
		RENDER_PUT(o, "null");
	*o++ = '}';
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

void
render_gap(struct json *j, const char *key, const struct gap *g)
{
	json_obj_open(j, key);
	render_time_ms(j, "from", "from_iso", g->from_ms);
	render_time_ms(j, "to", "to_iso", g->to_ms);
	json_str(j, "reason", render_gap_reason(g->reason));
	render_time_s(j, "recorded_at", "recorded_at_iso", g->recorded_at);
	json_obj_close(j);
}
