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

/* Proves the Spotify id check takes exactly 22 of [0-9A-Za-z]. */
static void
test_valid_spotify(void **state)
{
	(void)state;
	assert_true(ids_valid_spotify(SPID));
	assert_true(ids_valid_spotify("0000000000000000000000"));
	assert_true(ids_valid_spotify("zzzzzzzzzzzzzzzzzzzzzZ"));
	assert_false(ids_valid_spotify("4uLU6hMCjMI75M1A2tKUQ"));	/* 21 */
	assert_false(ids_valid_spotify("4uLU6hMCjMI75M1A2tKUQCx")); /* 23 */
	assert_false(ids_valid_spotify("4uLU6hMCjMI75M1A2tKU-C"));
	assert_false(ids_valid_spotify("_uLU6hMCjMI75M1A2tKUQC"));
	assert_false(ids_valid_spotify("4uLU6hMCjMI75M1A2tKUQ\xc3"));
	assert_false(ids_valid_spotify(""));
	assert_false(ids_valid_spotify(NULL));
}

/* Proves synthetic ids are accepted by ids_valid_any and only there. */
static void
test_valid_any(void **state)
{
	(void)state;
	assert_true(ids_valid_any(SPID));
	assert_true(ids_valid_any("_1o7g0KP6krPyQNR5ASc8f"));
	assert_false(ids_valid_spotify("_1o7g0KP6krPyQNR5ASc8f"));
	assert_false(ids_valid_any("__o7g0KP6krPyQNR5ASc8f"));
	assert_false(ids_valid_any("_1o7g0KP6krPyQNR5ASc8"));
	assert_false(ids_valid_any("_1o7g0KP6krPyQNR5ASc8fx"));
	assert_false(ids_valid_any("1o7g0KP6krPyQNR5ASc8f_"));
	assert_false(ids_valid_any(NULL));
}

/* Proves user ids are 1..64 of [0-9A-Za-z._-], nothing else. */
static void
test_valid_user(void **state)
{
	char u[USER_ID_MAX + 2];

	(void)state;
	assert_true(ids_valid_user("bob"));
	assert_true(ids_valid_user("a.b_c-D9"));
	assert_false(ids_valid_user(""));
	assert_false(ids_valid_user(NULL));
	assert_false(ids_valid_user("bob smith"));
	assert_false(ids_valid_user("bob/.."));
	assert_false(ids_valid_user("b\xc3\xb6"));
	memset(u, 'a', USER_ID_MAX);
	u[USER_ID_MAX] = '\0';
	assert_true(ids_valid_user(u));
	u[USER_ID_MAX] = 'a';
	u[USER_ID_MAX + 1] = '\0';
	assert_false(ids_valid_user(u));
}

/* Proves the algorithm is frozen: ids equal the independent reference. */
static void
test_synthetic_golden(void **state)
{
	const char *const tap[] = { "Artist", "Album", "Title" };
	const char *const bj[] = { "Bj\xc3\xb6rk", "Homogenic" };
	const char *const bj_upper[] = { "BJ\xc3\x96RK", "HOMOGENIC" };
	const char *const sigur[] = { "Sigur R\xc3\xb3s" };
	const char *const sigma[] = { "\xce\xa3\xce\x8a\xce\x93\xce\x9c\xce\x91" };
	const char *const yolka[] = { "\xd0\x81\xd0\x9b\xd0\x9a\xd0\x90" };
	char out[ID_LEN + 1];

	(void)state;
	ids_synthetic(out, "track", tap, 3);
	assert_string_equal(out, "_1o7g0KP6krPyQNR5ASc8f");
	ids_synthetic(out, "track", NULL, 0);
	assert_string_equal(out, "_n8ejFDriI9E1V0RcXUnPh");
	/* Version 1 (ASCII case only), as stored before schema 7. */
	ids_synthetic_v(out, 1, "album", bj, 2);
	assert_string_equal(out, "_My2LR6L6bRBVAy5xBySoU");
	ids_synthetic_v(out, 1, "track", tap, 3);
	assert_string_equal(out, "_1o7g0KP6krPyQNR5ASc8f");
	/* Version 2 folds every letter: "Björk" is "bjork". */
	ids_synthetic(out, "album", bj, 2);
	assert_string_equal(out, "_M4tN5I78fguFbCkMGDDOK");
	ids_synthetic(out, "album", bj_upper, 2);
	assert_string_equal(out, "_M4tN5I78fguFbCkMGDDOK");
	ids_synthetic(out, "artist", sigur, 1);
	assert_string_equal(out, "_KAawM5k2qJWoaST2NBvZp");
	ids_synthetic(out, "artist", sigma, 1);
	assert_string_equal(out, "_8NT0a4DRnKDmkFrgTsuUe");
	ids_synthetic(out, "artist", yolka, 1);
	assert_string_equal(out, "_sx1GxNdaMVcTv4mxJMtfC");
	assert_true(ids_valid_any(out));
	assert_false(ids_valid_spotify(out));
}

/* Proves normalization: case, outer and inner whitespace do not matter. */
static void
test_synthetic_normalized(void **state)
{
	const char *const a[] = { "Artist", "Album", "Title" };
	const char *const b[] = { "  artist\t", "ALBUM", "title \n" };
	const char *const c[] = { "The  Band", "x" };
	const char *const d[] = { "the band", "X" };
	const char *const e[] = { "theband", "x" };
	char ia[ID_LEN + 1], ib[ID_LEN + 1];

	(void)state;
	ids_synthetic(ia, "track", a, 3);
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
	const char *const ab_c[] = { "ab", "c" };
	const char *const a_bc[] = { "a", "bc" };
	const char *const abc[] = { "abc" };
	const char *const abc_e[] = { "abc", "" };
	const char *const abc_n[] = { "abc", NULL };
	char x[ID_LEN + 1], y[ID_LEN + 1];

	(void)state;
	ids_synthetic(x, "track", ab_c, 2);
	assert_string_equal(x, "_0kUNRg3g6vfjEcGxvn5YM");
	ids_synthetic(y, "track", a_bc, 2);
	assert_string_equal(y, "_de4lI5JEPSL45QlrTEa1l");
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
	cmocka_unit_test(test_synthetic_golden),
	cmocka_unit_test(test_synthetic_normalized),
	cmocka_unit_test(test_synthetic_distinct),
	cmocka_unit_test(test_from_uri),
	cmocka_unit_test(test_from_context_uri),
	cmocka_unit_test(test_idlist_get_find),
	cmocka_unit_test(test_ids_list),
)
