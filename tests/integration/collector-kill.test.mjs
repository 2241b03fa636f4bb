// collector-kill.test.mjs — kill -9 the daemon at random moments mid-poll.
//
// KILLS rounds (50; `make soak` sets LINERNOTES_SOAK_KILLS higher): start
// `run`, advance the simulator 20 minutes, USR1 so that every user is
// being polled, SIGKILL after a random 0-150 ms.  After every kill the
// store opens cleanly and, for every user: no duplicate plays, n_plays
// equals the plays stored (no half poll: plays, cursor and counters are
// one transaction) and the cursor equals the newest stored play (never
// ahead of it).  At the end collection resumes, and every play of the
// truth is either stored or inside a recorded gap (rounds where the kill
// came first may leave more than 50 plays unpolled).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup, sleep, spawnCollector, waitFor } from './lib/harness.mjs';
import { advance, assertConsistent, setup, storedGaps, storedPlays,
	storedUsers, truth } from './collector-lib.mjs';

after(cleanup);

const KILLS = Number(process.env.LINERNOTES_SOAK_KILLS) || 50;

test(`kill -9 mid-poll ${KILLS} times: the store stays whole`, { timeout: 600000 }, async () => {
	const { sim, run, config, ids } = await setup('collector-kill', { users: 4 });
	let landed = 0;
	for (let k = 0; k < KILLS; k++) {
		const d = spawnCollector(['run'], { config });
		await waitFor(() => /collecting/.test(d.out.stderr), { timeout: 5000, what: 'start' });
		await advance(sim, 1200);
		const sent = (await sim.admin('GET', 'stats')).requests.total;
		d.kill('SIGUSR1');
		await sleep(Math.floor(Math.random() * 150));
		d.kill('SIGKILL');
		await new Promise((r) => (d.exitCode !== null || d.signalCode !== null) ? r() : d.once('exit', r));
		if ((await sim.admin('GET', 'stats')).requests.total > sent)
			landed++;
		const { users } = await storedUsers(run);
		for (const id of ids)
			assertConsistent(users[id], await storedPlays(run, id), `round ${k} ${id}`);
	}
	console.log(`# ${landed} of ${KILLS} kills came after requests had started`);
	assert.ok(landed >= KILLS / 3, `only ${landed} kills landed while requests were going`);
	// Collection resumes; nothing within reach is lost, the rest is in gaps.
	await advance(sim, 1200);
	const r = await run(['poll-once', '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);
	const { users } = await storedUsers(run);
	const gaps = await storedGaps(run);
	for (const id of ids) {
		const stored = await storedPlays(run, id);
		assertConsistent(users[id], stored, id);
		const have = new Set(stored.map((p) => p.at));
		const mine = gaps.filter((g) => g.user === id);
		for (const p of await truth(sim, id, stored[0].at))
			assert.ok(have.has(p.at) || mine.some((g) => g.from < p.at && p.at < g.to),
			    `${id}: play ${p.at} neither stored nor in a gap`);
	}
	assert.equal((await sim.admin('GET', 'stats')).early_requests, 0);
});
