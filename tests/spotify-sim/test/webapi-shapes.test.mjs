// Every Web API endpoint's answers, successes and errors, against the
// schemas of the Spotify OpenAPI description.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withSim, START_MS } from '../testkit/harness.mjs';
import { Validator } from '../testkit/openapi.mjs';

const v = new Validator();

function check(res, specPath, status = 200) {
  assert.equal(res.status, status, `${specPath}: status ${res.status}: ${res.text.slice(0, 300)}`);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const errors = v.validate(res.json, v.responseSchema(specPath, 'get', status));
  assert.deepEqual(errors.slice(0, 10), [], `${specPath} ${status} does not match the description`);
  return res.json;
}

test('every endpoint answers in the OpenAPI shapes', async () => {
  await withSim({ users: 3 }, async (c) => {
    const tok = await c.token('user2');

    const me = check(await c.get('/v1/me', tok), '/me');
    assert.equal(me.id, 'user2');
    assert.equal(me.uri, 'spotify:user:user2');
    assert.match(me.display_name, /[^\x00-\x7f]/, 'display names are not plain ASCII');

    const rp = check(await c.get('/v1/me/player/recently-played?limit=50', tok), '/me/player/recently-played');
    assert.equal(rp.items.length, 50);
    for (const it of rp.items) assert.match(it.played_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(rp.items.some((it) => it.context === null), 'some plays have no context');
    assert.ok(rp.items.some((it) => it.context !== null), 'some plays have a context');

    for (const kind of ['tracks', 'artists']) {
      for (const range of ['short_term', 'medium_term', 'long_term']) {
        const page = check(await c.get(`/v1/me/top/${kind}?time_range=${range}&limit=50`, tok), `/me/top/${kind}`);
        assert.equal(page.items.length, 50 <= page.total ? 50 : page.total);
        assert.ok(page.items.length > 0);
      }
      check(await c.get(`/v1/me/top/${kind}?limit=5&offset=10`, tok), `/me/top/${kind}`);
    }

    const pls = check(await c.get('/v1/me/playlists', tok), '/me/playlists');
    const dw = pls.items.find((p) => p.name === 'Discover Weekly');
    assert.ok(dw, 'Discover Weekly is listed');
    assert.equal(dw.owner.id, 'spotify');
    const own = pls.items.find((p) => p.owner.id === 'user2');
    assert.ok(own, 'the user owns a playlist');

    for (const pl of [dw, own]) {
      const full = check(await c.get(`/v1/playlists/${pl.id}`, tok), '/playlists/{playlist_id}');
      assert.equal(full.id, pl.id);
      assert.equal(full.snapshot_id, pl.snapshot_id);
      for (const which of ['items', 'tracks']) {
        const page = check(await c.get(`/v1/playlists/${pl.id}/${which}?limit=10&offset=1`, tok), `/playlists/{playlist_id}/${which}`);
        assert.equal(page.offset, 1);
        assert.equal(page.limit, 10);
      }
    }
    // a playlist holding a local file validates too (is_local, null ids)
    let localSeen = false;
    for (let i = 1; i <= 12 && !localSeen; i++) {
      await c.admin('POST', '/_sim/users', { id: `pl${i}` });
      const t = await c.token(`pl${i}`);
      const mine = (await c.get('/v1/me/playlists?limit=50', t)).json.items.filter((p) => p.owner.id === `pl${i}`);
      for (const p of mine) {
        const page = check(await c.get(`/v1/playlists/${p.id}/items?limit=50&offset=${Math.max(0, p.items.total - 50)}`, t), '/playlists/{playlist_id}/items');
        const local = page.items.find((it) => it.is_local);
        if (local) {
          localSeen = true;
          assert.equal(local.track.id, null);
          assert.match(local.track.uri, /^spotify:local:/);
        }
      }
    }
    assert.ok(localSeen, 'some user playlist carries a local file');

    const track = rp.items.find((it) => !it.track.is_local).track;
    const t1 = check(await c.get(`/v1/tracks/${track.id}`, tok), '/tracks/{id}');
    assert.deepEqual(t1, track);
    const artistId = track.artists[0].id;
    const albumId = track.album.id;
    const a1 = check(await c.get(`/v1/artists/${artistId}`, tok), '/artists/{id}');
    assert.equal(a1.id, artistId);
    const al1 = check(await c.get(`/v1/albums/${albumId}`, tok), '/albums/{id}');
    assert.ok(al1.tracks.items.some((t) => t.id === track.id));

    // batch forms; unknown ids come back as null entries
    const unknown = '0000000000000000000000';
    const many = await c.get(`/v1/tracks?ids=${track.id},${unknown}`, tok);
    assert.equal(many.status, 200);
    assert.equal(many.json.tracks[1], null);
    many.json.tracks = many.json.tracks.filter(Boolean);
    check(many, '/tracks');
    const arts = await c.get(`/v1/artists?ids=${artistId},${unknown}`, tok);
    assert.equal(arts.json.artists[1], null);
    arts.json.artists = arts.json.artists.filter(Boolean);
    check(arts, '/artists');
    const albs = await c.get(`/v1/albums?ids=${albumId},${unknown}`, tok);
    assert.equal(albs.json.albums[1], null);
    albs.json.albums = albs.json.albums.filter(Boolean);
    check(albs, '/albums');

    // errors, in Spotify's error object
    check(await c.get('/v1/me'), '/me', 401);
    check(await c.get('/v1/me', 'not-a-token'), '/me', 401);
    check(await c.get(`/v1/tracks/${unknown}`, tok), '/tracks/{id}', 404);
    check(await c.get('/v1/tracks/short', tok), '/tracks/{id}', 400);
    check(await c.get(`/v1/artists/${unknown}`, tok), '/artists/{id}', 404);
    check(await c.get(`/v1/albums/${unknown}`, tok), '/albums/{id}', 404);
    check(await c.get(`/v1/playlists/${unknown}`, tok), '/playlists/{playlist_id}', 404);
    check(await c.get('/v1/me/player/recently-played?limit=51', tok), '/me/player/recently-played', 400);
    check(await c.get('/v1/me/player/recently-played?after=1&before=2', tok), '/me/player/recently-played', 400);
    check(await c.get('/v1/me/top/tracks?time_range=forever', tok), '/me/top/tracks', 400);
    check(await c.get(`/v1/tracks?ids=${Array(51).fill(track.id).join(',')}`, tok), '/tracks', 400);
    check(await c.get(`/v1/albums?ids=${Array(21).fill(albumId).join(',')}`, tok), '/albums', 400);
    const nf = await c.get('/v1/nothing-here', tok);
    assert.equal(nf.status, 404);
    assert.equal(nf.json.error.status, 404);
    assert.ok(START_MS > 0);
  });
});

test('a play of a local file validates and looks like Spotify shows one', async () => {
  await withSim({ users: 0 }, async (c) => {
    // find a user whose listening after the start contains a local file
    const { sim } = c;
    let found = null;
    for (let i = 1; i <= 40 && !found; i++) {
      const u = { id: `local${i}`, profile: 'heavy' };
      const p = sim.listening.plays(u, START_MS, START_MS + 3 * 86_400_000).find((e) => e.item < 0);
      if (p) found = { id: u.id, end: p.end };
    }
    assert.ok(found, 'heavy users play local files now and then');
    await c.admin('POST', '/_sim/users', { id: found.id, profile: 'heavy' });
    await c.admin('POST', '/_sim/clock', { set_ms: found.end });
    const tok = await c.token(found.id);
    const rp = check(await c.get('/v1/me/player/recently-played?limit=1', tok), '/me/player/recently-played');
    const t = rp.items[0].track;
    assert.equal(rp.items[0].played_at, new Date(found.end).toISOString());
    assert.equal(t.is_local, true);
    assert.equal(t.id, null);
    assert.equal(t.album.id, null);
    assert.match(t.uri, /^spotify:local:[^:]*:[^:]*:[^:]*:\d+$/);
  });
});
