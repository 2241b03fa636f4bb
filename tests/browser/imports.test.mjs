// imports.test.mjs — the owner imports Spotify's history from Settings
// and undoes it, in headless Chromium: the simulator's accounts service,
// the collector daemon, nginx and spawn-fcgi serving www/.
//
// Proves: signed in through the simulator, the owner's Settings show the
// "Import your Spotify history" panel (what to ask Spotify for, a file
// picker); a generated .zip chosen with the picker uploads (the progress
// element appears and says bytes), the job is polled to "imported" with
// its counts, and the imported plays are on the Plays page at their
// date; the past import survives a reload; Undo removes them (the Plays
// page at that date has nothing) and leaves the polled plays; another
// signed-in user sees no import panel on the owner's journal; no console
// error or failed request.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cleanup, spawnCollector, waitFor } from '../integration/lib/harness.mjs';
import { authStack } from '../integration/auth-lib.mjs';
import { makeZip } from '../integration/lib/zipfile.mjs';
import { openBrowser } from './lib/journal.mjs';
import { signInPage } from './lib/signin.mjs';

let ctx;
let browser;
let owner;

const N = 120;
const FROM = Date.UTC(2015, 5, 1, 12);
const TRACK = '4uLU6hMCjMI75M1A2tKUQC';

function history() {
	const rows = [];
	for (let i = 0; i < N; i++)
		rows.push({ ts: new Date(FROM + i * 240000).toISOString()
		    .replace(/\.\d+Z$/, 'Z'), ms_played: 200000,
		    master_metadata_track_name: 'When I Paint My Masterpiece',
		    master_metadata_album_artist_name: 'Bob Dylan',
		    master_metadata_album_album_name: 'Greatest Hits Vol. II',
		    spotify_track_uri: `spotify:track:${TRACK}`,
		    episode_name: null, spotify_episode_uri: null,
		    incognito_mode: false });
	return makeZip([{ name: 'Spotify Extended Streaming History/' +
	    'Streaming_History_Audio_2015.json',
	    data: Buffer.from(JSON.stringify(rows)), deflate: 1 }]);
}

function apiPlays(page) {
	return page.evaluate(async () => {
		const out = [];
		let q = '';
		for (;;) {
			const r = await (await fetch(`/api/v0/plays/user1?limit=200${q}`))
			    .json();
			out.push(...r.items);
			if (r.next?.before === undefined || r.items.length === 0)
				return out;
			q = `&before=${r.next.before}`;
		}
	});
}

before(async () => {
	ctx = await authStack('browser-imports', { users: 2 });
	browser = await openBrowser();
	owner = await browser.newPage();
	await signInPage(owner, ctx);
	// Polled plays the import and its undo must leave alone.
	const r = ctx.run(['poll-once', '--user', 'user1', '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);
	spawnCollector(['run'], { config: ctx.config });
});

after(async () => {
	await browser?.close();
	await ctx?.stack.stop();
	await cleanup();
});

test('the owner uploads the .zip, sees it imported, and undoes it',
    async () => {
	const page = owner;
	const polled = await apiPlays(page);
	assert.ok(polled.length > 0);
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const panel = page.locator('section.import-panel');
	await panel.waitFor();
	assert.match(await panel.innerText(), /Download your data/);
	assert.match(await panel.innerText(), /Extended streaming history/);
	const zip = history();
	// Progress in bytes shows while it uploads (a slow link: the
	// upload's own events, not a guess).
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', { offline: false,
	    latency: 20, downloadThroughput: -1, uploadThroughput: 4096 });
	await panel.locator('input[type=file]').setInputFiles({
		name: 'my_spotify_data.zip', mimeType: 'application/zip',
		buffer: zip });
	const prog = panel.locator('.upload-progress');
	await prog.waitFor({ timeout: 10000 });
	assert.match(await prog.innerText(), new RegExp(`of ${zip.length
	    .toLocaleString('en')} bytes`));
	await cdp.send('Network.emulateNetworkConditions', { offline: false,
	    latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
	const item = panel.locator('li.import').first();
	await page.waitForFunction(() => document.querySelector(
	    'section.import-panel li.import')?.dataset.status === 'done',
	    null, { timeout: 30000 });
	assert.match(await item.innerText(), /my_spotify_data\.zip/);
	assert.match(await item.innerText(), new RegExp(`${N} plays added`));
	assert.match(await item.innerText(), /files 1 of 1/);
	assert.equal((await apiPlays(page)).length, polled.length + N);

	// On the Plays page at their date.
	await page.goto(`${ctx.base}/#/u/user1/plays?date=2015-06-01`);
	await page.locator('li.play').first().waitFor({ timeout: 10000 });
	assert.match(await page.locator('main').innerText(),
	    /When I Paint My Masterpiece/);

	// A reload keeps the past import; Undo removes its plays.
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	await page.reload();
	const undo = page.locator('section.import-panel li.import button.undo');
	await undo.waitFor({ timeout: 10000 });
	assert.match(await undo.innerText(), new RegExp(`remove the ${N} plays`));
	await undo.click();
	await page.waitForFunction(() => document.querySelector(
	    'section.import-panel li.import')?.dataset.status === 'undone',
	    null, { timeout: 30000 });
	assert.match(await page.locator('section.import-panel li.import')
	    .innerText(), new RegExp(`${N} plays removed by undo`));
	const left = await apiPlays(page);
	assert.deepEqual(left.map((p) => p.played_at), polled.map((p) =>
	    p.played_at));
	await page.goto(`${ctx.base}/#/u/user1/plays?date=2015-06-01`);
	await page.locator('.before-start').waitFor({ timeout: 10000 });
	assert.deepEqual(page.problems, []);
});

test('nobody else sees an import panel', async () => {
	const other = await browser.newPage();
	await other.goto(`${ctx.base}/#/u/user1/settings`);
	await other.locator('main').waitFor();
	assert.equal(await other.locator('section.import-panel').count(), 0);
	const r = await other.evaluate(async () => (await fetch(
	    '/api/v0/imports/1')).status);
	assert.equal(r, 401);
	await other.close();
});
