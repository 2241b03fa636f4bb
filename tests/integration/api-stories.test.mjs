// api-stories.test.mjs — the story, story plays and search endpoints
// through the real nginx and spawn-fcgi.
//
// On the insights' generated journal (tests/tools/insights-fixture.mjs:
// a 73-play binge at 23:03 Berlin time on 3 Oct 2018, a track back after
// 400 days, an artist played on each of the 30 days of June 2019) it
// proves the known answers of a track's, an artist's and an album's
// story, the paging of their plays, the folded search ranked by plays,
// the charts of a month with their rank changes, and a 4xx JSON error
// for every bad input.  Then, on journals made by
// signing in to the simulator, that another account and a visitor get
// from every one of these endpoints the very 404 of a journal that does
// not exist, while the owner gets 200.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, startStack, waitFor, writeConfig }
    from './lib/harness.mjs';
import { authStack, startDaemon, viewers } from './auth-lib.mjs';
import { load, spotifyId } from '../tools/fixture.mjs';
import { BACK_AFTER, BINGE_FIRST, insightsFixture, planted }
    from '../tools/insights-fixture.mjs';

let stack;
let api;
let db;

const get = async (p) => httpJson('GET', `${api}${p}`);
const album = spotifyId('L', 1);

before(async () => {
	const dir = makeRunDir('api-stories');
	const config = writeConfig(dir, {});
	db = path.join(dir, 'db');
	load(db, insightsFixture().recs);
	stack = await startStack({ dir, config });
	api = `${stack.baseUrl}/api/v0`;
});

after(async () => {
	await stack?.stop();
});

describe('a track\'s story', () => {
	test('the 73-in-a-row night, its first and last play', async () => {
		const r = await get(`/story/ivy/track/${planted.binge}`);
		assert.equal(r.status, 200, r.text);
		const s = r.json;
		assert.equal(s.kind, 'track');
		assert.equal(s.id, planted.binge);
		assert.equal(s.tz, 'Europe/Berlin');
		assert.equal(s.plays, 73);
		assert.equal(s.ms, 73 * 180000);
		assert.equal(s.first.played_at, BINGE_FIRST);
		assert.equal(s.first.local, '2018-10-03T23:03:00+02:00');
		assert.equal(s.binges_total, 1);
		const b = s.binges[0];
		assert.equal(b.plays, 73);
		assert.equal(b.start_local, '2018-10-03T23:00:00+02:00');
		assert.equal(b.last.local, '2018-10-04T02:39:00+02:00');
		// What came before and after: the filler around it.
		assert.ok(b.before.track_id !== planted.binge);
		assert.ok(b.before.played_at < BINGE_FIRST);
		assert.ok(b.after.played_at > b.last.played_at);
		assert.deepEqual(s.years, [{ year: 2018, plays: 73,
		    ms: 73 * 180000 }]);
		assert.deepEqual(s.months.map((m) => m.month), ['2018-10']);
		assert.deepEqual(s.contexts, [{ uri: null, name: null,
		    plays: 73 }]);
		assert.deepEqual(s.longest_streak, { from: '2018-10-03',
		    to: '2018-10-04', days: 2 });
		assert.deepEqual(s.dw, []);
		assert.deepEqual(Object.keys(s.top), ['short_term',
		    'medium_term', 'long_term']);
		// In UTC the night is one day; min=80 leaves no binge.
		const u = await get(`/story/ivy/track/${planted.binge}?tz=UTC&min=80`);
		assert.equal(u.json.binges_total, 0);
		assert.equal(u.json.first.local, '2018-10-03T21:03:00+00:00');
	});

	test('a return after 400 days', async () => {
		const r = await get(`/story/ivy/track/${planted.back}`);
		assert.equal(r.json.plays, 8);
		assert.equal(r.json.returns_total, 1);
		assert.equal(r.json.returns[0].played_at, BACK_AFTER);
		assert.equal(r.json.returns[0].days_away, 400);
	});

	test('its plays page back in time', async () => {
		const p1 = await get(`/story/ivy/track/${planted.binge}/plays?limit=50`);
		assert.equal(p1.status, 200, p1.text);
		assert.equal(p1.json.items.length, 50);
		assert.ok(p1.json.items.every((p) => p.track_id === planted.binge));
		assert.ok(p1.json.items[0].played_at > p1.json.items[49].played_at);
		const p2 = await get(`/story/ivy/track/${planted.binge}/plays` +
		    `?limit=50&before=${p1.json.next.before}`);
		assert.equal(p2.json.items.length, 23);
		assert.equal(p2.json.next, null);
		assert.equal(p2.json.items[22].played_at, BINGE_FIRST);
	});
});

describe('an artist\'s and an album\'s story', () => {
	test('the June artist: a 30-day streak', async () => {
		const r = await get(`/story/ivy/artist/${planted.juneArtist}`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.plays, 30);
		assert.deepEqual(r.json.longest_streak, { from: '2019-06-01',
		    to: '2019-06-30', days: 30 });
		assert.deepEqual(r.json.track_ids, [planted.june]);
		assert.equal(r.json.tracks[0].track_id, planted.june);
		assert.equal(r.json.tracks[0].first.local,
		    '2019-06-01T14:00:00+02:00');
		assert.equal(r.json.albums[0].album_id, album);
		const p = await get(`/story/ivy/artist/${planted.juneArtist}/plays`);
		assert.equal(p.json.items.length, 30);
	});

	test('the album: its tracks ranked by plays', async () => {
		const r = await get(`/story/ivy/album/${album}?limit=5`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.track_ids.length, 34);
		assert.equal(r.json.tracks.length, 5);
		// Fillers: 4 plays a day over 30 tracks, 146 each.
		assert.equal(r.json.tracks[0].plays, 146);
		assert.ok(r.json.tracks.every((t, i) => i === 0 ||
		    t.plays <= r.json.tracks[i - 1].plays));
		const all = await get(`/story/ivy/album/${album}?limit=1000`);
		assert.equal(all.json.plays, all.json.tracks.reduce((s, t) =>
		    s + t.plays, 0));
		assert.equal(all.json.plays, 4 * 1095 + 73 + 144 + 8 + 30);
		assert.equal(all.json.years.length, 3);
	});
});

describe('search', () => {
	test('folded, prefix and infix, ranked by plays', async () => {
		let r = await get('/search/ivy?q=PAINT');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.folded, 'paint');
		assert.deepEqual(r.json.tracks, [{ id: planted.binge, plays: 73,
		    prefix: true }]);
		r = await get(`/search/ivy?q=${encodeURIComponent('dýlan')}`);
		assert.equal(r.json.artists[0].id, planted.bingeArtist);
		assert.equal(r.json.artists[0].plays, 73);
		r = await get('/search/ivy?q=song&limit=2');
		assert.equal(r.json.tracks_total, 2);
		assert.equal(r.json.tracks[0].id, planted.xmas);	// 144 > 30
		assert.equal(r.json.tracks[1].id, planted.june);
		r = await get('/search/ivy?q=iller');		// infix
		assert.equal(r.json.tracks_total, 30);
		assert.equal(r.json.tracks.length, 10);
		assert.equal(r.json.tracks[0].prefix, false);
	});
});

describe('charts', () => {
	test('October 2018: the binge on top, new since September',
	    async () => {
		for (const by of ['plays', 'ms']) {
			const r = await get('/charts/ivy?from=2018-10-01' +
			    `&to=2018-10-31&by=${by}&limit=3`);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.kind, 'tracks');
			assert.equal(r.json.by, by);
			assert.equal(r.json.from, '2018-10-01');
			const top = r.json.items[0];
			assert.equal(top.id, planted.binge);
			assert.equal(top.rank, 1);
			assert.equal(top.plays, 73);
			assert.equal(top.ms, 73 * 180000);
			assert.equal(top.previous_rank, null);
			assert.equal(top.previous_plays, 0);
			assert.equal(r.json.items.length, 3);
			assert.equal(r.json.total_plays, 4 * 31 + 73);
			// The fillers were ranked in September too.
			assert.ok(r.json.items[1].previous_rank >= 1);
			assert.equal(r.json.previous.to, r.json.from_ms);
		}
	});

	test('artists in June 2019, albums of all time', async () => {
		const r = await get('/charts/ivy?kind=artists&from=2019-06-01' +
		    '&to=2019-06-30');
		assert.equal(r.json.items[0].id, planted.juneArtist);
		assert.equal(r.json.items[0].plays, 30);
		const a = await get('/charts/ivy?kind=albums');
		assert.equal(a.json.from, null);
		assert.equal(a.json.previous, null);
		assert.equal(a.json.items.length, 1);
		assert.equal(a.json.items[0].id, album);
		assert.equal(a.json.items[0].plays, a.json.total_plays);
		assert.equal(a.json.items[0].previous_rank, null);
	});
});

describe('a new play', () => {
	test('shows in the next chart and story, and a new track in search',
	    async () => {
		const q = '/charts/utcuser?from=2019-12-01&to=2019-12-31&limit=1000';
		const before = await get(q);
		const story = await get(`/story/utcuser/track/${planted.binge}`);
		assert.equal(before.json.items.find((x) => x.id ===
		    planted.binge), undefined);
		const fresh = spotifyId('T', 999);
		load(db, [
			{ type: 'track', id: fresh, name: 'Fresh Ünïcode Song',
			    uri: `spotify:track:${fresh}`, album_id: album,
			    artist_ids: [planted.juneArtist], duration_ms: 60000 },
			{ type: 'play', user: 'utcuser', source: 'api',
			    ms_played: -1, played_at: Date.parse(
			    '2019-12-15T03:00:00Z'), track_id: planted.binge },
			{ type: 'play', user: 'utcuser', source: 'api',
			    ms_played: 1000, played_at: Date.parse(
			    '2019-12-15T03:10:00Z'), track_id: fresh },
		]);
		const after = await get(q);
		assert.equal(after.json.total_plays, before.json.total_plays + 2);
		const b = after.json.items.find((x) => x.id === planted.binge);
		assert.equal(b.plays, 1);
		assert.equal(b.previous_rank, null);
		const s2 = await get(`/story/utcuser/track/${planted.binge}`);
		assert.equal(s2.json.plays, story.json.plays + 1);
		const f = await get('/search/utcuser?q=unicode');
		assert.deepEqual(f.json.tracks, [{ id: fresh, plays: 1,
		    prefix: true }]);
		const a = await get(`/story/utcuser/artist/${planted.juneArtist}`);
		assert.ok(a.json.track_ids.includes(fresh));
		assert.equal(a.json.plays, 31);
	});
});

describe('bad input is a 4xx JSON error', () => {
	const bad = [
		[`/story/ivy/track/${'Z'.repeat(22)}`, 404, 'no such track'],
		[`/story/ivy/artist/${planted.binge}`, 404, 'no such artist'],
		[`/story/ivy/album/${planted.binge}`, 404, 'no such album'],
		['/story/ivy/track/short', 404],
		[`/story/ivy/track/${planted.binge}?tz=Mars/Olympus`, 400],
		[`/story/ivy/track/${planted.binge}?limit=0`, 400],
		[`/story/ivy/track/${planted.binge}?min=1`, 400],
		[`/story/ivy/track/${planted.binge}?bogus=1`, 400],
		[`/story/ivy/track/${planted.binge}/plays?limit=201`, 400],
		[`/story/ivy/track/${planted.binge}/plays?before=x`, 400],
		['/search/ivy', 400],
		['/search/ivy?q=', 400],
		['/search/ivy?q=%20%20', 400],
		[`/search/ivy?q=${'a'.repeat(101)}`, 400],
		['/search/ivy?q=a%01b', 400],
		['/search/ivy?q=a%C3', 400],
		['/search/ivy?q=a&limit=51', 400],
		[`/story/nobody-here/track/${planted.binge}`, 404],
		['/search/nobody-here?q=a', 404],
		['/charts/ivy?from=2019-01-02&to=2019-01-01', 400],
		['/charts/ivy?to=2019-01-01', 400],
		['/charts/ivy?from=1900-01-01&to=2026-01-01', 400],
		['/charts/ivy?from=2019-02-30', 400],
		['/charts/ivy?kind=playlists', 400],
		['/charts/ivy?by=minutes', 400],
		['/charts/ivy?limit=1001', 400],
		['/charts/nobody-here', 404],
	];
	for (const [p, status, msg] of bad)
		test(`${p} -> ${status}`, async () => {
			const r = await get(p);
			assert.equal(r.status, status, r.text);
			assert.equal(r.json.error.status, status);
			if (msg)
				assert.equal(r.json.error.message, msg);
		});

	test('a private journal is as missing as a missing one', async () => {
		for (const p of [`/story/pat/track/${planted.binge}`,
		    `/story/pat/artist/${planted.bingeArtist}/plays`,
		    `/story/pat/album/${album}`, '/search/pat?q=paint',
		    '/charts/pat?kind=artists']) {
			const mine = await get(p);
			const ghost = await get(p.replace('/pat', '/nobody-here'));
			assert.equal(mine.status, 404, p);
			assert.equal(mine.text, ghost.text, p);
		}
	});
});

describe('another account and a visitor', () => {
	let ctx;
	let daemon;

	before(async () => {
		ctx = await authStack('api-stories-auth', { users: 2 });
		daemon = await startDaemon(ctx, { timeout: 20000 });
	});

	after(async () => {
		daemon?.kill('SIGTERM');
		await ctx?.stack.stop();
		await cleanup();
	});

	test('get the 404 of a missing journal; the owner gets 200',
	    async () => {
		const { alice, bob, anon } = await viewers(ctx);
		let plays;
		await waitFor(async () => {
			plays = await alice.get(`${ctx.api}/plays/user1`);
			return plays.json?.items?.length > 0;
		}, { timeout: 20000, what: 'user1\'s plays' });
		const tid = plays.json.items[0].track_id;
		const tr = (await alice.get(`${ctx.api}/tracks?ids=${tid}`))
		    .json.tracks[0];
		const q = encodeURIComponent(tr.name.slice(0, 3));
		const paths = [`/story/user1/track/${tid}`,
		    `/story/user1/track/${tid}/plays`,
		    `/story/user1/artist/${tr.artist_ids[0]}`,
		    `/story/user1/artist/${tr.artist_ids[0]}/plays`,
		    `/search/user1?q=${q}`, '/charts/user1',
		    '/charts/user1?kind=albums&from=2020-01-01&by=ms'];
		if (tr.album_id)
			paths.push(`/story/user1/album/${tr.album_id}`,
			    `/story/user1/album/${tr.album_id}/plays`);
		for (const p of paths) {
			const url = ctx.api + p;
			assert.equal((await alice.get(url)).status, 200, p);
			const ghost = await anon.get(url.replace('/user1',
			    '/nobody-here'));
			for (const [who, c] of [['user2', bob], ['nobody', anon]]) {
				const a = await c.get(url);
				assert.equal(a.status, 404, `${who} ${p}`);
				assert.equal(a.text, ghost.text, `${who} ${p}`);
			}
		}
	});
});
