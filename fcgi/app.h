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
#include "store.h"

struct cache;
struct config;

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
	Q__MAX
};

#define QBIT(k)	(1u << (k))

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
};

struct app {
	const struct config *cfg;
	struct store	*store;
	struct store_txn *txn;		/* this process's reader handle */
	struct cache	*cache;
	size_t		 max_body;	/* request body limit, bytes */
	int64_t		 started;	/* Unix s */
};

/* One request being handled. */
struct ctx {
	struct app	*app;
	const struct req *req;
	struct args	 a;
	struct user	 user;		/* the :user_id's record, access checked */
};

/*
 * The one access check of per-user endpoints: whether the request may read
 * user id's journal.  Fills c->user and returns 0, or returns -1 after
 * setting a 404 (a private journal looks exactly like a missing one).
 * Today a journal is readable when it is public; sessions (accounts) will
 * plug in here.
 */
int	access_user(struct ctx *c, struct resp *r, const char *id);

/* Handlers (api_*.c).  Each returns 0 or -1 (error response set). */
int	api_plays(struct ctx *, struct resp *);
int	api_gaps(struct ctx *, struct resp *);
int	api_dw(struct ctx *, struct resp *);
int	api_top(struct ctx *, struct resp *);
int	api_tracks(struct ctx *, struct resp *);
int	api_artists(struct ctx *, struct resp *);
int	api_albums(struct ctx *, struct resp *);
int	api_users(struct ctx *, struct resp *);
int	api_health(struct ctx *, struct resp *);
int	api_metrics(struct ctx *, struct resp *);
int	api_export(struct ctx *, struct resp *);

#endif
