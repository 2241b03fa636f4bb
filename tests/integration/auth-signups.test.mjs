// auth-signups.test.mjs — who may join: `signups = closed` and `invite`,
// and re-authorisation of a user Spotify stopped accepting.
//
// Proves: with sign-ups closed a newcomer is refused (a page that says
// so, no user, no session) while an existing user signs in; with
// invitations a newcomer needs a code from `linernotes-collector invite`,
// which works once (a second newcomer with it is refused), a bad code is
// refused at once, and existing users need none; and a user marked
// "needs re-authorization" after invalid_grant who signs in again is
// active again with every play kept, and is collected again.  No token
// string appears in any answer or log.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { assertNoSecrets, authStack, signIn } from './auth-lib.mjs';

const stacks = [];
after(async () => {
	for (const s of stacks)
		await s.stack.stop();
	await cleanup();
});

// ctx.run, keeping what every run printed in outputs (for
// assertNoSecrets).
function recorded(ctx) {
	const outputs = [];
	const run = (args) => {
		const r = ctx.run(args);
		outputs.push(r.stdout, r.stderr);
		return r;
	};
	return { outputs, run };
}

// The ids `linernotes-collector users` lists (its table's first column).
function userIds(run) {
	const r = run(['users']);
	assert.equal(r.code, 0, r.stderr);
	return r.stdout.split('\n').filter((l) => /^\S/.test(l))
	    .map((l) => l.split(/\s+/)[0])
	    .filter((w) => w !== 'ID' && w !== 'collector');
}

test('closed: existing users sign in, newcomers are refused', async () => {
	const ctx = await authStack('auth-closed', { users: 3,
		signups: 'closed' });
	stacks.push(ctx);
	const add = ctx.run(['add-user', '--refresh-token', 'rt-user1']);
	assert.equal(add.code, 0, add.stderr);
	assert.deepEqual(userIds(ctx.run), ['user1']);

	const c = ctx.client();
	const r = await signIn(ctx, c, 'user2');
	assert.equal(r.status, 403);
	assert.match(r.text, /not taking new journals/);
	assert.ok(!c.jar.has('ln_session'));
	assert.deepEqual(userIds(ctx.run), ['user1'], 'no user was made');

	const ok = await signIn(ctx, ctx.client(), 'user1');
	assert.equal(ok.status, 302, ok.text);
	assert.ok(ok.setCookies.some((x) => x.startsWith('ln_session=user1.')));
	await assertNoSecrets(ctx, [add.stdout, add.stderr]);
});

test('invite: a one-time code lets one newcomer in', async () => {
	const ctx = await authStack('auth-invite', { users: 4,
		signups: 'invite' });
	stacks.push(ctx);
	const { outputs, run } = recorded(ctx);

	// No code, and a made-up one: refused.
	let r = await signIn(ctx, ctx.client(), 'user1');
	assert.equal(r.status, 403);
	assert.match(r.text, /invitation/);
	r = await ctx.client().get(`${ctx.api}/auth/login?invite=` +
	    'AAAAAAAAAAAAAAAAAAAAAA');
	assert.equal(r.status, 403, 'an unknown code is refused at once');
	assert.deepEqual(userIds(ctx.run), []);

	const inv = run(['invite']);
	assert.equal(inv.code, 0, inv.stderr);
	const code = inv.stdout.trim();
	assert.match(code, /^[A-Za-z0-9_-]{22}$/);
	assert.match(inv.stderr, /auth\/login\?invite=/);
	const c1 = ctx.client();
	r = await signIn(ctx, c1, 'user1', { invite: code });
	assert.equal(r.status, 302, r.text);
	assert.deepEqual(userIds(ctx.run), ['user1']);
	assert.equal((await c1.get(`${ctx.api}/me`)).json.user.id, 'user1');

	// Used up: the next newcomer with the same code is refused...
	r = await ctx.client().get(`${ctx.api}/auth/login?invite=${code}`);
	assert.equal(r.status, 403);
	// ...even one who started signing in before it was used.
	const inv2 = run(['invite', '--days', '1']);
	const code2 = inv2.stdout.trim();
	const early = ctx.client();
	const login = await early.get(`${ctx.api}/auth/login?invite=${code2}`);
	assert.equal(login.status, 302);
	assert.equal((await signIn(ctx, ctx.client(), 'user3', { invite: code2 }))
	    .status, 302);
	const auth = new URL(login.headers.location);
	auth.searchParams.set('sim_user', 'user4');
	const back = await early.get(auth.toString());
	r = await early.get(back.headers.location);
	assert.equal(r.status, 403, 'the code went to user3');
	assert.deepEqual(userIds(ctx.run).sort(), ['user1', 'user3']);

	// Existing users need no code.
	r = await signIn(ctx, ctx.client(), 'user1');
	assert.equal(r.status, 302, r.text);
	await assertNoSecrets(ctx, outputs);
});

test('re-authorisation after invalid_grant keeps every play', async () => {
	const ctx = await authStack('auth-reauth', { users: 2 });
	stacks.push(ctx);
	const { outputs, run } = recorded(ctx);
	const c = ctx.client();
	assert.equal((await signIn(ctx, c, 'user2')).status, 302);
	assert.equal(run(['poll-once', '--user', 'user2', '--jobs', 'plays'])
	    .code, 0);
	const before = (await c.get(`${ctx.api}/me`)).json.user;
	assert.ok(before.n_plays >= 50);

	// The user removes the app at Spotify: the next poll finds out.
	await ctx.sim.admin('POST', 'users/user2/revoke');
	await ctx.sim.admin('POST', 'users/user2/expire-access');
	run(['poll-once', '--user', 'user2', '--jobs', 'plays']);
	let me = (await c.get(`${ctx.api}/me`)).json;
	assert.equal(me.user.status, 'reauth');
	assert.equal(me.authorization.needs_reauth, true);

	// Signing in again is the re-authorisation.
	await ctx.sim.admin('POST', 'clock', { advance_s: 12 * 3600 });
	assert.equal((await signIn(ctx, c, 'user2')).status, 302);
	me = (await c.get(`${ctx.api}/me`)).json;
	assert.equal(me.user.status, 'active');
	assert.equal(me.authorization.needs_reauth, false);
	assert.ok(me.user.n_plays >= before.n_plays, 'no play was lost');
	assert.ok(me.user.created_at === before.created_at, 'the same journal');
	const poll = run(['poll-once', '--user', 'user2', '--jobs', 'plays']);
	assert.equal(poll.code, 0, poll.stderr);
	const after = (await c.get(`${ctx.api}/me`)).json.user;
	assert.ok(after.n_plays > before.n_plays, 'collected again');
	await assertNoSecrets(ctx, outputs);
});
