// api-cache.test.mjs — the reader's entity cache, seen from outside.
//
// Proves that a second batch read is answered from the cache (hits counted
// in /metrics), that writing plays does not flush it, that renaming a
// track invalidates exactly that track so the next read shows the new
// name (in every reader process), that a new entity replaces a cached
// "unknown", and that cache_entries = 0 disables the cache.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, startStack, writeConfig }
    from './lib/harness.mjs';
import { load, spotifyId } from '../tools/fixture.mjs';

const tracks = Array.from({ length: 20 }, (_, i) => spotifyId('T', i));
const stacks = [];

function trackRec(id, name) {
	return { type: 'track', id, name, uri: `spotify:track:${id}`,
	    artist_ids: [spotifyId('R', 1)] };
}

async function start(name, values, fcgiProcs) {
	const dir = makeRunDir(name);
	const config = writeConfig(dir, values);
	const db = path.join(dir, 'db');
	load(db, [{ type: 'user', id: 'alice', visibility: 'public' },
	    ...tracks.map((id, i) => trackRec(id, `Song ${i}`))]);
	const stack = await startStack({ dir, config, fcgiProcs });
	stacks.push(stack);
	return { db, api: `${stack.baseUrl}/api/v0` };
}

async function counters(api) {
	const m = await httpJson('GET', `${api}/metrics`);
	const num = (name) => Number(m.text.match(
	    new RegExp(`^${name} (\\d+)$`, 'm'))[1]);
	return { hits: num('linernotes_cache_hits_total'),
	    misses: num('linernotes_cache_misses_total'),
	    entries: num('linernotes_cache_entries') };
}

after(async () => {
	for (const s of stacks)
		await s.stop();
	await cleanup();
});

test('hits, no flush by plays, precise invalidation by a rename', async () => {
	const { db, api } = await start('api-cache', {}, 1);
	const batch = { ids: tracks };
	const first = await httpJson('POST', `${api}/tracks`, batch);
	assert.equal(first.status, 200);
	let c = await counters(api);
	assert.equal(c.misses, 20);
	assert.equal(c.hits, 0);
	assert.equal(c.entries, 20);

	await httpJson('POST', `${api}/tracks`, batch);
	c = await counters(api);
	assert.equal(c.hits, 20, 'the second read is all hits');

	// Plays (and a user update) are written: the cache stays warm.
	load(db, Array.from({ length: 30 }, (_, i) => ({ type: 'play',
	    user: 'alice', played_at: 1700000000000 + i, track_id: tracks[0] })));
	await httpJson('POST', `${api}/tracks`, batch);
	c = await counters(api);
	assert.equal(c.hits, 40);
	assert.equal(c.misses, 20);

	// One track renamed: one miss, the new name, the others still hits.
	load(db, [trackRec(tracks[3], 'Renamed Song')]);
	const r = await httpJson('POST', `${api}/tracks`, batch);
	assert.equal(r.json.tracks[3].name, 'Renamed Song');
	assert.equal(r.json.tracks[4].name, 'Song 4');
	assert.notEqual(r.headers.etag, first.headers.etag);
	c = await counters(api);
	assert.equal(c.misses, 21);
	assert.equal(c.hits, 59);
	const ratio = (await httpJson('GET', `${api}/metrics`)).text
	    .match(/^linernotes_cache_hit_ratio ([0-9.]+)$/m)[1];
	assert.equal(Number(ratio).toFixed(2), (59 / 80).toFixed(2));
});

test('every process shows a rename; unknown ids appear when added', async () => {
	const { db, api } = await start('api-cache-procs', {}, 3);
	const ghost = spotifyId('T', 777);
	const ids = { ids: [tracks[0], ghost] };
	// Warm every process (requests are spread over the three).
	for (let i = 0; i < 12; i++) {
		const r = await httpJson('POST', `${api}/tracks`, ids);
		assert.equal(r.json.tracks[1], null);
	}
	load(db, [trackRec(tracks[0], 'New Name'), trackRec(ghost, 'Ghost')]);
	for (let i = 0; i < 12; i++) {
		const r = await httpJson('POST', `${api}/tracks`, ids);
		assert.equal(r.json.tracks[0].name, 'New Name');
		assert.equal(r.json.tracks[1].name, 'Ghost');
	}
});

test('cache_entries = 0 disables the cache', async () => {
	const { api } = await start('api-cache-off', { cache_entries: 0 }, 1);
	for (let i = 0; i < 3; i++)
		assert.equal((await httpJson('POST', `${api}/tracks`,
		    { ids: tracks.slice(0, 5) })).status, 200);
	const c = await counters(api);
	assert.equal(c.hits, 0);
	assert.equal(c.misses, 15);
	assert.equal(c.entries, 0);
});
