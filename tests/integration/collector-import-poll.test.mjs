// collector-import-poll.test.mjs — a poll after an import stores no play
// twice.  An imported history gives play times to the second; the API
// gives the same plays to the millisecond, so their keys differ and only
// lib/dedupe's rule (same track, within 15 s) sees them as one.  Proves
// that polling after importing the last days adds only the plays the
// history did not have.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup } from './lib/harness.mjs';
import { advance, assertConsistent, setup, storedPlays, storedUsers } from './collector-lib.mjs';

after(cleanup);

test('poll after import: no play stored twice', async () => {
	const { sim, run, dir, ids } = await setup('collector-import-poll', { users: 2 });
	const id = ids[1];	// the heavy listener
	const now = (await advance(sim, 86400)).now_ms;
	const rows = await sim.admin('GET', `history/${id}?format=extended&from_ms=${now - 3 * 86400000}`);
	const file = path.join(dir, 'Streaming_History_Audio_2026.json');
	fs.writeFileSync(file, JSON.stringify(rows));
	let r = await run(['import', '--user', id, file]);
	assert.equal(r.code, 0, r.stderr);
	const imported = (await storedPlays(run, id)).length;
	r = await run(['poll-once', '--user', id, '--jobs', 'plays']);
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
