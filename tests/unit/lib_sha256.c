/*
 * lib_sha256.c — unit tests of lib/sha256.c.
 *
 * They prove the digest against the FIPS 180-4 worked examples ("abc",
 * the 448- and 896-bit messages, a million 'a'), the empty message, and
 * messages of every length around the padding boundaries (55, 56, 57, 63,
 * 64, 65, 119, 120 bytes, values from GNU coreutils' sha256sum), and that
 * feeding a message in pieces of any size gives the same digest as one
 * call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"
#include "testutil.h"

static void
hex(const unsigned char d[SHA256_LEN], char out[2 * SHA256_LEN + 1])
{
	int i;

	for (i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/*
 * The known digests: FIPS 180-4's worked examples (and its example
 * document's), the empty message, and lengths where the padding spills
 * into a second block or just not (values from GNU coreutils' sha256sum).
 * A vector with no msg is n bytes of fill.
 */
static const struct {
	const char	*msg;
	char		 fill;
	size_t		 n;
	const char	*want;
} vectors[] = {
	{ "abc", 0, 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "", 0, 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, 56,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 0, 112,
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ NULL, 'a', 1000000,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ NULL, 'x', 55,
	    "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072" },
	{ NULL, 'x', 56,
	    "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e" },
	{ NULL, 'x', 57,
	    "ae14a2563ccf969d99aca69ce6bb74981f734bbf9f655f73b8f06db68cab5217" },
	{ NULL, 'x', 63,
	    "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2" },
	{ NULL, 'x', 64,
	    "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c" },
	{ NULL, 'x', 65,
	    "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9" },
	{ NULL, 'x', 119,
	    "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c" },
	{ NULL, 'x', 120,
	    "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98" },
};

/* Each vector's message, made when it is a fill, hashes to its digest. */
static void
test_vectors(void **state)
{
	unsigned char d[SHA256_LEN];
	char h[2 * SHA256_LEN + 1], *made;
	size_t i;

	(void)state;
	for (i = 0; i < TU_NITEMS(vectors); i++) {
		made = NULL;
		if (vectors[i].msg == NULL) {
			assert_non_null(made = malloc(vectors[i].n));
			memset(made, vectors[i].fill, vectors[i].n);
		} else
			assert_int_equal(strlen(vectors[i].msg), vectors[i].n);
		sha256(made != NULL ? made : vectors[i].msg, vectors[i].n, d);
		free(made);
		hex(d, h);
		assert_string_equal(h, vectors[i].want);
	}
}

/* Any split of the input gives the one-call digest. */
static void
test_incremental(void **state)
{
	unsigned char msg[300], whole[SHA256_LEN], part[SHA256_LEN];
	struct sha256 c;
	size_t i, step, off, n;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 7 + 3);
	sha256(msg, sizeof(msg), whole);
	for (step = 1; step <= 130; step++) {
		sha256_init(&c);
		for (off = 0; off < sizeof(msg); off += n) {
			n = sizeof(msg) - off < step ? sizeof(msg) - off : step;
			sha256_update(&c, msg + off, n);
		}
		sha256_update(&c, msg, 0);
		sha256_final(&c, part);
		assert_memory_equal(whole, part, SHA256_LEN);
	}
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_vectors),
	cmocka_unit_test(test_incremental),
)
