// collector-top.test.mjs — top lists: 3 ranges x tracks and artists, a
// snapshot stored only when a list changed.  Proves that a first top job
// stores six lists of up to 50 entries, and that running it again on
// unchanged lists adds no snapshot but moves each list's "confirmed" time;
// and, on the simulator's clock, that weeks of daily top jobs keep a
// history: a snapshot on each day a list changed, dated by that day, with
// ranks that move between them.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup, httpJson, sleep, startStack } from './lib/harness.mjs';
import { advance, setup } from './collector-lib.mjs';
import { load } from '../tools/fixture.mjs';

after(cleanup);

async function tops(run, id) {
	const r = await run(['top', '--user', id]);
	assert.equal(r.code, 0, r.stderr);
	return r.stdout.split('\n').filter(Boolean).map((l) => {
		const f = l.split(' ');
		return { kind: f[0], range: f[1], day: f[2], n: Number(f[3]), first: f[4], confirmed: Date.parse(f[6]) };
	});
}

test('top lists: a snapshot only when a list changed, else confirmed', async () => {
	const { run, ids } = await setup('collector-top', { users: 1 });
	assert.equal((await run(['poll-once', '--jobs', 'top'])).code, 0);
	const one = await tops(run, ids[0]);
	assert.equal(one.length, 6);
	assert.deepEqual(one.map((t) => `${t.kind} ${t.range}`).sort(), [
		'artists long_term', 'artists medium_term', 'artists short_term',
		'tracks long_term', 'tracks medium_term', 'tracks short_term']);
	for (const t of one)
		assert.ok(t.n > 0 && t.n <= 50 && /^[0-9A-Za-z]{22}$/.test(t.first), JSON.stringify(t));
	await sleep(1100);
	assert.equal((await run(['poll-once', '--jobs', 'top'])).code, 0);
	const two = await tops(run, ids[0]);
	assert.equal(two.length, 6, 'unchanged lists add no snapshot');
	for (let i = 0; i < 6; i++) {
		assert.equal(two[i].first, one[i].first);
		assert.equal(two[i].day, one[i].day);
		assert.ok(two[i].confirmed > one[i].confirmed, 'confirmed again');
	}
});

test('top lists over eight weeks of the simulator\'s clock: a history ' +
    'dated by its days, with rank changes', async () => {
	const { sim, dir, config, db, run, ids } = await setup('collector-top-days',
	    { users: 1, clock: true });
	const days = [];
	for (let week = 0; week < 8; week++) {
		if (week > 0)
			await advance(sim, 7 * 86400);
		const now = (await sim.admin('GET', 'state')).now_ms;
		days.push(new Date(now).toISOString().slice(0, 10));
		assert.equal((await run(['poll-once', '--jobs', 'top'])).code, 0);
	}
	const all = await tops(run, ids[0]);
	const short = all.filter((t) => t.kind === 'tracks' &&
	    t.range === 'short_term');
	// The last four weeks' list changes from week to week: a snapshot
	// on every poll's day, each dated by the simulator's day.
	assert.deepEqual(short.map((t) => t.day), days);
	// Lists that did not change were confirmed, not stored again: the
	// all-time list moves slowest, so it has the fewest snapshots.
	const long = all.filter((t) => t.kind === 'tracks' &&
	    t.range === 'long_term');
	assert.ok(long.length >= 1 && long.length <= short.length);
	for (const t of long)
		assert.ok(days.includes(t.day), `${t.day} is a poll's day`);

	// Through the API (the journal made public, as the owner could): the
	// history, newest first, and ranks that moved against the previous.
	load(db, [{ type: 'user', id: ids[0], visibility: 'public',
		status: 'active', refresh_token: 'rt-user1' }]);
	const stack = await startStack({ dir, config });
	const r = await httpJson('GET', `${stack.baseUrl}/api/v0/top/` +
	    `${ids[0]}?kind=tracks&range=short_term&history=1`);
	await stack.stop();
	assert.equal(r.status, 200, r.text);
	const list = r.json.tracks.short_term;
	assert.deepEqual(list.history.map((h) => h.day), [...days].reverse());
	assert.equal(list.current.day, days[days.length - 1]);
	assert.equal(list.previous.day, days[days.length - 2]);
	const moved = list.changes.filter((c) => c.change !== 'same');
	assert.ok(moved.length > 0, 'ranks changed in a week');
	for (const c of list.changes)
		if (c.change === 'up' || c.change === 'down')
			assert.equal(c.delta, c.previous_rank - c.rank);
});
