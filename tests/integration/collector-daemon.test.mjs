// collector-daemon.test.mjs — `linernotes-collector run`, the daemon.
//
// Proves: a started daemon polls its users and writes the heartbeat; a
// user added by another process (as the web sign-up does) is collected
// within 5 seconds without a restart; USR1 polls every user now; HUP
// reloads the configuration (and keeps the old one when the new one is
// bad); the pidfile refuses a second daemon; TERM ends it within 5 s
// with status 0.  And that plain http to anything but loopback is refused
// before anything is sent.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup, sleep, spawnCollector, waitFor } from './lib/harness.mjs';
import { advance, setup, storedPlays, storedUsers } from './collector-lib.mjs';

after(cleanup);

const exited = (child) => new Promise((r) => {
	if (child.exitCode !== null || child.signalCode !== null)
		r({ code: child.exitCode, signal: child.signalCode });
	else
		child.once('exit', (code, signal) => r({ code, signal }));
});

test('the daemon: new users, USR1, HUP, pidfile, TERM', async () => {
	const { sim, run, config, dir } = await setup('collector-daemon', { users: 3, add: false });
	const pidfile = path.join(dir, 'collector.pid');
	fs.appendFileSync(config, `pidfile = "${pidfile}"\n`);
	for (const i of [1, 2])
		assert.equal((await run(['add-user', '--refresh-token', `rt-user${i}`])).code, 0);
	const d = spawnCollector(['run'], { config });
	await waitFor(async () => {
		const { users } = await storedUsers(run);
		return users.user1?.plays > 0 && users.user2?.plays > 0;
	}, { timeout: 10000, what: 'the first polls' });
	assert.ok(fs.readFileSync(pidfile, 'utf8').trim() === String(d.pid));
	let u = await storedUsers(run);
	assert.ok(u.header.some((l) => /^collector heartbeat: \d{4}-/.test(l)), u.text);

	// A second daemon is refused by the pidfile.
	const second = await run(['run']);
	assert.equal(second.code, 1);
	assert.match(second.stderr, /already running/);

	// Another process adds a user: collected within 5 s, no restart.
	const t0 = Date.now();
	assert.equal((await run(['add-user', '--refresh-token', 'rt-user3'])).code, 0);
	await waitFor(async () => (await storedUsers(run)).users.user3?.plays > 0,
	    { timeout: 5000, what: 'user3 collected' });
	assert.ok(Date.now() - t0 <= 5000);

	// USR1: everyone is polled now, though not due for 20 minutes.
	await advance(sim, 1200);
	const before = Object.fromEntries(await Promise.all(['user1', 'user2', 'user3']
	    .map(async (id) => [id, (await storedPlays(run, id)).length])));
	const polled = (await sim.admin('GET', 'stats')).requests.by_endpoint['recently-played'];
	d.kill('SIGUSR1');
	await waitFor(async () => (await sim.admin('GET', 'stats'))
	    .requests.by_endpoint['recently-played'] >= polled + 3,
	{ timeout: 5000, what: 'USR1 polls' });
	await sleep(300);
	for (const id of ['user1', 'user2', 'user3'])
		assert.ok((await storedPlays(run, id)).length >= before[id]);

	// HUP with a bad file: the old configuration stays; with a good one:
	// reloaded.
	const good = fs.readFileSync(config, 'utf8');
	fs.writeFileSync(config, good + 'poll_interval = 5\n');
	d.kill('SIGHUP');
	await waitFor(() => /keeping the old configuration/.test(d.out.stderr),
	    { timeout: 3000, what: 'a refused reload' });
	fs.writeFileSync(config, good + 'verbose = 1\n');
	d.kill('SIGHUP');
	await waitFor(() => /configuration reloaded/.test(d.out.stderr),
	    { timeout: 3000, what: 'a reload' });
	assert.equal(d.exitCode, null, 'still running');

	// TERM: gone within 5 s, status 0, pidfile removed.
	const t1 = Date.now();
	d.kill('SIGTERM');
	const { code } = await exited(d);
	assert.equal(code, 0, d.out.stderr);
	assert.ok(Date.now() - t1 < 5000);
	assert.ok(!fs.existsSync(pidfile));
	u = await storedUsers(run);
	for (const id of ['user1', 'user2', 'user3'])
		assert.equal(u.users[id].status, 'active');
	assert.equal((await sim.admin('GET', 'stats')).early_requests, 0);
});

test('plain http is refused unless the host is loopback', async () => {
	const { run } = await setup('collector-https', { users: 1, add: false });
	for (const [key, url] of [
		['LINERNOTES_SPOTIFY_API_BASE', 'http://api.spotify.example/v1'],
		['LINERNOTES_SPOTIFY_ACCOUNTS_BASE', 'http://10.0.0.1'],
	]) {
		for (const args of [['run'], ['poll-once'], ['add-user', '--refresh-token', 'rt-user1']]) {
			const r = await run(args, { env: { [key]: url } });
			assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
			assert.match(r.stderr, /https is required/);
		}
	}
});
