/*
 * access.c — the one access check of every per-user endpoint (access.h):
 * a journal is readable when it is public, or by its owner's session;
 * anyone else learns nothing, not even whether the user exists.
 */
#include <string.h>

#include "access.h"
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
