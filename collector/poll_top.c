/*
 * poll_top.c — the two jobs that keep a snapshot of what Spotify says
 * about a user: the top lists and the profile.
 *
 * top reads the TOP_N lists (tracks and artists, for each time range) one
 * request each and writes them, with their entities, in one transaction:
 * a list is stored as a new snapshot only when it changed since the
 * newest one; otherwise the newest is confirmed (its confirmed_at moves,
 * its day stays).
 *
 * profile reads /v1/me and merges its four profile fields into the user
 * record (lib/account.h), refusing an answer that names another user.
 */
#include <string.h>

#include "account.h"
#include "ids.h"
#include "oauth.h"
#include "poll_task.h"
#include "store.h"
#include "timeutil.h"

/* ---- top lists ----------------------------------------------------------- */

static void	top_on_page(struct task *, enum spotify_result, long,
		    const cJSON *);

static void
top_request(struct task *t)
{
	struct top_state *ts = &t->state.top;
	unsigned kind = ts->i / RANGE__MAX, range = ts->i % RANGE__MAX;

	poll_request_get(t, top_on_page, "/me/top/%s?time_range=%s&limit=%d",
	    kind == TOP_TRACKS ? "tracks" : "artists",
	    schema_ranges[range], PAGE_LIMIT);
}

void
poll_top_start(struct task *t)
{
	struct top_state *ts = &t->state.top;
	unsigned i;

	for (i = 0; i < TOP_N; i++)
		parse_set_free(&ts->lists[i]);
	ts->i = 0;
	top_request(t);
}

static int
wr_top_user(struct store_txn *txn, struct user *cur, void *arg)
{
	struct task *t = arg;
	struct top_state *ts = &t->state.top;
	struct top_snapshot snap, latest;
	struct ids_list l = IDS_LIST_INIT;
	unsigned i;
	size_t j;
	int rc, same;

	for (i = 0; i < TOP_N; i++) {
		if (poll_plays_put_entities(txn, &ts->lists[i]) == -1)
			goto fail_list;
		ids_list_reset(&l);
		for (j = 0; j < ts->lists[i].n_ids; j++)
			if (ids_list_add(&l, ts->lists[i].ids[j]) == -1)
				goto fail_list;
		memset(&snap, 0, sizeof(snap));
		snap.kind = (uint8_t)(i / RANGE__MAX);
		snap.range = (uint8_t)(i % RANGE__MAX);
		snap.day = time_day(time_now_ms());
		snap.confirmed_at = poll_now_s();
		snap.ids = ids_list_view(&l);
		rc = store_latest_top(txn, t->u.id, snap.kind, snap.range,
		    &latest);
		if (rc == STORE_ERR)
			goto fail_list;
		same = rc == STORE_OK && latest.ids.n == snap.ids.n &&
		    (snap.ids.n == 0 || memcmp(latest.ids.ids, snap.ids.ids,
		    (size_t)snap.ids.n * ID_LEN) == 0);
		if (same)
			snap.day = latest.day;	/* confirm, do not copy */
		if (store_put_top(txn, t->u.id, &snap) == STORE_ERR)
			goto fail_list;
	}
	ids_list_free(&l);
	poll_apply_status(t, cur, 1, NULL);
	return store_put_user(txn, cur) == STORE_ERR ? -1 : 0;

fail_list:
	ids_list_free(&l);
	return -1;
}

static void
top_on_page(struct task *t, enum spotify_result r, long status,
    const cJSON *doc)
{
	struct top_state *ts = &t->state.top;
	unsigned kind = ts->i / RANGE__MAX;

	if (r != SPOTIFY_OK) {
		poll_request_fail(t, "top lists", r, status);
		return;
	}
	if (parse_top_page(doc, kind == TOP_ARTISTS, &ts->lists[ts->i]) ==
	    -1) {
		poll_job_end(t, 0, "top lists: unusable response");
		return;
	}
	if (++ts->i < TOP_N) {
		top_request(t);
		return;
	}
	if (poll_write_user(t, wr_top_user, t) == -1) {
		poll_job_end(t, 0, "top lists: cannot write to the store");
		return;
	}
	poll_job_end(t, 1, NULL);
}

void
poll_top_free(struct task *t)
{
	unsigned i;

	for (i = 0; i < TOP_N; i++)
		parse_set_free(&t->state.top.lists[i]);
}

/* ---- profile ------------------------------------------------------------- */

static void	profile_on_me(struct task *, enum spotify_result, long,
		    const cJSON *);

void
poll_top_start_profile(struct task *t)
{
	poll_request_get(t, profile_on_me, "/me");
}

static int
wr_profile_user(struct store_txn *txn, struct user *cur, void *arg)
{
	struct task *t = arg;
	struct profile_state *pf = &t->state.profile;

	account_apply(&pf->me, ACCOUNT_BIT(ACCOUNT_PROFILE), cur);
	poll_apply_status(t, cur, 1, NULL);
	return store_put_user(txn, cur) == STORE_ERR ? -1 : 0;
}

static void
profile_on_me(struct task *t, enum spotify_result r, long status,
    const cJSON *doc)
{
	struct profile_state *pf = &t->state.profile;
	if (r != SPOTIFY_OK) {
		poll_request_fail(t, "profile", r, status);
		return;
	}
	memset(&pf->me, 0, sizeof(pf->me));
	if (oauth_parse_me(doc, &pf->me) == -1) {
		poll_job_end(t, 0, "profile: unusable response");
		return;
	}
	if (strcmp(pf->me.id, t->u.id) != 0) {
		poll_job_end(t, 0, "profile: /me names another user");
		return;
	}
	if (poll_write_user(t, wr_profile_user, t) == -1) {
		poll_job_end(t, 0, "profile: cannot write to the store");
		return;
	}
	poll_job_end(t, 1, NULL);
}
