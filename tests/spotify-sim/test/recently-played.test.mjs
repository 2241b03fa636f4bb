// Cursor semantics of GET /v1/me/player/recently-played and its agreement
// with the ground truth.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withSim, START_MS } from '../testkit/harness.mjs';

const ms = (iso) => Date.parse(iso);

async function truth(c, user, from = 0) {
  return (await c.admin('GET', `/_sim/truth/${user}?from_ms=${from}`)).json.plays;
}

test('only the last 50 plays are reachable, newest first, matching the truth', async () => {
  await withSim({ users: 2 }, async (c) => {
    const tok = await c.token('user1');
    const all = (await c.get('/v1/me/player/recently-played?limit=50', tok)).json;
    assert.equal(all.items.length, 50);
    for (let i = 1; i < 50; i++) assert.ok(ms(all.items[i - 1].played_at) > ms(all.items[i].played_at), 'strictly newest first');
    assert.equal(all.next, null, 'nothing older than the 50th play is reachable');
    assert.equal(all.cursors.after, String(ms(all.items[0].played_at)));
    assert.equal(all.cursors.before, String(ms(all.items[49].played_at)));

    const plays = await truth(c, 'user1', START_MS - 30 * 86_400_000);
    assert.ok(plays.length > 50);
    const last50 = plays.slice(-50).reverse();
    assert.deepEqual(all.items.map((it) => it.played_at), last50.map((p) => p.played_at));
    assert.deepEqual(all.items.map((it) => it.track.uri), last50.map((p) => p.track_uri));
    assert.deepEqual(all.items.map((it) => it.context?.uri ?? null), last50.map((p) => p.context_uri));
    for (const p of plays) {
      assert.ok(p.ms_played >= 30_000, 'only plays of 30 s or more exist');
      assert.ok(p.played_at_ms <= START_MS);
    }

    // default limit is 20
    assert.equal((await c.get('/v1/me/player/recently-played', tok)).json.items.length, 20);

    // paging backwards with "next" walks exactly the same 50 plays
    const walked = [];
    let url = '/v1/me/player/recently-played?limit=15';
    while (url) {
      const page = (await c.get(url, tok)).json;
      walked.push(...page.items.map((it) => it.played_at));
      url = page.next;
      if (url) assert.match(url, /before=\d+&limit=15$/);
    }
    assert.deepEqual(walked, all.items.map((it) => it.played_at));

    // before: strictly older than the cursor
    const b = all.items[9].played_at;
    const older = (await c.get(`/v1/me/player/recently-played?limit=5&before=${ms(b)}`, tok)).json;
    assert.deepEqual(older.items.map((it) => it.played_at), all.items.slice(10, 15).map((it) => it.played_at));
    assert.equal(older.cursors.before, String(ms(all.items[14].played_at)));

    // before the oldest reachable play: an empty page, no cursors
    const none = (await c.get(`/v1/me/player/recently-played?before=${ms(all.items[49].played_at)}`, tok)).json;
    assert.deepEqual(none.items, []);
    assert.equal(none.cursors, null);
    assert.equal(none.next, null);

    // after: strictly newer than the cursor; the most recent `limit` of them, newest first
    const x = ms(all.items[30].played_at);
    const newer = (await c.get(`/v1/me/player/recently-played?limit=50&after=${x}`, tok)).json;
    assert.deepEqual(newer.items.map((it) => it.played_at), all.items.slice(0, 30).map((it) => it.played_at));
    const newest10 = (await c.get(`/v1/me/player/recently-played?limit=10&after=${x}`, tok)).json;
    assert.deepEqual(newest10.items.map((it) => it.played_at), all.items.slice(0, 10).map((it) => it.played_at));
    const exact = (await c.get(`/v1/me/player/recently-played?after=${ms(all.items[0].played_at)}`, tok)).json;
    assert.deepEqual(exact.items, [], 'nothing after the newest play');
    // after far in the past still reaches only the last 50
    const ancient = (await c.get('/v1/me/player/recently-played?limit=50&after=0', tok)).json;
    assert.equal(ancient.items.length, 50);

    // both cursors: 400
    const both = await c.get('/v1/me/player/recently-played?after=1&before=2', tok);
    assert.equal(both.status, 400);
    assert.equal(both.json.error.status, 400);
    assert.equal((await c.get('/v1/me/player/recently-played?after=abc', tok)).status, 400);
    assert.equal((await c.get('/v1/me/player/recently-played?limit=0', tok)).status, 400);
  });
});

test('advancing the clock produces new plays; a play shows once it has ended', async () => {
  await withSim({ users: 2 }, async (c) => {
    let tok = await c.token('user2');
    const before = (await c.get('/v1/me/player/recently-played?limit=50', tok)).json;
    const cursor = before.cursors.after;

    await c.advance(86_400); // one virtual day
    tok = await c.token('user2'); // the old token expired after 3600 virtual seconds
    const fresh = (await c.get(`/v1/me/player/recently-played?limit=50&after=${cursor}`, tok)).json;
    assert.ok(fresh.items.length > 0, 'a heavy user listened during the day');
    for (const it of fresh.items) assert.ok(ms(it.played_at) > Number(cursor));

    const day = await truth(c, 'user2', Number(cursor) + 1);
    assert.ok(day.length >= fresh.items.length);
    assert.deepEqual(fresh.items.map((it) => it.played_at), day.slice(-fresh.items.length).reverse().map((p) => p.played_at));

    // set the clock to 1 ms before the end of the next play: it is not there yet
    const state = (await c.admin('GET', '/_sim/state')).json;
    const ahead = (await c.admin('GET', `/_sim/truth/user2?from_ms=${state.now_ms + 1}`)).json;
    assert.deepEqual(ahead.plays, [], 'the truth never runs ahead of the clock');
    const { sim } = c;
    const next = sim.listening.plays({ id: 'user2', profile: 'heavy' }, state.now_ms + 1, state.now_ms + 7 * 86_400_000)[0];
    await c.admin('POST', '/_sim/clock', { set_ms: next.end - 1 });
    tok = await c.token('user2');
    let top = (await c.get('/v1/me/player/recently-played?limit=1', tok)).json.items[0];
    assert.ok(ms(top.played_at) < next.end);
    await c.admin('POST', '/_sim/clock', { set_ms: next.end });
    top = (await c.get('/v1/me/player/recently-played?limit=1', tok)).json.items[0];
    assert.equal(ms(top.played_at), next.end);

    // the clock never goes backwards
    const back = await c.admin('POST', '/_sim/clock', { set_ms: next.end - 1000 });
    assert.equal(back.status, 400);
    assert.equal((await c.admin('POST', '/_sim/clock', { advance_s: -1 })).status, 400);
  });
});
