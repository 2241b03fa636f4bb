/*
 * lib_config.c — unit tests of the configuration table (lib/config.c).
 *
 * They prove that defaults hold without a file, that file values and then
 * environment overrides win in that order, that every kind of mistake in a
 * file or a variable is refused with a message naming where it is (file
 * and line, or the variable) and the key, that bounds and enum words are
 * enforced, and that secrets never show in config_dump().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "testutil.h"

static char tmpl[] = "/tmp/lib_config_test.XXXXXX";
static char path[64];

/* Writes text to the test's config file and returns its path. */
static const char *
conf(const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Removes every LINERNOTES_ variable so tests start clean. */
static void
clear_env(void)
{
	extern char **environ;
	char name[128];
	int again = 1;

	while (again) {
		again = 0;
		for (char **e = environ; *e != NULL; e++) {
			if (strncmp(*e, "LINERNOTES_", 11) != 0)
				continue;
			strlcpy(name, *e, sizeof(name));
			name[strcspn(name, "=")] = '\0';
			unsetenv(name);
			again = 1;
			break;
		}
	}
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	clear_env();
	if (path[0] == '\0') {
		assert_true((fd = mkstemp(tmpl)) != -1);
		close(fd);
		strlcpy(path, tmpl, sizeof(path));
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

/* Loads and expects failure with a message containing each of the words. */
static void
load_fails(const char *file, const char *w1, const char *w2)
{
	struct config *cfg = (struct config *)1;
	char err[512];

	assert_int_equal(config_load(&cfg, file, err, sizeof(err)), -1);
	assert_null(cfg);
	if (strstr(err, w1) == NULL || (w2 != NULL && strstr(err, w2) == NULL))
		fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", err, w1,
		    w2 ? w2 : "");
}

static struct config *
load_ok(const char *file)
{
	struct config *cfg = NULL;
	char err[512];

	if (config_load(&cfg, file, err, sizeof(err)) == -1)
		fail_msg("config_load: %s", err);
	return cfg;
}

static void
test_defaults(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_ok(NULL);
	assert_string_equal(config_str(cfg, CFG_DB_PATH), "");
	assert_string_equal(config_str(cfg, CFG_SPOTIFY_API_BASE),
	    "https://api.spotify.com/v1");
	assert_string_equal(config_str(cfg, CFG_SPOTIFY_ACCOUNTS_BASE),
	    "https://accounts.spotify.com");
	assert_int_equal(config_num(cfg, CFG_POLL_INTERVAL), 1200);
	assert_int_equal(config_num(cfg, CFG_TOP_INTERVAL), 86400);
	assert_int_equal(config_num(cfg, CFG_MAX_RESPONSE), 4194304);
	assert_int_equal(config_num(cfg, CFG_CACHE_BYTES), 16777216);
	assert_int_equal(config_num(cfg, CFG_MIN_PLAY_MS), 30000);
	assert_int_equal(config_num(cfg, CFG_VERBOSE), 0);
	assert_string_equal(config_str(cfg, CFG_SIGNUPS), "open");
	config_free(cfg);
}

static void
test_every_key_named(void **state)
{
	int k, k2;

	(void)state;
	for (k = 0; k < CFG__MAX; k++) {
		assert_true(config_name((enum config_key)k)[0] != '\0');
		for (k2 = 0; k2 < k; k2++)
			assert_string_not_equal(config_name((enum config_key)k),
			    config_name((enum config_key)k2));
	}
	assert_string_equal(config_name(CFG_POLL_INTERVAL), "poll_interval");
	assert_string_equal(config_name(CFG__MAX), "");
}

static void
test_file_values(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_ok(conf(
	    "# linernotes\n"
	    "\n"
	    "   \t\n"
	    "db_path = /var/lib/linernotes\n"
	    "  poll_interval=600   # ten minutes\n"
	    "client_id\t=\tabc#def\n"
	    "client_secret = \"s3cr#t \\\"q\\\" \\\\ \"  # quoted\n"
	    "public_url = http://127.0.0.1:8080\r\n"
	    "signups = invite\n"
	    "cache_bytes = 4294967296\n"
	    "redirect_uri = \"\"\n"
	    "max_body = 2048 #\n"
	    "spotify_api_base =\t# only a comment: the value is empty\n"
	    "pidfile = /run/ln.pid"));		/* no final newline */
	assert_string_equal(config_str(cfg, CFG_DB_PATH),
	    "/var/lib/linernotes");
	assert_int_equal(config_num(cfg, CFG_POLL_INTERVAL), 600);
	assert_string_equal(config_str(cfg, CFG_CLIENT_ID), "abc#def");
	assert_string_equal(config_str(cfg, CFG_CLIENT_SECRET),
	    "s3cr#t \"q\" \\ ");
	assert_string_equal(config_str(cfg, CFG_PUBLIC_URL),
	    "http://127.0.0.1:8080");
	assert_string_equal(config_str(cfg, CFG_SIGNUPS), "invite");
	assert_int_equal(config_num(cfg, CFG_SIGNUPS), 2);
	assert_int_equal(config_num(cfg, CFG_CACHE_BYTES), 4294967296LL);
	assert_string_equal(config_str(cfg, CFG_REDIRECT_URI), "");
	assert_string_equal(config_str(cfg, CFG_PIDFILE), "/run/ln.pid");
	assert_int_equal(config_num(cfg, CFG_MAX_BODY), 2048);
	assert_string_equal(config_str(cfg, CFG_SPOTIFY_API_BASE), "");
	/* Untouched keys keep their defaults. */
	assert_int_equal(config_num(cfg, CFG_RATE_LIMIT), 150);
	config_free(cfg);
}

static void
test_env_overrides(void **state)
{
	struct config *cfg;

	(void)state;
	setenv("LINERNOTES_POLL_INTERVAL", "300", 1);
	setenv("LINERNOTES_DB_PATH", "/srv/db", 1);
	setenv("LINERNOTES_CLIENT_SECRET", "  raw \"as given\"  ", 1);
	setenv("LINERNOTES_SIGNUPS", "closed", 1);
	setenv("OTHER_VARIABLE", "ignored", 1);
	cfg = load_ok(conf("db_path = /var/lib/linernotes\n"
	    "poll_interval = 600\n"));
	assert_string_equal(config_str(cfg, CFG_DB_PATH), "/srv/db");
	assert_int_equal(config_num(cfg, CFG_POLL_INTERVAL), 300);
	assert_string_equal(config_str(cfg, CFG_CLIENT_SECRET),
	    "  raw \"as given\"  ");
	assert_string_equal(config_str(cfg, CFG_SIGNUPS), "closed");
	config_free(cfg);
	/* Environment alone, without a file. */
	cfg = load_ok(NULL);
	assert_string_equal(config_str(cfg, CFG_DB_PATH), "/srv/db");
	config_free(cfg);
	unsetenv("OTHER_VARIABLE");
}

static void
test_file_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*w1, *w2;
	} cases[] = {
		{ "no_such_key = 1\n", ":1: no_such_key", "unknown key" },
		{ "\n\nbogus\n", ":3:", "expected \"key = value\"" },
		{ "= 5\n", ":1:", "expected" },
		{ "poll interval = 5\n", ":1:", "expected" },
		{ "db_path = \"open\n", ":1: db_path", "closing quote" },
		{ "db_path = \"a\" b\n", ":1: db_path", "after the closing" },
		{ "poll_interval = 600\npoll_interval = 700\n",
		    ":2: poll_interval", "first on line 1" },
		{ "poll_interval = ten\n", ":1: poll_interval",
		    "not a whole number" },
		{ "poll_interval = 12.5\n", "poll_interval", "whole number" },
		{ "poll_interval = \n", "poll_interval", "whole number" },
		{ "poll_interval = 59\n", "poll_interval", "too small" },
		{ "poll_interval = 86401\n", "poll_interval", "too large" },
		{ "cache_bytes = 4294967297\n", "cache_bytes", "too large" },
		{ "max_concurrency = 0\n", "max_concurrency", "too small" },
		{ "verbose = 2\n", "verbose", "too large" },
		{ "signups = maybe\n", ":1: signups",
		    "not one of open, closed, invite" },
		{ "signups = Open\n", "signups", "not one of" },
		{ "spotify_api_base = ftp://x\n", "spotify_api_base", "URL" },
		{ "public_url = 127.0.0.1\n", "public_url", "URL" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		load_fails(conf(cases[i].text), cases[i].w1, cases[i].w2);
	/* The file's name starts the message. */
	load_fails(conf("x = 1\n"), path, ":1: x");
}

static void
test_file_limits(void **state)
{
	char *big;
	size_t n = 5000;

	(void)state;
	/* A string longer than its key allows. */
	assert_non_null(big = malloc(n + 32));
	strlcpy(big, "db_path = ", n + 32);
	memset(big + 10, 'a', 1100);
	strlcpy(big + 1110, "\n", 2);
	load_fails(conf(big), "db_path", "bytes long");
	/* A line longer than any setting. */
	memset(big + 10, 'a', n);
	strlcpy(big + 10 + n, "\n", 2);
	load_fails(conf(big), ":1:", "longer than");
	free(big);
	/* A missing file names the file. */
	load_fails("/nonexistent/linernotes.conf", "/nonexistent/", "No such");
}

static void
test_file_nul_byte(void **state)
{
	FILE *f;

	(void)state;
	assert_non_null(f = fopen(path, "w"));
	fwrite("db_path = a\0b\n", 1, 14, f);
	fclose(f);
	load_fails(path, ":1:", "NUL");
}

static void
test_env_errors(void **state)
{
	static const struct {
		const char	*var, *val;
		const char	*w1, *w2;
	} cases[] = {
		{ "LINERNOTES_POLL_INTERVAL", "5", "LINERNOTES_POLL_INTERVAL",
		    "too small" },
		{ "LINERNOTES_POLL_INTERVAL", "", "LINERNOTES_POLL_INTERVAL",
		    "whole number" },
		{ "LINERNOTES_SIGNUPS", "everyone", "LINERNOTES_SIGNUPS",
		    "not one of" },
		{ "LINERNOTES_NO_SUCH", "1", "LINERNOTES_NO_SUCH",
		    "no such configuration key" },
		{ "LINERNOTES_poll_interval", "600", "LINERNOTES_poll_interval",
		    "upper case" },
		{ "LINERNOTES_", "x", "LINERNOTES_", "no such" },
		{ "LINERNOTES_PUBLIC_URL", "example.org", "LINERNOTES_PUBLIC_URL",
		    "URL" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clear_env();
		setenv(cases[i].var, cases[i].val, 1);
		load_fails(NULL, cases[i].w1, cases[i].w2);
	}
}

static void
test_bounds_accepted(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_ok(conf("poll_interval = 60\nmax_concurrency = 64\n"
	    "detail_budget = 0\ncache_bytes = 0\nverbose = 1\n"));
	assert_int_equal(config_num(cfg, CFG_POLL_INTERVAL), 60);
	assert_int_equal(config_num(cfg, CFG_MAX_CONCURRENCY), 64);
	assert_int_equal(config_num(cfg, CFG_DETAIL_BUDGET), 0);
	assert_int_equal(config_num(cfg, CFG_CACHE_BYTES), 0);
	assert_int_equal(config_num(cfg, CFG_VERBOSE), 1);
	config_free(cfg);
}

static void
test_enum_words(void **state)
{
	static const char *words[] = { "open", "closed", "invite" };
	struct config *cfg;
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "signups = %s\n", words[i]);
		cfg = load_ok(conf(text));
		assert_string_equal(config_str(cfg, CFG_SIGNUPS), words[i]);
		assert_int_equal(config_num(cfg, CFG_SIGNUPS), (long long)i);
		config_free(cfg);
	}
}

static void
test_require(void **state)
{
	struct config *cfg;
	char err[256];

	(void)state;
	cfg = load_ok(NULL);
	assert_int_equal(config_require(cfg, CFG_DB_PATH, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "db_path is required"));
	assert_non_null(strstr(err, "LINERNOTES_DB_PATH"));
	assert_int_equal(config_require(cfg, CFG_SPOTIFY_API_BASE, err,
	    sizeof(err)), 0);
	config_free(cfg);
	cfg = load_ok(conf("db_path = /x\n"));
	assert_int_equal(config_require(cfg, CFG_DB_PATH, err, sizeof(err)),
	    0);
	config_free(cfg);
}

/* What config_dump() writes for cfg, in a static buffer. */
static char *
dumped(const struct config *cfg)
{
	static char text[8192];
	FILE *f;
	size_t n;

	assert_non_null(f = tmpfile());
	config_dump(cfg, f);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static void
test_dump_hides_secrets(void **state)
{
	struct config *cfg;
	char *text;

	(void)state;
	cfg = load_ok(conf("client_secret = very-secret-value\n"
	    "client_id = visible-id\ndb_path = \"/a \\\"b\\\"\"\n"));
	text = dumped(cfg);
	assert_null(strstr(text, "very-secret-value"));
	assert_non_null(strstr(text, "client_secret = (set)\n"));
	assert_non_null(strstr(text, "client_id = \"visible-id\"\n"));
	assert_non_null(strstr(text, "db_path = \"/a \\\"b\\\"\"\n"));
	assert_non_null(strstr(text, "poll_interval = 1200\n"));
	assert_non_null(strstr(text, "signups = open\n"));
	config_free(cfg);

	cfg = load_ok(NULL);
	assert_non_null(strstr(dumped(cfg), "client_secret = (unset)\n"));
	config_free(cfg);
}

/* What config_dump() writes (secrets aside) reads back the same. */
static void
test_dump_round_trip(void **state)
{
	struct config *a, *b;
	char *text, *p, *line;
	int k;

	(void)state;
	a = load_ok(conf("db_path = \"/odd \\\\ \\\"path\\\" # x\"\n"
	    "poll_interval = 90\nsignups = closed\n"));
	text = dumped(a);
	/* Drop the secret lines, which show (set)/(unset). */
	for (p = text; (line = strstr(p, "client_secret")) != NULL; p = line)
		line[0] = '#';
	b = load_ok(conf(text));
	for (k = 0; k < CFG__MAX; k++) {
		assert_string_equal(config_str(a, (enum config_key)k),
		    config_str(b, (enum config_key)k));
		assert_int_equal(config_num(a, (enum config_key)k),
		    config_num(b, (enum config_key)k));
	}
	config_free(a);
	config_free(b);
}

/* The documented example (run from the top of the tree) loads as it is. */
static void
test_example_file(void **state)
{
	struct config *cfg;

	(void)state;
	if (access("docs/linernotes.conf.example", R_OK) == -1)
		skip();
	cfg = load_ok("docs/linernotes.conf.example");
	assert_string_equal(config_str(cfg, CFG_DB_PATH), "/var/lib/linernotes");
	assert_int_equal(config_num(cfg, CFG_POLL_INTERVAL), 1200);
	assert_string_equal(config_str(cfg, CFG_PIDFILE), "");
	config_free(cfg);
}

static int
cleanup(void **state)
{
	(void)state;
	if (path[0] != '\0')
		unlink(path);
	return 0;
}

TU_MAIN(NULL, cleanup,
	cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	cmocka_unit_test_setup_teardown(test_every_key_named, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_file_values, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_env_overrides, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_file_errors, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_file_limits, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_file_nul_byte, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_env_errors, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_bounds_accepted, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_enum_words, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_require, setup, teardown),
	cmocka_unit_test_setup_teardown(test_dump_hides_secrets, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_dump_round_trip, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_example_file, setup,
	    teardown),
)
