// collector-lib.mjs — helpers the collector's integration tests share:
// a simulator plus a configured store with users added, and readers of
// what the collector stored (through its own admin commands, so the tests
// see exactly what a person would).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { makeRunDir, runCollector, startSim, writeConfig } from './lib/harness.mjs';

const shmDirs = [];
process.once('exit', () => {
	if (process.env.KEEP_RUN !== '1')
		for (const d of shmDirs)
			fs.rmSync(d, { recursive: true, force: true });
});

// Starts a simulator with n users and a store holding all of them.
// extra: config values added (or overriding); clock: the collector dates
// what it records by the simulator's clock (harness startSim).  Returns
// {sim, dir, config, db, ids, run(args, opts)}.
export async function setup(name, { users = 3, mode = 'extended', seed = '7',
    extra = {}, add = true, clock = false } = {}) {
	const sim = await startSim({ users, mode, seed, clock });
	const dir = makeRunDir(name);
	// The store on tmpfs where there is one: every poll commits durably,
	// and a test's thousands of fdatasync()s would cost it minutes.
	let db = path.join(dir, 'db');
	if (fs.existsSync('/dev/shm')) {
		db = fs.mkdtempSync(path.join('/dev/shm', 'linernotes-test-'));
		shmDirs.push(db);
	}
	const config = writeConfig(dir, {
		db_path: db,
		...sim.configValues(),
		// Small timeouts so that "slow" faults cost seconds, not minutes.
		connect_timeout: 2,
		request_timeout: 3,
		// Each poll-once process starts with a small burst; a test runs
		// hundreds of them back to back.
		rate_limit: 3000,
		...extra,
	});
	const run = (args, opts = {}) => runCollector(args, { config, timeout: 120000, ...opts });
	const ids = [];
	if (add) {
		for (let i = 1; i <= users; i++) {
			const r = await run(['add-user', '--refresh-token', `rt-user${i}`]);
			assert.equal(r.code, 0, `add-user ${i}: ${r.stderr}`);
			ids.push(r.stdout.trim());
		}
	}
	return { sim, dir, config, db, ids, run };
}

// Advances the simulator's virtual clock.
export async function advance(sim, seconds) {
	return sim.admin('POST', 'clock', { advance_s: seconds });
}

// The stored plays of a user: [{at, track, context}], oldest first.
export async function storedPlays(run, id) {
	const r = await run(['plays', '--user', id]);
	assert.equal(r.code, 0, `plays ${id}: ${r.stderr}`);
	return r.stdout.split('\n').filter(Boolean).map((l) => {
		const [at, track, context] = l.split(' ');
		return { at: Number(at), track, context: context === '-' ? null : context };
	});
}

// The recorded gaps: [{user, from, to, reason}].
export async function storedGaps(run, id) {
	const r = await run(id ? ['gaps', '--user', id] : ['gaps']);
	assert.equal(r.code, 0, `gaps: ${r.stderr}`);
	return r.stdout.split('\n').filter(Boolean).map((l) => {
		const [user, from, to, reason] = l.split(' ');
		return { user, from: Number(from), to: Number(to), reason };
	});
}

// `users` parsed: {id: {status, plays, cursor, error}} and the header lines.
export async function storedUsers(run) {
	const r = await run(['users']);
	assert.equal(r.code, 0, `users: ${r.stderr}`);
	const out = {};
	const header = [];
	let seen = false;
	for (const l of r.stdout.split('\n')) {
		if (l.startsWith('ID ')) {
			seen = true;
			continue;
		}
		if (!seen || !l.trim() || l.startsWith('  ')) {
			if (l.trim())
				header.push(l.trim());
			continue;
		}
		const f = l.split(/\s+/);
		out[f[0]] = { status: f[1], plays: Number(f[4]), cursor: f[6] === '-' ? 0 : Date.parse(f[6]),
			error: f.slice(7).join(' ') };
	}
	return { users: out, header, text: r.stdout };
}

// The simulator's ground truth for a user from fromMs on: [{at, track, local}].
export async function truth(sim, id, fromMs) {
	const t = await sim.admin('GET', `truth/${id}?from_ms=${fromMs}`);
	return t.plays.filter((p) => !(p.track_uri ?? '').startsWith('spotify:episode:'))
	    .map((p) => ({ at: p.played_at_ms, track: p.track_id, local: p.track_id === null,
		context: p.context_uri ?? null }));
}

// Asserts that stored plays equal the truth from the first stored play on:
// same count, timestamps, tracks (local files: a synthetic id), contexts.
export function assertSameAsTruth(stored, want, label) {
	const got = stored.map((p) => `${p.at} ${p.track.startsWith('_') ? 'local' : p.track} ${p.context ?? '-'}`);
	const exp = want.map((p) => `${p.at} ${p.local ? 'local' : p.track} ${p.context ?? '-'}`);
	assert.equal(new Set(stored.map((p) => p.at)).size, stored.length, `${label}: duplicates`);
	assert.deepEqual(got, exp, `${label}: stored plays differ from the truth`);
}

// Checks the store's consistency for a user: n_plays equals the plays
// listed, the cursor equals the newest stored play, no duplicates.
export function assertConsistent(u, stored, label) {
	assert.equal(new Set(stored.map((p) => p.at)).size, stored.length, `${label}: duplicates`);
	assert.equal(u.plays, stored.length, `${label}: n_plays ${u.plays} but ${stored.length} plays stored (half a poll?)`);
	const newest = stored.length ? stored[stored.length - 1].at : 0;
	assert.equal(u.cursor, newest, `${label}: cursor ${u.cursor} but newest play ${newest}`);
}
