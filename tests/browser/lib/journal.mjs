// journal.mjs — a real journal for the browser tests and the screenshots:
// the simulator, the collector filling the store (add-user, poll-once
// while the simulator's clock runs through two weeks), nginx and
// spawn-fcgi serving www/, and Chromium driven by playwright-core.
//
//   await buildJournal()  -> {sim, dir, config, db, stack, api, users,
//                             www, main, known, now}
//   await openBrowser({now})
//                         -> {browser, newPage(opts), close()}
//   apiAll(api, user)     every play of a user through the API, newest first
//   plantedJournal(name, recs, {now})
//                         -> {db, stack, browser}, ready in the test file's
//                            before() hook (a journal written by ln-fixture)
//
// The day is a parameter, never the machine's date: the simulator's clock
// starts at the harness's testStart (TEST_START) and runs two weeks; the
// collector and the reader follow that clock (clock_file), and a browser
// opened with {now: j.now} runs its pages on it too (Playwright's clock),
// so "today" is the same moment for the journal, the API and the pages.
//
// What is not the collector's own doing, and why:
//   * Journals are made public with tests/tools/ln-fixture: the collector
//     adds users as private, and making one public through PUT
//     /api/v0/settings needs its owner signed in, which a journal built
//     before any test signs in has no one to do.
//   * The simulator's artwork is served from the pages' own origin, as in
//     the demo: the simulator hands out image URLs under the site
//     (--public-base) and nginx passes /_sim/image/ on to it (render.sh
//     main ... SIM_URL), so the pages' CSP (img-src 'self' https:) allows
//     them.  One album is given a cover from a copy of www/ with test-art/
//     beside it and one is left without images, so both a known image and
//     the placeholder are tested.
//   * A known previous top snapshot is planted (tracks, last four weeks)
//     so the rank changes have exact expected values.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';

import { cleanup, freePort, httpJson, makeRunDir, repoRoot, runCollector,
	startSim, startStack, testStart, writeConfig, writeConfigAt } from
    '../../integration/lib/harness.mjs';
import { load } from '../../tools/fixture.mjs';

const DAY = 86400e3;

// The journals: the simulator's user2 listens heavily (binges, repeats),
// user1 normally.
export const MAIN = 'user2';
const ZONES = { user1: 'Asia/Tokyo', user2: 'Europe/Stockholm' };

// A copy of www/ (symlinks) with a folder of test artwork beside it.
function testWww(dir) {
	const www = path.join(dir, 'www');
	fs.mkdirSync(path.join(www, 'test-art'), { recursive: true });
	for (const e of fs.readdirSync(path.join(repoRoot, 'www')))
		fs.symlinkSync(path.join(repoRoot, 'www', e), path.join(www, e));
	return www;
}

function cover(hue) {
	return `<svg xmlns="http://www.w3.org/2000/svg" width="300" ` +
	    `height="300" viewBox="0 0 10 10"><rect width="10" height="10" ` +
	    `fill="hsl(${hue},45%,40%)"/><circle cx="5" cy="5" r="3.2" ` +
	    `fill="hsl(${(hue + 150) % 360},55%,68%)"/><circle cx="5" cy="5" ` +
	    `r=".6" fill="hsl(${hue},45%,20%)"/></svg>\n`;
}

// Every play of user through the API, newest first (the truth the pages
// must match).
export async function apiAll(api, user) {
	const out = [];
	let before = null;
	for (;;) {
		const r = await httpJson('GET', `${api}/plays/${user}?limit=200` +
		    (before !== null ? `&before=${before}` : ''));
		assert.equal(r.status, 200, r.text);
		out.push(...r.json.items);
		if (!r.json.next)
			return out;
		before = r.json.next.before;
	}
}

async function post(api, kind, ids) {
	const out = [];
	for (let i = 0; i < ids.length; i += 50) {
		const r = await httpJson('POST', `${api}/${kind}`,
		    { ids: ids.slice(i, i + 50) });
		assert.equal(r.status, 200, r.text);
		out.push(...r.json[kind]);
	}
	return out;
}

export async function buildJournal({ days = 14 } = {}) {
	// The simulator's clock starts at testStart and runs `days` on to the
	// journal's now; the collector and the reader share that clock, so
	// weeks, snapshots and plays share one calendar.  Its image URLs
	// point at the site's port, chosen first.
	const start = testStart;
	const end = start + days * DAY;
	const port = await freePort();
	const sim = await startSim({ users: 2, seed: '7', clock: true,
		publicBase: `http://127.0.0.1:${port}` });
	const dir = makeRunDir('browser');
	const db = path.join(dir, 'db');
	const config = writeConfig(dir, { ...sim.configValues(),
		connect_timeout: 2, request_timeout: 3 });
	const run = (args) => {
		const r = runCollector(args, { config, timeout: 120000 });
		assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
		return r.stdout;
	};
	const users = [];
	for (const n of [1, 2])
		users.push(run(['add-user', '--refresh-token', `rt-user${n}`])
		    .trim());
	load(db, users.map((id) => ({ type: 'user', id, visibility: 'public',
		status: 'active', refresh_token: `rt-${id}`,
		timezone: ZONES[id] ?? '' })));
	// Top lists and Discover Weekly are fetched once, at the end: the
	// journal then has one top snapshot of the collector's own (the test
	// plants the earlier ones it knows, below) and one full week of
	// Discover Weekly, the earlier weeks being reconstructed from plays;
	// whichever days the two weeks cover.  Top-list history over days is
	// tested against the simulator in tests/integration/collector-top.
	const daily = 'plays,profile';
	run(['poll-once', '--jobs', daily]);
	// Polls every two hours, but for a 14-hour silence in every 30 hours
	// (the collector records a gap when more than 50 plays went by).  A
	// silence ends early when MAIN played from Discover Weekly in it (the
	// simulator's ground truth says), so the plays the earlier weeks are
	// reconstructed from are never all lost in gaps: what the silences hit
	// would otherwise depend on the day the tests run.
	const dwUri = 'spotify:playlist:' +
	    (await sim.admin('GET', `users/${MAIN}`)).discover_weekly_id;
	let now = start;
	let since = now;
	let polls = 0;
	for (let tick = 1; now < end - 2 * 3600e3; tick++) {
		await sim.admin('POST', 'clock', { advance_s: 2 * 3600 });
		now += 2 * 3600e3;
		if (tick % 15 >= 9) {
			const truth = await sim.admin('GET', `truth/${MAIN}` +
			    `?from_ms=${since + 1}&to_ms=${now}`);
			if (!truth.plays.some((p) => p.context_uri === dwUri))
				continue;
		}
		run(['poll-once', '--jobs', polls % 12 === 11 ? daily : 'plays']);
		polls++;
		since = now;
	}
	await sim.admin('POST', 'clock', { set_ms: end });
	run(['poll-once', '--jobs', 'all']);
	// Spotify refuses Discover Weekly to development-mode apps: the
	// collector then reconstructs the earlier weeks from the plays heard
	// in its context (the current week stays the full list it saved).
	await sim.admin('POST', 'mode', { mode: 'development' });
	run(['poll-once', '--jobs', 'dw']);
	await sim.admin('POST', 'mode', { mode: 'extended' });

	const dirWww = testWww(dir);
	const site = { dir, config, www: dirWww, port, simUrl: sim.url };
	let stack = await startStack(site);
	let api = `${stack.baseUrl}/api/v0`;

	// A known previous snapshot of MAIN's short-term top tracks, a week
	// before the collector's, and one more a week earlier for the chart.
	const top = await httpJson('GET', `${api}/top/${MAIN}?kind=tracks` +
	    '&range=short_term');
	const cur = top.json.tracks.short_term.current;
	assert.ok(cur && cur.ids.length >= 8, 'the collector stored a top list');
	const ids = cur.ids;
	const plays = await apiAll(api, MAIN);
	const outsider = plays.map((p) => p.track_id)
	    .find((id) => id && !ids.includes(id));
	// prev: #1 and #2 swapped, #3 the same, #4 absent (new now), #6
	// moved to #4 earlier (so down now), and an outsider that dropped.
	const prev = [ids[1], ids[0], ids[2], ids[5], ids[4], outsider,
		...ids.slice(6)];
	const dayNum = Math.floor(Date.parse(cur.day) / DAY);
	const records = [
		{ type: 'top', user: MAIN, kind: 'tracks', range: 'short_term',
			day: dayNum - 7, confirmed_at: Math.floor(end / 1000) -
			    7 * 86400, ids: prev },
		{ type: 'top', user: MAIN, kind: 'tracks', range: 'short_term',
			day: dayNum - 14, confirmed_at: Math.floor(end / 1000) -
			    14 * 86400, ids: [...prev].reverse() },
	];

	// Artwork: the newest play's album gets a same-origin cover; the
	// newest other album is left without images.
	// (A binge can fill the newest page with one album: look further
	// back, 50 tracks at a time, as far as it takes.)
	const newest = [...new Set(plays.map((p) => p.track_id)
	    .filter(Boolean))];
	const albumIds = [];
	for (let i = 0; i < newest.length && albumIds.length < 2; i += 50)
		for (const t of await post(api, 'tracks', newest.slice(i, i + 50)))
			if (t?.album_id && !albumIds.includes(t.album_id) &&
			    albumIds.length < 2)
				albumIds.push(t.album_id);
	assert.ok(albumIds.length >= 2, 'two albums among the newest plays');
	const albumRecord = (a, images) => ({ type: 'album', id: a.id,
		name: a.name, album_type: a.album_type,
		release_date: a.release_date ?? '', artist_ids: a.artist_ids,
		total_tracks: a.total_tracks, images });
	const known = { withArt: albumIds[0], noArt: albumIds[1], top: {
		current: ids, previous: prev, dropped: outsider } };
	const art0 = (await post(api, 'albums', albumIds.slice(0, 2)));
	fs.writeFileSync(path.join(dirWww, 'test-art', 'known.svg'), cover(200));
	records.push(albumRecord(art0[0], [{ url: '/test-art/known.svg',
		width: 300, height: 300 }]));
	records.push(albumRecord(art0[1], []));

	// Written with the stack stopped, so no cached entity is stale.
	await stack.stop();
	load(db, records);
	stack = await startStack(site);
	api = `${stack.baseUrl}/api/v0`;
	return { sim, dir, config, db, stack, api, users, www: dirWww,
		main: MAIN, known, now: end };
}

// A journal planted with ln-fixture for the tests of one file: registers
// that file's before() hook, which loads recs() into a fresh store in a
// run directory named name and starts nginx, the readers and Chromium on
// it, and its after() hook, which stops them and cleans up.  With now
// (Unix ms) the reader and the pages run on that fixed day, else on the
// harness's clock.  Returns {db, stack, browser}, filled in by before().
export function plantedJournal(name, recs, { now } = {}) {
	const j = { db: null, stack: null, browser: null };
	before(async () => {
		const dir = makeRunDir(name);
		const config = now === undefined ? writeConfig(dir, {}) :
		    writeConfigAt(dir, now);
		j.db = path.join(dir, 'db');
		load(j.db, recs());
		j.stack = await startStack({ dir, config });
		j.browser = await openBrowser({ now });
	});
	after(async () => {
		await j.browser?.close();
		await j.stack?.stop();
		await cleanup();
	});
	return j;
}

// Debian's Chromium through playwright-core: no browser download.  With
// now (Unix ms), every page's clock starts at that moment and runs on
// from it (Playwright's clock), as the journal's does.
export async function openBrowser({ now } = {}) {
	const { chromium } = await import('playwright-core');
	// launch() gives every run a fresh temporary profile (it refuses a
	// --user-data-dir of ours).
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu',
			'--disable-quic', '--no-first-run',
			'--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
	return {
		browser,
		// A page that records console errors and failed requests
		// (timezoneId: the browser's own zone, else the machine's).
		async newPage({ width = 1280, height = 800, timezoneId } = {}) {
			const ctx = await browser.newContext({ viewport: { width,
				height }, deviceScaleFactor: 1, reducedMotion: 'reduce',
				...(timezoneId ? { timezoneId } : {}) });
			if (now !== undefined)
				await ctx.clock.install({ time: now });
			const page = await ctx.newPage();
			page.problems = [];
			page.on('console', (m) => {
				if (m.type() === 'error' || m.type() === 'warning')
					page.problems.push(`console ${m.type()}: ${m.text()}`);
			});
			page.on('pageerror', (e) => page.problems.push(
			    `page error: ${e.message}`));
			page.on('requestfailed', (r) => page.problems.push(
			    `request failed: ${r.url()} ${r.failure()?.errorText}`));
			page.on('response', (r) => {
				if (r.status() >= 400)
					page.problems.push(`HTTP ${r.status()}: ${r.url()}`);
			});
			return page;
		},
		async close() {
			await browser.close();
		},
	};
}
