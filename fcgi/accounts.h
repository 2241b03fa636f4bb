/*
 * accounts.h — the reader's two calls to Spotify during sign-in.
 *
 * The callback exchanges the authorization code at the accounts service
 * (POST <accounts_base>/api/token, grant_type=authorization_code, the
 * PKCE code verifier, HTTP Basic client authentication) and reads the
 * user with GET <api_base>/me.  One blocking libcurl easy request each,
 * with the configured timeouts, a response size cap, no redirects, and
 * http only to loopback hosts (session_load_cfg() checked the bases).  The
 * answers are read by lib/oauth.c.  The collector's engine (rate limiter,
 * retries) is not here: a sign-in is one person waiting, so a failure is
 * reported at once and they try again.
 *
 * Before sending, the meta keys the collector persists for Spotify's
 * Retry-After (ratelimit.not_before.accounts and .api, Unix ms) are
 * honoured: a request they forbid is not sent (ACCT_BUSY).
 *
 * Secrets: tokens, the code, the verifier and the client secret are
 * never logged; error texts for people never contain them.
 *
 * Error convention: enum acct_rc.
 */
#ifndef LN_ACCOUNTS_H
#define LN_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "oauth.h"
#include "schema.h"

struct auth_cfg;

enum acct_rc {
	ACCT_OK,
	ACCT_REFUSED,		/* a 4xx answer (invalid_grant and friends) */
	ACCT_BUSY,		/* rate limited (429, or a not-before time) */
	ACCT_FAILED,		/* network, 5xx, or an answer not understood */
	ACCT_UNLISTED,		/* /v1/me 403 "User not registered in the
				   Developer Dashboard": a development-mode
				   app has not allow-listed the account */
};

/*
 * Exchanges code (with verifier) for tokens into *tok.  not_before_ms is
 * the accounts service's not-before time (0: none).  On failure err
 * (errsz bytes) says what happened, for the log and for people.
 */
enum acct_rc accounts_exchange(const struct auth_cfg *, const char *code,
	    const char *verifier, int64_t not_before_ms,
	    struct oauth_token *tok, char *err, size_t errsz);

/*
 * Reads /v1/me with access_token into the profile fields of *u.
 * ACCT_UNLISTED when Spotify refuses the account because the app is in
 * development mode and its dashboard does not list it.
 */
enum acct_rc accounts_me(const struct auth_cfg *, const char *access_token,
	    int64_t not_before_ms, struct user *u, char *err, size_t errsz);

#endif
