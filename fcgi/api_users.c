/*
 * api_users.c — GET /api/v0/users: the journals anyone may read.
 *
 * Only public journals are listed (who may read which journal is
 * access.c's); each is written by render_user_public() (api_me.c writes
 * the signed-in user's own settings), so tokens never leave the process.
 */
#include "app.h"
#include "json.h"
#include "render.h"

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
	return render_finish(&j, r);
}
