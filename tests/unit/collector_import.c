/*
 * collector_import.c — unit tests of the importer's parser
 * (collector/import_parse.c) and zip reader (collector/zip.c).
 *
 * The parser tests feed small history files written inline and check the
 * rows that come out and the rows each rule drops; the error tests check
 * that bad input is refused with a message that says where.  The zip
 * tests build archives in memory with zlib (stored and deflated entries,
 * and hostile ones: lying sizes, bad CRC, zip64 markers, unsafe names).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <zlib.h>

#include "../../collector/import.h"
#include "../../collector/zip.h"
#include "testutil.h"

#define TRACK1	"4uLU6hMCjMI75M1A2tKUQC"
#define TRACK2	"0VjIjW4GlUZAMYd2vXMi3b"

/* Parses a copy of text (the parser writes into its buffer). */
static int
parse(const char *text, enum import_kind kind, struct import_parsed *p,
    char *err, size_t errsz, char **keep)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	memcpy(buf, text, len + 1);
	*keep = buf;
	return import_parse(buf, len, kind, 30000, 0, p, err, errsz);
}

/*
 * What parsing a file must count: its format, the records it held, the
 * rows that came out and the rows each rule dropped.
 */
struct counts {
	enum import_format	 fmt;
	size_t			 records, rows;
	uint64_t		 skipped[SKIP__MAX];
};

/*
 * Parses a copy of text as kind into *p (the copy in *keep, for
 * parse_done()), asserting it parsed and counted want.
 */
static void
parse_ok(const char *text, enum import_kind kind, const struct counts *want,
    struct import_parsed *p, char **keep)
{
	char err[256];
	int i;

	if (parse(text, kind, p, err, sizeof(err), keep) != 0)
		fail_msg("not parsed: %s", err);
	assert_int_equal(p->fmt, want->fmt);
	assert_int_equal(p->n_records, want->records);
	assert_int_equal(p->n_rows, want->rows);
	for (i = 0; i < SKIP__MAX; i++)
		if (p->skipped[i] != want->skipped[i])
			fail_msg("%s: %llu skipped, not %llu",
			    import_parse_skip_name((enum import_skip)i),
			    (unsigned long long)p->skipped[i],
			    (unsigned long long)want->skipped[i]);
}

/* Frees what parse() or parse_ok() left: the rows and the copy. */
static void
parse_done(struct import_parsed *p, char *keep)
{
	import_parse_free(p);
	free(keep);
}

/* Proves file names map to kinds, the bare prefix last, case-blind. */
static void
test_kind_of_name(void **state)
{
	(void)state;
	assert_int_equal(import_parse_kind_of_name("endsong_0.json"),
	    IMPORT_KIND_EXTENDED);
	assert_int_equal(import_parse_kind_of_name(
	    "Streaming_History_Audio_2019-2020_3.json"), IMPORT_KIND_EXTENDED);
	assert_int_equal(import_parse_kind_of_name(
	    "Streaming_History_Video_2020-2024.json"), IMPORT_KIND_EXT_VIDEO);
	assert_int_equal(import_parse_kind_of_name("StreamingHistory0.json"),
	    IMPORT_KIND_ACCOUNT);
	assert_int_equal(
	    import_parse_kind_of_name("StreamingHistory_music_1.json"),
	    IMPORT_KIND_ACCOUNT);
	assert_int_equal(import_parse_kind_of_name(
	    "StreamingHistory_podcast_0.json"), IMPORT_KIND_ACC_PODCAST);
	assert_int_equal(
	    import_parse_kind_of_name("streaminghistory_video_0.JSON"),
	    IMPORT_KIND_ACC_VIDEO);
	assert_int_equal(import_parse_kind_of_name("Userdata.json"),
	    IMPORT_KIND_OTHER);
	assert_int_equal(import_parse_kind_of_name("endsong_0.json.pdf"),
	    IMPORT_KIND_OTHER);
	assert_int_equal(import_parse_kind_of_name("StreamingHistory.json"),
	    IMPORT_KIND_OTHER);	/* the prefix alone is not a name */
	assert_false(import_parse_kind_known(IMPORT_KIND_OTHER));
	assert_true(import_parse_kind_known(IMPORT_KIND_ACC_PODCAST));
}

/* Proves every extended-history rule on the 2024+ key set. */
static void
test_extended_rules(void **state)
{
	static const char text[] =
	    "[\n"
	    /* 1: a plain play */
	    "{\"ts\":\"2024-01-02T03:04:05Z\",\"platform\":\"linux\","
	    "\"ms_played\":200000,\"conn_country\":\"SE\",\"ip_addr\":\"x\","
	    "\"master_metadata_track_name\":\"Song, \\\"one\\\"\","
	    "\"master_metadata_album_artist_name\":\"Artist\","
	    "\"master_metadata_album_album_name\":\"Album\","
	    "\"spotify_track_uri\":\"spotify:track:" TRACK1 "\","
	    "\"episode_name\":null,\"episode_show_name\":null,"
	    "\"spotify_episode_uri\":null,\"audiobook_title\":null,"
	    "\"audiobook_uri\":null,\"audiobook_chapter_uri\":null,"
	    "\"audiobook_chapter_title\":null,\"reason_start\":\"clickrow\","
	    "\"reason_end\":\"trackdone\",\"shuffle\":false,\"skipped\":false,"
	    "\"offline\":false,\"offline_timestamp\":1704164445,"
	    "\"incognito_mode\":false,\"future\":{\"a\":[1,2,{\"b\":null}]}},\n"
	    /* 2: short */
	    "{\"ts\":\"2024-01-02T03:05:05Z\",\"ms_played\":29999,"
	    "\"spotify_track_uri\":\"spotify:track:" TRACK1 "\","
	    "\"master_metadata_track_name\":\"x\"},\n"
	    /* 3: incognito */
	    "{\"ts\":\"2024-01-02T03:06:05Z\",\"ms_played\":99999,"
	    "\"incognito_mode\":true,"
	    "\"spotify_track_uri\":\"spotify:track:" TRACK1 "\"},\n"
	    /* 4: podcast (short too: the kind is counted first) */
	    "{\"ts\":\"2024-01-02T03:07:05Z\",\"ms_played\":1000,"
	    "\"spotify_track_uri\":null,\"episode_name\":\"Ep\","
	    "\"spotify_episode_uri\":\"spotify:episode:" TRACK2 "\"},\n"
	    /* 5: audiobook */
	    "{\"ts\":\"2024-01-02T03:08:05Z\",\"ms_played\":900000,"
	    "\"spotify_track_uri\":null,\"audiobook_title\":\"Book\","
	    "\"audiobook_uri\":\"spotify:show:" TRACK2 "\"},\n"
	    /* 6: nothing to name the track */
	    "{\"ts\":\"2024-01-02T03:09:05Z\",\"ms_played\":90000,"
	    "\"spotify_track_uri\":null,"
	    "\"master_metadata_track_name\":null},\n"
	    /* 7: a local file, names from the URI */
	    "{\"ts\":\"2024-01-02T03:10:05Z\",\"ms_played\":90000,"
	    "\"spotify_track_uri\":\"spotify:local:Bj%C3%B6rk+X:Home+Tapes:"
	    "Caf%C3%A9:245\",\"master_metadata_track_name\":null},\n"
	    /* 8: null URI with names: a name-only play */
	    "{\"ts\":\"2024-01-02T03:11:05Z\",\"ms_played\":30000,"
	    "\"spotify_track_uri\":null,"
	    "\"master_metadata_track_name\":\"=SUM(A1)\","
	    "\"master_metadata_album_artist_name\":\"\\u00c9dith \\ud83c\\udfb5\"}"
	    "\n]\n";
	static const struct counts want = { IMPORT_FMT_EXTENDED, 8, 3, {
		[SKIP_VIDEO] = 0, [SKIP_PODCAST] = 1, [SKIP_AUDIOBOOK] = 1,
		[SKIP_INCOGNITO] = 1, [SKIP_SHORT] = 1, [SKIP_NO_TRACK] = 1 } };
	struct import_parsed p;
	char *buf;

	(void)state;
	parse_ok(text, IMPORT_KIND_EXTENDED, &want, &p, &buf);

	assert_int_equal(p.rows[0].played_at, 1704164645000LL);
	assert_int_equal(p.rows[0].ms_played, 200000);
	assert_string_equal(p.rows[0].track_id, TRACK1);
	assert_string_equal(p.rows[0].track, "Song, \"one\"");
	assert_string_equal(p.rows[0].artist, "Artist");
	assert_string_equal(p.rows[0].album, "Album");
	assert_int_equal(p.rows[0].record, 1);

	assert_true(p.rows[1].is_local);
	assert_string_equal(p.rows[1].track_id, "");
	assert_string_equal(p.rows[1].artist, "Bj\xc3\xb6rk X");
	assert_string_equal(p.rows[1].album, "Home Tapes");
	assert_string_equal(p.rows[1].track, "Caf\xc3\xa9");

	assert_string_equal(p.rows[2].track_id, "");
	assert_false(p.rows[2].is_local);
	assert_string_equal(p.rows[2].track, "=SUM(A1)");
	assert_string_equal(p.rows[2].artist,
	    "\xc3\x89" "dith \xf0\x9f\x8e\xb5");
	assert_int_equal(p.rows[2].record, 8);
	/* The buffer is only read (it may be a read-only mapping). */
	assert_memory_equal(buf, text, sizeof(text));
	parse_done(&p, buf);
}

/* Proves the older key set (username, ..._decrypted) reads the same. */
static void
test_extended_old(void **state)
{
	static const char text[] =
	    "\xef\xbb\xbf[{\"ts\":\"2014-07-10T20:21:38Z\",\"username\":\"alice\","
	    "\"platform\":\"Android OS 4.4\",\"ms_played\":184000,"
	    "\"conn_country\":\"SE\",\"ip_addr_decrypted\":\"1.2.3.4\","
	    "\"user_agent_decrypted\":\"unknown\","
	    "\"master_metadata_track_name\":\"T\","
	    "\"master_metadata_album_artist_name\":\"A\","
	    "\"master_metadata_album_album_name\":\"B\","
	    "\"spotify_track_uri\":\"spotify:track:" TRACK2 "\","
	    "\"episode_name\":null,\"episode_show_name\":null,"
	    "\"spotify_episode_uri\":null,\"reason_start\":\"fwdbtn\","
	    "\"reason_end\":\"trackdone\",\"shuffle\":true,\"skipped\":null,"
	    "\"offline\":false,\"offline_timestamp\":0,"
	    "\"incognito_mode\":false}]";
	static const struct counts want = { IMPORT_FMT_EXTENDED, 1, 1, { 0 } };
	struct import_parsed p;
	char *buf;

	(void)state;
	parse_ok(text, IMPORT_KIND_EXTENDED, &want, &p, &buf);
	assert_string_equal(p.username, "alice");
	assert_int_equal(p.rows[0].played_at, 1405023698000LL);
	assert_string_equal(p.rows[0].track_id, TRACK2);
	parse_done(&p, buf);
}

/*
 * Proves offline_timestamp: seconds or ms by magnitude, used only when ts
 * is more than a minute after the play's start + ms_played.
 */
static void
test_offline(void **state)
{
	static const char text[] =
	    "[{\"ts\":\"2024-01-02T10:00:00Z\",\"ms_played\":60000,"
	    "\"offline\":true,\"offline_timestamp\":1704164400,"	/* s */
	    "\"spotify_track_uri\":\"spotify:track:" TRACK1 "\"},"
	    "{\"ts\":\"2024-01-02T10:00:00Z\",\"ms_played\":60000,"
	    "\"offline\":true,\"offline_timestamp\":1704164400123,"	/* ms */
	    "\"spotify_track_uri\":\"spotify:track:" TRACK2 "\"},"
	    "{\"ts\":\"2024-01-02T10:00:00Z\",\"ms_played\":60000,"
	    "\"offline\":true,\"offline_timestamp\":1704189540,"	/* 1 s off */
	    "\"spotify_track_uri\":\"spotify:track:" TRACK1 "\"},"
	    "{\"ts\":\"2024-01-02T10:00:00Z\",\"ms_played\":60000,"
	    "\"offline\":false,\"offline_timestamp\":1704164400,"
	    "\"spotify_track_uri\":\"spotify:track:" TRACK1 "\"}]";
	static const struct counts want = { IMPORT_FMT_EXTENDED, 4, 4, { 0 } };
	struct import_parsed p;
	char *buf;

	(void)state;
	parse_ok(text, IMPORT_KIND_EXTENDED, &want, &p, &buf);
	assert_int_equal(p.rows[0].played_at, 1704164460000LL);
	assert_int_equal(p.rows[1].played_at, 1704164460123LL);
	assert_int_equal(p.rows[2].played_at, 1704189600000LL);
	assert_int_equal(p.rows[3].played_at, 1704189600000LL);
	parse_done(&p, buf);
}

/* Proves account data: minute times, names only, podcast files skipped. */
static void
test_account(void **state)
{
	static const char text[] =
	    "[\n  {\n    \"endTime\" : \"2019-03-04 21:13\",\n"
	    "    \"artistName\" : \"Bob Dylan\",\n"
	    "    \"trackName\" : \"When I Paint My Masterpiece\",\n"
	    "    \"msPlayed\" : 213000\n  },\n"
	    "  {\"endTime\":\"2019-03-04 21:14\",\"artistName\":\"B\","
	    "\"trackName\":\"C\",\"msPlayed\":1200},\n"
	    "  {\"endTime\":\"2019-03-04 21:15\",\"podcastName\":\"P\","
	    "\"episodeName\":\"E\",\"msPlayed\":999999},\n"
	    "  {\"endTime\":\"2019-03-04 21:16\",\"artistName\":\"B\","
	    "\"trackName\":\"\",\"msPlayed\":99999}\n]";
	static const struct counts music = { IMPORT_FMT_ACCOUNT, 4, 1, {
		[SKIP_PODCAST] = 1, [SKIP_SHORT] = 1, [SKIP_NO_TRACK] = 1 } };
	static const struct counts podcast = { IMPORT_FMT_ACCOUNT, 4, 0, {
		[SKIP_PODCAST] = 4 } };
	static const struct counts video = { IMPORT_FMT_EXTENDED, 1, 0, {
		[SKIP_VIDEO] = 1 } };
	struct import_parsed p;
	char *buf;

	(void)state;
	parse_ok(text, IMPORT_KIND_ACCOUNT, &music, &p, &buf);
	assert_int_equal(p.rows[0].played_at, 1551733980000LL);
	assert_string_equal(p.rows[0].artist, "Bob Dylan");
	assert_string_equal(p.rows[0].track, "When I Paint My Masterpiece");
	assert_string_equal(p.rows[0].track_id, "");
	parse_done(&p, buf);

	/* The same rows in a podcast or video file are all skipped. */
	parse_ok(text, IMPORT_KIND_ACC_PODCAST, &podcast, &p, &buf);
	parse_done(&p, buf);
	parse_ok("[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":99999,"
	    "\"spotify_track_uri\":null}]", IMPORT_KIND_EXT_VIDEO, &video, &p,
	    &buf);
	parse_done(&p, buf);
}

static int
keep_odd(const struct import_row *row, void *arg)
{
	(*(int *)arg)++;
	return row->record % 2 == 1;
}

/*
 * Proves import_parse_keep() keeps the strings of the rows it is told
 * to, intact, over several arena blocks, and empties the others' (the
 * old arena freed: the sanitizer build would see a stale pointer).
 */
static void
test_keep(void **state)
{
	struct import_parsed p;
	struct counts all = { IMPORT_FMT_EXTENDED, 600, 600, { 0 } };
	char name[1200], want[1300], *text, *buf;
	size_t i, len, cap, n = all.rows;
	int calls = 0;

	(void)state;
	cap = n * 3000 + 16;
	assert_non_null(text = malloc(cap));
	len = (size_t)snprintf(text, cap, "[");
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "%s{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":99999,"
		    "\"spotify_track_uri\":\"spotify:track:%s\","
		    "\"master_metadata_track_name\":\"%zu %s\","
		    "\"master_metadata_album_artist_name\":\"A%zu\","
		    "\"master_metadata_album_album_name\":\"\"}",
		    i ? "," : "", i % 2 ? TRACK1 : TRACK2, i, name, i);
	snprintf(text + len, cap - len, "]");
	parse_ok(text, IMPORT_KIND_EXTENDED, &all, &p, &buf);
	free(text);
	memset(buf, 'x', strlen(buf));
	assert_int_equal(import_parse_keep(&p, keep_odd, &calls), 0);
	assert_int_equal(calls, (int)n);
	for (i = 0; i < n; i++) {
		const struct import_row *r = &p.rows[i];

		assert_int_equal(r->record, i + 1);
		if (r->record % 2 == 1) {
			snprintf(want, sizeof(want), "%zu %s", i, name);
			assert_string_equal(r->track, want);
			snprintf(want, sizeof(want), "A%zu", i);
			assert_string_equal(r->artist, want);
			assert_string_equal(r->uri, "spotify:track:" TRACK2);
		} else {
			assert_string_equal(r->track, "");
			assert_string_equal(r->artist, "");
			assert_string_equal(r->uri, "");
		}
		assert_string_equal(r->album, "");
		assert_string_equal(r->track_id, i % 2 ? TRACK1 : TRACK2);
	}
	parse_done(&p, buf);
}

/* Proves an empty array is a valid, empty file. */
static void
test_empty(void **state)
{
	static const struct counts none = { IMPORT_FMT_EMPTY, 0, 0, { 0 } };
	struct import_parsed p;
	char *buf;

	(void)state;
	parse_ok(" [ ]\n", IMPORT_KIND_EXTENDED, &none, &p, &buf);
	parse_done(&p, buf);
}

/* Proves bad input is refused with where and what. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;	/* a substring of the message */
	} bad[] = {
		{ "", "empty file" },
		{ "{\"ts\":1}", "not a JSON array" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":1",
		    "truncated" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":\"1\"}]",
		    "\"ms_played\" must be a number" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":1.5}]",
		    "whole number" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":-1}]",
		    "whole number" },
		{ "[{\"ts\":\"yesterday\",\"ms_played\":1}]", "ISO 8601" },
		{ "[{\"ts\":17,\"ms_played\":1}]", "\"ts\" must be a string" },
		{ "[{\"endTime\":\"2019-03-04\",\"msPlayed\":1}]", "endTime" },
		{ "[{\"a\":1}]", "neither \"ts\" nor \"endTime\"" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":1},"
		    "{\"endTime\":\"2019-03-04 21:13\",\"msPlayed\":1}]",
		    "record 2" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":1}] x",
		    "after the end" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":1}",
		    "truncated" },
		{ "[{\"ts\":\"2024\n\"}]", "control character" },
		{ "[{\"ts\":\"\\x\"}]", "bad escape" },
		{ "[{\"ts\" \"x\"}]", "expected ':'" },
		{ "[{\"ts\":\"x\" \"ms_played\":1}]", "expected ',' or '}'" },
		{ "[{\"x\":{\"a\" 1}}]", "expected ':'" },
		{ "[{\"x\":{\"a\":1 \"b\":2}}]", "expected ',' or '}'" },
		{ "[{\"x\":[1 2]}]", "expected ',' or ']'" },
		{ "[{\"x\":{1:2}}]", "expected a key" },
		{ "[{\"ts\":tru}]", "expected a value" },
		{ "[{\"incognito_mode\":nul}]", "expected a value" },
		{ "[{\"x\":fals}]", "expected a value" },
		{ "[1]", "expected an object" },
		{ "[{\"ms_played\":01}]", "leading zero" },
		{ "[{\"ms_played\":-}]", "bad number" },
		{ "[{\"ms_played\":1.}]", "bad number" },
		{ "[{\"ms_played\":1.e5}]", "bad number" },
		{ "[{\"ms_played\":1e}]", "bad number" },
		{ "[{\"ms_played\":1e+}]", "bad number" },
		{ "[{\"endTime\":\"2019-03-04 21:13\",\"msPlayed\":0.5}]",
		    "\"msPlayed\" must be a whole number of milliseconds" },
		{ "[{\"endTime\":\"2019-03-04\",\"msPlayed\":1}]",
		    "\"endTime\" is not a time \"YYYY-MM-DD HH:MM\"" },
		{ "[{\"ts\":\"2024-01-02T03:04:05Z\",\"ms_played\":15e-1}]",
		    "\"ms_played\" must be a whole number of milliseconds" },
		{ "[{\"incognito_mode\":\"yes\",\"ts\":\"x\"}]",
		    "true or false" },
	};
	struct import_parsed p;
	char err[256], *buf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i].text, IMPORT_KIND_EXTENDED, &p, err,
		    sizeof(err), &buf) != -1 ||
		    strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: %s -> \"%s\"", i, bad[i].text, err);
		assert_non_null(strstr(err, "line "));
		parse_done(&p, buf);
	}
}

/* Proves the line and column point at the fault. */
static void
test_error_position(void **state)
{
	struct import_parsed p;
	char err[256], *buf;

	(void)state;
	assert_int_equal(parse("[\n{\"ts\":\"2024-01-02T03:04:05Z\","
	    "\"ms_played\":1},\n  {\"ts\" : nul}]", IMPORT_KIND_EXTENDED, &p,
	    err, sizeof(err), &buf), -1);
	assert_string_equal(err, "line 3, column 11 (record 2): expected a "
	    "value");
	parse_done(&p, buf);
}

/* ---- zip ---------------------------------------------------------------- */

struct zent {
	const char	*name;
	const char	*data;
	int		 deflate;
	/* hostile variations */
	int		 lie_size;	/* declare this many bytes instead */
	int		 bad_crc;
	int		 encrypted;
};

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/*
 * The fields a local header (from offset 4) and a central directory
 * header (from offset 6) share, in the same order: version needed,
 * flags, method, time and date (left zero), CRC, compressed and
 * uncompressed sizes, name length.
 */
static void
put_entry_fields(unsigned char *p, const struct zent *e, uint32_t crc,
    uint32_t csize, uint32_t usize, size_t nlen)
{
	put16(p, 20);
	put16(p + 2, e->encrypted ? 1 : 0);
	put16(p + 4, e->deflate ? 8 : 0);
	put32(p + 10, crc);
	put32(p + 14, csize);
	put32(p + 18, usize);
	put16(p + 22, (unsigned)nlen);
}

/* Writes a zip archive of the entries to path. */
static void
make_zip(const char *path, const struct zent *e, size_t n, int zip64_locator)
{
	unsigned char *out = malloc(1 << 20), *cd = malloc(1 << 16), *comp;
	size_t o = 0, c = 0, i;
	uint32_t offs[16];
	FILE *f;

	assert_non_null(out);
	assert_non_null(cd);
	for (i = 0; i < n; i++) {
		size_t len = strlen(e[i].data), nlen = strlen(e[i].name);
		uLong clen = compressBound(len) + 64;
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)e[i].data,
		    (uInt)len);
		uint32_t usize = e[i].lie_size ? (uint32_t)e[i].lie_size :
		    (uint32_t)len;
		unsigned char lh[30], ch[46];

		comp = malloc(clen);
		assert_non_null(comp);
		if (e[i].deflate) {
			z_stream zs;

			memset(&zs, 0, sizeof(zs));
			assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15,
			    8, Z_DEFAULT_STRATEGY), Z_OK);
			zs.next_in = (Bytef *)(uintptr_t)e[i].data;
			zs.avail_in = (uInt)len;
			zs.next_out = comp;
			zs.avail_out = (uInt)clen;
			assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
			clen = zs.total_out;
			deflateEnd(&zs);
		} else {
			memcpy(comp, e[i].data, len);
			clen = len;
		}
		if (e[i].bad_crc)
			crc ^= 1;
		offs[i] = (uint32_t)o;
		memset(lh, 0, sizeof(lh));
		put32(lh, 0x04034b50);
		put_entry_fields(lh + 4, &e[i], crc, (uint32_t)clen, usize, nlen);
		memcpy(out + o, lh, 30);
		o += 30;
		memcpy(out + o, e[i].name, nlen);
		o += nlen;
		memcpy(out + o, comp, clen);
		o += clen;
		memset(ch, 0, sizeof(ch));
		put32(ch, 0x02014b50);
		put16(ch + 4, 20);
		put_entry_fields(ch + 6, &e[i], crc, (uint32_t)clen, usize, nlen);
		put32(ch + 42, offs[i]);
		memcpy(cd + c, ch, 46);
		c += 46;
		memcpy(cd + c, e[i].name, nlen);
		c += nlen;
		free(comp);
	}
	{
		unsigned char eocd[22];
		uint32_t cdoff = (uint32_t)o;

		memcpy(out + o, cd, c);
		o += c;
		if (zip64_locator) {
			memset(out + o, 0, 20);
			put32(out + o, 0x07064b50);
			o += 20;
		}
		memset(eocd, 0, sizeof(eocd));
		put32(eocd, 0x06054b50);
		put16(eocd + 8, (unsigned)n);
		put16(eocd + 10, (unsigned)n);
		put32(eocd + 12, (uint32_t)c);
		put32(eocd + 16, cdoff);
		memcpy(out + o, eocd, 22);
		o += 22;
	}
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(out, 1, o, f), o);
	fclose(f);
	free(out);
	free(cd);
}

static char zpath[64];

static int
zip_setup(void **state)
{
	(void)state;
	snprintf(zpath, sizeof(zpath), "/tmp/ln-zip-test-%d.zip",
	    (int)getpid());
	return 0;
}

static int
zip_teardown(void **state)
{
	(void)state;
	unlink(zpath);
	return 0;
}

/* Proves stored and deflated entries read back byte for byte. */
static void
test_zip_read(void **state)
{
	char big[20000];
	const struct zent e[] = {
		{ "Spotify Extended Streaming History/", "", 0, 0, 0, 0 },
		{ "Spotify Extended Streaming History/endsong_0.json",
		    "[{\"ts\":\"x\"}]", 0, 0, 0, 0 },
		{ "Spotify Extended Streaming History/endsong_1.json", big,
		    1, 0, 0, 0 },
		{ "../evil.json", "[]", 0, 0, 0, 0 },
		{ "/abs.json", "[]", 0, 0, 0, 0 },
	};
	struct zip *z;
	char err[256], *data;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = "[]{},:\"abc"[i % 10];
	big[sizeof(big) - 1] = '\0';
	make_zip(zpath, e, 5, 0);
	assert_true(zip_sniff(zpath));
	assert_int_equal(zip_open(&z, zpath, err, sizeof(err)), 0);
	assert_int_equal(zip_count(z), 5);
	assert_true(zip_entry_at(z, 0)->is_dir);
	assert_false(zip_entry_at(z, 1)->is_dir);
	assert_false(zip_entry_at(z, 1)->unsafe);
	assert_true(zip_entry_at(z, 3)->unsafe);
	assert_true(zip_entry_at(z, 4)->unsafe);
	assert_int_equal(zip_read(z, 1, 1 << 20, &data, &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, 12);
	assert_string_equal(data, "[{\"ts\":\"x\"}]");
	free(data);
	assert_int_equal(zip_read(z, 2, 1 << 20, &data, &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, sizeof(big) - 1);
	assert_memory_equal(data, big, len);
	free(data);
	/* The cap is checked against the declared size first. */
	assert_int_equal(zip_read(z, 2, 1000, &data, &len, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "more than"));
	assert_null(data);
	zip_close(z);
}

/* Proves lying sizes, bad CRCs, encryption and zip64 are refused. */
static void
test_zip_hostile(void **state)
{
	static char bomb[100000];
	struct zent e[] = {
		{ "a.json", bomb, 1, 1000, 0, 0 },	/* inflates to more */
		{ "b.json", "[1,2,3]", 1, 0, 1, 0 },	/* bad CRC */
		{ "c.json", "[1,2,3]", 0, 0, 0, 1 },	/* encrypted */
		{ "d.json", "[1,2,3]", 1, 100, 0, 0 },	/* inflates to less */
	};
	/* Indexed like e: a substring of the message reading it gives. */
	static const char *const why[] = {
		"more than the 1000 bytes declared", "CRC", "encrypted",
		"7 bytes, 100 declared",
	};
	struct zip *z;
	char err[256], *data;
	size_t len, i;

	(void)state;
	memset(bomb, 'a', sizeof(bomb) - 1);
	make_zip(zpath, e, 4, 0);
	assert_int_equal(zip_open(&z, zpath, err, sizeof(err)), 0);
	for (i = 0; i < TU_NITEMS(why); i++) {
		assert_int_equal(zip_read(z, i, 1 << 20, &data, &len, err,
		    sizeof(err)), -1);
		if (strstr(err, why[i]) == NULL)
			fail_msg("entry %zu: \"%s\", not \"%s\"", i, err, why[i]);
	}
	zip_close(z);

	make_zip(zpath, e + 1, 1, 1);
	assert_int_equal(zip_open(&z, zpath, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "zip64"));
}

/* Proves a truncated archive or a non-archive is refused, not read. */
static void
test_zip_truncated(void **state)
{
	const struct zent e[] = { { "a.json", "[1,2,3,4,5,6,7,8]", 1, 0, 0,
	    0 } };
	struct zip *z;
	char err[256];
	FILE *f;
	long size;

	(void)state;
	make_zip(zpath, e, 1, 0);
	assert_non_null(f = fopen(zpath, "r+b"));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_int_equal(truncate(zpath, size - 10), 0);
	assert_int_equal(zip_open(&z, zpath, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a zip archive"));

	assert_non_null(f = fopen(zpath, "wb"));
	fputs("[{\"ts\":1}]", f);
	fclose(f);
	assert_false(zip_sniff(zpath));
	assert_int_equal(zip_open(&z, zpath, err, sizeof(err)), -1);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_kind_of_name),
	cmocka_unit_test(test_extended_rules),
	cmocka_unit_test(test_extended_old),
	cmocka_unit_test(test_offline),
	cmocka_unit_test(test_account),
	cmocka_unit_test(test_empty),
	cmocka_unit_test(test_keep),
	cmocka_unit_test(test_errors),
	cmocka_unit_test(test_error_position),
	cmocka_unit_test_setup_teardown(test_zip_read, zip_setup,
	    zip_teardown),
	cmocka_unit_test_setup_teardown(test_zip_hostile, zip_setup,
	    zip_teardown),
	cmocka_unit_test_setup_teardown(test_zip_truncated, zip_setup,
	    zip_teardown),
)
