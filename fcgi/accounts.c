/*
 * accounts.c — token exchange and /v1/me with libcurl's easy interface
 * (contract: accounts.h).
 *
 * One request at a time: the FastCGI process is single-threaded and the
 * person signing in waits for the answer anyway.  curl_global_init() runs
 * on first use, before any request, in a process that has no threads.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "accounts.h"
#include "buf.h"
#include "log.h"
#include "session.h"
#include "timeutil.h"

#define ACCT_USER_AGENT	"linernotes-fcgi/1"

struct acct_body {
	struct buf	 b;
	size_t		 cap;
	int		 too_big;
};

static size_t
acct_write(char *p, size_t size, size_t n, void *arg)
{
	struct acct_body *body = arg;
	size_t len = size * n;

	if (body->b.len + len > body->cap) {
		body->too_big = 1;
		return 0;		/* ends the transfer */
	}
	return buf_add(&body->b, p, len) == 0 ? len : 0;
}

static int
acct_init(void)
{
	static int done;

	if (!done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return -1;
		done = 1;
	}
	return 0;
}

/*
 * One request: GET url (form NULL) or POST form; basic: client
 * credentials; bearer: an access token (NULL: none).  The parsed answer
 * goes to *doc (the caller deletes it; NULL when not JSON).
 */
static enum acct_rc
acct_request(const struct auth_cfg *a, const char *url, const char *form,
    int basic, const char *bearer, long *status, cJSON **doc, char *err,
    size_t errsz)
{
	struct acct_body body;
	struct curl_slist *hdrs = NULL, *h;
	char ebuf[CURL_ERROR_SIZE], auth[TOKEN_MAX + 32];
	enum acct_rc rc = ACCT_FAILED;
	CURLcode cc;
	CURL *e;

	*doc = NULL;
	*status = 0;
	memset(&body, 0, sizeof(body));
	body.cap = a->max_response;
	ebuf[0] = '\0';
	if (acct_init() == -1 || (e = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "libcurl could not start");
		return ACCT_FAILED;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, a->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, a->request_timeout);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, ACCT_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, acct_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
	if ((h = curl_slist_append(hdrs, "Accept: application/json")) == NULL)
		goto free_request;
	hdrs = h;
	if (bearer != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
		h = curl_slist_append(hdrs, auth);
		explicit_bzero(auth, sizeof(auth));
		if (h == NULL)
			goto free_request;
		hdrs = h;
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (basic) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, a->client_id);
		curl_easy_setopt(e, CURLOPT_PASSWORD, a->client_secret);
	}
	if (form != NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, form);
	if ((cc = curl_easy_perform(e)) != CURLE_OK) {
		snprintf(err, errsz, "%s", body.too_big ?
		    "the answer was too large" : ebuf[0] != '\0' ? ebuf :
		    curl_easy_strerror(cc));
		goto free_request;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	*doc = cJSON_ParseWithLength(body.b.data != NULL ? body.b.data : "",
	    body.b.len);
	if (*status == 429) {
		snprintf(err, errsz, "Spotify asked to slow down (HTTP 429)");
		rc = ACCT_BUSY;
	} else if (*status >= 200 && *status <= 299 && *doc != NULL)
		rc = ACCT_OK;
	else if (*status >= 400 && *status <= 499) {
		snprintf(err, errsz, "HTTP %ld", *status);
		rc = ACCT_REFUSED;
	} else
		snprintf(err, errsz, *status >= 200 && *status <= 299 ?
		    "an answer that is not JSON" : "HTTP %ld", *status);
free_request:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	explicit_bzero(body.b.data, body.b.cap);	/* it may hold tokens */
	buf_free(&body.b);
	return rc;
}

/* ACCT_BUSY (with err) when not_before_ms has not passed. */
static int
acct_paused(int64_t not_before_ms, char *err, size_t errsz)
{
	int64_t wait = not_before_ms - time_now_ms();

	if (not_before_ms <= 0 || wait <= 0)
		return 0;
	snprintf(err, errsz, "Spotify asked to wait %lld more seconds",
	    (long long)(wait + 999) / 1000);
	return 1;
}

enum acct_rc
accounts_exchange(const struct auth_cfg *a, const char *code,
    const char *verifier, int64_t not_before_ms, struct oauth_token *tok,
    char *err, size_t errsz)
{
	char ecode[3 * ARGS_CODE_MAX + 1], everi[3 * 128 + 1];
	char eredir[3 * sizeof(a->redirect_uri) + 1], url[1100];
	char form[sizeof(ecode) + sizeof(everi) + sizeof(eredir) + 96];
	enum acct_rc rc = ACCT_FAILED;
	long status;
	cJSON *doc;

	memset(tok, 0, sizeof(*tok));
	if (acct_paused(not_before_ms, err, errsz))
		return ACCT_BUSY;
	if (snprintf(url, sizeof(url), "%s/api/token", a->accounts_base) >=
	    (int)sizeof(url) ||
	    oauth_form_escape(ecode, sizeof(ecode), code) == -1 ||
	    oauth_form_escape(everi, sizeof(everi), verifier) == -1 ||
	    oauth_form_escape(eredir, sizeof(eredir), a->redirect_uri) == -1 ||
	    snprintf(form, sizeof(form), "grant_type=authorization_code&"
	    "code=%s&redirect_uri=%s&code_verifier=%s", ecode, eredir,
	    everi) >= (int)sizeof(form)) {
		snprintf(err, errsz, "the token request does not fit");
		goto wipe_form;
	}
	rc = acct_request(a, url, form, 1, NULL, &status, &doc, err, errsz);
	if (rc == ACCT_OK && oauth_parse_token(doc, tok) == -1) {
		snprintf(err, errsz, "the token answer holds no access token");
		rc = ACCT_FAILED;
	} else if (rc == ACCT_OK && tok->refresh_token[0] == '\0') {
		snprintf(err, errsz, "the token answer holds no refresh token");
		rc = ACCT_FAILED;
	} else if (rc == ACCT_REFUSED && oauth_parse_token(doc, tok) == -1 &&
	    tok->error[0] != '\0')
		snprintf(err, errsz, "HTTP %ld %s", status, tok->error);
	if (rc != ACCT_OK) {
		explicit_bzero(tok->access_token, sizeof(tok->access_token));
		explicit_bzero(tok->refresh_token, sizeof(tok->refresh_token));
	}
	cJSON_Delete(doc);
wipe_form:
	explicit_bzero(ecode, sizeof(ecode));
	explicit_bzero(everi, sizeof(everi));
	explicit_bzero(form, sizeof(form));
	return rc;
}

/*
 * Whether a 403 answer doc is Spotify's refusal of an account that a
 * development-mode app has not allow-listed: {"error": {"status": 403,
 * "message": "User not registered in the Developer Dashboard"}}.
 */
static int
acct_unlisted(long status, const cJSON *doc)
{
	const cJSON *e, *m;

	if (status != 403 || doc == NULL)
		return 0;
	e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e,
	    "message") : NULL;
	return cJSON_IsString(m) && m->valuestring != NULL &&
	    strcasestr(m->valuestring, "not registered") != NULL;
}

enum acct_rc
accounts_me(const struct auth_cfg *a, const char *access_token,
    int64_t not_before_ms, struct user *u, char *err, size_t errsz)
{
	enum acct_rc rc;
	char url[1100];
	long status;
	cJSON *doc;

	if (acct_paused(not_before_ms, err, errsz))
		return ACCT_BUSY;
	if (snprintf(url, sizeof(url), "%s/me", a->api_base) >=
	    (int)sizeof(url)) {
		snprintf(err, errsz, "the /me URL does not fit");
		return ACCT_FAILED;
	}
	rc = acct_request(a, url, NULL, 0, access_token, &status, &doc, err,
	    errsz);
	if (rc == ACCT_OK && oauth_parse_me(doc, u) == -1) {
		snprintf(err, errsz, "/v1/me holds no valid user id");
		rc = ACCT_FAILED;
	} else if (rc == ACCT_REFUSED && acct_unlisted(status, doc)) {
		snprintf(err, errsz, "/v1/me: HTTP 403 User not registered in "
		    "the Developer Dashboard");
		rc = ACCT_UNLISTED;
	}
	cJSON_Delete(doc);
	return rc;
}
