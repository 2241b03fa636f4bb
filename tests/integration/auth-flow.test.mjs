// auth-flow.test.mjs — signing in with Spotify, end to end: the
// simulator's accounts service, nginx, spawn-fcgi with two readers, and
// the collector daemon.
//
// Proves, in order: sign-in (PKCE; the cookies' attributes) creates a
// private journal that the collector picks up at once, so the first API
// load after the redirect already holds the user's last 50 plays (equal
// to the simulator's truth); /me shows the account and never a token;
// the journal is invisible to everyone else (404 through every per-user
// endpoint docs/API.md lists, and absent from /users) and readable by
// anyone once made public in the settings; settings are refused
// cross-site and validated; a missing or wrong state, a missing login
// cookie and Spotify's access_denied sign nobody in; forged, expired and
// signed-out sessions read nothing; a login cookie used once already or
// older than ten minutes is refused by the server's own record; and no
// token string (access, refresh, session, client secret) appears in any
// answer, header or log, nor a sign-in URL's codes in nginx's error log
// with the readers up or down.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { assertNoSecrets, authStack, perUserRoutes, sessionOf, signIn,
	startDaemon } from './auth-lib.mjs';

let ctx;
let daemon;
let alice;		// user1's browser
let bob;		// user2's browser

before(async () => {
	ctx = await authStack('auth-flow', { users: 3 });
	daemon = await startDaemon(ctx);
});

after(async () => {
	await ctx?.stack.stop();
	await cleanup();
});

test('sign-in creates a private journal with its last 50 plays', async () => {
	alice = ctx.client();
	const t0 = Date.now();
	const r = await signIn(ctx, alice, 'user1');
	assert.equal(r.status, 302, r.text);
	assert.equal(r.headers.location, `${ctx.base}/#/u/user1/plays`);
	const sc = r.setCookies.find((c) => c.startsWith('ln_session='));
	assert.ok(sc, 'a session cookie');
	assert.match(sc, /; Path=\/;/);
	assert.match(sc, /; HttpOnly/);
	assert.match(sc, /; SameSite=Lax/);
	assert.doesNotMatch(sc, /Secure/, 'http public_url: not Secure');
	assert.match(sc, /Max-Age=2592000/);
	assert.match(sessionOf(alice), /^user1\.[A-Za-z0-9_-]{43}$/);
	assert.ok(r.setCookies.some((c) => /^ln_login=;.*Max-Age=0/.test(c)),
	    'the login cookie is cleared');
	assert.ok(!alice.jar.has('ln_login'));

	// The first load after the redirect: the last 50 plays are there.
	const p = await alice.get(`${ctx.api}/plays/user1?limit=50`);
	assert.equal(p.status, 200, p.text);
	assert.ok(Date.now() - t0 < 15000, 'signed in and collected quickly');
	const now = (await ctx.sim.admin('GET', 'state')).now_ms;
	const truth = (await ctx.sim.admin('GET',
	    `truth/user1?from_ms=0&to_ms=${now}`)).plays;
	const last50 = truth.slice(-50).reverse().map((x) => x.played_at_ms);
	assert.deepEqual(p.json.items.map((x) => x.played_at), last50);

	const me = await alice.get(`${ctx.api}/me`);
	assert.equal(me.status, 200, me.text);
	assert.equal(me.json.user.id, 'user1');
	assert.equal(me.json.user.visibility, 'private');
	assert.equal(me.json.settings.visibility, 'private');
	// No time zone chosen: null, as /users says it.
	assert.equal(me.json.user.timezone, null);
	assert.equal(me.json.settings.timezone, null);
	assert.equal(me.json.user.status, 'active');
	assert.equal(me.json.authorization.needs_reauth, false);
	assert.equal(me.json.authorization.expiring, false);
	assert.ok(me.json.authorization.expires_at >
	    me.json.authorization.authorized_at + 180 * 86400);
	assert.ok(me.json.session.expires_at > Date.now() / 1000 + 86400 * 29);
	assert.doesNotMatch(me.text, /token/i);

	// Nobody else sees it, not even that it exists.
	const anon = ctx.client();
	assert.equal((await anon.get(`${ctx.api}/plays/user1`)).status, 404);
	assert.deepEqual((await anon.get(`${ctx.api}/users`)).json.users, []);
	assert.deepEqual((await anon.get(`${ctx.api}/me`)).json,
	    { signed_in: false });
});

test('user B cannot read A\'s private journal through any endpoint',
    async () => {
	bob = ctx.client();
	assert.equal((await signIn(ctx, bob, 'user2')).status, 302);
	const routes = perUserRoutes('user1');
	for (const want of ['/plays/', '/gaps/', '/dw/', '/top/',
	    '/export/user1.csv', '/export/user1.sql', '/export/user1.json',
	    '/insights/user1/calendar', '/insights/user1/streaks'])
		assert.ok(routes.some((r) => r.includes(want)),
		    `docs/API.md lists ${want}: ${routes}`);
	const anon = ctx.client();
	for (const r of routes) {
		const url = ctx.base + r;
		for (const [who, c] of [['user2', bob], ['nobody', anon]]) {
			for (const m of ['GET', 'HEAD']) {
				const a = await c.request(m, url);
				assert.equal(a.status, 404, `${who} ${m} ${r}`);
			}
		}
		// And the 404 is the one of a user that does not exist.
		const ghost = await anon.get(url.replace(/user1/, 'nobody-here'));
		const mine = await bob.get(url);
		assert.equal(mine.text, ghost.text, r);
		// An export: the file, or 202 while the collector builds it.
		const st = (await alice.get(url)).status;
		assert.ok(st === 200 || (r.includes('/export/') && st === 202),
		    `user1 ${r}: ${st}`);
	}
	// Bob's own journal is Bob's.
	assert.equal((await bob.get(`${ctx.api}/plays/user2`)).status, 200);
	assert.equal((await alice.get(`${ctx.api}/plays/user2`)).status, 404);
});

test('settings: same origin only, validated, and public means public',
    async () => {
	const put = (c, body, headers) => c.request('PUT', `${ctx.api}/settings`,
	    { body, headers });
	const pub = { visibility: 'public' };
	// Cross-site attempts change nothing.
	assert.equal((await put(alice, pub, { origin: 'http://evil.example' }))
	    .status, 403);
	assert.equal((await put(alice, pub, { 'sec-fetch-site': 'cross-site',
		origin: ctx.base })).status, 403);
	assert.equal((await put(alice, pub, {})).status, 403,
	    'no Origin and no X-Requested-With');
	assert.equal((await alice.request('POST', `${ctx.api}/auth/logout`,
	    { headers: { origin: 'http://evil.example' } })).status, 403);
	assert.equal((await alice.get(`${ctx.api}/me`)).json.signed_in, true,
	    'a cross-site logout did not sign out');
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`)).status,
	    404);
	// Without a session, or with bad values.
	assert.equal((await put(ctx.client(), pub, { origin: ctx.base })).status,
	    401);
	for (const bad of [{ visibility: 'friends' }, { timezone: 'Nowhere/X' },
	    { dw_playlist: 'x' },
	    { archive: [...'ABCDEFGHI'].map((c) => c.repeat(22)) },
	    { visibility: 'public', refresh_token: 'x' }, {}])
		assert.equal((await put(alice, bad, { origin: ctx.base })).status,
		    400, JSON.stringify(bad));
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`)).status,
	    404);

	// The owner makes it public: everyone reads it.
	const r = await put(alice, { visibility: 'public',
		timezone: 'Europe/Stockholm', dw_playlist: '',
		archive: ['37i9dQZEVXcJZyENOWUFo7'] }, { origin: ctx.base });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.settings.visibility, 'public');
	assert.equal(r.json.settings.timezone, 'Europe/Stockholm');
	assert.deepEqual(r.json.settings.archive, ['37i9dQZEVXcJZyENOWUFo7']);
	const anon = ctx.client();
	for (const p of perUserRoutes('user1')) {
		// An export: the file, or 202 while the collector builds it.
		const st = (await anon.get(ctx.base + p)).status;
		assert.ok(st === 200 || (p.includes('/export/') && st === 202),
		    `${p}: ${st}`);
	}
	const users = (await anon.get(`${ctx.api}/users`)).json.users;
	assert.deepEqual(users.map((u) => u.id), ['user1']);
	assert.equal(users[0].timezone, 'Europe/Stockholm');
	assert.equal((await bob.get(`${ctx.api}/plays/user1`)).status, 200);
	// X-Requested-With stands in for Origin (scripts, curl).
	assert.equal((await put(alice, { visibility: 'private' },
	    { 'x-requested-with': 'linernotes' })).status, 200);
	assert.equal((await anon.get(`${ctx.api}/plays/user1`)).status, 404);
	assert.deepEqual((await anon.get(`${ctx.api}/users`)).json.users, []);
});

test('a wrong or missing state, or a refusal, signs nobody in', async () => {
	const users = async () => (await ctx.run(['users'])).stdout;
	const before = await users();
	const cb = `${ctx.api}/auth/callback`;
	// A sign-in started by a fresh browser, up to Spotify's answer.
	const fresh = async () => {
		const c = ctx.client();
		const login = await c.get(`${ctx.api}/auth/login`);
		assert.equal(login.status, 302);
		assert.ok(c.jar.has('ln_login'));
		const auth = new URL(login.headers.location);
		auth.searchParams.set('sim_user', 'user3');
		const back = new URL((await c.get(auth.toString())).headers.location);
		return { c, auth, code: back.searchParams.get('code'),
			state: back.searchParams.get('state') };
	};

	const { auth } = await fresh();
	assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
	assert.match(auth.searchParams.get('code_challenge'), /^[\w-]{43}$/);
	assert.equal(auth.searchParams.get('redirect_uri'),
	    `${ctx.base}/api/v0/auth/callback`);
	for (const s of ['user-read-recently-played', 'user-top-read',
	    'playlist-read-private'])
		assert.ok(auth.searchParams.get('scope').split(' ').includes(s));
	assert.match(auth.searchParams.get('state'), /^[\w-]{43}$/);

	const unverified = /could not be verified/;
	const expired = /has expired/;
	const tries = [
		['no state', (f) => `${cb}?code=${f.code}`, unverified],
		['a wrong state', (f) => `${cb}?code=${f.code}&state=` +
		    `${f.state[0] === 'A' ? 'B' : 'A'}${f.state.slice(1)}`,
		    unverified],
		// Refused by the query's validator (JSON 400) before the
		// callback runs.
		['a malformed state', (f) => `${cb}?code=${f.code}&state=abc`,
		    /state must be/],
	];
	for (const [what, url, page] of tries) {
		const f = await fresh();
		const r = await f.c.get(url(f));
		assert.equal(r.status, 400, what);
		assert.match(r.text, page, what);
		assert.ok(!r.setCookies.some((x) => x.startsWith('ln_session=')),
		    what);
		if (what === 'a malformed state')
			continue;
		// The login cookie is spent: the right state now fails too.
		assert.ok(!f.c.jar.has('ln_login'), what);
		const again = await f.c.get(`${cb}?code=${f.code}&state=${f.state}`);
		assert.equal(again.status, 400, what);
		assert.match(again.text, expired, what);
	}
	// Another browser's state and code, with this browser's cookie.
	const mine = await fresh();
	const theirs = await fresh();
	let r = await mine.c.get(`${cb}?code=${theirs.code}&state=${theirs.state}`);
	assert.equal(r.status, 400);
	assert.match(r.text, unverified);
	// No login cookie at all (a link someone was sent).
	r = await ctx.client().get(`${cb}?code=${theirs.code}&state=` +
	    `${theirs.state}`);
	assert.equal(r.status, 400);
	assert.match(r.text, expired);
	assert.equal(await users(), before, 'no user was made');

	// Spotify's access_denied: a page that says so, nobody signed in.
	const d = ctx.client();
	r = await signIn(ctx, d, 'user3', { deny: true });
	assert.equal(r.status, 403);
	assert.match(r.headers['content-type'], /^text\/html/);
	assert.match(r.text, /did not allow linernotes/);
	assert.equal(d.jar.size, 0);
	assert.equal(await users(), before);
});

test('forged, expired and signed-out sessions read nothing', async () => {
	const real = sessionOf(bob);
	const tok = real.slice(real.indexOf('.') + 1);
	const forged = [
		`user2.${(tok[0] === 'A' ? 'B' : 'A')}${tok.slice(1)}`,
		`user1.${tok}`,			// Bob's token as Alice
		'user2.' + 'A'.repeat(43),
		'user2',
		`user2.${tok}x`,
	];
	for (const f of forged) {
		const h = { cookie: `ln_session=${f}` };
		assert.equal((await ctx.client().get(`${ctx.api}/plays/user2`,
		    { headers: h })).status, 404, f);
		assert.equal((await ctx.client().get(`${ctx.api}/me`,
		    { headers: h })).json.signed_in, false, f);
	}

	// Expire Bob's session in the store (the record's own end passes).
	const dump = spawnSync('mdb_dump', ['-s', 'sessions', ctx.db],
	    { encoding: 'utf8' }).stdout;
	const lines = dump.split('\n');
	const start = lines.indexOf('HEADER=END') + 1;
	const hex = (s) => Buffer.from(s).toString('hex');
	const prefix = ' ' + (5).toString(16).padStart(2, '0') + hex('user2');
	let edited = 0;
	for (let i = start; i + 1 < lines.length; i += 2) {
		if (!lines[i].startsWith(prefix))
			continue;
		const v = Buffer.from(lines[i + 1].trim(), 'hex');
		assert.equal(v.length, 17, 'version, created, expires');
		v.writeBigInt64BE(BigInt(Math.floor(Date.now() / 1000) - 1), 9);
		lines[i + 1] = ' ' + v.toString('hex');
		edited++;
	}
	assert.equal(edited, 1, 'Bob has one session');
	const load = spawnSync('mdb_load', ['-s', 'sessions', ctx.db],
	    { input: lines.join('\n'), encoding: 'utf8' });
	assert.equal(load.status, 0, load.stderr);
	assert.equal((await bob.get(`${ctx.api}/me`)).json.signed_in, false);
	assert.equal((await bob.get(`${ctx.api}/plays/user2`)).status, 404);

	// Signing out ends the session for good, even for a copied cookie.
	const copy = sessionOf(alice);
	const out = await alice.request('POST', `${ctx.api}/auth/logout`,
	    { headers: { origin: ctx.base } });
	assert.equal(out.status, 200, out.text);
	assert.ok(out.setCookies.some((x) => /^ln_session=;.*Max-Age=0/.test(x)));
	assert.equal(sessionOf(alice), undefined);
	const h = { cookie: `ln_session=${copy}` };
	assert.equal((await ctx.client().get(`${ctx.api}/me`, { headers: h }))
	    .json.signed_in, false);
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`,
	    { headers: h })).status, 404);
	// Signing in again (same Spotify user) finds the same journal.
	assert.equal((await signIn(ctx, alice, 'user1')).status, 302);
	const me = await alice.get(`${ctx.api}/me`);
	assert.equal(me.json.user.id, 'user1');
	assert.ok(me.json.user.n_plays >= 50);
});

test('the login cookie is good once and for ten minutes, whatever the ' +
    'browser keeps', async () => {
	// A sign-in started, up to Spotify's answer (user1 signs in again).
	const start = async () => {
		const c = ctx.client();
		const login = await c.get(`${ctx.api}/auth/login`);
		assert.equal(login.status, 302);
		const cookie = c.jar.get('ln_login');
		assert.ok(cookie);
		const auth = new URL(login.headers.location);
		auth.searchParams.set('sim_user', 'user1');
		const back = (await c.get(auth.toString())).headers.location;
		ctx.urlSecrets ??= new Set();
		ctx.urlSecrets.add(new URL(back).searchParams.get('code'));
		return { c, cookie, back };
	};
	const noSession = (r) => !r.setCookies.some((x) =>
	    /^ln_session=[^;]/.test(x));

	// Used once: the same cookie, state and code a second time.
	const once = await start();
	const first = await once.c.get(once.back);
	assert.equal(first.status, 302, first.text);
	const replay = await ctx.client().get(once.back,
	    { headers: { cookie: `ln_login=${once.cookie}` } });
	assert.equal(replay.status, 400);
	assert.match(replay.text, /used already/);
	assert.ok(noSession(replay));

	// Older than ten minutes: the server's record of the sign-in is
	// made eleven minutes old; the browser still has its cookie.
	const late = await start();
	const dump = spawnSync('mdb_dump', ['-s', 'meta', ctx.db],
	    { encoding: 'utf8' }).stdout;
	const lines = dump.split('\n');
	const key = ' ' + Buffer.from('auth.logins').toString('hex');
	const i = lines.indexOf(key, lines.indexOf('HEADER=END') + 1);
	assert.ok(i > 0, 'the server keeps the sign-ins started');
	const v = Buffer.from(lines[i + 1].trim(), 'hex');
	assert.equal((v.length - 1) % 24, 0, 'version, then hash and time');
	for (let at = 1 + 16; at < v.length; at += 24)
		v.writeBigInt64BE(v.readBigInt64BE(at) - 660n, at);
	lines[i + 1] = ' ' + v.toString('hex');
	const load = spawnSync('mdb_load', ['-s', 'meta', ctx.db],
	    { input: lines.join('\n'), encoding: 'utf8' });
	assert.equal(load.status, 0, load.stderr);
	const r = await late.c.get(late.back);
	assert.equal(r.status, 400);
	assert.match(r.text, /has expired/);
	assert.ok(noSession(r));
});

test('no token string in any answer, header or log', async () => {
	daemon.kill('SIGTERM');
	await new Promise((r) => daemon.once('exit', r));
	await assertNoSecrets(ctx, [daemon.out.stdout, daemon.out.stderr]);

	// With the readers down nginx answers sign-in itself (503) and
	// writes failed requests into its error log: never sign-in's URLs.
	await ctx.stack.stopReaders();
	const invite = 'inv-' + 'q'.repeat(30);
	const code = 'code-' + 'z'.repeat(40);
	const state = 's'.repeat(43);
	ctx.urlSecrets.add(invite);
	ctx.urlSecrets.add(code);
	ctx.urlSecrets.add(state);
	for (const url of [`${ctx.api}/auth/login?invite=${invite}`,
	    `${ctx.api}/auth/callback?code=${code}&state=${state}`]) {
		const r = await ctx.client().get(url);
		assert.equal(r.status, 503, url);
		assert.equal(r.json.error.status, 503);
	}
	// The readers being down is still in the log, from any other path.
	assert.equal((await ctx.client().get(`${ctx.api}/health`)).status, 503);
	const errLog = fs.readFileSync(`${ctx.dir}/nginx-error.log`, 'utf8');
	assert.match(errLog, /GET \/api\/v0\/health/);
	await assertNoSecrets(ctx, [daemon.out.stdout, daemon.out.stderr]);
});
