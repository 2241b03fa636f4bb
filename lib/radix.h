/*
 * radix.h — radix sorts of 64-bit keys and of Spotify ids (radix.c).
 *
 * Error convention: radix_order_ids() returns 0, or -1 when memory ran
 * out (idx[] is then as it was); radix_sort64() cannot fail.
 */
#ifndef LN_RADIX_H
#define LN_RADIX_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

/*
 * Sorts v[0..n) by key[0..n) ascending (keys move along), ktmp and vtmp
 * holding n of each: 8 bits a pass, stable, a pass skipped when every
 * key has the same byte there.
 */
void	radix_sort64(uint64_t *key, uint32_t *v, uint64_t *ktmp,
	    uint32_t *vtmp, size_t n);
/*
 * Orders idx[0..n) so that the ids ids[idx[i]] (ID_LEN bytes each) come
 * in memcmp order, the store's key order; stable.
 */
int	radix_order_ids(const char (*ids)[ID_LEN], uint32_t *idx, size_t n);

#endif
