/*
 * config.c — the table of configuration keys, the file parser and the
 * environment overrides (see config.h for the contract).
 *
 * Every key is one row of keys[] below, in enum config_key order: its name,
 * type, bounds, default, whether it is a secret and, for enums, the words
 * it accepts.  Nothing else in this file knows about any particular key, so
 * adding a key is adding an enum value in config.h and a row here.
 *
 * File syntax, one setting per line:
 *	# a comment
 *	key = value		# a comment after whitespace
 *	key = "a value with # and  spaces"
 * Whitespace around keys and values is dropped; a CR before the newline is
 * ignored.  In a double-quoted value \" and \\ stand for " and \; nothing
 * but whitespace or a comment may follow the closing quote.  In an unquoted
 * value a '#' starts a comment only after whitespace, so `a#b` is a value.
 * A key given twice in one file is an error.  Then, over the file, every
 * LINERNOTES_<KEY> variable in the environment sets its key (the value is
 * taken exactly as given, without quotes or trimming); a LINERNOTES_
 * variable that names no key is an error, so that a misspelt override is
 * never silently ignored.
 *
 * For string keys min and max bound the length in bytes; for integers they
 * bound the value.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum config_type {
	CT_STR,
	CT_INT,
	CT_ENUM,
};

#define ENUM_WORDS_MAX	8
#define LINE_MAX_LEN	4096	/* bytes of one line of the file */
#define ENV_PREFIX	"LINERNOTES_"

typedef int (*config_check_fn)(const char *);

struct config_row {
	const char	*name;
	enum config_type type;
	long long	 min;		/* CT_INT: value; CT_STR: length */
	long long	 max;
	const char	*def;		/* default, as it would be written */
	int		 secret;
	config_check_fn	 check;		/* CT_STR: extra check, or NULL */
	const char	*words[ENUM_WORDS_MAX];	/* CT_ENUM, NULL-terminated */
};

static int	config_check_url(const char *);

/* Parallel to enum config_key; the defaults and bounds are those of config.h. */
static const struct config_row keys[CFG__MAX] = {
	[CFG_DB_PATH] = { "db_path", CT_STR, 0, 1024, "", 0, NULL, { NULL } },
	[CFG_SPOTIFY_API_BASE] = { "spotify_api_base", CT_STR, 0, 1024,
	    "https://api.spotify.com/v1", 0, config_check_url, { NULL } },
	[CFG_SPOTIFY_ACCOUNTS_BASE] = { "spotify_accounts_base", CT_STR, 0,
	    1024, "https://accounts.spotify.com", 0, config_check_url,
	    { NULL } },
	[CFG_CLIENT_ID] = { "client_id", CT_STR, 0, 256, "", 0, NULL,
	    { NULL } },
	[CFG_CLIENT_SECRET] = { "client_secret", CT_STR, 0, 256, "", 1, NULL,
	    { NULL } },
	[CFG_REDIRECT_URI] = { "redirect_uri", CT_STR, 0, 1024, "", 0,
	    config_check_url, { NULL } },
	[CFG_PUBLIC_URL] = { "public_url", CT_STR, 0, 1024, "", 0,
	    config_check_url, { NULL } },
	[CFG_POLL_INTERVAL] = { "poll_interval", CT_INT, 60, 86400, "1200",
	    0, NULL, { NULL } },
	[CFG_POLL_INTERVAL_MAX] = { "poll_interval_max", CT_INT, 60, 86400,
	    "7200", 0, NULL, { NULL } },
	[CFG_POLL_ADAPTIVE] = { "poll_adaptive", CT_INT, 0, 1, "1", 0, NULL,
	    { NULL } },
	[CFG_TOP_INTERVAL] = { "top_interval", CT_INT, 3600, 604800, "86400",
	    0, NULL, { NULL } },
	[CFG_PROFILE_INTERVAL] = { "profile_interval", CT_INT, 3600, 2592000,
	    "604800", 0, NULL, { NULL } },
	[CFG_MAX_CONCURRENCY] = { "max_concurrency", CT_INT, 1, 64, "8", 0,
	    NULL, { NULL } },
	[CFG_RATE_LIMIT] = { "rate_limit", CT_INT, 1, 10000, "150", 0, NULL,
	    { NULL } },
	[CFG_CONNECT_TIMEOUT] = { "connect_timeout", CT_INT, 1, 120, "10", 0,
	    NULL, { NULL } },
	[CFG_REQUEST_TIMEOUT] = { "request_timeout", CT_INT, 1, 600, "30", 0,
	    NULL, { NULL } },
	[CFG_MAX_RESPONSE] = { "max_response", CT_INT, 65536, 67108864,
	    "4194304", 0, NULL, { NULL } },
	[CFG_RETRY_AFTER_MAX] = { "retry_after_max", CT_INT, 1, 86400, "3600",
	    0, NULL, { NULL } },
	[CFG_QUOTA_PAUSE] = { "quota_pause", CT_INT, 60, 604800, "3600", 0,
	    NULL, { NULL } },
	[CFG_SPOTIFY_DAILY_BUDGET] = { "spotify_daily_budget", CT_INT, 0,
	    1000000000, "0", 0, NULL, { NULL } },
	[CFG_DETAIL_BUDGET] = { "detail_budget", CT_INT, 0, 10000, "50", 0,
	    NULL, { NULL } },
	[CFG_PIDFILE] = { "pidfile", CT_STR, 0, 1024, "", 0, NULL, { NULL } },
	[CFG_MIN_PLAY_MS] = { "min_play_ms", CT_INT, 0, 600000, "30000", 0,
	    NULL, { NULL } },
	[CFG_CACHE_ENTRIES] = { "cache_entries", CT_INT, 0, 10000000, "20000",
	    0, NULL, { NULL } },
	[CFG_CACHE_BYTES] = { "cache_bytes", CT_INT, 0, 4294967296LL,
	    "16777216", 0, NULL, { NULL } },
	[CFG_MAX_BODY] = { "max_body", CT_INT, 1024, 1048576, "65536", 0,
	    NULL, { NULL } },
	[CFG_SIGNUPS] = { "signups", CT_ENUM, 0, 0, "open", 0, NULL,
	    { "open", "closed", "invite", NULL } },
	[CFG_SESSION_TTL] = { "session_ttl", CT_INT, 300, 31536000, "2592000",
	    0, NULL, { NULL } },
	[CFG_BINGE_MIN] = { "binge_min", CT_INT, 2, 1000, "5", 0, NULL,
	    { NULL } },
	[CFG_RETURN_DAYS] = { "return_days", CT_INT, 1, 3650, "90", 0, NULL,
	    { NULL } },
	[CFG_EXPORT_INTERVAL] = { "export_interval", CT_INT, 1, 604800,
	    "3600", 0, NULL, { NULL } },
	[CFG_IMPORT_MAX_BYTES] = { "import_max_bytes", CT_INT, 1024,
	    4294967296LL, "268435456", 0, NULL, { NULL } },
	[CFG_IMPORT_JOBS] = { "import_jobs", CT_INT, 1, 16, "1", 0, NULL,
	    { NULL } },
	[CFG_IMPORT_SPOOL_USER] = { "import_spool_user", CT_INT, 1024,
	    68719476736LL, "536870912", 0, NULL, { NULL } },
	[CFG_IMPORT_SPOOL_TOTAL] = { "import_spool_total", CT_INT, 1024,
	    68719476736LL, "2147483648", 0, NULL, { NULL } },
	[CFG_VERBOSE] = { "verbose", CT_INT, 0, 1, "0", 0, NULL, { NULL } },
	[CFG_CLOCK_FILE] = { "clock_file", CT_STR, 0, 1024, "", 0, NULL,
	    { NULL } },
};

struct config {
	char		*str[CFG__MAX];	/* CT_STR and CT_ENUM: owned copy */
	long long	 num[CFG__MAX];	/* CT_INT; CT_ENUM: index of the word */
	int		 line[CFG__MAX];	/* file line that set it, or 0 */
};

/* Where a value came from, for error messages. */
struct config_src {
	const char	*file;		/* NULL for the environment */
	int		 line;
	const char	*var;		/* the variable's name */
};

static int
config_check_url(const char *s)
{
	return s[0] == '\0' || strncmp(s, "http://", 7) == 0 ||
	    strncmp(s, "https://", 8) == 0 ? 0 : -1;
}

/* Formats "file:line: key: " or "VARIABLE: " in front of a message. */
static void
config_err(char *err, size_t errsz, const struct config_src *src,
    const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
config_err(char *err, size_t errsz, const struct config_src *src,
    const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (src == NULL)
		n = snprintf(err, errsz, "%s: ", key);
	else if (src->file == NULL)
		n = snprintf(err, errsz, "%s: ", src->var);
	else if (key != NULL)
		n = snprintf(err, errsz, "%s:%d: %s: ", src->file, src->line,
		    key);
	else
		n = snprintf(err, errsz, "%s:%d: ", src->file, src->line);
	if (n < 0 || (size_t)n >= errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
config_find(const char *name, size_t len)
{
	int k;

	for (k = 0; k < CFG__MAX; k++)
		if (strlen(keys[k].name) == len &&
		    memcmp(keys[k].name, name, len) == 0)
			return k;
	return -1;
}

/* Sets key k from the string v, checking type and bounds. */
static int
config_set(struct config *cfg, int k, const char *v,
    const struct config_src *src, char *err, size_t errsz)
{
	const struct config_row *r = &keys[k];
	const char *errstr;
	long long n;
	size_t len, i;
	char *copy;

	switch (r->type) {
	case CT_INT:
		n = strtonum(v, r->min, r->max, &errstr);
		if (errstr != NULL) {
			if (strcmp(errstr, "invalid") != 0)
				config_err(err, errsz, src, r->name,
				    "\"%s\" is %s (allowed: %lld to %lld)", v,
				    errstr, r->min, r->max);
			else
				config_err(err, errsz, src, r->name,
				    "\"%s\" is not a whole number", v);
			return -1;
		}
		cfg->num[k] = n;
		return 0;
	case CT_ENUM:
		for (i = 0; r->words[i] != NULL; i++)
			if (strcmp(v, r->words[i]) == 0)
				break;
		if (r->words[i] == NULL) {
			char list[256] = "";

			for (i = 0; r->words[i] != NULL; i++) {
				if (i > 0)
					(void)strlcat(list, ", ", sizeof(list));
				(void)strlcat(list, r->words[i], sizeof(list));
			}
			config_err(err, errsz, src, r->name,
			    "\"%s\" is not one of %s", v, list);
			return -1;
		}
		cfg->num[k] = (long long)i;
		break;
	case CT_STR:
		len = strlen(v);
		if ((long long)len < r->min || (long long)len > r->max) {
			config_err(err, errsz, src, r->name,
			    "value is %zu bytes long (allowed: %lld to %lld)",
			    len, r->min, r->max);
			return -1;
		}
		if (r->check != NULL && r->check(v) == -1) {
			config_err(err, errsz, src, r->name,
			    "\"%s\" is not an http:// or https:// URL", v);
			return -1;
		}
		break;
	}
	if ((copy = strdup(v)) == NULL) {
		config_err(err, errsz, src, r->name, "out of memory");
		return -1;
	}
	free(cfg->str[k]);
	cfg->str[k] = copy;
	return 0;
}

/*
 * Splits one line (NUL-terminated, without its newline) into key and
 * value, in place.  Returns 1 for a setting, 0 for a blank or comment line,
 * -1 with err set.
 */
static int
config_split(char *line, char **keyp, size_t *keylen, char **valp,
    const struct config_src *src, char *err, size_t errsz)
{
	char *p = line, *k, *v, *w, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	k = p;
	while (*p != '\0' && *p != '=' && *p != ' ' && *p != '\t')
		p++;
	*keylen = (size_t)(p - k);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=' || *keylen == 0) {
		config_err(err, errsz, src, NULL,
		    "expected \"key = value\"");
		return -1;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	*keyp = k;
	if (*p != '"') {
		v = p;
		end = p;
		for (; *p != '\0'; p++) {
			/* p[-1] exists: '=' is before v. */
			if (*p == '#' && (p[-1] == ' ' || p[-1] == '\t'))
				break;
			if (*p != ' ' && *p != '\t')
				end = p + 1;
		}
		*end = '\0';
		*valp = v;
		return 1;
	}
	/* A quoted value: unescape in place up to the closing quote. */
	v = w = ++p;
	for (;;) {
		if (*p == '\0') {
			k[*keylen] = '\0';
			config_err(err, errsz, src, k,
			    "missing closing quote");
			return -1;
		}
		if (*p == '"')
			break;
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		*w++ = *p++;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != '#') {
		k[*keylen] = '\0';
		config_err(err, errsz, src, k,
		    "unexpected text after the closing quote");
		return -1;
	}
	*w = '\0';
	*valp = v;
	return 1;
}

static int
config_read_file(struct config *cfg, const char *path, char *err,
    size_t errsz)
{
	struct config_src src = { path, 0, NULL };
	char *line = NULL, *key, *val;
	size_t linesz = 0, keylen;
	ssize_t n;
	FILE *f;
	int k, rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &linesz, f)) != -1) {
		src.line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n > LINE_MAX_LEN) {
			config_err(err, errsz, &src, NULL,
			    "line longer than %d bytes", LINE_MAX_LEN);
			goto done;
		}
		if (strlen(line) != (size_t)n) {
			config_err(err, errsz, &src, NULL,
			    "line contains a NUL byte");
			goto done;
		}
		switch (config_split(line, &key, &keylen, &val, &src, err,
		    errsz)) {
		case -1:
			goto done;
		case 0:
			continue;
		}
		key[keylen] = '\0';
		if ((k = config_find(key, keylen)) == -1) {
			config_err(err, errsz, &src, key, "unknown key");
			goto done;
		}
		if (cfg->line[k] != 0) {
			config_err(err, errsz, &src, key,
			    "given twice (first on line %d)", cfg->line[k]);
			goto done;
		}
		if (config_set(cfg, k, val, &src, err, errsz) == -1)
			goto done;
		cfg->line[k] = src.line;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	free(line);
	fclose(f);
	return rc;
}

static int
config_read_env(struct config *cfg, char *err, size_t errsz)
{
	extern char **environ;
	struct config_src src = { NULL, 0, NULL };
	char name[64], var[128];
	const char *e, *eq;
	size_t len, i;
	int k;

	for (char **ep = environ; ep != NULL && *ep != NULL; ep++) {
		e = *ep;
		if (strncmp(e, ENV_PREFIX, sizeof(ENV_PREFIX) - 1) != 0)
			continue;
		if ((eq = strchr(e, '=')) == NULL)
			continue;
		len = (size_t)(eq - e);
		if (len >= sizeof(var))
			len = sizeof(var) - 1;
		memcpy(var, e, len);
		var[len] = '\0';
		src.var = var;
		len -= sizeof(ENV_PREFIX) - 1;
		if (len >= sizeof(name)) {
			config_err(err, errsz, &src, NULL,
			    "no such configuration key");
			return -1;
		}
		/* Only the upper-case spelling is an override. */
		k = -1;
		for (i = 0; i < len; i++) {
			char c = var[sizeof(ENV_PREFIX) - 1 + i];

			if (!(c >= 'A' && c <= 'Z') && c != '_' &&
			    !(c >= '0' && c <= '9'))
				break;
			name[i] = (char)tolower((unsigned char)c);
		}
		if (i == len)
			k = config_find(name, len);
		if (k == -1) {
			config_err(err, errsz, &src, NULL,
			    "no such configuration key (an override is "
			    "LINERNOTES_ and the key in upper case, e.g. "
			    "LINERNOTES_DB_PATH)");
			return -1;
		}
		if (config_set(cfg, k, eq + 1, &src, err, errsz) == -1)
			return -1;
	}
	return 0;
}

int
config_load(struct config **cfgp, const char *path, char *err, size_t errsz)
{
	struct config *cfg;
	int k;

	*cfgp = NULL;
	if (errsz > 0)
		err[0] = '\0';
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (k = 0; k < CFG__MAX; k++)
		if (config_set(cfg, k, keys[k].def, NULL, err, errsz) == -1)
			goto fail;
	if (path != NULL && config_read_file(cfg, path, err, errsz) == -1)
		goto fail;
	if (config_read_env(cfg, err, errsz) == -1)
		goto fail;
	*cfgp = cfg;
	return 0;
fail:
	config_free(cfg);
	return -1;
}

void
config_free(struct config *cfg)
{
	int k;

	if (cfg == NULL)
		return;
	for (k = 0; k < CFG__MAX; k++)
		free(cfg->str[k]);
	free(cfg);
}

const char *
config_str(const struct config *cfg, enum config_key k)
{
	if ((int)k < 0 || k >= CFG__MAX || cfg->str[k] == NULL)
		return "";
	return cfg->str[k];
}

long long
config_num(const struct config *cfg, enum config_key k)
{
	if ((int)k < 0 || k >= CFG__MAX)
		return 0;
	return cfg->num[k];
}

const char *
config_name(enum config_key k)
{
	if ((int)k < 0 || k >= CFG__MAX)
		return "";
	return keys[k].name;
}

int
config_require(const struct config *cfg, enum config_key k, char *err,
    size_t errsz)
{
	char var[96];
	size_t i;

	if (config_str(cfg, k)[0] != '\0')
		return 0;
	(void)strlcpy(var, ENV_PREFIX, sizeof(var));
	i = strlen(var);
	for (const char *p = config_name(k); *p != '\0' && i + 1 < sizeof(var);
	    p++)
		var[i++] = (char)toupper((unsigned char)*p);
	var[i] = '\0';
	snprintf(err, errsz, "%s is required: set it in the configuration "
	    "file (-c) or in the environment as %s", config_name(k), var);
	return -1;
}

void
config_dump(const struct config *cfg, FILE *f)
{
	const char *v, *p;
	int k;

	for (k = 0; k < CFG__MAX; k++) {
		v = config_str(cfg, (enum config_key)k);
		if (keys[k].secret) {
			fprintf(f, "%s = %s\n", keys[k].name,
			    v[0] != '\0' ? "(set)" : "(unset)");
			continue;
		}
		if (keys[k].type == CT_INT) {
			fprintf(f, "%s = %lld\n", keys[k].name, cfg->num[k]);
			continue;
		}
		if (keys[k].type == CT_ENUM) {
			fprintf(f, "%s = %s\n", keys[k].name, v);
			continue;
		}
		/* Quoted so that the output reads back as a file. */
		fprintf(f, "%s = \"", keys[k].name);
		for (p = v; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputs("\"\n", f);
	}
}
