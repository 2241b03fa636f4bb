// collector-gaps.test.mjs — a cadence too slow for a heavy listener.
//
// The simulator's user2 is a heavy listener; polled every 6 virtual hours
// over 4 days, many of their plays fall out of Spotify's last-50 window
// before the next poll.  Proves that the recorded gaps cover exactly the
// plays that were lost and nothing else: every play of the truth that is
// not stored lies inside a gap, every gap holds at least one lost play,
// and no stored play lies inside a gap.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { advance, assertConsistent, setup, storedGaps, storedPlays,
	storedUsers, truth } from './collector-lib.mjs';

after(cleanup);

test('a too-slow cadence: gaps cover exactly the lost plays', async () => {
	const { sim, run } = await setup('collector-gaps', { users: 2 });
	const heavy = 'user2';
	const polls = [];
	for (let i = 0; i < 4 * 4; i++) {
		polls.push((await advance(sim, 6 * 3600)).now_ms);
		const r = await run(['poll-once', '--user', heavy, '--jobs', 'plays']);
		assert.equal(r.code, 0, r.stderr);
	}
	const stored = await storedPlays(run, heavy);
	const gaps = await storedGaps(run, heavy);
	const want = await truth(sim, heavy, stored[0].at);
	const have = new Set(stored.map((p) => p.at));
	const lost = want.filter((p) => !have.has(p.at));
	assert.ok(lost.length > 0, 'the heavy listener lost plays at this cadence');
	assert.ok(gaps.length > 0, 'and gaps were recorded');
	console.log(`# ${stored.length} stored, ${lost.length} lost in ${gaps.length} gaps`);
	const inGap = (t) => gaps.some((g) => g.from < t && t < g.to);
	for (const p of lost)
		assert.ok(inGap(p.at), `lost play ${p.at} is not inside a gap`);
	for (const g of gaps) {
		assert.equal(g.reason, 'overflow');
		// The one case no client can tell from a loss: exactly 50 plays
		// since the last poll (Spotify shows the last 50 and no 51st).
		// Such a gap holds no play, and the truth says the poll saw 50.
		const at = polls.find((t) => t >= g.to);
		const seen = want.filter((p) => g.from < p.at && p.at <= at).length;
		assert.ok(lost.some((p) => g.from < p.at && p.at < g.to) || seen === 50,
		    `gap ${g.from}..${g.to} covers no lost play`);
		assert.ok(have.has(g.from) && have.has(g.to),
		    `gap ${g.from}..${g.to} does not end on stored plays`);
	}
	for (const p of stored)
		assert.ok(!inGap(p.at), `stored play ${p.at} inside a gap`);
	const truthAt = new Set(want.map((p) => p.at));
	for (const p of stored)
		assert.ok(truthAt.has(p.at), `stored play ${p.at} is not in the truth`);
	const { users } = await storedUsers(run);
	assertConsistent(users[heavy], stored, heavy);
	// The gaps command without --user lists the same.
	assert.deepEqual((await storedGaps(run)).filter((g) => g.user === heavy), gaps);
});
