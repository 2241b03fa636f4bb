/*
 * lib_settings.c — unit tests of lib/settings.c: the validators PUT
 * /api/v0/settings and `linernotes-collector set-user` share, the JSON
 * body of PUT /api/v0/settings, and their application to a user record.
 *
 * Time zones come from the system's zone files (/usr/share/zoneinfo), as
 * in lib_tz.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema.h"
#include "settings.h"
#include "testutil.h"

#define PL1	"37i9dQZEVXcJZyENOWUFo7"
#define PL2	"37i9dQZEVXcJZyENOWUFo8"

/* Proves the key table is the enum's, and an unknown name is -1. */
static void
test_keys(void **state)
{
	static const struct tu_parse_case keys[] = {
		{ "visibility", SET_VISIBILITY }, { "timezone", SET_TIMEZONE },
		{ "dw_playlist", SET_DW_PLAYLIST }, { "archive", SET_ARCHIVE },
		{ "status", -1 }, { "", -1 },
	};

	(void)state;
	assert_int_equal(tu_parse_cases(settings_key, keys, TU_NITEMS(keys)),
	    -1);
}

/* Proves each validator records a good value with its bit, and refuses a
 * bad one with a message naming the setting, leaving the change as it was. */
static void
test_values(void **state)
{
	struct settings_in in;
	const char *msg = NULL;

	(void)state;
	memset(&in, 0, sizeof(in));
	assert_int_equal(settings_set_visibility(&in, "public", &msg), 0);
	assert_int_equal(in.visibility, VIS_PUBLIC);
	assert_int_equal(settings_set_visibility(&in, "friends", &msg), -1);
	assert_non_null(strstr(msg, "visibility"));
	assert_int_equal(in.visibility, VIS_PUBLIC);

	assert_int_equal(settings_set_timezone(&in, "Europe/Stockholm", &msg),
	    0);
	assert_string_equal(in.timezone, "Europe/Stockholm");
	assert_int_equal(settings_set_timezone(&in, "Nowhere/X", &msg), -1);
	assert_non_null(strstr(msg, "timezone"));
	assert_int_equal(settings_set_timezone(&in, "../etc/passwd", &msg),
	    -1);
	assert_int_equal(settings_set_timezone(&in, "right/UTC", &msg), -1);
	assert_string_equal(in.timezone, "Europe/Stockholm");
	assert_int_equal(settings_set_timezone(&in, "UTC", &msg), 0);
	assert_string_equal(in.timezone, "");	/* UTC: unset */

	assert_int_equal(settings_set_dw_playlist(&in, PL1, &msg), 0);
	assert_string_equal(in.dw_playlist, PL1);
	assert_int_equal(settings_set_dw_playlist(&in,
	    "_7i9dQZEVXcJZyENOWUFo7", &msg), -1);	/* synthetic */
	assert_non_null(strstr(msg, "dw_playlist"));
	assert_int_equal(settings_set_dw_playlist(&in, "", &msg), 0);
	assert_string_equal(in.dw_playlist, "");
	assert_int_equal(in.has, SET_BIT(SET_VISIBILITY) |
	    SET_BIT(SET_TIMEZONE) | SET_BIT(SET_DW_PLAYLIST));
}

/* Proves the archive drops repeats, holds ARCHIVE_MAX and refuses more. */
static void
test_archive(void **state)
{
	struct settings_in in;
	const char *msg = NULL;
	char id[ID_LEN + 1];
	int i;

	(void)state;
	memset(&in, 0, sizeof(in));
	settings_clear_archive(&in);
	assert_true(in.has & SET_BIT(SET_ARCHIVE));
	for (i = 0; i < ARCHIVE_MAX; i++) {
		memcpy(id, PL1, sizeof(id));
		id[ID_LEN - 1] = (char)('a' + i);
		assert_int_equal(settings_add_archive(&in, id, &msg), 0);
		assert_int_equal(settings_add_archive(&in, id, &msg), 0);
	}
	assert_int_equal(in.n_archive, ARCHIVE_MAX);
	assert_int_equal(settings_add_archive(&in, PL2, &msg), -1);
	assert_non_null(strstr(msg, "at most 8"));
	assert_int_equal(settings_add_archive(&in, "nope", &msg), -1);
	assert_int_equal(in.n_archive, ARCHIVE_MAX);
}

/* Proves only the settings given change a user, and nothing else of it. */
static void
test_apply(void **state)
{
	struct settings_in in;
	struct user u, want;
	const char *msg = NULL;

	(void)state;
	memset(&u, 0, sizeof(u));
	strcpy(u.id, "alice");
	strcpy(u.timezone, "Europe/Berlin");
	strcpy(u.archive[0], PL2);
	u.n_archive = 1;
	u.status = USER_DISABLED;
	want = u;

	memset(&in, 0, sizeof(in));
	assert_int_equal(settings_set_visibility(&in, "public", &msg), 0);
	settings_clear_archive(&in);
	assert_int_equal(settings_add_archive(&in, PL1, &msg), 0);
	settings_apply(&in, &u);
	want.visibility = VIS_PUBLIC;
	memset(want.archive, 0, sizeof(want.archive));
	strcpy(want.archive[0], PL1);
	assert_memory_equal(&u, &want, sizeof(u));
}

static int
parse(const char *body, struct settings_in *s)
{
	const char *msg = NULL;
	int rc;

	rc = settings_parse(body, strlen(body), s, &msg);
	if (rc == -1)
		assert_non_null(msg);
	else
		assert_null(msg);
	return rc;
}

/*
 * Proves a JSON body sets exactly the settings it names with each
 * field's rule, and that anything else (not JSON, not an object, empty,
 * a wrong type or value, an unknown or a repeated field, a ninth archived
 * playlist) is refused with a message.
 */
static void
test_parse(void **state)
{
	struct settings_in s;

	(void)state;
	assert_int_equal(parse("{\"visibility\":\"public\",\"timezone\":"
	    "\"Europe/Stockholm\",\"dw_playlist\":\"37i9dQZEVXcJZyENOWUFo7\","
	    "\"archive\":[\"37i9dQZEVXcJZyENOWUFo7\",\"1111111111111111111111\","
	    "\"37i9dQZEVXcJZyENOWUFo7\"]}", &s), 0);
	assert_int_equal(s.has, SET_BIT(SET__MAX) - 1);
	assert_int_equal(s.visibility, VIS_PUBLIC);
	assert_string_equal(s.timezone, "Europe/Stockholm");
	assert_string_equal(s.dw_playlist, "37i9dQZEVXcJZyENOWUFo7");
	assert_int_equal(s.n_archive, 2);	/* the repeat dropped */
	assert_int_equal(parse("{\"visibility\":\"private\"}", &s), 0);
	assert_int_equal(s.has, SET_BIT(SET_VISIBILITY));
	assert_int_equal(s.visibility, VIS_PRIVATE);
	assert_int_equal(parse("{\"timezone\":\"UTC\",\"dw_playlist\":\"\","
	    "\"archive\":[]}", &s), 0);
	assert_string_equal(s.timezone, "");
	assert_string_equal(s.dw_playlist, "");
	assert_int_equal(s.n_archive, 0);

	assert_int_equal(parse("", &s), -1);
	assert_int_equal(parse("[]", &s), -1);
	assert_int_equal(parse("{}", &s), -1);
	assert_int_equal(parse("{\"visibility\":\"friends\"}", &s), -1);
	assert_int_equal(parse("{\"visibility\":1}", &s), -1);
	assert_int_equal(parse("{\"timezone\":\"Mars/Olympus_Mons\"}", &s),
	    -1);
	assert_int_equal(parse("{\"timezone\":\"../../etc/passwd\"}", &s),
	    -1);
	assert_int_equal(parse("{\"timezone\":\"right/UTC\"}", &s), -1);
	assert_int_equal(parse("{\"dw_playlist\":\"short\"}", &s), -1);
	assert_int_equal(parse("{\"dw_playlist\":\"_111111111111111111111\"}",
	    &s), -1);
	assert_int_equal(parse("{\"archive\":\"37i9dQZEVXcJZyENOWUFo7\"}",
	    &s), -1);
	assert_int_equal(parse("{\"archive\":[\"A111111111111111111111\","
	    "\"A211111111111111111111\",\"A311111111111111111111\","
	    "\"A411111111111111111111\",\"A511111111111111111111\","
	    "\"A611111111111111111111\",\"A711111111111111111111\","
	    "\"A811111111111111111111\",\"A911111111111111111111\"]}", &s),
	    -1);
	assert_int_equal(parse("{\"visibility\":\"public\","
	    "\"visibility\":\"private\"}", &s), -1);
	assert_int_equal(parse("{\"token\":\"x\"}", &s), -1);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_keys),
	cmocka_unit_test(test_values),
	cmocka_unit_test(test_archive),
	cmocka_unit_test(test_apply),
	cmocka_unit_test(test_parse),
)
