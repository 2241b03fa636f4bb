// collector-import-poll.test.mjs — a poll after an import stores no play
// twice.  An imported history gives play times to the second; the API
// gives the same plays to the millisecond, so their keys differ and only
// lib/dedupe's rule (same track, within 15 s) sees them as one.  Proves
// that polling after importing the last days adds only the plays the
// history did not have; and that an imported history ends a new user's
// learning week at once (collector/cadence.h): the importer has the next
// poll scan the whole journal again, which then covers weeks.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { advance, assertConsistent, setup, storedPlays, storedUsers } from './collector-lib.mjs';

after(cleanup);

// Imports the user's extended history of the last `days` days up to nowMs.
async function importDays(sim, run, dir, id, nowMs, days) {
	const rows = await sim.admin('GET', `history/${id}?format=extended&from_ms=${nowMs - days * 86400000}`);
	const file = path.join(dir, 'Streaming_History_Audio_2026.json');
	fs.writeFileSync(file, JSON.stringify(rows));
	const r = await run(['import', '--user', id, file]);
	assert.equal(r.code, 0, r.stderr);
}

test('poll after import: no play stored twice', async () => {
	const { sim, run, dir, ids } = await setup('collector-import-poll', { users: 2 });
	const id = ids[1];	// the heavy listener
	await importDays(sim, run, dir, id, (await advance(sim, 86400)).now_ms, 3);
	const imported = (await storedPlays(run, id)).length;
	const r = await run(['poll-once', '--user', id, '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);
	const stored = await storedPlays(run, id);
	for (let i = 1; i < stored.length; i++)
		assert.ok(!(stored[i].track === stored[i - 1].track && stored[i].at - stored[i - 1].at <= 15000),
		    `stored twice: ${stored[i - 1].at} and ${stored[i].at} (${stored[i].track})`);
	// The poll's 50 plays were all in the history already.
	assert.equal(stored.length, imported, `${stored.length - imported} plays added`);
	const { users } = await storedUsers(run);
	assert.equal(users[id].plays, stored.length);
});

// The reason `users` gives for the user's plays interval ("learning the
// listener's pace", "idle", ...), after the plays poll it runs.
async function pollWhy(run, id) {
	const r = await run(['poll-once', '--user', id, '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);
	const { text } = await storedUsers(run);
	const lines = text.split('\n');
	const at = lines.findIndex((l) => l.startsWith(`${id} `));
	const m = lines[at + 1]?.match(/^ {2}plays polled every \d+ min: ([^;]*?)(?: since .*)?(?:;|$)/);
	assert.ok(m, `no interval for ${id}:\n${text}`);
	return m[1];
}

// Polls every 20 minutes until a poll finds nothing new (the reason is
// then not "active"); returns that reason.
async function idleWhy(sim, run, id) {
	for (let i = 0; i < 72; i++) {
		const why = await pollWhy(run, id);
		if (why !== 'active')
			return why;
		await advance(sim, 1200);
	}
	assert.fail(`${id} was active for a whole day`);
}

test('an imported history ends the learning week at once', async () => {
	const { sim, run, dir, ids } = await setup('collector-import-learn', { users: 2, clock: true });
	const id = ids[1];	// the heavy listener: 50 plays take hours
	// Enrolled now, their first page covers less than a week: learning.
	assert.equal(await idleWhy(sim, run, id), "learning the listener's pace");
	await importDays(sim, run, dir, id, (await advance(sim, 1200)).now_ms, 20);
	// Twenty days of complete history: the pace is known.
	const why = await idleWhy(sim, run, id);
	assert.ok(why === 'idle' || why === 'idle, usually listening at this hour', why);
});
