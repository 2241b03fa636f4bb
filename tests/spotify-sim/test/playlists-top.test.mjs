// Discover Weekly's weekly turnover, user playlists and top lists.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withSim, START_MS } from '../testkit/harness.mjs';

const DAY = 86_400_000;

async function dwOf(c, user, tok) {
  const pls = (await c.get('/v1/me/playlists', tok)).json;
  const dw = pls.items.find((p) => p.name === 'Discover Weekly' && p.owner.id === 'spotify');
  const items = (await c.get(`/v1/playlists/${dw.id}/items?limit=50`, tok)).json;
  return { dw, items };
}

test('Discover Weekly: 30 tracks that change every Monday 00:00 UTC', async () => {
  await withSim({ users: 4 }, async (c) => {
    // a user who listens to Discover Weekly during the first week
    await c.admin('POST', '/_sim/clock', { set_ms: START_MS + 7 * DAY - 1000 }); // Sunday 23:59:59
    let who = null, dwPlays = null;
    for (const id of ['user1', 'user2', 'user3', 'user4']) {
      const info = (await c.admin('GET', `/_sim/users/${id}`)).json;
      const plays = (await c.admin('GET', `/_sim/truth/${id}?from_ms=${START_MS}`)).json.plays
        .filter((p) => p.context_uri === `spotify:playlist:${info.discover_weekly_id}`);
      if (plays.length) { who = id; dwPlays = plays; break; }
    }
    assert.ok(who, 'someone listened to Discover Weekly in the first week');
    let tok = await c.token(who);
    const week1 = await dwOf(c, who, tok);
    assert.equal(week1.items.total, 30);
    assert.equal(week1.items.items.length, 30);
    assert.equal(new Set(week1.items.items.map((it) => it.track.id)).size, 30);
    for (const it of week1.items.items) {
      assert.equal(it.added_at, '2026-01-05T00:00:00Z');
      assert.equal(it.added_by.id, 'spotify');
    }
    assert.equal(week1.dw.items.total, 30);
    const ids = new Set(week1.items.items.map((it) => it.track.id));
    for (const p of dwPlays) assert.ok(ids.has(p.track_id), 'plays from Discover Weekly are of that week\'s tracks');

    await c.advance(1); // Monday 2026-01-12 00:00:00
    tok = await c.token(who);
    const week2 = await dwOf(c, who, tok);
    assert.equal(week2.dw.id, week1.dw.id, 'the playlist keeps its id');
    assert.notEqual(week2.dw.snapshot_id, week1.dw.snapshot_id);
    assert.notDeepEqual(week2.items.items.map((it) => it.track.id), week1.items.items.map((it) => it.track.id));
    assert.equal(week2.items.items[0].added_at, '2026-01-12T00:00:00Z');
    const full = (await c.get(`/v1/playlists/${week2.dw.id}`, tok)).json;
    assert.equal(full.snapshot_id, week2.dw.snapshot_id);
    assert.equal(full.items.total, 30);
    const info = (await c.admin('GET', `/_sim/users/${who}`)).json;
    assert.equal(info.discover_weekly_id, week2.dw.id);
    assert.equal(info.discover_weekly_snapshot_id, week2.dw.snapshot_id);

    // another user's Discover Weekly is another playlist
    const other = who === 'user1' ? 'user2' : 'user1';
    const otherDw = await dwOf(c, other, await c.token(other));
    assert.notEqual(otherDw.dw.id, week2.dw.id);
  });
});

test('user playlists page through their items; /me/playlists pages', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    const all = (await c.get('/v1/me/playlists?limit=50', tok)).json;
    assert.ok(all.total >= 2 && all.total <= 3);
    const first = (await c.get('/v1/me/playlists?limit=1', tok)).json;
    assert.equal(first.items.length, 1);
    assert.ok(first.next);
    const second = (await c.get(first.next, tok)).json;
    assert.equal(second.offset, 1);
    assert.equal(second.items[0].id, all.items[1].id);
    assert.ok(second.previous);

    const own = all.items.find((p) => p.owner.id === 'user1');
    const seen = [];
    let url = `/v1/playlists/${own.id}/tracks?limit=7`;
    while (url) {
      const page = (await c.get(url, tok)).json;
      seen.push(...page.items.map((it) => it.track.uri));
      url = page.next;
    }
    assert.equal(seen.length, own.tracks.total);
    const items = (await c.get(`/v1/playlists/${own.id}/items?limit=50`, tok)).json;
    assert.deepEqual(items.items.map((it) => it.item.uri), seen.slice(0, 50));
    assert.equal((await c.get(`/v1/playlists/${own.id}/items?limit=51`, tok)).status, 400);
    assert.equal((await c.get(`/v1/playlists/${own.id}/tracks?limit=100`, tok)).status, 200);
  });
});

test('top lists are stable within a day and drift slowly over days', async () => {
  await withSim({ users: 2 }, async (c) => {
    const ids = async (kind, range) => {
      const tok = await c.token('user1');
      const page = (await c.get(`/v1/me/top/${kind}?time_range=${range}&limit=50`, tok)).json;
      return page.items.map((x) => x.id);
    };
    const t0 = await ids('tracks', 'short_term');
    const a0 = await ids('artists', 'medium_term');
    const l0 = await ids('tracks', 'long_term');
    assert.equal(t0.length, 50);
    assert.equal(new Set(t0).size, 50);
    await c.advance(3600);
    assert.deepEqual(await ids('tracks', 'short_term'), t0, 'same within the day');
    await c.advance(86_400);
    const t1 = await ids('tracks', 'short_term');
    const overlap = t1.filter((x) => t0.includes(x)).length;
    assert.ok(overlap >= 35, `a day later most of the list stays (${overlap}/50)`);
    await c.advance(90 * 86_400);
    const t90 = await ids('tracks', 'short_term');
    assert.notDeepEqual(t90, t0, 'three months later the list has moved');
    assert.notDeepEqual(await ids('artists', 'medium_term'), a0);
    const l90 = await ids('tracks', 'long_term');
    assert.ok(l90.filter((x) => l0.includes(x)).length > 10, 'long_term moves slowest');
    // ranges differ from one another
    assert.notDeepEqual(await ids('tracks', 'long_term'), t90);
    // tracks on the short-term list are ones the user actually played
    const played = new Set((await c.admin('GET', `/_sim/truth/user1?from_ms=${START_MS + 77 * DAY}`)).json.plays.map((p) => p.track_id));
    assert.ok(t90.slice(0, 10).filter((x) => played.has(x)).length >= 5);
  });
});
