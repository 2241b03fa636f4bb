// api-etags.test.mjs — conditional requests through the real nginx (with
// its gzip) and spawn-fcgi.
//
// On the insights' generated journal (ivy, public, Berlin) it proves that
// every list, page and journal answer carries an ETag and
// "Cache-Control: private, no-cache", that If-None-Match with it is a 304
// without a body, and that the ETag changes exactly when the answer can:
// a new play changes the answers made of plays and not the top lists or
// the gaps; a top list, a gap, a renamed track, another query, another
// zone, the user's own zone each change their answers and only those.  A
// journal made private answers 404, never 304, to a visitor holding its
// ETag.  Then, on journals made by signing in to the simulator, that
// another account and a visitor holding the owner's ETag of a private
// journal get 404, and that /me's ETag is the viewer's own.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, startStack, writeConfigAt } from
    './lib/harness.mjs';
import { authStack, viewers } from './auth-lib.mjs';
import { load, spotifyId } from '../tools/fixture.mjs';
import { insightsFixture, planted } from '../tools/insights-fixture.mjs';

// "Today" for the reader, fixed so that no test depends on its day.
const NOW = Date.parse('2026-12-06T12:00:00Z');
const MONDAY = 20426;		// 2025-12-08, a day number for top lists
const ARTIST = spotifyId('R', 700);

let stack;
let api;
let db;
let base;		// the fixture's records

before(async () => {
	const dir = makeRunDir('api-etags');
	const config = writeConfigAt(dir, NOW);
	db = path.join(dir, 'db');
	base = insightsFixture().recs;
	load(db, [...base,
	    { type: 'top', user: 'ivy', kind: 'tracks', range: 'short_term',
		day: MONDAY, ids: [planted.binge] },
	    { type: 'gap', user: 'ivy', from_ms: 1500000000000,
		to_ms: 1500000600000, reason: 'overflow' }]);
	stack = await startStack({ dir, config });
	api = `${stack.baseUrl}/api/v0`;
});

after(async () => {
	await stack?.stop();
	await cleanup();
});

const get = (p, headers = {}) => httpJson('GET', `${api}${p}`, undefined,
    headers);
// The validator without nginx's W/ (it weakens what it compresses).
const strong = (t) => t?.replace(/^W\//, '');

// Every read that is a list, a page or a journal's answer.
const ROUTES = {
	plays: '/plays/ivy',
	playsPage: '/plays/ivy?limit=10',
	gaps: '/gaps/ivy',
	dw: '/dw/ivy',
	top: '/top/ivy',
	insight: '/insights/ivy/calendar',
	insightUtc: '/insights/ivy/calendar?tz=UTC',
	story: `/story/ivy/track/${planted.binge}`,
	storyPlays: `/story/ivy/track/${planted.binge}/plays`,
	search: '/search/ivy?q=paint',
	charts: '/charts/ivy',
	users: '/users',
};

async function etags() {
	const out = {};
	for (const [k, p] of Object.entries(ROUTES)) {
		const r = await get(p);
		assert.equal(r.status, 200, `${p}: ${r.text}`);
		assert.match(r.headers.etag ?? '', /^(W\/)?"[0-9a-f]{16}"$/, p);
		assert.equal(r.headers['cache-control'], 'private, no-cache', p);
		out[k] = strong(r.headers.etag);
	}
	return out;
}

// The routes whose answer is still the one tagged in old (304) and those
// whose answer changed (200 with another ETag).
async function kept(old) {
	const same = [];
	const changed = [];
	for (const [k, p] of Object.entries(ROUTES)) {
		const r = await get(p, { 'If-None-Match': old[k] });
		if (r.status === 304) {
			assert.equal(r.text, '', `${p}: a 304 has no body`);
			assert.equal(strong(r.headers.etag), old[k], p);
			same.push(k);
		} else {
			assert.equal(r.status, 200, p);
			assert.notEqual(strong(r.headers.etag), old[k], p);
			changed.push(k);
		}
	}
	return { same: same.sort(), changed: changed.sort() };
}

const keys = (...k) => k.sort();

describe('ETags and 304s', () => {
	let tags;

	test('every answer has one; If-None-Match with it is a 304', async () => {
		tags = await etags();
		assert.equal(new Set(Object.values(tags)).size,
		    Object.keys(tags).length, 'no two answers share an ETag');
		const k = await kept(tags);
		assert.deepEqual(k.changed, []);
		// Weak or strong, a list of them, HEAD: the same 304.
		const r = await get(ROUTES.plays, { 'If-None-Match':
		    `"0000000000000000", W/${tags.plays}` });
		assert.equal(r.status, 304);
		const h = await httpJson('HEAD', `${api}${ROUTES.plays}`,
		    undefined, { 'If-None-Match': tags.plays });
		assert.equal(h.status, 304);
		// Another reader process gives the same ETag.
		for (let i = 0; i < 4; i++)
			assert.equal(strong((await get(ROUTES.plays)).headers.etag),
			    tags.plays);
	});

	test('a new play changes what is made of plays, nothing else',
	    async () => {
		load(db, [{ type: 'play', user: 'ivy', source: 'api',
		    played_at: NOW - 3600000, track_id: planted.binge,
		    ms_played: 180000 }]);
		const k = await kept(tags);
		assert.deepEqual(k.same, keys('gaps', 'top', 'users'));
		tags = await etags();
	});

	test('a top list changes the top lists and the stories', async () => {
		load(db, [{ type: 'top', user: 'ivy', kind: 'tracks',
		    range: 'short_term', day: MONDAY + 7, ids: [planted.back] }]);
		const k = await kept(tags);
		assert.deepEqual(k.changed, keys('top', 'story', 'storyPlays'));
		tags = await etags();
	});

	test('a gap changes the gaps, the plays pages and the stories',
	    async () => {
		load(db, [{ type: 'gap', user: 'ivy', from_ms: 1510000000000,
		    to_ms: 1510000600000, reason: 'overflow' }]);
		const k = await kept(tags);
		assert.deepEqual(k.changed, keys('gaps', 'plays', 'playsPage',
		    'story', 'storyPlays'));
		tags = await etags();
	});

	test('a renamed track changes what shows entities', async () => {
		const t = base.find((r) => r.type === 'track' &&
		    r.id === planted.binge);
		load(db, [{ ...t, name: 'When I Paint My Masterpiece (Live)' }]);
		const k = await kept(tags);
		assert.deepEqual(k.same, keys('plays', 'playsPage', 'gaps', 'dw',
		    'top', 'users'));
		tags = await etags();
	});

	test('the user\'s own zone changes the answers in it', async () => {
		const ivy = base.find((r) => r.type === 'user' && r.id === 'ivy');
		load(db, [{ ...ivy, timezone: 'Asia/Tokyo' }]);
		const r = await get(ROUTES.insight, { 'If-None-Match':
		    tags.insight });
		assert.equal(r.status, 200);
		assert.equal(r.json.tz, 'Asia/Tokyo');
		load(db, [ivy]);
		assert.equal((await get(ROUTES.insight, { 'If-None-Match':
		    tags.insight })).status, 304, 'back to the same answer');
	});

	test('a journal made private is a 404, never a 304', async () => {
		const ivy = base.find((r) => r.type === 'user' && r.id === 'ivy');
		load(db, [{ ...ivy, visibility: 'private' }]);
		for (const k of Object.keys(ROUTES).filter((x) => x !== 'users')) {
			const r = await get(ROUTES[k], { 'If-None-Match': tags[k] });
			assert.equal(r.status, 404, ROUTES[k]);
			assert.equal(r.headers.etag, undefined);
		}
		load(db, [ivy]);
	});

	test('errors carry no ETag and are never kept', async () => {
		const r = await get('/plays/ivy?limit=0');
		assert.equal(r.status, 400);
		assert.equal(r.headers.etag, undefined);
		assert.equal(r.headers['cache-control'], 'no-store');
		// Batches keep their own content ETags (api-read.test.mjs).
		const b = await httpJson('POST', `${api}/artists`,
		    { ids: [ARTIST] });
		assert.equal(b.status, 200);
		assert.match(b.headers['cache-control'], /max-age/);
	});
});

describe('viewers', () => {
	let ctx;

	before(async () => {
		ctx = await authStack('api-etags-auth', { users: 2 });
	});

	after(async () => {
		await ctx?.stack.stop();
		await cleanup();
	});

	test('the owner\'s ETag of a private journal opens nothing to others',
	    async () => {
		const { alice, bob, anon } = await viewers(ctx);
		for (const p of ['/plays/user1', '/gaps/user1', '/top/user1',
		    '/dw/user1', '/charts/user1', '/insights/user1/calendar']) {
			const own = await alice.get(ctx.api + p);
			assert.equal(own.status, 200, `${p}: ${own.text}`);
			assert.equal(own.headers['cache-control'],
			    'private, no-cache');
			const tag = own.headers.etag;
			assert.ok(tag, p);
			assert.equal((await alice.get(ctx.api + p, { headers:
			    { 'If-None-Match': tag } })).status, 304, p);
			for (const c of [bob, anon]) {
				const r = await c.get(ctx.api + p, { headers:
				    { 'If-None-Match': tag } });
				assert.equal(r.status, 404, p);
			}
		}
		// /me is each viewer's own: alice's ETag is no 304 for bob.
		const me = await alice.get(`${ctx.api}/me`);
		assert.equal(me.status, 200);
		assert.equal(me.headers['cache-control'], 'private, no-cache');
		assert.equal((await alice.get(`${ctx.api}/me`, { headers:
		    { 'If-None-Match': me.headers.etag } })).status, 304);
		const other = await bob.get(`${ctx.api}/me`, { headers:
		    { 'If-None-Match': me.headers.etag } });
		assert.equal(other.status, 200);
		assert.equal(other.json.user.id, 'user2');
	});
});
