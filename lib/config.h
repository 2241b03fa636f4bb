/*
 * config.h — linernotes' configuration: one table of keys.
 *
 * A `key = value` file (comments start with '#', blank lines ignored,
 * values may be double-quoted) and, over it, environment variables
 * LINERNOTES_<KEY> in upper case.  Every key has one row in config.c's
 * table: name, type, bounds, default and whether it is a secret.  Unknown
 * keys, bad numbers, out-of-range values and bad enum words are errors that
 * name the file, the line and the key (or the environment variable).
 * A key given twice in one file is an error too (naming both lines): a
 * file is short enough to have one line per key, and a second line most
 * often means an edit was left half done.  Secrets are never printed
 * (config_dump() shows "(set)").
 *
 * Error convention: config_load() returns 0 or -1 with a message for people
 * in err; the getters cannot fail (every key has a value or "").
 */
#ifndef LN_CONFIG_H
#define LN_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum config_key {
	CFG_DB_PATH,		/* str: LMDB environment directory (required) */
	CFG_SPOTIFY_API_BASE,	/* str: https://api.spotify.com/v1 */
	CFG_SPOTIFY_ACCOUNTS_BASE, /* str: https://accounts.spotify.com */
	CFG_CLIENT_ID,		/* str */
	CFG_CLIENT_SECRET,	/* str, secret */
	CFG_REDIRECT_URI,	/* str: OAuth callback URL */
	CFG_PUBLIC_URL,		/* str: the site's own URL */
	CFG_POLL_INTERVAL,	/* int s: plays poll per user, 1200 (60..86400) */
	CFG_POLL_INTERVAL_MAX,	/* int s: adaptive ceiling, 7200 (60..86400) */
	CFG_POLL_ADAPTIVE,	/* int: 1 adaptive plays polls, 0 fixed (0..1) */
	CFG_TOP_INTERVAL,	/* int s: top lists, 86400 (3600..604800) */
	CFG_PROFILE_INTERVAL,	/* int s: profile, 604800 (3600..2592000) */
	CFG_MAX_CONCURRENCY,	/* int: requests in flight, 8 (1..64) */
	CFG_RATE_LIMIT,		/* int: requests per 30 s window, 150 (1..10000) */
	CFG_CONNECT_TIMEOUT,	/* int s: 10 (1..120) */
	CFG_REQUEST_TIMEOUT,	/* int s: 30 (1..600) */
	CFG_MAX_RESPONSE,	/* int bytes: 4194304 (65536..67108864) */
	CFG_RETRY_AFTER_MAX,	/* int s: clamp for Retry-After, 3600 (1..86400) */
	CFG_QUOTA_PAUSE,	/* int s: pause after QUOTA_EXCEEDED, 3600 (60..604800) */
	CFG_SPOTIFY_DAILY_BUDGET, /* int: Web API requests a day, 0 = unset (0..1000000000) */
	CFG_DETAIL_BUDGET,	/* int: entity look-ups per sweep, 50 (0..10000) */
	CFG_PIDFILE,		/* str: "" = none */
	CFG_MIN_PLAY_MS,	/* int ms: a play counts from, 30000 (0..600000) */
	CFG_CACHE_ENTRIES,	/* int: reader cache entries, 20000 (0..10000000) */
	CFG_CACHE_BYTES,	/* int: reader cache bytes, 16777216 (0..4294967296) */
	CFG_MAX_BODY,		/* int bytes: request body limit, 65536 (1024..1048576) */
	CFG_SIGNUPS,		/* enum: open | closed | invite (open) */
	CFG_SESSION_TTL,	/* int s: 2592000 (300..31536000) */
	CFG_BINGE_MIN,		/* int: plays in a row that make a binge, 5 (2..1000) */
	CFG_RETURN_DAYS,	/* int days: absence before a "return", 90 (1..3650) */
	CFG_EXPORT_INTERVAL,	/* int s: an export file is rebuilt at most this often, 3600 (1..604800) */
	CFG_IMPORT_MAX_BYTES,	/* int bytes: one upload, 268435456 (1024..4294967296) */
	CFG_IMPORT_JOBS,	/* int: imports run at once, 1 (1..16) */
	CFG_IMPORT_SPOOL_USER,	/* int bytes: uploads waiting per user, 536870912 */
	CFG_IMPORT_SPOOL_TOTAL,	/* int bytes: uploads waiting in all, 2147483648 */
	CFG_VERBOSE,		/* int: 0 or 1 */
	CFG_CLOCK_FILE,		/* str: "" = the system clock (tests, demo) */
	CFG__MAX
};

struct config;

/*
 * Loads path (NULL: no file, environment and defaults only) into a new
 * config in *cfgp, which the caller frees with config_free().  Returns 0, or
 * -1 with a one-line message in err (errsz bytes).
 */
int		 config_load(struct config **cfgp, const char *path, char *err,
		    size_t errsz);
void		 config_free(struct config *);
/* The value of a string or enum key ("" when unset). */
const char	*config_str(const struct config *, enum config_key);
/* The value of an integer key. */
long long	 config_num(const struct config *, enum config_key);
/*
 * Checks that key has a non-empty value; the programs call it for what a
 * command really needs (db_path before opening the store), so that --help
 * and version work without a configuration.  Returns 0, or -1 with a
 * message for people in err (errsz bytes) naming the key and its variable.
 */
int		 config_require(const struct config *, enum config_key, char *err,
		    size_t errsz);
/* The key's name as written in the file, e.g. "poll_interval". */
const char	*config_name(enum config_key);
/* Writes every key = value to f, secrets shown as "(set)" or "(unset)". */
void		 config_dump(const struct config *, FILE *f);

#endif
