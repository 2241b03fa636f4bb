// The accounts service: authorization code with PKCE, refresh, rotation,
// revocation, expiry of access and refresh tokens, client authentication.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { withSim, BASIC, CLIENT_ID } from '../testkit/harness.mjs';

const REDIRECT = 'http://127.0.0.1:8080/callback';

async function authorize(c, query) {
  const r = await fetch(`${c.url}/authorize?${new URLSearchParams(query)}`, { redirect: 'manual' });
  return { status: r.status, location: r.headers.get('location'), text: await r.text() };
}

function tokenShape(j, { refresh }) {
  assert.equal(typeof j.access_token, 'string');
  assert.equal(j.token_type, 'Bearer');
  assert.equal(j.expires_in, 3600);
  assert.equal(typeof j.scope, 'string');
  if (refresh) assert.equal(typeof j.refresh_token, 'string');
  else assert.equal(j.refresh_token, undefined);
}

test('authorization code with PKCE S256, then refresh', async () => {
  await withSim({ users: 2 }, async (c) => {
    const verifier = randomBytes(40).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const a = await authorize(c, {
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, state: 'xyz 1',
      scope: 'user-read-recently-played user-top-read', code_challenge: challenge, code_challenge_method: 'S256',
      sim_user: 'alice',
    });
    assert.equal(a.status, 302);
    const loc = new URL(a.location);
    assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT);
    assert.equal(loc.searchParams.get('state'), 'xyz 1');
    const code = loc.searchParams.get('code');
    assert.ok(code);

    // a wrong verifier is refused; the code is still usable afterwards
    const bad = await c.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: 'nope' }, { auth: null });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'invalid_grant');

    // PKCE: client_id in the body, no secret
    const ok = await c.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier }, { auth: null });
    assert.equal(ok.status, 200, ok.text);
    tokenShape(ok.json, { refresh: true });
    assert.equal(ok.json.scope, 'user-read-recently-played user-top-read');
    const me = await c.get('/v1/me', ok.json.access_token);
    assert.equal(me.json.id, 'alice', 'an unknown sim_user is created');

    // a code works once
    const again = await c.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT_ID, code_verifier: verifier }, { auth: null });
    assert.equal(again.status, 400);
    assert.equal(again.json.error, 'invalid_grant');

    // refresh without rotation: no new refresh token
    const r = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: ok.json.refresh_token });
    assert.equal(r.status, 200);
    tokenShape(r.json, { refresh: false });
    assert.notEqual(r.json.access_token, ok.json.access_token);
    assert.equal((await c.get('/v1/me', r.json.access_token)).status, 200);

    const state = (await c.admin('GET', '/_sim/state')).json;
    assert.equal(state.users.find((u) => u.id === 'alice').refresh_token, ok.json.refresh_token);

    // without sim_user the first user signs in; a client secret flow without PKCE
    const b = await authorize(c, { client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT });
    const code2 = new URL(b.location).searchParams.get('code');
    const noRedirect = await c.tokenRequest({ grant_type: 'authorization_code', code: code2, redirect_uri: 'http://127.0.0.1:1/other' });
    assert.equal(noRedirect.json.error, 'invalid_grant');
    const t2 = await c.tokenRequest({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT });
    assert.equal(t2.status, 200);
    assert.equal((await c.get('/v1/me', t2.json.access_token)).json.id, 'user1');
  });
});

test('authorize validates its input', async () => {
  await withSim({ users: 1 }, async (c) => {
    assert.equal((await authorize(c, { response_type: 'code', redirect_uri: REDIRECT })).status, 400);
    assert.equal((await authorize(c, { client_id: 'other', response_type: 'code', redirect_uri: REDIRECT })).status, 400);
    assert.equal((await authorize(c, { client_id: CLIENT_ID, response_type: 'code' })).status, 400);
    const tok = await authorize(c, { client_id: CLIENT_ID, response_type: 'token', redirect_uri: REDIRECT, state: 's' });
    assert.equal(new URL(tok.location).searchParams.get('error'), 'unsupported_response_type');
    const plain = await authorize(c, { client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, code_challenge: 'x', code_challenge_method: 'plain' });
    assert.equal(new URL(plain.location).searchParams.get('error'), 'invalid_request');
    const deny = await authorize(c, { client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, state: 's', sim_deny: '1' });
    const dl = new URL(deny.location);
    assert.equal(dl.searchParams.get('error'), 'access_denied');
    assert.equal(dl.searchParams.get('state'), 's');
  });
});

test('client authentication and grant errors', async () => {
  await withSim({ users: 1 }, async (c) => {
    const wrong = 'Basic ' + Buffer.from(`${CLIENT_ID}:wrong`).toString('base64');
    const r1 = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' }, { auth: wrong });
    assert.equal(r1.status, 401);
    assert.equal(r1.json.error, 'invalid_client');
    const other = 'Basic ' + Buffer.from('someone:sim-client-secret').toString('base64');
    assert.equal((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' }, { auth: other })).status, 401);
    const r2 = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-nobody' });
    assert.equal(r2.status, 400);
    assert.equal(r2.json.error, 'invalid_grant');
    assert.equal(typeof r2.json.error_description, 'string');
    const r3 = await c.tokenRequest({ grant_type: 'password' });
    assert.equal(r3.json.error, 'unsupported_grant_type');
    const r4 = await fetch(`${c.url}/api/token`, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(r4.status, 400);
    // client credentials in the body work as well
    const r5 = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1', client_id: CLIENT_ID, client_secret: 'sim-client-secret' }, { auth: null });
    assert.equal(r5.status, 200);
  });
});

test('access tokens expire after 3600 virtual seconds', async () => {
  await withSim({ users: 1 }, async (c) => {
    const tok = await c.token('user1');
    await c.advance(3599);
    assert.equal((await c.get('/v1/me', tok)).status, 200);
    await c.advance(1);
    const r = await c.get('/v1/me', tok);
    assert.equal(r.status, 401);
    assert.equal(r.json.error.status, 401);
    assert.match(r.json.error.message, /expired/);
    assert.match(r.headers.get('www-authenticate'), /^Bearer /);
    // expire-access: every current token of the user stops working at once
    const t1 = await c.token('user1');
    const t2 = await c.token('user1');
    assert.equal((await c.admin('POST', '/_sim/users/user1/expire-access')).json.expired, 2);
    assert.equal((await c.get('/v1/me', t1)).status, 401);
    assert.equal((await c.get('/v1/me', t2)).status, 401);
    assert.equal((await c.get('/v1/me', await c.token('user1'))).status, 200, 'a new token works');
  });
});

test('revocation gives invalid_grant; a new authorization heals it', async () => {
  await withSim({ users: 2 }, async (c) => {
    const tok = await c.token('user2');
    assert.equal((await c.admin('POST', '/_sim/users/user2/revoke')).status, 200);
    assert.equal((await c.get('/v1/me', tok)).status, 401, 'access tokens are revoked too');
    const r = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user2' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    let st = (await c.admin('GET', '/_sim/state')).json;
    assert.equal(st.users.find((u) => u.id === 'user2').revoked, true);
    assert.equal(st.users.find((u) => u.id === 'user1').revoked, false);
    assert.equal((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' })).status, 200, 'other users are unaffected');

    const a = await authorize(c, { client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, sim_user: 'user2' });
    const t = await c.tokenRequest({ grant_type: 'authorization_code', code: new URL(a.location).searchParams.get('code'), redirect_uri: REDIRECT });
    assert.equal(t.status, 200);
    assert.equal((await c.get('/v1/me', t.json.access_token)).status, 200);
    st = (await c.admin('GET', '/_sim/state')).json;
    const u2 = st.users.find((u) => u.id === 'user2');
    assert.equal(u2.revoked, false);
    assert.equal(u2.refresh_token, t.json.refresh_token);
    assert.equal((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user2' })).json.error, 'invalid_grant', 'the revoked token stays revoked');
  });
});

test('refresh tokens expire six months after authorization', async () => {
  await withSim({ users: 1, start: '2026-01-05T00:00:00Z' }, async (c) => {
    const info = (await c.admin('GET', '/_sim/users/user1')).json;
    assert.equal(info.refresh_token_expires_ms, Date.parse('2026-07-05T00:00:00Z'));
    await c.admin('POST', '/_sim/clock', { set_ms: Date.parse('2026-07-04T23:59:59Z') });
    assert.equal((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' })).status, 200);
    await c.advance(1);
    const r = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    assert.match(r.json.error_description, /expired/);
  });
});

test('refresh-token rotation, globally and per user', async () => {
  await withSim({ users: 3 }, async (c) => {
    assert.deepEqual((await c.admin('POST', '/_sim/rotation', { enabled: true })).json, { enabled: true });
    const r1 = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' });
    tokenShape(r1.json, { refresh: true });
    assert.notEqual(r1.json.refresh_token, 'rt-user1');
    const old = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user1' });
    assert.equal(old.json.error, 'invalid_grant', 'the rotated-out token no longer works');
    const r2 = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: r1.json.refresh_token });
    assert.equal(r2.status, 200);
    assert.notEqual(r2.json.refresh_token, r1.json.refresh_token);
    const st = (await c.admin('GET', '/_sim/state')).json;
    assert.equal(st.users[0].refresh_token, r2.json.refresh_token);
    assert.equal(st.rotation, true);

    // per user: user2 opts out while rotation is on globally
    await c.admin('POST', '/_sim/rotation', { user: 'user2', enabled: false });
    const u2 = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user2' });
    tokenShape(u2.json, { refresh: false });
    // and globally off, user3 opts in
    await c.admin('POST', '/_sim/rotation', { enabled: false });
    await c.admin('POST', '/_sim/rotation', { user: 'user3', enabled: true });
    tokenShape((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: 'rt-user3' })).json, { refresh: true });
    tokenShape((await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: r2.json.refresh_token })).json, { refresh: false });

    const stats = (await c.admin('GET', '/_sim/stats')).json;
    assert.equal(stats.tokens_issued, 5, "one access token per successful grant");
  });
});
