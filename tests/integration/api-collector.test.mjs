// api-collector.test.mjs — the API on data the real collector wrote from
// the simulator, read while the collector writes.
//
// Proves that while `linernotes-collector poll-once` commits polls (plays,
// cursors, entities, top lists, Discover Weekly) the API keeps answering
// whole, ordered pages; and that afterwards paging through /plays returns
// exactly the plays the collector stored (its own `plays` command), every
// track of them resolves through POST /tracks, and top and dw have what it
// collected, and that /health and /metrics count the requests it made.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';

import { cleanup, httpJson, spawnCollector, startStack }
    from './lib/harness.mjs';
import { advance, setup, storedPlays } from './collector-lib.mjs';
import { fixtureBin } from '../tools/fixture.mjs';
import { spawnSync } from 'node:child_process';

let stack;

after(async () => {
	await stack?.stop();
	await cleanup();
});

async function allPlays(api, id) {
	const out = [];
	let cursor = '';
	for (;;) {
		const r = await httpJson('GET', `${api}/plays/${id}?limit=200${cursor}`);
		assert.equal(r.status, 200, r.text);
		out.push(...r.json.items);
		if (r.json.next === null)
			return out;
		cursor = `&before=${r.json.next.before}`;
	}
}

test('reads during polls, then the API equals what the collector stored',
    async () => {
	const { sim, dir, config, ids, run } = await setup('api-collector',
	    { users: 2 });
	const db = fs.readFileSync(config, 'utf8')
	    .match(/^db_path = "?([^"\n]+)"?$/m)[1];
	await advance(sim, 1200);
	assert.equal((await run(['poll-once', '--jobs', 'all'])).code, 0);
	const pub = spawnSync(fixtureBin, ['-d', db, 'publish', ...ids],
	    { encoding: 'utf8' });
	assert.equal(pub.status, 0, pub.stderr);
	stack = await startStack({ dir, config, fcgiProcs: 2 });
	const api = `${stack.baseUrl}/api/v0`;

	let reads = 0;
	for (let step = 0; step < 24; step++) {
		await advance(sim, 1200);
		// The collector as a separate process, so reads overlap its commits.
		const child = spawnCollector(['poll-once', '--jobs',
		    step % 8 ? 'plays' : 'all'], { config });
		let done = false;
		const poll = new Promise((r) => child.once('exit', (code) => {
			done = true;
			r(code);
		}));
		do {
			const r = await httpJson('GET',
			    `${api}/plays/${ids[step % 2]}?limit=50`);
			assert.equal(r.status, 200, r.text);
			const at = r.json.items.map((p) => p.played_at);
			for (let i = 1; i < at.length; i++)
				assert.ok(at[i] < at[i - 1]);
			reads++;
		} while (!done);
		assert.equal(await poll, 0, child.out?.stderr);
	}
	assert.ok(reads >= 24);

	for (const id of ids) {
		const stored = await storedPlays(run, id);
		const got = await allPlays(api, id);
		assert.ok(stored.length > 20, `${id}: ${stored.length} plays`);
		assert.deepEqual(got.map((p) => [p.played_at, p.track_id]).reverse(),
		    stored.map((p) => [p.at, p.track]));
		const tracks = [...new Set(got.map((p) => p.track_id))].slice(0, 50);
		const t = await httpJson('POST', `${api}/tracks`, { ids: tracks });
		assert.equal(t.status, 200);
		for (const x of t.json.tracks) {
			assert.ok(x !== null, 'every played track is known');
			assert.equal(typeof x.name, 'string');
		}
		const top = await httpJson('GET', `${api}/top/${id}`);
		assert.ok(top.json.tracks.short_term.current.ids.length > 0);
		const dw = await httpJson('GET', `${api}/dw/${id}`);
		assert.ok(dw.json.weeks.length > 0);
		assert.ok(['full', 'heard'].includes(dw.json.weeks[0].how));
	}
	const h = await httpJson('GET', `${api}/health`);
	assert.deepEqual(h.json.users, { active: 2, reauth: 0, disabled: 0 });
	// The quota as spent: poll-once records its requests too (the last
	// day's, so the first polls of this run count as well as the last).
	const q = h.json.spotify;
	assert.ok(q.api_requests_day >= 2 * 24, JSON.stringify(q));
	assert.ok(q.api_requests_hour > 0 && q.api_requests_hour <= q.api_requests_day);
	assert.ok(q.accounts_requests_day > 0);
	assert.equal(q.rate_limited_day, 0);
	assert.equal(q.paused_until, null);
	assert.equal(q.daily_budget, null);
	assert.equal(q.more_users_estimate, null);
	// /metrics says the same (nothing polls any more).
	const m = (await httpJson('GET', `${api}/metrics`)).text;
	const sample = (k) => Number(m.split('\n').find((l) =>
	    l.startsWith(k + ' '))?.slice(k.length + 1));
	assert.equal(sample('linernotes_spotify_requests{service="api",' +
	    'window="1d"}'), q.api_requests_day);
	assert.equal(sample('linernotes_spotify_requests{service="api",' +
	    'window="1h"}'), q.api_requests_hour);
	assert.equal(sample('linernotes_spotify_requests{service=' +
	    '"accounts",window="1d"}'), q.accounts_requests_day);
	assert.equal(sample('linernotes_spotify_rate_limited{window="1d"}'), 0);
});
