/*
 * collector_parse.c — unit tests of the normalizer of Spotify's JSON
 * (collector/parse.c): a recently-played page with real tracks, repeats, a
 * multi-artist track, a local file (null ids: synthetic ids, kept), a
 * podcast episode (skipped), and garbage items (skipped, never a crash);
 * documents of the wrong shape (refused whole); top lists, playlist items
 * in the new ("item") and old ("track") forms, batch answers with nulls,
 * and QUOTA_EXCEEDED bodies (/me and the token endpoint's answers are
 * lib/oauth.c's, tested in lib_oauth.c).  Fixtures follow the OpenAPI
 * shapes (PlayHistoryObject, TrackObject, ...).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../collector/parse.h"
#include "ids.h"
#include "testutil.h"

#define A1 "0OdUWJ0sBjDrqHygGUXeCF"
#define A2 "1dfeR4HaWDbWqFHLkxsg1d"
#define AL "4aawyAB9vmqN3uQ7FjRGTy"
#define T1 "11dFghVXANMlKmJXsNCbNl"
#define T2 "7ouMYWpwJ422jRcDASZB7P"

#define TRACK(id, name) \
	"{\"type\":\"track\",\"id\":\"" id "\",\"name\":\"" name "\"," \
	"\"uri\":\"spotify:track:" id "\",\"duration_ms\":207959," \
	"\"popularity\":70,\"explicit\":false,\"is_local\":false," \
	"\"disc_number\":1,\"track_number\":3," \
	"\"album\":{\"id\":\"" AL "\",\"name\":\"Ångström\",\"album_type\":\"album\"," \
	"\"release_date\":\"1975-01-20\",\"total_tracks\":10," \
	"\"images\":[{\"url\":\"https://i.scdn.co/image/a\",\"width\":640,\"height\":640}]," \
	"\"artists\":[{\"id\":\"" A1 "\",\"name\":\"Bob Dylan\"}]}," \
	"\"artists\":[{\"id\":\"" A1 "\",\"name\":\"Bob Dylan\"},{\"id\":\"" A2 "\",\"name\":\"Band\"}]}"

static const char page_json[] =
	"{\"href\":\"x\",\"limit\":50,\"next\":null,"
	"\"cursors\":{\"after\":\"1767571200000\",\"before\":\"1767560000000\"},"
	"\"items\":["
	/* 1: a track in a playlist context */
	"{\"played_at\":\"2026-01-05T00:00:00.000Z\",\"track\":" TRACK(T1, "When I Paint My Masterpiece")
	",\"context\":{\"type\":\"playlist\",\"uri\":\"spotify:playlist:37i9dQZEVXcJZyENOWUFo7\"}},"
	/* 2: the same track again, no context */
	"{\"played_at\":\"2026-01-04T23:55:00.500Z\",\"track\":" TRACK(T1, "When I Paint My Masterpiece")
	",\"context\":null},"
	/* 3: a local file */
	"{\"played_at\":\"2026-01-04T23:50:00Z\",\"track\":{\"type\":\"track\",\"id\":null,"
	"\"name\":\"Demo 3\",\"uri\":\"spotify:local:Me:Tapes:Demo+3:180\",\"is_local\":true,"
	"\"duration_ms\":180000,\"album\":{\"id\":null,\"name\":\"Tapes\",\"images\":[]},"
	"\"artists\":[{\"id\":null,\"name\":\"Me\"}]},\"context\":null},"
	/* 4: a podcast episode */
	"{\"played_at\":\"2026-01-04T23:40:00Z\",\"track\":{\"type\":\"episode\",\"id\":\"" T2 "\","
	"\"name\":\"Ep 1\"},\"context\":null},"
	/* 5..9: garbage */
	"{\"played_at\":\"yesterday\",\"track\":" TRACK(T2, "x") "},"
	"{\"track\":" TRACK(T2, "x") "},"
	"{\"played_at\":\"2026-01-04T23:30:00Z\",\"track\":null},"
	"{\"played_at\":\"2026-01-04T23:20:00Z\",\"track\":{\"type\":\"track\",\"id\":\"short\"}},"
	"17,"
	/* 10: a second real track, oldest */
	"{\"played_at\":\"2026-01-04T23:10:00+01:00\",\"track\":" TRACK(T2, "Tangled")
	",\"context\":{\"uri\":\"spotify:album:" AL "\"}}"
	"]}";

static cJSON *
parse_text(const char *s)
{
	cJSON *doc = cJSON_Parse(s);

	assert_non_null(doc);
	return doc;
}

/* A document and the set parsed from it. */
struct pdoc {
	cJSON		*doc;
	struct parse_set set;
};

/* Begins d: text parsed, the set empty. */
static void
pdoc_begin(struct pdoc *d, const char *text)
{
	d->doc = parse_text(text);
	memset(&d->set, 0, sizeof(d->set));
}

/* Frees what d holds. */
static void
pdoc_end(struct pdoc *d)
{
	parse_set_free(&d->set);
	cJSON_Delete(d->doc);
}

static void
test_recent_page(void **state)
{
	struct parse_set set;
	cJSON *doc = parse_text(page_json);
	char id[ID_LEN + 1];
	const char *const parts[] = { "Me", "Tapes", "Demo 3" };
	size_t i;

	(void)state;
	memset(&set, 0, sizeof(set));
	assert_int_equal(parse_recent_page(doc, &set), 0);
	cJSON_Delete(doc);
	assert_int_equal(set.n_items, 10);
	assert_int_equal(set.n_plays, 4);
	assert_int_equal(set.n_episodes, 1);
	assert_int_equal(set.n_garbage, 5);
	assert_int_equal(set.plays[0].played_at, 1767571200000LL);
	assert_string_equal(set.plays[0].track_id, T1);
	assert_string_equal(set.plays[0].context_uri,
	    "spotify:playlist:37i9dQZEVXcJZyENOWUFo7");
	assert_int_equal(set.plays[1].played_at, 1767570900500LL);
	assert_string_equal(set.plays[1].context_uri, "");
	/* The local file: kept under its synthetic id. */
	ids_synthetic(id, "track", parts, 3);
	assert_string_equal(set.plays[2].track_id, id);
	assert_int_equal(set.plays[2].source, SOURCE_API);
	assert_int_equal(set.plays[2].ms_played, -1);
	/* The offset is honoured: 23:10+01:00 is 22:10Z. */
	assert_int_equal(set.plays[3].played_at, 1767564600000LL);
	/* oldest/newest count every dated item, kept or not. */
	assert_int_equal(set.newest_ms, 1767571200000LL);
	assert_int_equal(set.oldest_ms, 1767564600000LL);
	/* Entities: 3 tracks (T1 once), 2 albums, 3 artists (A1, A2, Me). */
	assert_int_equal(set.n_tracks, 3);
	assert_int_equal(set.n_albums, 2);
	assert_int_equal(set.n_artists, 3);
	for (i = 0; i < set.n_tracks; i++) {
		if (strcmp(set.tracks[i].id, T1) != 0)
			continue;
		assert_string_equal(set.tracks[i].name,
		    "When I Paint My Masterpiece");
		assert_string_equal(set.tracks[i].album_id, AL);
		assert_int_equal(set.tracks[i].artists.n, 2);
		assert_memory_equal(set.tracks[i].artists.ids, A1 A2,
		    2 * ID_LEN);
		assert_int_equal(set.tracks[i].duration_ms, 207959);
		assert_int_equal(set.tracks[i].track_number, 3);
		assert_int_equal(set.tracks[i].is_local, 0);
	}
	for (i = 0; i < set.n_tracks; i++)
		if (set.tracks[i].id[0] == '_') {
			assert_int_equal(set.tracks[i].is_local, 1);
			assert_true(ids_valid_any(set.tracks[i].album_id));
			assert_int_equal(set.tracks[i].album_id[0], '_');
			assert_int_equal(set.tracks[i].artists.n, 1);
		}
	for (i = 0; i < set.n_albums; i++)
		if (strcmp(set.albums[i].id, AL) == 0) {
			assert_string_equal(set.albums[i].name, "Ångström");
			assert_int_equal(set.albums[i].n_images, 1);
			assert_int_equal(set.albums[i].images[0].width, 640);
		}
	for (i = 0; i < set.n_artists; i++)
		if (set.artists[i].id[0] != '_')
			assert_int_equal(set.artists[i].detailed, 0);
	parse_set_free(&set);
	assert_int_equal(set.n_plays, 0);
}

static void
test_wrong_shapes(void **state)
{
	static const char *const docs[] = {
		"[]", "null", "17", "\"x\"", "{}", "{\"items\":{}}",
		"{\"items\":\"no\"}", "{\"items\":null}",
	};
	struct pdoc d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		pdoc_begin(&d, docs[i]);
		assert_int_equal(parse_recent_page(d.doc, &d.set), -1);
		assert_int_equal(parse_top_page(d.doc, 0, &d.set), -1);
		assert_int_equal(parse_playlist_items(d.doc, &d.set), -1);
		pdoc_end(&d);
	}
	/* An empty page is fine. */
	pdoc_begin(&d, "{\"items\":[],\"next\":null}");
	assert_int_equal(parse_recent_page(d.doc, &d.set), 0);
	assert_int_equal(d.set.n_plays, 0);
	assert_int_equal(d.set.oldest_ms, 0);
	pdoc_end(&d);
}

static void
test_top_and_items(void **state)
{
	struct pdoc d;

	(void)state;
	pdoc_begin(&d, "{\"items\":[{\"type\":\"artist\",\"id\":\"" A1 "\","
	    "\"name\":\"Bob Dylan\",\"genres\":[\"folk\",\"rock\",3],"
	    "\"popularity\":80,\"images\":[{\"url\":\"u\",\"width\":null}]},"
	    "{\"type\":\"artist\",\"id\":null},{\"id\":\"" A2 "\",\"name\":\"Band\"}],"
	    "\"next\":\"https://api/next\"}");
	assert_int_equal(parse_top_page(d.doc, 1, &d.set), 0);
	assert_int_equal(d.set.n_ids, 2);
	assert_string_equal(d.set.ids[0], A1);
	assert_string_equal(d.set.ids[1], A2);
	assert_int_equal(d.set.has_next, 1);
	assert_int_equal(d.set.n_garbage, 1);
	assert_int_equal(d.set.artists[0].detailed, 1);
	assert_int_equal(d.set.artists[0].n_genres, 2);
	assert_string_equal(d.set.artists[0].genres[1], "rock");
	assert_int_equal(d.set.artists[0].n_images, 1);
	assert_int_equal(d.set.artists[0].images[0].width, 0);
	pdoc_end(&d);

	pdoc_begin(&d, "{\"items\":[{\"item\":" TRACK(T1, "a") "},"
	    "{\"track\":" TRACK(T2, "b") "},{\"item\":null,\"track\":null},"
	    "{\"item\":{\"type\":\"episode\",\"id\":\"" T2 "\"}}],\"next\":null}");
	assert_int_equal(parse_playlist_items(d.doc, &d.set), 0);
	assert_int_equal(d.set.n_ids, 2);
	assert_string_equal(d.set.ids[0], T1);
	assert_string_equal(d.set.ids[1], T2);
	assert_int_equal(d.set.n_episodes, 1);
	assert_int_equal(d.set.n_garbage, 1);
	pdoc_end(&d);
}

static void
test_entities(void **state)
{
	struct pdoc d;

	(void)state;
	pdoc_begin(&d, "{\"artists\":[null,{\"type\":\"artist\",\"id\":\"" A1
	    "\",\"name\":\"Bob\",\"genres\":[],\"images\":[]}]}");
	assert_int_equal(parse_entities(d.doc, &d.set), 0);
	assert_int_equal(d.set.n_artists, 1);
	assert_int_equal(d.set.artists[0].detailed, 1);
	pdoc_end(&d);

	pdoc_begin(&d, "{\"type\":\"album\",\"id\":\"" AL "\",\"name\":\"A\","
	    "\"images\":[{\"url\":\"u\",\"width\":300,\"height\":300}],"
	    "\"artists\":[{\"id\":\"" A1 "\",\"name\":\"Bob\"}]}");
	assert_int_equal(parse_entities(d.doc, &d.set), 0);
	assert_int_equal(d.set.n_albums, 1);
	assert_int_equal(d.set.albums[0].n_images, 1);
	pdoc_end(&d);

	pdoc_begin(&d, "{\"type\":\"album\",\"id\":\"bad\"}");
	assert_int_equal(parse_entities(d.doc, &d.set), -1);
	pdoc_end(&d);
}

static void
test_quota(void **state)
{
	cJSON *doc;

	(void)state;
	doc = parse_text("{\"error\":{\"status\":429,\"message\":\"m\","
	    "\"reason\":\"QUOTA_EXCEEDED\"}}");
	assert_int_equal(parse_is_quota(doc), 1);
	cJSON_Delete(doc);
	doc = parse_text("{\"error\":{\"status\":429,\"message\":\"m\"}}");
	assert_int_equal(parse_is_quota(doc), 0);
	cJSON_Delete(doc);
	assert_int_equal(parse_is_quota(NULL), 0);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_recent_page),
	cmocka_unit_test(test_wrong_shapes),
	cmocka_unit_test(test_top_and_items),
	cmocka_unit_test(test_entities),
	cmocka_unit_test(test_quota),
)
