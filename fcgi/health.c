/*
 * health.c — GET /api/v0/health: is the reader up, and which version.
 *
 * The cheapest answer the reader gives: it touches no store, so nginx,
 * the demo script and the tests can poll it to know the FastCGI processes
 * are serving.  It is also the benchmark's baseline (tests/bench.sh).
 */
#include <time.h>

#include "dispatch.h"
#include "json.h"
#include "version.h"

int
health_get(const struct dispatch_req *req, struct dispatch_resp *r)
{
	struct json j;
	time_t now = time(NULL);

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_str(&j, "status", "ok");
	json_str(&j, "version", LINERNOTES_VERSION);
	json_str(&j, "api", "v0");
	json_int(&j, "time", (int64_t)now);
	json_int(&j, "uptime", (int64_t)(now - req->started));
	json_obj_close(&j);
	if (json_finish(&j) == -1)
		return dispatch_error(r, 500, "could not write the answer");
	return 0;
}
