// api-writes.test.mjs — reads while a writer commits.
//
// Proves that the readers keep answering correctly while another process
// commits poll-sized write transactions as fast as it can (ln-fixture
// churn: three plays, the user's cursor and the heartbeat per commit):
// every answer is a 200 with a well-ordered page, new plays become
// visible, and /health sees the heartbeat move; and that readers keep
// answering, beyond the old end, while a writer grows the map past its
// size (MDB_MAP_RESIZED, handled in lib/store.c).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, startStack, writeConfig }
    from './lib/harness.mjs';
import { churn, fixtureBin, load, spotifyId } from '../tools/fixture.mjs';

let stack;

after(async () => {
	await stack?.stop();
	await cleanup();
});

test('pages stay whole and fresh while polls commit', async () => {
	const dir = makeRunDir('api-writes');
	const config = writeConfig(dir, {});
	const db = path.join(dir, 'db');
	const tracks = Array.from({ length: 10 }, (_, i) => spotifyId('T', i));
	load(db, [{ type: 'user', id: 'user0000', visibility: 'public' },
	    ...tracks.map((id) => ({ type: 'track', id, name: id,
	    uri: `spotify:track:${id}` }))]);
	stack = await startStack({ dir, config, fcgiProcs: 2 });
	const api = `${stack.baseUrl}/api/v0`;

	// The writer commits until told to stop: the readers are watched until
	// they have answered enough times and seen new plays often enough, for
	// at least four seconds, however slow the machine (at most a minute).
	const writer = churn(db, 60, 'user0000');
	const exited = new Promise((r) => writer.once('exit', r));
	let running = true;
	exited.then(() => { running = false; });
	const started = Date.now();
	let reads = 0;
	let newest = 0;
	let grew = 0;
	const enough = () => reads >= 20 && grew > 5 &&
	    Date.now() - started >= 4000;
	while (running && !enough()) {
		const [p, t, h] = await Promise.all([
			httpJson('GET', `${api}/plays/user0000?limit=50`),
			httpJson('POST', `${api}/tracks`, { ids: tracks }),
			httpJson('GET', `${api}/health`),
		]);
		assert.equal(p.status, 200, p.text);
		assert.equal(t.status, 200, t.text);
		assert.equal(h.status, 200, h.text);
		const at = p.json.items.map((x) => x.played_at);
		for (let i = 1; i < at.length; i++)
			assert.ok(at[i] < at[i - 1]);
		if (at.length > 0) {
			if (at[0] > newest && newest > 0)
				grew++;
			assert.ok(at[0] >= newest, 'never an older view');
			newest = at[0];
		}
		assert.equal(t.json.tracks.length, 10);
		reads++;
	}
	assert.ok(running, `the writer stopped first: read ${reads} times, ` +
	    `new plays showed up ${grew} times`);
	writer.kill('SIGTERM');
	const code = await exited;
	assert.equal(code, 0, writer.out);
	const commits = Number(writer.out.match(/(\d+) commits/)[1]);
	assert.ok(commits > 100, `the writer committed ${commits} times`);
	const last = await httpJson('GET', `${api}/plays/user0000?limit=1`);
	assert.ok(last.json.items[0].played_at >= newest);
	const h = await httpJson('GET', `${api}/health`);
	assert.equal(h.json.collector.state, 'running');
});

test('readers follow the map when the writer grows it', async () => {
	const dir = makeRunDir('api-writes-grow');
	const config = writeConfig(dir, {});
	const db = path.join(dir, 'db');
	load(db, [{ type: 'user', id: 'first', visibility: 'public' }]);
	const s = await startStack({ dir, config, fcgiProcs: 2 });
	const api = `${s.baseUrl}/api/v0`;
	try {
		const before = (await httpJson('GET', `${api}/health`)).json.db;
		// 700 users x 1000 plays: past the 64 MiB the store starts with.
		const gen = spawn(fixtureBin, ['-d', db, 'gen', '700', '1000'],
		    { stdio: 'ignore' });
		const done = new Promise((r) => gen.once('exit', r));
		let running = true;
		done.then(() => { running = false; });
		while (running) {
			const r = await httpJson('GET', `${api}/plays/first`);
			assert.equal(r.status, 200, r.text);
		}
		assert.equal(await done, 0);
		const h = (await httpJson('GET', `${api}/health`)).json.db;
		assert.ok(h.map_size > before.map_size,
		    `the map grew: ${before.map_size} -> ${h.map_size}`);
		// Both processes read pages beyond the old map's end.
		for (let i = 0; i < 6; i++) {
			const r = await httpJson('GET',
			    `${api}/plays/user0${650 + i}?limit=200`);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.items.length, 200);
		}
	} finally {
		await s.stop();
	}
});
