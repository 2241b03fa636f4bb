// The catalog and the listening generator: determinism, realism, scale.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildCatalog } from '../lib/catalog.mjs';
import { Listening } from '../lib/listening.mjs';
import { withSim, START_MS } from '../testkit/harness.mjs';

const DAY = 86_400_000;
const catalog = buildCatalog();
const gen = (seed = '42') => new Listening(catalog, { seed, startMs: START_MS, now: () => START_MS + 60 * DAY });

test('the catalog has the awkward cases clients must survive', () => {
  const { tracks, artists, albums } = catalog;
  assert.ok(tracks.length >= 1900 && tracks.length <= 2100, `${tracks.length} tracks`);
  assert.ok(artists.length >= 250 && artists.length <= 350);
  assert.ok(albums.length >= 450 && albums.length <= 550);
  const ids = [...tracks, ...artists, ...albums].map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const id of ids) assert.match(id, /^[0-9A-Za-z]{22}$/);
  const names = [...tracks, ...artists, ...albums].map((x) => x.name);
  const has = (re, what) => assert.ok(names.some((n) => re.test(n)), what);
  has(/Sigur Rós|Björk/, 'Icelandic names');
  has(/[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese');
  has(/[\u0400-\u04ff]/, 'Cyrillic');
  has(/[\u{10000}-\u{10ffff}]/u, 'characters outside the BMP');
  has(/,/, 'commas');
  has(/"/, 'double quotes');
  has(/'/, 'single quotes');
  has(/\n/, 'a newline');
  has(/\\/, 'a backslash');
  has(/^=/, 'a leading =');
  has(/^\+/, 'a leading +');
  has(/^@/, 'a leading @');
  assert.ok(tracks.filter((t) => t.artists.length > 1).length > 100, 'multi-artist tracks');
  assert.ok(albums.some((a) => !a.hasImages) && artists.some((a) => !a.hasImages), 'some have no images');
  assert.ok(artists.some((a) => a.genres.length > 1) && artists.some((a) => a.genres.length === 0));
  for (const p of ['year', 'month', 'day']) assert.ok(albums.some((a) => a.release_date_precision === p), `precision ${p}`);
  assert.ok(albums.some((a) => a.release_date >= '2025-12-22'), 'brand-new releases');
  for (const t of tracks) assert.ok(t.duration_ms > 30_000, 'every track can count as a play');
  assert.ok(tracks.some((t) => t.duration_ms < 50_000), 'some short tracks');
});

test('same seed, same listening; another seed, other listening', async () => {
  const a = gen('42'), b = gen('42'), other = gen('43');
  for (const profile of ['light', 'normal', 'heavy']) {
    const u = { id: `det-${profile}`, profile };
    const pa = a.events(u, START_MS - 7 * DAY, START_MS + 7 * DAY);
    assert.deepEqual(b.events(u, START_MS - 7 * DAY, START_MS + 7 * DAY), pa);
    assert.notDeepEqual(other.events(u, START_MS - 7 * DAY, START_MS + 7 * DAY), pa);
    assert.ok(pa.length > 0);
  }
  // order of generation does not matter: a day alone equals the same day in a run
  const u = { id: 'det-order', profile: 'normal' };
  const later = a.events(u, START_MS + 20 * DAY, START_MS + 21 * DAY);
  assert.deepEqual(gen('42').events(u, START_MS + 20 * DAY, START_MS + 21 * DAY), later);

  // and through the server: two simulators with the same seed agree
  const truthOf = async () => withSim({ users: 3, seed: 'abc' }, async (c) => {
    await c.advance(3 * 86_400);
    const out = [];
    for (const id of ['user1', 'user2', 'user3']) out.push((await c.admin('GET', `/_sim/truth/${id}?from_ms=${START_MS - DAY}`)).json.plays);
    return out;
  });
  const [x, y] = [await truthOf(), await truthOf()];
  assert.deepEqual(x, y);
  assert.ok(x[1].length > x[2].length, 'user2 (heavy) listens more than user3 (light)');
});

test('listening looks human: sessions, binges, contexts, local files, no overlaps', () => {
  const g = gen();
  let maxRun = 0, locals = 0;
  const ctxKinds = new Set();
  for (let i = 0; i < 10; i++) {
    const u = { id: `human${i}`, profile: i % 2 ? 'heavy' : 'normal' };
    const events = g.events(u, START_MS - 30 * DAY, START_MS + 30 * DAY);
    for (let k = 1; k < events.length; k++) {
      assert.ok(events[k].end - events[k].ms >= events[k - 1].end, 'a play starts after the previous one ended');
    }
    const plays = g.plays(u, START_MS - 30 * DAY, START_MS + 30 * DAY);
    let run = 1;
    for (let k = 1; k < plays.length; k++) {
      run = plays[k].item === plays[k - 1].item ? run + 1 : 1;
      if (run > maxRun) maxRun = run;
    }
    locals += plays.filter((p) => p.item < 0).length;
    for (const p of plays) ctxKinds.add(p.ctx === 0 ? 'none' : ['', 'album', 'artist', 'playlist', 'discover-weekly'][Math.floor(p.ctx / 1_000_000)]);
    // short plays and private sessions exist as events but not as plays
    assert.ok(events.some((e) => e.ms < 30_000));
    assert.ok(plays.every((p) => p.ms >= 30_000));
  }
  assert.ok(maxRun >= 70, `a binge of 70+ plays of one track (longest: ${maxRun})`);
  assert.ok(locals > 0, 'local files are played');
  assert.deepEqual([...ctxKinds].sort(), ['album', 'artist', 'discover-weekly', 'none', 'playlist']);

  // human hours: almost nothing between 05:00 and 07:00 local time
  const u = { id: 'hours', profile: 'normal', country: 'SE' }; // UTC+1
  const plays = g.plays(u, START_MS - 60 * DAY, START_MS);
  const early = plays.filter((p) => { const h = new Date(p.end + 3_600_000).getUTCHours(); return h >= 5 && h < 7; });
  assert.ok(plays.length > 300);
  assert.ok(early.length / plays.length < 0.02, `${early.length} of ${plays.length} plays at dawn`);
});

test('a heavy user has a 25-minute window with more than 50 plays in a week', async () => {
  await withSim({ users: 2 }, async (c) => {
    assert.equal((await c.admin('GET', '/_sim/state')).json.users[1].profile, 'heavy');
    await c.advance(7 * 86_400);
    const plays = (await c.admin('GET', `/_sim/truth/user2?from_ms=${START_MS}`)).json.plays;
    let best = 0;
    for (let i = 0, j = 0; i < plays.length; i++) {
      while (plays[i].played_at_ms - plays[j].played_at_ms > 25 * 60_000) j++;
      best = Math.max(best, i - j + 1);
    }
    assert.ok(best > 50, `most plays in 25 minutes: ${best}`);
  });
});

test('1000 users x 1 day of listening can be generated', () => {
  const g = gen('scale');
  let plays = 0;
  const profiles = ['normal', 'heavy', 'light', 'normal'];
  for (let i = 1; i <= 1000; i++) {
    const u = { id: `user${i}`, profile: profiles[(i - 1) % 4] };
    plays += g.plays(u, START_MS, START_MS + DAY).length;
    assert.equal(g.lastPlays(u, START_MS + DAY, 50).length, 50);
  }
  assert.ok(plays > 10_000, `${plays} plays`);
});
