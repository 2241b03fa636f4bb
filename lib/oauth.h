/*
 * oauth.h — the pieces of Spotify's authorization both programs share.
 *
 * The collector refreshes tokens and reads /v1/me for `add-user` and its
 * profile job; the FastCGI reader signs people in (authorization code
 * with PKCE, then /v1/me).  What they have in common lives here, free of
 * any HTTP engine: reading the token endpoint's answer and /v1/me into
 * plain structs, percent-encoding form values, the random strings and the
 * PKCE S256 challenge, and the rule for which base URLs may carry tokens.
 * cJSON trees are only read here, never kept or freed.
 *
 * Secrets: struct oauth_token holds tokens; callers wipe it
 * (explicit_bzero) when done and never log its fields.
 *
 * Error convention: 0 / -1; predicates return 1 or 0.
 */
#ifndef LN_OAUTH_H
#define LN_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "schema.h"

/* The token endpoint's answer (secrets: never log these fields). */
struct oauth_token {
	char		 access_token[TOKEN_MAX + 1];
	char		 refresh_token[TOKEN_MAX + 1];	/* "" when none came */
	int64_t		 expires_in;	/* seconds (3600 when not given) */
	char		 error[64];	/* "invalid_grant" etc. on an error body */
};

/*
 * Reads the token endpoint's JSON into out: tokens and expires_in on
 * success, the "error" string otherwise.  Returns 0 when an access token
 * was found, else -1 (out->error may say why).  A token longer than
 * TOKEN_MAX is -1: a cut token would not work.
 */
int	oauth_parse_token(const cJSON *doc, struct oauth_token *out);

/*
 * Copies /v1/me into the profile fields of u (id, display_name, country,
 * product, image_url); other fields are left alone.  Returns 0, or -1
 * when there is no valid user id.
 */
int	oauth_parse_me(const cJSON *doc, struct user *u);

/*
 * Percent-encodes s for a query string or an x-www-form-urlencoded body
 * (everything but [A-Za-z0-9-._~]) into out.  Returns 0, or -1 when it
 * does not fit in outsz bytes with its NUL.
 */
int	oauth_form_escape(char *out, size_t outsz, const char *s);

/* Bytes of the unpadded base64url text of n bytes, with its NUL. */
#define OAUTH_B64URL_SIZE(n)	(((n) * 4 + 2) / 3 + 1)

/* Writes the unpadded base64url text of the n bytes at p into out. */
void	oauth_b64url(const void *p, size_t n, char *out);

/*
 * Fills out with the base64url text of n random bytes (arc4random_buf):
 * out must have OAUTH_B64URL_SIZE(n) bytes.  32 bytes give a 43-character
 * state, 48 bytes a 64-character PKCE code verifier.
 */
void	oauth_random(size_t n, char *out);

#define OAUTH_CHALLENGE_SIZE	OAUTH_B64URL_SIZE(32)	/* 43 + NUL */
/* The PKCE S256 code_challenge of verifier: BASE64URL(SHA256(verifier)). */
void	oauth_pkce_challenge(const char *verifier,
	    char out[OAUTH_CHALLENGE_SIZE]);

/*
 * timingsafe_bcmp(3): 0 when the n bytes at a and b are equal, else
 * non-zero, in a time that depends on n only.  Debian's libbsd (0.11)
 * does not carry it, hence this one.
 */
int	oauth_bcmp(const void *a, const void *b, size_t n);

/*
 * Whether url may carry tokens: https://, or http:// to a loopback host
 * (127.0.0.0/8, [::1], localhost) for the simulator and development-mode
 * redirect URIs.  Returns 1 when allowed, else 0.
 */
int	oauth_url_allowed(const char *url);

#endif
