// collector-faults.test.mjs — the collector under every fault the
// simulator can inject, each on its own and then mixed: 429 storms with
// Retry-After in seconds and as an HTTP date, QUOTA_EXCEEDED, 500/502/503,
// slow responses (past request_timeout), truncated bodies, malformed JSON,
// an access token that ended early, 5xx and 429 from the token endpoint,
// and a revoked refresh token.
//
// Afterwards: no crash (every poll-once exits 0 or 1, never a signal), no
// lost play that was still within reach (stored plays equal the truth),
// nothing sent before a Retry-After had passed (the simulator's
// early_requests stays 0, also across processes: the pause is persisted),
// the revoked user marked "reauth" and skipped with a clear line while the
// others carry on, and the quota pause shown by `users`.  Also: a response
// larger than max_response is cut off in the write callback and fails the
// job at once, writing nothing.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { cleanup, sleep } from './lib/harness.mjs';
import { advance, assertConsistent, assertSameAsTruth, setup, storedPlays,
	storedUsers, truth } from './collector-lib.mjs';

after(cleanup);

function noCrash(r, what) {
	assert.equal(r.signal, null, `${what}: killed by ${r.signal}\n${r.stderr}`);
	assert.ok(r.code === 0 || r.code === 1, `${what}: exit ${r.code}\n${r.stderr}`);
}

// Each fault alone: [label, fault spec(s), jobs, extra sim admin call]
const ALONE = [
	['429 seconds', [{ endpoint: 'recently-played', kind: '429', count: 2, retry_after: 2 }], 'plays'],
	['429 HTTP date', [{ endpoint: 'recently-played', kind: '429-date', count: 2, retry_after: 2 }], 'plays'],
	['500', [{ endpoint: 'recently-played', kind: '500', count: 3 }], 'plays'],
	['502 on top', [{ endpoint: 'top', kind: '502', count: 2 }], 'top'],
	['503 with Retry-After', [{ endpoint: 'recently-played', kind: '503', count: 1, retry_after: 1 }], 'plays'],
	['slow', [{ endpoint: 'recently-played', kind: 'slow', count: 1, delay_ms: 5000 }], 'plays'],
	['truncated', [{ endpoint: 'recently-played', kind: 'truncate', count: 2 }], 'plays'],
	['malformed', [{ endpoint: 'recently-played', kind: 'malformed', count: 2 }], 'plays'],
	['malformed playlists', [{ endpoint: 'playlists', kind: 'malformed', count: 1 }], 'dw'],
	['token 500', [{ endpoint: 'token', kind: '500', count: 2 }], 'plays', 'expire'],
	['token 429', [{ endpoint: 'token', kind: '429', count: 1, retry_after: 1 }], 'plays', 'expire'],
	['expired access token', [], 'plays', 'expire'],
];

describe('faults', { concurrency: true }, () => {
	test('each fault alone, then mixed, then a revoked refresh token', async () => {
		const { sim, run, ids } = await setup('collector-faults', { users: 3 });
		const first = await run(['poll-once', '--jobs', 'all']);
		assert.equal(first.code, 0, first.stderr);
		for (const [label, faults, jobs, extra] of ALONE) {
			await advance(sim, 1200);
			for (const f of faults)
				await sim.admin('POST', 'faults', f);
			if (extra === 'expire')
				for (const id of ids)
					await sim.admin('POST', `users/${id}/expire-access`);
			const r = await run(['poll-once', '--jobs', jobs]);
			noCrash(r, label);
			assert.equal(r.code, 0, `${label}: poll-once failed:\n${r.stderr}`);
			await sim.admin('DELETE', 'faults');
		}
		// Mixed: a storm of everything at once on every endpoint.
		for (let round = 0; round < 3; round++) {
			await advance(sim, 1200);
			for (const f of [
				{ endpoint: '*', kind: '500', count: 2 },
				{ endpoint: '*', kind: '429', count: 1, retry_after: 1 },
				{ endpoint: 'recently-played', kind: 'truncate', count: 1 },
				{ endpoint: 'top', kind: 'malformed', count: 1 },
				{ endpoint: '*', kind: '429-date', count: 1, retry_after: 1 },
				{ endpoint: 'recently-played', kind: 'slow', count: 1, delay_ms: 4000 },
			])
				await sim.admin('POST', 'faults', f);
			await sim.admin('POST', `users/${ids[round % ids.length]}/expire-access`);
			const r = await run(['poll-once', '--jobs', 'all']);
			noCrash(r, `mixed ${round}`);
			// Whatever failed is retried by the next clean poll.
			await sim.admin('DELETE', 'faults');
			const again = await run(['poll-once', '--jobs', r.code === 0 ? 'plays' : 'all']);
			assert.equal(again.code, 0, `after mixed ${round}:\n${again.stderr}`);
		}
		// A revoked refresh token: that user is marked, the others go on.
		const revoked = ids[2];
		await advance(sim, 1200);
		await sim.admin('POST', `users/${revoked}/revoke`);
		await sim.admin('POST', `users/${revoked}/expire-access`);
		let r = await run(['poll-once', '--jobs', 'plays']);
		noCrash(r, 'revoked');
		assert.equal(r.code, 1);
		assert.match(r.stderr, new RegExp(`user ${revoked}: plays: needs re-authorization`));
		assert.equal(r.stderr.trim().split('\n').length, 1, `one line:\n${r.stderr}`);
		await advance(sim, 1200);
		r = await run(['poll-once', '--jobs', 'plays']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, new RegExp(`user ${revoked}: task: needs re-authorization`));
		const { users } = await storedUsers(run);
		assert.equal(users[revoked].status, 'reauth');
		for (const id of ids) {
			const stored = await storedPlays(run, id);
			assertConsistent(users[id], stored, id);
			if (id === revoked) {
				// Its data is kept, up to the revocation.
				assert.ok(stored.length > 0);
				continue;
			}
			assert.equal(users[id].status, 'active');
			assertSameAsTruth(stored, await truth(sim, id, stored[0].at), id);
		}
		const stats = await sim.admin('GET', 'stats');
		assert.equal(stats.early_requests, 0, JSON.stringify(stats.early_by_endpoint));
	});

	test('a response over max_response is cut off, not retried, not stored', async () => {
		const { sim, run, ids } = await setup('collector-cap', { users: 2 });
		// A full recently-played page is about 100 KB.
		let r = await run(['poll-once', '--jobs', 'plays'], { env: { LINERNOTES_MAX_RESPONSE: '65536' } });
		noCrash(r, 'cap');
		assert.equal(r.code, 1);
		for (const id of ids)
			assert.match(r.stderr, new RegExp(`user ${id}: plays: .*larger than max_response`));
		const stats = await sim.admin('GET', 'stats');
		assert.equal(stats.requests.by_endpoint['recently-played'], ids.length, 'no retry');
		for (const id of ids)
			assert.equal((await storedPlays(run, id)).length, 0);
		r = await run(['poll-once', '--jobs', 'plays']);
		assert.equal(r.code, 0, r.stderr);
	});

	test('QUOTA_EXCEEDED pauses, shows in users, is honoured by the next process', async () => {
		const { sim, run, ids } = await setup('collector-quota', {
			users: 2, extra: { quota_pause: 60 } });
		assert.equal((await run(['poll-once', '--jobs', 'plays'])).code, 0);
		await advance(sim, 1200);
		await sim.admin('POST', 'faults', { endpoint: 'recently-played', kind: 'quota', count: 1, retry_after: 60 });
		const t0 = Date.now();
		let r = await run(['poll-once', '--jobs', 'plays']);
		noCrash(r, 'quota');
		assert.equal(r.code, 1);
		assert.match(r.stderr, /paused/);
		let u = await storedUsers(run);
		assert.ok(u.header.some((l) => /quota exceeded: paused until/i.test(l)), u.text);
		// A new process knows the pause: it sends nothing and says so.
		const before = (await sim.admin('GET', 'stats')).requests.total;
		r = await run(['poll-once', '--jobs', 'plays']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /paused/);
		assert.equal((await sim.admin('GET', 'stats')).requests.total, before,
		    'nothing sent during the pause');
		// Once it passed, collecting resumes with nothing lost.
		await sleep(Math.max(0, 61000 - (Date.now() - t0)));
		r = await run(['poll-once', '--jobs', 'plays']);
		assert.equal(r.code, 0, r.stderr);
		u = await storedUsers(run);
		for (const id of ids) {
			const stored = await storedPlays(run, id);
			assertSameAsTruth(stored, await truth(sim, id, stored[0].at), id);
		}
		assert.ok(!u.header.some((l) => /quota/i.test(l)), u.text);
		assert.equal((await sim.admin('GET', 'stats')).early_requests, 0);
	});
});
