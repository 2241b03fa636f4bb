// Fault injection, the rolling rate limit, early-request accounting and the
// request statistics.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSim } from '../testkit/harness.mjs';
import { Validator } from '../testkit/openapi.mjs';

const v = new Validator();
const RP = '/v1/me/player/recently-played?limit=5';

function rawGet(url, headers, agent) {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), complete: false, aborted: true }));
      res.on('aborted', () => {});
    });
    req.on('error', (e) => resolve({ error: e }));
  });
}

test('429 with Retry-After in seconds; early requests are counted', async () => {
  await withSim({ users: 2 }, async (c) => {
    const tok = await c.token('user1');
    const f = await c.admin('POST', '/_sim/faults', { endpoint: 'recently-played', kind: '429', retry_after: 1 });
    assert.equal(f.status, 201);
    assert.equal(f.json.count, 1);
    const r = await c.get(RP, tok);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.deepEqual(v.validate(r.json, v.responseSchema('/me/player/recently-played', 'get', 429)), []);
    // too early, on another endpoint of the same app: counted
    assert.equal((await c.get('/v1/me', tok)).status, 200);
    let s = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(s.early_requests, 1);
    assert.deepEqual(s.early_by_endpoint, { me: 1 });
    await sleep(1050);
    assert.equal((await c.get(RP, tok)).status, 200, 'the fault was used up');
    s = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(s.early_requests, 1, 'a request after Retry-After is not early');
    assert.equal(s.requests.by_status['429'], 1);
  });
});

test('429 with an HTTP-date Retry-After, from the wall clock', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '429-date', retry_after: 5 });
    const t0 = Date.now();
    const r = await c.get('/v1/me', tok);
    assert.equal(r.status, 429);
    const h = r.headers.get('retry-after');
    assert.match(h, /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    const until = Date.parse(h);
    assert.ok(until >= t0 + 5000 - 1000 && until <= t0 + 7000, 'about five seconds of wall-clock time from now');
    await c.get('/v1/me', tok);
    const s = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(s.early_requests, 1);
    assert.equal(s.not_before_ms, until);
  });
});

test('quota exceeded: 429 with reason QUOTA_EXCEEDED and a long Retry-After', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    await c.admin('POST', '/_sim/faults', { endpoint: 'top', kind: 'quota' });
    const r = await c.get('/v1/me/top/tracks', tok);
    assert.equal(r.status, 429);
    assert.equal(r.json.error.status, 429);
    assert.equal(r.json.error.reason, 'QUOTA_EXCEEDED');
    assert.equal(typeof r.json.error.message, 'string');
    assert.ok(Number(r.headers.get('retry-after')) >= 3600);
    assert.deepEqual(v.validate(r.json, v.responseSchema('/me/top/tracks', 'get', 429)), []);
  });
});

test('5xx kinds, spurious 401, user filter, counts and clearing', async () => {
  await withSim({ users: 2 }, async (c) => {
    const t1 = await c.token('user1');
    const t2 = await c.token('user2');
    await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '500' });
    let r = await c.get('/v1/me', t1);
    assert.equal(r.status, 500);
    assert.equal(r.json.error.status, 500);
    await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '502' });
    r = await c.get('/v1/me', t1);
    assert.equal(r.status, 502);
    assert.match(r.headers.get('content-type'), /^text\/html/, 'a gateway error is not JSON');
    await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '503' });
    r = await c.get('/v1/me', t1);
    assert.equal(r.status, 503);
    assert.equal(r.json.error.status, 503);

    await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '401' });
    r = await c.get('/v1/me', t1);
    assert.equal(r.status, 401);
    assert.equal(r.json.error.status, 401);
    assert.equal((await c.get('/v1/me', t1)).status, 200, 'the token itself is still good');

    // only user2
    await c.admin('POST', '/_sim/faults', { endpoint: '*', kind: '503', user: 'user2', count: 2 });
    assert.equal((await c.get('/v1/me', t1)).status, 200);
    assert.equal((await c.get('/v1/me/playlists', t2)).status, 503);
    assert.equal((await c.get('/v1/me', t2)).status, 503);
    assert.equal((await c.get('/v1/me', t2)).status, 200, 'count 2 is used up');

    // until cleared
    await c.admin('POST', '/_sim/faults', { endpoint: 'artists', kind: '500', count: -1 });
    const listed = (await c.admin('GET', '/_sim/faults')).json.faults;
    assert.equal(listed.length, 1);
    const artist = (await c.get('/v1/me/top/artists?limit=1', t1)).json.items[0].id;
    for (let i = 0; i < 3; i++) assert.equal((await c.get(`/v1/artists/${artist}`, t1)).status, 500);
    assert.deepEqual((await c.admin('DELETE', '/_sim/faults')).json, { cleared: 1 });
    assert.equal((await c.get(`/v1/artists/${artist}`, t1)).status, 200);

    // bad fault specs
    assert.equal((await c.admin('POST', '/_sim/faults', { endpoint: 'nope', kind: '500' })).status, 400);
    assert.equal((await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '418' })).status, 400);
    assert.equal((await c.admin('POST', '/_sim/faults', { endpoint: 'me', kind: '500', count: 0 })).status, 400);
  });
});

test('slow, truncated and malformed responses', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    await c.admin('POST', '/_sim/faults', { endpoint: 'recently-played', kind: 'slow', delay_ms: 300 });
    const t0 = Date.now();
    const slow = await c.get(RP, tok);
    assert.ok(Date.now() - t0 >= 290, 'the answer was delayed');
    assert.equal(slow.status, 200);
    assert.equal(slow.json.items.length, 5);

    await c.admin('POST', '/_sim/faults', { endpoint: 'recently-played', kind: 'truncate' });
    const cut = await rawGet(c.url + RP, { authorization: `Bearer ${tok}` });
    assert.equal(cut.status, 200);
    assert.equal(cut.complete, false, 'the connection closed before the announced length');
    assert.ok(Number(cut.headers['content-length']) > cut.body.length);
    await c.admin('POST', '/_sim/faults', { endpoint: 'recently-played', kind: 'truncate' });
    await assert.rejects(c.get(RP, tok), 'fetch notices the short body');

    await c.admin('POST', '/_sim/faults', { endpoint: 'recently-played', kind: 'malformed' });
    const bad = await c.get(RP, tok);
    assert.equal(bad.status, 200);
    assert.equal(bad.json, undefined, 'the body is not valid JSON');
    assert.throws(() => JSON.parse(bad.text));
    assert.ok(bad.text.startsWith('{"items":['));

    assert.equal((await c.get(RP, tok)).status, 200, 'and then all is well again');
  });
});

test('faults on the token endpoint never change the tokens', async () => {
  await withSim({ users: 1 }, async (c) => {
    await c.admin('POST', '/_sim/rotation', { enabled: true });
    const expect = { truncate: 'cut', malformed: 200, 503: 503, 429: 429 };
    for (const kind of Object.keys(expect)) {
      await c.admin('POST', '/_sim/faults', { endpoint: 'token', kind, retry_after: 0 });
      const r = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' }).catch(() => ({ status: 'cut' }));
      assert.equal(r.status, expect[kind], kind);
      if (kind === 'malformed') assert.equal(r.json, null, 'unreadable JSON');
      if (kind === '503' || kind === '429') assert.equal(typeof r.json.error, 'string', 'an OAuth-style error body');
    }
    const ok = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' });
    assert.equal(ok.status, 200, 'rt-user1 was never rotated by a faulted answer');
    assert.ok(ok.json.refresh_token);
  });
});

test('the rolling rate limit answers 429 until the window frees', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    assert.deepEqual((await c.admin('POST', '/_sim/ratelimit', { window_s: 1, max: 3 })).json, { window_s: 1, max: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await c.get('/v1/me', tok)).status, 200);
    const r = await c.get('/v1/me', tok);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.equal(r.json.error.status, 429);
    // the accounts service is not limited, but a request to it now is early too
    assert.equal((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' })).status, 200);
    await c.get('/v1/me', tok); // early
    let s = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(s.early_requests, 2);
    assert.deepEqual(s.early_by_endpoint, { token: 1, me: 1 });
    await sleep(1100);
    assert.equal((await c.get('/v1/me', tok)).status, 200);
    s = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(s.early_requests, 2);
    await c.admin('POST', '/_sim/ratelimit', { max: 0 });
    for (let i = 0; i < 10; i++) assert.equal((await c.get('/v1/me', tok)).status, 200);
  });
});

test('statistics: requests by endpoint and status, connections, reset', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    await c.admin('POST', '/_sim/stats/reset');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) {
      const r = await rawGet(`${c.url}/v1/me`, { authorization: `Bearer ${tok}` }, agent);
      assert.equal(r.status, 200);
    }
    await rawGet(`${c.url}/v1/me/top/artists`, { authorization: `Bearer ${tok}` }, agent);
    await rawGet(`${c.url}/v1/me`, {}, agent);
    agent.destroy();
    const s = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(s.requests.total, 7);
    assert.deepEqual(s.requests.by_endpoint, { me: 6, top: 1 });
    assert.deepEqual(s.requests.by_status, { 200: 6, 401: 1 });
    // one keep-alive connection for the seven requests, plus the admin call's
    assert.ok(s.connections_opened >= 1 && s.connections_opened <= 3, `connections: ${s.connections_opened}`);
    assert.equal(s.tokens_issued, 0);
    const z = (await c.admin('POST', '/_sim/stats/reset')).json;
    assert.equal(z.requests.total, 0);
    assert.equal(z.early_requests, 0);
    assert.equal(z.connections_opened, 0);
  });
});
