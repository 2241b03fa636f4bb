/*
 * api_users.c — who may read which journal, and GET /api/v0/users.
 *
 * access_user() is the one access check of every per-user endpoint (see
 * app.h).  A journal is readable when its owner made it public, and by
 * its owner's session (session.c) whatever its visibility; to anyone
 * else a private or unknown one answers 404 alike, so the API never
 * tells which users exist.  Here only render_user_public() writes a
 * user (api_me.c writes the signed-in user's own settings); tokens never
 * leave the process.
 */
#include <string.h>

#include "app.h"
#include "json.h"
#include "render.h"
#include "session.h"

/* Whether the request's session is user id's own. */
static int
access_owner(struct ctx *c, const char *id)
{
	const char *v = session_viewer(c);

	return v != NULL && strcmp(v, id) == 0;
}

int
access_user(struct ctx *c, struct resp *r, const char *id)
{
	int rc;

	rc = store_get_user(c->app->txn, id, &c->user);
	if (rc == STORE_OK && (c->user.visibility == VIS_PUBLIC ||
	    access_owner(c, id)))
		return 0;
	explicit_bzero(&c->user, sizeof(c->user));
	if (rc == STORE_ERR)
		return http_error(r, 500, "the user could not be read");
	return http_error(r, 404, "no such user");
}

static int
users_write(const struct user *u, void *arg)
{
	if (u->visibility == VIS_PUBLIC)
		render_user_public(arg, NULL, u);
	return 0;
}

int
api_users(struct ctx *c, struct resp *r)
{
	struct json j;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_arr_open(&j, "users");
	if (store_iter_users(c->app->txn, users_write, &j) != STORE_OK)
		return http_error(r, 500, "the users could not be read");
	json_arr_close(&j);
	json_obj_close(&j);
	if (json_finish(&j) == -1)
		return http_error(r, 500, "the response could not be written");
	return 0;
}
