// Downloadable-data formats (/_sim/history) and their mapping to the truth.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withSim, START_MS } from '../testkit/harness.mjs';

const DAY = 86_400_000;

const EXTENDED_KEYS = ['ts', 'platform', 'ms_played', 'conn_country', 'ip_addr', 'master_metadata_track_name',
  'master_metadata_album_artist_name', 'master_metadata_album_album_name', 'spotify_track_uri', 'episode_name',
  'episode_show_name', 'spotify_episode_uri', 'audiobook_title', 'audiobook_uri', 'audiobook_chapter_uri',
  'audiobook_chapter_title', 'reason_start', 'reason_end', 'shuffle', 'skipped', 'offline', 'offline_timestamp',
  'incognito_mode'];
const OLD_KEYS = ['ts', 'username', 'platform', 'ms_played', 'conn_country', 'ip_addr_decrypted', 'user_agent_decrypted',
  'master_metadata_track_name', 'master_metadata_album_artist_name', 'master_metadata_album_album_name',
  'spotify_track_uri', 'episode_name', 'episode_show_name', 'spotify_episode_uri', 'reason_start', 'reason_end',
  'shuffle', 'skipped', 'offline', 'offline_timestamp', 'incognito_mode'];
const ACCOUNT_KEYS = ['endTime', 'artistName', 'trackName', 'msPlayed'];

test('history exports: fields, awkward rows, and the mapping to the truth', async () => {
  await withSim({ users: 8 }, async (c) => {
    // a user who keeps local files, so those rows are covered too
    const who = (await c.admin('GET', '/_sim/state')).json.users
      .map((u) => c.sim.state.users.get(u.id))
      .find((u) => u.profile !== 'light' && c.sim.listening.model(u).locals.length > 0).id;
    const from = START_MS - 60 * DAY;
    const q = `from_ms=${from}&to_ms=${START_MS}`;
    const ext = (await c.admin('GET', `/_sim/history/${who}?${q}&format=extended`)).json;
    const old = (await c.admin('GET', `/_sim/history/${who}?${q}&format=extended-old`)).json;
    const acc = (await c.admin('GET', `/_sim/history/${who}?${q}&format=account`)).json;
    const truth = (await c.admin('GET', `/_sim/truth/${who}?${q}`)).json.plays;
    assert.deepEqual((await c.admin('GET', `/_sim/history/${who}?${q}`)).json, ext, 'extended is the default');

    for (const r of ext) assert.deepEqual(Object.keys(r), EXTENDED_KEYS);
    for (const r of old) assert.deepEqual(Object.keys(r), OLD_KEYS);
    for (const r of acc) assert.deepEqual(Object.keys(r), ACCOUNT_KEYS);
    assert.equal(old.length, ext.length);

    for (const r of ext) {
      assert.match(r.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(typeof r.ms_played, 'number');
      assert.equal(typeof r.shuffle, 'boolean');
      assert.equal(typeof r.incognito_mode, 'boolean');
    }
    for (let i = 1; i < ext.length; i++) assert.ok(ext[i - 1].ts <= ext[i].ts, 'oldest first');
    assert.ok(ext.some((r) => r.ms_played < 30_000 && r.spotify_track_uri), 'rows under 30 s');
    assert.ok(ext.some((r) => r.incognito_mode), 'private-session rows');
    assert.ok(ext.some((r) => r.skipped), 'skipped rows');
    assert.ok(ext.some((r) => r.offline), 'offline rows');
    const eps = ext.filter((r) => r.spotify_episode_uri);
    assert.ok(eps.length > 0, 'podcast episode rows');
    for (const r of eps) {
      assert.equal(r.spotify_track_uri, null);
      assert.equal(r.master_metadata_track_name, null);
      assert.match(r.spotify_episode_uri, /^spotify:episode:[0-9A-Za-z]{22}$/);
      assert.equal(typeof r.episode_show_name, 'string');
    }
    const offTs = ext.map((r) => r.offline_timestamp).filter((x) => x !== null);
    assert.ok(offTs.some((x) => x < 1e11), 'offline_timestamp in seconds on some rows');
    assert.ok(offTs.some((x) => x > 1e12), 'and in milliseconds on others');
    assert.ok(ext.some((r) => r.spotify_track_uri?.startsWith('spotify:local:')), 'local files');
    assert.ok(old.some((r) => r.skipped === null), 'old exports leave skipped null');
    for (const r of acc) assert.match(r.endTime, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);

    // every truth play is exactly one extended row, and vice versa
    const countable = ext.filter((r) => r.spotify_track_uri && r.ms_played >= 30_000 && !r.incognito_mode);
    assert.equal(countable.length, truth.length);
    truth.forEach((p, i) => {
      const r = countable[i];
      assert.equal(r.ts, p.played_at.replace(/\.\d{3}Z$/, 'Z'));
      assert.equal(r.spotify_track_uri, p.track_uri);
      assert.equal(r.ms_played, p.ms_played);
      assert.equal(r.master_metadata_track_name, p.track_name);
      assert.equal(r.master_metadata_album_artist_name, p.artist_names[0]);
    });
    // the account format: music only, no private sessions, short plays included
    const music = ext.filter((r) => r.spotify_track_uri && !r.incognito_mode);
    assert.equal(acc.length, music.length);
    const accCountable = acc.filter((r) => r.msPlayed >= 30_000);
    assert.equal(accCountable.length, truth.length);
    truth.forEach((p, i) => {
      assert.equal(accCountable[i].endTime, p.played_at.slice(0, 16).replace('T', ' '));
      assert.equal(accCountable[i].trackName, p.track_name);
    });

    // the same generator feeds the Web API: the newest plays agree
    const tok = await c.token(who);
    const rp = (await c.get('/v1/me/player/recently-played?limit=50', tok)).json.items;
    assert.deepEqual(rp.map((it) => it.track.uri), truth.slice(-50).reverse().map((p) => p.track_uri));

    // ranges and errors
    const narrow = (await c.admin('GET', `/_sim/history/${who}?from_ms=${START_MS - DAY}&to_ms=${START_MS}`)).json;
    assert.ok(narrow.length > 0 && narrow.length < ext.length);
    for (const r of narrow) assert.ok(Date.parse(r.ts) >= START_MS - DAY - 1000 && Date.parse(r.ts) <= START_MS);
    assert.equal((await c.admin('GET', '/_sim/history/user2?format=csv')).status, 400);
    assert.equal((await c.admin('GET', '/_sim/history/nobody')).status, 404);
    assert.equal((await c.admin('GET', '/_sim/truth/nobody')).status, 404);
  });
});

test('by default history covers the year before the start up to now', async () => {
  await withSim({ users: 1 }, async (c) => {
    const st = (await c.admin('GET', '/_sim/state')).json;
    assert.equal(st.history_start_ms, START_MS - 365 * DAY);
    const rows = (await c.admin('GET', '/_sim/history/user1?format=account')).json;
    assert.ok(rows.length > 1000, `${rows.length} rows for a year of normal listening`);
    assert.ok(rows[0].endTime < '2025-01-15', rows[0].endTime);
    assert.ok(rows.at(-1).endTime <= '2026-01-05 00:00');
  });
});
