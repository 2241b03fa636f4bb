/*
 * dispatch.c — the route table of the reader and the JSON error answers
 * (see dispatch.h for the contract).
 *
 * A route is one row {method, path, handler}; the path is matched exactly.
 * HEAD is answered as GET (main.c drops the body).  A path that is in the
 * table under other methods is a 405 listing them in Allow; any other path
 * is a 404.  Every error body is written by the JSON writer.
 */
#include <string.h>

#include "dispatch.h"
#include "json.h"

typedef int (*dispatch_fn)(const struct dispatch_req *,
    struct dispatch_resp *);

static const struct {
	const char	*method;
	const char	*path;
	dispatch_fn	 fn;
} routes[] = {
	{ "GET",	"/api/v0/health",	health_get },
};

#define ROUTES_N	(sizeof(routes) / sizeof(routes[0]))

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

const char *
dispatch_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

void
dispatch_resp_init(struct dispatch_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	r->content_type = "application/json";
}

void
dispatch_resp_free(struct dispatch_resp *r)
{
	buf_free(&r->body);
}

int
dispatch_error(struct dispatch_resp *r, int status, const char *msg)
{
	struct json j;

	buf_reset(&r->body);
	r->status = status;
	r->content_type = "application/json";
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_obj_open(&j, "error");
	json_int(&j, "status", status);
	json_str(&j, "message", msg);
	json_obj_close(&j);
	json_obj_close(&j);
	(void)json_finish(&j);
	return -1;
}

void
dispatch_request(const struct dispatch_req *req, struct dispatch_resp *r)
{
	const char *method = req->method;
	int path_known = 0;
	size_t i;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	r->allow[0] = '\0';
	for (i = 0; i < ROUTES_N; i++) {
		if (strcmp(req->path, routes[i].path) != 0)
			continue;
		if (strcmp(method, routes[i].method) == 0) {
			(void)routes[i].fn(req, r);
			if (r->body.oom)
				(void)dispatch_error(r, 500, "out of memory");
			return;
		}
		/* Collect the methods this path does answer. */
		if (path_known)
			(void)strlcat(r->allow, ", ", sizeof(r->allow));
		(void)strlcat(r->allow, routes[i].method, sizeof(r->allow));
		if (strcmp(routes[i].method, "GET") == 0)
			(void)strlcat(r->allow, ", HEAD", sizeof(r->allow));
		path_known = 1;
	}
	if (path_known)
		(void)dispatch_error(r, 405, "method not allowed");
	else
		(void)dispatch_error(r, 404, "no such endpoint");
}
