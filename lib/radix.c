/*
 * radix.c — radix sorts of 64-bit keys and of Spotify ids (radix.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"

void
radix_sort64(uint64_t *key, uint32_t *v, uint64_t *ktmp, uint32_t *vtmp,
    size_t n)
{
	size_t cnt[256], i, sum, c;
	unsigned shift;
	uint64_t *k0 = key, *kt;
	uint32_t *v0 = v, *vt;

	if (n < 2)
		return;
	for (shift = 0; shift < 64; shift += 8) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(key[i] >> shift) & 0xff]++;
		if (cnt[(key[0] >> shift) & 0xff] == n)
			continue;		/* one value: nothing moves */
		for (sum = 0, i = 0; i < 256; i++) {
			c = cnt[i];
			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			c = cnt[(key[i] >> shift) & 0xff]++;
			ktmp[c] = key[i];
			vtmp[c] = v[i];
		}
		kt = key;
		key = ktmp;
		ktmp = kt;
		vt = v;
		v = vtmp;
		vtmp = vt;
	}
	if (v != v0) {
		memcpy(v0, v, n * sizeof(*v));
		memcpy(k0, key, n * sizeof(*key));
	}
}

int
radix_order_ids(const char (*ids)[ID_LEN], uint32_t *idx, size_t n)
{
	uint64_t *key, *ktmp;
	uint32_t *vtmp;
	const unsigned char *id;
	size_t i, k, w, off;

	if (n < 2)
		return 0;
	key = reallocarray(NULL, n, sizeof(*key));
	ktmp = reallocarray(NULL, n, sizeof(*ktmp));
	vtmp = reallocarray(NULL, n, sizeof(*vtmp));
	if (key == NULL || ktmp == NULL || vtmp == NULL) {
		free(key);
		free(ktmp);
		free(vtmp);
		return -1;
	}
	/*
	 * Bytes as memcmp compares them: sorted by the last 8 bytes, then
	 * (stably) by bytes 8..15 and by the first 8.
	 */
	for (w = 3; w-- > 0;) {
		off = w == 2 ? ID_LEN - 8 : w * 8;
		for (i = 0; i < n; i++) {
			id = (const unsigned char *)ids[idx[i]] + off;
			for (key[i] = 0, k = 0; k < 8; k++)
				key[i] = key[i] << 8 | id[k];
		}
		radix_sort64(key, idx, ktmp, vtmp, n);
	}
	free(key);
	free(ktmp);
	free(vtmp);
	return 0;
}
