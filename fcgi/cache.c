/*
 * cache.c — a bounded LRU hash of rendered entity JSON (see cache.h).
 *
 * Each entry is one allocation holding its links, key and bytes.  The hash
 * table chains entries and doubles when it holds more entries than buckets;
 * a doubly linked list keeps them in recency order, most recent at the
 * head, and eviction takes from the tail until both bounds hold.
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "changelog.h"
#include "hash.h"
#include "idtab.h"
#include "log.h"
#include "schema.h"

struct entry {
	struct entry	*hnext;		/* hash chain */
	struct entry	*prev, *next;	/* recency list */
	uint64_t	 hash;
	uint64_t	 tag;		/* the caller's, with the data */
	uint8_t		 kind;
	char		 id[ID_LEN];
	size_t		 len;
	char		 data[];	/* len bytes, NUL-terminated */
};

struct cache {
	struct entry	**table;
	size_t		 nbuckets;	/* a power of two */
	struct entry	*head, *tail;
	size_t		 max_entries, max_bytes;
	struct cache_stats st;
	struct changelog follow;	/* the entity change log */
};

/* What an entry costs against cache_bytes: its bytes and its bookkeeping. */
#define ENTRY_COST(len)	(sizeof(struct entry) + (len) + 1)

struct cache *
cache_new(size_t max_entries, size_t max_bytes)
{
	struct cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	c->nbuckets = 1024;
	if ((c->table = calloc(c->nbuckets, sizeof(*c->table))) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	cache_flush(c);
	free(c->table);
	free(c);
}

/* The slot hash of kind/id: the id table's hash of the id (idtab.h). */
static uint64_t
cache_hash(enum entity_kind kind, const char *id)
{
	return hash_combine(idtab_hash(id), (uint64_t)kind);
}

static struct entry **
cache_slot(struct cache *c, uint64_t h, enum entity_kind kind, const char *id)
{
	struct entry **ep;

	for (ep = &c->table[h & (c->nbuckets - 1)]; *ep != NULL;
	    ep = &(*ep)->hnext)
		if ((*ep)->hash == h && (*ep)->kind == kind &&
		    memcmp((*ep)->id, id, ID_LEN) == 0)
			break;
	return ep;
}

static void
cache_unlink(struct cache *c, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
cache_push_head(struct cache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

/* Removes e (found at *ep in its chain) and frees it. */
static void
cache_drop(struct cache *c, struct entry **ep)
{
	struct entry *e = *ep;

	*ep = e->hnext;
	cache_unlink(c, e);
	c->st.entries--;
	c->st.bytes -= ENTRY_COST(e->len);
	free(e);
}

/* Doubles the table when it is fuller than one entry per bucket. */
static void
cache_grow(struct cache *c)
{
	struct entry **t, *e, *next;
	size_t n = c->nbuckets * 2, i;

	if (c->st.entries <= c->nbuckets || n > SIZE_MAX / sizeof(*t))
		return;
	if ((t = calloc(n, sizeof(*t))) == NULL)
		return;		/* longer chains; still correct */
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->table[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = t[e->hash & (n - 1)];
			t[e->hash & (n - 1)] = e;
		}
	free(c->table);
	c->table = t;
	c->nbuckets = n;
}

int
cache_get(struct cache *c, enum entity_kind kind, const char *id,
    const char **raw, size_t *len, uint64_t *tag)
{
	struct entry *e;

	if (c->max_entries == 0) {
		c->st.misses++;
		return -1;
	}
	e = *cache_slot(c, cache_hash(kind, id), kind, id);
	if (e == NULL) {
		c->st.misses++;
		return -1;
	}
	c->st.hits++;
	if (c->head != e) {
		cache_unlink(c, e);
		cache_push_head(c, e);
	}
	*raw = e->data;
	*len = e->len;
	*tag = e->tag;
	return 0;
}

void
cache_put(struct cache *c, enum entity_kind kind, const char *id,
    const char *raw, size_t len, uint64_t tag)
{
	struct entry **ep, *e;
	uint64_t h;

	if (c->max_entries == 0 || ENTRY_COST(len) > c->max_bytes)
		return;
	h = cache_hash(kind, id);
	ep = cache_slot(c, h, kind, id);
	if (*ep != NULL)
		cache_drop(c, ep);
	while (c->tail != NULL && (c->st.entries + 1 > c->max_entries ||
	    c->st.bytes + ENTRY_COST(len) > c->max_bytes)) {
		e = c->tail;
		cache_drop(c, cache_slot(c, e->hash, e->kind, e->id));
		c->st.evictions++;
	}
	if ((e = malloc(ENTRY_COST(len))) == NULL)
		return;
	e->hash = h;
	e->tag = tag;
	e->kind = kind;
	memcpy(e->id, id, ID_LEN);
	e->len = len;
	memcpy(e->data, raw, len);
	e->data[len] = '\0';
	ep = &c->table[h & (c->nbuckets - 1)];
	e->hnext = *ep;
	*ep = e;
	cache_push_head(c, e);
	c->st.entries++;
	c->st.bytes += ENTRY_COST(len);
	cache_grow(c);
}

void
cache_forget(struct cache *c, enum entity_kind kind, const char *id)
{
	struct entry **ep;

	ep = cache_slot(c, cache_hash(kind, id), kind, id);
	if (*ep != NULL) {
		cache_drop(c, ep);
		c->st.invalidations++;
	}
}

void
cache_flush(struct cache *c)
{
	struct entry *e, *next;

	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	c->head = c->tail = NULL;
	memset(c->table, 0, c->nbuckets * sizeof(*c->table));
	c->st.entries = 0;
	c->st.bytes = 0;
}

static int
cache_on_change(enum entity_kind kind, const char *id, void *arg)
{
	cache_forget(arg, kind, id);
	return 0;
}

static void
cache_on_forget_all(void *arg)
{
	cache_flush(arg);
}

int
cache_sync(struct cache *c, struct store_txn *txn)
{
	static const struct changelog_ops ops = {
		cache_on_change, cache_on_forget_all, NULL
	};

	return changelog_sync(&c->follow, txn, &ops, c);
}

void
cache_get_stats(const struct cache *c, struct cache_stats *st)
{
	*st = c->st;
}
