// auth-https.test.mjs — sign-in behind TLS, as a deployment has it.
//
// The stack itself speaks plain http on loopback, but public_url says
// https://music.example.test, as it would with TLS ending at nginx or in
// front of it.  Proves: the redirect URI defaults to the public URL's
// callback; the login cookie is __Secure- and the session cookie
// __Host-, both Secure; the callback (reached with Spotify's answer)
// starts a session that reads the private journal; and the site's origin
// is public_url's, so a PUT from the plain-http origin is refused while
// one from the public origin passes.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { authStack } from './auth-lib.mjs';

let ctx;
after(async () => {
	await ctx?.stack.stop();
	await cleanup();
});

test('https public_url: Secure, prefixed cookies and its origin', async () => {
	const site = 'https://music.example.test';
	ctx = await authStack('auth-https', { users: 1,
		extra: { public_url: site } });
	const c = ctx.client();
	const login = await c.get(`${ctx.api}/auth/login`);
	assert.equal(login.status, 302);
	const lc = login.setCookies[0];
	assert.match(lc, /^__Secure-ln_login=[\w-]{43}\.[\w-]{64}; /);
	assert.match(lc, /; Path=\/api\/v0\/auth\/; Max-Age=600; HttpOnly; /);
	assert.match(lc, /; SameSite=Lax; Secure$/);
	const auth = new URL(login.headers.location);
	assert.equal(auth.searchParams.get('redirect_uri'),
	    `${site}/api/v0/auth/callback`);
	auth.searchParams.set('sim_user', 'user1');
	const back = new URL((await c.get(auth.toString())).headers.location);
	assert.equal(back.origin, site);
	// Spotify sends the browser to the public URL; here that is us.
	const r = await c.get(`${ctx.base}${back.pathname}${back.search}`);
	assert.equal(r.status, 302, r.text);
	assert.equal(r.headers.location, `${site}/#/u/user1/plays`);
	const sc = r.setCookies.find((x) => x.startsWith('__Host-ln_session='));
	assert.ok(sc, r.setCookies.join('\n'));
	assert.match(sc, /; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
	assert.ok(r.setCookies.some((x) => /^__Secure-ln_login=;.*Max-Age=0/
	    .test(x)));
	// A plain ln_session cookie means nothing here.
	const value = sc.slice(sc.indexOf('=') + 1, sc.indexOf(';'));
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`,
	    { headers: { cookie: `ln_session=${value}` } })).status, 404);
	assert.equal((await c.get(`${ctx.api}/plays/user1`)).status, 200);

	const put = (origin) => c.request('PUT', `${ctx.api}/settings`,
	    { body: { visibility: 'private' }, headers: { origin } });
	assert.equal((await put(ctx.base)).status, 403);
	assert.equal((await put(site)).status, 200);
});
