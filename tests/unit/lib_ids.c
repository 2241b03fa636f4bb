/*
 * lib_ids.c — unit tests of lib/ids.c: id validation, synthetic ids,
 * URI parsing and packed id lists.
 *
 * The synthetic id golden values were computed by an independent Python
 * implementation of the documented algorithm (SipHash-2-4 checked against
 * the reference test vectors, the same normalization and base-62 digits;
 * version 2's folding there is Python's NFD, combining marks dropped and
 * lower(), not lib/fold.c), so a change to the C code that alters stored
 * ids fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ids.h"
#include "schema.h"
#include "testutil.h"

#define SPID	"4uLU6hMCjMI75M1A2tKUQC"	/* a real-looking Spotify id */

/* An id and whether the validator of its table takes it. */
struct idcase {
	const char	*id;
	int		 ok;
};

static const struct idcase spotify_cases[] = {
	{ SPID, 1 },
	{ "0000000000000000000000", 1 },
	{ "zzzzzzzzzzzzzzzzzzzzzZ", 1 },
	{ "4uLU6hMCjMI75M1A2tKUQ", 0 },		/* 21 */
	{ "4uLU6hMCjMI75M1A2tKUQCx", 0 },	/* 23 */
	{ "4uLU6hMCjMI75M1A2tKU-C", 0 },
	{ "_uLU6hMCjMI75M1A2tKUQC", 0 },
	{ "4uLU6hMCjMI75M1A2tKUQ\xc3", 0 },
	{ "", 0 },
	{ NULL, 0 },
	{ "_1o7g0KP6krPyQNR5ASc8f", 0 },		/* synthetic */
};

static const struct idcase any_cases[] = {
	{ SPID, 1 },
	{ "_1o7g0KP6krPyQNR5ASc8f", 1 },
	{ "__o7g0KP6krPyQNR5ASc8f", 0 },
	{ "_1o7g0KP6krPyQNR5ASc8", 0 },
	{ "_1o7g0KP6krPyQNR5ASc8fx", 0 },
	{ "1o7g0KP6krPyQNR5ASc8f_", 0 },
	{ NULL, 0 },
};

static const struct idcase user_cases[] = {
	{ "bob", 1 },
	{ "a.b_c-D9", 1 },
	{ "", 0 },
	{ NULL, 0 },
	{ "bob smith", 0 },
	{ "bob/..", 0 },
	{ "b\xc3\xb6", 0 },
};

/* Asserts valid takes exactly the good ids of the n cases of v. */
static void
assert_valid(int (*valid)(const char *), const struct idcase *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!valid(v[i].id) != !v[i].ok)
			fail_msg("\"%s\": want %s", v[i].id == NULL ? "(null)" :
			    v[i].id, v[i].ok ? "valid" : "invalid");
}

/* Proves the Spotify id check takes exactly 22 of [0-9A-Za-z]. */
static void
test_valid_spotify(void **state)
{
	(void)state;
	assert_valid(ids_valid_spotify, spotify_cases,
	    TU_NITEMS(spotify_cases));
}

/* Proves synthetic ids are accepted by ids_valid_any and only there. */
static void
test_valid_any(void **state)
{
	(void)state;
	assert_valid(ids_valid_any, any_cases, TU_NITEMS(any_cases));
}

/* Proves user ids are of [0-9A-Za-z._-], nothing else. */
static void
test_valid_user(void **state)
{
	(void)state;
	assert_valid(ids_valid_user, user_cases, TU_NITEMS(user_cases));
}

/* Proves user ids are 1..64 characters long. */
static void
test_valid_user_length(void **state)
{
	char u[USER_ID_MAX + 2];

	(void)state;
	memset(u, 'a', USER_ID_MAX);
	u[USER_ID_MAX] = '\0';
	assert_true(ids_valid_user(u));
	u[USER_ID_MAX] = 'a';
	u[USER_ID_MAX + 1] = '\0';
	assert_false(ids_valid_user(u));
}

static const char *const tap[] = { "Artist", "Album", "Title" };
static const char *const bj[] = { "Bj\xc3\xb6rk", "Homogenic" };
static const char *const bj_upper[] = { "BJ\xc3\x96RK", "HOMOGENIC" };
static const char *const sigur[] = { "Sigur R\xc3\xb3s" };
static const char *const sigma[] = { "\xce\xa3\xce\x8a\xce\x93\xce\x9c\xce\x91" };
static const char *const yolka[] = { "\xd0\x81\xd0\x9b\xd0\x9a\xd0\x90" };
static const char *const ab_c[] = { "ab", "c" };
static const char *const a_bc[] = { "a", "bc" };

/*
 * A synthetic id as the independent reference computed it: version 1
 * (ASCII case only, as stored before schema 7) or 0 for today's, which
 * folds every letter ("Bj\xc3\xb6rk" is "bjork").
 */
static const struct {
	int			 version;
	const char		*kind;
	const char *const	*parts;
	size_t			 n;
	const char		*want;
} goldens[] = {
	{ 0, "track", tap, 3, "_1o7g0KP6krPyQNR5ASc8f" },
	{ 0, "track", NULL, 0, "_n8ejFDriI9E1V0RcXUnPh" },
	{ 1, "album", bj, 2, "_My2LR6L6bRBVAy5xBySoU" },
	{ 1, "track", tap, 3, "_1o7g0KP6krPyQNR5ASc8f" },
	{ 0, "album", bj, 2, "_M4tN5I78fguFbCkMGDDOK" },
	{ 0, "album", bj_upper, 2, "_M4tN5I78fguFbCkMGDDOK" },
	{ 0, "artist", sigur, 1, "_KAawM5k2qJWoaST2NBvZp" },
	{ 0, "artist", sigma, 1, "_8NT0a4DRnKDmkFrgTsuUe" },
	{ 0, "artist", yolka, 1, "_sx1GxNdaMVcTv4mxJMtfC" },
	{ 0, "track", ab_c, 2, "_0kUNRg3g6vfjEcGxvn5YM" },
	{ 0, "track", a_bc, 2, "_de4lI5JEPSL45QlrTEa1l" },
};

/*
 * Proves the algorithm is frozen: ids equal the independent reference,
 * and are synthetic ones.
 */
static void
test_synthetic_golden(void **state)
{
	char out[ID_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < TU_NITEMS(goldens); i++) {
		if (goldens[i].version == 0)
			ids_synthetic(out, goldens[i].kind, goldens[i].parts,
			    goldens[i].n);
		else
			ids_synthetic_v(out, goldens[i].version,
			    goldens[i].kind, goldens[i].parts, goldens[i].n);
		assert_string_equal(out, goldens[i].want);
		assert_true(ids_valid_any(out));
		assert_false(ids_valid_spotify(out));
	}
}

/*
 * Proves each kind's naming (what the parser of API answers and the
 * importer share) gives the independent reference's id for those names:
 * a local file is a track of artist, album and title; a names-only track
 * one of artist and title; an album its artist's and its own name.
 */
static void
test_synth_names(void **state)
{
	char out[ID_LEN + 1];

	(void)state;
	ids_synth_local(out, tap[0], tap[1], tap[2]);
	assert_string_equal(out, goldens[0].want);
	ids_synth_album(out, bj_upper[0], bj_upper[1]);
	assert_string_equal(out, goldens[5].want);
	ids_synth_artist(out, sigur[0]);
	assert_string_equal(out, goldens[6].want);
	ids_synth_track(out, ab_c[0], ab_c[1]);
	assert_string_equal(out, goldens[9].want);
	ids_synth_track(out, a_bc[0], a_bc[1]);
	assert_string_equal(out, goldens[10].want);
}

/* Proves normalization: case, outer and inner whitespace do not matter. */
static void
test_synthetic_normalized(void **state)
{
	const char *const b[] = { "  artist\t", "ALBUM", "title \n" };
	const char *const c[] = { "The  Band", "x" };
	const char *const d[] = { "the band", "X" };
	const char *const e[] = { "theband", "x" };
	char ia[ID_LEN + 1], ib[ID_LEN + 1];

	(void)state;
	ids_synthetic(ia, "track", tap, 3);
	ids_synthetic(ib, " Track ", b, 3);
	assert_string_equal(ia, ib);
	ids_synthetic(ia, "track", c, 2);
	ids_synthetic(ib, "track", d, 2);
	assert_string_equal(ia, ib);
	ids_synthetic(ib, "track", e, 2);
	assert_string_not_equal(ia, ib);
}

/* Proves parts are delimited and kind matters: no concatenation clashes. */
static void
test_synthetic_distinct(void **state)
{
	const char *const abc[] = { "abc" };
	const char *const abc_e[] = { "abc", "" };
	const char *const abc_n[] = { "abc", NULL };
	char x[ID_LEN + 1], y[ID_LEN + 1];

	(void)state;
	ids_synthetic(x, "track", ab_c, 2);
	ids_synthetic(y, "track", a_bc, 2);
	assert_string_not_equal(x, y);		/* see also goldens[] */
	ids_synthetic(x, "track", abc, 1);
	ids_synthetic(y, "track", abc_e, 2);
	assert_string_not_equal(x, y);
	ids_synthetic(x, "track", abc_n, 2);
	assert_string_equal(x, y);		/* NULL counts as "" */
	ids_synthetic(x, "album", abc, 1);
	ids_synthetic(y, "track", abc, 1);
	assert_string_not_equal(x, y);
}

/* Proves URIs and open links parse, and anything else is refused. */
static void
test_from_uri(void **state)
{
	char out[ID_LEN + 1];

	(void)state;
	assert_int_equal(ids_from_uri("spotify:track:" SPID, "track", out), 0);
	assert_string_equal(out, SPID);
	assert_int_equal(ids_from_uri("spotify:playlist:" SPID, "playlist",
	    out), 0);
	assert_int_equal(ids_from_uri("https://open.spotify.com/playlist/"
	    SPID "?si=abc", "playlist", out), 0);
	assert_string_equal(out, SPID);
	assert_int_equal(ids_from_uri("https://open.spotify.com/track/" SPID,
	    "track", out), 0);
	/* Wrong type, trailing bytes, short id, bad characters, no type. */
	assert_int_equal(ids_from_uri("spotify:album:" SPID, "track", out), -1);
	assert_string_equal(out, "");
	assert_int_equal(ids_from_uri("spotify:tracks:" SPID, "track", out),
	    -1);
	assert_int_equal(ids_from_uri("spotify:track:" SPID "x", "track", out),
	    -1);
	assert_int_equal(ids_from_uri("spotify:track:" SPID "?si=1", "track",
	    out), -1);
	assert_int_equal(ids_from_uri("spotify:track:4uLU6hMCj", "track", out),
	    -1);
	assert_int_equal(ids_from_uri("spotify:track:4uLU6hMCjMI75M1A2tKU-C",
	    "track", out), -1);
	assert_int_equal(ids_from_uri("spotify:local:a:b:c:180", "track", out),
	    -1);
	assert_int_equal(ids_from_uri("spotify:track:" SPID, "", out), -1);
	assert_int_equal(ids_from_uri(NULL, "track", out), -1);
	assert_int_equal(ids_from_uri("http://open.spotify.com/track/" SPID,
	    "track", out), -1);
}

/*
 * Proves a play's context URI gives its playlist id in both forms, and
 * that every other context (album, artist, open link, synthetic or short
 * id, trailing bytes) gives -1 and "".
 */
static void
test_from_context_uri(void **state)
{
	char out[ID_LEN + 1];

	(void)state;
	assert_int_equal(ids_from_context_uri("spotify:playlist:" SPID, out),
	    0);
	assert_string_equal(out, SPID);
	memset(out, 'x', sizeof(out));
	assert_int_equal(ids_from_context_uri("spotify:user:spotify:playlist:"
	    SPID, out), 0);
	assert_string_equal(out, SPID);
	assert_int_equal(ids_from_context_uri("spotify:user:a.b-c:playlist:"
	    SPID, out), 0);
	assert_string_equal(out, SPID);

	assert_int_equal(ids_from_context_uri("spotify:album:" SPID, out), -1);
	assert_string_equal(out, "");
	assert_int_equal(ids_from_context_uri("spotify:artist:" SPID, out),
	    -1);
	assert_int_equal(ids_from_context_uri(
	    "https://open.spotify.com/playlist/" SPID, out), -1);
	assert_int_equal(ids_from_context_uri("spotify:playlist:"
	    "_7i9dQZEVXcJZyENOWUFo7", out), -1);	/* synthetic */
	assert_int_equal(ids_from_context_uri("spotify:user:x:playlist:"
	    "_7i9dQZEVXcJZyENOWUFo7", out), -1);
	assert_int_equal(ids_from_context_uri("spotify:playlist:" SPID "x",
	    out), -1);
	assert_int_equal(ids_from_context_uri("spotify:playlist:4uLU6hMCj",
	    out), -1);
	assert_int_equal(ids_from_context_uri("spotify:user:x:album:" SPID,
	    out), -1);
	assert_int_equal(ids_from_context_uri("spotify:user:" SPID, out), -1);
	assert_int_equal(ids_from_context_uri("", out), -1);
	assert_int_equal(ids_from_context_uri(NULL, out), -1);
	assert_string_equal(out, "");
}

/* Proves idlist_get and ids_find address the packed list correctly. */
static void
test_idlist_get_find(void **state)
{
	struct idlist l;
	char out[ID_LEN + 1];
	const char packed[] = "AAAAAAAAAAAAAAAAAAAAAA" "BBBBBBBBBBBBBBBBBBBBBB"
	    "_CCCCCCCCCCCCCCCCCCCCC";

	(void)state;
	l.ids = packed;
	l.n = 3;
	idlist_get(&l, 0, out);
	assert_string_equal(out, "AAAAAAAAAAAAAAAAAAAAAA");
	idlist_get(&l, 2, out);
	assert_string_equal(out, "_CCCCCCCCCCCCCCCCCCCCC");
	idlist_get(&l, 3, out);		/* out of range: "" not garbage */
	assert_string_equal(out, "");
	assert_int_equal(ids_find(&l, "BBBBBBBBBBBBBBBBBBBBBB"), 1);
	assert_int_equal(ids_find(&l, "_CCCCCCCCCCCCCCCCCCCCC"), 2);
	assert_int_equal(ids_find(&l, "DDDDDDDDDDDDDDDDDDDDDD"), -1);
	assert_int_equal(ids_find(&l, "BBBB"), -1);
	l.n = 1;
	assert_int_equal(ids_find(&l, "BBBBBBBBBBBBBBBBBBBBBB"), -1);
}

/* Proves the builder packs valid ids in order and refuses bad ones. */
static void
test_ids_list(void **state)
{
	struct ids_list b = IDS_LIST_INIT;
	struct idlist v;
	char out[ID_LEN + 1], id[ID_LEN + 1];
	uint32_t i;

	(void)state;
	v = ids_list_view(&b);
	assert_int_equal(v.n, 0);
	assert_null(v.ids);
	assert_int_equal(ids_list_add(&b, SPID), 0);
	assert_int_equal(ids_list_add(&b, "not an id"), -1);
	assert_int_equal(ids_list_add(&b, "_1o7g0KP6krPyQNR5ASc8f"), 0);
	v = ids_list_view(&b);
	assert_int_equal(v.n, 2);
	idlist_get(&v, 0, out);
	assert_string_equal(out, SPID);
	idlist_get(&v, 1, out);
	assert_string_equal(out, "_1o7g0KP6krPyQNR5ASc8f");
	ids_list_reset(&b);
	assert_int_equal(ids_list_view(&b).n, 0);
	/* Growth past the first allocation keeps every id. */
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "%022u", i);
		assert_int_equal(ids_list_add(&b, id), 0);
	}
	v = ids_list_view(&b);
	assert_int_equal(v.n, 1000);
	idlist_get(&v, 999, out);
	assert_string_equal(out, "0000000000000000000999");
	ids_list_free(&b);
	assert_int_equal(ids_list_view(&b).n, 0);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_valid_spotify),
	cmocka_unit_test(test_valid_any),
	cmocka_unit_test(test_valid_user),
	cmocka_unit_test(test_valid_user_length),
	cmocka_unit_test(test_synthetic_golden),
	cmocka_unit_test(test_synth_names),
	cmocka_unit_test(test_synthetic_normalized),
	cmocka_unit_test(test_synthetic_distinct),
	cmocka_unit_test(test_from_uri),
	cmocka_unit_test(test_from_context_uri),
	cmocka_unit_test(test_idlist_get_find),
	cmocka_unit_test(test_ids_list),
)
