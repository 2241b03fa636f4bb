// Development mode: Spotify-owned playlists 404, batch lookups 403, five users.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withSim } from '../testkit/harness.mjs';
import { Validator } from '../testkit/openapi.mjs';

const v = new Validator();

test('development mode restrictions', async () => {
  await withSim({ users: 3, mode: 'development' }, async (c) => {
    assert.equal((await c.admin('GET', '/_sim/state')).json.mode, 'development');
    const tok = await c.token('user1');
    const pls = (await c.get('/v1/me/playlists', tok)).json;
    const dw = pls.items.find((p) => p.owner.id === 'spotify');
    assert.ok(dw, 'Discover Weekly is still listed');
    const own = pls.items.find((p) => p.owner.id === 'user1');
    for (const which of ['items', 'tracks']) {
      const r = await c.get(`/v1/playlists/${dw.id}/${which}`, tok);
      assert.equal(r.status, 404);
      assert.deepEqual(v.validate(r.json, v.responseSchema(`/playlists/{playlist_id}/${which}`, 'get', 404)), []);
      assert.equal((await c.get(`/v1/playlists/${own.id}/${which}`, tok)).status, 200, 'own playlists are readable');
    }
    assert.equal((await c.get(`/v1/playlists/${dw.id}`, tok)).status, 404);

    const track = (await c.get('/v1/me/player/recently-played?limit=1', tok)).json.items[0].track;
    for (const [kind, id] of [['tracks', track.id], ['artists', track.artists[0].id], ['albums', track.album.id]]) {
      const r = await c.get(`/v1/${kind}?ids=${id}`, tok);
      assert.equal(r.status, 403, `${kind}?ids= is refused`);
      assert.deepEqual(v.validate(r.json, v.responseSchema(`/${kind}`, 'get', 403)), []);
      assert.equal((await c.get(`/v1/${kind}/${id}`, tok)).status, 200, `single ${kind} lookups work`);
    }

    // at most five users
    assert.equal((await c.admin('POST', '/_sim/users', { id: 'four' })).status, 201);
    assert.equal((await c.admin('POST', '/_sim/users', { id: 'five', profile: 'light' })).status, 201);
    const six = await c.admin('POST', '/_sim/users', { id: 'six' });
    assert.equal(six.status, 403);
    assert.match(six.json.error, /at most 5 users/);

    // back to extended: everything answers, more users allowed
    await c.admin('POST', '/_sim/mode', { mode: 'extended' });
    assert.equal((await c.get(`/v1/playlists/${dw.id}/items`, tok)).status, 200);
    assert.equal((await c.get(`/v1/tracks?ids=${track.id}`, tok)).status, 200);
    assert.equal((await c.admin('POST', '/_sim/users', { id: 'six' })).status, 201);

    // development mode again with six users: the sixth is not allowed in
    await c.admin('POST', '/_sim/mode', { mode: 'development' });
    const t6 = await c.token('six');
    const r6 = await c.get('/v1/me', t6);
    assert.equal(r6.status, 403);
    assert.match(r6.json.error.message, /not registered/);
    assert.equal((await c.admin('POST', '/_sim/mode', { mode: 'sandbox' })).status, 400);
  });
});
