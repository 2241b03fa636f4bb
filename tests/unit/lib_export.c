/*
 * lib_export.c — unit tests of lib/export.c (the CSV, SQL and JSON Lines
 * writers) and lib/dedupe.c (the "same play" windows).
 *
 * Each test fills a fresh store in a mkdtemp(3) directory with a few
 * entities and plays chosen for one property (hostile names, a missing
 * track, invalid UTF-8, an unknown ms_played), runs a writer into a
 * memory sink and checks the exact bytes that matter.  The round trips
 * through real readers (sqlite3, PostgreSQL, Python's csv module) are in
 * tests/integration/export-roundtrip.test.mjs.
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

#include "buf.h"
#include "dedupe.h"
#include "export.h"
#include "store.h"
#include "testutil.h"

#define T1	"4uLU6hMCjMI75M1A2tKUQC"
#define T2	"0VjIjW4GlUZAMYd2vXMi3b"
#define TMISS	"7ouMYWpwJ422jRcDASZB7P"	/* played, never stored */
#define A1	"3n3Ppam7vgaVa1iaRUc9Lp"
#define A2	"2takcwOaAZWiXQijPHIx7B"
#define AL1	"6rqhFgbbKwnb9MLmUQDhG6"
#define USER	"alice"

static int
fill(struct store_txn *txn, void *arg)
{
	struct track t;
	struct artist a;
	struct play p;
	struct user *u = calloc(1, sizeof(*u));

	(void)arg;
	if (u == NULL)
		return -1;
	strlcpy(u->id, USER, sizeof(u->id));
	strlcpy(u->display_name, "Al'ice", sizeof(u->display_name));
	strlcpy(u->refresh_token, "SECRET-REFRESH", sizeof(u->refresh_token));
	u->created_at = 1700000000;
	if (store_put_user(txn, u) != STORE_OK) {
		free(u);
		return -1;
	}
	free(u);

	memset(&a, 0, sizeof(a));
	memcpy(a.id, A1, ID_LEN + 1);
	a.name = "=cmd|' /C calc'!A0";
	if (store_put_artist(txn, &a) == STORE_ERR)
		return -1;
	memcpy(a.id, A2, ID_LEN + 1);
	a.name = "Tyler, The \"Creator\"";
	if (store_put_artist(txn, &a) == STORE_ERR)
		return -1;

	if (tu_put_album(txn, AL1, "O'Brien\nLive", "2020", A1) == STORE_ERR)
		return -1;

	memset(&t, 0, sizeof(t));
	memcpy(t.id, T1, ID_LEN + 1);
	t.name = "-1 \xff bad byte";
	t.uri = "spotify:track:" T1;
	memcpy(t.album_id, AL1, ID_LEN + 1);
	t.artists.ids = A1 A2;
	t.artists.n = 2;
	if (store_put_track(txn, &t) == STORE_ERR)
		return -1;
	memcpy(t.id, T2, ID_LEN + 1);
	t.name = "Plain";
	t.uri = "spotify:track:" T2;
	t.album_id[0] = '\0';
	t.artists.ids = A2;
	t.artists.n = 1;
	if (store_put_track(txn, &t) == STORE_ERR)
		return -1;

	memset(&p, 0, sizeof(p));
	p.played_at = 1700000000123LL;
	memcpy(p.track_id, T1, ID_LEN + 1);
	p.context_uri = "spotify:playlist:" A1;
	p.source = SOURCE_API;
	p.ms_played = -1;
	if (store_put_play(txn, USER, &p) != STORE_OK)
		return -1;
	p.played_at = 1700000200000LL;
	memcpy(p.track_id, T2, ID_LEN + 1);
	p.context_uri = "";
	p.source = SOURCE_EXTENDED;
	p.ms_played = 200000;
	if (store_put_play(txn, USER, &p) != STORE_OK)
		return -1;
	p.played_at = 1700000400000LL;
	memcpy(p.track_id, TMISS, ID_LEN + 1);
	p.source = SOURCE_ACCOUNT;
	p.ms_played = 31000;
	return store_put_play(txn, USER, &p) == STORE_OK ? 0 : -1;
}

static int
setup(void **state)
{
	return tu_fx_setup_with(state, "lib_export_test", fill, NULL);
}

struct memsink {
	struct buf	 b;
	int		 calls;
	int		 fail_after;	/* 0 = never; -1 = at once */
};

static int
mem_write(void *ctx, const void *p, size_t n)
{
	struct memsink *m = ctx;

	if (m->fail_after < 0 ||
	    (m->fail_after > 0 && ++m->calls > m->fail_after))
		return -1;
	return buf_add(&m->b, p, n);
}

/* Runs the writer of fmt into m; returns export_run()'s 0 or -1. */
static int
export_into(struct tu_fx *fx, enum export_format fmt, struct memsink *m,
    struct export_stats *st)
{
	struct export_sink sink = { mem_write, m };
	struct store_txn *rd;
	int rc;

	memset(st, 0, sizeof(*st));
	assert_non_null(rd = tu_read(fx->st));
	rc = export_run(fmt, rd, USER, &sink, st);
	tu_read_done(rd);
	return rc;
}

/* Runs a writer; returns its output (owned by m). */
static const char *
run(struct tu_fx *fx, enum export_format fmt, struct memsink *m,
    struct export_stats *st)
{
	struct export_stats s;

	assert_int_equal(export_into(fx, fmt, m, &s), 0);
	if (st != NULL)
		*st = s;
	return m->b.data != NULL ? m->b.data : "";
}

/* Asserts that out holds each of the n fragments frag, naming one it lacks. */
static void
assert_holds(const char *out, const char *const *frag, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(out, frag[i]) == NULL)
			fail_msg("not in the output: \"%s\"", frag[i]);
}

/* Proves the CSV rows: quoting, the formula rule, UTF-8, empty cells. */
static void
test_csv(void **state)
{
	struct memsink m = { BUF_INIT, 0, 0 };
	struct export_stats st;
	const char *out = run(*state, EXPORT_CSV, &m, &st);

	assert_int_equal(st.plays, 3);
	assert_int_equal(st.bytes, m.b.len);
	assert_string_equal(out,
	    "played_at,played_at_ms,ms_played,source,track_id,track_uri,"
	    "track_name,artist_ids,artist_names,album_id,album_name,"
	    "context_uri\r\n"
	    /* ms_played unknown: empty; '-1' neutralised; bad byte U+FFFD;
	     * names with a comma and quotes quoted, the apostrophe inside */
	    "2023-11-14T22:13:20.123Z,1700000000123,,api," T1 ","
	    "spotify:track:" T1 ",'-1 \xef\xbf\xbd bad byte,"
	    A1 ";" A2 ",\"'=cmd|' /C calc'!A0; Tyler, The \"\"Creator\"\"\","
	    AL1 ",\"O'Brien\nLive\",spotify:playlist:" A1 "\r\n"
	    "2023-11-14T22:16:40.000Z,1700000200000,200000,extended," T2 ","
	    "spotify:track:" T2 ",Plain," A2 ",\"Tyler, The \"\"Creator\"\"\""
	    ",,,\r\n"
	    /* a track the store lacks: its id, empty names */
	    "2023-11-14T22:20:00.000Z,1700000400000,31000,account," TMISS
	    ",,,,,,,\r\n");
	buf_free(&m.b);
}

/* Proves JSON Lines: one object per line, nulls for what is unknown. */
static void
test_json(void **state)
{
	struct memsink m = { BUF_INIT, 0, 0 };
	const char *out = run(*state, EXPORT_JSON, &m, NULL);
	const char *l2 = strchr(out, '\n') + 1, *l3 = strchr(l2, '\n') + 1;

	assert_memory_equal(out, "{\"played_at\":\"2023-11-14T22:13:20.123Z\","
	    "\"played_at_ms\":1700000000123,\"ms_played\":null,"
	    "\"source\":\"api\",\"track_id\":\"" T1 "\",", 126);
	assert_non_null(strstr(out, "\"track_name\":\"-1 \xef\xbf\xbd bad "
	    "byte\""));
	assert_non_null(strstr(out, "\"artist_names\":[\"=cmd|' /C calc'!A0\","
	    "\"Tyler, The \\\"Creator\\\"\"]"));
	assert_non_null(strstr(out, "\"album_name\":\"O'Brien\\nLive\""));
	assert_non_null(strstr(l2, "\"album_id\":null,\"album_name\":null,"
	    "\"context_uri\":null}\n"));
	assert_string_equal(l3, "{\"played_at\":\"2023-11-14T22:20:00.000Z\","
	    "\"played_at_ms\":1700000400000,\"ms_played\":31000,"
	    "\"source\":\"account\",\"track_id\":\"" TMISS "\","
	    "\"track_uri\":null,\"track_name\":\"\",\"artist_ids\":[],"
	    "\"artist_names\":[],\"album_id\":null,\"album_name\":null,"
	    "\"context_uri\":null}\n");
	buf_free(&m.b);
}

/* Proves SQL: quoting by doubling, stubs for missing entities, no secrets. */
static void
test_sql(void **state)
{
	static const char *const rows[] = {
		"BEGIN;\n",
		"\nCOMMIT;\n",
		"INSERT INTO users VALUES\n"
		    "('alice','Al''ice',NULL,1700000000);",
		"('" A1 "','=cmd|'' /C calc''!A0',NULL,0)",
		"('" AL1 "','O''Brien\nLive','album','2020',0)",
		/* the missing track: a stub row, so the plays' foreign key
		 * holds */
		"('" TMISS "',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)",
		"'-1 \xef\xbf\xbd bad byte'",
		"('alice',1700000000123,'2023-11-14T22:13:20.123Z','" T1 "',"
		    "'spotify:playlist:" A1 "','api',NULL)",
		"('alice',1700000200000,'2023-11-14T22:16:40.000Z','" T2 "',"
		    "NULL,'extended',200000)",
		"('" T1 "',1,'" A2 "')",
		/* entities may be shared by several users' exports */
		") ON CONFLICT DO NOTHING;\n",
	};
	struct memsink m = { BUF_INIT, 0, 0 };
	const char *out = run(*state, EXPORT_SQL, &m, NULL);

	assert_holds(out, rows, TU_NITEMS(rows));
	assert_null(strstr(out, "SECRET"));
	assert_null(strstr(out, "\\'"));
	buf_free(&m.b);
}

/* Proves a sink that refuses stops the export with -1, for every format. */
static void
test_sink_error(void **state)
{
	struct tu_fx *fx = *state;
	struct memsink m = { BUF_INIT, 0, 0 };
	struct export_stats st;
	int f;

	for (f = 0; f < EXPORT__MAX; f++) {
		/* SQL writes its schema first: fail the second write. */
		m.calls = 0;
		m.fail_after = f == EXPORT_SQL ? 1 : -1;
		assert_int_equal(export_into(fx, (enum export_format)f, &m,
		    &st), -1);
		assert_int_equal(st.bytes, f == EXPORT_SQL ? m.b.len : 0);
		buf_reset(&m.b);
	}
	buf_free(&m.b);
}

/* Proves the format table and an unknown user's empty export. */
static void
test_formats(void **state)
{
	static const struct tu_parse_case parse[] = {
		{ "csv", EXPORT_CSV }, { "sql", EXPORT_SQL },
		{ "json", EXPORT_JSON }, { "xml", -1 }, { "CSV", -1 },
	};

	(void)state;
	assert_int_equal(tu_parse_cases(export_format_parse, parse,
	    TU_NITEMS(parse)), -1);
	assert_string_equal(export_format_name(EXPORT_JSON), "json");
	assert_string_equal(export_format_mime(EXPORT_CSV),
	    "text/csv; charset=utf-8");
	assert_string_equal(export_format_mime(EXPORT_JSON),
	    "application/x-ndjson; charset=utf-8");
}

/* ---- dedupe ------------------------------------------------------------- */

struct find {
	int64_t			 at;
	enum play_source	 src;
	const char		*id;
	int64_t			 claimed;	/* 0 = none */
	int			 rc;
	int64_t			 found;
};

static int
claimed_cb(int64_t at, void *arg)
{
	return at == ((struct find *)arg)->claimed;
}

static int
find_fn(struct store_txn *txn, void *arg)
{
	struct find *f = arg;
	const char *ids[1] = { f->id };
	struct play p;

	f->rc = dedupe_find(txn, USER, f->at, f->src, ids, 1, claimed_cb, f,
	    &p);
	f->found = f->rc == 1 ? p.played_at : 0;
	return 0;
}

static int
find(struct tu_fx *fx, int64_t at, enum play_source src, const char *id,
    int64_t claimed, int64_t *found)
{
	struct find f = { at, src, id, claimed, 0, 0 };

	assert_int_equal(store_read(fx->st, find_fn, &f), STORE_OK);
	*found = f.found;
	return f.rc;
}

/*
 * Proves the windows of dedupe.h on the stored plays (api T1 at ...0123,
 * extended T2 at ...200000, account TMISS at ...400000).
 */
static void
test_dedupe(void **state)
{
	/* A play at, from src, of track id, with play claimed already taken:
	 * whether a stored play is the same (rc), and which (found). */
	static const struct {
		int64_t			 at;
		enum play_source	 src;
		const char		*id;
		int64_t			 claimed;
		int			 rc;
		int64_t			 found;
	} cases[] = {
		/* precise against precise: +-15 s, same track only */
		{ 1700000000000LL, SOURCE_EXTENDED, T1, 0, 1, 1700000000123LL },
		{ 1700000015123LL, SOURCE_EXTENDED, T1, 0, 1, 1700000000123LL },
		{ 1700000015124LL, SOURCE_EXTENDED, T1, 0, 0, 0 },
		{ 1700000000000LL, SOURCE_EXTENDED, T2, 0, 0, 0 },
		/* a claimed play is passed over */
		{ 1700000000000LL, SOURCE_API, T1, 1700000000123LL, 0, 0 },
		/* account row (its minute) against a precise play: -15 s ..
		 * +75 s; 200000 - 160000 = 40 s later in the minute */
		{ 1700000160000LL, SOURCE_ACCOUNT, T2, 0, 1, 1700000200000LL },
		{ 1700000124999LL, SOURCE_ACCOUNT, T2, 0, 0, 0 },  /* 75.001 s */
		/* precise against an account play: -75 s .. +15 s */
		{ 1700000459000LL, SOURCE_EXTENDED, TMISS, 0, 1,
		    1700000400000LL },
		{ 1700000475001LL, SOURCE_EXTENDED, TMISS, 0, 0, 0 },
		/* account against account: the same minute only */
		{ 1700000400000LL, SOURCE_ACCOUNT, TMISS, 0, 1,
		    1700000400000LL },
		{ 1700000340000LL, SOURCE_ACCOUNT, TMISS, 0, 0, 0 },
	};
	struct tu_fx *fx = *state;
	int64_t got, lo, hi;
	size_t i;

	for (i = 0; i < TU_NITEMS(cases); i++) {
		assert_int_equal(find(fx, cases[i].at, cases[i].src,
		    cases[i].id, cases[i].claimed, &got), cases[i].rc);
		assert_int_equal(got, cases[i].found);
	}
	dedupe_window(SOURCE_ACCOUNT, SOURCE_API, &lo, &hi);
	assert_int_equal(lo, -15000);
	assert_int_equal(hi, 75000);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test_setup_teardown(test_csv, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_json, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_sql, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_sink_error, setup,
	    tu_fx_teardown),
	cmocka_unit_test(test_formats),
	cmocka_unit_test_setup_teardown(test_dedupe, setup,
	    tu_fx_teardown),
)
