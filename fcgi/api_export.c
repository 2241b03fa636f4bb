/*
 * api_export.c — GET /api/v0/export/:user_id.csv|.sql|.json: a user's
 * whole journal as a download, streamed.
 *
 * The writers are lib/export.c's (the collector's `export` command uses
 * the same); here they write through a sink straight to the client in
 * chunks, inside the request's one read transaction, so memory stays small
 * whatever the size of the history and the file is one consistent
 * snapshot.  The headers go first (200, the format's media type, a
 * Content-Disposition with a download name), so a failure half way can
 * only cut the body short: it is logged.  HEAD writes the headers only.
 */
#include <stdio.h>

#include "app.h"
#include "export.h"
#include "log.h"

static int
export_sink_write(void *ctx, const void *p, size_t n)
{
	return http_stream(ctx, p, n);
}

int
api_export(struct ctx *c, struct resp *r)
{
	struct export_sink sink = { export_sink_write, r };
	struct export_stats st;

	r->content_type = export_format_mime(c->a.fmt);
	/* User ids are [0-9A-Za-z._-]: safe inside the quotes. */
	snprintf(r->disposition, sizeof(r->disposition),
	    "attachment; filename=\"linernotes-%s.%s\"", c->a.user,
	    export_format_name(c->a.fmt));
	if (http_stream_begin(r) == -1)
		return -1;
	if (r->head)
		return 0;
	if (export_run(c->a.fmt, c->app->txn, c->a.user, &sink, &st) == -1) {
		log_warnx("export of %s (%s) cut short", c->a.user,
		    export_format_name(c->a.fmt));
		return -1;
	}
	return 0;
}
