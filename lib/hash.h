/*
 * hash.h — the 64-bit non-cryptographic hashes linernotes shares.
 *
 * None of them resists an adversary: they spread keys over table slots
 * and tell bodies apart for ETags, nothing more.  They cannot fail.
 */
#ifndef LN_HASH_H
#define LN_HASH_H

#include <stddef.h>
#include <stdint.h>

/* murmur3's 64-bit finalizer: a bijection in which every input bit moves
 * every output bit (for slots of keys that are numbers already). */
uint64_t	hash_mix(uint64_t);
/* A hash of n bytes (four xxHash64-style lanes, then hash_mix). */
uint64_t	hash_bytes(const void *, size_t n);
/*
 * The hash of a sequence of parts from their hashes: fold
 * hash_combine(h, part) over them in order, from a hash of what frames
 * them.  Order matters.
 */
uint64_t	hash_combine(uint64_t h, uint64_t next);

#endif
