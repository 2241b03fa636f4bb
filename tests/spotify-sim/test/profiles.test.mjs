// The listener profiles for polling studies: each one listens when and as
// densely as the README says, deterministically, and the admin API sets them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildCatalog } from '../lib/catalog.mjs';
import { Listening, MIN_PLAY_MS } from '../lib/listening.mjs';
import { withSim, START_MS } from '../testkit/harness.mjs';

const DAY = 86_400_000, HOUR = 3_600_000, MINUTE = 60_000;
const catalog = buildCatalog();
const gen = (seed = '42') => new Listening(catalog, { seed, startMs: START_MS, now: () => START_MS + 60 * DAY });
const DAYS = 28;

// Plays of n users of a profile over DAYS days, with each play's local day
// (05:00 to 05:00), hour since that day's 05:00 and weekday.
function playsOf(g, profile, n = 6) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const u = { id: `${profile}-${i}`, profile };
    const m = g.model(u);
    for (const p of g.plays(u, START_MS, START_MS + DAYS * DAY)) {
      const d = g.dayOf(u, p.end);
      const start = p.end - p.ms;
      out.push({ user: u.id, end: p.end, ms: p.ms, d, h: (start - (d * DAY + m.dayOffsetMs)) / HOUR, dow: new Date(d * DAY).getUTCDay() });
    }
  }
  return out;
}

// The shortest time in which a user played 50 tracks (first end to 50th end).
function densest(plays) {
  const byUser = new Map();
  for (const p of plays) (byUser.get(p.user) ?? byUser.set(p.user, []).get(p.user)).push(p.end);
  let best = Infinity;
  for (const ends of byUser.values()) for (let i = 49; i < ends.length; i++) best = Math.min(best, ends[i] - ends[i - 49]);
  return best;
}

const weekend = (p) => p.dow === 0 || p.dow === 6;

test('daytime, night owl, office and weekend listeners keep to their hours', () => {
  const g = gen();
  const day = playsOf(g, 'daytime');
  assert.ok(day.length > 6 * DAYS * 20, `daytime listens most days (${day.length} plays)`);
  assert.ok(day.every((p) => p.h >= 3 && p.h < 19), 'daytime sessions start 08:00-20:00');
  const owl = playsOf(g, 'nightowl');
  assert.ok(owl.length > 6 * DAYS * 20);
  assert.ok(owl.every((p) => p.h >= 17), 'night owls listen from 22:00 on');
  const office = playsOf(g, 'office');
  assert.ok(office.every((p) => !weekend(p)), 'office listeners are silent at weekends');
  assert.ok(office.every((p) => (p.h >= 4 && p.h < 7.1) || (p.h >= 8 && p.h < 12)), '09:00-12:00 and 13:00-17:00');
  assert.ok(office.length > 6 * 20 * 60, `office hours are full (${office.length} plays)`);
  const we = playsOf(g, 'weekend');
  assert.ok(we.length > 0 && we.every(weekend), 'weekend listeners listen only at weekends');
});

test('bursty listeners are idle for days, then play a lot at once', () => {
  const b = playsOf(gen(), 'bursty', 10);
  const days = new Map();
  for (const p of b) days.set(`${p.user}/${p.d}`, (days.get(`${p.user}/${p.d}`) || 0) + 1);
  assert.ok(days.size < 10 * DAYS * 0.3, `most days silent (${days.size} of ${10 * DAYS} with plays)`);
  assert.ok(Math.max(...days.values()) >= 50, 'some day holds a burst of 50 or more');
});

test('the skipper plays 50 tracks of exactly 30 s in about 25 minutes, after idle spells', () => {
  const s = playsOf(gen(), 'skipper');
  assert.ok(s.length > 0 && s.every((p) => p.ms === MIN_PLAY_MS), 'every play is exactly 30 s');
  const dense = densest(s);
  assert.ok(dense >= 49 * MIN_PLAY_MS && dense < 26 * MINUTE, `50 plays in ${(dense / MINUTE).toFixed(1)} min`);
  // bursts come after silence: some gap between plays of over 3 hours each day it plays
  const ends = s.filter((p) => p.user === 'skipper-0').map((p) => p.end);
  const long = ends.slice(1).filter((e, i) => e - ends[i] > 3 * HOUR).length;
  assert.ok(long >= 5, `${long} idle spells of 3 h+ before a burst`);
  // no other profile comes near that density
  for (const p of ['daytime', 'nightowl', 'office', 'weekend', 'bursty']) {
    assert.ok(densest(playsOf(gen(), p, 3)) > 90 * MINUTE, `${p} needs over 90 min for 50 plays`);
  }
});

test('each profile is deterministic: same seed, same plays; another seed, others', () => {
  const a = gen('42'), b = gen('42'), other = gen('43');
  for (const profile of ['daytime', 'nightowl', 'office', 'weekend', 'bursty', 'skipper']) {
    const u = { id: 'det', profile };
    const pa = a.events(u, START_MS - 7 * DAY, START_MS + 7 * DAY);
    assert.deepEqual(b.events(u, START_MS - 7 * DAY, START_MS + 7 * DAY), pa);
    assert.notDeepEqual(other.events(u, START_MS - 7 * DAY, START_MS + 7 * DAY), pa);
  }
});

test('POST /_sim/users/:id/profile changes what a user plays; stats count requests per user', async () => {
  await withSim({ users: 1 }, async (c) => {
    let r = await c.admin('POST', '/_sim/users', { id: 'sk', profile: 'skipper' });
    assert.equal(r.status, 201);
    assert.equal(r.json.profile, 'skipper');
    r = await c.admin('POST', '/_sim/users/user1/profile', { profile: 'office' });
    assert.deepEqual(r.json, { id: 'user1', profile: 'office' });
    assert.equal((await c.admin('GET', '/_sim/users/user1')).json.profile, 'office');
    r = await c.admin('POST', '/_sim/users/user1/profile', { profile: 'loud' });
    assert.equal(r.status, 400);
    r = await c.admin('POST', '/_sim/users/nobody/profile', { profile: 'office' });
    assert.equal(r.status, 404);
    await c.advance(7 * 86_400);
    const truth = (await c.admin('GET', `/_sim/truth/user1?from_ms=${START_MS}`)).json.plays;
    assert.ok(truth.length > 100, 'a week of office listening');
    const sk = (await c.admin('GET', `/_sim/truth/sk?from_ms=${START_MS}`)).json.plays;
    assert.ok(sk.length > 0);
    await c.admin('POST', '/_sim/stats/reset');
    const tok = await c.token('sk');
    for (let i = 0; i < 3; i++) assert.equal((await c.get('/v1/me/player/recently-played?limit=50', tok)).status, 200);
    const s = (await c.admin('GET', '/_sim/stats')).json;
    assert.deepEqual(s.requests_by_user, { sk: 3 });
  });
});
