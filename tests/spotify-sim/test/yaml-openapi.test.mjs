// The YAML loader and the schema validator the other tests rely on.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml } from '../testkit/yaml.mjs';
import { loadOpenApi, Validator } from '../testkit/openapi.mjs';

test('yaml: mappings, sequences at key level, "- key:" items, scalars', () => {
  const doc = parseYaml([
    'a: 1',
    'b: -2.5',
    'c: true',
    'd: ~',
    'e: plain text',
    '  continued here',
    '"200":',
    '  $ref: "#/x/y"',
    'list:',
    '- one',
    '- name: two',
    '  extra: [ ]',
    '- - nested',
    'flow: [a, "b, c", 3]',
    'obj: {k: v}',
    'empty: []',
    '# a comment',
    'tail: value # trailing comment',
  ].join('\n'));
  assert.deepEqual(doc, {
    a: 1, b: -2.5, c: true, d: null, e: 'plain text continued here', 200: { $ref: '#/x/y' },
    list: ['one', { name: 'two', extra: [] }, ['nested']],
    flow: ['a', 'b, c', 3], obj: { k: 'v' }, empty: [], tail: 'value',
  });
});

test('yaml: block and quoted scalars', () => {
  const doc = parseYaml([
    'lit: |',
    '  line one',
    '    indented',
    '',
    '  after blank',
    'strip: |-',
    '  no newline',
    'fold: >',
    '  folded',
    '  text',
    'dq: "first \\',
    '  joined and',
    '  spaced \\u00e9\\n"',
    "sq: 'it''s'",
    'version: 2026.5.31',
    'next: x',
  ].join('\n'));
  assert.equal(doc.lit, 'line one\n  indented\n\nafter blank\n');
  assert.equal(doc.strip, 'no newline');
  assert.equal(doc.fold, 'folded text\n');
  assert.equal(doc.dq, 'first joined and spaced é\n');
  assert.equal(doc.sq, "it's");
  assert.equal(doc.version, '2026.5.31');
  assert.equal(doc.next, 'x');
});

test('yaml: the Spotify OpenAPI description loads', () => {
  const doc = loadOpenApi();
  assert.equal(doc.openapi, '3.0.3');
  for (const p of ['/me', '/me/player/recently-played', '/me/top/tracks', '/me/top/artists', '/me/playlists',
    '/playlists/{playlist_id}', '/playlists/{playlist_id}/items', '/playlists/{playlist_id}/tracks',
    '/tracks/{id}', '/tracks', '/artists/{id}', '/artists', '/albums/{id}', '/albums']) {
    assert.ok(doc.paths[p]?.get, `GET ${p} is described`);
  }
  assert.deepEqual(doc.components.schemas.ErrorObject.required, ['status', 'message']);
  assert.deepEqual(doc.components.schemas.PagingObject.required, ['href', 'items', 'limit', 'next', 'offset', 'previous', 'total']);
  assert.match(doc.components.schemas.SimplifiedTrackObject.properties.linked_from.description, /^Part of the response .* originally requested track\.$/);
});

function goodTrack() {
  const artist = { external_urls: { spotify: 'https://open.spotify.com/artist/0123456789012345678901' }, href: 'http://h/v1/artists/0123456789012345678901', id: '0123456789012345678901', name: 'A', type: 'artist', uri: 'spotify:artist:0123456789012345678901' };
  return {
    album: {
      album_type: 'album', total_tracks: 1, available_markets: [], external_urls: {}, href: 'http://h/v1/albums/x', id: 'x',
      images: [{ url: 'http://i', height: 640, width: 640 }], name: 'Al', release_date: '1999', release_date_precision: 'year',
      type: 'album', uri: 'spotify:album:x', artists: [artist],
    },
    artists: [artist], duration_ms: 1000, explicit: false, external_urls: {}, href: 'http://h/v1/tracks/y', id: 'y',
    is_local: false, name: 'T', popularity: 1, type: 'track', uri: 'spotify:track:y',
  };
}

test('validator accepts a good track and rejects broken ones', () => {
  const v = new Validator();
  const schema = v.responseSchema('/tracks/{id}', 'get', 200);
  assert.deepEqual(v.validate(goodTrack(), schema), []);

  const missing = goodTrack();
  delete missing.album.id; // AlbumBase requires id
  assert.ok(v.validate(missing, schema).some((e) => e.includes('$.album.id: required property missing')));

  const wrongType = goodTrack();
  wrongType.duration_ms = '1000';
  assert.ok(v.validate(wrongType, schema).some((e) => e.includes('$.duration_ms: expected integer')));

  const badEnum = goodTrack();
  badEnum.album.release_date_precision = 'decade';
  assert.ok(v.validate(badEnum, schema).some((e) => e.includes('release_date_precision')));

  const badImage = goodTrack();
  delete badImage.album.images[0].width; // ImageObject requires width (nullable)
  assert.ok(v.validate(badImage, schema).some((e) => e.includes('images[0].width: required')));

  const noName = goodTrack();
  delete noName.name; // promised by the simulator
  assert.ok(v.validate(noName, schema).some((e) => e.includes('$.name: required property missing')));

  const nullName = goodTrack();
  nullName.name = null;
  assert.ok(v.validate(nullName, schema).some((e) => e.includes('$.name: null is not allowed')));

  // an error object with a string status is caught
  const err = v.responseSchema('/me', 'get', 401);
  assert.deepEqual(v.validate({ error: { status: 401, message: 'x' } }, err), []);
  assert.ok(v.validate({ error: { status: '401', message: 'x' } }, err).length > 0);
  assert.ok(v.validate({ error: { message: 'x' } }, err).length > 0);
});

test('validator: paging requires every field; date-time is checked', () => {
  const v = new Validator();
  const schema = v.responseSchema('/me/top/tracks', 'get', 200);
  const page = { href: 'h', items: [], limit: 20, next: null, offset: 0, previous: null, total: 0 };
  assert.deepEqual(v.validate(page, schema), []);
  const { previous, ...noPrev } = page;
  void previous;
  assert.ok(v.validate(noPrev, schema).some((e) => e.includes('previous')));
  const rp = v.responseSchema('/me/player/recently-played', 'get', 200);
  const item = { track: goodTrack(), played_at: 'yesterday', context: null };
  assert.ok(v.validate({ href: 'h', limit: 1, next: null, cursors: null, items: [item] }, rp).some((e) => e.includes('not a date-time')));
});
