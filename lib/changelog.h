/*
 * changelog.h — following the store's entity change log.
 *
 * A process that keeps what it read of tracks, artists or albums across
 * transactions (the reader's rendered-entity cache, the insights' track
 * table) must drop what changed since it last looked.  The store numbers
 * every change (store.h, store_change_seq, store_iter_changes); a
 * follower remembers the number it has seen up to and, at each sync
 * inside a read transaction, is told each entity changed since then, or
 * told to forget everything when it cannot know what changed: its first
 * sync, a log that no longer reaches back that far, a log older than the
 * one it saw (another store), the follower's own wish to start over, and
 * a store error.  Whatever the outcome, nothing the follower keeps is
 * older than the transaction of a successful sync.
 *
 * A zeroed struct changelog is a follower that has never synced.
 *
 * Error convention: changelog_sync() returns 0, or -1 on a store error
 * (the follower was then told to forget everything).
 */
#ifndef LN_CHANGELOG_H
#define LN_CHANGELOG_H

#include <stdint.h>

#include "store.h"

struct changelog {
	uint64_t	 seq;		/* the log seen up to */
	int		 synced;	/* seq is meaningful */
};

/* What a follower does with what the log says (arg: changelog_sync's). */
struct changelog_ops {
	/*
	 * Entity kind/id (ID_LEN characters) changed or went: drop it.
	 * Returns 0, or -1 to give up (everything is then forgotten).
	 */
	int	(*forget)(enum entity_kind kind, const char *id, void *arg);
	/* Drop everything.  Cannot fail. */
	void	(*forget_all)(void *arg);
	/*
	 * Optional (NULL: never): asked when the log has moved since the
	 * last sync; nonzero forgets everything instead of reading it.
	 */
	int	(*start_over)(void *arg);
};

/*
 * Brings the follower up to txn's view of the change log, calling ops
 * with arg (see above).  The ids handed to forget are valid only during
 * the call.  Returns 0, or -1 when the store failed: forget_all was
 * called and the next sync starts afresh.
 */
int	changelog_sync(struct changelog *, struct store_txn *txn,
	    const struct changelog_ops *ops, void *arg);

#endif
