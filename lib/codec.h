/*
 * codec.h — bounds-checked encoding of store values and keys.
 *
 * store.c turns the structs of schema.h into bytes with these functions
 * and back; outside the store only the fixed-width big-endian helpers
 * serve, for other binary records (tz.c's TZif files, the values
 * exportfile.c and fcgi/logins.c keep in meta).  The encoding is explicit and
 * independent of the compiler's struct layout:
 *
 *   integers	fixed width, big-endian (u8, u16, u32, u64; signed values
 *		in two's complement of the same width)
 *   str	u32 length n, n bytes, one NUL.  The NUL lets a decoded
 *		string point straight into the LMDB map (zero copy).
 *		A NULL string is encoded as "".
 *   id		exactly ID_LEN bytes, no length, no NUL
 *   idlist	u32 count n, n * ID_LEN bytes
 *
 * Keys use the fixed-width big-endian helpers at the end, with signed
 * values biased (sign bit flipped) so that byte order is numeric order.
 *
 * Error convention: encoders and decoders are sticky.  An encoder that
 * cannot represent a value (a string over 4 GiB, an id of the wrong length)
 * or runs out of memory marks the encoder bad; a decoder that would read
 * past the end marks the decoder bad and returns zeros and "".  Callers
 * check once with codec_enc_end() / codec_dec_end(), which return 0 or -1.
 * A decoder never reads outside [p, p + len).
 */
#ifndef LN_CODEC_H
#define LN_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schema.h"

struct enc {
	struct buf	*b;	/* appended to; owned by the caller */
	int		 bad;	/* a value could not be encoded */
};

struct dec {
	const unsigned char	*p;	/* the bytes; not owned */
	size_t			 len;
	size_t			 off;	/* next byte to read */
	int			 bad;	/* read past len, or invalid */
};

/* Starts encoding into b, which is emptied first (its memory is kept). */
void	 codec_enc_init(struct enc *, struct buf *b);
/* Append one integer of the named width, big-endian. */
void	 codec_put_u8(struct enc *, uint8_t);
void	 codec_put_u16(struct enc *, uint16_t);
void	 codec_put_u32(struct enc *, uint32_t);
void	 codec_put_u64(struct enc *, uint64_t);
void	 codec_put_i32(struct enc *, int32_t);
void	 codec_put_i64(struct enc *, int64_t);
/* Appends a str; s may be NULL (encoded as ""). */
void	 codec_put_str(struct enc *, const char *s);
/* Appends a str of at most max bytes read from a fixed array (strnlen). */
void	 codec_put_strn(struct enc *, const char *s, size_t max);
/* Appends an id; marks the encoder bad unless strlen(id) == ID_LEN. */
void	 codec_put_id(struct enc *, const char *id);
/* Appends an idlist; l->ids may be NULL only when l->n is 0. */
void	 codec_put_idlist(struct enc *, const struct idlist *l);
/* Returns 0 when everything was encoded, -1 otherwise. */
int	 codec_enc_end(const struct enc *);

/* Starts decoding the len bytes at p (which must outlive the decoder). */
void	 codec_dec_init(struct dec *, const void *p, size_t len);
/* Consume one integer of the named width; 0 (and bad) past the end. */
uint8_t	 codec_get_u8(struct dec *);
uint16_t codec_get_u16(struct dec *);
uint32_t codec_get_u32(struct dec *);
uint64_t codec_get_u64(struct dec *);
int32_t	 codec_get_i32(struct dec *);
int64_t	 codec_get_i64(struct dec *);
/*
 * Returns a str as a pointer into the decoded bytes (valid as long as
 * they are), or "" when the decoder is or becomes bad.  The length must
 * fit and the byte after the string must be its NUL.
 */
const char *codec_get_str(struct dec *);
/* Copies a str into out; bad when it does not fit in outsz with its NUL. */
void	 codec_get_strcpy(struct dec *, char *out, size_t outsz);
/* Copies an id into out (NUL-terminated). */
void	 codec_get_id(struct dec *, char out[ID_LEN + 1]);
/* Points l into the decoded bytes; {NULL, 0} when bad. */
void	 codec_get_idlist(struct dec *, struct idlist *l);
/* Returns 0 when nothing went wrong and every byte was consumed, else -1. */
int	 codec_dec_end(const struct dec *);

/* Fixed-width big-endian stores and loads for keys (p has room). */
void	 codec_be32_put(unsigned char *p, uint32_t v);
void	 codec_be64_put(unsigned char *p, uint64_t v);
uint32_t codec_be32_get(const unsigned char *p);
uint64_t codec_be64_get(const unsigned char *p);
/* The two's complement value of u (a signed field read as unsigned). */
int32_t	 codec_as_i32(uint32_t u);
/* Order-preserving maps between signed values and unsigned key values. */
uint32_t codec_bias32(int32_t v);
int32_t	 codec_unbias32(uint32_t v);
uint64_t codec_bias64(int64_t v);
int64_t	 codec_unbias64(uint64_t v);

#endif
