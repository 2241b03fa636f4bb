/*
 * lib_log.c — unit tests of lib/log.c: log_escape() and the stderr lines.
 *
 * The line tests point stderr at a temporary file for the duration of one
 * call and read back what was written.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "testutil.h"

/* Proves printable text passes through unchanged. */
static void
test_escape_plain(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_escape(out, sizeof(out), "hello, world",
	    12), "hello, world");
	/* UTF-8 bytes are not control characters: kept as they are. */
	assert_string_equal(log_escape(out, sizeof(out), "Bj\xc3\xb6rk", 6),
	    "Bj\xc3\xb6rk");
}

/* Proves control characters, quotes and backslashes are escaped. */
static void
test_escape_specials(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_escape(out, sizeof(out), "a\nb\tc\x7f", 6),
	    "a\\x0ab\\x09c\\x7f");
	assert_string_equal(log_escape(out, sizeof(out), "say \"hi\"\\", 9),
	    "say \\\"hi\\\"\\\\");
	assert_string_equal(log_escape(out, sizeof(out), "\x1b[31m", 5),
	    "\\x1b[31m");
}

/* Proves len bounds the input and a NUL ends it early. */
static void
test_escape_len(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_escape(out, sizeof(out), "abcdef", 3), "abc");
	assert_string_equal(log_escape(out, sizeof(out), "ab\0cd", 5), "ab");
	assert_string_equal(log_escape(out, sizeof(out), "", 0), "");
}

/* Proves output is cut at whole escapes and always NUL-terminated. */
static void
test_escape_truncation(void **state)
{
	char out[6];

	(void)state;
	memset(out, 'Z', sizeof(out));
	assert_string_equal(log_escape(out, sizeof(out), "abcdefgh", 8),
	    "abcde");
	memset(out, 'Z', sizeof(out));
	/* "ab" + "\x0a" would need 6 + NUL: the escape is left out whole. */
	assert_string_equal(log_escape(out, sizeof(out), "ab\ncd", 5), "ab");
	assert_string_equal(log_escape(out, 1, "abc", 3), "");
	/* outsz 0: nothing is written at all. */
	out[0] = 'Z';
	log_escape(out, 0, "abc", 3);
	assert_int_equal(out[0], 'Z');
}

/* Runs fn with stderr redirected to a file; returns what it wrote. */
static char *
capture(void (*fn)(void))
{
	char path[] = "/tmp/ln-log-XXXXXX", *text;
	int fd, saved;
	FILE *f;
	long n;

	assert_true((fd = mkstemp(path)) != -1);
	unlink(path);
	saved = dup(STDERR_FILENO);
	assert_true(saved != -1);
	assert_true(dup2(fd, STDERR_FILENO) != -1);
	fn();
	assert_true(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	assert_non_null(f = fdopen(fd, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static void
emit_warnx(void)
{
	log_init("lntest", 0, 0);
	log_warnx("value %d of %s", 7, "x");
}

static void
emit_warn(void)
{
	log_init("lntest", 0, 0);
	errno = ENOENT;
	log_warn("open %s", "f");
}

static void
emit_debug_quiet(void)
{
	log_init("lntest", 0, 0);
	log_debug("hidden");
	log_info("shown");
}

static void
emit_debug_verbose(void)
{
	log_init("lntest", 0, 0);
	log_set_verbose(1);
	log_debug("now visible");
	log_set_verbose(0);
}

/* Proves lines carry the program name and end in one newline. */
static void
test_lines(void **state)
{
	char *s, want[128];

	(void)state;
	s = capture(emit_warnx);
	assert_string_equal(s, "lntest: value 7 of x\n");
	free(s);
	s = capture(emit_warn);
	snprintf(want, sizeof(want), "lntest: open f: %s\n", strerror(ENOENT));
	assert_string_equal(s, want);
	free(s);
}

/* Proves debug lines appear only when verbose. */
static void
test_verbosity(void **state)
{
	char *s;

	(void)state;
	s = capture(emit_debug_quiet);
	assert_string_equal(s, "lntest: shown\n");
	free(s);
	s = capture(emit_debug_verbose);
	assert_string_equal(s, "lntest: now visible\n");
	free(s);
}

/* Proves fatalx() logs and exits with status 1. */
static void
test_fatalx_exits(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if ((pid = fork()) == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd != -1)
			dup2(fd, STDERR_FILENO);
		fatalx("bye");
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_escape_plain),
	cmocka_unit_test(test_escape_specials),
	cmocka_unit_test(test_escape_len),
	cmocka_unit_test(test_escape_truncation),
	cmocka_unit_test(test_lines),
	cmocka_unit_test(test_verbosity),
	cmocka_unit_test(test_fatalx_exits),
)
