// api-read.test.mjs — every read endpoint through the real nginx and
// spawn-fcgi, on a store filled by tests/tools/ln-fixture.
//
// Proves the shapes of /plays, /gaps, /dw, /top, the batch reads, /users,
// /health and /metrics; that paging backwards and forwards across page
// boundaries returns every play exactly once; the limits; every error
// status with its JSON body (400, 404, 405 with Allow, 411, 413, 415);
// HEAD; ETag and 304; the security headers on every answer; that a private
// journal is as invisible as a missing one; and that no token ever appears
// in an answer.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';

import { httpJson, useFixtureStack } from './lib/harness.mjs';
import { load, spotifyId } from '../tools/fixture.mjs';

const T0 = 1700000000000;
const NPLAYS = 237;
const MONDAY = 19674;		// 2023-11-13, a Monday (day 0 was a Thursday)
const tracks = Array.from({ length: 60 }, (_, i) => spotifyId('T', i));
const artists = Array.from({ length: 10 }, (_, i) => spotifyId('R', i));
const albums = Array.from({ length: 5 }, (_, i) => spotifyId('L', i));
const dwId = '37i9dQZEVXcJZyENOWUFo7';
const bodies = [];		// every answer's text, for the secrets check

async function get(p, headers) {
	const r = await httpJson('GET', `${run.api}${p}`, undefined, headers);
	bodies.push(r.text, JSON.stringify(r.headers));
	return r;
}

async function post(p, body, headers) {
	const r = await httpJson('POST', `${run.api}${p}`, body, headers);
	bodies.push(r.text, JSON.stringify(r.headers));
	return r;
}

// One raw HTTP/1.1 exchange (fetch always sends Content-Length on POST).
function raw(text) {
	return new Promise((resolve, reject) => {
		const s = net.connect(run.stack.port, '127.0.0.1',
		    () => s.write(text));
		let out = '';
		s.on('data', (d) => { out += d; });
		s.on('end', () => resolve(out));
		s.on('error', reject);
	});
}

function fixture() {
	const recs = [
		{ type: 'user', id: 'alice', display_name: 'Alice',
		    visibility: 'public', refresh_token: 'rt-SECRET-alice',
		    access_token: 'at-SECRET-alice', last_ok_poll: 1700000100,
		    n_plays: NPLAYS },
		{ type: 'user', id: 'bob', visibility: 'private',
		    refresh_token: 'rt-SECRET-bob', access_token: 'at-SECRET-bob' },
		{ type: 'user', id: 'carol.x-1_', display_name: 'Carol',
		    visibility: 'public', status: 'reauth',
		    refresh_token: 'rt-SECRET-carol' },
		{ type: 'meta', name: 'collector.heartbeat',
		    value: Math.floor(Date.now() / 1000) },
	];
	artists.forEach((id, i) => recs.push({ type: 'artist', id,
	    name: `Artist ${i}`, genres: ['folk rock', 'americana'],
	    images: [{ url: `https://i.scdn.co/image/a${i}`, width: 640,
	    height: 640 }], popularity: 50 + i }));
	albums.forEach((id, i) => recs.push({ type: 'album', id,
	    name: `Album ${i}`, album_type: 'album', release_date: '1971-11-01',
	    artist_ids: [artists[i]], images: [], total_tracks: 12 }));
	tracks.forEach((id, i) => recs.push({ type: 'track', id,
	    name: i === 0 ? 'When I Paint My Masterpiece' : `Tëst "track" ${i}`,
	    uri: `spotify:track:${id}`, album_id: albums[i % 5],
	    artist_ids: [artists[i % 10], artists[(i + 3) % 10]],
	    duration_ms: 200000 + i }));
	for (let i = 0; i < NPLAYS; i++) {
		recs.push({ type: 'play', user: 'alice', played_at: T0 + i * 60000,
		    track_id: tracks[i % 40],
		    context_uri: i % 2 ? `spotify:playlist:${dwId}` : '',
		    source: i < 100 ? 'extended' : 'api',
		    ms_played: i < 100 ? 120000 : -1 });
		recs.push({ type: 'play', user: 'bob', played_at: T0 + i * 1000,
		    track_id: tracks[0] });
	}
	// Two gaps: one in the newest page, one in the oldest.
	recs.push({ type: 'gap', user: 'alice', from_ms: T0 + 230 * 60000,
	    to_ms: T0 + 231 * 60000, reason: 'overflow', recorded_at: 1700000000 });
	recs.push({ type: 'gap', user: 'alice', from_ms: T0 + 5 * 60000,
	    to_ms: T0 + 6 * 60000, reason: 'unreachable', recorded_at: 1700000000 });
	recs.push({ type: 'gap', user: 'bob', from_ms: T0, to_ms: T0 + 1,
	    reason: 'overflow' });
	// Fifteen Discover Weekly weeks, alternately full and heard.
	for (let w = 0; w < 15; w++)
		recs.push({ type: 'playlist_week', user: 'alice',
		    playlist_id: dwId, week: MONDAY - 7 * w,
		    name: 'Discover Weekly', how: w % 2 ? 'heard' : 'full',
		    snapshot_id: w % 2 ? '' : `snap${w}`, obtained_at: 1700000000,
		    track_ids: tracks.slice(w, w + 30) });
	recs.push({ type: 'playlist_week', user: 'alice',
	    playlist_id: spotifyId('P', 1), week: MONDAY, name: 'Road trip',
	    how: 'full', track_ids: tracks.slice(0, 3) });
	// Top tracks, short term: [0,1,2,3] then [1,0,2,4]; long term: one.
	recs.push({ type: 'top', user: 'alice', kind: 'tracks',
	    range: 'short_term', day: MONDAY - 1, confirmed_at: 1700000000,
	    ids: [tracks[0], tracks[1], tracks[2], tracks[3]] });
	recs.push({ type: 'top', user: 'alice', kind: 'tracks',
	    range: 'short_term', day: MONDAY, confirmed_at: 1700100000,
	    ids: [tracks[1], tracks[0], tracks[2], tracks[4]] });
	recs.push({ type: 'top', user: 'alice', kind: 'artists',
	    range: 'long_term', day: MONDAY, confirmed_at: 1700100000,
	    ids: artists.slice(0, 5) });
	recs.push({ type: 'top', user: 'bob', kind: 'tracks',
	    range: 'short_term', day: MONDAY, ids: [tracks[0]] });
	return recs;
}

const run = useFixtureStack('api-read', (db) => load(db, fixture()));

describe('GET /plays/:user_id', () => {
	test('a default page: 50 plays newest first, with next', async () => {
		const r = await get('/plays/alice');
		assert.equal(r.status, 200);
		assert.equal(r.headers['cache-control'], 'private, no-cache');
		assert.match(r.headers.etag, /^(W\/)?"[0-9a-f]{16}"$/);
		assert.equal(r.json.user_id, 'alice');
		assert.equal(r.json.items.length, 50);
		const first = r.json.items[0];
		assert.deepEqual(Object.keys(first), ['played_at', 'played_at_iso',
		    'track_id', 'context_uri', 'source', 'ms_played',
		    'previous_played_at']);
		assert.equal(first.played_at, T0 + (NPLAYS - 1) * 60000);
		assert.equal(first.played_at_iso,
		    new Date(first.played_at).toISOString());
		assert.equal(first.source, 'api');
		assert.equal(first.ms_played, null);
		const last = r.json.items[49];
		assert.deepEqual(r.json.next, { before: last.played_at });
		// The newest page holds the newer gap, not the older one.
		assert.equal(r.json.gaps.length, 1);
		assert.equal(r.json.gaps[0].from, T0 + 230 * 60000);
		assert.equal(r.json.gaps[0].reason, 'overflow');
	});

	test('paging back with before returns every play once', async () => {
		const seen = [];
		let cursor = '';
		let pages = 0;
		for (;;) {
			const r = await get(`/plays/alice?limit=37${cursor}`);
			assert.equal(r.status, 200);
			pages++;
			seen.push(...r.json.items.map((p) => p.played_at));
			if (r.json.next === null)
				break;
			assert.equal(r.json.items.length, 37);
			cursor = `&before=${r.json.next.before}`;
		}
		assert.equal(pages, Math.ceil(NPLAYS / 37));
		assert.equal(seen.length, NPLAYS);
		assert.equal(new Set(seen).size, NPLAYS);
		for (let i = 1; i < seen.length; i++)
			assert.ok(seen[i] < seen[i - 1], 'strictly newest first');
		// The last page carries the older gap.
		const r = await get(`/plays/alice?limit=37${cursor}`);
		assert.ok(r.json.gaps.some((g) => g.reason === 'unreachable'));
	});

	test('paging forward with after returns every play once', async () => {
		const seen = [];
		let after = 0;
		for (;;) {
			const r = await get(`/plays/alice?limit=50&after=${after}`);
			assert.equal(r.status, 200);
			const at = r.json.items.map((p) => p.played_at);
			for (let i = 1; i < at.length; i++)
				assert.ok(at[i] < at[i - 1], 'newest first on a page');
			seen.push(...at);
			if (r.json.next === null)
				break;
			assert.equal(r.json.next.after, at[0]);
			after = r.json.next.after;
		}
		assert.equal(seen.length, NPLAYS);
		assert.equal(new Set(seen).size, NPLAYS);
	});

	test('before and after bound a window, exclusive', async () => {
		const r = await get(`/plays/alice?after=${T0 + 10 * 60000}` +
		    `&before=${T0 + 20 * 60000}`);
		assert.deepEqual(r.json.items.map((p) => p.played_at),
		    Array.from({ length: 9 }, (_, i) => T0 + (19 - i) * 60000));
		assert.equal(r.json.next, null);
		const e = await get(`/plays/alice?before=${T0}`);
		assert.deepEqual(e.json.items, []);
		assert.equal(e.json.next, null);
	});

	test('limit is 1 to 200', async () => {
		assert.equal((await get('/plays/alice?limit=1')).json.items.length, 1);
		assert.equal((await get('/plays/alice?limit=200')).json.items.length,
		    200);
		for (const bad of ['0', '201', '-1', 'abc', '1.5', '', '+5',
		    '%2050', '99999999999999999999'])
			assert.equal((await get(`/plays/alice?limit=${bad}`)).status,
			    400, `limit=${bad}`);
		for (const bad of ['before=x', 'after=-1', 'before=1e3',
		    'before=253402300800000'])
			assert.equal((await get(`/plays/alice?${bad}`)).status, 400);
	});

	test('HEAD has the headers of GET and no body', async () => {
		const g = await get('/plays/alice?limit=5');
		const h = await httpJson('HEAD', `${run.api}/plays/alice?limit=5`);
		assert.equal(h.status, 200);
		assert.equal(h.text, '');
		assert.equal(h.headers['content-type'], g.headers['content-type']);
	});
});

test('GET /gaps/:user_id lists gaps newest first with paging', async () => {
	const r = await get('/gaps/alice');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.items.map((g) => g.reason),
	    ['overflow', 'unreachable']);
	assert.deepEqual(Object.keys(r.json.items[0]), ['from', 'from_iso', 'to',
	    'to_iso', 'reason', 'recorded_at', 'recorded_at_iso']);
	const p = await get('/gaps/alice?limit=1');
	assert.equal(p.json.items.length, 1);
	const q = await get(`/gaps/alice?limit=1&before=${p.json.next.before}`);
	assert.equal(q.json.items[0].reason, 'unreachable');
	assert.equal(q.json.next, null);
});

describe('GET /dw/:user_id', () => {
	test('weeks newest first, how each was obtained, paging', async () => {
		const r = await get('/dw/alice');
		assert.equal(r.status, 200);
		assert.equal(r.json.weeks.length, 10);
		const w = r.json.weeks[0];
		assert.equal(w.week, '2023-11-13');
		assert.equal(w.week_start, MONDAY * 86400000);
		assert.equal(w.playlist_id, dwId);
		assert.equal(w.name, 'Discover Weekly');
		assert.equal(w.how, 'full');
		assert.equal(w.snapshot_id, 'snap0');
		assert.deepEqual(w.track_ids, tracks.slice(0, 30));
		assert.equal(r.json.weeks[1].how, 'heard');
		assert.equal(r.json.weeks[1].snapshot_id, null);
		const n = await get(`/dw/alice?before=${r.json.next.before}`);
		assert.equal(n.json.weeks.length, 5);
		assert.equal(n.json.next, null);
		const all = [...r.json.weeks, ...n.json.weeks].map((x) => x.week);
		assert.equal(new Set(all).size, 15);
	});

	test('another archived playlist by id', async () => {
		const r = await get(`/dw/alice?playlist=${spotifyId('P', 1)}`);
		assert.equal(r.json.weeks.length, 1);
		assert.equal(r.json.weeks[0].name, 'Road trip');
		assert.equal((await get('/dw/alice?playlist=nope')).status, 400);
	});
});

describe('GET /top/:user_id', () => {
	test('current, previous and rank changes per range', async () => {
		const r = await get('/top/alice');
		assert.equal(r.status, 200);
		const st = r.json.tracks.short_term;
		assert.deepEqual(st.current.ids,
		    [tracks[1], tracks[0], tracks[2], tracks[4]]);
		assert.deepEqual(st.previous.ids, tracks.slice(0, 4));
		assert.deepEqual(st.changes.map((c) => [c.change, c.delta]),
		    [['up', 1], ['down', -1], ['same', 0], ['new', null]]);
		assert.deepEqual(st.changes.map((c) => c.previous_rank),
		    [2, 1, 3, null]);
		assert.deepEqual(st.dropped, [tracks[3]]);
		assert.equal(r.json.tracks.medium_term.current, null);
		const lt = r.json.artists.long_term;
		assert.deepEqual(lt.current.ids, artists.slice(0, 5));
		assert.equal(lt.previous, null);
		assert.equal(lt.changes[0].change, null);
		assert.equal(st.history, undefined);
	});

	test('history=1 lists every snapshot; kind and range filter', async () => {
		const r = await get('/top/alice?history=1&kind=tracks&range=short_term');
		assert.deepEqual(Object.keys(r.json), ['user_id', 'tracks']);
		assert.deepEqual(Object.keys(r.json.tracks), ['short_term']);
		assert.deepEqual(r.json.tracks.short_term.history.map((s) => s.day),
		    ['2023-11-13', '2023-11-12']);
		assert.equal((await get('/top/alice?kind=albums')).status, 400);
		assert.equal((await get('/top/alice?range=forever')).status, 400);
		assert.equal((await get('/top/alice?history=2')).status, 400);
	});
});

describe('batch reads', () => {
	test('POST /tracks: 50 ids in order, unknown as null', async () => {
		const ids = [...tracks.slice(0, 49), spotifyId('T', 9999)];
		const r = await post('/tracks', { ids });
		assert.equal(r.status, 200);
		assert.equal(r.json.tracks.length, 50);
		assert.deepEqual(r.json.tracks.slice(0, 49).map((t) => t.id),
		    ids.slice(0, 49));
		assert.equal(r.json.tracks[49], null);
		const t = r.json.tracks[0];
		assert.equal(t.name, 'When I Paint My Masterpiece');
		assert.deepEqual(t.artist_ids, [artists[0], artists[3]]);
		assert.equal(t.album_id, albums[0]);
		assert.equal(r.json.tracks[1].name, 'Tëst "track" 1');
		assert.match(r.headers['cache-control'], /max-age=\d+/);
		assert.match(r.headers.etag, /^(W\/)?"[0-9a-f]{16}"$/);
	});

	test('ETag: If-None-Match answers 304 without a body', async () => {
		const r = await get(`/tracks?ids=${tracks[0]},${tracks[1]}`);
		assert.equal(r.status, 200);
		assert.equal(r.json.tracks.length, 2);
		const n = await get(`/tracks?ids=${tracks[0]}%2C${tracks[1]}`,
		    { 'If-None-Match': r.headers.etag });
		assert.equal(n.status, 304);
		assert.equal(n.text, '');
		const o = await get(`/tracks?ids=${tracks[0]}`,
		    { 'If-None-Match': r.headers.etag });
		assert.equal(o.status, 200);
		// The same ids in another order are another body, so another
		// ETag (it is built from each entity's hash, in order); the
		// entities are cached by now, and the ETag is the same as when
		// they were first rendered.
		const swapped = await get(`/tracks?ids=${tracks[1]},${tracks[0]}`);
		assert.notEqual(swapped.headers.etag, r.headers.etag);
		const again = await get(`/tracks?ids=${tracks[0]},${tracks[1]}`);
		assert.equal(again.headers.etag, r.headers.etag);
		const artists2 = await post('/artists', { ids: [artists[0]] });
		const tracks1 = await post('/tracks', { ids: [tracks[0]] });
		assert.notEqual(artists2.headers.etag, tracks1.headers.etag);
	});

	test('POST /artists and /albums', async () => {
		const a = await post('/artists', { ids: [artists[2]] });
		assert.deepEqual(a.json.artists[0].genres, ['folk rock', 'americana']);
		assert.equal(a.json.artists[0].images[0].width, 640);
		const b = await post('/albums', { ids: [albums[1], artists[1]] });
		assert.equal(b.json.albums[0].release_date, '1971-11-01');
		assert.deepEqual(b.json.albums[0].artist_ids, [artists[1]]);
		assert.equal(b.json.albums[1], null);
	});

	test('bad bodies are 400, 411, 413 and 415', async () => {
		const many = Array.from({ length: 51 }, (_, i) => spotifyId('T', i));
		const cases = [
			[{ ids: many }, 400],
			[{ ids: [] }, 400],
			[{ ids: ['short'] }, 400],
			[{ ids: [42] }, 400],
			[{ ids: [tracks[0]], more: 1 }, 400],
			[{ id: [tracks[0]] }, 400],
			[[tracks[0]], 400],
		];
		for (const [body, status] of cases)
			assert.equal((await post('/tracks', body)).status, status,
			    JSON.stringify(body));
		const ct = { 'Content-Type': 'application/json' };
		assert.equal((await post('/tracks', '{"ids":[', ct)).status, 400);
		assert.equal((await post('/tracks', JSON.stringify({ ids:
		    [tracks[0]] }), { 'Content-Type': 'text/plain' })).status, 415);
		assert.equal((await post('/tracks', JSON.stringify({ ids:
		    [tracks[0]] }), {})).status, 415);
		const nolen = await raw('POST /api/v0/tracks HTTP/1.1\r\n' +
		    'Host: x\r\nContent-Type: application/json\r\n' +
		    'Connection: close\r\n\r\n');
		assert.match(nolen, /^HTTP\/1\.1 411 /);
		assert.match(nolen, /"status":411/);
		assert.equal((await post('/tracks', undefined, ct)).status, 400);
		const big = await post('/tracks', `{"ids":[${' '.repeat(70000)}]}`,
		    ct);
		assert.equal(big.status, 413);
		assert.equal(big.json.error.status, 413);
		// Over nginx's client_max_body_size: nginx answers, in JSON too.
		const huge = await post('/tracks', ' '.repeat(2 << 20), ct);
		assert.equal(huge.status, 413);
		assert.equal(huge.json.error.status, 413);
		assert.equal(huge.headers['x-frame-options'], 'DENY');
		assert.equal((await get('/tracks')).status, 400);
		assert.equal((await get('/tracks?ids=')).status, 400);
	});
});

test('GET /export/:user_id.csv|.sql|.json: 202 until the file is built',
    async () => {
	// No collector runs here: every export is asked for and "preparing"
	// (the files themselves: export-files.test.mjs).
	for (const fmt of ['csv', 'json', 'sql']) {
		const r = await get(`/export/alice.${fmt}`);
		assert.equal(r.status, 202, fmt);
		assert.deepEqual(r.json, { status: 'preparing', format: fmt,
		    retry_after: 3 });
		assert.equal(r.headers['retry-after'], '3');
		assert.equal(r.headers['x-content-type-options'], 'nosniff');
	}
	const head = await httpJson('HEAD', `${run.api}/export/alice.sql`);
	assert.equal(head.status, 202);
	assert.equal(head.text, '');
	assert.equal((await get('/export/bob.csv')).status, 404);
	assert.equal((await get('/export/alice.txt')).status, 404);
	assert.equal((await get('/export/alice')).status, 404);
	// A user id with dots: the format is after the last one.
	assert.equal((await get('/export/carol.x-1_.json')).status, 202);
});

test('GET /users lists public journals only, without secrets', async () => {
	const r = await get('/users');
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.users.map((u) => u.id), ['alice', 'carol.x-1_']);
	assert.deepEqual(Object.keys(r.json.users[0]), ['id', 'display_name',
	    'image_url', 'status', 'timezone', 'n_plays', 'last_ok_poll',
	    'last_ok_poll_iso', 'created_at', 'created_at_iso']);
	assert.equal(r.json.users[1].status, 'reauth');
});

test('a private journal answers exactly like a missing one', async () => {
	for (const p of ['plays', 'gaps', 'dw', 'top']) {
		const priv = await get(`/${p}/bob`);
		const none = await get(`/${p}/nobody`);
		assert.equal(priv.status, 404, p);
		assert.equal(priv.text, none.text, p);
	}
	// A public journal with nothing in it is not a 404.
	const c = await get('/plays/carol.x-1_');
	assert.equal(c.status, 200);
	assert.deepEqual(c.json.items, []);
});

test('errors: 404 for unknown paths, 405 with Allow, 400 for bad input',
    async () => {
	for (const p of ['/nothing', '/plays', '/plays/', '/plays/alice/x',
	    '/plays/al%20ice', '/PLAYS/alice', '/tracks/x'])
		assert.equal((await get(p)).status, 404, p);
	const longUser = 'a'.repeat(65);
	assert.equal((await get(`/plays/${longUser}`)).status, 404);
	const m = await post('/plays/alice', { ids: [] });
	assert.equal(m.status, 405);
	assert.equal(m.headers.allow, 'GET, HEAD');
	assert.deepEqual(m.json, { error: { status: 405,
	    message: 'method not allowed' } });
	const d = await httpJson('DELETE', `${run.api}/tracks`);
	assert.equal(d.status, 405);
	assert.equal(d.headers.allow, 'POST, GET, HEAD');
	const g = await httpJson('PUT', `${run.api}/users`, 'x');
	assert.equal(g.status, 405);
	for (const q of ['x=1', 'limit=5&limit=6', 'ids=x', 'before',
	    'limit=%zz'])
		assert.equal((await get(`/plays/alice?${q}`)).status, 400, q);
	const u = await get('/plays/alice?x=1');
	assert.equal(u.json.error.status, 400);
	assert.equal(typeof u.json.error.message, 'string');
});

test('security headers on every answer, errors included', async () => {
	for (const r of [await get('/plays/alice'), await get('/nothing'),
	    await post('/tracks', { ids: [] }), await get('/metrics'),
	    await httpJson('GET', `${run.stack.baseUrl}/`)]) {
		assert.equal(r.headers['x-content-type-options'], 'nosniff');
		assert.equal(r.headers['x-frame-options'], 'DENY');
		assert.match(r.headers['content-security-policy'],
		    /frame-ancestors 'none'/);
	}
});

test('GET /health and /metrics', async () => {
	const h = await get('/health');
	assert.equal(h.status, 200);
	assert.equal(h.json.status, 'ok');
	assert.equal(h.json.collector.state, 'running');
	assert.ok(h.json.collector.heartbeat_age_s <= 60);
	assert.deepEqual(h.json.users, { active: 2, reauth: 1, disabled: 0 });
	assert.equal(h.json.last_ok_poll, 1700000100);
	assert.ok(h.json.db.map_size > 0 && h.json.db.used > 0);
	assert.ok(h.json.db.map_use > 0 && h.json.db.map_use < 1);
	const m = await get('/metrics');
	assert.equal(m.status, 200);
	assert.match(m.headers['content-type'], /^text\/plain; version=0\.0\.4/);
	assert.match(m.text, /^linernotes_http_requests_total\{route="plays",method="GET",status="200"\} \d+$/m);
	assert.match(m.text, /^linernotes_http_requests_total\{route="tracks",method="POST",status="413"\} \d+$/m);
	assert.match(m.text, /^linernotes_http_request_duration_seconds_bucket\{route="plays",method="GET",le="\+Inf"\} \d+$/m);
	assert.match(m.text, /^linernotes_cache_hits_total \d+$/m);
	assert.match(m.text, /^linernotes_cache_hit_ratio [0-9.]+$/m);
	// Two processes serve; the counters are their sums.
	const n = Number(m.text.match(/route="plays",method="GET",status="200"\} (\d+)/)[1]);
	assert.ok(n >= 15, `plays requests counted across processes: ${n}`);
});

test('no answer carried a token', () => {
	assert.ok(bodies.length > 50);
	for (const b of bodies)
		assert.ok(!/SECRET/.test(b), `a secret leaked: ${b.slice(0, 200)}`);
});
