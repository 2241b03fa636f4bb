/*
 * account.h — what Spotify said about a user, merged into the stored
 * user record.
 *
 * Four places learn something about a user from Spotify and write it into
 * the record: the collector's token refresh and its profile job, its
 * `add-user` command, and the reader's sign-in (fcgi/api_auth.c).  They
 * all merge through account_apply(), so the rules live in one place:
 *
 *   ACCOUNT_PROFILE  display_name, country, product, image_url (the id
 *                    is never changed: it names the record)
 *   ACCOUNT_TOKENS   the access token and the time it ends; the refresh
 *                    token only when one came back (Spotify may answer a
 *                    refresh without one: the old one stays valid)
 *
 * Everything else (status, settings, schedule, cursors) is the caller's:
 * the rules for it differ between the callers on purpose.
 *
 * account_wipe_tokens() is the other half of the tokens' rule: what a
 * process that read a whole record clears before it lets go of it.
 * account_authorized() is the one rule of the schedule that two callers
 * share (the sign-in and `add-user`): a new authorization makes every
 * collection due at once.
 *
 * Error convention: none of them can fail.
 */
#ifndef LN_ACCOUNT_H
#define LN_ACCOUNT_H

#include "schema.h"

enum account_part {
	ACCOUNT_PROFILE,	/* the four profile fields of /v1/me */
	ACCOUNT_TOKENS,		/* access token, its end, a new refresh token */
	ACCOUNT__MAX
};
#define ACCOUNT_BIT(p)	(1u << (p))

/*
 * Copies the parts (ACCOUNT_BIT mask) of from into u; other fields of u
 * are left alone.  from and u may hold secrets: the caller wipes them.
 */
void	account_apply(const struct user *from, unsigned parts, struct user *u);
/*
 * Clears u's secrets (both tokens) in memory, where the compiler cannot
 * drop it; the rest of the record is the public profile and settings.
 */
void	account_wipe_tokens(struct user *u);
/*
 * Records that u was (re)authorized at at (Unix s) and makes each of its
 * collections (plays, top lists, Discover Weekly, profile) due at once.
 */
void	account_authorized(struct user *u, int64_t at);

#endif
