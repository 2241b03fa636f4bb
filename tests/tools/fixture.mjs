// fixture.mjs — fills a store for the API's integration tests through
// tests/tools/ln-fixture (built by `make tools`), which writes with
// lib/store exactly as the collector does.
//
//   load(dbPath, records)      records: objects with a "type" (see
//                              ln-fixture.c); written in one transaction
//   spotifyId(prefix, n)       a valid 22-character id, distinct per n
//   churn(dbPath, seconds, user)  starts ln-fixture churn (a ChildProcess):
//                              poll-sized commits every few ms
//   fixtureBin                 the tool's path

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
    '..', '..');
export const fixtureBin = path.join(root, 'tests', 'tools', 'ln-fixture');

function need() {
	if (!fs.existsSync(fixtureBin))
		throw new Error(`${fixtureBin} is missing: run \`make tools\``);
}

export function load(dbPath, records) {
	need();
	const input = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
	const r = spawnSync(fixtureBin, ['-d', dbPath, 'load'], { input });
	if (r.status !== 0)
		throw new Error(`ln-fixture load failed: ${r.stderr}`);
}

const digits =
    '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function spotifyId(prefix, n) {
	let s = '';
	for (let i = 0; i < 21; i++) {
		s = digits[n % 62] + s;
		n = Math.floor(n / 62);
	}
	return prefix[0] + s;
}

export function churn(dbPath, seconds, user) {
	need();
	const child = spawn(fixtureBin, ['-d', dbPath, 'churn', String(seconds),
	    user], { stdio: ['ignore', 'pipe', 'pipe'] });
	child.out = '';
	child.stdout.on('data', (d) => { child.out += d; });
	child.stderr.on('data', (d) => { child.out += d; });
	return child;
}
