/*
 * session.h — who is asking: the accounts' settings, sign-in sessions and
 * their cookies, and the same-origin rule for requests that change
 * something.
 *
 * A session is a random 256-bit token (arc4random_buf) that the browser
 * holds in an HttpOnly, SameSite=Lax cookie (Secure, and named with the
 * __Host- prefix, when public_url is https); the store keeps only its
 * SHA-256, under the user it belongs to, with an expiry (session_ttl).
 * The cookie's value is "<user id>.<token>": the user id says where to
 * look, the token's hash what to find, and the expiry is checked against
 * this process's clock on every use.  Nothing here logs a token.
 *
 * State-changing requests (route.c's ROUTE_WRITE) must come from the
 * site's own pages: a Sec-Fetch-Site other than same-origin, or an Origin
 * other than public_url's, is refused; a request without Origin must
 * carry X-Requested-With (a header no cross-site form can send, and no
 * cross-site script without a CORS preflight, which is never granted).
 *
 * Error convention: 0 / -1; predicates return 1 or 0.
 */
#ifndef LN_SESSION_H
#define LN_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "http.h"
#include "schema.h"

struct config;

enum auth_signups {
	SIGNUPS_OPEN,		/* anyone with a Spotify account */
	SIGNUPS_CLOSED,		/* existing users only */
	SIGNUPS_INVITE,		/* newcomers need an invitation code */
	SIGNUPS__MAX
};

/* The accounts' settings, resolved once from the configuration. */
struct auth_cfg {
	int		 configured;	/* sign-in possible (session_load_cfg) */
	char		 public_url[1024];	/* no trailing '/'; "" = unknown */
	char		 origin[512];	/* scheme://host[:port]; "" = unknown */
	char		 redirect_uri[1100];
	char		 accounts_base[1024];
	char		 api_base[1024];
	char		 client_id[257];
	char		 client_secret[257];	/* secret */
	int		 secure;	/* public_url is https */
	int		 signups;	/* enum auth_signups */
	int64_t		 session_ttl;	/* s */
	long		 connect_timeout;	/* s */
	long		 request_timeout;	/* s */
	size_t		 max_response;	/* bytes */
};

/*
 * Fills a from cfg.  redirect_uri defaults to public_url +
 * "/api/v0/auth/callback".  a->configured is set when client_id,
 * client_secret and a redirect URI are known and both Spotify base URLs
 * may carry tokens (https, or http to loopback); otherwise sign-in
 * answers 503 and *why (may be NULL) says what is missing, for the log.
 */
void	session_load_cfg(const struct config *cfg, struct auth_cfg *a,
	    const char **why);

#define SESSION_TOKEN_LEN	43	/* base64url of 32 random bytes */
/* A session cookie's value: user id, '.', token. */
#define SESSION_VALUE_MAX	(USER_ID_MAX + 1 + SESSION_TOKEN_LEN)

/* The session cookie's name: "__Host-ln_session" when secure. */
const char *session_cookie_name(const struct auth_cfg *);

/*
 * Finds the cookie called name in a Cookie header ("a=1; b=2") and
 * copies its value into out.  Returns 0, or -1 when there is none or it
 * does not fit in outsz bytes with its NUL.  The first of several
 * cookies of one name is taken.
 */
int	session_get_cookie(const char *header, const char *name,
	    char *out, size_t outsz);

/*
 * Adds Set-Cookie: name=value with Path=path, Max-Age=max_age (0 deletes
 * it), HttpOnly, SameSite=Lax and, when a is secure (or a is NULL, never
 * secure), Secure.  Returns 0 or -1.
 */
int	session_set_cookie(struct resp *, const struct auth_cfg *a,
	    const char *name, const char *value, const char *path,
	    int64_t max_age);

/*
 * Reads a session cookie's value: the user id into user and the SHA-256
 * of the token into hash.  Returns 0, or -1 when it is not a well-formed
 * "<user id>.<43 base64url characters>".
 */
int	session_parse(const char *value, char user[USER_ID_MAX + 1],
	    unsigned char hash[SESSION_HASH_LEN]);

/*
 * Makes a new session of user from now for ttl seconds: a fresh token,
 * its hash and times into *s, and the cookie's value into value (at
 * least SESSION_VALUE_MAX + 1 bytes; secret: the caller wipes it).
 * Returns 0, or -1 when user is not a valid user id.
 */
int	session_new(const char *user, int64_t now, int64_t ttl,
	    struct session *s, char *value, size_t valuesz);

/* Whether a stored session is still valid at now (Unix s). */
int	session_valid(const struct session *, int64_t now);

/*
 * Who signed in to make this request: the user id of a valid session
 * named by the request's cookie, or NULL.  A session older than the
 * session_ttl configured now has ended too, so lowering it takes effect
 * at once.  Looked up once per request (in
 * c->app->txn, which must be begun) and remembered in c.
 */
const char *session_viewer(struct ctx *c);

/*
 * Whether a state-changing request may proceed (see the top of this
 * file).  a may be NULL (no public_url): then the request's own Host
 * and scheme are the site's origin.  Returns 1 when allowed, else 0.
 */
int	session_same_origin(const struct auth_cfg *a, const struct req *);

#endif
