/*
 * idtab.h — a map from Spotify ids to dense indices.
 *
 * An id of ID_LEN bytes (a Spotify id or a synthetic one; no NUL needed)
 * gets the index 0, 1, 2, ... in the order ids were first added, so a
 * caller keeps what it knows of each id in plain arrays indexed like the
 * table.  Nothing is ever removed but by idtab_free().  Open addressing
 * with linear probing: a slot holds the id, its index and 32 bits of its
 * hash in one aligned 32-byte cell, so a look-up touches one cache line.
 *
 * A zeroed struct idtab is an empty table; idtab_free() empties it again.
 *
 * Error convention: idtab_get() returns 1 (found), 0 (added) or -1
 * (absent and not added, or no memory: logged); the rest cannot fail.
 */
#ifndef LN_IDTAB_H
#define LN_IDTAB_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

struct idtab_slot {
	char		 id[24];	/* ID_LEN bytes used */
	uint32_t	 idx1;		/* 1 + index, 0 = empty */
	uint32_t	 h32;		/* the hash's high half */
};

struct idtab {
	struct idtab_slot *slot;
	size_t		 nslot;		/* a power of two, or 0 */
	char		(*id)[ID_LEN];	/* the ids by index */
	size_t		 n, cap;	/* ids held, room in id[] */
};

/* The hash of the id's ID_LEN bytes (every byte moves every bit). */
uint64_t	idtab_hash(const char *id);
/*
 * Finds id in t and sets *idx to its index; when absent and add, adds it
 * first.  Returns 1 found, 0 added, -1 absent (add 0) or out of memory.
 */
int		idtab_get(struct idtab *t, const char *id, int add,
		    uint32_t *idx);
/* idtab_get() with id's idtab_hash() already known (h). */
int		idtab_get_h(struct idtab *t, const char *id, uint64_t h,
		    int add, uint32_t *idx);
/*
 * Sizes an empty table for about n ids (a new one has room for 3072),
 * for a caller that knows it holds few.  More may still be added.
 * Returns 0 or -1 (no memory); does nothing to a table in use.
 */
int		idtab_reserve(struct idtab *t, size_t n);
/* Copies the id of index idx (< t->n) into out, NUL-terminated. */
void		idtab_copy(const struct idtab *t, uint32_t idx,
		    char out[ID_LEN + 1]);
/* Frees the table's memory and leaves it empty (a zeroed struct). */
void		idtab_free(struct idtab *t);

/*
 * Asks for the slot of an id of hash h in the CPU's cache, ahead of an
 * idtab_get_h() a little later (the table is megabytes for a long
 * journal, and waiting for memory is then most of a look-up).
 */
static inline void
idtab_prefetch(const struct idtab *t, uint64_t h)
{
	if (t->nslot > 0)
		__builtin_prefetch(&t->slot[h & (t->nslot - 1)]);
}

#endif
