/*
 * import_match.h — what import.c matches rows to tracks with, private to
 * the importer (import_match.c): the synthetic ids, the name index and
 * the sets of int64 values.
 *
 * Error convention: 0, or -1 when memory ran out or the store failed.
 */
#ifndef LN_IMPORT_MATCH_H
#define LN_IMPORT_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct store;

/* A set of int64 (played_at values the current file claimed). */
struct i64set {
	int64_t		*v;
	uint8_t		*used;
	size_t		 cap;		/* power of two */
	size_t		 n;
};

/*
 * The name index: a 64-bit hash of the folded "artist\0title" of every
 * known track to its ids, for account-data rows (which carry names only)
 * and for matching any row against plays stored under another track of
 * the same name.
 * A hash collision between two different names is possible in principle
 * (about 1 in 10^10 for 100,000 tracks) and would match a row to the
 * wrong track; keeping the names would cost more memory than it is worth.
 */
struct nameidx {
	uint64_t	*h;
	char		(*id)[ID_LEN + 1];
	size_t		 cap;
	size_t		 n;
};

void	import_match_clear_i64(struct i64set *s);
void	import_match_free_i64(struct i64set *s);
int	import_match_has_i64(const struct i64set *s, int64_t x);
int	import_match_add_i64(struct i64set *s, int64_t x);

void	import_match_free_names(struct nameidx *x);
size_t	import_match_get_names(const struct nameidx *x, uint64_t h,
	    const char *out[], size_t max);
int	import_match_put_name(struct nameidx *x, uint64_t h, const char *id);
int	import_match_read_names(struct store *st, struct nameidx *x,
	    struct i64set *known);

uint64_t import_match_key(const char *artist, const char *title);
uint64_t import_match_hash_id(const char *id);

/*
 * The id of an album whose name differs only in case or diacritics from
 * the one stored under ids_synth_album()'s id ("labour" and
 * "LABOUR" by one artist are two albums): the same names with the name's
 * exact bytes as a further part, so each spelling has an id of its own,
 * the same every time.
 */
void	import_match_synth_album_cased(char out[ID_LEN + 1],
	    const char *artist, const char *album);

#endif /* LN_IMPORT_MATCH_H */
