/*
 * log.c — stderr in the foreground, syslog as a daemon.
 *
 * One small logger in the manner of OpenBSD's daemons: a program calls
 * log_init() once, then the log_* functions.  Lines are written with a
 * single write so that concurrent processes do not interleave mid-line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "linernotes";
static int log_daemon;
static int log_verbose;

void
log_init(const char *progname, int daemon, int verbose)
{
	log_prog = progname;
	log_daemon = daemon;
	log_verbose = verbose;
	if (daemon)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_verbose(int verbose)
{
	log_verbose = verbose;
}

static void
log_vwrite(int pri, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048], line[2200];
	int saved = errno, n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, ": %s", strerror(saved));
	}
	if (log_daemon) {
		syslog(pri, "%s", msg);
	} else {
		n = snprintf(line, sizeof(line), "%s: %s\n", log_prog, msg);
		if (n > 0) {
			if ((size_t)n >= sizeof(line))
				n = sizeof(line) - 1;
			(void)write(STDERR_FILENO, line, (size_t)n);
		}
	}
	errno = saved;
}

#define LOG_BODY(pri, e) do {			\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vwrite((pri), (e), fmt, ap);	\
	va_end(ap);				\
} while (0)

void log_warn(const char *fmt, ...)  { LOG_BODY(LOG_WARNING, 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_WARNING, 0); }
void log_info(const char *fmt, ...)  { LOG_BODY(LOG_INFO, 0); }

void
log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 0);
	exit(1);
}

char *
log_escape(char *out, size_t outsz, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outsz == 0)
		return out;
	for (i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[4];
		size_t tl = 0;

		if (c == '\\' || c == '"') {
			tmp[tl++] = '\\';
			tmp[tl++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			tmp[tl++] = '\\';
			tmp[tl++] = 'x';
			tmp[tl++] = hex[c >> 4];
			tmp[tl++] = hex[c & 15];
		} else
			tmp[tl++] = (char)c;
		if (o + tl >= outsz)
			break;
		memcpy(out + o, tmp, tl);
		o += tl;
	}
	out[o] = '\0';
	return out;
}
