#!/usr/bin/env node
// bench-import-web.mjs — an upload of Spotify's history through nginx, the
// reader and the collector daemon, end to end (issue 14).
//
//   node tests/bench-import-web.mjs [HISTORY_DIR]   (or `make bench`,
//                                                    section import-web)
//
// The history is tests/tools/gen-history.mjs's 200,000 records in 13
// files (made into HISTORY_DIR when it has none; tests/bench-import.sh
// caches the same one in run/bench/history), zipped here, deflated, as
// Spotify sends it.  A stack as the integration tests start it (the
// simulator's accounts service for the sign-in, spawn-fcgi and two
// readers, nginx, the collector daemon) takes the upload from a signed-in
// owner.  Measured:
//   * the upload's answer (202) after the last byte was sent;
//   * from that answer to the job's "done", polled every 20 ms: records/s
//     end to end (target >= 100,000), and to the job seen running;
//   * the readers' resident memory before and after the upload (VmRSS of
//     every reader; VmHWM, their peak): it must not grow with the upload;
//   * undo of that import, from DELETE to "undone": plays/s (target
//     >= 100,000).
// Prints one JSON line, and with BENCH_RESULT=FILE appends the rows of
// docs/BENCHMARKS.md's table to FILE.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { authStack, signIn } from './integration/auth-lib.mjs';
import { cleanup, repoRoot, spawnCollector, waitFor } from
    './integration/lib/harness.mjs';
import { makeZip } from './integration/lib/zipfile.mjs';

const hist = process.argv[2] ?? path.join(repoRoot, 'run', 'bench',
    'history');

function history() {
	if (!fs.existsSync(hist) || fs.readdirSync(hist).length === 0) {
		const r = spawnSync(process.execPath, [path.join(repoRoot, 'tests',
		    'tools', 'gen-history.mjs'), hist], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
	}
	const files = fs.readdirSync(hist).filter((f) => f.endsWith('.json'))
	    .sort();
	return makeZip(files.map((f) => ({
		name: `Spotify Extended Streaming History/${f}`,
		data: fs.readFileSync(path.join(hist, f)), deflate: 1 })));
}

// kB of a /proc/PID/status field, summed over pids.
function kb(pids, field) {
	let n = 0;
	for (const p of pids) {
		const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
		    fs.readFileSync(`/proc/${p}/status`, 'utf8'));
		n += m ? Number(m[1]) : 0;
	}
	return n;
}

async function main() {
	const zip = history();
	const ctx = await authStack('bench-import-web', { users: 1,
	    extra: { import_max_bytes: 512 * 1024 * 1024 } });
	const owner = ctx.client();
	assert.equal((await signIn(ctx, owner, 'user1')).status, 302);
	const daemon = spawnCollector(['run'], { config: ctx.config });
	const readers = ctx.stack.readers();
	const rssBefore = kb(readers, 'VmRSS');

	const t0 = performance.now();
	const res = await fetch(`${ctx.api}/imports`, { method: 'POST',
		body: zip, headers: { 'content-type': 'application/zip',
		origin: ctx.base, 'x-filename': 'my_spotify_data.zip',
		cookie: owner.cookieHeader() } });
	const answer = await res.json();
	const t1 = performance.now();
	assert.equal(res.status, 202, JSON.stringify(answer));
	const id = answer.import.id;
	const job = async () => (await owner.get(`${ctx.api}/imports/${id}`))
	    .json.import;
	let tStart = null;
	const done = await waitFor(async () => {
		const j = await job();
		if (tStart === null && j.status !== 'queued')
			tStart = performance.now();
		return ['done', 'failed'].includes(j.status) && j;
	}, { timeout: 600000, interval: 20, what: 'the import done' });
	const t2 = performance.now();
	assert.equal(done.status, 'done', JSON.stringify(done));
	const rssAfter = kb(readers, 'VmRSS');
	const hwm = kb(readers, 'VmHWM');

	const t3 = performance.now();
	const d = await owner.request('DELETE', `${ctx.api}/imports/${id}`,
	    { headers: { origin: ctx.base } });
	assert.equal(d.status, 202, d.text);
	const undone = await waitFor(async () => {
		const j = await job();
		return j.status === 'undone' && j;
	}, { timeout: 600000, interval: 20, what: 'the import undone' });
	const t4 = performance.now();

	const out = {
		zip_bytes: zip.length,
		records: done.progress.records,
		plays_added: done.progress.plays_added,
		upload_s: +((t1 - t0) / 1000).toFixed(3),
		import_s: +((t2 - t1) / 1000).toFixed(3),
		// the job seen running (polled every 20 ms): the daemon's start
		start_s: +((tStart - t1) / 1000).toFixed(3),
		records_per_s: Math.round(done.progress.records / ((t2 - t1) / 1000)),
		undo_s: +((t4 - t3) / 1000).toFixed(3),
		plays_removed: undone.progress.plays_removed,
		undo_plays_per_s: Math.round(undone.progress.plays_removed /
		    ((t4 - t3) / 1000)),
		readers_rss_kb_before: rssBefore,
		readers_rss_kb_after: rssAfter,
		readers_hwm_kb: hwm,
		load: os.loadavg().map((x) => +x.toFixed(2)),
	};
	console.log(JSON.stringify(out));
	if (process.env.BENCH_RESULT)
		fs.appendFileSync(process.env.BENCH_RESULT, [
			`| import-web | 200k records, upload end to done | ${out.records_per_s} records/s | ${out.records} records, ${out.zip_bytes} B zip, ${out.import_s} s |`,
			`| import-web | undo of that import | ${out.undo_plays_per_s} plays/s | ${out.plays_removed} plays, ${out.undo_s} s |`,
			`| import-web | readers' RSS before / after / peak | ${out.readers_rss_kb_before} / ${out.readers_rss_kb_after} / ${out.readers_hwm_kb} kB | ${readers.length} readers |`,
		].join('\n') + '\n');
	daemon.kill('SIGTERM');
	await ctx.stack.stop();
	await cleanup();
}

main().catch(async (e) => {
	console.error(e);
	await cleanup();
	process.exit(1);
});
