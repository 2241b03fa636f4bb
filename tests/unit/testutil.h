/*
 * testutil.h — what the unit tests and the test tools (tests/tools/) share:
 * a store opened in a fresh temporary directory and removed afterwards
 * (the cmocka fixture struct tu_fx), removing a directory tree, the seeded
 * xorshift generator that makes "random" tests repeatable, and the
 * synthetic track ids of the store tests.
 *
 * Header-only, every function static inline, so that each test program
 * still links lib/ only and unused helpers cost nothing.  No cmocka here:
 * the tools include it too.
 *
 * Error convention: 0 / -1, like lib/.
 */
#ifndef LN_TESTUTIL_H
#define LN_TESTUTIL_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "schema.h"
#include "store.h"

/* A store open in its own directory, for one test. */
struct tu_fx {
	char		 dir[64];
	struct store	*st;
};

static inline int
tu_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Removes top and everything below it.  Returns 0, or -1. */
static inline int
tu_rmtree(const char *top)
{
	return nftw(top, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/*
 * cmocka setup: logs as prog to stderr, makes /tmp/ln-<prog>-XXXXXX and
 * opens a writable store in it.  *state gets the struct tu_fx, which
 * tu_fx_teardown() closes, removes and frees.  Returns 0, or -1 with
 * nothing left behind.
 */
static inline int
tu_fx_setup(void **state, const char *prog)
{
	struct tu_fx *fx;

	log_init(prog, 0, 0);
	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	if ((size_t)snprintf(fx->dir, sizeof(fx->dir), "/tmp/ln-%s-XXXXXX",
	    prog) >= sizeof(fx->dir) || mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	if (store_open(&fx->st, fx->dir, 0, 0) != STORE_OK) {
		(void)tu_rmtree(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* cmocka teardown of tu_fx_setup(): closes the store, removes its files. */
static inline int
tu_fx_teardown(void **state)
{
	struct tu_fx *fx = *state;

	store_close(fx->st);
	(void)tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

/*
 * The next number of the xorshift64 sequence whose state is *s (never 0).
 * Each test keeps its own seeded state, so its "random" data is the same
 * on every run.
 */
static inline uint64_t
tu_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The id of synthetic track i: "TRACK" and i zero-padded to 22 characters. */
static inline void
tu_track_id(int i, char out[ID_LEN + 1])
{
	snprintf(out, ID_LEN + 1, "TRACK%017d", i);
}

#endif
