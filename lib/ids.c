/*
 * ids.c — validating ids, deriving synthetic ids, packed id lists.
 *
 * Everything here is pure and ASCII-only: character classes are tested by
 * range, never with <ctype.h>, so the locale cannot change what an id is.
 * The synthetic id hash is SipHash-2-4 (Aumasson and Bernstein), written
 * out here in streaming form so that normalization can feed it byte by
 * byte without a temporary copy; two instances under different fixed keys
 * give 128 bits, of which 21 base-62 digits (about 125 bits) are kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fold.h"
#include "ids.h"
#include "schema.h"

static const char ids_b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * [0-9A-Za-z] as a set of 128 bits.  One test per byte, not a chain of
 * three ranges whose branches go whichever way each character of a random
 * id sends them: a batch of 50 ids costs 0.3 us less (bench-reader).
 */
static int
ids_alnum(unsigned char c)
{
	static const uint64_t set[2] = {
		0x03ff000000000000ULL,	/* '0'..'9' */
		0x07fffffe07fffffeULL,	/* 'A'..'Z', 'a'..'z' */
	};

	return c < 128 && (set[c >> 6] >> (c & 63) & 1) != 0;
}

/* 1 when s[0..n-1] are all [0-9A-Za-z] and s[n] ends the string. */
static int
ids_alnum_run(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ids_alnum((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

int
ids_valid_spotify(const char *s)
{
	return s != NULL && ids_alnum_run(s, ID_LEN);
}

int
ids_valid_any(const char *s)
{
	if (s == NULL)
		return 0;
	if (s[0] == '_')
		return ids_alnum_run(s + 1, ID_LEN - 1);
	return ids_alnum_run(s, ID_LEN);
}

int
ids_valid_user(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= USER_ID_MAX)
			return 0;
		if (!ids_alnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

void
idlist_get(const struct idlist *l, uint32_t i, char out[ID_LEN + 1])
{
	if (l == NULL || l->ids == NULL || i >= l->n) {
		/* A contract violation; give "" rather than read wild. */
		out[0] = '\0';
		return;
	}
	memcpy(out, l->ids + (size_t)i * ID_LEN, ID_LEN);
	out[ID_LEN] = '\0';
}

int64_t
ids_find(const struct idlist *l, const char *id)
{
	uint32_t i;

	if (l == NULL || l->ids == NULL || id == NULL ||
	    strnlen(id, ID_LEN + 1) != ID_LEN)
		return -1;
	for (i = 0; i < l->n; i++)
		if (memcmp(l->ids + (size_t)i * ID_LEN, id, ID_LEN) == 0)
			return i;
	return -1;
}

/* ---- SipHash-2-4, streaming ---------------------------------------------- */

struct sip {
	uint64_t	v0, v1, v2, v3;
	uint64_t	m;		/* pending bytes, little-endian */
	unsigned	nm;		/* how many are pending (0..7) */
	uint64_t	total;		/* bytes fed so far */
};

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static void
sip_init(struct sip *s, uint64_t k0, uint64_t k1)
{
	s->v0 = UINT64_C(0x736f6d6570736575) ^ k0;
	s->v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
	s->v2 = UINT64_C(0x6c7967656e657261) ^ k0;
	s->v3 = UINT64_C(0x7465646279746573) ^ k1;
	s->m = 0;
	s->nm = 0;
	s->total = 0;
}

static void
sip_byte(struct sip *s, unsigned char c)
{
	s->m |= (uint64_t)c << (8 * s->nm);
	s->total++;
	if (++s->nm < 8)
		return;
	s->v3 ^= s->m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= s->m;
	s->m = 0;
	s->nm = 0;
}

static uint64_t
sip_final(struct sip *s)
{
	uint64_t b = (s->total << 56) | s->m;

	s->v3 ^= b;
	sip_round(s);
	sip_round(s);
	s->v0 ^= b;
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* ---- synthetic ids ------------------------------------------------------- */

/* The two fixed keys: ASCII "linernotes:ids:1" and "synthetic-id:v1!". */
static const uint64_t ids_key[2][2] = {
	{ UINT64_C(0x6c696e65726e6f74), UINT64_C(0x65733a6964733a31) },
	{ UINT64_C(0x73796e7468657469), UINT64_C(0x632d69643a763121) },
};

struct ids_hash {
	struct sip	s[2];
};

static void
ids_hash_byte(struct ids_hash *h, unsigned char c)
{
	sip_byte(&h->s[0], c);
	sip_byte(&h->s[1], c);
}

static int
ids_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/*
 * Feeds the normalized form of s (see ids.h) followed by its length as a
 * 64-bit little-endian number.  A trailing length makes the sequence of
 * strings decodable from the end, so no two part lists hash alike by
 * concatenation.
 */
static void
ids_hash_string(struct ids_hash *h, const char *s)
{
	uint64_t n = 0;
	int pending = 0;
	unsigned i;

	if (s == NULL)
		s = "";
	while (ids_space((unsigned char)*s))
		s++;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (ids_space(c)) {
			pending = 1;
			continue;
		}
		if (pending) {
			ids_hash_byte(h, ' ');
			n++;
			pending = 0;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		ids_hash_byte(h, c);
		n++;
	}
	for (i = 0; i < 8; i++)
		ids_hash_byte(h, (unsigned char)(n >> (8 * i)));
}

/*
 * Feeds s as version 2 of the ids normalizes it: folded by fold_name()
 * (case and diacritics of Latin, Greek and Cyrillic, white space), then
 * as version 1 does (which leaves a folded string as it is).  A name
 * too long for the stack buffer is folded into the heap; when even that
 * fails, it is fed as version 1 would (never silently dropped).
 */
static void
ids_hash_folded(struct ids_hash *h, const char *s)
{
	char stack[1024], *b = stack;
	size_t len, need;

	if (s == NULL)
		s = "";
	len = strlen(s);
	need = 3 * len + 1;
	if (need > sizeof(stack) && (b = malloc(need)) == NULL) {
		ids_hash_string(h, s);
		return;
	}
	if (fold_name(s, len, b, b == stack ? sizeof(stack) : need) == -1)
		ids_hash_string(h, s);
	else
		ids_hash_string(h, b);
	if (b != stack)
		free(b);
}

void
ids_synthetic_v(char out[ID_LEN + 1], int version, const char *kind,
    const char *const parts[], size_t n)
{
	void (*feed)(struct ids_hash *, const char *) =
	    version == 1 ? ids_hash_string : ids_hash_folded;
	struct ids_hash h;
	uint32_t limb[4];
	uint64_t hi, lo, rem;
	size_t i;
	int d, k;

	sip_init(&h.s[0], ids_key[0][0], ids_key[0][1]);
	sip_init(&h.s[1], ids_key[1][0], ids_key[1][1]);
	feed(&h, kind);
	for (i = 0; i < n; i++)
		feed(&h, parts == NULL ? NULL : parts[i]);
	hi = sip_final(&h.s[0]);
	lo = sip_final(&h.s[1]);

	/* The 128-bit number hi:lo in base 62, most significant digit first. */
	limb[0] = (uint32_t)(hi >> 32);
	limb[1] = (uint32_t)hi;
	limb[2] = (uint32_t)(lo >> 32);
	limb[3] = (uint32_t)lo;
	out[0] = '_';
	for (d = ID_LEN - 1; d >= 1; d--) {
		rem = 0;
		for (k = 0; k < 4; k++) {
			uint64_t cur = (rem << 32) | limb[k];

			limb[k] = (uint32_t)(cur / 62);
			rem = cur % 62;
		}
		out[d] = ids_b62[rem];
	}
	out[ID_LEN] = '\0';
}

void
ids_synthetic(char out[ID_LEN + 1], const char *kind,
    const char *const parts[], size_t n)
{
	ids_synthetic_v(out, IDS_SYNTHETIC_VERSION, kind, parts, n);
}

void
ids_synth_artist(char out[ID_LEN + 1], const char *name)
{
	const char *const parts[] = { name };

	ids_synthetic(out, "artist", parts, 1);
}

void
ids_synth_album(char out[ID_LEN + 1], const char *artist, const char *album)
{
	const char *const parts[] = { artist, album };

	ids_synthetic(out, "album", parts, 2);
}

void
ids_synth_local(char out[ID_LEN + 1], const char *artist, const char *album,
    const char *title)
{
	const char *const parts[] = { artist, album, title };

	ids_synthetic(out, "track", parts, 3);
}

void
ids_synth_track(char out[ID_LEN + 1], const char *artist, const char *title)
{
	const char *const parts[] = { artist, title };

	ids_synthetic(out, "track", parts, 2);
}

/* ---- URIs ---------------------------------------------------------------- */

/* If s starts with prefix, returns what follows it, else NULL. */
static const char *
ids_skip(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

int
ids_from_uri(const char *uri, const char *type, char out[ID_LEN + 1])
{
	const char *p;
	int link = 0;

	out[0] = '\0';
	if (uri == NULL || type == NULL || type[0] == '\0' ||
	    strchr(type, ':') != NULL || strchr(type, '/') != NULL)
		return -1;
	if ((p = ids_skip(uri, "spotify:")) != NULL) {
		if ((p = ids_skip(p, type)) == NULL || *p++ != ':')
			return -1;
	} else if ((p = ids_skip(uri, "https://open.spotify.com/")) != NULL) {
		if ((p = ids_skip(p, type)) == NULL || *p++ != '/')
			return -1;
		link = 1;
	} else
		return -1;
	if (strnlen(p, ID_LEN) != ID_LEN)
		return -1;
	if (p[ID_LEN] != '\0' && !(link && p[ID_LEN] == '?'))
		return -1;
	memcpy(out, p, ID_LEN);
	out[ID_LEN] = '\0';
	if (!ids_valid_spotify(out)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

#define IDS_PLAYLIST_URI	"spotify:playlist:"
#define IDS_PLAYLIST_PART	":playlist:"	/* spotify:user:U:playlist:ID */

int
ids_from_context_uri(const char *uri, char out[ID_LEN + 1])
{
	const char *p;
	size_t n;

	out[0] = '\0';
	if (uri == NULL)
		return -1;
	if ((p = ids_skip(uri, IDS_PLAYLIST_URI)) == NULL) {
		if (ids_skip(uri, "spotify:user:") == NULL ||
		    (n = strlen(uri)) <= ID_LEN + sizeof(IDS_PLAYLIST_PART) - 1 ||
		    memcmp(uri + n - ID_LEN - (sizeof(IDS_PLAYLIST_PART) - 1),
		    IDS_PLAYLIST_PART, sizeof(IDS_PLAYLIST_PART) - 1) != 0)
			return -1;
		p = uri + n - ID_LEN;
	}
	if (!ids_valid_spotify(p))
		return -1;
	memcpy(out, p, ID_LEN + 1);
	return 0;
}

/* ---- building packed lists ---------------------------------------------- */

int
ids_list_add(struct ids_list *l, const char *id)
{
	if (!ids_valid_any(id) || l->n == UINT32_MAX)
		return -1;
	if (buf_add(&l->b, id, ID_LEN) == -1)
		return -1;
	l->n++;
	return 0;
}

struct idlist
ids_list_view(const struct ids_list *l)
{
	struct idlist v;

	v.ids = l->n > 0 ? l->b.data : NULL;
	v.n = l->n;
	return v;
}

void
ids_list_reset(struct ids_list *l)
{
	buf_reset(&l->b);
	l->n = 0;
}

void
ids_list_free(struct ids_list *l)
{
	buf_free(&l->b);
	l->n = 0;
}
