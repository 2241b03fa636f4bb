// insights.test.mjs — the Insights page in headless Chromium against the
// real nginx and spawn-fcgi, on the planted journal of
// tests/tools/insights-fixture.mjs (ivy, Europe/Berlin: a 73-play binge
// on 3 Oct 2018, a December song, a return after 400 days, a 30-day June
// streak).
//
// Proves: the planted patterns show on the page (each in its list, with
// its figures); the calendar heat map has one link per day with plays and
// a day leads to that day's plays on the Plays page (its first day is
// that day, its first row the binge's track); on a phone, where the
// calendar is wider than the screen, it opens at its newest weeks (the
// year's last, or today's in the current year) and still scrolls back to
// January, while a wide screen shows the whole year unscrolled; the punch
// card and both charts are drawn, with their tables; a year narrows
// everything; and no page logs a console error or has a request fail.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { cleanup, makeRunDir, startStack, writeConfig } from
    '../integration/lib/harness.mjs';
import { load } from '../tools/fixture.mjs';
import { insightsFixture, planted } from '../tools/insights-fixture.mjs';
import { openBrowser } from './lib/journal.mjs';

let stack;
let browser;

before(async () => {
	const dir = makeRunDir('browser-insights');
	const config = writeConfig(dir, {});
	load(path.join(dir, 'db'), insightsFixture().recs);
	stack = await startStack({ dir, config });
	browser = await openBrowser();
});

after(async () => {
	await browser?.close();
	await stack?.stop();
	await cleanup();
});

async function open(hash, size = {}, before) {
	const page = await browser.newPage(size);
	await before?.(page);
	await page.goto(`${stack.baseUrl}/#/u/ivy/${hash}`);
	await page.waitForSelector('.ins-grid');
	return page;
}

function clean(page) {
	assert.deepEqual(page.problems, [], 'no console errors, no failed ' +
	    'requests');
}

const text = (page, sel) => page.locator(sel).innerText();

test('all time: every planted pattern is on the page', async () => {
	const page = await open('insights');
	// The navigation has the page, no longer "soon".
	assert.equal(await page.locator('a.tab.active').innerText(), 'Insights');
	await page.waitForFunction(() => document.querySelector('.ins-binges')
	    ?.textContent.includes('When I Paint My Masterpiece'));
	const binges = await text(page, '.ins-binges');
	assert.match(binges, /73×/);
	assert.match(binges, /When I Paint My Masterpiece — Bob Dylan/);
	// (Day and month in the browser's locale's order.)
	assert.match(binges,
	    /(3 Oct|Oct 3,) 2018, 23:00 – (4 Oct|Oct 4,) 2018, 02:39/);
	const seasons = await text(page, '.ins-seasons');
	assert.match(seasons, /2018\s+Christmas Song — Christmas Band\s+72 plays that December, 0 the rest of the year/);
	assert.match(seasons, /2017\s+Christmas Song/);
	assert.match(seasons, /Oct 2018\s+When I Paint My Masterpiece/);
	const returns = await text(page, '.ins-returns');
	assert.match(returns, /400 days\s+The Comeback — Returning Artist/);
	assert.match(returns, /Returning Artist \(400 days\)/);
	const streaks = await text(page, '.ins-streaks');
	assert.match(streaks, new RegExp('30 days\\s+June Artist\\s+' +
	    '(1 Jun|Jun 1,) 2019 – (30 Jun|Jun 30,) 2019, 30 plays'));
	// The calendar shows the newest year: every day of 2019 has plays.
	assert.match(await text(page, '#ins-cal-h'), /2019/);
	assert.equal(await page.locator('.heat a.cell').count(), 365);
	// Charts: Chart.js loaded, two canvases with their tables.
	await page.waitForFunction(() => window.Chart);
	assert.equal(await page.locator('.chart canvas[role="img"]').count(), 2);
	assert.ok((await page.locator('.ins-ranks table tbody tr').count()) >= 1);
	// Punch card: 7 × 24 cells, a link where there are plays.
	assert.equal(await page.locator('.punch .pc-cell').count(), 168);
	assert.ok(await page.locator('.punch a.pc-cell').count() > 0);
	clean(page);
	await page.context().close();
});

test('a calendar day leads to that day\'s plays', async () => {
	const page = await open('insights?range=2018');
	assert.match(await text(page, '#ins-cal-h'), /2018/);
	const day = page.locator('.heat a.cell[data-date="2018-10-03"]');
	assert.match(await day.getAttribute('aria-label'), /23 plays/);
	// The binge's day is among the busiest (level 4).
	assert.match(await day.getAttribute('class'), /\bl4\b/);
	await day.click();
	await page.waitForFunction(() => location.hash.includes('/plays?'));
	assert.match(await page.evaluate(() => location.hash),
	    /#\/u\/ivy\/plays\?date=2018-10-03$/);
	await page.waitForSelector('li.play');
	const first = await page.locator('section.day').first()
	    .getAttribute('aria-labelledby');
	assert.equal(first, 'day-2018-10-03');
	// Newest first: the day's last play is the binge's 19th (21:57 UTC).
	assert.equal(await page.locator('li.play').first()
	    .getAttribute('data-track'), planted.binge);
	clean(page);
	await page.context().close();
});

test('a year narrows every insight; lists lead to their plays', async () => {
	const page = await open('insights?range=2019');
	await page.waitForFunction(() => document.querySelector('.ins-streaks')
	    ?.textContent.includes('June Artist'));
	assert.match(await text(page, '.ins-binges'), /None in this range/);
	assert.match(await text(page, '.page-head .sub'), /in 2019/);
	assert.equal(await page.locator('.seg.range a.on').innerText(), '2019');
	// Weeks in the new-vs-old table, months in the ranks'.
	assert.ok(await page.locator('.ins-newold tbody tr').count() >= 52);
	const months = await page.locator('.ins-ranks thead th').count();
	assert.equal(months, 1 + 12);
	await page.locator('.ins-streaks .ins-row a.big').first().click();
	await page.waitForFunction(() => location.hash.includes('/plays?'));
	assert.match(await page.evaluate(() => location.hash),
	    /date=2019-06-30$/);
	clean(page);
	await page.context().close();
});

// The calendar's scroller and which of the days asked for are wholly in
// its view (right of the sticky weekday names): {left, max, seen}.
function calendarView(page, days) {
	return page.evaluate((ds) => {
		const wrap = document.querySelector('.heat-wrap');
		const box = wrap.getBoundingClientRect();
		const names = wrap.querySelector('.heat-days')
		    .getBoundingClientRect();
		const seen = {};
		for (const d of ds) {
			const r = wrap.querySelector(`.cell[data-date="${d}"]`)
			    .getBoundingClientRect();
			seen[d] = r.left >= names.right - 0.5 &&
			    r.right <= box.right + 0.5;
		}
		return { left: wrap.scrollLeft,
			max: wrap.scrollWidth - wrap.clientWidth,
			namesAt: names.left - box.left, seen };
	}, days);
}

test('on a phone the calendar opens at its newest weeks, not January',
    async () => {
	const phone = { width: 390, height: 844 };
	// All time shows 2019, a past year: its end.
	let page = await open('insights', phone);
	await page.waitForSelector('.heat a.cell');
	let v = await calendarView(page, ['2019-01-01', '2019-12-31']);
	assert.ok(v.max > 200, `the year is wider than a phone (${v.max}px)`);
	assert.ok(v.left >= v.max - 1, `scrolled to the end: ${v.left} of ` +
	    `${v.max}`);
	assert.deepEqual(v.seen, { '2019-01-01': false, '2019-12-31': true });
	assert.ok(Math.abs(v.namesAt) <= 1, 'the weekday names stay in view');
	// It still scrolls back to January.
	await page.locator('.heat-wrap').evaluate((e) => { e.scrollLeft = 0; });
	v = await calendarView(page, ['2019-01-01', '2019-12-31']);
	assert.deepEqual(v.seen, { '2019-01-01': true, '2019-12-31': false });
	// Another year picked: its end again.
	await page.locator('.ins-calendar .seg button:has-text("2018")')
	    .click();
	await page.waitForFunction(() => document.querySelector('#ins-cal-h')
	    .textContent.includes('2018') && document.querySelector(
	    '.heat a.cell[data-date^="2018-"]'));
	v = await calendarView(page, ['2018-01-01', '2018-12-31']);
	assert.ok(v.left >= v.max - 1, `2018 at its end: ${v.left} of ` +
	    `${v.max}`);
	assert.deepEqual(v.seen, { '2018-01-01': false, '2018-12-31': true });
	clean(page);
	await page.context().close();

	// In the current year, today's week is the last in view: a phone on
	// 15 June 2019 (Europe/Berlin, the journal's zone) shows June, with
	// the weeks after it to the right.
	page = await open('insights?range=2019', phone, (p) =>
	    p.clock.setFixedTime(new Date('2019-06-15T12:00:00+02:00')));
	await page.waitForSelector('.heat a.cell');
	v = await calendarView(page, ['2019-01-01', '2019-06-15',
		'2019-06-16', '2019-12-31']);
	assert.deepEqual(v.seen, { '2019-01-01': false, '2019-06-15': true,
		'2019-06-16': true, '2019-12-31': false });
	assert.ok(v.left > 0 && v.left < v.max - 100, `scrolled to June: ` +
	    `${v.left} of ${v.max}`);
	assert.ok(await page.evaluate(() => {
		const wrap = document.querySelector('.heat-wrap');
		const week = wrap.querySelector('.cell[data-date="2019-06-16"]');
		return Math.abs(wrap.getBoundingClientRect().right -
		    week.getBoundingClientRect().right) <= 1;
	}), 'the week of 15 June ends the view');
	clean(page);
	await page.context().close();

	// A wide screen shows the whole year, unscrolled, as before.
	page = await open('insights', { width: 1280, height: 800 });
	await page.waitForSelector('.heat a.cell');
	v = await calendarView(page, ['2019-01-01', '2019-12-31']);
	assert.deepEqual([v.left, v.max], [0, 0]);
	assert.deepEqual(v.seen, { '2019-01-01': true, '2019-12-31': true });
	clean(page);
	await page.context().close();
});
