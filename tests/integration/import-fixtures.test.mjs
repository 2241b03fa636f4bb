// import-fixtures.test.mjs — `linernotes-collector import` on the
// hand-made fixtures of tests/fixtures/import (README.md there lists every
// record and its expected outcome): every rule, re-imports, duplicates
// across files and formats, the .zip download, and bad inputs that must
// leave the store exactly as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import { cleanup, makeRunDir, repoRoot, runCollector, writeConfig } from './lib/harness.mjs';

const FIX = path.join(repoRoot, 'tests', 'fixtures', 'import');
const USER = 'fixture';

after(cleanup);

function store(name) {
	const dir = makeRunDir(name);
	const config = writeConfig(dir, {});
	const run = (args) => runCollector(args, { config, timeout: 60000 });
	return { dir, config, run };
}

// The summary line's numbers.
function summary(stderr) {
	const m = stderr.match(/(\d+) plays imported, (\d+) already present/);
	assert.ok(m, `no summary in: ${stderr}`);
	const skipped = {};
	const s = stderr.match(/skipped: ([^;]*);/);
	if (s && s[1] !== 'none')
		for (const part of s[1].split(', ')) {
			const k = part.replace(/ \d+$/, '');
			skipped[k] = Number(part.match(/(\d+)$/)[1]);
		}
	const ign = stderr.match(/(\d+) other files ignored/);
	return { imported: Number(m[1]), present: Number(m[2]), skipped, ignored: ign ? Number(ign[1]) : 0 };
}

async function exportJson(run) {
	const r = await run(['export', '--user', USER, '--format', 'json']);
	assert.equal(r.code, 0, r.stderr);
	return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const iso = (s) => Date.parse(s);

test('the download folder: every rule, counted and stored as documented', async () => {
	const { run } = store('import-rules');
	const r = await run(['import', '--user', USER, path.join(FIX, 'download')]);
	assert.equal(r.code, 0, r.stderr);
	const s = summary(r.stderr);
	assert.equal(s.imported, 9);
	assert.equal(s.present, 8);
	assert.deepEqual(s.skipped, { video: 2, podcast: 3, audiobook: 1, incognito: 1, short: 2, 'no track': 2 });
	assert.equal(s.ignored, 2);
	assert.match(r.stderr, /user fixture was not known: created/);
	// progress: one line per file, in order extended before account data
	const files = r.stderr.split('\n').filter((l) => /\[\d+\/4\]/.test(l));
	assert.equal(files.length, 4);
	assert.match(files[0], /Streaming_History_Audio_2023_0\.json: 13 records: 8 imported/);
	assert.match(files[2], /StreamingHistory_music_0\.json: 11 records: 1 imported, 8 already present/);

	const plays = await exportJson(run);
	assert.equal(plays.length, 9);
	const at = new Map(plays.map((p) => [p.played_at_ms, p]));
	const p1 = at.get(iso('2023-03-01T20:00:00Z'));
	assert.equal(p1.track_id, '4uLU6hMCjMI75M1A2tKUQC');
	assert.equal(p1.source, 'extended');
	assert.equal(p1.ms_played, 200000);
	assert.deepEqual(p1.artist_names, ['Bob Dylan']);
	assert.equal(p1.album_name, 'Greatest Hits Vol. II');
	const p2 = at.get(iso('2023-03-01T20:04:00Z'));
	assert.equal(p2.track_name, '=HYPERLINK("http://x","click"), "quoted"\nline two');
	assert.deepEqual(p2.artist_names, ['-Minus, Artist']);
	assert.equal(p2.album_name, '@Album; "one"');
	assert.ok(at.has(iso('2023-03-01T20:06:00Z')), 'exactly 30 s counts');
	assert.ok(!at.has(iso('2023-03-01T20:05:00Z')), 'short play skipped');
	assert.ok(!at.has(iso('2023-03-01T20:10:00Z')), 'incognito skipped');
	const local = at.get(iso('2023-03-01T21:35:00Z'));
	assert.match(local.track_id, /^_[0-9A-Za-z]{21}$/);
	assert.match(local.track_uri, /^spotify:local:/);
	assert.equal(local.track_name, 'Café au lait');
	const named = at.get(iso('2023-03-01T21:40:00Z'));
	assert.match(named.track_id, /^_/);
	assert.equal(named.track_uri, null);
	assert.deepEqual(named.artist_names, ['Zoë Ångström']);
	// offline plays: offline_timestamp (s, then ms) + ms_played
	assert.ok(at.has(iso('2023-03-01T22:03:20Z')));
	assert.ok(at.has(iso('2023-03-01T22:06:30Z')));
	assert.ok(!at.has(iso('2023-03-02T08:00:00Z')));
	// the repeat next morning is its own play; the folded account row matched it
	assert.equal(at.get(iso('2023-03-02T09:03:20Z')).source, 'extended');
	const nina = at.get(iso('2023-03-03T12:00:00Z'));
	assert.equal(nina.source, 'account');
	assert.equal(nina.track_name, 'Sinnerman');
	assert.equal(nina.ms_played, 600000);
	assert.match(nina.track_id, /^_/);

	// Importing the same download again adds nothing.
	const again = await run(['import', '--user', USER, path.join(FIX, 'download')]);
	assert.equal(again.code, 0, again.stderr);
	assert.equal(summary(again.stderr).imported, 0);
	assert.equal(summary(again.stderr).present, 17);
	assert.deepEqual(await exportJson(run), plays);

	// Another download in the older key set: duplicates across files.
	const old = await run(['import', '--user', USER, path.join(FIX, 'old', 'endsong_0.json')]);
	assert.equal(old.code, 0, old.stderr);
	assert.equal(summary(old.stderr).imported, 2);
	assert.equal(summary(old.stderr).present, 2);
	const all = await exportJson(run);
	assert.equal(all.length, 11);
	const weiss = all.find((p) => p.played_at_ms === iso('2023-03-04T10:00:00Z'));
	assert.equal(weiss.track_name, 'Weiß, "Schwarz"');
	assert.deepEqual(weiss.artist_names, ['Die Ärzte']);

	// The user record exists but cannot be polled (no tokens).
	const users = await run(['users']);
	assert.match(users.stdout, /^fixture\s+reauth\s/m);
});

test('account data first, then the extended history: no double count, times made precise', async () => {
	const { run } = store('import-account-first');
	const acc = path.join(FIX, 'download', 'Spotify Account Data', 'StreamingHistory_music_0.json');
	const ext = path.join(FIX, 'download', 'Spotify Extended Streaming History', 'Streaming_History_Audio_2023_0.json');
	let r = await run(['import', '--user', USER, acc]);
	assert.equal(r.code, 0, r.stderr);
	assert.equal(summary(r.stderr).imported, 9);
	const before = await exportJson(run);
	assert.ok(before.every((p) => p.source === 'account'));
	assert.ok(before.every((p) => p.played_at_ms % 60000 < 1000), 'minute precision');
	r = await run(['import', '--user', USER, ext]);
	assert.equal(r.code, 0, r.stderr);
	assert.equal(summary(r.stderr).imported, 0);
	assert.equal(summary(r.stderr).present, 8);
	assert.match(r.stderr, /8 made precise/);
	const plays = await exportJson(run);
	assert.equal(plays.length, 9);
	assert.equal(plays.filter((p) => p.source === 'extended').length, 8);
	assert.ok(plays.some((p) => p.played_at_ms === iso('2023-03-01T22:06:30Z')));
	assert.ok(plays.find((p) => p.track_name === 'When I Paint My Masterpiece').track_id === '4uLU6hMCjMI75M1A2tKUQC');
});

// ---- a .zip made here: stored and deflated entries, a directory, an unsafe name

const CRC = new Uint32Array(256).map((_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
// The fields a local and a central header share, in the same order from
// at: method, (time, date: zero), CRC-32, both sizes, the name's length.
function zipFields(h, at, e, name, data, comp) {
	h.writeUInt16LE(e.deflate ? 8 : 0, at);
	h.writeUInt32LE(crc32(data), at + 6);
	h.writeUInt32LE(comp.length, at + 10);
	h.writeUInt32LE(data.length, at + 14);
	h.writeUInt16LE(name.length, at + 18);
}
function makeZip(entries) {
	const parts = [];
	const central = [];
	let off = 0;
	for (const e of entries) {
		const name = Buffer.from(e.name);
		const data = e.data ?? Buffer.alloc(0);
		const comp = e.deflate ? zlib.deflateRawSync(data) : data;
		const lh = Buffer.alloc(30);
		lh.writeUInt32LE(0x04034b50, 0);
		lh.writeUInt16LE(20, 4);
		zipFields(lh, 8, e, name, data, comp);
		const ch = Buffer.alloc(46);
		ch.writeUInt32LE(0x02014b50, 0);
		ch.writeUInt16LE(20, 4);
		ch.writeUInt16LE(20, 6);
		zipFields(ch, 10, e, name, data, comp);
		ch.writeUInt32LE(off, 42);
		parts.push(lh, name, comp);
		central.push(ch, name);
		off += 30 + name.length + comp.length;
	}
	const cd = Buffer.concat(central);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(entries.length, 8);
	eocd.writeUInt16LE(entries.length, 10);
	eocd.writeUInt32LE(cd.length, 12);
	eocd.writeUInt32LE(off, 16);
	return Buffer.concat([...parts, cd, eocd]);
}

function walk(dir, base = dir) {
	const out = [];
	for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, d.name);
		if (d.isDirectory()) out.push(...walk(p, base));
		else out.push(path.relative(base, p));
	}
	return out.sort();
}

test('the .zip download imports exactly like the unpacked folder', async () => {
	const a = store('import-folder');
	const b = store('import-zip');
	const down = path.join(FIX, 'download');
	const entries = [{ name: 'my_spotify_data/' }];
	walk(down).forEach((rel, i) => entries.push({
		name: `my_spotify_data/${rel}`, data: fs.readFileSync(path.join(down, rel)), deflate: i % 2 === 0,
	}));
	// A hostile entry that would escape a folder: skipped, not read.
	entries.push({ name: '../../escape/StreamingHistory_music_9.json', data: Buffer.from('[]') });
	const zip = path.join(b.dir, 'my_spotify_data.zip');
	fs.writeFileSync(zip, makeZip(entries));

	const ra = await a.run(['import', '--user', USER, down]);
	const rb = await b.run(['import', '--user', USER, zip]);
	assert.equal(ra.code, 0, ra.stderr);
	assert.equal(rb.code, 0, rb.stderr);
	assert.match(rb.stderr, /unsafe name; skipped/);
	assert.equal(summary(rb.stderr).imported, summary(ra.stderr).imported);
	assert.deepEqual(await exportJson(b.run), await exportJson(a.run));

	// Re-importing the archive adds nothing.
	const again = await b.run(['import', '--user', USER, zip]);
	assert.equal(summary(again.stderr).imported, 0);

	// A damaged archive is refused with a message, exit status 1.
	const bad = path.join(b.dir, 'damaged.zip');
	fs.writeFileSync(bad, fs.readFileSync(zip).subarray(0, 200));
	const rc = await b.run(['import', '--user', USER, bad]);
	assert.equal(rc.code, 1);
	assert.match(rc.stderr, /damaged\.zip: .*zip/);
});

test('bad inputs: a clear error naming the file and where, exit 1, the store unchanged', async () => {
	const { run } = store('import-bad');
	const ok = await run(['import', '--user', USER, path.join(FIX, 'old')]);
	assert.equal(ok.code, 0, ok.stderr);
	const before = await exportJson(run);
	assert.equal(before.length, 4);
	const expect = {
		'truncated.json': /truncated\.json: line 3, column \d+ \(record 2\): unterminated string \(the file ends here: truncated\?\)/,
		'wrong-type.json': /wrong-type\.json: line 3, column \d+ \(record 2\): "ms_played" must be a number or null/,
		'not-a-list.json': /not-a-list\.json: line 1, column 1: not a streaming history file/,
		'mixed.json': /mixed\.json: line 3, column 1 \(record 2\): no "ts"/,
		'not-json.json': /not-json\.json: line 1, column 1: not a streaming history file/,
	};
	for (const [file, re] of Object.entries(expect)) {
		const r = await run(['import', '--user', USER, path.join(FIX, 'bad', file)]);
		assert.equal(r.code, 1, `${file}: exit ${r.code}`);
		assert.match(r.stderr, re);
		assert.match(r.stderr, /nothing from this file was imported/);
		assert.deepEqual(await exportJson(run), before, `${file} changed the store`);
	}
	// A bad file among good ones: the good ones are imported, exit 1.
	const mixed = await run(['import', '--user', USER, path.join(FIX, 'bad', 'wrong-type.json'),
		path.join(FIX, 'download')]);
	assert.equal(mixed.code, 1);
	assert.match(mixed.stderr, /1 failed/);
	assert.equal((await exportJson(run)).length, 11);
	// Nothing to import at all is an error too.
	const none = await run(['import', '--user', USER, path.join(FIX, 'bad', '..', 'README.md')]);
	assert.equal(none.code, 1);
	const missing = await run(['import', '--user', USER, path.join(FIX, 'no-such-dir')]);
	assert.equal(missing.code, 1);
	// Usage errors are exit 2.
	assert.equal((await run(['import', path.join(FIX, 'old')])).code, 2);
	assert.equal((await run(['import', '--user', 'bad id!', path.join(FIX, 'old')])).code, 2);
});
