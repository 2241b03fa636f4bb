/*
 * route.c — the route table and the validation of everything a request
 * carries, in the manner of kcgi: a table of routes, a table of query keys
 * each with its validator, and handlers that see struct args only.
 *
 * The order of checks is fixed so that a client always learns the first
 * thing wrong: path (404), method (405), query (400), for requests that
 * change something the same-origin rule (403, session.h), body headers
 * (415, 411, 413), body (400), and for per-user routes (ROUTE_USER)
 * whether the journal may be read (404 as for a missing user, access.h);
 * then a matching If-None-Match answers 304 before the handler (etag.h).
 * Every value a request carries goes through a validator of valid.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "access.h"
#include "account.h"
#include "app.h"
#include "etag.h"
#include "export.h"
#include "insights.h"
#include "jbody.h"
#include "log.h"
#include "render.h"
#include "route.h"
#include "session.h"
#include "story.h"
#include "text.h"
#include "valid.h"

#define PARAM_USER_FMT	":user_id.fmt"
#define PARAM_INSIGHT	":name"		/* an insight's name (insights.h) */
#define PARAM_ID	":id"		/* an entity id (valid_entity_id) */
#define PARAM_IMPORT	":import"	/* an import job's id, 1.. */

#define PAGE_KEYS	(QBIT(Q_BEFORE) | QBIT(Q_AFTER) | QBIT(Q_LIMIT))
#define INSIGHT_KEYS	(QBIT(Q_FROM) | QBIT(Q_TO) | QBIT(Q_TZ) | \
			 QBIT(Q_ILIMIT) | QBIT(Q_MIN) | QBIT(Q_DAYS) | \
			 QBIT(Q_DATE))
#define STORY_KEYS	(QBIT(Q_TZ) | QBIT(Q_ILIMIT) | QBIT(Q_MIN) | \
			 QBIT(Q_DAYS))
/* A story is told from the whole journal and the catalog (stories.h). */
#define ROUTE_STORY	(ROUTE_USER | ROUTE_PLAYS | ROUTE_PLAYLISTS | \
			 ROUTE_TOP | ROUTE_GAPS | ROUTE_ENTITIES)

static const struct route routes[] = {
	{ "plays", HTTP_GET, "/api/v0/plays/:user_id", PAGE_KEYS, 0, 0,
	    api_plays, ROUTE_USER | ROUTE_PLAYS | ROUTE_PLAYLISTS | ROUTE_GAPS },
	{ "gaps", HTTP_GET, "/api/v0/gaps/:user_id", PAGE_KEYS, 0, 0,
	    api_plays_gaps, ROUTE_USER | ROUTE_GAPS },
	{ "dw", HTTP_GET, "/api/v0/dw/:user_id",
	    QBIT(Q_BEFORE) | QBIT(Q_LIMIT) | QBIT(Q_PLAYLIST), 0, 0, api_dw,
	    ROUTE_USER | ROUTE_PLAYS | ROUTE_PLAYLISTS },
	{ "top", HTTP_GET, "/api/v0/top/:user_id",
	    QBIT(Q_HISTORY) | QBIT(Q_KIND) | QBIT(Q_RANGE), 0, 0, api_top,
	    ROUTE_USER | ROUTE_TOP },
	{ "tracks", HTTP_POST, "/api/v0/tracks", 0, 0, BODY_IDS,
	    api_entities, ROUTE_KIND(ENTITY_TRACK) },
	{ "tracks", HTTP_GET, "/api/v0/tracks", QBIT(Q_IDS), QBIT(Q_IDS), 0,
	    api_entities, ROUTE_KIND(ENTITY_TRACK) },
	{ "artists", HTTP_POST, "/api/v0/artists", 0, 0, BODY_IDS,
	    api_entities, ROUTE_KIND(ENTITY_ARTIST) },
	{ "artists", HTTP_GET, "/api/v0/artists", QBIT(Q_IDS), QBIT(Q_IDS), 0,
	    api_entities, ROUTE_KIND(ENTITY_ARTIST) },
	{ "albums", HTTP_POST, "/api/v0/albums", 0, 0, BODY_IDS,
	    api_entities, ROUTE_KIND(ENTITY_ALBUM) },
	{ "albums", HTTP_GET, "/api/v0/albums", QBIT(Q_IDS), QBIT(Q_IDS), 0,
	    api_entities, ROUTE_KIND(ENTITY_ALBUM) },
	{ "users", HTTP_GET, "/api/v0/users", 0, 0, 0, api_users,
	    ROUTE_ETAG_BODY },
	{ "health", HTTP_GET, "/api/v0/health", 0, 0, 0, api_health, 0 },
	{ "metrics", HTTP_GET, "/api/v0/metrics", 0, 0, 0,
	    api_health_metrics, 0 },
	{ "export", HTTP_GET, "/api/v0/export/:user_id.fmt", 0, 0, 0,
	    api_export, ROUTE_USER },
	{ "insights", HTTP_GET, "/api/v0/insights/:user_id/:name",
	    INSIGHT_KEYS, 0, 0, api_insights, ROUTE_USER | ROUTE_PLAYS |
	    ROUTE_ENTITIES | ROUTE_TODAY },
	/* accounts (api_auth.c, api_me.c) */
	{ "auth_login", HTTP_GET, "/api/v0/auth/login", QBIT(Q_INVITE), 0, 0,
	    api_auth_login, ROUTE_OWNTXN },
	{ "auth_callback", HTTP_GET, "/api/v0/auth/callback",
	    QBIT(Q_CODE) | QBIT(Q_STATE) | QBIT(Q_ERROR), 0, 0,
	    api_auth_callback, ROUTE_OWNTXN },
	{ "auth_logout", HTTP_POST, "/api/v0/auth/logout", 0, 0, 0,
	    api_auth_logout, ROUTE_WRITE | ROUTE_OWNTXN },
	{ "me", HTTP_GET, "/api/v0/me", 0, 0, 0, api_me, ROUTE_ETAG_BODY },
	{ "settings", HTTP_PUT, "/api/v0/settings", 0, 0, BODY_SETTINGS,
	    api_me_settings, ROUTE_WRITE | ROUTE_OWNTXN },
	/* imports (api_imports.c): the body is a file nginx kept */
	{ "imports", HTTP_GET, "/api/v0/imports", 0, 0, 0, api_imports_list,
	    0 },
	{ "imports", HTTP_POST, "/api/v0/imports", 0, 0, 0, api_imports_post,
	    ROUTE_WRITE | ROUTE_OWNTXN },
	{ "import", HTTP_GET, "/api/v0/imports/:import", 0, 0, 0,
	    api_imports_get, 0 },
	{ "import", HTTP_DELETE, "/api/v0/imports/:import", 0, 0, 0,
	    api_imports_undo, ROUTE_WRITE | ROUTE_OWNTXN },
	/* stories, search, charts (api_story.c, api_search.c, api_charts.c) */
	{ "story_track", HTTP_GET, "/api/v0/story/:user_id/track/:id",
	    STORY_KEYS, 0, 0, api_story,
	    ROUTE_STORY | ROUTE_KIND(ENTITY_TRACK) },
	{ "story_artist", HTTP_GET, "/api/v0/story/:user_id/artist/:id",
	    STORY_KEYS, 0, 0, api_story,
	    ROUTE_STORY | ROUTE_KIND(ENTITY_ARTIST) },
	{ "story_album", HTTP_GET, "/api/v0/story/:user_id/album/:id",
	    STORY_KEYS, 0, 0, api_story,
	    ROUTE_STORY | ROUTE_KIND(ENTITY_ALBUM) },
	{ "story_plays", HTTP_GET, "/api/v0/story/:user_id/track/:id/plays",
	    QBIT(Q_BEFORE) | QBIT(Q_LIMIT), 0, 0, api_story_plays,
	    ROUTE_STORY | ROUTE_KIND(ENTITY_TRACK) },
	{ "story_plays", HTTP_GET, "/api/v0/story/:user_id/artist/:id/plays",
	    QBIT(Q_BEFORE) | QBIT(Q_LIMIT), 0, 0, api_story_plays,
	    ROUTE_STORY | ROUTE_KIND(ENTITY_ARTIST) },
	{ "story_plays", HTTP_GET, "/api/v0/story/:user_id/album/:id/plays",
	    QBIT(Q_BEFORE) | QBIT(Q_LIMIT), 0, 0, api_story_plays,
	    ROUTE_STORY | ROUTE_KIND(ENTITY_ALBUM) },
	{ "search", HTTP_GET, "/api/v0/search/:user_id",
	    QBIT(Q_Q) | QBIT(Q_LIMIT), QBIT(Q_Q), 0, api_search,
	    ROUTE_USER | ROUTE_PLAYS | ROUTE_ENTITIES },
	{ "charts", HTTP_GET, "/api/v0/charts/:user_id",
	    QBIT(Q_CKIND) | QBIT(Q_BY) | QBIT(Q_FROM) | QBIT(Q_TO) |
	    QBIT(Q_TZ) | QBIT(Q_ILIMIT), 0, 0, api_charts, ROUTE_USER |
	    ROUTE_PLAYS | ROUTE_ENTITIES | ROUTE_TODAY },
};
#define ROUTES_N ((int)(sizeof(routes) / sizeof(routes[0])))

/*
 * Query key validators: store the typed value in a, return 0 or -1.  An
 * integer key has bounds [lo, hi] and is stored as type into a->field.
 */
#define Q_INT(name, lo, hi, field, type)				\
static int								\
name(const char *s, struct args *a)					\
{									\
	long long v;							\
									\
	if (valid_int(s, lo, hi, &v) == -1)				\
		return -1;						\
	a->field = (type)v;						\
	return 0;							\
}

Q_INT(q_before, 0, VALID_MS_MAX, before, int64_t)
Q_INT(q_after, 0, VALID_MS_MAX, after, int64_t)
Q_INT(q_limit, 1, 200, limit, int)
Q_INT(q_history, 0, 1, history, int)
Q_INT(q_ilimit, 1, INSIGHTS_LIMIT_MAX, limit, int)
Q_INT(q_min, 2, 1000, min, uint32_t)
Q_INT(q_days, 1, 3650, days, uint32_t)

static int
q_kind(const char *s, struct args *a)
{
	return valid_word(s, schema_kinds, TOP_KIND__MAX, &a->kind);
}

static int
q_range(const char *s, struct args *a)
{
	return valid_word(s, schema_ranges, RANGE__MAX, &a->range);
}

static int
q_ids(const char *s, struct args *a)
{
	return valid_id_list(s, ',', a->ids, ARGS_IDS_MAX, &a->n_ids);
}

static int
q_playlist(const char *s, struct args *a)
{
	return valid_entity_id(s, a->playlist);
}

static int
q_code(const char *s, struct args *a)
{
	return valid_token(s, 1, ARGS_CODE_MAX, a->code, sizeof(a->code));
}

static int
q_state(const char *s, struct args *a)
{
	return valid_token(s, ARGS_STATE_LEN, ARGS_STATE_LEN, a->state,
	    sizeof(a->state));
}

static int
q_error(const char *s, struct args *a)
{
	return valid_error_word(s, ARGS_WORD_MAX, a->error, sizeof(a->error));
}

static int
q_invite(const char *s, struct args *a)
{
	return valid_token(s, 1, ARGS_INVITE_MAX, a->invite,
	    sizeof(a->invite));
}

static int
q_from(const char *s, struct args *a)
{
	return valid_date(s, &a->from_day);
}

static int
q_to(const char *s, struct args *a)
{
	return valid_date(s, &a->to_day);
}

static int
q_date(const char *s, struct args *a)
{
	return valid_date(s, &a->date_day);
}

/* The name's syntax only: whether the zone exists is the handler's 400. */
static int
q_tz(const char *s, struct args *a)
{
	if (!tz_valid_name(s) || strlen(s) >= sizeof(a->tz))
		return -1;
	strlcpy(a->tz, s, sizeof(a->tz));
	return 0;
}

/*
 * Two keys may share a name with other bounds (limit): the first of that
 * name that the route accepts is used.
 */
static const struct {
	const char	*name;
	int		 (*fn)(const char *, struct args *);
	const char	*expect;	/* for the 400 message */
} qkeys[Q__MAX] = {
	{ "before", q_before, "a Unix time in ms" },		/* Q_BEFORE */
	{ "after", q_after, "a Unix time in ms" },		/* Q_AFTER */
	{ "limit", q_limit, "an integer from 1 to 200" },	/* Q_LIMIT */
	{ "history", q_history, "0 or 1" },			/* Q_HISTORY */
	{ "kind", q_kind, "tracks or artists" },		/* Q_KIND */
	{ "range", q_range,
	    "short_term, medium_term or long_term" },		/* Q_RANGE */
	{ "ids", q_ids, "1 to 50 comma-separated ids" },	/* Q_IDS */
	{ "playlist", q_playlist, "a playlist id" },		/* Q_PLAYLIST */
	{ "code", q_code, "an authorization code" },		/* Q_CODE */
	{ "state", q_state, "the state sign-in sent" },	/* Q_STATE */
	{ "error", q_error, "an error word" },			/* Q_ERROR */
	{ "invite", q_invite, "an invitation code" },		/* Q_INVITE */
	{ "from", q_from, "a date YYYY-MM-DD" },		/* Q_FROM */
	{ "to", q_to, "a date YYYY-MM-DD" },			/* Q_TO */
	{ "tz", q_tz, "a time zone name such as Europe/Berlin" }, /* Q_TZ */
	{ "limit", q_ilimit, "an integer from 1 to 1000" },	/* Q_ILIMIT */
	{ "min", q_min, "an integer from 2 to 1000" },		/* Q_MIN */
	{ "days", q_days, "an integer from 1 to 3650" },	/* Q_DAYS */
	{ "date", q_date, "a date YYYY-MM-DD" },		/* Q_DATE */
	{ "q", story_q, "1 to 100 bytes of text" },		/* Q_Q */
	{ "by", story_by, "plays or ms" },			/* Q_BY */
	{ "kind", story_kind, "tracks, artists or albums" },	/* Q_CKIND */
};

int
route_count(void)
{
	return ROUTES_N;
}

const char *
route_name(int i)
{
	return routes[i].name;
}

/* Method names for Allow and the metrics (HEAD goes with GET). */
static const char *const route_methods[HTTP_METHOD__MAX] = {
	"GET",		/* HTTP_GET */
	"HEAD",		/* HTTP_HEAD */
	"POST",		/* HTTP_POST */
	"PUT",		/* HTTP_PUT */
	"DELETE",	/* HTTP_DELETE */
	"OTHER",	/* HTTP_OTHER */
};

const char *
route_method(int i)
{
	return route_methods[routes[i].method];
}

/*
 * Matches path against pattern, validating parameters into a.  Returns 1
 * on a match, 0 otherwise (a parameter that fails its validator is no
 * match: /plays/bad!id is as unknown as /nowhere).
 */
static int
route_match(const char *pattern, const char *path, struct args *a)
{
	char seg[USER_ID_MAX + 8], *dot;
	size_t plen, slen;
	int fmt;

	for (;;) {
		if (*pattern == '\0' || *path == '\0')
			return *pattern == *path;
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++;
		path++;
		plen = strcspn(pattern, "/");
		slen = strcspn(path, "/");
		if (*pattern == ':') {
			if (slen == 0 || slen >= sizeof(seg))
				return 0;
			memcpy(seg, path, slen);
			seg[slen] = '\0';
			if (plen == sizeof(PARAM_USER_FMT) - 1 &&
			    memcmp(pattern, PARAM_USER_FMT, plen) == 0) {
				if ((dot = strrchr(seg, '.')) == NULL ||
				    (fmt = export_format_parse(dot + 1)) == -1)
					return 0;
				*dot = '\0';
				a->fmt = fmt;
			}
			if (plen == sizeof(PARAM_INSIGHT) - 1 &&
			    memcmp(pattern, PARAM_INSIGHT, plen) == 0) {
				if ((a->insight = insights_kind_from_name(seg))
				    == -1)
					return 0;
			} else if (plen == sizeof(PARAM_IMPORT) - 1 &&
			    memcmp(pattern, PARAM_IMPORT, plen) == 0) {
				long long id;

				if (valid_int(seg, 1, UINT32_MAX, &id) == -1)
					return 0;
				a->import_id = (uint32_t)id;
			} else if (plen == sizeof(PARAM_ID) - 1 &&
			    memcmp(pattern, PARAM_ID, plen) == 0) {
				if (valid_entity_id(seg, a->id) == -1)
					return 0;
			} else if (valid_user_id(seg, a->user) == -1)
				return 0;
		} else if (plen != slen || memcmp(pattern, path, slen) != 0)
			return 0;
		pattern += plen;
		path += slen;
	}
}

/*
 * Percent-decodes the n bytes at s into out (outsz bytes, NUL-terminated).
 * Returns 0, or -1 when it does not fit, an escape is malformed or the
 * result would hold a NUL.
 */
static int
route_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = text_hexval(s[i + 1])) == -1 ||
			    (lo = text_hexval(s[i + 2])) == -1)
				return -1;
			c = hi * 16 + lo;
			i += 2;
			if (c == 0)
				return -1;
		} else if (c == '+')
			c = ' ';
		if (o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* Validates the query string into a.  Returns 0 or -1 (400 set in r). */
static int
route_query(const struct route *rt, const char *q, struct args *a,
    struct resp *r)
{
	char key[16], val[ARGS_CODE_MAX + ARGS_IDS_MAX * (ID_LEN + 3) + 1];
	char msg[160];
	size_t n, eq;
	int k;

	while (*q != '\0') {
		n = strcspn(q, "&");
		if (n == 0) {
			q++;
			continue;
		}
		eq = strcspn(q, "=");
		if (eq > n)
			eq = n;
		if (route_decode(q, eq, key, sizeof(key)) == -1)
			return http_error(r, 400, "malformed query string");
		for (k = 0; k < Q__MAX; k++)
			if (strcmp(key, qkeys[k].name) == 0 &&
			    (rt->keys & QBIT(k)))
				break;
		if (k == Q__MAX || !(rt->keys & QBIT(k)))
			return http_error(r, 400, "unknown query parameter");
		if (a->has & QBIT(k)) {
			snprintf(msg, sizeof(msg), "parameter %s given twice",
			    qkeys[k].name);
			return http_error(r, 400, msg);
		}
		if (eq == n || route_decode(q + eq + 1, n - eq - 1, val,
		    sizeof(val)) == -1 || qkeys[k].fn(val, a) == -1) {
			snprintf(msg, sizeof(msg), "%s must be %s",
			    qkeys[k].name, qkeys[k].expect);
			return http_error(r, 400, msg);
		}
		a->has |= QBIT(k);
		q += n;
	}
	for (k = 0; k < Q__MAX; k++)
		if ((rt->required & QBIT(k)) && !(a->has & QBIT(k))) {
			snprintf(msg, sizeof(msg), "parameter %s is required",
			    qkeys[k].name);
			return http_error(r, 400, msg);
		}
	return 0;
}

/*
 * Whether JSON whitespace (RFC 8259: space, tab, LF, CR) and then the
 * literal lit (n bytes) come at *p (before end); skips both if so.
 */
static int
route_tok(const char **p, const char *end, const char *lit, size_t n)
{
	const char *q = *p;

	while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' ||
	    *q == '\r'))
		q++;
	if ((size_t)(end - q) < n || memcmp(q, lit, n) != 0)
		return 0;
	*p = q + n;
	return 1;
}

/*
 * The batch body as the pages send it: {"ids":["ID",...]} with only JSON
 * whitespace between the tokens, no escape in a string, 1 to
 * ARGS_IDS_MAX valid ids.  Read straight from the bytes: cJSON's tree,
 * jbody_parse()'s checks and cJSON_Delete() were 87k of a warm batch's
 * 158k instructions (docs/BENCHMARKS.md, issue 17).  Returns 1 with the
 * ids in a; 0 for anything else, which route_ids_body() then reads the
 * general way, so every other body gets the answer or the 400 it always
 * got.  A body of this shape means the same to cJSON: one object, one
 * key, an array of strings that hold their bytes as they are.
 */
static int
route_ids_fast(const char *p, size_t len, struct args *a)
{
	const char *end = p + len, *s;
	char id[ID_LEN + 1];
	int n = 0;

	if (!route_tok(&p, end, "{", 1) ||
	    !route_tok(&p, end, "\"ids\"", 5) ||
	    !route_tok(&p, end, ":", 1) || !route_tok(&p, end, "[", 1))
		return 0;
	do {
		if (n == ARGS_IDS_MAX || !route_tok(&p, end, "\"", 1))
			return 0;
		for (s = p; p < end && *p != '"' && *p != '\\' &&
		    (unsigned char)*p >= 0x20; p++)
			continue;
		/* The closing quote right there: no whitespace skipped. */
		if (p - s != ID_LEN || p == end || *p++ != '"')
			return 0;
		memcpy(id, s, ID_LEN);
		id[ID_LEN] = '\0';
		if (valid_entity_id(id, a->ids[n]) == -1)
			return 0;
		n++;
	} while (route_tok(&p, end, ",", 1));
	/* The last token, then nothing but whitespace (an empty literal). */
	if (!route_tok(&p, end, "]", 1) || !route_tok(&p, end, "}", 1) ||
	    !route_tok(&p, end, "", 0) || p != end)
		return 0;
	a->n_ids = n;
	return 1;
}

/*
 * Validates a batch body {"ids":[...]} (and nothing else) into a.
 * Returns 0 or -1 (400 set in r).  The cJSON tree is freed here.
 */
static int
route_ids_body(const char *p, size_t len, struct args *a, struct resp *r)
{
	cJSON *root, *ids, *it;
	const char *msg = NULL;
	int n = 0;

	if (route_ids_fast(p, len, a))
		return 0;
	if (jbody_parse(p, len, &root, &msg) == -1)
		return http_error(r, 400, msg);
	if (!cJSON_IsObject(root) || (ids = root->child) == NULL ||
	    ids->next != NULL || strcmp(ids->string, "ids") != 0 ||
	    !cJSON_IsArray(ids))
		msg = "the body must be {\"ids\":[...]}";
	else {
		cJSON_ArrayForEach(it, ids) {
			if (n == ARGS_IDS_MAX) {
				msg = "at most 50 ids";
				break;
			}
			if (!cJSON_IsString(it) ||
			    valid_entity_id(it->valuestring, a->ids[n]) == -1) {
				msg = "ids must be Spotify ids";
				break;
			}
			n++;
		}
		if (msg == NULL && n == 0)
			msg = "ids must not be empty";
	}
	cJSON_Delete(root);
	if (msg != NULL)
		return http_error(r, 400, msg);
	a->n_ids = n;
	return 0;
}

/* Checks the body's headers and reads and validates it (0 or -1). */
static int
route_body(struct app *app, const struct req *rq, int body_kind,
    struct args *a, struct resp *r)
{
	struct buf body = BUF_INIT;
	const char *msg;
	long long clen;
	int rc;

	if (!valid_media_type(rq->content_type, "application/json"))
		return http_error(r, 415, "the body must be application/json");
	if (rq->content_length == NULL || *rq->content_length == '\0')
		return http_error(r, 411, "Content-Length is required");
	if (valid_int(rq->content_length, 0, 1LL << 40, &clen) == -1)
		return http_error(r, 400, "bad Content-Length");
	if ((size_t)clen > app->max_body)
		return http_error(r, 413, "the body is too large");
	if (rq->body_fn == NULL ||
	    rq->body_fn(rq->body_ctx, &body, (size_t)clen) == -1 ||
	    body.len != (size_t)clen) {
		buf_free(&body);
		return http_error(r, 400, "the body is shorter than announced");
	}
	if (body_kind == BODY_SETTINGS) {
		if ((rc = settings_parse(body.data, body.len, &a->settings,
		    &msg)) == -1)
			http_error(r, 400, msg);
	} else
		rc = route_ids_body(body.data, body.len, a, r);
	buf_free(&body);
	return rc;
}

int
route_handle_table(const struct route *table, int n, struct app *app,
    const struct req *rq, struct resp *r)
{
	const struct route *rt = NULL;
	struct ctx c;
	enum http_method m = rq->method == HTTP_HEAD ? HTTP_GET : rq->method;
	int i, found = ROUTE_NONE;

	r->head = rq->method == HTTP_HEAD;
	memset(&c, 0, sizeof(c));
	/* Matching writes only the path's parameters; c.a is cleared once. */
	for (i = 0; i < n; i++) {
		if (!route_match(table[i].pattern, rq->path, &c.a))
			continue;
		if (table[i].method == m) {
			found = i;
			break;
		}
		/* Same path, other method: remember it for Allow. */
		if (r->allow[0] != '\0')
			strlcat(r->allow, ", ", sizeof(r->allow));
		strlcat(r->allow, table[i].method == HTTP_GET ?
		    "GET, HEAD" : route_methods[table[i].method],
		    sizeof(r->allow));
	}
	if (found == ROUTE_NONE) {
		char allow[sizeof(r->allow)];

		if (r->allow[0] == '\0') {
			http_error(r, 404, "no such endpoint");
			return ROUTE_NONE;
		}
		strlcpy(allow, r->allow, sizeof(allow));
		http_error(r, 405, "method not allowed");
		strlcpy(r->allow, allow, sizeof(r->allow));
		return ROUTE_NONE;
	}
	rt = &table[found];
	memset(&c.a, 0, sizeof(c.a));
	(void)route_match(rt->pattern, rq->path, &c.a);
	r->allow[0] = '\0';
	c.app = app;
	c.req = rq;
	c.kind = ROUTE_KIND_OF(rt->flags);
	if (route_query(rt, rq->query, &c.a, r) == -1)
		return found;
	if ((rt->flags & ROUTE_WRITE) &&
	    !session_same_origin(app->auth, rq)) {
		http_error(r, 403, "cross-site request refused");
		return found;
	}
	if (rt->body != BODY_NONE && route_body(app, rq, rt->body, &c.a,
	    r) == -1)
		return found;
	if (rt->flags & ROUTE_OWNTXN) {
		rt->fn(&c, r);
		explicit_bzero(&c.a, sizeof(c.a));	/* codes, invites */
		account_wipe_tokens(&c.user);
		return found;
	}
	if (store_read_begin(app->txn) != STORE_OK) {
		http_error(r, 503, "the store cannot be read right now");
		return found;
	}
	if ((!(rt->flags & ROUTE_USER) || access_user(&c, r, c.a.user) ==
	    0) && etag_check(&c, rt->flags, r) == 0) {
		rt->fn(&c, r);
		etag_body(&c, rt->flags, r);
	}
	store_read_end(app->txn);
	account_wipe_tokens(&c.user);
	return found;
}

int
route_handle(struct app *app, const struct req *rq, struct resp *r)
{
	return route_handle_table(routes, ROUTES_N, app, rq, r);
}
