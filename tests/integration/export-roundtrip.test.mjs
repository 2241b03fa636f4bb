// export-roundtrip.test.mjs — `linernotes-collector export` read back by
// standard tools: the SQL script loaded by sqlite3 (and PostgreSQL when a
// server binary is installed) gives the same counts and values as the
// store; the CSV parsed by Python's csv module equals the store; the JSON
// Lines parse line by line.  The store holds a bit of everything: plays
// the collector polled from the simulator (with contexts), top lists,
// Discover Weekly, an imported simulator history, and the hostile names
// of the import fixtures (commas, quotes, newlines, a leading '=').
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { setup } from './collector-lib.mjs';
import { cleanup, repoRoot } from './lib/harness.mjs';

const FIX = path.join(repoRoot, 'tests', 'fixtures', 'import');

let ctx;	// {sim, dir, run, id}
let jsonl;	// the JSON Lines export, parsed: the reference for the others
let stored;	// `plays --user` output: [{at, track, context}]

after(cleanup);

before(async () => {
	const s = await setup('export-roundtrip', { users: 1 });
	const id = s.ids[0];
	ctx = { ...s, id };
	let r = await s.run(['poll-once', '--user', id, '--jobs', 'all']);
	assert.equal(r.code, 0, r.stderr);
	// A month of history from the simulator, long before the polled plays.
	const st = await s.sim.admin('GET', 'state');
	const from = st.history_start_ms;
	const hist = await s.sim.admin('GET', `history/${id}?format=extended&from_ms=${from}&to_ms=${from + 30 * 86400000}`);
	const file = path.join(s.dir, 'Streaming_History_Audio_2025_0.json');
	fs.writeFileSync(file, JSON.stringify(hist));
	r = await s.run(['import', '--user', id, file, path.join(FIX, 'download'), path.join(FIX, 'old')]);
	assert.equal(r.code, 0, r.stderr);
	r = await s.run(['export', '--user', id, '--format', 'json']);
	assert.equal(r.code, 0, r.stderr);
	jsonl = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
	r = await s.run(['plays', '--user', id]);
	assert.equal(r.code, 0, r.stderr);
	stored = r.stdout.split('\n').filter(Boolean).map((l) => {
		const [at, track, context] = l.split(' ');
		return { at: Number(at), track, context: context === '-' ? null : context };
	});
	assert.ok(stored.length > 100, `only ${stored.length} plays stored`);
});

test('JSON Lines: one record per stored play, oldest first, the same plays', () => {
	assert.equal(jsonl.length, stored.length);
	for (let i = 0; i < stored.length; i++) {
		assert.equal(jsonl[i].played_at_ms, stored[i].at);
		assert.equal(jsonl[i].played_at, new Date(stored[i].at).toISOString());
		assert.equal(jsonl[i].track_id, stored[i].track);
		assert.equal(jsonl[i].context_uri, stored[i].context);
	}
	assert.ok(jsonl.some((p) => p.source === 'api' && p.context_uri));
	assert.ok(jsonl.some((p) => p.source === 'extended'));
	assert.ok(jsonl.some((p) => p.source === 'account'));
	assert.ok(jsonl.some((p) => p.track_name.includes('\n')));
});

async function exportTo(fmt) {
	const file = path.join(ctx.dir, `out.${fmt}`);
	const r = await ctx.run(['export', '--user', ctx.id, '--format', fmt, '-o', file]);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stderr, new RegExp(`${stored.length} plays`));
	return file;
}

// The row of a play as all three formats carry it, for comparison.
const key = (p) => JSON.stringify([p.played_at_ms, p.ms_played, p.source, p.track_id, p.track_uri ?? '',
	p.track_name, p.artist_ids.join(';'), p.artist_names.join('; '), p.album_id ?? '', p.album_name ?? '',
	p.context_uri ?? '']);

test('CSV: RFC 4180 read back by Python\'s csv module equals the store', async () => {
	const file = await exportTo('csv');
	const text = fs.readFileSync(file, 'utf8');
	assert.ok(text.startsWith('played_at,played_at_ms,ms_played,source,track_id,track_uri,track_name,' +
	    'artist_ids,artist_names,album_id,album_name,context_uri\r\n'));
	// Formula neutralisation: no cell starts with = + - @ once parsed.
	const py = `
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8', newline='')))
out = []
for r in rows:
    for k, v in r.items():
        if v and v[0] in '=+-@\\t\\r':
            sys.exit('formula-like cell %r in %s' % (v, k))
    out.append(r)
json.dump(out, sys.stdout)
`;
	const r = spawnSync('python3', ['-c', py, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
	assert.equal(r.status, 0, r.stderr);
	const rows = JSON.parse(r.stdout);
	assert.equal(rows.length, stored.length);
	// The documented rule, undone: one apostrophe before '* and = + - @ TAB CR.
	const un = (v) => (/^'+[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
	const got = rows.map((c) => JSON.stringify([Number(c.played_at_ms), c.ms_played === '' ? null : Number(c.ms_played),
		c.source, c.track_id, un(c.track_uri), un(c.track_name), c.artist_ids, un(c.artist_names), c.album_id,
		un(c.album_name), un(c.context_uri)]));
	assert.deepEqual(got, jsonl.map(key));
	for (const c of rows)
		assert.equal(c.played_at, new Date(Number(c.played_at_ms)).toISOString());
	// The hostile names arrived intact and neutralised.
	const h = rows.find((c) => c.track_name.includes('HYPERLINK'));
	assert.equal(h.track_name, '\'=HYPERLINK("http://x","click"), "quoted"\nline two');
	assert.equal(h.artist_names, '\'-Minus, Artist');
	assert.equal(h.album_name, '\'@Album; "one"');
	const a = rows.find((c) => c.artist_names.includes('Apostrophe'));
	assert.equal(a.artist_names, '\'\'=Apostrophe');
	assert.equal(un(a.artist_names), '\'=Apostrophe');
});

// Runs SQL in a SQLite database; returns the rows as arrays (JSON mode).
function sqlite(db, sql) {
	const r = spawnSync('sqlite3', ['-bail', '-json', db, sql], { encoding: 'utf8', maxBuffer: 1 << 28 });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

const JOIN = `
SELECT p.played_at_ms, p.played_at, p.ms_played, p.source, p.track_id, t.uri AS track_uri, t.name AS track_name,
  (SELECT group_concat(artist_id, ';') FROM (SELECT artist_id FROM track_artists WHERE track_id = p.track_id ORDER BY ord)) AS artist_ids,
  (SELECT group_concat(name, '; ') FROM (SELECT a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
     WHERE ta.track_id = p.track_id ORDER BY ta.ord)) AS artist_names,
  t.album_id, al.name AS album_name, p.context_uri
FROM plays p JOIN tracks t ON t.id = p.track_id LEFT JOIN albums al ON al.id = t.album_id
WHERE p.user_id = '${'$'}USER' ORDER BY p.played_at_ms`;

test('SQL: sqlite3 loads the script as is; counts and values equal the store', async () => {
	const file = await exportTo('sql');
	const db = path.join(ctx.dir, 'export.sqlite');
	const load = spawnSync('sqlite3', ['-bail', db], { input: fs.readFileSync(file), encoding: 'utf8' });
	assert.equal(load.status, 0, load.stderr);
	assert.deepEqual(sqlite(db, 'PRAGMA foreign_key_check'), []);
	assert.equal(sqlite(db, 'SELECT count(*) AS n FROM plays')[0].n, stored.length);
	const rows = sqlite(db, JOIN.replace('$USER', ctx.id));
	assert.equal(rows.length, stored.length);
	const got = rows.map((r) => JSON.stringify([r.played_at_ms, r.ms_played, r.source, r.track_id, r.track_uri ?? '',
		r.track_name, r.artist_ids ?? '', r.artist_names ?? '', r.album_id ?? '', r.album_name ?? '',
		r.context_uri ?? '']));
	assert.deepEqual(got, jsonl.map(key));
	for (const r of rows)
		assert.equal(r.played_at, new Date(r.played_at_ms).toISOString());
	// The other tables made it, with their keys.
	assert.equal(sqlite(db, `SELECT count(*) AS n FROM users WHERE id = '${ctx.id}'`)[0].n, 1);
	assert.ok(sqlite(db, 'SELECT count(*) AS n FROM top_snapshots')[0].n > 0, 'top snapshots');
	assert.ok(sqlite(db, 'SELECT count(*) AS n FROM top_items')[0].n > 0, 'top items');
	assert.ok(sqlite(db, 'SELECT count(*) AS n FROM playlists')[0].n > 0, 'playlists');
	// A top list's ranks count from 1, a playlist's positions from 0.
	assert.deepEqual(sqlite(db, 'SELECT DISTINCT min(rank) AS m FROM top_items GROUP BY kind, time_range, day'), [{ m: 1 }]);
	assert.deepEqual(sqlite(db, 'SELECT DISTINCT min(ord) AS m FROM playlist_items GROUP BY playlist_id, week'), [{ m: 0 }]);
	const pk = sqlite(db, "SELECT name FROM pragma_table_info('plays') WHERE pk > 0 ORDER BY pk").map((r) => r.name);
	assert.deepEqual(pk, ['user_id', 'played_at_ms']);
	// No secrets in the script.
	assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /rt-user1|access_token|refresh/);
	// Loading the same script into the same database again fails loudly
	// (the plays' keys) rather than doubling anything.
	const again = spawnSync('sqlite3', ['-bail', db], { input: fs.readFileSync(file), encoding: 'utf8' });
	assert.notEqual(again.status, 0);
	assert.equal(sqlite(db, 'SELECT count(*) AS n FROM plays')[0].n, stored.length);
});

// A PostgreSQL server binary, if one is installed (not a test dependency).
function findPostgres() {
	const dirs = (process.env.PATH ?? '').split(':');
	try {
		for (const v of fs.readdirSync('/usr/lib/postgresql'))
			dirs.push(`/usr/lib/postgresql/${v}/bin`);
	} catch {
		// none
	}
	for (const d of dirs)
		if (fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')))
			return d;
	return null;
}

test('SQL: PostgreSQL accepts the same script (when a server is installed)', async (t) => {
	const pgbin = findPostgres();
	const psql = spawnSync('psql', ['--version']).status === 0;
	if (!pgbin || !psql) {
		t.skip('no PostgreSQL server installed');
		return;
	}
	const file = await exportTo('sql');
	// PostgreSQL refuses to run as root: use its own account when we are root.
	const asRoot = process.getuid && process.getuid() === 0;
	const runAs = (cmd, args, opts = {}) => (asRoot
		? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', ...opts })
		: spawnSync(cmd, args, { encoding: 'utf8', ...opts }));
	if (asRoot && spawnSync('id', ['postgres']).status !== 0) {
		t.skip('running as root and there is no postgres account');
		return;
	}
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ln-pg-'));
	fs.chmodSync(base, 0o777);
	const data = path.join(base, 'data');
	const sock = base;
	const port = String(20000 + Math.floor(Math.random() * 20000));
	const sqlCopy = path.join(base, 'export.sql');
	fs.copyFileSync(file, sqlCopy);
	fs.chmodSync(sqlCopy, 0o644);
	let r = runAs(path.join(pgbin, 'initdb'), ['-D', data, '-E', 'UTF8', '--no-locale', '-A', 'trust']);
	assert.equal(r.status, 0, r.stderr);
	r = runAs(path.join(pgbin, 'pg_ctl'), ['-D', data, '-w', '-l', path.join(base, 'log'), '-o',
		`-p ${port} -k ${sock} -c listen_addresses=''`, 'start']);
	assert.equal(r.status, 0, r.stderr);
	try {
		const q = (sql) => runAs('psql', ['-h', sock, '-p', port, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1',
			'-At', '-c', sql]);
		r = runAs('psql', ['-h', sock, '-p', port, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-f', sqlCopy]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(Number(q('SELECT count(*) FROM plays').stdout.trim()), stored.length);
		const h = q("SELECT name FROM tracks WHERE name LIKE '%HYPERLINK%'").stdout;
		assert.equal(h, '=HYPERLINK("http://x","click"), "quoted"\nline two\n');
		const a = q("SELECT name FROM artists WHERE name LIKE '%Apostrophe%'").stdout;
		assert.equal(a, '\'=Apostrophe\n');
	} finally {
		runAs(path.join(pgbin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
		fs.rmSync(base, { recursive: true, force: true });
	}
});
