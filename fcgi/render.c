/*
 * render.c — the JSON shapes of the API's records (see render.h).
 */
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "timeutil.h"

static const char *const sources[SOURCE__MAX] = {
	"api",		/* SOURCE_API */
	"extended",	/* SOURCE_EXTENDED */
	"account",	/* SOURCE_ACCOUNT */
};
static const char *const reasons[GAP__MAX] = {
	"overflow",	/* GAP_OVERFLOW */
	"unreachable",	/* GAP_UNREACHABLE */
	"reauth",	/* GAP_REAUTH */
};
static const char *const hows[PLAYLIST__MAX] = {
	"full",		/* PLAYLIST_FULL */
	"heard",	/* PLAYLIST_HEARD */
};
static const char *const statuses[USER_STATUS__MAX] = {
	"active",	/* USER_ACTIVE */
	"reauth",	/* USER_REAUTH */
	"disabled",	/* USER_DISABLED */
};
const char *const render_kinds[TOP_KIND__MAX] = {
	"tracks",	/* TOP_TRACKS */
	"artists",	/* TOP_ARTISTS */
};
const char *const render_ranges[RANGE__MAX] = {
	"short_term",	/* RANGE_SHORT */
	"medium_term",	/* RANGE_MEDIUM */
	"long_term",	/* RANGE_LONG */
};

#define WORD(tab, v) \
	((size_t)(v) < sizeof(tab) / sizeof(tab[0]) ? tab[v] : "unknown")

const char *render_source(uint8_t v) { return WORD(sources, v); }
const char *render_gap_reason(uint8_t v) { return WORD(reasons, v); }
const char *render_how(uint8_t v) { return WORD(hows, v); }
const char *render_status(uint8_t v) { return WORD(statuses, v); }
const char *render_kind(int v) { return WORD(render_kinds, v); }
const char *render_range(int v) { return WORD(render_ranges, v); }

/*
 * Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (with_ms) or without the
 * fraction into out (32 bytes); the calendar is timeutil's.  This is the
 * per-play hot path of /plays, so digits are written by hand rather than
 * through snprintf.  Returns 0, or -1 outside years 0000..9999.
 */
static int
render_iso(int64_t ms, char out[32], int with_ms)
{
	int64_t days, rem, y;
	unsigned m, d, hh, mi, ss, frac, i;
	char *p = out;

	days = ms >= 0 ? ms / 86400000 : -((-ms + 86400000 - 1) / 86400000);
	rem = ms - days * 86400000;
	time_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return -1;
	hh = (unsigned)(rem / 3600000);
	mi = (unsigned)(rem / 60000 % 60);
	ss = (unsigned)(rem / 1000 % 60);
	frac = (unsigned)(rem % 1000);
	for (i = 0; i < 4; i++, y /= 10)
		p[3 - i] = (char)('0' + y % 10);
	p += 4;
#define TWO(v, sep) do { *p++ = (char)('0' + (v) / 10); \
	*p++ = (char)('0' + (v) % 10); *p++ = (sep); } while (0)
	*p++ = '-';
	TWO(m, '-');
	TWO(d, 'T');
	TWO(hh, ':');
	TWO(mi, ':');
	TWO(ss, with_ms ? '.' : 'Z');
#undef TWO
	if (with_ms) {
		*p++ = (char)('0' + frac / 100);
		*p++ = (char)('0' + frac / 10 % 10);
		*p++ = (char)('0' + frac % 10);
		*p++ = 'Z';
	}
	*p = '\0';
	return 0;
}

void
render_time_ms(struct json *j, const char *key, const char *isokey,
    int64_t ms)
{
	char iso[32];

	json_int(j, key, ms);
	if (render_iso(ms, iso, 1) == 0)
		json_strn(j, isokey, iso, 24);
	else
		json_null(j, isokey);
}

void
render_time_s(struct json *j, const char *key, const char *isokey, int64_t s)
{
	char iso[32];

	if (s == 0) {
		json_null(j, key);
		json_null(j, isokey);
		return;
	}
	json_int(j, key, s);
	if (render_iso(s * 1000, iso, 0) == 0)
		json_strn(j, isokey, iso, 20);
	else
		json_null(j, isokey);
}

void
render_day(struct json *j, const char *key, int32_t day)
{
	char iso[32];

	if (render_iso((int64_t)day * 86400000, iso, 0) == 0) {
		iso[10] = '\0';
		json_str(j, key, iso);
	} else
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
		if (im[i].width > 0)
			json_int(j, "width", im[i].width);
		else
			json_null(j, "width");
		if (im[i].height > 0)
			json_int(j, "height", im[i].height);
		else
			json_null(j, "height");
		json_obj_close(j);
	}
	json_arr_close(j);
}

/* An id field that is "" when unknown: null then. */
static void
render_opt_id(struct json *j, const char *key, const char *id)
{
	if (id[0] == '\0')
		json_null(j, key);
	else
		json_str(j, key, id);
}

void
render_track(struct json *j, const char *key, const struct track *t)
{
	json_obj_open(j, key);
	json_str(j, "id", t->id);
	json_str(j, "name", t->name);
	json_str(j, "uri", t->uri);
	render_opt_id(j, "album_id", t->album_id);
	render_idlist(j, "artist_ids", &t->artists);
	if (t->duration_ms > 0)
		json_uint(j, "duration_ms", t->duration_ms);
	else
		json_null(j, "duration_ms");
	json_int(j, "popularity", t->popularity);
	json_bool(j, "explicit", t->explicit_);
	json_bool(j, "is_local", t->is_local);
	json_int(j, "disc_number", t->disc_number);
	json_int(j, "track_number", t->track_number);
	render_time_s(j, "updated_at", "updated_at_iso", t->updated_at);
	json_obj_close(j);
}

void
render_artist(struct json *j, const char *key, const struct artist *a)
{
	uint8_t i;

	json_obj_open(j, key);
	json_str(j, "id", a->id);
	json_str(j, "name", a->name);
	json_arr_open(j, "genres");
	for (i = 0; i < a->n_genres && i < GENRES_MAX; i++)
		json_str(j, NULL, a->genres[i]);
	json_arr_close(j);
	render_images(j, a->images, a->n_images);
	json_int(j, "popularity", a->popularity);
	json_bool(j, "detailed", a->detailed);
	render_time_s(j, "updated_at", "updated_at_iso", a->updated_at);
	json_obj_close(j);
}

void
render_album(struct json *j, const char *key, const struct album *a)
{
	json_obj_open(j, key);
	json_str(j, "id", a->id);
	json_str(j, "name", a->name);
	json_str(j, "album_type", a->album_type);
	if (a->release_date != NULL && a->release_date[0] != '\0')
		json_str(j, "release_date", a->release_date);
	else
		json_null(j, "release_date");
	render_idlist(j, "artist_ids", &a->artists);
	render_images(j, a->images, a->n_images);
	json_int(j, "total_tracks", a->total_tracks);
	render_time_s(j, "updated_at", "updated_at_iso", a->updated_at);
	json_obj_close(j);
}

void
render_user_public(struct json *j, const char *key, const struct user *u)
{
	json_obj_open(j, key);
	json_str(j, "id", u->id);
	json_str(j, "display_name", u->display_name[0] != '\0' ?
	    u->display_name : u->id);
	if (u->image_url[0] != '\0')
		json_str(j, "image_url", u->image_url);
	else
		json_null(j, "image_url");
	json_str(j, "status", render_status(u->status));
	/* null: the owner chose none (pages then use the viewer's zone). */
	if (u->timezone[0] != '\0')
		json_str(j, "timezone", u->timezone);
	else
		json_null(j, "timezone");
	json_uint(j, "n_plays", u->n_plays);
	render_time_s(j, "last_ok_poll", "last_ok_poll_iso", u->last_ok_poll);
	render_time_s(j, "created_at", "created_at_iso", u->created_at);
	json_obj_close(j);
}
