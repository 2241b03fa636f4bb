// collector-settings.test.mjs — `linernotes-collector set-user ID KEY=VALUE...`.
//
// Proves: the instance's owner makes a journal the collector filled from
// the simulator public from the shell, and the API then lists it and serves
// its plays to anyone (with the time zone set), while the other journal
// stays private; the command prints the settings as written, pauses
// collection (`users` says disabled, poll-once no longer polls the user)
// and resumes it; private again is a 404.  A bad time zone (refused by the
// same validator as PUT /settings), an unknown key, a malformed pair, a
// key given twice, too many archived playlists, a malformed or unknown
// user id each fail with a line naming the problem, and leave every byte
// of the store as it was, even when good pairs came with the bad one.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';

import { cleanup, httpJson, startStack } from './lib/harness.mjs';
import { dumpAll } from './auth-lib.mjs';
import { advance, setup } from './collector-lib.mjs';
import { spotifyId } from '../tools/fixture.mjs';

let stack;
after(async () => {
	await stack?.stop();
	await cleanup();
});

const ZONE = 'Europe/Stockholm';

// The KEY=VALUE lines set-user prints, as an object.
const parse = (out) => Object.fromEntries(out.trim().split('\n')
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

test('set-user: public through the API, private again, errors change ' +
    'nothing', async () => {
	const { sim, dir, config, ids, run } = await setup('collector-settings',
	    { users: 2 });
	const [alice, bob] = ids;
	const db = fs.readFileSync(config, 'utf8')
	    .match(/^db_path = "?([^"\n]+)"?$/m)[1];
	await advance(sim, 1200);
	assert.equal((await run(['poll-once', '--jobs', 'plays'])).code, 0);
	stack = await startStack({ dir, config, fcgiProcs: 1 });
	const api = `${stack.baseUrl}/api/v0`;
	const listed = async () => (await httpJson('GET', `${api}/users`))
	    .json.users.map((u) => u.id);

	// New journals are private.
	assert.deepEqual(await listed(), []);
	assert.equal((await httpJson('GET', `${api}/plays/${alice}`)).status,
	    404);

	const dw = spotifyId('dw', 1);
	const a1 = spotifyId('ar', 1);
	const a2 = spotifyId('ar', 2);
	let r = await run(['set-user', alice, 'visibility=public',
	    `timezone=${ZONE}`, `dw_playlist=${dw}`, `archive=${a1},${a2},${a1}`,
	    'status=disabled']);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(parse(r.stdout), {
		user: alice, visibility: 'public', timezone: ZONE,
		dw_playlist: dw, archive: `${a1},${a2}`, status: 'disabled',
	});

	assert.deepEqual(await listed(), [alice]);
	const u = (await httpJson('GET', `${api}/users`)).json.users[0];
	assert.equal(u.timezone, ZONE);
	const plays = await httpJson('GET', `${api}/plays/${alice}?limit=5`);
	assert.equal(plays.status, 200, plays.text);
	assert.ok(plays.json.items.length > 0, 'the journal has plays');
	assert.equal((await httpJson('GET', `${api}/plays/${bob}`)).status,
	    404);

	// Disabled: listed as such and not polled.
	r = await run(['users']);
	assert.match(r.stdout, new RegExp(`^${alice}\\s+disabled\\s`, 'm'));
	r = await run(['poll-once', '--user', alice, '--jobs', 'plays']);
	assert.notEqual(r.code, 0);
	assert.match(r.stderr, /disabled; not polled/);

	// Every bad argument: a clear line, the usage code (2) or failure
	// (1) for an unknown user, and not one byte of the store changed.
	const before = dumpAll(db);
	const nine = Array.from({ length: 9 }, (_, i) => spotifyId('ar', 10 + i));
	for (const [args, code, msg] of [
		[[alice, 'visibility=private', 'timezone=Nowhere/X'], 2,
		    /timezone=Nowhere\/X: timezone must be an IANA time zone/],
		[[alice, 'timezone=../../etc/passwd'], 2, /timezone must be/],
		[[alice, 'visibility=friends'], 2,
		    /visibility must be public or private/],
		[[alice, 'status=active', 'colour=red'], 2,
		    /unknown key colour \(keys: visibility, timezone/],
		[[alice, 'visibility'], 2, /visibility: expected KEY=VALUE/],
		[[alice, 'visibility=private', 'visibility=public'], 2,
		    /visibility=public: given twice/],
		[[alice, 'dw_playlist=nope'], 2, /dw_playlist must be a playlist/],
		[[alice, `archive=${nine.join(',')}`], 2, /at most 8 playlists/],
		[[alice, `archive=${a1},`], 2, /archive must be a list/],
		[[alice, 'status=reauth'], 2, /status must be active or disabled/],
		[['bad id!', 'visibility=private'], 2, /not a user id/],
		[['nobody', 'visibility=private'], 1, /no such user: nobody/],
		[[alice], 2, /usage: .* set-user ID KEY=VALUE/],
	]) {
		r = await run(['set-user', ...args]);
		assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stderr, msg, args.join(' '));
		assert.equal(r.stdout, '', args.join(' '));
	}
	assert.ok(dumpAll(db) === before, 'a refused set-user wrote nothing');
	assert.deepEqual(await listed(), [alice]);

	// Private again, time zone unset, collection resumed.
	r = await run(['set-user', alice, 'visibility=private', 'timezone=UTC',
	    'dw_playlist=', 'archive=', 'status=active']);
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(parse(r.stdout), {
		user: alice, visibility: 'private', timezone: '',
		dw_playlist: '', archive: '', status: 'active',
	});
	assert.deepEqual(await listed(), []);
	assert.equal((await httpJson('GET', `${api}/plays/${alice}`)).status,
	    404);
	await advance(sim, 1200);
	r = await run(['poll-once', '--user', alice, '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);
});
