// settings.test.mjs — the journal's owner changes its settings in headless
// Chromium: the simulator's accounts service, the collector daemon, nginx
// and spawn-fcgi serving www/.
//
// Proves: signed in, the owner's Settings form is enabled and filled from
// /me's settings (a new journal is private, its time zone null: "not set"),
// offers this device's zone and a "Re-authorise" link to the sign-in URL,
// shows when Spotify's authorisation ends and how often its plays are
// polled and why (as /me says; nobody else sees that row); saving "public" and the device's
// zone goes through PUT /api/v0/settings (the same-origin rule passes), says
// so, and the shell shows times in the new zone; a signed-out visitor can
// then read the journal and sees the form read-only with a hint to sign in
// as its owner, and another signed-in user sees it read-only too; invalid
// input (a bad Discover Weekly id, nine archived playlists) shows what is
// wrong in people's words beside the form, marks the field and changes
// nothing; the 14-day warning shows when /me says the authorisation is
// expiring; no console error or failed request but the 400s the invalid
// input asked for.  And: "Journal since" is the first play; the zone
// list keeps "Not set" once a zone is chosen and UTC saves as UTC;
// "Re-authorise" is a button only within 30 days of the end, a quiet link
// before; the export panel says what each file holds; signed in on a
// phone, the logo, the journal and the account share one row.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cleanup } from '../integration/lib/harness.mjs';
import { authStack, startDaemon } from '../integration/auth-lib.mjs';
import { spotifyId } from '../tools/fixture.mjs';
import { openBrowser } from './lib/journal.mjs';
import { signInPage } from './lib/signin.mjs';

const ZONE = 'America/Lima';	// the owner's device's zone
let ctx;
let browser;
let owner;	// the signed-in owner's page (user1)

before(async () => {
	ctx = await authStack('browser-settings', { users: 2 });
	await startDaemon(ctx);
	browser = await openBrowser();
	owner = await browser.newPage({ timezoneId: ZONE });
	await signInPage(owner, ctx);
});

after(async () => {
	await browser?.close();
	await ctx?.stack.stop();
	await cleanup();
});

const me = (page) => page.evaluate(async () => (await fetch('/api/v0/me'))
    .json());

// The page's problems but the 400s of PUT /settings a test asked for
// (the answer, and Chromium's console line about it).
function unexpected(page, n400) {
	const settings400 = (p) => p === `HTTP 400: ${ctx.api}/settings` ||
	    (p.startsWith('console error: Failed to load resource') &&
	    p.includes('status of 400'));
	const expected = page.problems.filter(settings400);
	assert.equal(expected.length, 2 * n400, page.problems.join('\n'));
	return page.problems.filter((p) => !settings400(p));
}

test('the owner makes the journal public and sets its time zone', async () => {
	const page = owner;
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const form = page.locator('form.settings');
	await form.waitFor();
	const before = await me(page);
	assert.equal(before.settings.visibility, 'private');
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`)).status,
	    404, 'private at first');

	// Enabled and filled from /me's settings.
	for (const c of ['input[name=visibility]', 'select[name=timezone]',
		'input[name=dw]', 'textarea[name=archive]', 'button[type=submit]'])
		assert.equal(await form.locator(c).first().isDisabled(), false,
		    `${c} enabled`);
	assert.equal(await page.locator('#settings-note').count(), 0);
	assert.equal(await form.locator('input[name=visibility]:checked')
	    .getAttribute('value'), 'private');
	assert.equal(before.settings.timezone, null);
	assert.equal(before.user.timezone, null);
	assert.equal(await form.locator('select[name=timezone]').inputValue(),
	    '', 'the "not set" option');
	assert.equal(await form.locator('input[name=dw]').inputValue(),
	    before.settings.dw_playlist);

	// The connection: status, when the authorisation ends, re-authorise.
	assert.equal(await page.locator('[data-status]').getAttribute(
	    'data-status'), 'active');
	assert.equal(Number(await page.locator('[data-auth-end]').getAttribute(
	    'data-auth-end')), before.authorization.expires_at * 1000);
	assert.equal(await page.locator('[data-auth]').count(), 0,
	    'no warning for a fresh authorisation');
	assert.equal(await page.locator('a[data-reauth]').getAttribute('href'),
	    '/api/v0/auth/login');
	// How often the collector polls the owner's plays, and why, as /me
	// says (the sign-in waited for the first poll).
	const poll = page.locator('[data-poll]');
	if (before.poll) {
		assert.equal(await poll.getAttribute('data-poll'), before.poll.why);
		const text = await poll.textContent();
		assert.match(text, /^every \d+ (min|h)( \d+ min)?: /);
		assert.ok(text.includes(before.poll.why_text), text);
		if (before.poll.interval_s < 3600)
			assert.ok(text.startsWith(`every ${before.poll.interval_s /
			    60} min: `), text);
	} else {
		assert.equal(await poll.getAttribute('data-poll'), 'none');
		assert.match(await poll.textContent(), /^not yet/);
	}

	// The device's zone is suggested; public; save.
	await form.locator('button', { hasText: `Use this device's zone ` +
	    `(${ZONE})` }).click();
	assert.equal(await form.locator('select[name=timezone]').inputValue(),
	    ZONE);
	await form.locator('input[name=visibility][value=public]').check();
	await form.locator('button[type=submit]').click();
	const ok = form.locator('.form-saved');
	await ok.waitFor();
	assert.match(await ok.textContent(), /public/);
	assert.match(await ok.textContent(), new RegExp(ZONE));
	const after = await me(page);
	assert.equal(after.settings.visibility, 'public');
	assert.equal(after.settings.timezone, ZONE);
	assert.equal(after.user.timezone, ZONE);
	// The shell shows the journal's new zone at once.
	assert.match(await page.locator('footer.foot').textContent(),
	    new RegExp(`Times in ${ZONE}\\.`));
	// A reload fills the form from the stored settings.
	await page.reload();
	await form.locator('.form-saved').waitFor({ state: 'detached' });
	await page.waitForFunction((z) => document.querySelector(
	    'select[name=timezone]')?.value === z, ZONE);
	assert.equal(await form.locator('input[name=visibility]:checked')
	    .getAttribute('value'), 'public');
	assert.deepEqual(unexpected(page, 0), []);
});

test('a signed-out visitor can now read the journal, not change it',
    async () => {
	assert.equal((await ctx.client().get(`${ctx.api}/plays/user1`)).status,
	    200);
	const page = await browser.newPage();
	await page.goto(`${ctx.base}/#/u/user1/plays`);
	await page.locator('main time').first().waitFor({ timeout: 10000 });
	assert.ok(await page.locator('.switcher option[value="user1"]')
	    .count() === 1, 'listed among the public journals');
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const form = page.locator('form.settings');
	await form.waitFor();
	for (const c of ['input[name=visibility]', 'select[name=timezone]',
		'input[name=dw]', 'textarea[name=archive]', 'button[type=submit]'])
		assert.equal(await form.locator(c).first().isDisabled(), true,
		    `${c} read-only`);
	assert.equal(await form.locator('input[name=visibility]:checked')
	    .getAttribute('value'), 'public');
	assert.equal(await form.locator('select[name=timezone]').inputValue(),
	    ZONE);
	assert.match(await page.locator('#settings-note').textContent(),
	    /Only .* can change these settings\. Sign in/);
	assert.equal(await page.locator('.settings-hint a').getAttribute(
	    'href'), '/api/v0/auth/login');
	assert.equal(await page.locator('a[data-reauth]').count(), 0);
	assert.equal(await page.locator('[data-poll]').count(), 0,
	    'the poll interval is the owner\'s alone');
	// Exports stay linked.
	assert.deepEqual(await page.$$eval('.exports a', (els) =>
	    els.map((e) => e.getAttribute('href'))), ['csv', 'sql', 'json']
	    .map((f) => `/api/v0/export/user1.${f}`));
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

test('another signed-in user sees it read-only', async () => {
	const page = await browser.newPage();
	// The simulator's /authorize signs in the user it is asked for: our
	// login's redirect to it asks for user2.
	await page.route('**/api/v0/auth/login', async (route) => {
		const res = await route.fetch({ maxRedirects: 0 });
		const u = new URL(res.headers().location);
		u.searchParams.set('sim_user', 'user2');
		await route.fulfill({ response: res, headers: { ...res.headers(),
			location: u.toString() } });
	});
	await page.goto(`${ctx.base}/`);
	const signIn = page.locator('header a', { hasText: 'Sign in with Spotify' });
	await Promise.all([
		page.waitForURL(`${ctx.base}/#/u/user2/plays`, { timeout: 20000 }),
		signIn.click(),
	]);
	await page.locator('header .account .who').waitFor();
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const form = page.locator('form.settings');
	await form.waitFor();
	assert.equal(await form.locator('button[type=submit]').isDisabled(),
	    true);
	assert.match(await page.locator('#settings-note').textContent(),
	    /You are signed in as .*: only .* can change these settings/);
	assert.equal(await page.locator('.settings-hint a').count(), 0);
	assert.equal(await page.locator('a[data-reauth]').count(), 0);
	assert.equal(await page.locator('[data-poll]').count(), 0,
	    'not user1\'s poll interval');
	// Their own journal's form is theirs.
	await page.goto(`${ctx.base}/#/u/user2/settings`);
	await page.locator('a[data-reauth]').waitFor();
	assert.equal(await page.locator('[data-poll]').count(), 1);
	assert.equal(await form.locator('button[type=submit]').isDisabled(),
	    false);
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

test('invalid input shows the API\'s message and changes nothing',
    async () => {
	const page = owner;
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const form = page.locator('form.settings');
	await form.waitFor();
	const before = await me(page);
	const err = form.locator('.form-error');

	await form.locator('input[name=dw]').fill('not-a-playlist');
	await form.locator('button[type=submit]').click();
	await err.waitFor();
	assert.equal(await err.getAttribute('role'), 'alert');
	assert.equal(await err.textContent(),
	    'That doesn\'t look like a playlist link or id. Nothing was saved.');
	assert.equal(await form.locator('input[name=dw]').getAttribute(
	    'aria-invalid'), 'true');
	assert.equal(await form.locator('input[name=dw]').getAttribute(
	    'aria-describedby'), 'settings-error');
	assert.equal(await form.locator('.form-saved').count(), 0);

	// A link is turned into its id; nine playlists are one too many.
	const ids = Array.from({ length: 9 }, (_, i) => spotifyId('ar', i));
	await form.locator('input[name=dw]').fill(
	    `https://open.spotify.com/playlist/${ids[0]}?si=x`);
	await form.locator('textarea[name=archive]').fill(ids.join('\n'));
	await form.locator('button[type=submit]').click();
	await page.waitForFunction(() => document.querySelector('.form-error')
	    ?.textContent.includes('archived'));
	assert.equal(await err.textContent(),
	    'That is more playlists than can be archived: at most 8. Nothing ' +
	    'was saved.');
	assert.equal(await form.locator('textarea[name=archive]').getAttribute(
	    'aria-invalid'), 'true');
	assert.equal(await form.locator('input[name=dw]').getAttribute(
	    'aria-invalid'), null);
	assert.deepEqual(await me(page), before, 'nothing changed');

	// Eight save, and the form shows them as stored.
	await form.locator('textarea[name=archive]').fill(ids.slice(0, 8)
	    .join('\n'));
	await form.locator('button[type=submit]').click();
	await form.locator('.form-saved').waitFor();
	assert.equal(await err.count(), 0);
	const after = await me(page);
	assert.equal(after.settings.dw_playlist, ids[0]);
	assert.deepEqual(after.settings.archive, ids.slice(0, 8));
	assert.equal(await form.locator('textarea[name=archive]').inputValue(),
	    ids.slice(0, 8).join('\n'));
	assert.deepEqual(unexpected(page, 2), []);
});

test('the 14-day warning when /me says the authorisation is expiring',
    async () => {
	// The store's authorization is fresh; /me's answer is changed here to
	// one five days before the end (or after it), as the API words it.
	const page = await browser.newPage({ timezoneId: ZONE });
	await page.context().addCookies((await owner.context().cookies()));
	let shape = 'expiring';
	const end = Math.floor(Date.now() / 1000) + 5 * 86400;
	await page.route('**/api/v0/me', async (route) => {
		const res = await route.fetch();
		const body = await res.json();
		body.authorization.expires_at = shape === 'expiring' ? end :
		    end - 10 * 86400;
		body.authorization.expiring = shape === 'expiring';
		body.authorization.needs_reauth = shape === 'ended';
		await route.fulfill({ response: res, json: body });
	});
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const warn = page.locator('[data-auth]');
	await warn.waitFor();
	assert.equal(await warn.getAttribute('data-auth'), 'expiring');
	assert.match(await warn.textContent(), /authorisation ends on .*re-authorise before then/);
	assert.ok(await page.locator('a[data-reauth]').isVisible());

	shape = 'ended';
	await page.reload();
	await warn.waitFor();
	assert.equal(await warn.getAttribute('data-auth'), 'ended');
	assert.equal(await page.locator('[data-status]').getAttribute(
	    'data-status'), 'reauth');
	assert.match(await warn.textContent(), /has ended .*re-authorise/);
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

test('Journal since the first play; Not set stays; UTC is UTC; what each ' +
    'export holds', async () => {
	const page = owner;
	const seen = page.problems.length;	// earlier tests' own
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const form = page.locator('form.settings');
	await form.waitFor();
	const since = page.locator('dt:has-text("Journal since") + dd');
	await page.waitForFunction(() => /the first play/.test(document
	    .querySelector('.facts')?.textContent ?? ''));
	const first = await page.evaluate(async () => (await (await fetch(
	    '/api/v0/plays/user1?after=0&limit=1')).json()).items[0].played_at);
	const zone = (await me(page)).settings.timezone ?? ZONE;
	const want = new Intl.DateTimeFormat('en-US', { timeZone: zone,
		day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit',
		minute: '2-digit', hourCycle: 'h23' }).format(new Date(first));
	assert.equal(await since.textContent(), `${want} (the first play)`);

	const select = form.locator('select[name=timezone]');
	await select.selectOption({ label: 'UTC' });
	await form.locator('button[type=submit]').click();
	await form.locator('.form-saved').waitFor();
	// UTC, not "not set" (which the API makes of the name UTC).
	assert.equal((await me(page)).settings.timezone, 'Etc/UTC');
	assert.equal(await page.locator('footer').innerText().then((t) =>
	    /Times in UTC\./.test(t)), true);
	assert.equal(await select.locator('option[value=""]').count(), 1,
	    '"Not set" is still offered');
	await select.selectOption('');
	await form.locator('button[type=submit]').click();
	await page.waitForFunction(() => /not set/.test(document
	    .querySelector('.form-saved')?.textContent ?? ''));
	assert.equal((await me(page)).settings.timezone, null);
	await select.selectOption(ZONE);
	await form.locator('button[type=submit]').click();
	await page.waitForFunction(async () => (await (await fetch(
	    '/api/v0/me')).json()).settings.timezone !== null);

	const what = async (f) => page.locator(
	    `.exports li[data-format=${f}] .what`).innerText();
	assert.match(await what('csv'), /^plays only/);
	assert.match(await what('json'), /^plays only/);
	assert.match(await what('sql'), /^everything: plays, tracks/);
	assert.deepEqual(page.problems.slice(seen), []);
});

test('Re-authorise: a quiet link until 30 days before the end', async () => {
	const page = await browser.newPage({ timezoneId: ZONE });
	await page.context().addCookies((await owner.context().cookies()));
	let left = null;	// days left, null: as the store has it
	await page.route('**/api/v0/me', async (route) => {
		const res = await route.fetch();
		const body = await res.json();
		if (left !== null)
			body.authorization.expires_at = Math.floor(Date.now() /
			    1000) + left * 86400;
		await route.fulfill({ response: res, json: body });
	});
	await page.goto(`${ctx.base}/#/u/user1/settings`);
	const link = page.locator('a[data-reauth]');
	await link.waitFor();
	assert.equal(await link.getAttribute('data-reauth'), 'early');
	assert.doesNotMatch(await link.getAttribute('class'), /\bbtn\b/);
	left = 20;
	await page.reload();
	await link.waitFor();
	assert.equal(await link.getAttribute('data-reauth'), 'soon');
	assert.match(await link.getAttribute('class'), /\bbtn\b/);
	assert.deepEqual(page.problems, []);
	await page.context().close();
});

test('signed in on a phone, the header\'s logo, journal and account take ' +
    'one row', async () => {
	const page = await browser.newPage({ width: 390, height: 844,
		timezoneId: ZONE });
	await page.context().addCookies((await owner.context().cookies()));
	await page.goto(`${ctx.base}/#/u/user1/plays`);
	await page.locator('header .account .who').waitFor();
	const boxes = await page.evaluate(() => ['.brand', '.switcher',
		'.account'].map((s) => {
		const r = document.querySelector(`header ${s}`)
		    .getBoundingClientRect();
		return { s, top: r.top, bottom: r.bottom, right: r.right };
	}));
	const top = Math.max(...boxes.map((b) => b.top));
	const bottom = Math.min(...boxes.map((b) => b.bottom));
	assert.ok(top < bottom, `one row: ${JSON.stringify(boxes)}`);
	assert.ok(boxes.every((b) => b.right <= 390), 'nothing off screen');
	assert.ok(await page.locator('header .account button',
	    { hasText: 'Sign out' }).isVisible());
	assert.deepEqual(page.problems, []);
	await page.context().close();
});
