/*
 * api_export.c — GET /api/v0/export/:user_id.csv|.sql|.json: a user's
 * whole journal as a download, from a finished file.
 *
 * The reader never writes an export.  The collector builds each one into
 * db_path/exports/<user>.<fmt> (lib/exportfile.h, collector/job_export.c),
 * under a temporary name renamed into place when complete, so a file
 * there is whole.  Here, after the access check: when that file is fresh
 * (built from the journal as it is, or less than export_interval ago) the
 * answer is an X-Accel-Redirect to nginx's internal location /_exports/,
 * and nginx sends the file itself (Content-Length, Last-Modified, ETag,
 * ranges); otherwise the export is asked for (a tiny write to the store)
 * and the answer is 202 with Retry-After, the page saying "preparing…"
 * until the file is there.  HEAD answers the same.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "exportfile.h"
#include "json.h"
#include "log.h"
#include "timeutil.h"

#define EXPORT_RETRY_S	"3"	/* Retry-After of a 202 */

struct export_want_arg {
	const char	*user;
	int		 fmt;
};

static int
export_want_fn(struct store_txn *txn, void *arg)
{
	struct export_want_arg *w = arg;

	return exportfile_want(txn, w->user, w->fmt);
}

/* Whether the user's file of fmt exists and is fresh (1), not (0). */
static int
export_fresh(struct ctx *c, const char *name)
{
	struct exportfile_built b;
	char dir[1024], path[1200];
	struct stat sb;

	if (exportfile_get_built(c->app->txn, c->a.user, c->a.fmt, &b) != 0 ||
	    !exportfile_fresh(&b, exportfile_stamp(&c->user),
	    time_now_ms() / 1000, config_num(c->app->cfg, CFG_EXPORT_INTERVAL)))
		return 0;
	if (exportfile_dir(config_str(c->app->cfg, CFG_DB_PATH), dir,
	    sizeof(dir)) == -1 ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return 0;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
api_export(struct ctx *c, struct resp *r)
{
	struct export_want_arg w;
	char name[EXPORTFILE_NAME_MAX], uri[EXPORTFILE_NAME_MAX + 16];
	struct json j;

	if (exportfile_name(c->a.user, c->a.fmt, name, sizeof(name)) == -1)
		return http_error(r, 404, "no such user");
	if (export_fresh(c, name)) {
		/* User ids are [0-9A-Za-z._-]: safe in a path and quotes. */
		snprintf(uri, sizeof(uri), "/_exports/%s", name);
		snprintf(r->disposition, sizeof(r->disposition),
		    "attachment; filename=\"linernotes-%s\"", name);
		r->content_type = export_format_mime(c->a.fmt);
		r->cache_control = "private, no-cache";
		if (http_header(r, "X-Accel-Redirect", uri) == -1)
			return http_error(r, 500,
			    "the answer could not be written");
		return 0;
	}
	w.user = c->a.user;
	w.fmt = c->a.fmt;
	/* A write may grow the map: no reader of this process may be begun. */
	store_read_end(c->app->txn);
	if (store_write(c->app->store, export_want_fn, &w) != STORE_OK) {
		log_warnx("export of %s (%s) could not be asked for",
		    c->a.user, export_format_name(c->a.fmt));
		return http_error(r, 503, "the export cannot be prepared now");
	}
	r->status = 202;
	if (http_header(r, "Retry-After", EXPORT_RETRY_S) == -1)
		return http_error(r, 500, "the answer could not be written");
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "status", "preparing");
	json_str(&j, "format", export_format_name(c->a.fmt));
	json_int(&j, "retry_after", 3);
	json_obj_close(&j);
	return json_finish(&j) == -1 ? -1 : 0;
}
