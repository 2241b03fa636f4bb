/*
 * http.c — status lines, headers, errors and ETags of the API's responses.
 *
 * Every response the reader sends goes through http_headers(), so the
 * security headers are written in exactly one place.  Error bodies are
 * written by the JSON writer like every other body.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "schema.h"
#include "json.h"

/* Headers on every response: no sniffing, no framing, no active content. */
static const char http_security[] =
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n";

static const struct {
	int		 status;
	const char	*reason;
} http_reasons[] = {
	{ 200, "OK" },
	{ 302, "Found" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
};

static const char *http_methods[HTTP_METHOD__MAX] = {
	"GET",		/* HTTP_GET */
	"HEAD",		/* HTTP_HEAD */
	"POST",		/* HTTP_POST */
	"PUT",		/* HTTP_PUT */
	"DELETE",	/* HTTP_DELETE */
	NULL,		/* HTTP_OTHER */
};

enum http_method
http_method_parse(const char *name)
{
	int m;

	if (name == NULL ||
	    (m = schema_word_index(http_methods, HTTP_OTHER, name)) == -1)
		return HTTP_OTHER;
	return m;
}

const char *
http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]); i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "Unknown";
}

void
http_resp_init(struct resp *r)
{
	memset(r, 0, sizeof(*r));
	http_resp_reset(r);
}

void
http_resp_reset(struct resp *r)
{
	struct buf b = r->body, h = r->hdrs;

	memset(r, 0, sizeof(*r));
	r->body = b;
	r->hdrs = h;
	buf_reset(&r->body);
	buf_reset(&r->hdrs);
	r->status = 200;
	r->content_type = "application/json";
}

void
http_resp_free(struct resp *r)
{
	buf_free(&r->body);
	buf_free(&r->hdrs);
}

int
http_error(struct resp *r, int status, const char *msg)
{
	struct json j;
	int head = r->head;

	http_resp_reset(r);
	r->head = head;
	r->status = status;
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_obj_open(&j, "error");
	json_int(&j, "status", status);
	json_str(&j, "message", msg);
	json_obj_close(&j);
	json_obj_close(&j);
	json_finish(&j);
	return -1;
}

/*
 * Appends the line "name: value" to out.  Literal appends, not printf:
 * every response's headers are written here (a /plays request spent a
 * twentieth of its instructions in vfprintf).
 */
static void
http_line(struct buf *out, const char *name, const char *value)
{
	buf_puts(out, name);
	buf_add(out, ": ", 2);
	buf_puts(out, value);
	buf_add(out, "\r\n", 2);
}

int
http_header(struct resp *r, const char *name, const char *value)
{
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	http_line(&r->hdrs, name, value);
	return r->hdrs.oom ? -1 : 0;
}

/*
 * Whether the If-None-Match list inm names etag.  Weak comparison: a W/
 * prefix is ignored (nginx weakens ETags of responses it compresses).
 */
static int
http_etag_match(const char *inm, const char *etag)
{
	size_t elen = strlen(etag), n;
	const char *p = inm;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		n = strcspn(p, ", \t");
		if (n == elen && memcmp(p, etag, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

void
http_etag(struct resp *r, uint64_t hash, const char *inm)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	/* "%016llx" in quotes, without printf: every answer has one. */
	r->etag[0] = '"';
	for (i = 16; i >= 1; i--, hash >>= 4)
		r->etag[i] = hex[hash & 0xf];
	r->etag[17] = '"';
	r->etag[18] = '\0';
	if (inm != NULL && *inm != '\0' && http_etag_match(inm, r->etag)) {
		r->status = 304;
		buf_reset(&r->body);
	}
}

int
http_headers(const struct resp *r, struct buf *out, int with_length)
{
	buf_add(out, "Status: ", 8);
	json_put_int(out, r->status);
	buf_putc(out, ' ');
	buf_puts(out, http_reason(r->status));
	buf_add(out, "\r\n", 2);
	if (r->status != 304)
		http_line(out, "Content-Type", r->content_type);
	if (with_length && r->status != 304) {
		buf_add(out, "Content-Length: ", 16);
		json_put_int(out, (int64_t)r->body.len);
		buf_add(out, "\r\n", 2);
	}
	buf_add(out, http_security, sizeof(http_security) - 1);
	http_line(out, "Cache-Control",
	    r->cache_control != NULL ? r->cache_control : "no-store");
	if (r->etag[0] != '\0')
		http_line(out, "ETag", r->etag);
	if (r->allow[0] != '\0')
		http_line(out, "Allow", r->allow);
	if (r->disposition[0] != '\0')
		http_line(out, "Content-Disposition", r->disposition);
	if (r->hdrs.len > 0)
		buf_add(out, r->hdrs.data, r->hdrs.len);
	buf_add(out, "\r\n", 2);
	return out->oom ? -1 : 0;
}

int
http_stream_begin(struct resp *r)
{
	struct buf h = BUF_INIT;
	int rc;

	if (r->write == NULL)		/* no client (tests): keep the body */
		return 0;
	if (http_headers(r, &h, 0) == -1) {
		buf_free(&h);
		return -1;
	}
	r->streamed = 1;
	rc = r->write(r->write_ctx, h.data, h.len);
	buf_free(&h);
	return rc;
}

int
http_stream(struct resp *r, const void *p, size_t n)
{
	if (r->head || n == 0)
		return 0;
	if (r->write == NULL)
		return buf_add(&r->body, p, n);
	return r->write(r->write_ctx, p, n);
}
