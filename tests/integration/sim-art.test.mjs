// sim-art.test.mjs — the simulator's artwork on the pages' own origin, as
// the demo and the browser tests serve it: the simulator started with
// --public-base pointing at the site, nginx rendered with its URL
// (nginx/render.sh main ... SIM_URL).
//
// Proves: the image URLs the collector stores point at the site; nginx
// answers them with the simulator's SVG (GET only, with nosniff); nothing
// else of the simulator (its admin API) is reachable through nginx; and a
// stack rendered without a simulator, like a deployment's server block,
// passes nothing to it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';

import { cleanup, freePort, httpJson, makeRunDir, repoRoot, runCollector,
	startSim, startStack, writeConfig } from './lib/harness.mjs';

after(async () => {
	await cleanup();
});

test('the simulator\'s artwork comes through the site', async () => {
	const port = await freePort();
	const site = `http://127.0.0.1:${port}`;
	const sim = await startSim({ users: 1, publicBase: site });
	const dir = makeRunDir('sim-art');
	const config = writeConfig(dir, sim.configValues());
	const add = runCollector(['add-user', '--refresh-token', 'rt-user1'],
	    { config });
	assert.equal(add.code, 0, add.stderr);
	const poll = runCollector(['poll-once', '--jobs', 'all'], { config });
	assert.equal(poll.code, 0, poll.stderr);
	const stack = await startStack({ dir, config, port, simUrl: sim.url });
	try {
		const api = `${site}/api/v0`;
		// The albums of the plays the poll stored (the journal is
		// private; entities are not): their image URLs are ours.
		const out = runCollector(['plays', '--user', 'user1'], { config });
		assert.equal(out.code, 0, out.stderr);
		const ids = [...new Set(out.stdout.split('\n').filter(Boolean)
		    .map((l) => l.split(' ')[1]).filter((id) => !id.startsWith('_')))]
		    .slice(0, 50);
		assert.ok(ids.length > 0, 'the poll stored plays');
		const tracks = (await httpJson('POST', `${api}/tracks`,
		    { ids })).json.tracks.filter(Boolean);
		const albums = (await httpJson('POST', `${api}/albums`, { ids: [
			...new Set(tracks.map((t) => t.album_id).filter(Boolean))]
		    .slice(0, 50) })).json.albums.filter(Boolean);
		const urls = albums.flatMap((a) => a.images.map((im) => im.url));
		assert.ok(urls.length > 0, 'albums with images');
		for (const u of urls)
			assert.ok(u.startsWith(`${site}/_sim/image/`), u);
		const img = await fetch(urls[0]);
		assert.equal(img.status, 200);
		assert.match(img.headers.get('content-type'), /^image\/svg\+xml/);
		assert.equal(img.headers.get('x-content-type-options'), 'nosniff');
		assert.match(await img.text(), /^<svg/);
		// GET only; and only the images, not the admin API.
		const p = new URL(urls[0]).pathname;
		assert.notEqual((await fetch(site + p, { method: 'POST' })).status,
		    200);
		assert.equal((await fetch(`${site}/_sim/state`)).status, 404);
		assert.notEqual((await fetch(`${site}/_sim/clock`,
		    { method: 'POST', body: '{}' })).status, 200);
	} finally {
		await stack.stop();
		await sim.stop();
	}
});

test('without a simulator nothing is passed on, as in a deployment',
    async () => {
	const dir = makeRunDir('sim-art-none');
	const config = writeConfig(dir, {});
	const stack = await startStack({ dir, config });
	try {
		const r = await fetch(`${stack.baseUrl}/_sim/image/album/x/64`);
		assert.equal(r.status, 404);
		await r.arrayBuffer();
		assert.equal(fs.existsSync(path.join(dir, 'linernotes-sim.conf')),
		    false);
	} finally {
		await stack.stop();
	}
	// The deployment's server block never mentions the simulator.
	const site = spawnSync('sh', [path.join(repoRoot, 'nginx', 'render.sh'),
	    'site', '80', 'music.example.org', '/srv/www', '/run/ln.sock'],
	    { encoding: 'utf8' });
	assert.equal(site.status, 0, site.stderr);
	assert.doesNotMatch(site.stdout, /_sim|proxy_pass/);
});
