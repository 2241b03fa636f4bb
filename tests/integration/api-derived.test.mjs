// api-derived.test.mjs — what the API works out from the plays, through
// the real nginx and spawn-fcgi, on a store filled by tests/tools/ln-fixture:
//
//   * /plays: each play's `previous_played_at` (the same track's play
//     before it) equals a naive search over every play, on pages read
//     backwards and forwards with sizes that cut binges in two, for a
//     track last heard a year earlier and for first-ever plays (null);
//   * /plays: `contexts` names the playlists a page was played from where
//     the weekly snapshots know them (the newest week's name, either form
//     of playlist URI), and nothing else;
//   * /dw: each week's `play_counts` equal a naive count of the plays of
//     each track from the week's Monday on (a play at Monday 00:00 counts,
//     one a millisecond earlier does not), across pages of weeks and for
//     another archived playlist;
//   * /users: `timezone` is null for a journal without one.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { httpJson, useFixtureStack } from './lib/harness.mjs';
import { load, spotifyId } from '../tools/fixture.mjs';

const DAY = 86400000;
const MONDAY = 19674;		// 2023-11-13, a Monday
const W0 = MONDAY * DAY;	// its 00:00 UTC, ms
const tracks = Array.from({ length: 20 }, (_, i) => spotifyId('T', i));
const dwId = '37i9dQZEVXcJZyENOWUFo7';
const road = spotifyId('P', 1);		// named, renamed later
const nameless = spotifyId('P', 2);	// weeks without a name
const unknown = spotifyId('P', 3);	// never archived
const album = spotifyId('L', 1);
const CONTEXTS = [`spotify:playlist:${dwId}`, `spotify:playlist:${road}`,
	`spotify:user:dora:playlist:${road}`, `spotify:playlist:${nameless}`,
	`spotify:playlist:${unknown}`, `spotify:album:${album}`, ''];
let plays;		// dora's plays, oldest first
let weeks;		// the Discover Weekly weeks loaded, newest first

// A small deterministic generator, so a failure can be replayed.
let seed = 12345;
function rand(n) {
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return seed % n;
}

function fixture() {
	const recs = [
		{ type: 'user', id: 'dora', display_name: 'Dora',
		    visibility: 'public', timezone: 'Europe/Berlin' },
		{ type: 'user', id: 'eve', display_name: 'Eve',
		    visibility: 'public' },
	];
	tracks.forEach((id, i) => recs.push({ type: 'track', id,
	    name: `Track ${i}`, uri: `spotify:track:${id}`, artist_ids: [] }));
	plays = [];
	// Track 19 a year before everything else, once.
	plays.push({ at: W0 - 28 * DAY - 365 * DAY, track: tracks[19] });
	// Five weeks of listening with binges; plays exactly at and just
	// before two Mondays.
	let at = W0 - 28 * DAY + 3600e3;
	while (at < W0 + 6 * DAY) {
		const t = tracks[rand(19)];
		const run = rand(6) === 0 ? 2 + rand(8) : 1;
		for (let k = 0; k < run; k++) {
			plays.push({ at, track: t });
			at += 180000 + rand(600000);
		}
		at += rand(5) === 0 ? 10 * 3600e3 : 0;
	}
	plays.push({ at: W0 - 7 * DAY, track: tracks[3] });
	plays.push({ at: W0 - 7 * DAY - 1, track: tracks[4] });
	plays.push({ at: W0, track: tracks[5] });
	plays.push({ at: W0 + 3 * DAY + 1, track: tracks[19] });
	plays.sort((a, b) => a.at - b.at);
	plays = plays.filter((p, i) => i === 0 || p.at !== plays[i - 1].at);
	plays.forEach((p, i) => {
		p.context = CONTEXTS[i % CONTEXTS.length];
		recs.push({ type: 'play', user: 'dora', played_at: p.at,
		    track_id: p.track, context_uri: p.context });
	});
	// Six Discover Weekly weeks (one before any play), eight tracks
	// each, one of them twice in the newest week.
	weeks = [];
	for (let w = 0; w < 6; w++) {
		const ids = Array.from({ length: 8 }, () => tracks[rand(20)]);
		if (w === 0)
			ids.push(ids[0]);
		weeks.push({ week: MONDAY - 7 * w, ids });
		recs.push({ type: 'playlist_week', user: 'dora', playlist_id: dwId,
		    week: MONDAY - 7 * w, name: 'Discover Weekly',
		    how: w % 2 ? 'heard' : 'full', track_ids: ids });
	}
	recs.push({ type: 'playlist_week', user: 'dora', playlist_id: road,
	    week: MONDAY - 14, name: 'Road trip', how: 'full',
	    track_ids: tracks.slice(0, 4) });
	recs.push({ type: 'playlist_week', user: 'dora', playlist_id: road,
	    week: MONDAY - 7, name: 'Road trip (autumn)', how: 'full',
	    track_ids: tracks.slice(2, 6) });
	recs.push({ type: 'playlist_week', user: 'dora', playlist_id: nameless,
	    week: MONDAY, name: '', how: 'heard', track_ids: [tracks[7]] });
	// Another user's playlist of the same id must not name dora's.
	recs.push({ type: 'playlist_week', user: 'eve', playlist_id: unknown,
	    week: MONDAY, name: 'Eve\'s', how: 'full', track_ids: [tracks[1]] });
	return recs;
}

const run = useFixtureStack('api-derived', (db) => load(db, fixture()));

async function get(p) {
	const r = await httpJson('GET', `${run.api}${p}`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

// The naive answer: the same track's newest play before plays[i].
function naivePrevious(i) {
	for (let k = i - 1; k >= 0; k--)
		if (plays[k].track === plays[i].track)
			return plays[k].at;
	return null;
}

test('previous_played_at equals a naive search, paging back and forth',
    async () => {
	const want = new Map(plays.map((p, i) => [p.at, naivePrevious(i)]));
	assert.ok([...want.values()].some((v) => v === null), 'first plays');
	assert.ok(plays.some((p, i) => i > 0 && plays[i - 1].track === p.track),
	    'a binge');
	// Backwards, 37 at a time.
	const seen = [];
	let q = '?limit=37';
	for (;;) {
		const r = await get(`/plays/dora${q}`);
		for (const it of r.items) {
			assert.equal(it.previous_played_at, want.get(it.played_at),
			    `previous of ${it.played_at}`);
			seen.push(it.played_at);
		}
		if (!r.next)
			break;
		q = `?limit=37&before=${r.next.before}`;
	}
	assert.equal(seen.length, plays.length);
	// Forwards, 41 at a time, from the start.
	let n = 0;
	q = '?limit=41&after=0';
	for (;;) {
		const r = await get(`/plays/dora${q}`);
		for (const it of r.items) {
			assert.equal(it.previous_played_at, want.get(it.played_at));
			n++;
		}
		if (!r.next)
			break;
		q = `?limit=41&after=${r.next.after}`;
	}
	assert.equal(n, plays.length);
	// The play a year after its track's one earlier play.
	const late = plays.findIndex((p, i) => i > 0 && p.track === tracks[19]);
	const r = await get(`/plays/dora?limit=1&before=${plays[late].at + 1}`);
	assert.equal(r.items[0].previous_played_at, plays[0].at);
});

test('contexts name the page\'s playlists the weekly snapshots know',
    async () => {
	const r = await get('/plays/dora?limit=14');
	const uris = new Set(r.items.map((it) => it.context_uri));
	for (const c of CONTEXTS)
		assert.ok(uris.has(c || null), `the page has ${c || 'none'}`);
	assert.deepEqual(r.contexts, {
		[`spotify:playlist:${dwId}`]: { name: 'Discover Weekly' },
		[`spotify:playlist:${road}`]: { name: 'Road trip (autumn)' },
		[`spotify:user:dora:playlist:${road}`]:
		    { name: 'Road trip (autumn)' },
	});
	// A page played from no playlist names none.
	const one = plays.length - 1 - [...plays].reverse().findIndex((p) =>
	    p.context === `spotify:album:${album}`);
	const a = await get(`/plays/dora?limit=1&before=${plays[one].at + 1}`);
	assert.equal(a.items[0].context_uri, `spotify:album:${album}`);
	assert.deepEqual(a.contexts, {});
});

// The naive count: plays of id at or after the Monday of day `week`.
function naiveCount(id, week) {
	return plays.filter((p) => p.track === id && p.at >= week * DAY).length;
}

test('play_counts equal a naive count per week, across pages', async () => {
	const got = [];
	let q = '?limit=4';
	for (;;) {
		const r = await get(`/dw/dora${q}`);
		got.push(...r.weeks);
		if (!r.next)
			break;
		q = `?limit=4&before=${r.next.before}`;
	}
	assert.equal(got.length, weeks.length);
	for (const [i, w] of got.entries()) {
		assert.equal(w.week_start, weeks[i].week * DAY);
		assert.deepEqual(w.track_ids, weeks[i].ids);
		assert.deepEqual(w.play_counts, w.track_ids.map((id) =>
		    naiveCount(id, weeks[i].week)), `week ${w.week}`);
	}
	assert.ok(got.some((w) => w.play_counts.some((n) => n > 1)),
	    'a track played more than once');
	// The oldest week lies before every play but the year-old one.
	assert.ok(got[got.length - 1].play_counts.some((n) => n > 0));
	// Monday 00:00 counts, a millisecond before does not: the plays of
	// tracks 5 (at W0) and 4 (at W0 - 7 days - 1).
	const one = await get(`/dw/dora?limit=2`);
	assert.equal(one.weeks[0].week_start, W0);
	const at = (w, id) => {
		const k = w.track_ids.indexOf(id);
		return k < 0 ? null : w.play_counts[k];
	};
	for (const w of one.weeks) {
		for (const id of [tracks[4], tracks[5]])
			if (at(w, id) !== null)
				assert.equal(at(w, id), naiveCount(id, w.week_start / DAY));
	}
	// Another archived playlist, and the playlist-free shape.
	const road1 = await get(`/dw/dora?playlist=${road}`);
	assert.equal(road1.weeks.length, 2);
	for (const w of road1.weeks)
		assert.deepEqual(w.play_counts, w.track_ids.map((id) =>
		    naiveCount(id, w.week_start / DAY)));
	const none = await get('/dw/eve');
	assert.deepEqual(none.weeks, []);
});

test('/users: timezone is null for a journal without one', async () => {
	const r = await get('/users');
	const by = Object.fromEntries(r.users.map((u) => [u.id, u]));
	assert.equal(by.dora.timezone, 'Europe/Berlin');
	assert.equal(by.eve.timezone, null);
});
