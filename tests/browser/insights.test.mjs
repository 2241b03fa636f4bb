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
//
// And what a newcomer tripped over: a binge across midnight leads to one
// folded, highlighted row on Plays with the times Insights gave; a young
// journal (nell, "The Hollow Hounds", from 6 Dec 2018) ranks its artists
// per month for all time, a December it only partly covers says where
// the journal starts, rank lines never bend past rank 1, the range picker
// is the one range control and the heat map names its months; a date
// before the first play says when the journal starts and the picker is
// bounded by the first play and today; a private or unknown journal says
// so and offers sign-in; every page's title names the page and the
// journal; names ending in s take a bare apostrophe — at a desktop's and
// a phone's width.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { spotifyId } from '../tools/fixture.mjs';
import { insightsFixture, planted } from '../tools/insights-fixture.mjs';
import { plantedJournal } from './lib/journal.mjs';

// nell: ivy's plays from 6 Dec 2018 (Berlin) on, one of them played from
// an artist's page whose name ends in s.
const NELL_FIRST = Date.parse('2018-12-06T07:00:00Z');	// 08:00 Berlin
const HOUNDS = spotifyId('R', 900);
function nell(recs) {
	const out = [{ type: 'user', id: 'nell', display_name: 'The Hollow Hounds',
		visibility: 'public', timezone: 'Europe/Berlin' },
	{ type: 'artist', id: HOUNDS, name: 'The Hollow Hounds', genres: [],
		images: [], popularity: 50 }];
	for (const r of recs)
		if (r.type === 'play' && r.user === 'ivy' &&
		    r.played_at >= NELL_FIRST)
			out.push({ ...r, user: 'nell', context_uri: r.played_at ===
			    NELL_FIRST ? `spotify:artist:${HOUNDS}` : '' });
	return out;
}

const SIZES = { desktop: { width: 1280, height: 800 },
	phone: { width: 390, height: 844 } };

// The day these tests see, for the reader ("today", this day in earlier
// years) and the pages alike: fixed, as the fixture's data is, so that no
// test depends on the day it runs (a 29 February has no earlier years).
const NOW = Date.parse('2026-12-06T12:00:00Z');

const j = plantedJournal('browser-insights', () => {
	const recs = insightsFixture().recs;
	return [...recs, ...nell(recs)];
}, { now: NOW });

async function open(hash, size = {}, before) {
	const page = await j.browser.newPage(size);
	await before?.(page);
	await page.goto(`${j.stack.baseUrl}/#/u/ivy/${hash}`);
	await page.waitForSelector('.ins-grid');
	return page;
}

// Proves page had no console error and no failed request, and closes it.
async function done(page) {
	assert.deepEqual(page.problems, [], 'no console errors, no failed ' +
	    'requests');
	await page.context().close();
}

// Runs check(page, name, size) on a page opened at the site's path where,
// at each of SIZES (more: further page options), then proves it done.
async function atEverySize(where, check, more = {}) {
	for (const [name, size] of Object.entries(SIZES)) {
		const page = await j.browser.newPage({ ...size, ...more });
		await page.goto(`${j.stack.baseUrl}/${where}`);
		await check(page, name, size);
		await done(page);
	}
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
	// The times of its first and last play, as the Plays page has them.
	assert.match(binges,
	    /(3 Oct|Oct 3,) 2018, 23:03 – (4 Oct|Oct 4,) 2018, 02:39/);
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
	// The calendar shows the journal's last twelve months: every day of
	// 2019 has plays.
	assert.match(await text(page, '#ins-cal-h'), /last twelve months/);
	assert.match(await text(page, '.ins-calendar .panel-head'), /2019/);
	assert.equal(await page.locator('.heat a.cell').count(), 365);
	// Charts: Chart.js loaded, two canvases with their tables.
	await page.waitForFunction(() => window.Chart);
	assert.equal(await page.locator('.chart canvas[role="img"]').count(), 2);
	assert.ok((await page.locator('.ins-ranks table tbody tr').count()) >= 1);
	// Punch card: 7 × 24 cells, a link where there are plays.
	assert.equal(await page.locator('.punch .pc-cell').count(), 168);
	assert.ok(await page.locator('.punch a.pc-cell').count() > 0);
	await done(page);
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
	await done(page);
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
	await done(page);
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
	await done(page);
	// Another year picked (the range picker): its end again.
	page = await open('insights?range=2018', phone);
	await page.waitForSelector('.heat a.cell[data-date^="2018-"]');
	v = await calendarView(page, ['2018-01-01', '2018-12-31']);
	assert.ok(v.left >= v.max - 1, `2018 at its end: ${v.left} of ` +
	    `${v.max}`);
	assert.deepEqual(v.seen, { '2018-01-01': false, '2018-12-31': true });
	await done(page);

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
	await done(page);

	// A wide screen shows the whole year, unscrolled, as before.
	page = await open('insights', { width: 1280, height: 800 });
	await page.waitForSelector('.heat a.cell');
	v = await calendarView(page, ['2019-01-01', '2019-12-31']);
	assert.deepEqual([v.left, v.max], [0, 0]);
	assert.deepEqual(v.seen, { '2019-01-01': true, '2019-12-31': true });
	await done(page);
});

test('a binge across midnight: one folded, highlighted row with Insights\' ' +
    'times', async () => {
	await atEverySize('#/u/ivy/insights?range=2018', async (page, name) => {
		await page.waitForSelector('.ins-grid');
		const row = page.locator('.ins-binges .ins-row').first();
		await page.waitForFunction(() => document.querySelector(
		    '.ins-binges')?.textContent.includes('Masterpiece'));
		const said = (await row.locator('.from').innerText())
		    .match(/\d\d:\d\d/g);
		assert.deepEqual(said, ['23:03', '02:39'], name);
		await row.locator('a.big').click();
		const target = page.locator('li.play.target');
		await target.waitFor({ timeout: 10000 });
		assert.equal(await target.count(), 1, `${name}: one row`);
		assert.equal(await target.getAttribute('data-count'), '73',
		    `${name}: the whole binge in it`);
		assert.equal(await target.getAttribute('data-track'),
		    planted.binge);
		assert.equal(await target.locator('.when').innerText(),
		    '23:03–02:39', name);
		assert.equal(await target.getAttribute('aria-current'), 'true');
		assert.ok(await target.isVisible() && await page.evaluate(() => {
			const r = document.querySelector('li.play.target')
			    .getBoundingClientRect();
			return r.top >= 0 && r.bottom <= innerHeight;
		}), `${name}: scrolled into view`);
	});
});

test('a young journal: months for all time, a partial December says so, ' +
    'one range control, month names, no bend past rank 1', async () => {
	await atEverySize('#/u/nell/insights', async (p, name) => {
		await p.waitForSelector('.ins-grid');
		await p.waitForSelector('.ins-ranks table', { state: 'attached' });
		// Dec 2018 .. Dec 2019: thirteen months, not two years.
		assert.equal(await p.locator('.ins-ranks thead th').count(),
		    1 + 13, name);
		assert.match(await text(p, '.ins-ranks .note'), /each month/);
		await p.waitForFunction(() => document.querySelector(
		    '.ins-seasons')?.textContent.includes('Christmas Song'));
		const seasons = await text(p, '.ins-seasons');
		assert.match(seasons, /57 plays that December — the journal starts (6 Dec|Dec 6)/, name);
		assert.doesNotMatch(seasons, /the rest of the year/);
		// One range control: the picker; the calendar has none.
		assert.equal(await p.locator('.seg').count(), 1, name);
		assert.equal(await p.locator('.ins-calendar button').count(), 0);
		// The heat map names its months.
		const months = await p.locator('.heat-months span').allInnerTexts();
		assert.ok(months.length >= 12, `${name}: ${months}`);
		for (const m of ['Jan', 'Jun', 'Dec'])
			assert.ok(months.includes(m), `${name}: ${m} in ${months}`);
		// The rank lines join their points without overshooting.
		await p.waitForFunction(() => window.Chart);
		const curves = await p.evaluate(() => [...document.querySelectorAll(
		    '.chart canvas')].map((c) => window.Chart.getChart(c))
		    .filter(Boolean).flatMap((ch) => ch.data.datasets.map((d, i) => {
			const el = ch.getDatasetMeta(i).dataset;
			return el.options.cubicInterpolationMode === 'monotone' ||
			    el.options.tension === 0;
		})));
		assert.ok(curves.length >= 2 && curves.every(Boolean), name);
		assert.equal(await p.title(),
		    'Insights · The Hollow Hounds\' journal · linernotes');
	});
});

test('a date before the journal says when it starts; the picker is ' +
    'bounded', async () => {
	await atEverySize('#/u/nell/plays?date=2018-11-01',
	    async (page, name) => {
		const msg = page.locator('.before-start');
		await msg.waitFor();
		assert.match(await msg.innerText(),
		    /This journal starts on (6 Dec|Dec 6,) 2018/, name);
		const input = page.locator('#jump-date');
		assert.equal(await input.getAttribute('min'), '2018-12-06');
		const today = new Intl.DateTimeFormat('en-CA', {
			timeZone: 'Europe/Berlin' }).format(new Date(NOW));
		assert.equal(await input.getAttribute('max'), today);
		await msg.locator('a', { hasText: 'first day' }).click();
		await page.waitForSelector('section.day');
		assert.equal(await page.locator('section.day').first()
		    .getAttribute('aria-labelledby'), 'day-2018-12-06');
		// Its subtitle and an artist's page: bare apostrophes.
		assert.match(await text(page, '.page-head .sub'),
		    /in The Hollow Hounds' journal/);
		assert.equal(await page.title(),
		    'Plays · The Hollow Hounds\' journal · linernotes');
		await page.locator('[data-end="oldest"], .more button').first()
		    .waitFor();
		while (await page.locator('[data-end="oldest"]').count() === 0) {
			await page.locator('.more button').click().catch(() => {});
			await page.waitForTimeout(50);
		}
		assert.match(await text(page, `li.play[data-at="${NELL_FIRST}"]`),
		    /from The Hollow Hounds' page/);
	}, { timezoneId: 'Europe/Berlin' });
});

test('a private or unknown journal says so and offers sign-in', async () => {
	for (const who of ['pat', 'nobody'])
		await atEverySize(`#/u/${who}/plays`, async (page, name) => {
			const box = page.locator('.not-listed');
			await box.waitFor();
			assert.match(await box.innerText(),
			    /This journal is private or does not exist/, name);
			assert.doesNotMatch(await page.locator('main').innerText(),
			    /Something went wrong/);
			assert.equal(await box.locator('a[href="/api/v0/auth/login"]',
			    { hasText: 'Sign in with Spotify' }).count(), 1);
			const shown = await page.locator('.switcher select')
			    .evaluate((e) => e.selectedOptions[0]?.textContent);
			assert.equal(shown, 'Choose a journal', name);
			assert.equal(await page.title(),
			    'Journal not found · linernotes');
			// The API's 404 for the private journal's plays is not asked.
		});
});

test('the first screen tells what the journal is and its stories, each ' +
    'leading to its page', async () => {
	await atEverySize('', async (page, name, size) => {
		await page.waitForURL(/#\/u\/ivy\/plays$/);
		const story = page.locator('.story');
		await page.locator('.story-card[data-story="binge"]').waitFor();
		await page.locator('.story-card[data-story="otd"]').waitFor();
		assert.match(await story.locator('.lede').innerText(),
		    /This is Ivy's listening journal: .* plays since (1 Jan|Jan 1,) 2017/);
		// All of it on the first screen, without scrolling.
		const box = await story.boundingBox();
		assert.ok(box.y >= 0 && box.y + box.height <= size.height,
		    `${name}: the story fits the first screen (${JSON.stringify(box)})`);
		const binge = page.locator('.story-card[data-story="binge"]');
		assert.match(await binge.innerText(), /×73[\s\S]*When I Paint My Masterpiece — Bob Dylan[\s\S]*23:03–(4 Oct|Oct 4,) 2018, 02:39/);
		const back = page.locator('.story-card[data-story="return"]');
		assert.match(await back.innerText(), /\d+ days/);
		assert.match(await back.getAttribute('href'), /\/u\/ivy\/plays\?date=\d{4}-\d\d-\d\d$/);
		assert.match(await page.locator('.story-card[data-story="otd"]')
		    .getAttribute('href'), /\/u\/ivy\/plays\?date=201\d-/);
		assert.equal(await page.locator('.story-card[data-story="top"]')
		    .count(), 0, 'no top lists kept: no top story');
		await binge.click();
		await page.locator('li.play.target[data-count="73"]').waitFor();
		assert.equal(await page.locator('.story').count(), 0,
		    'a binge shown is not the first screen');
	});
});
