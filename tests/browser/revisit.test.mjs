// revisit.test.mjs — a page visited again transfers no list twice.
//
// The pages fetch the API with the browser's own cache (www/js/api.js
// sets no cache mode), and the API's lists and pages carry an ETag with
// "Cache-Control: private, no-cache" (docs/API.md): so on a revisit
// Chromium asks again with If-None-Match and the API answers 304 without
// a body.  Proves, for the Plays, Top and Insights pages of a fixed
// journal through the real nginx and readers: the first visit's GETs
// bring bodies; on a revisit no GET brings one (Chromium hands the page
// the answer it kept) and the readers counted a 304 for each, and the
// revisited page shows the same journal.  Then a new play makes the next
// revisit fetch the plays again while the top list it shows stays kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { httpJson } from '../integration/lib/harness.mjs';
import { load } from '../tools/fixture.mjs';
import { insightsFixture, planted } from '../tools/insights-fixture.mjs';
import { plantedJournal } from './lib/journal.mjs';

// "Today" for the reader and the pages, fixed as the fixture's data is.
const NOW = Date.parse('2026-12-06T12:00:00Z');

const j = plantedJournal('browser-revisit', () => insightsFixture().recs,
    { now: NOW });

// The readers' count of 304 answers (/metrics).
async function notModified() {
	const m = await httpJson('GET', `${j.stack.baseUrl}/api/v0/metrics`);
	const hit = m.text.match(
	    /^linernotes_http_requests_total\{[^}]*status="304"\} \d+$/mg) ?? [];
	return hit.reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

// The API GETs a page load makes, once it settled: [{path, status,
// body}], body the bytes of the answer's body that came over the wire
// (Chromium reports a revalidated answer as the 200 it kept, with none).
async function visit(page, url, selector) {
	const seen = [];
	const on = (r) => {
		const u = new URL(r.url());
		if (u.pathname.startsWith('/api/v0/') &&
		    r.request().method() === 'GET')
			seen.push(r.request().sizes().then((s) => ({
				path: u.pathname + u.search, status: r.status(),
				body: s.responseBodySize })));
	};
	page.on('response', on);
	await page.goto(url);
	await page.waitForSelector(selector);
	await page.waitForLoadState('networkidle');
	page.off('response', on);
	return Promise.all(seen);
}

const PAGES = [['plays', 'li.play'], ['top', 'li.top-item, .state.empty'],
	['insights', '.ins-grid']];

test('a revisit is all 304s; a new play fetches the plays again', async () => {
	const page = await j.browser.newPage();
	const url = (p) => `${j.stack.baseUrl}/#/u/ivy/${p}`;
	for (const [p, sel] of PAGES) {
		const first = await visit(page, url(p), sel);
		assert.ok(first.length > 0, `${p}: the page fetched its lists`);
		assert.ok(first.every((r) => r.status === 200 && r.body > 0),
		    `${p}: ${JSON.stringify(first)}`);
	}
	const shown = await page.goto(url('plays')).then(() =>
	    page.waitForSelector('li.play')).then(() =>
	    page.locator('li.play').first().innerText());
	await page.waitForLoadState('networkidle');

	for (const [p, sel] of PAGES) {
		const before304 = await notModified();
		await page.goto('about:blank');
		const again = await visit(page, url(p), sel);
		assert.ok(again.length > 0, p);
		assert.deepEqual(again.filter((r) => r.status !== 200 ||
		    r.body !== 0), [], `${p}: every list came from the ` +
		    'browser\'s cache, with no body over the wire');
		assert.equal(await notModified() - before304, again.length,
		    `${p}: the readers answered each with a 304`);
	}
	await page.goto('about:blank');
	await visit(page, url('plays'), 'li.play');
	assert.equal(await page.locator('li.play').first().innerText(), shown);

	// A new play: the plays are fetched again, the top lists are not.
	load(j.db, [{ type: 'play', user: 'ivy', source: 'api',
	    played_at: NOW - 3600000, track_id: planted.binge,
	    ms_played: 180000 }]);
	await page.goto('about:blank');
	const plays = await visit(page, url('plays'), 'li.play');
	assert.ok(plays.some((r) => r.path.startsWith('/api/v0/plays/ivy') &&
	    r.body > 0), JSON.stringify(plays));
	assert.ok(plays.some((r) => r.path.startsWith('/api/v0/top/ivy') &&
	    r.body === 0), JSON.stringify(plays));
	assert.deepEqual(page.problems, [], 'no console errors, no failed ' +
	    'requests');
});
