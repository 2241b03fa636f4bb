// export-files.test.mjs — exports as finished files, through the real
// nginx, readers and collector daemon.
//
// Proves: the first request for an export answers 202 with Retry-After
// (and asks for it); the collector builds the file in db_path/exports
// (nothing half-written is ever left under the final name), after which
// the API answers with the file itself, sent by nginx: Content-Length,
// Last-Modified, ETag (a revalidation is a 304), ranges (a 206 with the
// exact bytes), the download name, and the same bytes as the unchanged
// `export` command; the internal location that serves the files is 404
// when asked for directly, for a public and a private journal alike; a
// private journal's export is 404 to others; the file is rebuilt once the
// journal changed and export_interval passed; and it goes with its user.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { setup } from './collector-lib.mjs';
import { cleanup, httpJson, spawnCollector, startStack, waitFor }
    from './lib/harness.mjs';

let ctx;	// setup(): {sim, dir, config, ids, run}
let stack;
let daemon;
let exportsDir;
let pub;	// the public journal's id
let priv;	// the private one's

before(async () => {
	ctx = await setup('export-files', { users: 2,
	    extra: { export_interval: 2 } });
	[pub, priv] = ctx.ids;
	for (const id of ctx.ids) {
		const r = await ctx.run(['poll-once', '--user', id, '--jobs',
		    'plays']);
		assert.equal(r.code, 0, r.stderr);
	}
	const r = await ctx.run(['set-user', pub, 'visibility=public']);
	assert.equal(r.code, 0, r.stderr);
	const db = /^db_path = "(.*)"$/m.exec(fs.readFileSync(ctx.config,
	    'utf8'))[1];
	exportsDir = path.join(db, 'exports');
	stack = await startStack({ dir: ctx.dir, config: ctx.config });
	daemon = spawnCollector(['run'], { config: ctx.config });
});

after(async () => {
	daemon?.kill('SIGTERM');
	await stack?.stop();
	await cleanup();
});

const url = (id, fmt) => `${stack.baseUrl}/api/v0/export/${id}.${fmt}`;

// Downloads as bytes: {status, headers, body (Buffer)}.
async function download(u, headers = {}) {
	const res = await fetch(u, { headers, redirect: 'manual' });
	const body = Buffer.from(await res.arrayBuffer());
	const h = {};
	res.headers.forEach((v, k) => { h[k] = v; });
	return { status: res.status, headers: h, body };
}

test('the first request answers 202, then nginx sends the finished file',
    async () => {
	const first = await httpJson('GET', url(pub, 'csv'));
	assert.equal(first.status, 202);
	assert.equal(first.json.status, 'preparing');
	assert.ok(Number(first.headers['retry-after']) > 0);
	const r = await waitFor(async () => {
		const d = await download(url(pub, 'csv'));
		return d.status === 200 && d;
	}, { timeout: 20000, interval: 200, what: 'the CSV built' });
	assert.match(r.headers['content-type'], /^text\/csv/);
	assert.equal(r.headers['content-disposition'],
	    `attachment; filename="linernotes-${pub}.csv"`);
	assert.equal(Number(r.headers['content-length']), r.body.length);
	assert.ok(r.headers['last-modified']);
	assert.ok(r.headers.etag);
	assert.equal(r.headers['x-accel-redirect'], undefined);
	// The same bytes as the unchanged command.
	const cli = await ctx.run(['export', '--user', pub, '--format', 'csv']);
	assert.equal(cli.code, 0, cli.stderr);
	assert.equal(r.body.toString('utf8'), cli.stdout);
	assert.ok(r.body.toString('utf8').split('\r\n').length > 10);
	// Finished files only: no temporary file left beside them.
	assert.deepEqual(fs.readdirSync(exportsDir), [`${pub}.csv`]);
	assert.equal(fs.statSync(exportsDir).mode & 0o777, 0o750);

	// A revalidation costs a 304; a range is exactly those bytes.
	const again = await download(url(pub, 'csv'),
	    { 'If-None-Match': r.headers.etag });
	assert.equal(again.status, 304);
	const part = await download(url(pub, 'csv'), { Range: 'bytes=10-99' });
	assert.equal(part.status, 206);
	assert.equal(part.headers['content-range'],
	    `bytes 10-99/${r.body.length}`);
	assert.deepEqual(part.body, r.body.subarray(10, 100));
	const head = await download(url(pub, 'csv'), {});
	assert.equal(head.status, 200);
});

test('the files\' own location is internal: 404 when asked directly',
    async () => {
	// The private journal's file exists too (built as asked by its owner
	// would be; here by the command, as the job does).
	const r = await ctx.run(['export', '--user', priv, '--format', 'csv',
	    '-o', path.join(exportsDir, `${priv}.csv`)]);
	assert.equal(r.code, 0, r.stderr);
	for (const id of [pub, priv]) {
		const d = await httpJson('GET',
		    `${stack.baseUrl}/_exports/${id}.csv`);
		assert.equal(d.status, 404, id);
		assert.ok(!d.text.includes('played_at'), id);
	}
	// Nor through the API, to anyone but its owner.
	const p = await httpJson('GET', url(priv, 'csv'));
	assert.equal(p.status, 404);
	assert.ok(!p.text.includes('played_at'));
});

test('rebuilt once the journal changed and export_interval passed',
    async () => {
	const old = await download(url(pub, 'csv'));
	assert.equal(old.status, 200);
	await ctx.sim.admin('POST', 'clock', { advance_s: 24 * 3600 });
	daemon.kill('SIGUSR1');		// poll every user now: a change
	const now = await waitFor(async () => {
		const d = await download(url(pub, 'csv'));
		return d.status === 200 && d.headers.etag !== old.headers.etag &&
		    d;
	}, { timeout: 40000, interval: 500, what: 'the CSV rebuilt' })
	    .catch((e) => { throw new Error(`${e.message}\n` +
		daemon.out.stderr.slice(-3000)); });
	// What the journal holds now, as the command writes it.
	const cli = await ctx.run(['export', '--user', pub, '--format', 'csv']);
	assert.equal(now.body.toString('utf8'), cli.stdout);
	// The file is renamed into place before the collector says so.
	const ready = new RegExp(`${pub}'s csv is ready[^]*USR1[^]*` +
	    `${pub}'s csv is ready`);
	await waitFor(() => ready.test(daemon.out.stderr), { timeout: 10000,
	    what: 'the second "is ready" line' }).catch(() =>
	    assert.match(daemon.out.stderr, ready));
});

test('the files go with their user', async () => {
	const r = await ctx.run(['remove-user', pub]);
	assert.equal(r.code, 0, r.stderr);
	await waitFor(() => !fs.readdirSync(exportsDir).some((f) =>
	    f.startsWith(`${pub}.`)), { timeout: 20000, interval: 200,
	    what: 'the removed user\'s file gone' });
	assert.equal((await httpJson('GET', url(pub, 'csv'))).status, 404);
});
