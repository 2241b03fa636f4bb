/*
 * idtab.c — Spotify id -> dense index, open addressing (see idtab.h).
 *
 * The table keeps each id twice: in its slot, so a probe compares it
 * without a second memory access, and in the dense array by index, so
 * the table can be rebuilt at twice the size from the array alone and a
 * caller can read an index's id back.  It doubles when three quarters
 * full.  The hash is hash_mix() folded over the id's three overlapping
 * 8-byte words: every byte of the id reaches the slot number, which ids
 * sharing long prefixes need.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "idtab.h"
#include "log.h"

/*
 * Slots of a new table unless idtab_reserve() said otherwise: growing
 * from fewer makes glibc map and unmap the doubling tables again and
 * again (28 times the page faults on the insights' benchmark).
 */
#define IDTAB_FIRST	4096

uint64_t
idtab_hash(const char *id)
{
	uint64_t a, b, c;

	memcpy(&a, id, 8);
	memcpy(&b, id + 8, 8);
	memcpy(&c, id + ID_LEN - 8, 8);
	return hash_mix(hash_mix(hash_mix(a) ^ b) ^ c);
}

/* x == y over ID_LEN bytes: three overlapping 8-byte words. */
static inline int
idtab_same(const char *x, const char *y)
{
	uint64_t a, b;

	memcpy(&a, x, 8);
	memcpy(&b, y, 8);
	if (a != b)
		return 0;
	memcpy(&a, x + 8, 8);
	memcpy(&b, y + 8, 8);
	if (a != b)
		return 0;
	memcpy(&a, x + ID_LEN - 8, 8);
	memcpy(&b, y + ID_LEN - 8, 8);
	return a == b;
}

/* Rebuilds the slots, nslot of them (a power of two), from t->id. */
static int
idtab_rehash(struct idtab *t, size_t nslot)
{
	struct idtab_slot *s;
	uint64_t h;
	size_t i, j;

	if ((s = aligned_alloc(64, nslot * sizeof(*s))) == NULL) {
		log_warn("idtab: memory");
		return -1;
	}
	memset(s, 0, nslot * sizeof(*s));
	for (i = 0; i < t->n; i++) {
		h = idtab_hash(t->id[i]);
		j = h & (nslot - 1);
		while (s[j].idx1 != 0)
			j = (j + 1) & (nslot - 1);
		memcpy(s[j].id, t->id[i], ID_LEN);
		s[j].idx1 = (uint32_t)i + 1;
		s[j].h32 = (uint32_t)(h >> 32);
	}
	free(t->slot);
	t->slot = s;
	t->nslot = nslot;
	return 0;
}

/* Room in t->id for one more id (doubling). */
static int
idtab_grow_ids(struct idtab *t)
{
	size_t ncap;
	void *p;

	if (t->n < t->cap)
		return 0;
	ncap = t->cap < 64 ? 64 : t->cap * 2;
	if ((p = reallocarray(t->id, ncap, sizeof(*t->id))) == NULL) {
		log_warn("idtab: memory");
		return -1;
	}
	t->id = p;
	t->cap = ncap;
	return 0;
}

int
idtab_reserve(struct idtab *t, size_t n)
{
	size_t nslot = 16;

	if (t->nslot != 0)
		return 0;
	while (n * 4 > nslot * 3)
		nslot *= 2;
	return idtab_rehash(t, nslot);
}

int
idtab_get_h(struct idtab *t, const char *id, uint64_t h, int add,
    uint32_t *idx)
{
	struct idtab_slot *sl;
	uint32_t h32;
	size_t j;

	if (t->nslot == 0 && idtab_rehash(t, IDTAB_FIRST) == -1)
		return -1;
	h32 = (uint32_t)(h >> 32);
	j = h & (t->nslot - 1);
	for (sl = &t->slot[j]; sl->idx1 != 0; sl = &t->slot[j]) {
		if (sl->h32 == h32 && idtab_same(sl->id, id)) {
			*idx = sl->idx1 - 1;
			return 1;
		}
		j = (j + 1) & (t->nslot - 1);
	}
	if (!add)
		return -1;
	if ((t->n + 1) * 4 > t->nslot * 3) {
		if (idtab_rehash(t, t->nslot * 2) == -1)
			return -1;
		j = h & (t->nslot - 1);
		while (t->slot[j].idx1 != 0)
			j = (j + 1) & (t->nslot - 1);
	}
	if (idtab_grow_ids(t) == -1)
		return -1;
	memcpy(t->id[t->n], id, ID_LEN);
	memcpy(t->slot[j].id, id, ID_LEN);
	t->slot[j].idx1 = (uint32_t)t->n + 1;
	t->slot[j].h32 = h32;
	*idx = (uint32_t)t->n++;
	return 0;
}

int
idtab_get(struct idtab *t, const char *id, int add, uint32_t *idx)
{
	return idtab_get_h(t, id, idtab_hash(id), add, idx);
}

void
idtab_copy(const struct idtab *t, uint32_t idx, char out[ID_LEN + 1])
{
	memcpy(out, t->id[idx], ID_LEN);
	out[ID_LEN] = '\0';
}

void
idtab_free(struct idtab *t)
{
	free(t->slot);
	free(t->id);
	memset(t, 0, sizeof(*t));
}
