/*
 * changelog.c — one follower of the store's entity change log, for every
 * cache that keeps entities across transactions (see changelog.h).
 *
 * A sync reads the newest and oldest numbers the log holds.  Nothing new:
 * done.  A follower that never synced, that fell behind the oldest change
 * kept, that saw a newer log than this one or that wants to start over
 * forgets everything (a first sync has nothing to drop but must not walk
 * the whole log); any other walks the changes after its number.  A store
 * error on the way is the one case where the follower cannot know what it
 * holds, so it forgets everything then too, and its next sync is a first.
 */
#include <string.h>

#include "changelog.h"
#include "schema.h"

struct changelog_walk {
	const struct changelog_ops	*ops;
	void				*arg;
};

static int
changelog_on_change(uint64_t seq, enum entity_kind kind, const char *id,
    void *arg)
{
	struct changelog_walk *w = arg;

	(void)seq;
	if (strlen(id) != ID_LEN)
		return 0;
	return w->ops->forget(kind, id, w->arg) == -1 ? -1 : 0;
}

int
changelog_sync(struct changelog *f, struct store_txn *txn,
    const struct changelog_ops *ops, void *arg)
{
	struct changelog_walk w = { ops, arg };
	uint64_t seq, oldest;

	if (store_change_seq(txn, &seq, &oldest) != STORE_OK)
		goto forget_all;
	if (f->synced && seq == f->seq)
		return 0;
	if (!f->synced || seq < f->seq || (oldest > 0 && f->seq + 1 < oldest) ||
	    (ops->start_over != NULL && ops->start_over(arg)))
		ops->forget_all(arg);
	else if (store_iter_changes(txn, f->seq, changelog_on_change, &w) !=
	    STORE_OK)
		goto forget_all;
	f->seq = seq;
	f->synced = 1;
	return 0;
forget_all:
	ops->forget_all(arg);
	f->synced = 0;
	return -1;
}
