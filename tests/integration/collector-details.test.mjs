// collector-details.test.mjs — an imported history gains its details:
// an extended-history row carries a track id but names only for album and
// artists, and the collector's polls afterwards ask /tracks/{id} for each
// such track (then the albums and artists that answer brings), one at a
// time, within detail_budget per sweep, until every imported track has
// its real album and artists with images.  A track Spotify does not know
// (404) is asked once, never again, not even by a later process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { setup } from './collector-lib.mjs';
import { cleanup, httpJson, startStack } from './lib/harness.mjs';

after(cleanup);

const BUDGET = 30;
const UNKNOWN = '0000000000000000000000';	// no such track in the simulator
const LOOKUPS = ['tracks', 'albums', 'artists'];

// What the export (one JSON play a line) says of the user's tracks: {id: {album, artists}}.
async function storedTracks(run, id) {
	const r = await run(['export', '--user', id, '--format', 'json']);
	assert.equal(r.code, 0, r.stderr);
	const out = {};
	for (const line of r.stdout.split('\n').filter(Boolean)) {
		const p = JSON.parse(line);
		if (p.track_id)
			out[p.track_id] = { album: p.album_id, artists: p.artist_ids };
	}
	return out;
}

test('imported tracks gain album and artists with images, within the budget', async () => {
	const s = await setup('collector-details', { users: 1, extra: { detail_budget: BUDGET } });
	const id = s.ids[0];
	const st = await s.sim.admin('GET', 'state');
	const from = st.history_start_ms;
	// Enough days of history for more distinct tracks than one budget
	// (how many days that takes depends on the day the simulator starts).
	let days = 3;
	let rows;
	for (;;) {
		rows = await s.sim.admin('GET', `history/${id}?format=extended&from_ms=${from}&to_ms=${from + days * 86400000}`);
		const distinct = new Set(rows.filter((x) => x.ms_played >= 30000 && x.spotify_track_uri).map((x) => x.spotify_track_uri));
		if (distinct.size > BUDGET + 5 || days >= 30)
			break;
		days += 3;
	}
	assert.ok(rows.length > 20, `${rows.length} rows`);
	const odd = { ...rows.find((r) => r.spotify_track_uri) };
	odd.ts = new Date(from + days * 86400000 + 3600000).toISOString().replace(/\.\d+Z$/, 'Z');
	odd.spotify_track_uri = `spotify:track:${UNKNOWN}`;
	odd.master_metadata_track_name = 'Nobody Knows This';
	odd.ms_played = 200000;
	odd.skipped = false;
	odd.reason_end = 'trackdone';
	rows.push(odd);
	const file = path.join(s.dir, 'Streaming_History_Audio_2025_0.json');
	fs.writeFileSync(file, JSON.stringify(rows));
	let r = await s.run(['import', '--user', id, file]);
	assert.equal(r.code, 0, r.stderr);

	const imported = new Set(rows.filter((x) => x.ms_played >= 30000).map((x) => x.spotify_track_uri?.split(':')[2]).filter(Boolean));
	let tracks = await storedTracks(s.run, id);
	// Rows the import skips (incognito, for one) store no track.
	for (const t of [...imported])
		if (!tracks[t])
			imported.delete(t);
	assert.ok(imported.has(UNKNOWN), 'the unknown track was imported');
	const lacking = [...imported].filter((t) => tracks[t] && /^_/.test(tracks[t].album));
	assert.ok(lacking.length > BUDGET, `${lacking.length} imported tracks without an album before`);

	// Sweeps until one asks nothing: each within the budget.
	let asked = 0, asked404 = 0, sweeps = 0;
	for (;;) {
		await s.sim.admin('POST', 'stats/reset');
		r = await s.run(['poll-once', '--user', id, '--jobs', 'plays']);
		assert.equal(r.code, 0, r.stderr);
		const stats = await s.sim.admin('GET', 'stats');
		const n = LOOKUPS.reduce((a, k) => a + (stats.requests.by_endpoint[k] ?? 0), 0);
		assert.ok(n <= BUDGET, `sweep ${sweeps}: ${n} look-ups, budget ${BUDGET}`);
		asked += n;
		asked404 += stats.requests.by_status['404'] ?? 0;
		sweeps++;
		if (n === 0)
			break;
		assert.ok(sweeps < 60, 'the look-ups never end');
	}
	assert.ok(sweeps > 2, `${sweeps} sweeps for ${asked} look-ups`);
	assert.equal(asked404, 1, 'the unknown track was asked once');

	tracks = await storedTracks(s.run, id);
	const albums = new Set(), artists = new Set();
	for (const t of imported) {
		if (t === UNKNOWN) {
			assert.match(tracks[t].album, /^_/, 'the unknown track keeps its names');
			continue;
		}
		assert.match(tracks[t].album, /^[0-9A-Za-z]{22}$/, `track ${t}: album`);
		assert.ok(tracks[t].artists.length > 0, `track ${t}: artists`);
		for (const a of tracks[t].artists)
			assert.match(a, /^[0-9A-Za-z]{22}$/, `track ${t}: artist`);
		albums.add(tracks[t].album);
		tracks[t].artists.forEach((a) => artists.add(a));
	}

	// The unknown track is not asked again by later processes.
	for (let i = 0; i < 2; i++) {
		await s.sim.admin('POST', 'stats/reset');
		r = await s.run(['poll-once', '--user', id, '--jobs', 'plays']);
		assert.equal(r.code, 0, r.stderr);
		const stats = await s.sim.admin('GET', 'stats');
		assert.equal(stats.requests.by_endpoint.tracks ?? 0, 0, 'no track asked again');
	}

	// Images, as the pages get them, wherever Spotify has them (some of
	// the simulator's albums and artists have none, as on Spotify).
	const cv = s.sim.configValues();
	const tok = await (await fetch(`${s.sim.accountsBase}/api/token`, {
		method: 'POST',
		headers: {
			authorization: 'Basic ' + Buffer.from(`${cv.client_id}:${cv.client_secret}`).toString('base64'),
			'content-type': 'application/x-www-form-urlencoded',
		},
		// The user's own grant: the last request of the collector's is done.
		body: 'grant_type=refresh_token&refresh_token=rt-user1',
	})).json();
	const simHas = async (kind, eid) => {
		const res = await fetch(`${s.sim.apiBase}/${kind}/${eid}`, { headers: { authorization: `Bearer ${tok.access_token}` } });
		assert.equal(res.status, 200, `${kind} ${eid} in the simulator`);
		return (await res.json()).images.length > 0;
	};
	const stack = await startStack({ dir: s.dir, config: s.config });
	let withArt = 0, total = 0;
	try {
		const api = `${stack.baseUrl}/api/v0`;
		for (const [kind, set] of [['albums', albums], ['artists', artists]]) {
			const ids = [...set];
			for (let i = 0; i < ids.length; i += 50) {
				const got = (await httpJson('POST', `${api}/${kind}`, { ids: ids.slice(i, i + 50) })).json[kind];
				for (let j = 0; j < got.length; j++) {
					const eid = ids[i + j];
					assert.ok(got[j], `${kind} ${eid} stored`);
					const has = got[j].images.length > 0;
					assert.equal(has, await simHas(kind, eid), `${kind} ${eid}: images as Spotify has them`);
					if (kind === 'albums') {
						total++;
						withArt += has;
					}
				}
			}
		}
	} finally {
		await stack.stop();
	}
	assert.ok(withArt > 0.8 * total, `${withArt} of ${total} albums with images`);
});
