/*
 * sha256.h — SHA-256 (FIPS 180-4), for session tokens and PKCE.
 *
 * linernotes hashes exactly two kinds of thing: the browser sessions'
 * tokens, which the store keeps only as their SHA-256 (a copy of the store
 * gives no working cookie), and the PKCE code verifier, whose SHA-256 is
 * the code_challenge sent to Spotify.  Both are short, so this is the plain
 * textbook implementation, checked against the FIPS 180-4 and NIST CAVP
 * vectors in tests/unit/lib_sha256.c, rather than a crypto library.
 *
 * Error convention: none; these cannot fail.
 */
#ifndef LN_SHA256_H
#define LN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* digest bytes */
#define SHA256_BLOCK	64

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes hashed so far */
	unsigned char	 block[SHA256_BLOCK];
	size_t		 fill;		/* bytes in block */
};

void	sha256_init(struct sha256 *);
void	sha256_update(struct sha256 *, const void *p, size_t n);
/* Writes the digest and wipes the context (it may hold secret input). */
void	sha256_final(struct sha256 *, unsigned char out[SHA256_LEN]);
/* The digest of the n bytes at p, in one call. */
void	sha256(const void *p, size_t n, unsigned char out[SHA256_LEN]);

#endif
