// imports-api.test.mjs — the owner's imports of Spotify's history through
// the real nginx, readers and collector daemon (POST/GET/DELETE
// /api/v0/imports, docs/API.md).
//
// Proves: nginx keeps the upload in a file and the reader links it into
// the spool (no copy), answering 202 with the job; the daemon imports it
// (queued -> importing -> done) with its counts and per-file results,
// and deletes the spool file; a visitor is 401 and another account 404
// for everything; a re-upload adds nothing; two uploads by one user run
// one after the other, both whole; undo removes exactly the plays that
// import added (never a polled play, never another import's) and the
// journal's derived data with them; a SIGKILLed collector resumes the
// job and duplicates nothing; and every hostile file listed in the issue
// gets a clear error, stores nothing and leaves the spool empty.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { authStack, signIn } from './auth-lib.mjs';
import { cleanup, spawnCollector, waitFor } from './lib/harness.mjs';
import { makeZip } from './lib/zipfile.mjs';

let ctx;
let owner;	// user1
let other;	// user2
let visitor;
let daemon;
let spool;

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// A Spotify-shaped track id of its own for n.
function trackId(n) {
	let s = '';
	for (let i = 0; i < 22; i++) {
		s += B62[n % 62];
		n = Math.floor(n / 62) + i * 7;
	}
	return s;
}

// An extended-history file of n plays from `from` (ms), a minute apart.
function extended(n, from, { seed = 0 } = {}) {
	const rows = [];
	for (let i = 0; i < n; i++)
		rows.push({
			ts: new Date(from + i * 60000).toISOString().replace(/\.\d+Z$/, 'Z'),
			platform: 'linux', ms_played: 180000, conn_country: 'SE',
			ip_addr: '198.51.100.7',
			master_metadata_track_name: `Song ${seed}-${i % 97}`,
			master_metadata_album_artist_name: `Artist ${i % 13}`,
			master_metadata_album_album_name: `Album ${i % 29}`,
			spotify_track_uri: `spotify:track:${trackId(seed * 1000 + i % 97)}`,
			episode_name: null, episode_show_name: null,
			spotify_episode_uri: null, audiobook_title: null,
			audiobook_uri: null, audiobook_chapter_uri: null,
			audiobook_chapter_title: null, reason_start: 'trackdone',
			reason_end: 'trackdone', shuffle: false, skipped: false,
			offline: false, offline_timestamp: null, incognito_mode: false,
		});
	return Buffer.from(JSON.stringify(rows));
}

const podcast = () => Buffer.from(JSON.stringify([{ endTime: '2016-01-01 10:00',
	podcastName: 'A show', episodeName: 'One', msPlayed: 900000 }]));

const Y2015 = Date.UTC(2015, 0, 1);
const Y2016 = Date.UTC(2016, 0, 1);

before(async () => {
	ctx = await authStack('imports-api', { users: 2, extra: {
		import_max_bytes: 8 * 1024 * 1024,
		import_spool_user: 8 * 1024 * 1024,
		import_spool_total: 9 * 1024 * 1024,
	} });
	owner = ctx.client();
	other = ctx.client();
	visitor = ctx.client();
	assert.equal((await signIn(ctx, owner, 'user1')).status, 302);
	assert.equal((await signIn(ctx, other, 'user2')).status, 302);
	// Polled plays the imports must never touch.
	const r = ctx.run(['poll-once', '--user', 'user1', '--jobs', 'plays']);
	assert.equal(r.code, 0, r.stderr);
	spool = path.join(ctx.db, 'spool');
	daemon = spawnCollector(['run'], { config: ctx.config });
});

after(async () => {
	daemon?.kill('SIGTERM');
	await ctx?.stack.stop();
	await cleanup();
});

// POST the bytes as the browser's page does.
async function upload(client, body, { type = 'application/zip',
    name = 'my_spotify_data.zip', headers = {} } = {}) {
	const h = { 'content-type': type, origin: ctx.base,
		'x-filename': encodeURIComponent(name), ...headers };
	if (client.jar.size > 0)
		h.cookie = client.cookieHeader();
	const res = await fetch(`${ctx.api}/imports`, { method: 'POST', body,
		headers: h });
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		// nginx's own pages are JSON too; anything else stays text
	}
	return { status: res.status, json, text, headers: res.headers };
}

const job = async (client, id) => (await client.get(
    `${ctx.api}/imports/${id}`)).json?.import;

async function until(client, id, statuses, timeout = 60000) {
	return waitFor(async () => {
		const j = await job(client, id);
		return j && statuses.includes(j.status) && j;
	}, { timeout, interval: 50, what: `import ${id} ${statuses}` });
}

function plays(user = 'user1') {
	const r = ctx.run(['export', '--user', user, '--format', 'json']);
	assert.equal(r.code, 0, r.stderr);
	return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
	    .filter((p) => 'played_at_ms' in p);
}

// The spool holds nothing but nginx's empty incoming folder.
function spoolEmpty() {
	assert.deepEqual(fs.readdirSync(spool).sort(), ['incoming']);
	assert.deepEqual(fs.readdirSync(path.join(spool, 'incoming')), []);
}

let polled;	// user1's polled plays
let first;	// the first import's job

test('a visitor is 401, and nothing is kept', async () => {
	polled = plays().filter((p) => p.source === 'api');
	assert.ok(polled.length > 0);
	const r = await upload(visitor, makeZip([{ name: 'x.json',
		data: extended(3, Y2015) }]));
	assert.equal(r.status, 401, r.text);
	assert.equal((await visitor.get(`${ctx.api}/imports`)).status, 401);
	assert.equal((await visitor.get(`${ctx.api}/imports/1`)).status, 401);
	spoolEmpty();
});

test('an upload is kept by nginx, linked into the spool and imported',
    async () => {
	const zip = makeZip([
		{ name: 'Spotify Extended Streaming History/Streaming_History_Audio_2015.json',
		  data: extended(300, Y2015), deflate: 1 },
		{ name: 'Spotify Account Data/StreamingHistory_podcast_0.json',
		  data: podcast(), deflate: 1 },
		{ name: 'Spotify Extended Streaming History/ReadMeFirst.pdf',
		  data: Buffer.from('%PDF') },
	]);
	const r = await upload(owner, zip, { name: 'my_spotify_data (1).zip' });
	assert.equal(r.status, 202, r.text);
	const j = r.json.import;
	assert.equal(r.headers.get('location'), `/api/v0/imports/${j.id}`);
	assert.ok(['queued', 'importing', 'done'].includes(j.status));
	assert.equal(j.file_name, 'my_spotify_data (1).zip');
	assert.equal(j.media_type, 'application/zip');
	assert.equal(j.bytes, zip.length);
	assert.match(j.created_at_iso, /Z$/);
	first = await until(owner, j.id, ['done', 'failed']);
	assert.equal(first.status, 'done', JSON.stringify(first));
	assert.equal(first.reason, null);
	const p = first.progress;
	assert.equal(p.files_total, 2);
	assert.equal(p.files_done, 2);
	assert.equal(p.files_failed, 0);
	assert.equal(p.records, 301);
	assert.equal(p.plays_added, 300);
	assert.equal(p.duplicates, 0);
	assert.equal(p.skipped_podcast, 1);
	assert.equal(first.files.length, 2);
	assert.equal(first.files[0].status, 'imported');
	assert.match(first.files[0].name, /Streaming_History_Audio_2015\.json$/);
	assert.ok(!first.files[0].name.includes(ctx.db), 'no server path');
	const all = plays();
	assert.equal(all.length, polled.length + 300);
	await waitFor(() => fs.readdirSync(spool).length === 1,
	    { what: 'the spool file gone' });
	spoolEmpty();
	// The list has it; the journal shows the plays to its owner.
	const list = (await owner.get(`${ctx.api}/imports`)).json.imports;
	assert.deepEqual(list.map((x) => x.id), [first.id]);
	const page = (await owner.get(`${ctx.api}/plays/user1?before=${Y2015 +
	    301 * 60000}&limit=5`)).json;
	assert.equal(page.items.length, 5);
});

test('another account sees none of it: 404', async () => {
	assert.equal((await other.get(`${ctx.api}/imports/${first.id}`)).status,
	    404);
	assert.deepEqual((await other.get(`${ctx.api}/imports`)).json.imports,
	    []);
	const d = await other.request('DELETE', `${ctx.api}/imports/${first.id}`,
	    { headers: { origin: ctx.base } });
	assert.equal(d.status, 404);
	assert.equal((await job(owner, first.id)).status, 'done');
	// Nor cross-site, even the owner.
	const x = await owner.request('DELETE', `${ctx.api}/imports/${first.id}`,
	    { headers: { origin: 'http://evil.example' } });
	assert.equal(x.status, 403);
});

let second;
let third;

test('a re-upload adds nothing; two at once run one after the other',
    async () => {
	const again = makeZip([{ name: 'Streaming_History_Audio_2015.json',
		data: extended(300, Y2015), deflate: 1 }]);
	const other2016 = makeZip([{ name: 'Streaming_History_Audio_2016.json',
		data: extended(200, Y2016, { seed: 2 }), deflate: 1 }]);
	const [a, b] = await Promise.all([upload(owner, again),
	    upload(owner, other2016)]);
	assert.equal(a.status, 202, a.text);
	assert.equal(b.status, 202, b.text);
	assert.notEqual(a.json.import.id, b.json.import.id);
	second = await until(owner, a.json.import.id, ['done', 'failed']);
	third = await until(owner, b.json.import.id, ['done', 'failed']);
	assert.equal(second.status, 'done');
	assert.equal(second.progress.plays_added, 0);
	assert.equal(second.progress.duplicates, 300);
	assert.equal(third.status, 'done');
	assert.equal(third.progress.plays_added, 200);
	// One at a time: one began only after the other had ended.
	const [x, y] = [second, third].sort((p, q) => p.updated_at - q.updated_at);
	assert.ok(x.updated_at <= y.updated_at);
	assert.equal(plays().length, polled.length + 500);
	await waitFor(() => fs.readdirSync(spool).length === 1,
	    { what: 'the spool files gone' });
	spoolEmpty();
});

test('undo removes exactly that import\'s plays and what derives from them',
    async () => {
	const before1 = plays();
	const insightsBefore = (await owner.get(
	    `${ctx.api}/insights/user1/calendar?from=2014-12-31&to=2016-12-31`))
	    .json;
	const d = await owner.request('DELETE', `${ctx.api}/imports/${first.id}`,
	    { headers: { origin: ctx.base } });
	assert.equal(d.status, 202, d.text);
	assert.equal(d.json.import.status, 'undoing');
	const u = await until(owner, first.id, ['undone']);
	assert.equal(u.progress.plays_removed, 300);
	const left = plays();
	assert.equal(left.length, before1.length - 300);
	// Polled plays intact, the other import's plays intact.
	for (const p of polled)
		assert.ok(left.some((q) => q.played_at_ms === p.played_at_ms),
		    `polled play ${p.played_at_ms}`);
	assert.equal(left.filter((p) => p.played_at_ms >= Y2016 &&
	    p.played_at_ms < Y2016 + 86400000).length, 200);
	assert.equal(left.filter((p) => p.played_at_ms >= Y2015 &&
	    p.played_at_ms < Y2015 + 86400000).length, 0);
	// The aggregates went with them: 2015 has no day left.
	const cal = (await owner.get(
	    `${ctx.api}/insights/user1/calendar?from=2015-01-01&to=2015-12-31`))
	    .json;
	const days2015 = (cal.days ?? []).filter((x) => x.plays > 0);
	assert.equal(days2015.length, 0, JSON.stringify(cal).slice(0, 300));
	assert.ok(insightsBefore);
	// Undoing twice is refused; the re-upload (it added nothing) undoes
	// to nothing and leaves the other plays alone.
	const again = await owner.request('DELETE',
	    `${ctx.api}/imports/${first.id}`, { headers: { origin: ctx.base } });
	assert.equal(again.status, 409);
	const d2 = await owner.request('DELETE',
	    `${ctx.api}/imports/${second.id}`, { headers: { origin: ctx.base } });
	assert.equal(d2.status, 202);
	assert.equal((await until(owner, second.id, ['undone'])).progress
	    .plays_removed, 0);
	assert.equal(plays().length, left.length);
});

// ---- hostile files ---------------------------------------------------------

const big = (n) => Buffer.alloc(n, 0x20);

const HOSTILE = [
	['not a zip', () => ({ body: Buffer.from('hello, not a zip') }), 415,
	    /not a zip archive/],
	['not JSON', () => ({ body: Buffer.from('<html>'),
	    type: 'application/json', name: 'Streaming_History_Audio_1.json' }),
	    415, /not JSON/],
	['another media type', () => ({ body: Buffer.from('[]'),
	    type: 'text/plain' }), 415, /application\/zip/],
	['a zip bomb (declared ratio)', () => ({ body: makeZip([{
	    name: 'Streaming_History_Audio_2020.json',
	    data: Buffer.concat([Buffer.from('['), big(4 << 20),
	    Buffer.from(']')]), deflate: 1 }]) }), 'failed', /zip bomb/],
	['a zip bomb (actual inflation)', () => ({ body: makeZip([{
	    name: 'Streaming_History_Audio_2020.json',
	    data: Buffer.concat([Buffer.from('['), big(400000),
	    Buffer.from(']')]), deflate: 1, size: 1000 }]) }), 'failed',
	    /inflates to more than/],
	['thousands of entries', () => ({ body: makeZip(Array.from(
	    { length: 1500 }, (_, i) => ({ name: `f${i}.txt` }))) }), 'failed',
	    /1500 entries/],
	['a ".." name', () => ({ body: makeZip([{
	    name: '../Streaming_History_Audio_2020.json',
	    data: extended(2, Y2015) }]) }), 'failed', /unsafe name/],
	['an absolute name', () => ({ body: makeZip([{
	    name: '/etc/Streaming_History_Audio_2020.json',
	    data: extended(2, Y2015) }]) }), 'failed', /unsafe name/],
	['a NUL in a name', () => ({ body: makeZip([{
	    name: 'Streaming_History_Audio_2020.json\0.txt',
	    data: extended(2, Y2015) }]) }), 'failed', /unsafe name/],
	['an encrypted entry', () => ({ body: makeZip([{
	    name: 'Streaming_History_Audio_2020.json',
	    data: extended(2, Y2015), flags: 1 }]) }), 'failed', /encrypted/],
	['zip64', () => ({ body: makeZip([{
	    name: 'Streaming_History_Audio_2020.json',
	    data: extended(2, Y2015), size: 0xffffffff, csize: 0xffffffff }]) }),
	    'failed', /zip64/],
	['a truncated zip', () => {
		const z = makeZip([{ name: 'Streaming_History_Audio_2020.json',
		    data: extended(50, Y2015), deflate: 1 }]);
		return { body: z.subarray(0, Math.floor(z.length / 2)) };
	}, 'failed', /not a zip archive|truncated/],
	['a zip in the zip', () => ({ body: makeZip([{ name: 'inner.zip',
	    data: makeZip([{ name: 'Streaming_History_Audio_2020.json',
	    data: extended(2, Y2015) }]) }]) }), 'failed', /archive inside/],
	['JSON of the wrong shape', () => ({ body: Buffer.from('{"a": 1}'),
	    type: 'application/json', name: 'Streaming_History_Audio_1.json' }),
	    'failed', /not a JSON array of plays/],
	['JSON of wrong types', () => ({ body: Buffer.from(JSON.stringify([{
	    ts: 5, ms_played: 'long', spotify_track_uri: 7 }])),
	    type: 'application/json', name: 'Streaming_History_Audio_1.json' }),
	    'failed', /"ts" must be a string/],
	['a huge string', () => ({ body: Buffer.from(`[{"ts":"2015-01-01T00:00:00Z","ms_played":100000,"master_metadata_track_name":"${'x'.repeat(3 << 20)}","spotify_track_uri":"spotify:track:${trackId(5)}"}]`),
	    type: 'application/json', name: 'Streaming_History_Audio_1.json' }),
	    'failed', /longer than 65536 bytes/],
	['deep nesting', () => ({ body: Buffer.from('['.repeat(100000) +
	    ']'.repeat(100000)), type: 'application/json',
	    name: 'Streaming_History_Audio_1.json' }), 'failed',
	    /expected an object/],
	['an impossible timestamp', () => ({ body: Buffer.from(JSON.stringify([{
	    ...JSON.parse(extended(1, Y2015))[0], ts: '2015-02-30T25:61:00Z' }])),
	    type: 'application/json', name: 'Streaming_History_Audio_1.json' }),
	    'failed', /"ts" is not an ISO 8601 UTC time/],
];

for (const [what, make, want, message] of HOSTILE) {
	test(`hostile: ${what} — a clear error, nothing stored, spool empty`,
	    async () => {
		const n = plays().length;
		const jobs = (await owner.get(`${ctx.api}/imports`)).json.imports
		    .length;
		const { body, type, name } = make();
		const r = await upload(owner, body, { type, name });
		if (typeof want === 'number') {
			assert.equal(r.status, want, r.text);
			assert.match(r.json.error.message, message);
			assert.equal((await owner.get(`${ctx.api}/imports`)).json
			    .imports.length, jobs);
		} else {
			assert.equal(r.status, 202, r.text);
			const j = await until(owner, r.json.import.id,
			    ['done', 'failed']);
			assert.equal(j.status, want, JSON.stringify(j));
			assert.match(j.reason, message);
			assert.equal(j.progress.plays_added, 0);
			await waitFor(() => fs.readdirSync(spool).length === 1,
			    { what: 'the spool file gone' });
		}
		assert.equal(plays().length, n);
		spoolEmpty();
	});
}

test('over import_max_bytes: nginx refuses it before the reader', async () => {
	const r = await upload(owner, Buffer.concat([Buffer.from('PK\x03\x04'),
	    big(9 * 1024 * 1024)]));
	assert.equal(r.status, 413);
	assert.match(r.json.error.message, /too large/);
	spoolEmpty();
});

test('an upload cut short leaves nothing behind', async () => {
	const { port } = new URL(ctx.base);
	const sock = net.connect(Number(port), '127.0.0.1');
	await new Promise((res) => sock.once('connect', res));
	sock.write(`POST /api/v0/imports HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
	    `Origin: ${ctx.base}\r\nCookie: ${owner.cookieHeader()}\r\n` +
	    'Content-Type: application/zip\r\nContent-Length: 4000000\r\n\r\n');
	sock.write(Buffer.concat([Buffer.from('PK\x03\x04'), big(1 << 20)]));
	// nginx has begun its file; then the client goes away.
	await waitFor(() => fs.readdirSync(path.join(spool, 'incoming'))
	    .length > 0, { what: 'nginx writing the body' });
	sock.destroy();
	await waitFor(() => fs.readdirSync(path.join(spool, 'incoming'))
	    .length === 0, { what: 'nginx\'s file gone' });
	spoolEmpty();
	assert.equal((await owner.get(`${ctx.api}/imports`)).json.imports
	    .filter((j) => j.file_name === 'upload').length, 0);
});

test('the spool caps: 429 for the user, 503 for everyone, while uploads wait',
    async () => {
	daemon.kill('SIGTERM');
	await new Promise((res) => daemon.once('exit', res));
	// 5 MB that do not compress: an archive with no history in it.
	const junk = () => makeZip([{ name: 'noise.bin',
		data: crypto.randomBytes(5 << 20) }]);
	const a = await upload(owner, junk(), { name: 'a.zip' });
	assert.equal(a.status, 202, a.text);
	assert.equal((await job(owner, a.json.import.id)).status, 'queued');
	const b = await upload(owner, junk(), { name: 'b.zip' });
	assert.equal(b.status, 429, b.text);
	assert.match(b.json.error.message, /still waiting/);
	assert.ok(Number(b.headers.get('retry-after')) > 0);
	// Everyone's uploads together are capped too (9 MB here).
	const d = await upload(other, junk(), { name: 'd.zip' });
	assert.equal(d.status, 503, d.text);
	assert.match(d.json.error.message, /too many uploads waiting/);
	assert.ok(Number(d.headers.get('retry-after')) > 0);
	assert.equal((await other.get(`${ctx.api}/imports`)).json.imports
	    .filter((x) => x.file_name === 'd.zip').length, 0);
	// Within both caps the other account is not held back.
	const c = await upload(other, makeZip([{ name:
	    'Streaming_History_Audio_2015.json', data: extended(5, Y2015) }]));
	assert.equal(c.status, 202, c.text);
	daemon = spawnCollector(['run'], { config: ctx.config });
	const j = await until(owner, a.json.import.id, ['failed']);
	assert.match(j.reason, /no streaming history files/);
	await until(other, c.json.import.id, ['done']);
	await waitFor(() => fs.readdirSync(spool).length === 1,
	    { what: 'the spool files gone' });
	spoolEmpty();
	const again = await upload(owner, junk(), { name: 'b.zip' });
	assert.equal(again.status, 202, again.text);
	await until(owner, again.json.import.id, ['failed']);
	await waitFor(() => fs.readdirSync(spool).length === 1,
	    { what: 'the spool file gone' });
});

test('a SIGKILLed collector resumes the job, nothing duplicated',
    async () => {
	const files = [];
	for (let k = 0; k < 6; k++)
		files.push({ name: `Streaming_History_Audio_201${k}_0.json`,
		    data: extended(20000, Date.UTC(2008 + k, 0, 1),
		    { seed: 10 + k }), deflate: 1 });
	const n0 = plays().length;
	const r = await upload(owner, makeZip(files), { name: 'big.zip' });
	assert.equal(r.status, 202, r.text);
	const id = r.json.import.id;
	await until(owner, id, ['importing', 'done']);
	daemon.kill('SIGKILL');
	await new Promise((res) => daemon.once('exit', res));
	const mid = await job(owner, id);
	daemon = spawnCollector(['run'], { config: ctx.config });
	const j = await until(owner, id, ['done', 'failed'], 120000);
	assert.equal(j.status, 'done', JSON.stringify(j));
	assert.equal(j.progress.files_done, 6);
	assert.equal(j.progress.plays_added, 120000);
	const all = plays();
	assert.equal(all.length, n0 + 120000, `killed at ${mid.status} ` +
	    `${mid.progress.files_done}/6`);
	assert.equal(new Set(all.map((p) => p.played_at_ms)).size, all.length);
	await waitFor(() => fs.readdirSync(spool).length === 1,
	    { what: 'the spool file gone' });
	spoolEmpty();
});
