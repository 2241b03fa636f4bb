// stories.test.mjs — the story pages and the search in headless Chromium
// against the real nginx and spawn-fcgi, on the planted journal of
// tests/tools/insights-fixture.mjs (ivy, Europe/Berlin: a 73-play binge
// of "When I Paint My Masterpiece" by Bob Dylan on 3 Oct 2018).
//
// Proves, at desktop and at phone width: a binge on Insights is a link
// to its track's page, which tells the 73-in-a-row night and lists its
// plays (paging back to the first); the header's search box finds an
// artist as you type, case and accents aside ("DYLAN", "dýlan"), and its
// result opens the artist's page with the track ranked; Enter opens the
// search page; the Charts page of October 2018 has the binge's track on
// top, new since September, and leads to its story; and no page logs a console error or has a request fail.
// Screenshots of the pages go to docs/screenshots/ when
// SHOTS is set.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../integration/lib/harness.mjs';
import { insightsFixture, planted } from '../tools/insights-fixture.mjs';
import { plantedJournal } from './lib/journal.mjs';

const SIZES = { desktop: { width: 1280, height: 900 },
	phone: { width: 390, height: 844 } };

const j = plantedJournal('browser-stories', () => insightsFixture().recs);

function clean(page) {
	assert.deepEqual(page.problems, [], 'no console errors, no failed ' +
	    'requests');
}

async function shot(page, name) {
	if (process.env.SHOTS)
		await page.screenshot({ path: path.join(repoRoot, 'docs',
		    'screenshots', `${name}.png`), fullPage: false });
}

for (const [label, size] of Object.entries(SIZES)) {
	test(`${label}: from a binge on Insights to its track's page`,
	    async () => {
		const page = await j.browser.newPage(size);
		await page.goto(`${j.stack.baseUrl}/#/u/ivy/insights`);
		const link = page.locator('.ins-binges a.story-link', {
			hasText: 'When I Paint My Masterpiece' }).first();
		await link.waitFor();
		await link.click();
		await page.waitForSelector(`.story[data-kind="track"]` +
		    `[data-id="${planted.binge}"]`);
		assert.match(page.url(), new RegExp(`#/u/ivy/track\\?id=` +
		    planted.binge));
		const title = await page.locator('.story-title').innerText();
		assert.match(title, /When I Paint My Masterpiece/);
		const binges = await page.locator('#story-binges').innerText();
		assert.match(binges, /73× in a row/);
		assert.match(binges, /23:00/);
		assert.match(await page.locator('.facts').innerText(), /73/);
		await page.waitForFunction(() => window.Chart);
		await shot(page, `story-track-${label}`);
		// The plays, newest first, 50 then the rest.
		await page.waitForSelector('.story-plays li');
		assert.equal(await page.locator('.story-plays li').count(), 50);
		await page.locator('#story-plays button',
		    { hasText: 'Older plays' }).click();
		await page.waitForFunction(() => document.querySelectorAll(
		    '.story-plays li').length === 73);
		// The chart is drawn.
		assert.equal(await page.locator('.story .chart canvas').count(),
		    1);
		clean(page);
		await page.context().close();
	});

	test(`${label}: from a search result to an artist's page`,
	    async () => {
		const page = await j.browser.newPage(size);
		await page.goto(`${j.stack.baseUrl}/#/u/ivy/plays`);
		const box = page.locator('#search-q');
		await box.waitFor();
		await box.fill('dýlan');
		const hit = page.locator('.search-results a.story-link',
		    { hasText: 'Bob Dylan' }).first();
		await hit.waitFor();
		await shot(page, `search-${label}`);
		await hit.click();
		await page.waitForSelector(`.story[data-kind="artist"]` +
		    `[data-id="${planted.bingeArtist}"]`);
		assert.match(await page.locator('.story-title').innerText(),
		    /Bob Dylan/);
		assert.match(await page.locator('#story-tracks').innerText(),
		    /When I Paint My Masterpiece\s+73/);
		assert.equal(await page.locator('.search-results').count(), 0);
		// Enter opens the search page with every kind.
		await box.fill('DYLAN');
		await box.press('Enter');
		await page.waitForSelector('.search-page');
		assert.match(page.url(), /#\/u\/ivy\/search\?q=DYLAN/);
		assert.match(await page.locator('.search-page').innerText(),
		    /Bob Dylan/);
		await shot(page, `story-artist-${label}`);
		clean(page);
		await page.context().close();
	});
}

test('charts: October 2018, the binge on top and new', async () => {
	const page = await j.browser.newPage(SIZES.desktop);
	// The Top page leads here.
	await page.goto(`${j.stack.baseUrl}/#/u/ivy/top`);
	await page.locator('a.charts-link').click();
	await page.waitForSelector('.charts-controls');
	await page.goto(`${j.stack.baseUrl}/#/u/ivy/charts?from=2018-10-01` +
	    '&to=2018-10-31');
	await page.waitForSelector('.chart-row');
	const first = page.locator('.chart-row').first();
	assert.equal(await first.getAttribute('data-id'), planted.binge);
	assert.match(await first.innerText(), /new[\s\S]*When I Paint My Masterpiece[\s\S]*73 plays/);
	await page.locator('.charts-controls select').first()
	    .selectOption('artists');
	await page.waitForFunction(() => location.hash.includes('kind=artists'));
	await page.waitForFunction(() => document.querySelector('.chart-row')
	    ?.textContent.includes('Bob Dylan'));
	await shot(page, 'charts-desktop');
	await page.locator('.chart-row a.story-link').first().click();
	await page.waitForSelector('.story[data-kind="artist"]');
	clean(page);
	await page.context().close();
});

test('year in review: 2018, its top track, and saved as an image',
    async () => {
	const page = await j.browser.newPage(SIZES.phone);
	await page.goto(`${j.stack.baseUrl}/#/u/ivy/charts`);
	await page.locator('a.review-link').click();
	await page.waitForSelector('.page-head select');
	await page.goto(`${j.stack.baseUrl}/#/u/ivy/review?year=2018`);
	await page.waitForSelector('.review');
	// 4 fillers a day, the binge, 72 Christmas plays, 3 of the return.
	const plays = 4 * 365 + 73 + 72 + 3;
	assert.equal(await page.locator('.review-minutes').innerText(),
	    (plays * 3).toLocaleString('en-US'));
	assert.match(await page.locator('.review-top[data-kind="tracks"]')
	    .innerText(), /Christmas Song|Filler/);
	assert.match(await page.locator('.review').innerText(),
	    /The biggest binge\s+When I Paint My Masterpiece 73× in a row/);
	assert.match(await page.locator('.review').innerText(),
	    /Winter: Christmas Song/);
	const [dl] = await Promise.all([page.waitForEvent('download'),
		page.locator('button', { hasText: 'Save as image' }).click()]);
	assert.match(dl.suggestedFilename(), /^linernotes-ivy-2018\.png$/);
	await shot(page, 'review-phone');
	clean(page);
	await page.context().close();
});
