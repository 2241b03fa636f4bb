/*
 * app.h — what a handler sees: the process's state and one request's
 * validated arguments.
 *
 * struct app is created once per process by main.c (after any fork, so the
 * store is opened in the process that uses it) and lives until exit.
 * struct args holds only typed values that passed a validator (valid.h);
 * handlers never look at raw request strings.  A handler fills the
 * response and returns 0, or returns http_error(...) (-1).
 */
#ifndef LN_APP_H
#define LN_APP_H

#include <stdint.h>

#include "http.h"
#include "schema.h"
#include "settings.h"
#include "store.h"
#include "tz.h"

struct auth_cfg;
struct cache;
struct config;
struct insights_cache;

#define ARGS_IDS_MAX	50	/* ids in one batch request */

/* Query keys a route may accept; the table is in route.c. */
enum qkey {
	Q_BEFORE,	/* ms cursor, exclusive */
	Q_AFTER,	/* ms cursor, exclusive */
	Q_LIMIT,	/* page size */
	Q_HISTORY,	/* 0 or 1 */
	Q_KIND,		/* tracks | artists */
	Q_RANGE,	/* short_term | medium_term | long_term */
	Q_IDS,		/* comma-separated entity ids (GET batch) */
	Q_PLAYLIST,	/* a playlist id */
	Q_CODE,		/* sign-in callback: the authorization code */
	Q_STATE,	/* sign-in callback: the state we sent */
	Q_ERROR,	/* sign-in callback: Spotify's error word */
	Q_INVITE,	/* sign-in: an invitation code */
	/* insights (api_insights.c) */
	Q_FROM,		/* first local date, YYYY-MM-DD */
	Q_TO,		/* last local date, inclusive */
	Q_TZ,		/* IANA time zone name */
	Q_ILIMIT,	/* "limit" of an insight: 1..1000 */
	Q_MIN,		/* binge_min: plays in a row, 2..1000 */
	Q_DAYS,		/* return_days: days away, 1..3650 */
	Q_DATE,		/* on this day: the local date asked */
	Q_Q,		/* search: the string typed (story.h) */
	Q_BY,		/* charts: plays | ms */
	Q_CKIND,	/* charts: tracks | artists | albums */
	Q__MAX
};

#define QBIT(k)	(1u << (k))

#define ARGS_CODE_MAX	1024	/* authorization code, bytes */
#define ARGS_STATE_LEN	43	/* base64url of 32 random bytes */
#define ARGS_WORD_MAX	63	/* an OAuth error word */
#define ARGS_INVITE_MAX	64	/* invitation code, bytes */
#define ARGS_Q_MAX	100	/* a search string, bytes */

struct args {
	unsigned	 has;		/* QBIT(k) for each key given */
	char		 user[USER_ID_MAX + 1];	/* :user_id of the path */
	int		 fmt;		/* enum export_format of an export */
	int64_t		 before;
	int64_t		 after;
	int		 limit;
	int		 history;
	int		 kind;		/* enum top_kind */
	int		 range;		/* enum top_range */
	char		 playlist[ID_LEN + 1];
	char		 ids[ARGS_IDS_MAX][ID_LEN + 1];
	int		 n_ids;
	/* accounts */
	char		 code[ARGS_CODE_MAX + 1];
	char		 state[ARGS_STATE_LEN + 1];
	char		 error[ARGS_WORD_MAX + 1];
	char		 invite[ARGS_INVITE_MAX + 1];
	struct settings_in settings;	/* PUT /settings (lib/settings.h) */
	/* insights */
	int		 insight;	/* enum insights_kind (":name") */
	int32_t		 from_day, to_day, date_day;	/* local days */
	char		 tz[TZ_NAME_MAX + 1];	/* syntax checked only */
	uint32_t	 min, days;
	/* stories, search, charts (story.h) */
	char		 id[ID_LEN + 1];	/* ":id" of the path */
	char		 q[ARGS_Q_MAX + 1];
	int		 by, ckind;
	/* imports (api_imports.c) */
	uint32_t	 import_id;	/* ":import" of the path */
};

struct app {
	const struct config *cfg;
	struct store	*store;
	struct store_txn *txn;		/* this process's reader handle */
	struct cache	*cache;
	size_t		 max_body;	/* request body limit, bytes */
	int64_t		 started;	/* Unix s */
	const struct auth_cfg *auth;	/* sign-in settings; NULL: none */
	struct insights_cache *insights;	/* NULL: none (slower) */
};

/* One request being handled. */
struct ctx {
	struct app	*app;
	const struct req *req;
	struct args	 a;
	struct user	 user;		/* the :user_id's record, access checked
					   (access.h) before the handler runs */
	enum entity_kind kind;		/* the route's kind (route.h) */
	/* Who is asking (session.c): looked up once, when first needed. */
	int		 viewer_known;
	char		 viewer[USER_ID_MAX + 1];	/* "" = nobody signed in */
};

/* Handlers (api_*.c).  Each returns 0 or -1 (error response set). */
int	api_plays(struct ctx *, struct resp *);
int	api_plays_gaps(struct ctx *, struct resp *);
int	api_dw(struct ctx *, struct resp *);
int	api_top(struct ctx *, struct resp *);
/* The batch reads of c->kind: POST or GET /api/v0/{tracks,artists,albums}. */
int	api_entities(struct ctx *, struct resp *);
int	api_users(struct ctx *, struct resp *);
int	api_health(struct ctx *, struct resp *);
int	api_health_metrics(struct ctx *, struct resp *);
int	api_export(struct ctx *, struct resp *);
int	api_insights(struct ctx *, struct resp *);
/*
 * The zone a per-user answer is in (insights, stories, charts): the tz
 * parameter, else the user's own setting (one the system no longer has
 * falls back to UTC, logged), else UTC.  Needs c->user (ROUTE_USER).
 * Returns 0 with *z set, or -1 after setting the error answer (400).
 */
int	api_insights_zone(struct ctx *, struct resp *, const struct tz **z);
/* Accounts: api_auth.c and api_me.c. */
int	api_auth_login(struct ctx *, struct resp *);
int	api_auth_callback(struct ctx *, struct resp *);
int	api_auth_logout(struct ctx *, struct resp *);
int	api_me(struct ctx *, struct resp *);
int	api_me_settings(struct ctx *, struct resp *);
/* The owner's imports of Spotify's history: api_imports.c. */
int	api_imports_list(struct ctx *, struct resp *);
int	api_imports_get(struct ctx *, struct resp *);
int	api_imports_post(struct ctx *, struct resp *);
int	api_imports_undo(struct ctx *, struct resp *);

#endif
