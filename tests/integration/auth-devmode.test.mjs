// auth-devmode.test.mjs — sign-in of a Spotify account that a
// development-mode app has not allow-listed.
//
// The simulator in development mode answers /v1/me with 403 "User not
// registered in the Developer Dashboard" for users beyond the first five
// (tests/spotify-sim/README.md, Modes).  Proves: such a sign-in ends on a
// page (403) that tells the person plainly why (development mode, at most
// 5 accounts) and whom to ask (the instance's operator, the app's
// dashboard), with no session and no user created; the reader's log tells
// the operator exactly what to do (the app's client_id, the dashboard's
// User Management, at most 5 users); an allow-listed account still signs
// in; no secret appears in any answer or log.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { assertNoSecrets, authStack, sessionOf, signIn } from
    './auth-lib.mjs';

let ctx;
after(async () => {
	await ctx?.stack.stop();
	await cleanup();
});

test('an account the development-mode app has not listed is told why',
    async () => {
	ctx = await authStack('auth-devmode', { users: 6 });
	await ctx.sim.admin('POST', 'mode', { mode: 'development' });
	assert.equal((await ctx.sim.admin('GET', 'users/user6'))
	    .allowed_in_mode, false, 'the sixth user is not allow-listed');

	const c = ctx.client();
	const r = await signIn(ctx, c, 'user6');
	assert.equal(r.status, 403);
	assert.match(r.headers['content-type'], /^text\/html/);
	assert.match(r.text, /<h1>This Spotify account is not on this linernotes/);
	assert.match(r.text, /development mode/);
	assert.match(r.text, /at most 5/);
	assert.match(r.text, /Ask the person who runs this linernotes to add your Spotify account/);
	assert.match(r.text, /dashboard/);
	assert.doesNotMatch(r.text, /did not complete the sign-in/,
	    'not the generic error');
	assert.equal(sessionOf(c), undefined, 'no session');
	assert.equal((await c.get(`${ctx.api}/me`)).json.signed_in, false);
	const users = ctx.run(['users']);
	assert.equal(users.code, 0, users.stderr);
	assert.ok(!/^user6\b/m.test(users.stdout), 'no user created');

	// What the operator reads.
	const log = fs.readFileSync(path.join(ctx.dir, 'fcgi.log'), 'utf8');
	const line = log.split('\n').find((l) =>
	    l.includes('User not registered in the Developer Dashboard'));
	assert.ok(line, log);
	assert.match(line, /development mode/);
	assert.match(line, /client_id sim-client-id|client_id \S+/);
	assert.match(line, /https:\/\/developer\.spotify\.com\/dashboard/);
	assert.match(line, /User Management/);
	assert.match(line, /at most 5 users/);
	assert.match(line, /sign in again/);
	assert.doesNotMatch(log, /sign-in failed at Spotify/);

	// An allow-listed account still signs in.
	const ok = ctx.client();
	assert.equal((await signIn(ctx, ok, 'user1')).status, 302);
	assert.ok(sessionOf(ok));
	await assertNoSecrets(ctx);
});
