/*
 * main.c — linernotes-fcgi: the FastCGI request loop of the read API.
 *
 * spawn-fcgi starts this program with the listening socket on fd 0 (one
 * process per -F).  main() reads the options and the configuration, then
 * loops: accept a request, turn its parameters into a struct
 * dispatch_req, let dispatch_request() answer it, write the status,
 * headers and body back, finish.  Only this file knows libfcgi (fcgiapp.h,
 * never fcgi_stdio.h); output goes through snprintf and FCGX_PutStr
 * because libfcgi's own printf does not know %zu.
 *
 * Errors before the loop end the program (err(3)); inside it a failure is
 * logged and the next request is served.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "version.h"

/* Headers on every API response: no sniffing, no framing, no content. */
static const char main_security[] =
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cache-Control: no-store\r\n";

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: linernotes-fcgi [-hv] [-c file]\n"
	    "  -c file  configuration file (default: environment only)\n"
	    "  -v       verbose (debug) logging\n"
	    "  -h       this help\n"
	    "Started by spawn-fcgi with the FastCGI socket on standard "
	    "input.\n");
	exit(code);
}

/* A request parameter, or def when the server did not send it. */
static const char *
main_param(FCGX_Request *rq, const char *name, const char *def)
{
	const char *v = FCGX_GetParam(name, rq->envp);

	return v != NULL ? v : def;
}

/*
 * Fills req from rq's parameters.  The path is REQUEST_URI up to '?' (as
 * the client sent it, not decoded), copied into path (pathsz bytes).
 * Returns 0, or -1 when the path does not fit.
 */
static int
main_parse(FCGX_Request *rq, struct dispatch_req *req, char *path,
    size_t pathsz)
{
	const char *uri;
	size_t n;

	req->method = main_param(rq, "REQUEST_METHOD", "GET");
	req->query = main_param(rq, "QUERY_STRING", "");
	uri = main_param(rq, "REQUEST_URI", NULL);
	if (uri == NULL)
		uri = main_param(rq, "SCRIPT_NAME", "/");
	n = strcspn(uri, "?");
	if (n >= pathsz)
		return -1;
	memcpy(path, uri, n);
	path[n] = '\0';
	req->path = path;
	return 0;
}

/* Writes the response; returns 0 or -1 when the client went away. */
static int
main_write(FCGX_Request *rq, const struct dispatch_resp *r, int head)
{
	char hdr[512];
	int n;

	n = snprintf(hdr, sizeof(hdr),
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "%s%s%s%s\r\n", r->status, dispatch_reason(r->status),
	    r->content_type, r->body.len, main_security,
	    r->allow[0] ? "Allow: " : "", r->allow, r->allow[0] ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -1;
	if (FCGX_PutStr(hdr, n, rq->out) != n)
		return -1;
	if (!head && r->body.len > 0 &&
	    FCGX_PutStr(r->body.data, (int)r->body.len, rq->out) !=
	    (int)r->body.len)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct config *cfg;
	struct dispatch_req req;
	struct dispatch_resp resp;
	FCGX_Request rq;
	const char *conf = NULL;
	char errbuf[512], path[2048];
	int ch, verbose = 0;

	while ((ch = getopt(argc, argv, "c:hv")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'h':
			usage(0);
		case 'v':
			verbose = 1;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	log_init("linernotes-fcgi", 0, verbose);
	if (config_load(&cfg, conf, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (config_num(cfg, CFG_VERBOSE))
		log_set_verbose(1);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(1, "signal");
	if (FCGX_Init() != 0)
		errx(1, "FCGX_Init failed");
	if (FCGX_IsCGI())
		errx(1, "standard input is not a FastCGI socket: start me "
		    "with spawn-fcgi (see linernotes-fcgi(8))");
	if (FCGX_InitRequest(&rq, 0, 0) != 0)
		errx(1, "FCGX_InitRequest failed");

	memset(&req, 0, sizeof(req));
	req.cfg = cfg;
	req.started = time(NULL);
	dispatch_resp_init(&resp);
	log_debug("version %s serving", LINERNOTES_VERSION);
	while (FCGX_Accept_r(&rq) >= 0) {
		buf_reset(&resp.body);
		resp.status = 200;
		resp.content_type = "application/json";
		resp.allow[0] = '\0';
		if (main_parse(&rq, &req, path, sizeof(path)) == -1)
			(void)dispatch_error(&resp, 414, "request path too long");
		else
			dispatch_request(&req, &resp);
		if (main_write(&rq, &resp, strcmp(req.method, "HEAD") == 0) ==
		    -1)
			log_debug("client went away");
		FCGX_Finish_r(&rq);
	}
	dispatch_resp_free(&resp);
	config_free(cfg);
	return 0;
}
