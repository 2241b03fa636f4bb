// auth.test.mjs — signing in and out in headless Chromium: the simulator's
// accounts service, the collector daemon, nginx and spawn-fcgi serving
// www/.
//
// Proves: a visitor of an instance with no public journal is offered
// "Sign in with Spotify"; following it goes through Spotify's (the
// simulator's) authorization page and back to the newcomer's own, private
// journal, which already shows their last 50 plays; the header names them
// and offers "Sign out"; signing out returns to the start, where the
// journal is no longer listed and the API no longer knows the browser;
// no console error or failed request on the way.  And the demo's own
// configuration, written as `make demo` writes it (tests/stack.sh), signs
// a visitor in too: Spotify sends the browser back to the API's callback,
// not to the site's root with the code left in the address bar.  And an
// account that a development-mode app has not allow-listed ends on a page
// that says why and whom to ask, signed out.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { cleanup, freePort, makeRunDir, repoRoot, startSim, startStack }
    from '../integration/lib/harness.mjs';
import { authStack, startDaemon } from '../integration/auth-lib.mjs';
import { openBrowser } from './lib/journal.mjs';
import { signInPage } from './lib/signin.mjs';

let ctx;
let browser;

before(async () => {
	ctx = await authStack('browser-auth', { users: 2 });
	await startDaemon(ctx);
	browser = await openBrowser();
});

after(async () => {
	await browser?.close();
	await ctx?.stack.stop();
	await cleanup();
});

test('sign in, see the journal, sign out', async () => {
	const page = await browser.newPage();
	// The simulator's /authorize signs its first user in (user1).
	await signInPage(page, ctx);
	const who = page.locator('header .account .who');
	const state = await ctx.sim.admin('GET', 'state');
	const user1 = state.users.find((u) => u.id === 'user1');
	assert.equal(await who.textContent(), user1.display_name);

	// The private journal's plays, as the API has them, at once.
	const plays = (await page.evaluate(async () => (await fetch(
	    '/api/v0/plays/user1?limit=50')).json())).items;
	assert.equal(plays.length, 50);
	await page.locator('main time').first().waitFor({ timeout: 10000 });
	assert.ok(await page.locator('main time').count() > 5,
	    'plays are shown');
	const me = await page.evaluate(async () => (await fetch('/api/v0/me'))
	    .json());
	assert.equal(me.user.visibility, 'private');
	// Nobody else sees it.
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`)).status,
	    404);

	await Promise.all([
		page.waitForEvent('load'),
		page.locator('header .account button', { hasText: 'Sign out' })
		    .click(),
	]);
	await page.locator('header a', { hasText: 'Sign in with Spotify' })
	    .waitFor();
	assert.deepEqual(await page.evaluate(async () => (await fetch(
	    '/api/v0/me')).json()), { signed_in: false });
	assert.equal(await page.locator('.switcher option[value="user1"]')
	    .count(), 0);
	assert.deepEqual(page.problems, [], 'no console errors, no failed ' +
	    'requests');
});

test('the demo\'s own configuration signs a visitor in', async () => {
	const sim = await startSim({ users: 1, seed: '3' });
	const dir = makeRunDir('browser-demo-config');
	const port = await freePort();
	execFileSync('sh', [path.join(repoRoot, 'tests/stack.sh'), 'config'], {
		env: { ...process.env, RUN_DIR: dir, PORT: String(port),
			SIM_URL: sim.url.replace(/\/$/, '') },
		stdio: 'ignore' });
	const stack = await startStack({ dir, port,
		config: path.join(dir, 'linernotes.conf') });
	try {
		const page = await browser.newPage();
		await page.goto(`${stack.baseUrl}/`);
		const signIn = page.locator('a', { hasText: 'Sign in with Spotify' })
		    .first();
		await signIn.waitFor();
		await Promise.all([
			page.waitForURL(`${stack.baseUrl}/#/u/user1/plays`,
			    { timeout: 20000 }),
			signIn.click(),
		]);
		await page.locator('header .account .who').waitFor();
		assert.equal(new URL(page.url()).search, '', 'no code left in ' +
		    'the address');
		const me = await page.evaluate(async () => (await fetch(
		    '/api/v0/me')).json());
		assert.equal(me.signed_in, true);
		assert.equal(me.user.id, 'user1');
	} finally {
		await stack.stop();
		await sim.stop();
	}
});

test('an account a development-mode app has not listed is told why',
    async () => {
	// Four more users while the app is in extended mode, then development
	// mode: the sixth is not on the app's list (tests/spotify-sim/README.md).
	for (const id of ['user3', 'user4', 'user5', 'user6'])
		await ctx.sim.admin('POST', 'users', { id });
	await ctx.sim.admin('POST', 'mode', { mode: 'development' });
	try {
		const page = await browser.newPage();
		await page.route('**/api/v0/auth/login', async (route) => {
			const res = await route.fetch({ maxRedirects: 0 });
			const u = new URL(res.headers().location);
			u.searchParams.set('sim_user', 'user6');
			await route.fulfill({ response: res, headers: {
				...res.headers(), location: u.toString() } });
		});
		await page.goto(`${ctx.base}/`);
		const signIn = page.locator('header a',
		    { hasText: 'Sign in with Spotify' });
		await signIn.waitFor();
		await Promise.all([
			page.waitForURL(/\/api\/v0\/auth\/callback/,
			    { timeout: 20000 }),
			signIn.click(),
		]);
		const h1 = page.locator('h1');
		await h1.waitFor();
		assert.match(await h1.textContent(),
		    /This Spotify account is not on this linernotes/);
		const text = await page.locator('body').innerText();
		assert.match(text, /development mode/);
		assert.match(text, /at most 5/);
		assert.match(text, /Ask the person who runs this linernotes/);
		assert.ok(await page.locator('a[href="/"]').count() === 1,
		    'a way back');
		// Back on the site, nobody is signed in.
		await page.goto(`${ctx.base}/`);
		await page.locator('header a', { hasText: 'Sign in with Spotify' })
		    .waitFor();
		assert.deepEqual(await page.evaluate(async () => (await fetch(
		    '/api/v0/me')).json()), { signed_in: false });
		// The refusal itself is the only failed request.
		assert.deepEqual(page.problems.filter((p) =>
		    !/auth\/callback|status of 403/.test(p)), []);
		await page.context().close();
	} finally {
		await ctx.sim.admin('POST', 'mode', { mode: 'extended' });
	}
});
