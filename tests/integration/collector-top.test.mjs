// collector-top.test.mjs — top lists: 3 ranges x tracks and artists, a
// snapshot stored only when a list changed.  Proves that a first top job
// stores six lists of up to 50 entries, and that running it again on
// unchanged lists adds no snapshot but moves each list's "confirmed" time.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup, sleep } from './lib/harness.mjs';
import { setup } from './collector-lib.mjs';

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
