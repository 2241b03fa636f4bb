/*
 * logins.h — the server's own record of sign-ins started and not yet
 * finished, so that a login cookie is good once and for ten minutes
 * whatever the browser does with it.
 *
 * Error convention: logins_issue() returns 0 or -1; logins_take()
 * returns an enum logins_rc, since the caller tells the user which.
 */
#ifndef LN_LOGINS_H
#define LN_LOGINS_H

#include <stdint.h>

#include "store.h"

#define LOGINS_TTL	600	/* s a sign-in may take */
#define LOGINS_MAX	256	/* sign-ins pending at once, at most */
#define LOGINS_META	"auth.logins"	/* the meta value holding them */

enum logins_rc {
	LOGINS_OK,		/* issued, not used, not expired: now used */
	LOGINS_UNKNOWN,		/* used already, or never issued here */
	LOGINS_EXPIRED,		/* issued more than LOGINS_TTL s ago */
	LOGINS_ERR,		/* the store failed */
	LOGINS__MAX
};

/*
 * Records that the sign-in with this state (a NUL-terminated string) was
 * issued at now (Unix s), in one write transaction that also drops the
 * records older than LOGINS_TTL (and the oldest when LOGINS_MAX are
 * pending).  Only a hash of the state is kept.  Returns 0 or -1.
 */
int	logins_issue(struct store *st, const char *state, int64_t now);
/*
 * Takes the record of state out, in one write transaction, so a second
 * try with the same state finds nothing.  Returns LOGINS_OK when it was
 * issued at most LOGINS_TTL s before now, else why not.
 */
enum logins_rc logins_take(struct store *st, const char *state, int64_t now);

#endif
