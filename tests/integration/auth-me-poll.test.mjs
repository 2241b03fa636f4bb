// auth-me-poll.test.mjs — the plays poll interval in GET /api/v0/me.
//
// Proves: before the collector has chosen an interval, /me says poll: null;
// after a plays poll, the signed-in owner's /me carries the interval and
// why, the same the operator's `linernotes-collector users` prints; another
// signed-in account sees only its own (none yet), and a visitor sees
// neither in /me nor in the public user documents.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { authStack, signIn } from './auth-lib.mjs';

let ctx;
after(async () => {
	await ctx?.stack.stop();
	await cleanup();
});

const WHYS = ['fixed', 'gap', 'active', 'learning', 'idle', 'usual'];

test('the owner sees their poll interval and why; nobody else does',
    async () => {
	ctx = await authStack('auth-me-poll', { users: 2 });
	const owner = ctx.client();
	const other = ctx.client();
	const visitor = ctx.client();
	assert.equal((await signIn(ctx, owner, 'user1')).status, 302);
	assert.equal((await signIn(ctx, other, 'user2')).status, 302);

	let me = (await owner.get(`${ctx.api}/me`)).json;
	assert.equal(me.user.id, 'user1');
	assert.equal(me.poll, null, 'no interval before the first poll');

	const r = ctx.run(['poll-once', '--user', 'user1', '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);

	me = (await owner.get(`${ctx.api}/me`)).json;
	const p = me.poll;
	assert.ok(p, JSON.stringify(me));
	assert.ok(Number.isInteger(p.interval_s) && p.interval_s > 0);
	assert.equal(p.interval_s % 60, 0);
	assert.ok(WHYS.includes(p.why), p.why);
	assert.equal(typeof p.why_text, 'string');
	assert.equal(typeof p.decided_at, 'number');
	assert.match(p.decided_at_iso, /Z$/);
	assert.ok('idle_since' in p && 'idle_since_iso' in p);
	if (p.why !== 'idle' && p.why !== 'usual')
		assert.equal(p.idle_since, null);

	// The operator's view says the same.
	const users = ctx.run(['users']);
	assert.equal(users.code, 0, users.stderr);
	assert.ok(users.stdout.includes(`plays polled every ${p.interval_s /
	    60} min: ${p.why_text}`), users.stdout);

	// Another account sees its own (none yet), never user1's.
	const theirs = (await other.get(`${ctx.api}/me`)).json;
	assert.equal(theirs.user.id, 'user2');
	assert.equal(theirs.poll, null);

	// A visitor: nothing in /me, nothing in the public documents.
	const anon = await visitor.get(`${ctx.api}/me`);
	assert.deepEqual(anon.json, { signed_in: false });
	// (the owner's own public document included: it is what others see).
	for (const c of [visitor, other, owner]) {
		const pub = await c.get(`${ctx.api}/users`);
		assert.equal(pub.status, 200);
		assert.ok(!/interval_s|why_text|"poll"/.test(pub.text));
	}
});
