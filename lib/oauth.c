/*
 * oauth.c — token and /v1/me answers, form encoding, PKCE, URL policy
 * (contract: oauth.h).
 *
 * The JSON readers trust nothing: fields are looked up by name and type,
 * the user id is checked against the user id alphabet, numbers are
 * bounded, and what does not fit is refused (tokens, ids) or dropped
 * (display fields), never cut into something that looks valid.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ids.h"
#include "oauth.h"
#include "sha256.h"

static const char *
oauth_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring :
	    NULL;
}

int
oauth_parse_token(const cJSON *doc, struct oauth_token *out)
{
	const cJSON *v;
	const char *s;
	double d;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(doc))
		return -1;
	if ((s = oauth_str(doc, "error")) != NULL)
		(void)strlcpy(out->error, s, sizeof(out->error));
	if ((s = oauth_str(doc, "access_token")) == NULL || *s == '\0' ||
	    strlcpy(out->access_token, s, sizeof(out->access_token)) >=
	    sizeof(out->access_token))
		goto bad;
	if ((s = oauth_str(doc, "refresh_token")) != NULL &&
	    strlcpy(out->refresh_token, s, sizeof(out->refresh_token)) >=
	    sizeof(out->refresh_token))
		goto bad;
	/* Bounded: 1 s to 30 days; absent or nonsense means an hour. */
	v = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
	d = cJSON_IsNumber(v) ? v->valuedouble : 0;
	if (!(d >= 1))
		out->expires_in = 3600;
	else if (d > 86400 * 30)
		out->expires_in = 86400 * 30;
	else
		out->expires_in = (int64_t)d;
	return 0;
bad:
	explicit_bzero(out->access_token, sizeof(out->access_token));
	explicit_bzero(out->refresh_token, sizeof(out->refresh_token));
	return -1;
}

int
oauth_parse_me(const cJSON *doc, struct user *u)
{
	const char *id, *s;
	const cJSON *img;

	if ((id = oauth_str(doc, "id")) == NULL || !ids_valid_user(id))
		return -1;
	if (strlcpy(u->id, id, sizeof(u->id)) >= sizeof(u->id))
		return -1;
	/* Display fields may be cut short; an id never is. */
	if ((s = oauth_str(doc, "display_name")) != NULL)
		(void)strlcpy(u->display_name, s, sizeof(u->display_name));
	if ((s = oauth_str(doc, "country")) != NULL)
		(void)strlcpy(u->country, s, sizeof(u->country));
	if ((s = oauth_str(doc, "product")) != NULL)
		(void)strlcpy(u->product, s, sizeof(u->product));
	img = cJSON_GetObjectItemCaseSensitive(doc, "images");
	if (cJSON_IsArray(img) && (s = oauth_str(cJSON_GetArrayItem(img, 0),
	    "url")) != NULL &&
	    strlcpy(u->image_url, s, sizeof(u->image_url)) >=
	    sizeof(u->image_url))
		u->image_url[0] = '\0';	/* a cut URL is no URL */
	return 0;
}

int
oauth_form_escape(char *out, size_t outsz, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outsz)
				return -1;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outsz)
		return -1;
	out[o] = '\0';
	return 0;
}

void
oauth_b64url(const void *data, size_t n, char *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_";
	const unsigned char *p = data;
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
	}
	out[o] = '\0';
}

void
oauth_random(size_t n, char *out)
{
	unsigned char raw[96];

	if (n > sizeof(raw))
		n = sizeof(raw);
	arc4random_buf(raw, n);
	oauth_b64url(raw, n, out);
	explicit_bzero(raw, sizeof(raw));
}

void
oauth_pkce_challenge(const char *verifier, char out[OAUTH_CHALLENGE_SIZE])
{
	unsigned char d[SHA256_LEN];

	sha256(verifier, strlen(verifier), d);
	oauth_b64url(d, sizeof(d), out);
	explicit_bzero(d, sizeof(d));
}

int
oauth_bcmp(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *p = a, *q = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= p[i] ^ q[i];
	return d != 0;
}

int
oauth_url_allowed(const char *url)
{
	const char *h, *end;
	size_t n;
	int dots = 0;

	if (strncmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	if (strncmp(url, "http://", 7) != 0)
		return 0;
	h = url + 7;
	if (strncmp(h, "[::1]", 5) == 0)
		return h[5] == '\0' || h[5] == ':' || h[5] == '/';
	end = h + strcspn(h, ":/");
	n = (size_t)(end - h);
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	if (n < 9 || strncmp(h, "127.", 4) != 0)
		return 0;
	/* 127.a.b.c with decimal octets only */
	for (; h < end; h++) {
		if (*h == '.')
			dots++;
		else if (!isdigit((unsigned char)*h))
			return 0;
	}
	return dots == 3;
}
