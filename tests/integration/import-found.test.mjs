// import-found.test.mjs — what the importer got wrong or left unsaid on
// real history files people published, each as docs/IMPORT.md now says:
//
//  * albums known by name only whose names differ only in case ("labour"
//    and "LABOUR" by one artist) are two albums, each with its own name,
//    whichever comes first, and the same spelling always finds its album
//    again (a re-import adds nothing);
//  * two extended-history records of different tracks at the same "ts"
//    are both kept, the second 1 ms later (docs/IMPORT.md, "Times");
//  * an import that stores no play (only a video or a podcast file)
//    still creates the user, so `export` works right after it;
//  * an audiobook chapter that arrives as a plain spotify:track row with
//    every audiobook_* key null carries nothing that tells it from music:
//    it is imported as a play, as docs/IMPORT.md says.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { cleanup, makeRunDir, runCollector, writeConfig } from './lib/harness.mjs';

after(cleanup);

const A = '4uLU6hMCjMI75M1A2tKUQC';
const B = '0VjIjW4GlUZAMYd2vXMi3b';

function store(name) {
	const dir = makeRunDir(name);
	const config = writeConfig(dir, {});
	const run = (args) => runCollector(args, { config, timeout: 60000 });
	const file = (base, rows) => {
		const p = path.join(dir, base);
		fs.writeFileSync(p, JSON.stringify(rows));
		return p;
	};
	const plays = (user) => {
		const r = run(['export', '--user', user, '--format', 'json']);
		assert.equal(r.code, 0, r.stderr);
		return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
	};
	// Imports rows (as the file named base) for user; asserts it exits 0.
	const load = (base, rows, user = 'u') => {
		const r = run(['import', '--user', user, file(base, rows)]);
		assert.equal(r.code, 0, r.stderr);
		return r;
	};
	return { plays, load };
}

const row = (ts, uri, track, album, extra = {}) => ({ ts, ms_played: 200000,
	master_metadata_track_name: track,
	master_metadata_album_artist_name: 'Kate Tempest',
	master_metadata_album_album_name: album, spotify_track_uri: uri,
	episode_name: null, spotify_episode_uri: null, audiobook_title: null,
	audiobook_uri: null, audiobook_chapter_uri: null,
	audiobook_chapter_title: null, ...extra });

// A new store named name with rows imported as one extended-history file
// of user u: {s, r, p}, r the import's run and p the plays then exported.
function imported(name, rows) {
	const s = store(name);
	const r = s.load('Streaming_History_Audio_2020.json', rows);
	return { s, r, p: s.plays('u') };
}

test('albums whose names differ only in case stay two albums', () => {
	const { s, p } = imported('found-case', [
		row('2020-01-01T10:00:00Z', `spotify:track:${A}`, 'One', 'labour'),
		row('2020-01-02T10:00:00Z', `spotify:track:${B}`, 'Two', 'LABOUR'),
	]);
	assert.equal(p.length, 2);
	assert.deepEqual(p.map((x) => x.album_name), ['labour', 'LABOUR']);
	assert.notEqual(p[0].album_id, p[1].album_id);
	// Again, the other way round, in a new file: the same albums.
	s.load('Streaming_History_Audio_2021.json', [
		row('2021-01-02T10:00:00Z', 'spotify:track:1111111111111111111111',
		    'Three', 'LABOUR'),
		row('2021-01-03T10:00:00Z', 'spotify:track:2222222222222222222222',
		    'Four', 'labour'),
	]);
	const q = s.plays('u');
	assert.equal(q.length, 4);
	assert.equal(q[2].album_id, p[1].album_id);
	assert.equal(q[3].album_id, p[0].album_id);
	assert.deepEqual(q.map((x) => x.album_name),
	    ['labour', 'LABOUR', 'LABOUR', 'labour']);
});

test('two tracks at the same ts: both kept, the second 1 ms later', () => {
	const { p } = imported('found-ts', [
		row('2020-01-01T10:00:00Z', `spotify:track:${A}`, 'One', 'X'),
		row('2020-01-01T10:00:00Z', `spotify:track:${B}`, 'Two', 'X'),
	]);
	assert.deepEqual(p.map((x) => [x.track_id, x.played_at_ms]),
	    [[A, Date.UTC(2020, 0, 1, 10)], [B, Date.UTC(2020, 0, 1, 10) + 1]]);
	const doc = fs.readFileSync(new URL('../../docs/IMPORT.md',
	    import.meta.url), 'utf8');
	assert.match(doc, /same `ts`[^]*1 ms/);
});

test('an import that stores no play still creates the user', () => {
	for (const [base, rows] of [
		['Streaming_History_Video_2020.json', [row('2020-01-01T10:00:00Z',
		    `spotify:track:${A}`, 'One', 'X')]],
		['StreamingHistory_podcast_0.json', [{ endTime: '2020-01-01 10:00',
		    podcastName: 'Show', episodeName: 'One', msPlayed: 900000 }]],
	]) {
		const s = store(`found-empty-${base.length}`);
		const r = s.load(base, rows, 'nobody');
		assert.match(r.stderr, /0 plays imported/);
		assert.match(r.stderr, /user nobody was not known: created/);
		assert.deepEqual(s.plays('nobody'), []);
	}
});

test('an audiobook chapter as a plain track row imports as a play', () => {
	const { r, p } = imported('found-audiobook', [
		row('2020-01-01T10:00:00Z', `spotify:track:${A}`, 'Kapitel 1',
		    'Ein Hörbuch'),
		row('2020-01-01T11:00:00Z', `spotify:track:${B}`, 'Kapitel 1',
		    'Ein Hörbuch', { audiobook_chapter_uri:
		    'spotify:episode:3333333333333333333333' }),
	]);
	assert.match(r.stderr, /audiobook 1/);
	assert.deepEqual(p.map((x) => x.track_id), [A]);
});
