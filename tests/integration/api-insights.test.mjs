// api-insights.test.mjs — GET /api/v0/insights/:user_id/:name through the
// real nginx and spawn-fcgi, on a generated three-year journal filled by
// tests/tools/ln-fixture with planted patterns whose answers are known
// (a 73-play binge, a December song, a return after 400 days, a 30-day
// streak: tests/tools/insights-fixture.mjs).  Proves each insight's
// known answer, that dates are local days of the zone (the user's setting
// by default, `tz` when given), that every bad input is a 400 with the JSON error body, that an
// unknown insight or user and a private journal are 404, and that the
// answers are gzipped by nginx when the client accepts it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { httpJson, useFixtureStack } from './lib/harness.mjs';
import { load } from '../tools/fixture.mjs';
import { BACK_AFTER, BACK_BEFORE, BINGE_FIRST, DAYS, insightsFixture, planted,
	utc } from '../tools/insights-fixture.mjs';

let plays;

async function get(p, headers) {
	return httpJson('GET', `${run.api}${p}`, undefined, headers);
}

// The local date (YYYY-MM-DD) of an instant in Berlin.
function berlinDate(ms) {
	return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin',
	    year: 'numeric', month: '2-digit', day: '2-digit' })
	    .format(new Date(ms));
}

const run = useFixtureStack('api-insights', (db) => {
	const f = insightsFixture();

	plays = f.plays;
	load(db, f.recs);
});

describe('every insight answers', () => {
	for (const name of ['calendar', 'clock', 'binges', 'seasons', 'newold',
	    'returns', 'onthisday', 'top', 'streaks']) {
		test(name, async () => {
			const r = await get(`/insights/ivy/${name}`);
			assert.equal(r.status, 200, r.text);
			assert.match(r.headers['content-type'], /application\/json/);
			assert.equal(r.json.insight, name);
			assert.equal(r.json.tz, 'Europe/Berlin');
			assert.equal(r.json.from, 0);
			assert.equal(r.json.to_iso, null);
		});
	}
});

describe('known answers', () => {
	test('binges: the 73-play binge, 23:00 to 02:39 in Berlin', async () => {
		const r = await get('/insights/ivy/binges');
		assert.equal(r.json.binge_min, 5);
		assert.equal(r.json.total, 1);	// the only run of 5
		const b = r.json.binges[0];
		assert.equal(b.track_id, planted.binge);
		assert.equal(b.plays, 73);
		assert.equal(b.start_local, '2018-10-03T23:00:00+02:00');
		assert.equal(b.last_local, '2018-10-04T02:39:00+02:00');
		assert.equal(b.first, BINGE_FIRST);
		assert.equal(b.ms, 73 * 180000);
		assert.equal(b.by_duration, 73);
		// In UTC the same binge starts at 21:00.
		const u = await get('/insights/ivy/binges?tz=UTC');
		assert.equal(u.json.tz, 'UTC');
		assert.equal(u.json.binges[0].start_local,
		    '2018-10-03T21:00:00+00:00');
		// min: the December song's three in a row are binges of 3.
		const m = await get('/insights/ivy/binges?min=3&limit=1');
		assert.equal(m.json.binge_min, 3);
		assert.equal(m.json.total, 1 + 2 * 24);
		assert.equal(m.json.binges.length, 1);
		// A range that does not hold its first play does not list it.
		const late = await get('/insights/ivy/binges?from=2018-10-04');
		assert.equal(late.json.total, 0);
	});

	test('calendar: local days of Berlin, or of tz', async () => {
		const r = await get('/insights/ivy/calendar?from=2018-10-03&' +
		    'to=2018-10-04');
		assert.equal(r.json.from, utc('2018-10-02T22:00:00Z'));
		assert.equal(r.json.to, utc('2018-10-04T22:00:00Z'));
		assert.deepEqual(r.json.days.map((d) => [d.date, d.plays]),
		    [['2018-10-03', 4 + 19], ['2018-10-04', 4 + 54]]);
		assert.equal(r.json.plays, 81);
		assert.equal(r.json.time.ms, 81 * 180000);
		assert.equal(r.json.time.by_duration, 81);
		const u = await get('/insights/ivy/calendar?from=2018-10-03&' +
		    'to=2018-10-04&tz=UTC');
		assert.deepEqual(u.json.days.map((d) => [d.date, d.plays]),
		    [['2018-10-03', 4 + 59], ['2018-10-04', 4 + 14]]);
		// All time: one entry per day with plays, summing to all.
		const all = await get('/insights/ivy/calendar');
		assert.equal(all.json.days.length, DAYS);
		assert.equal(all.json.plays, plays.length);
		// The user's own zone is the default: utcuser has none.
		const z = await get('/insights/utcuser/calendar?from=2018-10-03' +
		    '&to=2018-10-03');
		assert.equal(z.json.tz, 'UTC');
		assert.equal(z.json.days[0].plays, 63);
	});

	test('clock: every play in one cell of hour × weekday', async () => {
		const r = await get('/insights/ivy/clock?tz=UTC');
		assert.deepEqual(r.json.weekdays,
		    ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
		assert.equal(r.json.grid.length, 7);
		let sum = 0;
		for (const row of r.json.grid) {
			assert.equal(row.length, 24);
			sum += row.reduce((a, b) => a + b, 0);
		}
		assert.equal(sum, plays.length);
		// June's plays at 12:00 UTC are the only ones at noon.
		const noon = r.json.grid.reduce((a, row) => a + row[12], 0);
		assert.equal(noon, 30);
		// 3 Oct 2018 was a Wednesday: the binge's 21:xx plays.
		const one = await get('/insights/ivy/clock?tz=UTC&' +
		    'from=2018-10-03&to=2018-10-03');
		assert.equal(one.json.grid[2][21], 19);
		assert.equal(one.json.grid[2][20], 1);
	});

	test('seasons: each December\'s seasonal song', async () => {
		const r = await get('/insights/ivy/seasons');
		assert.equal(r.json.months.length, 36);
		const decs = Object.fromEntries(r.json.decembers.map((d) =>
		    [d.year, d]));
		for (const y of [2017, 2018]) {
			assert.equal(decs[y].track_id, planted.xmas);
			assert.equal(decs[y].track_plays, 72);
			assert.equal(decs[y].seasonal_id, planted.xmas);
			assert.equal(decs[y].seasonal_plays, 72);
			assert.equal(decs[y].seasonal_rest_of_year, 0);
		}
		assert.equal(decs[2019].seasonal_id, null);
		const oct = r.json.months.find((m) => m.month === '2018-10');
		assert.equal(oct.track_id, planted.binge);
		assert.equal(oct.track_plays, 73);
	});

	test('returns: back after exactly 400 days', async () => {
		const r = await get('/insights/ivy/returns?limit=1000');
		assert.equal(r.json.return_days, 90);
		const t = r.json.tracks.items.find((x) => x.id === planted.back);
		assert.ok(t, 'the returning track is listed');
		assert.equal(t.days_away, 400);
		assert.equal(t.previous, BACK_BEFORE);
		assert.equal(t.returned, BACK_AFTER);
		assert.equal(t.plays_before, 5);
		assert.equal(t.plays_after, 3);
		const a = r.json.artists.items.find((x) =>
		    x.id === planted.backArtist);
		assert.equal(a.days_away, 400);
		// days: 400 still finds it, 401 no longer.
		const d400 = await get('/insights/ivy/returns?days=400&limit=1000');
		assert.ok(d400.json.tracks.items.some((x) => x.id === planted.back));
		const d401 = await get('/insights/ivy/returns?days=401&limit=1000');
		assert.ok(!d401.json.tracks.items.some((x) =>
		    x.id === planted.back));
		assert.equal(d401.json.return_days, 401);
	});

	test('streaks: the 30 days of June', async () => {
		const r = await get('/insights/ivy/streaks?limit=1000');
		const s = r.json.streaks.filter((x) =>
		    x.artist_id === planted.juneArtist);
		assert.deepEqual(s, [{ artist_id: planted.juneArtist, days: 30,
		    first: '2019-06-01', last: '2019-06-30', plays: 30 }]);
		// A range cuts it.
		const cut = await get('/insights/ivy/streaks?from=2019-06-21&' +
		    'limit=1000');
		const c = cut.json.streaks.find((x) =>
		    x.artist_id === planted.juneArtist);
		assert.equal(c.days, 10);
	});

	test('top: the binge tops its day; all time counts all', async () => {
		const r = await get('/insights/ivy/top?from=2018-10-03&' +
		    'to=2018-10-03&limit=3');
		assert.equal(r.json.tracks.items[0].id, planted.binge);
		assert.equal(r.json.tracks.items[0].plays, 19);
		assert.equal(r.json.tracks.items.length, 3);
		assert.equal(r.json.artists.items[0].id, planted.bingeArtist);
		const all = await get('/insights/ivy/top');
		assert.equal(all.json.plays, plays.length);
		assert.equal(all.json.tracks.distinct, 34);
		assert.equal(all.json.artists.distinct, 14);
		assert.equal(all.json.albums.distinct, 1);
	});

	test('newold: first-ever plays of tracks and artists', async () => {
		const r = await get('/insights/ivy/newold');
		assert.equal(r.json.plays, plays.length);
		assert.equal(r.json.new_tracks, 34);
		assert.equal(r.json.new_artists, 14);
		const oct = r.json.months.find((m) => m.month === '2018-10');
		assert.equal(oct.new_tracks, 1);	// the binge's track
		const w = r.json.weeks.find((x) => x.week === '2018-10-01');
		assert.equal(w.new_tracks, 1);
		assert.equal(w.new_artists, 1);
		// Plays before from still count as heard.
		const dec = await get('/insights/ivy/newold?from=2018-12-01&' +
		    'to=2018-12-31');
		assert.equal(dec.json.new_tracks, 0);
	});

	test('onthisday: 3 October in earlier years, all time', async () => {
		const r = await get('/insights/ivy/onthisday?date=2019-10-03');
		assert.equal(r.json.date, '2019-10-03');
		assert.deepEqual(r.json.years.map((y) => [y.year, y.plays]),
		    [[2018, 23], [2017, 4]]);
		assert.equal(r.json.years[0].tracks[0].id, planted.binge);
		assert.equal(r.json.years[0].tracks[0].plays, 19);
		// Without date: today in the zone (no earlier year has plays
		// after 2019, but the answer is well-formed).
		const t = await get('/insights/ivy/onthisday');
		assert.equal(t.status, 200);
		assert.equal(t.json.date, berlinDate(Date.now()));
	});

	test('a ten-year-sized answer is gzipped by nginx', async () => {
		const r = await fetch(`${run.api}/insights/ivy/calendar`,
		    { headers: { 'accept-encoding': 'gzip' } });
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('content-encoding'), 'gzip');
		const j = await r.json();
		assert.equal(j.days.length, DAYS);
	});
});

describe('bad requests', () => {
	const bad = [
		['from=2018-13-01', 'from must be a date YYYY-MM-DD'],
		['from=2018-1-01', 'from must be a date YYYY-MM-DD'],
		['to=2019-02-29', 'to must be a date YYYY-MM-DD'],
		['date=0000-01-01', 'date must be a date YYYY-MM-DD'],
		['from=2018-10-04&to=2018-10-03', 'to must not be before from'],
		['to=1960-01-01', 'the range is empty'],
		['tz=Nowhere/City', 'tz is not a time zone this server knows'],
		['tz=..%2Fetc%2Fpasswd',
		    'tz must be a time zone name such as Europe/Berlin'],
		['tz=', 'tz must be a time zone name such as Europe/Berlin'],
		['limit=0', 'limit must be an integer from 1 to 1000'],
		['limit=1001', 'limit must be an integer from 1 to 1000'],
		['min=1', 'min must be an integer from 2 to 1000'],
		['days=0', 'days must be an integer from 1 to 3650'],
		['days=3651', 'days must be an integer from 1 to 3650'],
		['from=2018-01-01&from=2018-01-02', 'parameter from given twice'],
		['before=1', 'unknown query parameter'],
		['foo=1', 'unknown query parameter'],
	];
	for (const [q, msg] of bad)
		test(`${q} → 400`, async () => {
			const r = await get(`/insights/ivy/binges?${q}`);
			assert.equal(r.status, 400, r.text);
			assert.deepEqual(r.json, { error: { status: 400,
			    message: msg } });
		});

	test('limit of an insight is not that of plays (1..200)', async () => {
		const r = await get('/insights/ivy/top?limit=500');
		assert.equal(r.status, 200);
		const p = await get('/plays/ivy?limit=500');
		assert.equal(p.status, 400);
	});
});

describe('not found', () => {
	test('an unknown insight is 404', async () => {
		for (const p of ['/insights/ivy/nothing', '/insights/ivy/',
		    '/insights/ivy', '/insights/ivy/top/x', '/insights/ivy/TOP']) {
			const r = await get(p);
			assert.equal(r.status, 404, p);
			assert.equal(r.json.error.status, 404);
		}
	});

	test('a private journal is as missing as a missing one', async () => {
		const p = await get('/insights/pat/calendar');
		const m = await get('/insights/nobody/calendar');
		assert.equal(p.status, 404);
		assert.equal(m.status, 404);
		assert.deepEqual(p.json, m.json);
		assert.deepEqual(p.json, { error: { status: 404,
		    message: 'no such user' } });
	});

	test('POST is 405 with Allow', async () => {
		const r = await httpJson('POST', `${run.api}/insights/ivy/top`, {});
		assert.equal(r.status, 405);
		assert.equal(r.headers.allow, 'GET, HEAD');
	});
});
