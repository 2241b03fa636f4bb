// pages.test.mjs — the pages in headless Chromium against the real stack:
// the simulator, the collector filling the store (add-user, poll-once
// through two weeks of listening), linernotes-fcgi under spawn-fcgi and
// nginx serving www/ (tests/browser/lib/journal.mjs builds it).
//
// Proves: every page renders the journal's real data as the API has it;
// paging reaches the oldest play with no play repeated or missing and at
// most one batch request per entity kind per page; folded repeats expand
// to their plays; returns are marked exactly on the first page already,
// and returns and gaps sit where the data puts them; playlists the
// journal knows are named; jumping to a date starts there; Discover
// Weekly weeks say full or reconstructed and count later plays right
// without reading the plays; rank changes match a known pair of
// snapshots and the rank chart draws; at a phone's width Discover Weekly
// and Top names wrap onto a second line instead of being cut after a
// dozen characters; a missing image shows the placeholder and the
// simulator's artwork shows through the site; a journal without a time
// zone is shown in the browser's; and no page logs a console error or
// has a request fail.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cleanup, httpJson } from '../integration/lib/harness.mjs';
import { apiAll, buildJournal, openBrowser } from './lib/journal.mjs';

let j;
let browser;
let all;		// MAIN's plays from the API, newest first
let gapList;		// MAIN's recorded gaps

before(async () => {
	j = await buildJournal();
	browser = await openBrowser({ now: j.now });
	all = await apiAll(j.api, j.main);
	gapList = (await httpJson('GET', `${j.api}/gaps/${j.main}?limit=200`))
	    .json.items;
	assert.ok(all.length > 300, `a journal worth paging (${all.length})`);
});

after(async () => {
	await browser?.close();
	await j?.stack.stop();
	await cleanup();
});

// A page at url (relative to the site); prefs go to localStorage first.
async function open(url, { prefs, width, height, timezoneId } = {}) {
	const page = await browser.newPage({ width, height, timezoneId });
	if (prefs)
		await page.addInitScript((p) => localStorage.setItem(
		    'linernotes.prefs', JSON.stringify(p)), prefs);
	await page.goto(j.stack.baseUrl + url);
	return page;
}

// The main journal's Plays page, once its first rows are in.
async function openPlays() {
	const page = await open(`/#/u/${j.main}/plays`);
	await page.waitForSelector('li.play');
	return page;
}

function clean(page) {
	assert.deepEqual(page.problems, [], 'no console errors, no failed ' +
	    'requests');
}

// The API's plays folded the way the page folds them: [{track, at, n}].
// Consecutive plays of one track, as the page folds them: a recorded gap
// between two plays keeps them apart.
function runs(plays) {
	const out = [];
	for (const p of plays) {
		const r = out[out.length - 1];
		if (r && p.track_id && r.track === p.track_id &&
		    !gapList.some((g) => p.played_at <= g.from && g.to <= r.first)) {
			r.n++;
			r.first = p.played_at;
		} else
			out.push({ track: p.track_id, at: p.played_at, first: p.played_at,
				n: 1 });
	}
	return out;
}

// Rows of the plays page: [{track, at, n}].
function rows(page) {
	return page.$$eval('li.play', (els) => els.map((e) => ({
		track: e.dataset.track, at: Number(e.dataset.at),
		n: Number(e.dataset.count) })));
}

// Loads older pages until the oldest play shows.
async function loadAll(page) {
	for (let i = 0; i < 200; i++) {
		if (await page.locator('[data-end="oldest"]').count() > 0)
			return;
		const more = page.locator('.more button');
		if (await more.count() > 0 && await more.isEnabled())
			await more.click().catch(() => {});
		await page.waitForTimeout(50);
	}
	assert.fail('never reached the oldest play');
}

// Every playlist name the API gives MAIN's pages: context URI -> name.
async function apiContexts() {
	const names = new Map();
	let before = null;
	for (;;) {
		const r = await httpJson('GET', `${j.api}/plays/${j.main}?limit=200` +
		    (before !== null ? `&before=${before}` : ''));
		assert.equal(r.status, 200, r.text);
		for (const [uri, c] of Object.entries(r.json.contexts))
			names.set(uri, c.name);
		if (!r.json.next)
			return names;
		before = r.json.next.before;
	}
}

// The runs of plays (folded as the page folds them) whose track was last
// heard at least ms before: their `at`s.
function returnsOf(list, ms) {
	const last = new Map();
	const out = [];
	for (const r of [...runs(list)].reverse()) {
		if (last.has(r.track) && r.first - last.get(r.track) >= ms)
			out.push(r.at);
		last.set(r.track, r.at);
	}
	return out;
}

async function post(kind, ids) {
	const r = await httpJson('POST', `${j.api}/${kind}`, { ids });
	assert.equal(r.status, 200);
	return r.json[kind];
}

test('Plays shows the newest plays with their tracks, artists and albums',
    async () => {
	const page = await openPlays();
	const got = (await rows(page)).slice(0, 10);
	const want = runs(all).slice(0, 10);
	assert.deepEqual(got.map((r) => [r.track, r.at, r.n]),
	    want.map((r) => [r.track, r.at, r.n]));
	// Names as the batch endpoints have them, never an empty row.
	const tracks = await post('tracks', want.map((r) => r.track));
	const names = await page.$$eval('li.play .track .name',
	    (els) => els.slice(0, 10).map((e) => e.textContent));
	assert.deepEqual(names, tracks.map((t) => t.name));
	const artists = await post('artists', [tracks[0].artist_ids[0]]);
	assert.match(await page.locator('li.play .by').first().textContent(),
	    new RegExp(artists[0].name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
	for (const text of await page.$$eval('li.play .what', (els) =>
	    els.map((e) => e.textContent.trim())))
		assert.ok(text.length > 0, 'no empty row');
	// The heading counts the journal's plays.
	assert.match(await page.locator('.page-head .sub').textContent(),
	    new RegExp(all.length.toLocaleString('en-US')));
	clean(page);
});

test('paging reaches the oldest play without repeats or holes, one batch ' +
    'per entity kind per page; returns and gaps are where the data says',
    async () => {
	const page = await open(`/#/u/${j.main}/plays`,
	    { prefs: { returnDays: 2, zone: 'journal' } });
	await page.waitForSelector('li.play');
	await loadAll(page);
	const got = await rows(page);
	const want = runs(all);
	assert.equal(got.length, want.length);
	assert.deepEqual(got.map((r) => `${r.track} ${r.at} ${r.n}`),
	    want.map((r) => `${r.track} ${r.at} ${r.n}`));
	assert.equal(got.reduce((a, r) => a + r.n, 0), all.length);

	// Request budget: after each plays request, at most one batch per
	// kind before the next one (the story above the list asks on its
	// own, tagged: once per page load, not per page of plays).
	const reqs = (await page.evaluate(() => window.__ln.requests))
	    .filter((r) => !r.tag);
	let per = null;
	let pages = 0;
	for (const r of reqs) {
		if (r.method === 'GET' && r.path.startsWith('/plays/')) {
			per = {};
			pages++;
		} else if (r.method === 'POST' && per) {
			per[r.path] = (per[r.path] ?? 0) + 1;
			assert.ok(per[r.path] <= 1, `two ${r.path} batches in a page`);
		}
	}
	assert.ok(pages >= Math.ceil(all.length / 50), `${pages} pages`);

	// Returns: a run whose track was last heard two days or more before.
	const wantReturns = returnsOf(all, 2 * 86400e3);
	const gotReturns = await page.$$eval('li.play.returns',
	    (els) => els.map((e) => Number(e.dataset.at)));
	assert.ok(wantReturns.length > 0, 'the journal has returns');
	assert.deepEqual(gotReturns.sort(), wantReturns.sort());

	// Gaps: every recorded gap, between the plays around it.
	const gaps = await httpJson('GET', `${j.api}/gaps/${j.main}?limit=200`);
	assert.ok(gaps.json.items.length > 0, 'the collector recorded gaps');
	const order = await page.$$eval('li.play, li.gap', (els) => els.map(
	    (e) => e.classList.contains('gap') ? { gap: Number(e.dataset.to) } :
	    { at: Number(e.dataset.at) }));
	assert.deepEqual(order.filter((x) => x.gap).map((x) => x.gap).sort(),
	    gaps.json.items.map((g) => g.to).sort());
	for (let i = 0; i < order.length; i++) {
		if (!order[i].gap)
			continue;
		const newer = order.slice(0, i).filter((x) => x.at).pop();
		const older = order.slice(i + 1).find((x) => x.at);
		const at = (x) => new Date(x).toISOString();
		if (newer)
			assert.ok(newer.at >= order[i].gap, 'gap to ' +
			    `${at(order[i].gap)} below newer plays (${at(newer.at)})`);
		if (older)
			assert.ok(older.at < order[i].gap, 'gap to ' +
			    `${at(order[i].gap)} above older plays (${at(older.at)})`);
	}

	// Playlists: by name where the journal knows it (the collector
	// keeps Discover Weekly's weeks), else "a playlist".
	const names = await apiContexts();
	const byAt = new Map(all.map((p) => [p.played_at, p]));
	const ctx = await page.$$eval('li.play', (els) => els.map((e) =>
	    [Number(e.dataset.at), e.querySelector('.ctx')?.textContent ??
	    null]));
	let named = 0;
	for (const [at, text] of ctx) {
		const uri = byAt.get(at).context_uri;
		if (!uri?.startsWith('spotify:playlist:'))
			continue;
		const name = names.get(uri);
		assert.equal(text, name ? `from ${name}` : 'from a playlist');
		named += name ? 1 : 0;
	}
	assert.ok(named > 0, 'a play from a playlist the journal names');
	assert.ok([...names.values()].includes('Discover Weekly'));
	clean(page);
});

test('returns are marked exactly on the first page, before older pages ' +
    'load', async (t) => {
	const page = await open(`/#/u/${j.main}/plays`,
	    { prefs: { returnDays: 1, zone: 'journal' } });
	await page.waitForSelector('li.play');
	const shown = await rows(page);
	assert.equal(await page.locator('[data-end="oldest"]').count(), 0,
	    'only the first page is loaded');
	// A run the first page holds whole: the last one may go on in the
	// next page, where only its older plays can say whether it returns.
	const shownN = new Map(shown.map((r) => [r.at, r.n]));
	const whole = new Set(runs(all).filter((r) => shownN.get(r.at) === r.n)
	    .map((r) => r.at));
	const want = returnsOf(all, 86400e3).filter((at) => whole.has(at));
	// Whether the first page holds a whole run that returns depends on
	// the day (the paging test above proves returns are marked where
	// the data says on every page); here, none may be missed or made up.
	if (want.length === 0)
		t.diagnostic('no whole run on the first page returns on this day');
	const got = await page.$$eval('li.play.returns',
	    (els) => els.map((e) => Number(e.dataset.at)));
	assert.deepEqual(got.sort(), want.sort());
	clean(page);
});

test('folded repeats expand to every play of the run', async () => {
	const want = runs(all).find((r) => r.n >= 2);
	assert.ok(want, 'the journal has a repeat');
	const page = await open(`/#/u/${j.main}/plays`);
	const row = page.locator(`li.play[data-at="${want.at}"]`);
	for (let i = 0; i < 100 && await row.count() === 0; i++) {
		await page.locator('.more button').click().catch(() => {});
		await page.waitForTimeout(50);
	}
	assert.equal(await row.getAttribute('data-count'), String(want.n));
	const button = row.locator('button.mark.repeat');
	assert.equal(await button.textContent(), `×${want.n}▾`);
	assert.equal(await button.getAttribute('aria-expanded'), 'false');
	await button.focus();
	await page.keyboard.press('Enter');
	assert.equal(await button.getAttribute('aria-expanded'), 'true');
	const times = await row.locator('ol.each li').evaluateAll(
	    (els) => els.map((e) => Number(e.dataset.at)));
	const i = all.findIndex((p) => p.played_at === want.at);
	assert.deepEqual(times, all.slice(i, i + want.n).map((p) => p.played_at));
	await button.click();
	assert.equal(await row.locator('ol.each').count(), 0);
	clean(page);
});

test('jumping to a date starts there and newer plays follow', async () => {
	const mid = all[Math.floor(all.length / 2)];
	const zone = (await httpJson('GET', `${j.api}/users`)).json.users
	    .find((u) => u.id === j.main).timezone;
	const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone })
	    .format(new Date(mid.played_at));
	const page = await openPlays();
	await page.fill('#jump-date', day);
	await page.click('form.jump button[type="submit"]');
	await page.waitForFunction((d) => location.hash.endsWith(`date=${d}`),
	    day);
	await page.waitForSelector('li.play');
	// The first row is the newest play of that day (in the journal's
	// zone), the last play before the next day began.
	const first = (await rows(page))[0];
	const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: zone });
	const want = all.find((p) => fmt.format(new Date(p.played_at)) <= day);
	assert.equal(fmt.format(new Date(first.at)), day);
	assert.equal(first.at, runs(all.slice(all.indexOf(want)))[0].at);
	await page.click('.more.newer button');
	await page.waitForFunction((at) => Number(document.querySelector(
	    'li.play').dataset.at) > at, first.at);
	const now = await rows(page);
	const k = all.indexOf(want);
	assert.deepEqual(now.reduce((a, r) => a + r.n, 0) >= 50, true);
	assert.ok(all.slice(Math.max(0, k - 50), k).every((p) =>
	    now.some((r) => r.at >= p.played_at)), 'the newer page is whole');
	clean(page);
});

test('the site opens on the journal with the most plays', async () => {
	const users = (await httpJson('GET', `${j.api}/users`)).json.users;
	const richest = users.reduce((b, u) => (u.n_plays > b.n_plays ? u : b));
	assert.notEqual(richest.id, users[0].id, 'not simply the first listed');
	const page = await open('/');
	await page.waitForFunction(() => location.hash.includes('/plays'));
	assert.equal(await page.evaluate(() => location.hash),
	    `#/u/${richest.id}/plays`);
	await page.waitForSelector('.story');
	clean(page);
});

test('the journal switcher lists the public journals and switches',
    async () => {
	const page = await openPlays();
	const options = await page.$$eval('.switcher option', (els) =>
	    els.map((e) => e.value));
	assert.deepEqual(options.sort(), [...j.users].sort());
	const other = j.users.find((u) => u !== j.main);
	await page.selectOption('.switcher select', other);
	await page.waitForFunction((u) => location.hash.includes(`/u/${u}/`),
	    other);
	const theirs = await apiAll(j.api, other);
	await page.waitForFunction((at) => document.querySelector('li.play')
	    ?.dataset.at === String(at), theirs[0].played_at);
	clean(page);
});

test('Discover Weekly: weeks full or reconstructed, with later plays counted',
    async () => {
	const dw = (await httpJson('GET', `${j.api}/dw/${j.main}?limit=4`)).json;
	assert.ok(dw.weeks.some((w) => w.how === 'full'), 'a full week');
	assert.ok(dw.weeks.some((w) => w.how === 'heard'),
	    'a reconstructed week');
	const page = await open(`/#/u/${j.main}/dw`);
	await page.waitForSelector('li.dw-track[data-played]:not([data-played=""])');
	const weeks = await page.$$eval('section.week', (els) => els.map((e) =>
	    ({ week: e.dataset.week, how: e.dataset.how,
		badge: e.querySelector('.badge').textContent,
		tracks: [...e.querySelectorAll('li.dw-track')].map((t) =>
		    [t.dataset.track, Number(t.dataset.played)]) })));
	assert.deepEqual(weeks.map((w) => [w.week, w.how]),
	    dw.weeks.map((w) => [w.week, w.how]));
	for (const [i, w] of weeks.entries()) {
		const api = dw.weeks[i];
		assert.equal(w.badge, api.how === 'full' ? 'Full list' :
		    'Reconstructed from your plays');
		assert.deepEqual(w.tracks, api.track_ids.map((id) => [id,
			all.filter((p) => p.track_id === id &&
			    p.played_at >= api.week_start).length]));
	}
	assert.ok(weeks.some((w) => w.tracks.some(([, n]) => n > 0)),
	    'some Discover Weekly track was played');
	// The counts came with the weeks: the page read no plays.
	const reqs = await page.evaluate(() => window.__ln.requests);
	assert.ok(reqs.some((r) => r.path.startsWith('/dw/')));
	assert.deepEqual(reqs.filter((r) => r.path.startsWith('/plays/')), []);
	clean(page);
});

test('Top: rank changes against a known previous snapshot, and the chart',
    async () => {
	const { current, previous, dropped } = j.known.top;
	const page = await open(`/#/u/${j.main}/top?range=short_term&kind=tracks`);
	await page.waitForSelector('li.top-item');
	const items = await page.$$eval('li.top-item', (els) => els.map((e) =>
	    [e.dataset.id, Number(e.dataset.rank), e.dataset.change]));
	const want = current.map((id, i) => {
		const was = previous.indexOf(id);
		return [id, i + 1, was < 0 ? 'new' : was > i ? 'up' :
		    was < i ? 'down' : 'same'];
	});
	assert.deepEqual(items, want);
	// The known pair: #1 and #2 swapped, #3 same, #4 new, #6 down.
	assert.deepEqual(items.slice(0, 4).map((x) => x[2]),
	    ['up', 'down', 'same', 'new']);
	assert.equal(items[5][2], 'down');
	assert.deepEqual(await page.$$eval('.dropped li', (els) =>
	    els.map((e) => e.dataset.id)), [dropped]);
	// The chart of #1: three snapshots.
	await page.locator('li.top-item').first().locator('a.btn').click();
	await page.waitForFunction(() => window.Chart &&
	    document.querySelector('li.top-item canvas')?.width > 0);
	const label = await page.locator('li.top-item canvas').getAttribute(
	    'aria-label');
	assert.match(label, /: #1$/);
	assert.equal(label.split(';').length, 3);
	// Artists and the other ranges render too.
	await page.click('.seg a:has-text("Artists")');
	await page.waitForFunction(() => location.hash.includes('kind=artists'));
	await page.waitForSelector('li.top-item, .state.empty');
	clean(page);
});

test('a missing image shows the placeholder; a usable one shows itself',
    async () => {
	const page = await openPlays();
	// The newest track of each of the two known albums (the journal
	// chose them among the newest plays).
	const newest = [...new Set(all.map((p) => p.track_id).filter(Boolean))];
	let withArt;
	let noArt;
	for (let i = 0; i < newest.length && !(withArt && noArt); i += 50) {
		const tracks = await post('tracks', newest.slice(i, i + 50));
		withArt ??= tracks.find((t) => t?.album_id === j.known.withArt);
		noArt ??= tracks.find((t) => t?.album_id === j.known.noArt);
	}
	const img = (id) => page.locator(`li.play[data-track="${id}"] img.cover`)
	    .first();
	// Older pages until both rows are there.
	for (let i = 0; i < 40 && (await img(withArt.id).count() === 0 ||
	    await img(noArt.id).count() === 0); i++) {
		await page.locator('.more button').click().catch(() => {});
		await page.waitForTimeout(100);
	}
	assert.match(await img(withArt.id).getAttribute('src'),
	    /\/test-art\/known\.svg$/);
	await img(withArt.id).scrollIntoViewIfNeeded();
	await page.waitForFunction((id) => document.querySelector(
	    `li.play[data-track="${id}"] img.cover`).naturalWidth > 0,
	    withArt.id);
	assert.equal(await img(noArt.id).getAttribute('src'),
	    'img/placeholder.svg');
	assert.match(await img(noArt.id).getAttribute('alt'), /no image/);
	// The simulator's own artwork, through the site (as in the demo).
	const simArt = page.locator('li.play img.cover[src*="/_sim/image/"]');
	assert.ok(await simArt.count() > 0, 'covers from the simulator');
	assert.ok((await simArt.first().getAttribute('src')).startsWith(
	    `${j.stack.baseUrl}/_sim/image/`));
	// Covers load lazily: the first one is brought into view (where it
	// is depends on the journal's day), then it must load.
	await simArt.first().scrollIntoViewIfNeeded();
	await page.waitForFunction(() => document.querySelector(
	    'li.play img.cover[src*="/_sim/image/"]').naturalWidth > 0);
	// Every image has alt text and none is broken.
	const imgs = await page.$$eval('img', (els) => els.map((e) =>
	    ({ alt: e.getAttribute('alt'), ok: e.complete ? e.naturalWidth > 0 :
		true })));
	assert.ok(imgs.every((x) => x.alt !== null && x.ok));
	clean(page);
});

test('Settings signed out: the journal and connection, the settings ' +
    'read-only with a way to sign in', async () => {
	const page = await open(`/#/u/${j.main}/settings`);
	await page.waitForSelector('.facts');
	const u = (await httpJson('GET', `${j.api}/users`)).json.users
	    .find((x) => x.id === j.main);
	assert.equal(await page.locator('[data-status]').getAttribute(
	    'data-status'), u.status);
	assert.match(await page.locator('.facts').textContent(),
	    new RegExp(u.n_plays.toLocaleString('en-US')));
	await page.waitForFunction(() => document.querySelector('.facts')
	    .textContent.includes('collector'));
	for (const c of ['input[name=visibility]', 'select[name=timezone]',
		'input[name=dw]', 'textarea[name=archive]'])
		assert.equal(await page.locator(`form.settings ${c}`).first()
		    .isDisabled(), true, `${c} disabled`);
	assert.equal(await page.locator('form.settings button[type=submit]')
	    .isDisabled(), true);
	// Signed out, the note says who may change them and offers sign-in.
	await page.waitForFunction(() => /^Only /.test(document
	    .querySelector('#settings-note')?.textContent ?? ''));
	assert.match(await page.locator('#settings-note').textContent(),
	    /can change these settings\. Sign in with the Spotify account/);
	assert.equal(await page.locator('.settings-hint a').getAttribute(
	    'href'), '/api/v0/auth/login');
	// Exports are links to the export endpoint.  No collector daemon
	// builds the files here, so a click shows "preparing…" (the API's
	// 202) and keeps asking.
	const links = await page.$$eval('.exports a', (els) =>
	    els.map((e) => e.getAttribute('href')));
	assert.deepEqual(links, ['csv', 'sql', 'json'].map((f) =>
	    `/api/v0/export/${j.main}.${f}`));
	await page.locator('.exports a').first().click();
	await page.locator('.export-state').waitFor();
	assert.equal(await page.locator('.export-state').textContent(),
	    'preparing…');
	const csv = await httpJson('GET', j.stack.baseUrl + links[0]);
	assert.equal(csv.status, 202);
	assert.equal(csv.json.status, 'preparing');
	// This browser's preferences work now: the returns threshold.
	await page.fill('input[name=returnDays]', '30');
	await page.locator('input[name=returnDays]').press('Tab');
	assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem(
	    'linernotes.prefs')).returnDays), 30);
	clean(page);
});

test('a journal without a time zone is shown in the browser\'s',
    async () => {
	const page = await browser.newPage({ timezoneId: 'America/Lima' });
	// The same journal, as if its owner had set no zone.
	await page.route('**/api/v0/users', async (route) => {
		const res = await route.fetch();
		const body = await res.json();
		for (const u of body.users)
			u.timezone = null;
		await route.fulfill({ response: res, json: body });
	});
	await page.goto(`${j.stack.baseUrl}/#/u/${j.main}/settings`);
	await page.waitForSelector('.facts');
	assert.match(await page.locator('footer.foot').textContent(),
	    /Times in America\/Lima\./);
	assert.match(await page.locator('input[name=zone][value=journal]')
	    .locator('xpath=..').textContent(), /not set/);
	assert.equal(await page.locator('select[name=timezone]').inputValue(),
	    '');
	// A play's time is the browser zone's.
	await page.goto(`${j.stack.baseUrl}/#/u/${j.main}/plays`);
	await page.waitForSelector('li.play');
	const t = await page.locator('li.play time.when').first()
	    .getAttribute('datetime');
	const text = await page.locator('li.play time.when').first()
	    .textContent();
	const lima = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Lima',
		hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
	    .format(new Date(t));
	assert.equal(text.split('–')[0], lima);
	clean(page);
});

test('phone width: every page fits without sideways scrolling', async () => {
	for (const width of [390, 320]) {
		for (const p of ['plays', 'dw', 'top', 'insights', 'settings']) {
			const page = await open(`/#/u/${j.main}/${p}`,
			    { width, height: 844 });
			await page.waitForSelector('main h1');
			await page.waitForSelector('.state.loading',
			    { state: 'detached' });
			const over = await page.evaluate(() =>
			    document.documentElement.scrollWidth - window.innerWidth);
			assert.ok(over <= 0, `${p} at ${width}px: ${over}px wider ` +
			    'than the screen');
			clean(page);
			await page.context().close();
		}
	}
});

// How the name and artist lines of the Discover Weekly or Top rows show:
// [{text, full (nothing cut), lines (of the line's own height)}].
function nameLines(page) {
	return page.$$eval('.dw-track .what p, .top-item .what p', (els) =>
	    els.map((p) => ({ text: p.textContent,
		full: p.scrollWidth <= p.clientWidth + 1 &&
		    p.scrollHeight <= p.clientHeight + 1,
		lines: p.clientHeight / parseFloat(getComputedStyle(p)
		    .lineHeight) })));
}

test('phone width: Discover Weekly and Top names get two lines, not a ' +
    'dozen characters; wide rows keep one', async () => {
	const lists = [['dw', 'li.dw-track[data-played]:not([data-played=""])'],
		['top?range=short_term&kind=tracks', 'li.top-item'],
		['top?range=long_term&kind=artists', 'li.top-item']];
	for (const [url, ready] of lists) {
		const page = await open(`/#/u/${j.main}/${url}`,
		    { width: 390, height: 844 });
		await page.waitForSelector(ready);
		await page.evaluate(() => document.fonts.ready);
		const lines = await nameLines(page);
		assert.ok(lines.length >= 20, `${url}: ${lines.length} lines`);
		// A line that fits in two is shown whole: on one line, a dw
		// name was cut after 13 characters ("The Silver H…"), a top
		// one after 20.
		const cut = lines.filter((x) => !x.full && x.text.length <= 40);
		assert.deepEqual(cut.map((x) => x.text), [],
		    `${url}: cut at 390px`);
		// Longer ones use both lines, and no row grows past two.
		for (const x of lines) {
			assert.ok(x.lines < 2.5, `${url}: "${x.text}" on ` +
			    `${x.lines.toFixed(1)} lines`);
			if (!x.full)
				assert.ok(x.lines > 1.5, `${url}: "${x.text}" ` +
				    'cut on one line');
		}
		if (!url.includes('artists'))
			assert.ok(lines.some((x) => x.lines > 1.5),
			    `${url}: no name needed a second line at 390px`);
		clean(page);
		await page.context().close();
	}
	// Wide, a row is as before: one line each, the chip beside the name.
	const page = await open(`/#/u/${j.main}/dw`);
	await page.waitForSelector(lists[0][1]);
	assert.ok((await nameLines(page)).every((x) => x.lines < 1.5),
	    'one line per name at 1280px');
	assert.ok(await page.$$eval('li.dw-track', (els) => els.every((e) =>
	    e.querySelector('.chip').getBoundingClientRect().left >=
	    e.querySelector('.what').getBoundingClientRect().right)),
	    'the chip beside the name at 1280px');
	clean(page);
	await page.context().close();
});

// Where each nav tab is: inside the window and not cut off by the tab
// bar (which scrolls sideways), and whether the bar shows a fade at the
// edge that hides more.
function tabBoxes(page) {
	return page.evaluate(() => {
		const ul = document.querySelector('nav.tabs ul');
		const bar = ul.getBoundingClientRect();
		return [...ul.querySelectorAll('.tab')].map((t) => {
			const r = t.getBoundingClientRect();
			return { label: t.innerText.trim(),
				visible: r.width > 0 && r.left >= 0 && r.right <=
				    window.innerWidth && r.left >= bar.left - 0.5 &&
				    r.right <= bar.right + 0.5,
				fadeEnd: ul.classList.contains('more-end'),
				fadeStart: ul.classList.contains('more-start') };
		});
	});
}

test('narrow and signed-in headers: every nav tab visible or reachable', async () => {
	const me = { user: { id: j.main, display_name:
	    'A rather long display name', timezone: null, public: true } };
	for (const [width, signedIn] of [[390, false], [320, false],
	    [390, true], [320, true], [1280, true]]) {
		const what = `${width}px${signedIn ? ', signed in' : ''}`;
		const page = await browser.newPage({ width, height: 844 });
		if (signedIn) {
			await page.route('**/api/v0/me', (r) =>
			    r.fulfill({ json: me }));
			// The owner's own lists, which that sign-in would show.
			await page.route('**/api/v0/imports', (r) =>
			    r.fulfill({ json: { imports: [] } }));
		}
		await page.goto(`${j.stack.baseUrl}/#/u/${j.main}/plays`);
		await page.waitForSelector('main h1');
		await page.waitForSelector('header .account');
		await page.evaluate(() => document.fonts.ready);
		const boxes = await tabBoxes(page);
		assert.deepEqual(boxes.map((b) => b.label).length, 5, what);
		// At a phone's width and wider, every tab is in view at once.
		if (width >= 390)
			assert.deepEqual(boxes.filter((b) => !b.visible)
			    .map((b) => b.label), [], `${what}: tabs cut off`);
		// A tab out of view is behind a fade that says so.
		for (const b of boxes.filter((x) => !x.visible))
			assert.ok(b.fadeEnd || b.fadeStart,
			    `${what}: ${b.label} hidden without a fade`);
		// The keyboard reaches every tab, each fully in view with a
		// focus ring when it has the focus.
		const seen = [];
		for (let i = 0; i < 30 && seen.length < 5; i++) {
			await page.keyboard.press('Tab');
			const f = await page.evaluate(() => {
				const a = document.activeElement;
				if (!a?.matches('nav.tabs .tab'))
					return null;
				const r = a.getBoundingClientRect();
				const bar = a.closest('ul').getBoundingClientRect();
				return { label: a.innerText.trim(),
					inView: r.left >= bar.left - 0.5 && r.right <=
					    Math.min(bar.right, window.innerWidth) + 0.5,
					ring: getComputedStyle(a).outlineStyle !== 'none' };
			});
			if (!f)
				continue;
			await page.waitForTimeout(50);
			const again = (await tabBoxes(page)).find((b) =>
			    b.label === f.label);
			assert.ok(f.inView || again.visible,
			    `${what}: focused ${f.label} not in view`);
			assert.ok(f.ring, `${what}: no focus ring on ${f.label}`);
			seen.push(f.label);
		}
		assert.equal(seen.length, 5, `${what}: keyboard reached ${seen}`);
		// Going to the last page keeps its tab in view.
		await page.goto(`${j.stack.baseUrl}/#/u/${j.main}/settings`);
		await page.waitForSelector('.facts');
		await page.waitForTimeout(100);
		const last = (await tabBoxes(page)).at(-1);
		assert.ok(last.visible, `${what}: Settings tab cut off on Settings`);
		clean(page);
		await page.context().close();
	}
});
