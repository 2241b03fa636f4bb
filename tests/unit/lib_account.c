/*
 * lib_account.c — unit tests of lib/account.c: the merge of a profile and
 * tokens from Spotify into a stored user record, and what a new
 * authorization does to the schedule, as each caller did it before they
 * shared it:
 *   the collector's token refresh, and its write of the new tokens
 *   the collector's profile job
 *   the collector's add-user of a known user
 *   the reader's sign-in (fcgi/api_auth.c)
 * Each test builds what the caller's own copy produced field by field and
 * compares the whole record, so a field merged by mistake fails too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "account.h"
#include "schema.h"
#include "testutil.h"

/* What fill_alice() gives alice: her profile, her tokens, her status. */
struct alice {
	const char	*name, *country, *product, *image_url;
	const char	*access, *refresh;
	int64_t		 expires, authorized_at;
	uint8_t		 status;
};

/* Zeroes *u, then makes it alice with what a says. */
static void
fill_alice(struct user *u, const struct alice *a)
{
	memset(u, 0, sizeof(*u));
	strlcpy(u->id, "alice", sizeof(u->id));
	strlcpy(u->display_name, a->name, sizeof(u->display_name));
	strlcpy(u->country, a->country, sizeof(u->country));
	strlcpy(u->product, a->product, sizeof(u->product));
	strlcpy(u->image_url, a->image_url, sizeof(u->image_url));
	strlcpy(u->access_token, a->access, sizeof(u->access_token));
	strlcpy(u->refresh_token, a->refresh, sizeof(u->refresh_token));
	u->token_expires = a->expires;
	u->authorized_at = a->authorized_at;
	u->status = a->status;
}

/* A stored record: every field set, so nothing can pass for untouched. */
static void
fill_stored(struct user *u)
{
	static const struct alice stored = {
		.name = "Alice", .country = "SE", .product = "free",
		.image_url = "https://i.example/old.jpg",
		.access = "old-access", .refresh = "old-refresh",
		.expires = 1000, .authorized_at = 500, .status = USER_REAUTH,
	};

	fill_alice(u, &stored);
	u->visibility = VIS_PUBLIC;
	strcpy(u->timezone, "Europe/Stockholm");
	strcpy(u->dw_playlist, "37i9dQZEVXcJZyENOWUFo7");
	u->n_archive = 0;
	u->created_at = 400;
	u->cursor_ms = 123456789;
	u->offset_s = 77;
	u->next_plays = u->next_top = u->next_dw = u->next_profile = 9999;
	u->failures = 2;
	strcpy(u->last_error, "profile: HTTP 500");
	u->n_plays = 42;
}

/* What Spotify said: a different value in every field. */
static void
fill_said(struct user *u, const char *refresh)
{
	const struct alice said = {
		.name = "Alice Ö", .country = "NO", .product = "premium",
		.image_url = "https://i.example/new.jpg",
		.access = "new-access", .refresh = refresh,
		.expires = 5000, .authorized_at = 4000, .status = USER_ACTIVE,
	};

	fill_alice(u, &said);
	u->created_at = 3000;
	u->cursor_ms = 1;
	u->n_plays = 1;
}

/* The profile as the callers copied it, field by field. */
static void
old_profile(struct user *cur, const struct user *me)
{
	memcpy(cur->display_name, me->display_name, sizeof(cur->display_name));
	memcpy(cur->country, me->country, sizeof(cur->country));
	memcpy(cur->product, me->product, sizeof(cur->product));
	memcpy(cur->image_url, me->image_url, sizeof(cur->image_url));
}

/* The tokens as the callers copied them: access, refresh and their end. */
static void
old_tokens(struct user *cur, const struct user *t)
{
	memcpy(cur->access_token, t->access_token, sizeof(cur->access_token));
	memcpy(cur->refresh_token, t->refresh_token,
	    sizeof(cur->refresh_token));
	cur->token_expires = t->token_expires;
}

/*
 * Asserts account_apply() of parts, with what Spotify said (its refresh
 * token refresh, not empty), moves into the stored record (its time zone
 * changed to tz first, unless NULL) exactly the fields the callers
 * copied, nothing else.
 */
static void
assert_apply(unsigned parts, const char *refresh, const char *tz)
{
	struct user cur, said, want;

	fill_stored(&cur);
	if (tz != NULL)
		strlcpy(cur.timezone, tz, sizeof(cur.timezone));
	fill_said(&said, refresh);
	want = cur;
	if (parts & ACCOUNT_BIT(ACCOUNT_PROFILE))
		old_profile(&want, &said);
	if (parts & ACCOUNT_BIT(ACCOUNT_TOKENS))
		old_tokens(&want, &said);
	account_apply(&said, parts, &cur);
	assert_memory_equal(&cur, &want, sizeof(cur));
}

/*
 * Proves the token refresh's rule: a rotated refresh token replaces the
 * old one, an answer without one keeps it; the access token and its end
 * are always the answer's; nothing else moves.
 */
static void
test_refresh(void **state)
{
	struct user u, got, want;

	(void)state;
	fill_stored(&u);
	want = u;
	fill_said(&got, "");
	account_apply(&got, ACCOUNT_BIT(ACCOUNT_TOKENS), &u);
	memcpy(want.access_token, got.access_token, sizeof(want.access_token));
	want.token_expires = 5000;
	assert_memory_equal(&u, &want, sizeof(u));

	fill_said(&got, "rotated");
	account_apply(&got, ACCOUNT_BIT(ACCOUNT_TOKENS), &u);
	memcpy(want.refresh_token, got.refresh_token,
	    sizeof(want.refresh_token));
	assert_memory_equal(&u, &want, sizeof(u));
}

/*
 * Proves the refreshed tokens' write: the task's tokens go into the
 * record read again in the transaction, whose settings (changed
 * meanwhile by the web) and schedule stay.
 */
static void
test_tokens_write(void **state)
{
	(void)state;
	assert_apply(ACCOUNT_BIT(ACCOUNT_TOKENS), "rotated",
	    "Asia/Tokyo");	/* changed meanwhile */
}

/* Proves the profile job: the four fields of /v1/me, nothing else. */
static void
test_profile(void **state)
{
	(void)state;
	assert_apply(ACCOUNT_BIT(ACCOUNT_PROFILE), "never-taken", NULL);
}

/*
 * Proves add-user of a known user: its tokens and profile replace the
 * stored ones (status, authorization time and schedule are the caller's).
 */
static void
test_add_user(void **state)
{
	(void)state;
	assert_apply(ACCOUNT_BIT(ACCOUNT_PROFILE) |
	    ACCOUNT_BIT(ACCOUNT_TOKENS), "given-or-rotated", NULL);
}

/*
 * Proves the sign-in of a returning user: profile and tokens as add-user.
 * The sign-in's own copy took the refresh token as it came, even empty;
 * the code exchange refuses an answer without one (fcgi/accounts.c), so
 * it never met one.  The shared rule keeps the old token then: a record
 * with no refresh token could never be polled again.
 */
static void
test_sign_in(void **state)
{
	struct user u, me, want;

	(void)state;
	fill_stored(&u);
	fill_said(&me, "from-code");
	want = u;
	old_profile(&want, &me);
	old_tokens(&want, &me);
	account_apply(&me, ACCOUNT_BIT(ACCOUNT_PROFILE), &u);
	account_apply(&me, ACCOUNT_BIT(ACCOUNT_TOKENS), &u);
	assert_memory_equal(&u, &want, sizeof(u));

	/* Where the copies drifted: no refresh token keeps the old one. */
	fill_stored(&u);
	fill_said(&me, "");
	account_apply(&me, ACCOUNT_BIT(ACCOUNT_TOKENS), &u);
	assert_string_equal(u.refresh_token, "old-refresh");
	assert_string_equal(u.access_token, "new-access");
}

/* Proves no part asked for means no change. */
static void
test_nothing(void **state)
{
	(void)state;
	assert_apply(0, "x", NULL);
}

/*
 * Proves the wipe clears both tokens to their last byte (a token of the
 * full TOKEN_MAX bytes included) and leaves every other field as it was.
 */
static void
test_wipe_tokens(void **state)
{
	static const char zero[TOKEN_MAX + 1];
	struct user u, want;

	(void)state;
	fill_stored(&u);
	memset(u.access_token, 'a', TOKEN_MAX);
	want = u;
	memset(want.access_token, 0, sizeof(want.access_token));
	memset(want.refresh_token, 0, sizeof(want.refresh_token));
	account_wipe_tokens(&u);
	assert_memory_equal(u.access_token, zero, sizeof(zero));
	assert_memory_equal(u.refresh_token, zero, sizeof(zero));
	assert_memory_equal(&u, &want, sizeof(u));
}

/*
 * Proves a new authorization sets its time and makes each of the four
 * collections due at once (0), as the sign-in and add-user each did
 * field by field, and moves nothing else.
 */
static void
test_authorized(void **state)
{
	struct user u, want;

	(void)state;
	fill_stored(&u);
	want = u;
	want.authorized_at = 7000;
	want.next_plays = want.next_top = want.next_dw = want.next_profile = 0;
	account_authorized(&u, 7000);
	assert_memory_equal(&u, &want, sizeof(u));
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_wipe_tokens),
	cmocka_unit_test(test_authorized),
	cmocka_unit_test(test_refresh),
	cmocka_unit_test(test_tokens_write),
	cmocka_unit_test(test_profile),
	cmocka_unit_test(test_add_user),
	cmocka_unit_test(test_sign_in),
	cmocka_unit_test(test_nothing),
)
