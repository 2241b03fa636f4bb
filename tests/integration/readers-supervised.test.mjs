// readers-supervised.test.mjs — readers that come back.
//
// The readers run under multiwatch (started by spawn-fcgi), as in the demo
// and the service.  Proves: /health counts the readers alive and names
// their supervisor; a reader killed with SIGKILL is replaced within 1 s;
// with every reader killed again and again under a bounded load (four
// clients on loopback, a fixed number of rounds), the API answers 200
// again within 2 s each time, and the only requests that fail are the
// ones a killed reader held (at most one per reader killed), each a JSON
// error; nothing waits in between, since the socket stays open in
// multiwatch and queued connections go to the new readers.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, sleep, startStack, waitFor,
    writeConfig } from './lib/harness.mjs';

const PROCS = 2;
const ROUNDS = 5;
const CLIENTS = 4;

let stack;

before(async () => {
	const dir = makeRunDir('readers');
	stack = await startStack({ dir, config: writeConfig(dir, {}),
	    fcgiProcs: PROCS });
});

after(async () => {
	await stack?.stop();
	await cleanup();
});

const health = () => httpJson('GET', `${stack.baseUrl}/api/v0/health`);

test('/health counts the readers alive under multiwatch', async () => {
	const r = await health();
	assert.equal(r.status, 200);
	assert.equal(r.json.readers.alive, PROCS);
	assert.equal(r.json.readers.supervisor, 'multiwatch');
	assert.equal(stack.readers().length, PROCS);
});

test('a reader killed with SIGKILL is replaced within 1 s', async () => {
	const [victim] = stack.readers();
	const t0 = Date.now();
	process.kill(victim, 'SIGKILL');
	await waitFor(() => {
		const now = stack.readers();
		return now.length === PROCS && !now.includes(victim);
	}, { timeout: 1000, interval: 10, what: 'a new reader' });
	const took = Date.now() - t0;
	assert.ok(took <= 1000, `replaced in ${took} ms`);
	const r = await waitFor(async () => {
		const h = await health();
		return h.status === 200 && h.json.readers.alive === PROCS && h;
	}, { timeout: 1000, what: '/health counting both readers' });
	assert.equal(r.json.readers.alive, PROCS);
});

test('every reader killed again and again: 200 within 2 s each time, ' +
    'only the requests in flight fail', async () => {
	let stop = false;
	const results = [];	// {t, status, json}
	const client = async () => {
		while (!stop) {
			const t = Date.now();
			let r;
			try {
				r = await httpJson('GET',
				    `${stack.baseUrl}/api/v0/plays/nobody?limit=5`);
			} catch (e) {
				r = { status: 0, json: null, text: e.message };
			}
			results.push({ t, status: r.status, json: r.json });
		}
	};
	const clients = Array.from({ length: CLIENTS }, client);
	try {
		for (let round = 0; round < ROUNDS; round++) {
			await sleep(300);
			const victims = stack.readers();
			assert.equal(victims.length, PROCS, `round ${round}`);
			const before = results.length;
			const t0 = Date.now();
			victims.forEach((p) => process.kill(p, 'SIGKILL'));
			await waitFor(async () => (await health()).status === 200,
			    { timeout: 2000, interval: 20,
			    what: `round ${round}: 200 after the kill` });
			const took = Date.now() - t0;
			assert.ok(took <= 2000, `round ${round}: ${took} ms`);
			await waitFor(() => stack.readers().length === PROCS,
			    { timeout: 1000, interval: 10,
			    what: `round ${round}: readers back` });
			await sleep(300);
			const failed = results.slice(before)
			    .filter((x) => x.status !== 404);
			assert.ok(failed.length <= victims.length,
			    `round ${round}: ${failed.length} failed: ` +
			    JSON.stringify(failed));
			for (const f of failed) {
				assert.ok(f.status >= 500 && f.status < 600,
				    JSON.stringify(f));
				assert.equal(f.json?.error?.status, f.status);
			}
		}
	} finally {
		stop = true;
		await Promise.all(clients);
	}
	const ok = results.filter((x) => x.status === 404).length;
	assert.ok(ok > ROUNDS * 10, `only ${ok} answers under load`);
});
