/*
 * collector_cadence.c — unit tests of the adaptive plays interval: each
 * rule of cadence_choose alone (fixed schedule, a recent gap, plays found,
 * a new user, a week of journal known at enrolment, idleness, the
 * hour-of-week profile, the densest listening),
 * the densest span of hand-made journals, next poll times that stay on the
 * user's slot grid, and cadence_apply on a real store (a user who once
 * played 60 tracks in 40 minutes never gets an interval over 33 minutes;
 * a recorded gap drops a user to the floor; the record survives in the
 * store and reads back for the users command; the first recently-played
 * page or an imported history ends a new user's learning week as soon as
 * the journal covers a week).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../collector/cadence.h"
#include "../../collector/sched.h"
#include "config.h"
#include "testutil.h"

#define MIN	60
#define HOUR	3600
#define DAY	86400
#define NOW	1767571200LL	/* 2026-01-05T00:00:00Z */

/* A user idle for idle_s, known for 30 days, densest 50 plays in 4 h. */
static struct cadence_in
base_in(int64_t idle_s)
{
	struct cadence_in in;

	memset(&in, 0, sizeof(in));
	in.now_s = NOW;
	in.floor_s = 20 * MIN;
	in.ceiling_s = 120 * MIN;
	in.adaptive = 1;
	in.last_play_ms = (NOW - idle_s) * 1000;
	in.since_s = NOW - 30 * DAY;
	in.dense_ms = 4LL * HOUR * 1000;
	in.weeks = CADENCE_WEEKS;
	return in;
}

/* Asserts that cadence_choose(in) polls every interval_s, for why. */
static void
assert_choice(const struct cadence_in *in, enum cadence_why why,
    int32_t interval_s)
{
	struct cadence_out out;

	cadence_choose(in, &out);
	assert_int_equal(out.why, why);
	assert_int_equal(out.interval_s, interval_s);
}

/* A fixed schedule, and plays just found, keep the floor. */
static void
test_fixed_or_found_is_the_floor(void **state)
{
	struct cadence_in in = base_in(10 * HOUR);

	(void)state;
	in.adaptive = 0;
	assert_choice(&in, CADENCE_FIXED, 20 * MIN);
	in = base_in(10 * HOUR);
	in.found = 1;
	assert_choice(&in, CADENCE_ACTIVE, 20 * MIN);
}

static void
test_idle_grows_to_the_ceiling_in_floor_steps(void **state)
{
	static const struct { int64_t idle, want; } cases[] = {
		{ 5 * MIN, 20 * MIN },	/* under the floor: the floor */
		{ 39 * MIN, 20 * MIN },
		{ 45 * MIN, 40 * MIN },
		{ 70 * MIN, 60 * MIN },
		{ 3 * HOUR, 120 * MIN },	/* the ceiling */
		{ 3 * DAY, 120 * MIN },
	};
	struct cadence_out out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cadence_in in = base_in(cases[i].idle);

		cadence_choose(&in, &out);
		assert_int_equal(out.interval_s, cases[i].want);
		assert_int_equal(out.why, CADENCE_IDLE);
		assert_int_equal(out.interval_s % in.floor_s, 0);
		assert_false(out.dense_capped);
	}
}

static void
test_a_gap_drops_to_the_floor_for_a_day(void **state)
{
	struct cadence_in in = base_in(10 * HOUR);

	(void)state;
	in.last_gap_s = NOW;
	assert_choice(&in, CADENCE_GAP, 20 * MIN);
	in.last_gap_s = NOW - CADENCE_RECOVER_S + 1;
	assert_choice(&in, CADENCE_GAP, 20 * MIN);
	in.last_gap_s = NOW - CADENCE_RECOVER_S;
	assert_choice(&in, CADENCE_IDLE, 120 * MIN);
}

static void
test_new_users_are_learned_at_the_floor(void **state)
{
	struct cadence_in in = base_in(10 * HOUR);

	(void)state;
	in.since_s = NOW - CADENCE_LEARN_MIN_S + 1;
	assert_choice(&in, CADENCE_LEARNING, 20 * MIN);
	/* pace known: adaptive after the minimum */
	in.since_s = NOW - CADENCE_LEARN_MIN_S;
	assert_choice(&in, CADENCE_IDLE, 120 * MIN);
	/* never 50 plays yet: learning goes on, up to the maximum */
	in.dense_ms = 0;
	assert_choice(&in, CADENCE_LEARNING, 20 * MIN);
	in.since_s = NOW - CADENCE_LEARN_MAX_S;
	assert_choice(&in, CADENCE_IDLE, 120 * MIN);
}

static void
test_a_known_week_ends_learning(void **state)
{
	struct cadence_in in = base_in(10 * HOUR);
	struct cadence_out out;

	(void)state;
	/* enrolled an hour ago, the first page went back 6 days: learning */
	in.since_s = NOW - HOUR;
	in.known_s = NOW - 6 * DAY;
	assert_choice(&in, CADENCE_LEARNING, 20 * MIN);
	/* ... a week back: known as if watched for a week */
	in.known_s = NOW - CADENCE_LEARN_MIN_S;
	assert_choice(&in, CADENCE_IDLE, 120 * MIN);
	/* the densest listening found there still sets the limit */
	in.dense_ms = 49LL * 30000;
	cadence_choose(&in, &out);
	assert_int_equal(out.interval_s, 20 * MIN);
	assert_true(out.dense_capped);
	/* fewer than 50 plays ever: learning goes on, from enrolment */
	in.dense_ms = 0;
	assert_choice(&in, CADENCE_LEARNING, 20 * MIN);
	/* a journal newer than enrolment does not shorten the week */
	in.dense_ms = 4LL * HOUR * 1000;
	in.since_s = NOW - 6 * DAY;
	in.known_s = NOW - HOUR;
	assert_choice(&in, CADENCE_LEARNING, 20 * MIN);
	in.since_s = NOW - CADENCE_LEARN_MIN_S;
	assert_choice(&in, CADENCE_IDLE, 120 * MIN);
}

static void
test_usual_hours_halve_the_reach(void **state)
{
	struct cadence_in in = base_in(10 * HOUR);

	(void)state;
	in.usual_weeks = 2;	/* 2 of 4 past weeks had plays now */
	assert_choice(&in, CADENCE_USUAL, 60 * MIN);	/* 70 min, floored */
	in.usual_weeks = 1;
	assert_choice(&in, CADENCE_IDLE, 120 * MIN);
}

/* 60 plays evenly spread over 40 minutes, ending at end_ms. */
static void
journal_60_in_40(int64_t *t, int64_t end_ms)
{
	int i;

	for (i = 0; i < 60; i++)
		t[i] = end_ms - 40LL * 60000 + (int64_t)i * 40 * 60000 / 59;
}

static void
test_densest_listening_caps_the_interval(void **state)
{
	int64_t t[60], span;
	struct cadence_out out;
	int32_t floors[] = { 60, 5 * MIN, 20 * MIN };
	size_t f;

	(void)state;
	journal_60_in_40(t, NOW * 1000 - 10 * DAY * 1000LL);
	span = cadence_min_span(t, 60, CADENCE_PLAYS);
	assert_true(span > 33 * 60000 && span < 34 * 60000);
	for (f = 0; f < sizeof(floors) / sizeof(floors[0]); f++) {
		struct cadence_in in = base_in(3 * DAY);

		in.floor_s = floors[f];
		in.dense_ms = span;
		cadence_choose(&in, &out);
		assert_true(out.interval_s <= 33 * MIN);
		assert_true(out.interval_s >= in.floor_s);
		assert_true(out.dense_capped);
		assert_int_equal(out.why, CADENCE_IDLE);
	}
	/* a listener of 4-minute songs: 50 take 196 min, the ceiling rules */
	{
		struct cadence_in in = base_in(3 * DAY);

		in.dense_ms = 49LL * 4 * 60000;
		cadence_choose(&in, &out);
		assert_int_equal(out.interval_s, 120 * MIN);
		assert_false(out.dense_capped);
	}
	/* 50 plays of 30 s (25 min): nothing above the floor of 20 */
	{
		struct cadence_in in = base_in(3 * DAY);

		in.dense_ms = 49LL * 30000;
		cadence_choose(&in, &out);
		assert_int_equal(out.interval_s, 20 * MIN);
	}
}

static void
test_min_span(void **state)
{
	int64_t asc[] = { 0, 10, 20, 25, 100, 101, 102 };
	int64_t desc[] = { 102, 101, 100, 25, 20, 10, 0 };

	(void)state;
	assert_int_equal(cadence_min_span(asc, 7, 3), 2);
	assert_int_equal(cadence_min_span(desc, 7, 3), 2);
	assert_int_equal(cadence_min_span(asc, 7, 7), 102);
	assert_int_equal(cadence_min_span(asc, 2, 3), 0);
	assert_int_equal(cadence_min_span(asc, 7, 1), 0);
}

static void
test_next_poll_stays_on_the_grid(void **state)
{
	int32_t floor_s = 1200, k, offset;
	int64_t now, next;

	(void)state;
	for (offset = 0; offset < floor_s; offset += 137) {
		for (now = NOW; now < NOW + 3 * floor_s; now += 77) {
			/* the floor: exactly today's fixed schedule */
			assert_int_equal(cadence_next_poll(now, offset,
			    floor_s, floor_s),
			    sched_next_slot(now, offset, floor_s));
			for (k = 1; k <= 6; k++) {
				next = cadence_next_poll(now, offset, floor_s,
				    k * floor_s);
				assert_int_equal((next - offset) % floor_s, 0);
				assert_true(next > now);
				assert_true(next - now <= k * floor_s);
				assert_true(next - now > (k - 1) * floor_s);
			}
		}
	}
}

/* ---- on a store ------------------------------------------------------------ */

struct apply_arg {
	const struct config *cfg;
	struct user	*u;
	int64_t		 prev_cursor;
	const int64_t	*plays;
	size_t		 n;
	int		 gap;
};

/* Stores a's plays from src; recently-played ones move the cursor. */
static int
put_plays(struct store_txn *txn, struct apply_arg *a, enum play_source src)
{
	struct play p;
	size_t i;

	for (i = 0; i < a->n; i++) {
		tu_play(&p, a->plays[i], (int)i);
		p.source = (uint8_t)src;
		if (store_put_play(txn, a->u->id, &p) == STORE_ERR)
			return -1;
		if (src == SOURCE_API && p.played_at > a->u->cursor_ms)
			a->u->cursor_ms = p.played_at;
	}
	return 0;
}

static int
apply_wr(struct store_txn *txn, void *arg)
{
	struct apply_arg *a = arg;
	struct gap g;

	if (put_plays(txn, a, SOURCE_API) == -1)
		return -1;
	if (a->gap) {
		memset(&g, 0, sizeof(g));
		g.from_ms = a->u->cursor_ms - 3600000;
		g.to_ms = a->u->cursor_ms - 60000;
		g.reason = GAP_OVERFLOW;
		g.recorded_at = a->u->last_poll;
		if (store_put_gap(txn, a->u->id, &g) == STORE_ERR)
			return -1;
	}
	return cadence_apply(txn, a->cfg, a->u, a->prev_cursor);
}

struct desc_arg {
	const char	*id;
	char		 line[256];
};

static int
desc_rd(struct store_txn *txn, void *arg)
{
	struct desc_arg *d = arg;

	return cadence_describe(txn, d->id, d->line, sizeof(d->line));
}

static int
forget_wr(struct store_txn *txn, void *arg)
{
	return cadence_forget(txn, arg);
}

static void
test_apply_on_a_journal(void **state)
{
	struct tu_fx *fx = *state;
	struct config *cfg;
	struct user u;
	struct apply_arg a;
	struct desc_arg d;
	int64_t t[60], one[1];
	char err[256];

	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	memset(&u, 0, sizeof(u));
	(void)strlcpy(u.id, "dense", sizeof(u.id));
	u.created_at = NOW - 30 * DAY;
	u.offset_s = 321;
	u.last_poll = NOW;
	/* 60 plays in 40 minutes ten days ago; idle since. */
	journal_60_in_40(t, (NOW - 10 * DAY) * 1000);
	memset(&a, 0, sizeof(a));
	a.cfg = cfg;
	a.u = &u;
	a.prev_cursor = 0;
	a.plays = t;
	a.n = 60;
	assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
	/* found plays (the cursor moved): the floor */
	assert_true(u.next_plays - NOW <= 20 * MIN);
	/* the next poll finds nothing: idle 10 days, capped by 33 min */
	u.last_poll = NOW + 20 * MIN;
	a.prev_cursor = u.cursor_ms;
	a.n = 0;
	assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
	assert_true(u.next_plays - u.last_poll <= 33 * MIN);
	assert_int_equal((u.next_plays - u.offset_s) % (20 * MIN), 0);
	d.id = "dense";
	assert_int_equal(store_read(fx->st, desc_rd, &d), STORE_OK);
	assert_non_null(strstr(d.line, "every 20 min: idle since "));
	assert_non_null(strstr(d.line, "50 plays in 33 min"));

	/* a slow listener, 4-minute songs: the ceiling, then a gap: floor */
	(void)strlcpy(u.id, "slow", sizeof(u.id));
	u.cursor_ms = 0;
	u.last_poll = NOW;
	{
		int64_t s[60];
		int i;

		for (i = 0; i < 60; i++)
			s[i] = (NOW - 10 * DAY) * 1000 + (int64_t)i * 240000;
		a.plays = s;
		a.n = 60;
		a.prev_cursor = 0;
		assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
		u.last_poll = NOW + 20 * MIN;
		a.prev_cursor = u.cursor_ms;
		a.n = 0;
		assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
		assert_true(u.next_plays - u.last_poll > 100 * MIN);
		assert_true(u.next_plays - u.last_poll <= 120 * MIN);
	}
	/* a gap recorded by this poll (with one new play): the floor */
	u.last_poll = NOW + 200 * MIN;
	one[0] = (NOW + 190 * MIN) * 1000;
	a.plays = one;
	a.n = 1;
	a.prev_cursor = u.cursor_ms;
	a.gap = 1;
	assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	/* and it stays there while idle, the day after the gap */
	u.last_poll = NOW + 600 * MIN;
	a.n = 0;
	a.gap = 0;
	a.prev_cursor = u.cursor_ms;
	assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	d.id = "slow";
	assert_int_equal(store_read(fx->st, desc_rd, &d), STORE_OK);
	assert_non_null(strstr(d.line, "recovering from a gap"));
	/* no record yet: nothing to say */
	d.id = "nobody";
	assert_int_equal(store_read(fx->st, desc_rd, &d), STORE_OK);
	assert_string_equal(d.line, "");
	/* remove-user forgets it */
	{
		char slow[] = "slow";

		assert_int_equal(store_write(fx->st, forget_wr, slow),
		    STORE_OK);
	}
	d.id = "slow";
	assert_int_equal(store_read(fx->st, desc_rd, &d), STORE_OK);
	assert_string_equal(d.line, "");
	config_free(cfg);
}

/* n plays evenly spread over span_ms, the newest at end_ms. */
static void
journal_spread(int64_t *t, size_t n, int64_t end_ms, int64_t span_ms)
{
	size_t i;

	for (i = 0; i < n; i++)
		t[i] = end_ms - span_ms + (int64_t)i * span_ms /
		    (int64_t)(n - 1);
}

/* One plays poll of u at at_s that stores n plays (n = 0: found none). */
static void
poll_at(struct tu_fx *fx, struct apply_arg *a, int64_t at_s,
    const int64_t *plays, size_t n)
{
	a->u->last_poll = at_s;
	a->prev_cursor = a->u->cursor_ms;
	a->plays = plays;
	a->n = n;
	assert_int_equal(store_write(fx->st, apply_wr, a), STORE_OK);
}

/* What the importer does: store a history, ask for a whole scan. */
static int
import_wr(struct store_txn *txn, void *arg)
{
	struct apply_arg *a = arg;

	if (put_plays(txn, a, SOURCE_EXTENDED) == -1)
		return -1;
	return cadence_rec_rescan(txn, a->u->id);
}

/*
 * A user enrolled at NOW, whose first plays poll stores page (50 plays
 * spread over span_ms, the newest 10 hours ago or at end_ms), and whose
 * next poll, 20 minutes later, finds nothing.
 */
static void
enrol(struct tu_fx *fx, struct apply_arg *a, const char *id, int64_t end_ms,
    int64_t span_ms)
{
	int64_t page[50];

	memset(a->u, 0, sizeof(*a->u));
	(void)strlcpy(a->u->id, id, sizeof(a->u->id));
	a->u->created_at = NOW;
	a->u->offset_s = 100 + (int32_t)strlen(id) * 7;
	journal_spread(page, 50, end_ms != 0 ? end_ms :
	    (NOW - 10 * HOUR) * 1000, span_ms);
	poll_at(fx, a, NOW, page, 50);
	assert_true(a->u->next_plays - NOW <= 20 * MIN);
	poll_at(fx, a, NOW + 20 * MIN, NULL, 0);
}

static void
test_the_first_page_tells_the_pace(void **state)
{
	struct tu_fx *fx = *state;
	struct config *cfg;
	struct user u;
	struct apply_arg a;
	struct desc_arg d;
	int64_t hist[60];
	char err[256];

	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	memset(&a, 0, sizeof(a));
	a.cfg = cfg;
	a.u = &u;

	/*
	 * A light listener enrolled now: their last 50 plays took 9 days.
	 * The first poll after the one that stored them finds nothing and
	 * is not learning any more.
	 */
	enrol(fx, &a, "light", 0, 9 * DAY * 1000LL);
	assert_true(u.next_plays - u.last_poll > 100 * MIN);
	assert_true(u.next_plays - u.last_poll <= 120 * MIN);

	/*
	 * A steadier one: 50 plays in 2 days, the newest 10 hours ago.
	 * Learning at the floor until the journal covers a week, 4 days and
	 * 14 hours from now.
	 */
	enrol(fx, &a, "steady", 0, 2 * DAY * 1000LL);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	poll_at(fx, &a, NOW + 4 * DAY + 13 * HOUR, NULL, 0);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	poll_at(fx, &a, NOW + 4 * DAY + 14 * HOUR, NULL, 0);
	assert_true(u.next_plays - u.last_poll > 100 * MIN);

	/*
	 * A skimmer: their 50 plays of 30 s 3 days ago are the whole first
	 * page.  After the week they are never polled less often than the
	 * floor: 50 plays in 24.5 minutes allow no more.
	 */
	enrol(fx, &a, "skim", (NOW - 3 * DAY) * 1000, 49 * 30000LL);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	poll_at(fx, &a, NOW + 4 * DAY + HOUR, NULL, 0);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	d.id = "skim";
	assert_int_equal(store_read(fx->st, desc_rd, &d), STORE_OK);
	assert_non_null(strstr(d.line, "every 20 min: idle since "));
	assert_non_null(strstr(d.line, "which sets the limit"));

	/*
	 * A history imported a day after enrolment: a year ago, 60 plays
	 * in 80 minutes (50 in 66).  The importer asks for a whole scan
	 * again; the next poll knows the pace (no more learning) and the
	 * densest listening, which sets the limit (an hour).  Without the
	 * rescan, still learning.
	 */
	enrol(fx, &a, "imported", 0, 2 * DAY * 1000LL);
	poll_at(fx, &a, NOW + DAY, NULL, 0);
	assert_true(u.next_plays - u.last_poll <= 20 * MIN);
	journal_spread(hist, 60, (NOW - 365 * DAY) * 1000, 80 * MIN * 1000LL);
	a.plays = hist;
	a.n = 60;
	assert_int_equal(store_write(fx->st, import_wr, &a), STORE_OK);
	poll_at(fx, &a, NOW + DAY + 20 * MIN, NULL, 0);
	assert_true(u.next_plays - u.last_poll > 40 * MIN);
	assert_true(u.next_plays - u.last_poll <= 60 * MIN);
	d.id = "imported";
	assert_int_equal(store_read(fx->st, desc_rd, &d), STORE_OK);
	assert_non_null(strstr(d.line, "50 plays in 66 min at the densest, "
	    "which sets the limit"));
	/* the rescan of a user never polled is nothing */
	(void)strlcpy(u.id, "nobody", sizeof(u.id));
	a.n = 0;
	assert_int_equal(store_write(fx->st, import_wr, &a), STORE_OK);
	config_free(cfg);
}

static void
test_fixed_option_on_a_store(void **state)
{
	struct tu_fx *fx = *state;
	struct config *cfg;
	struct user u;
	struct apply_arg a;
	char err[256];

	setenv("LINERNOTES_POLL_ADAPTIVE", "0", 1);
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	unsetenv("LINERNOTES_POLL_ADAPTIVE");
	memset(&u, 0, sizeof(u));
	(void)strlcpy(u.id, "fixed", sizeof(u.id));
	u.created_at = NOW - 30 * DAY;
	u.cursor_ms = (NOW - 10 * DAY) * 1000;
	u.offset_s = 77;
	u.last_poll = NOW;
	memset(&a, 0, sizeof(a));
	a.cfg = cfg;
	a.u = &u;
	a.prev_cursor = u.cursor_ms;
	assert_int_equal(store_write(fx->st, apply_wr, &a), STORE_OK);
	assert_int_equal(u.next_plays, sched_next_slot(NOW, 77, 1200));
	config_free(cfg);
}

TU_FX_SETUP(setup, "cadence")

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_fixed_or_found_is_the_floor),
	cmocka_unit_test(test_idle_grows_to_the_ceiling_in_floor_steps),
	cmocka_unit_test(test_a_gap_drops_to_the_floor_for_a_day),
	cmocka_unit_test(test_new_users_are_learned_at_the_floor),
	cmocka_unit_test(test_a_known_week_ends_learning),
	cmocka_unit_test(test_usual_hours_halve_the_reach),
	cmocka_unit_test(test_densest_listening_caps_the_interval),
	cmocka_unit_test(test_min_span),
	cmocka_unit_test(test_next_poll_stays_on_the_grid),
	cmocka_unit_test_setup_teardown(test_apply_on_a_journal, setup,
	    tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_the_first_page_tells_the_pace,
	    setup, tu_fx_teardown),
	cmocka_unit_test_setup_teardown(test_fixed_option_on_a_store,
	    setup, tu_fx_teardown),
)
