// auth-remove.test.mjs — `linernotes-collector remove-user ID`.
//
// Proves: a signed-in user with plays, top lists, playlist snapshots, a
// gap, aggregates and two sessions is removed with every record of
// theirs: afterwards no key (nor value) in any database of the store
// (`mdb_dump -a`) holds their id, their sessions open nothing, and the
// count the command prints is exactly the records that were there
// (the indexes derived from the plays excepted); another user's records
// are untouched; an unknown or malformed id is an error that changes
// nothing.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { authStack, dumpAll, sessionOf, signIn } from './auth-lib.mjs';

let ctx;
after(async () => {
	await ctx?.stack.stop();
	await cleanup();
});

// {db: [[keyHex, valueHex], ...]} from `mdb_dump -a` output.
function parseDump(text) {
	const out = {};
	let db = null;
	let pending = null;
	for (const line of text.split('\n')) {
		if (line.startsWith('database=')) {
			db = line.slice(9);
			out[db] = [];
		} else if (line.startsWith(' ') && db !== null) {
			if (pending === null)
				pending = line.trim();
			else {
				out[db].push([pending, line.trim()]);
				pending = null;
			}
		} else if (line === 'DATA=END')
			pending = null;
	}
	return out;
}

const hex = (s) => Buffer.from(s).toString('hex');

// Databases the store derives from the plays (lib/store.c's `derived`):
// purged with the user but not counted as records.
const DERIVED = ['agg', 'playsbytrack', 'playsbyentity', 'entagg'];

// How many records of user each database holds (by key).
function recordsOf(dump, user) {
	const bare = hex(user);
	const prefixed = (user.length).toString(16).padStart(2, '0') + bare;
	const n = {};
	for (const [db, pairs] of Object.entries(dump))
		n[db] = pairs.filter(([k]) => db === 'users' ? k === bare :
		    k.startsWith(prefixed)).length;
	return n;
}

test('remove-user leaves no key of that user in any database', async () => {
	ctx = await authStack('auth-remove', { users: 1 });
	const id = 'zelda.rm-7';
	await ctx.sim.admin('POST', 'users', { id, profile: 'heavy' });
	const a = ctx.client();
	const b = ctx.client();
	assert.equal((await signIn(ctx, a, id)).status, 302);
	assert.equal((await signIn(ctx, b, id)).status, 302);
	assert.equal((await signIn(ctx, ctx.client(), 'user1')).status, 302);
	const poll = (who, jobs = 'all') => {
		const r = ctx.run(['poll-once', '--user', who, '--jobs', jobs]);
		assert.equal(r.code, 0, r.stderr);
	};
	poll(id);
	poll('user1');
	// Three days unpolled: more than 50 plays went by, a gap is kept.
	await ctx.sim.admin('POST', 'clock', { advance_s: 3 * 86400 });
	poll(id, 'plays');
	poll('user1', 'plays');

	const before = parseDump(dumpAll(ctx.db));
	const mine = recordsOf(before, id);
	const theirs = recordsOf(before, 'user1');
	for (const db of ['users', 'plays', 'top', 'gaps', ...DERIVED])
		assert.ok(mine[db] > 0, `${id} has ${db}: ${JSON.stringify(mine)}`);
	assert.equal(mine.sessions, 2);
	assert.ok(mine.playlists > 0 || mine.top > 0);

	// Bad ids change nothing.
	let r = ctx.run(['remove-user', 'nobody-at-all']);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /no such user/);
	r = ctx.run(['remove-user', 'not/an id']);
	assert.equal(r.code, 2);
	r = ctx.run(['remove-user']);
	assert.equal(r.code, 2);
	assert.deepEqual(recordsOf(parseDump(dumpAll(ctx.db)), id), mine);

	r = ctx.run(['remove-user', id]);
	assert.equal(r.code, 0, r.stderr);
	const counted = Object.entries(mine)
	    .filter(([db]) => !DERIVED.includes(db))
	    .reduce((s, [, n]) => s + n, 0);
	assert.match(r.stdout, new RegExp(`^removed user ${id.replace('.',
	    '\\.')}: ${counted} records`));

	const text = dumpAll(ctx.db);
	const afterDump = parseDump(text);
	assert.ok(!text.includes(hex(id)), 'no key or value holds the id');
	for (const [db, n] of Object.entries(recordsOf(afterDump, id)))
		assert.equal(n, 0, db);
	assert.deepEqual(recordsOf(afterDump, 'user1'), theirs,
	    'the other user is untouched');

	// The sessions are gone with the user; the journal does not exist.
	for (const c of [a, b]) {
		assert.ok(sessionOf(c));
		assert.equal((await c.get(`${ctx.api}/me`)).json.signed_in, false);
		assert.equal((await c.get(`${ctx.api}/plays/${id}`)).status, 404);
	}
	r = ctx.run(['remove-user', id]);
	assert.equal(r.code, 1, 'twice: no such user');
});
