// collector-truth.test.mjs — the collector against the simulator's ground
// truth: 7 simulated days, 5 users, a poll every 20 virtual minutes
// (`poll-once` after each clock step; top, Discover Weekly and profile once
// a simulated day).  Proves that the stored plays equal what was played —
// same count, timestamps, tracks and contexts, no duplicates — from the
// first poll on, that no gap is recorded at this cadence, that every
// user's bookkeeping is consistent, that rotated refresh tokens are kept
// (the access token ends every 3 virtual steps, so each user refreshes
// about 170 times, each time getting a new refresh token), and that one
// app-wide connection serves the users.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { advance, assertConsistent, assertSameAsTruth, setup, storedGaps,
	storedPlays, storedUsers, truth } from './collector-lib.mjs';

after(cleanup);

const DAYS = 7;
const STEP_S = 20 * 60;

test('7 days x 5 users at 20-minute polls: stored plays equal the truth', async () => {
	const { sim, run, ids } = await setup('collector-truth', { users: 5 });
	// Every refresh hands out a new refresh token and retires the old one:
	// a collector that failed to store one would lose the user.
	await sim.admin('POST', 'rotation', { enabled: true });
	const steps = DAYS * 86400 / STEP_S;
	for (let i = 0; i < steps; i++) {
		await advance(sim, STEP_S);
		const jobs = i % 72 === 0 ? 'all' : 'plays';
		const r = await run(['poll-once', '--jobs', jobs]);
		assert.equal(r.code, 0, `step ${i}: poll-once failed:\n${r.stderr}`);
	}
	const { users } = await storedUsers(run);
	for (const id of ids) {
		const stored = await storedPlays(run, id);
		assert.ok(stored.length > 50, `${id}: only ${stored.length} plays`);
		const want = await truth(sim, id, stored[0].at);
		assertSameAsTruth(stored, want, id);
		assertConsistent(users[id], stored, id);
		assert.equal(users[id].status, 'active');
		// Extended mode reads Discover Weekly whole, with its snapshot id.
		const pl = await run(['playlists', '--user', id]);
		assert.match(pl.stdout, /^[0-9A-Za-z]{22} \d{4}-\d\d-\d\d full [1-9]\d* \S+ Discover Weekly$/m,
		    `${id}: ${pl.stdout}`);
	}
	assert.deepEqual(await storedGaps(run), [], 'no gap at a 20-minute cadence');
	const stats = await sim.admin('GET', 'stats');
	assert.equal(stats.early_requests, 0);
	// 5 users x 504 polls, yet the connections are about one per process.
	assert.ok(stats.connections_opened <= steps * 2 + 20,
	    `connections: ${stats.connections_opened}`);
});
