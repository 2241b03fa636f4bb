/*
 * log.h — the one logger of linernotes.
 *
 * Messages go to stderr while a program runs in the foreground and to
 * syslog(3) once log_init() was told the program is a daemon.  Untrusted
 * strings are passed through log_escape() before they reach a format.
 * Secrets (tokens, client secrets) are never given to these functions.
 *
 * Error convention: none of these fail; fatal() and fatalx() do not return.
 */
#ifndef LN_LOG_H
#define LN_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define LN_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Sets the program name, whether to use syslog and whether debug lines show. */
void	log_init(const char *progname, int daemon, int verbose);
/* Changes the verbosity at run time (e.g. after a reload). */
void	log_set_verbose(int verbose);

/* A warning with ": strerror(errno)" appended. */
void	log_warn(const char *, ...) LN_PRINTF(1, 2);
/* A warning as given. */
void	log_warnx(const char *, ...) LN_PRINTF(1, 2);
void	log_info(const char *, ...) LN_PRINTF(1, 2);
void	log_debug(const char *, ...) LN_PRINTF(1, 2);
/* Log with strerror(errno) (fatal) or without (fatalx), then exit(1). */
void	fatal(const char *, ...) LN_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LN_PRINTF(1, 2) __attribute__((noreturn));

/*
 * Copies at most len bytes of the untrusted string s into out (size outsz),
 * replacing control characters, quotes and backslashes by C-style escapes,
 * always NUL-terminating.  Returns out, so it can stand in an argument list.
 */
char	*log_escape(char *out, size_t outsz, const char *s, size_t len);

#endif
