// The command line: the start-up line, options, signals, the state file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIM = join(dirname(fileURLToPath(import.meta.url)), '..', 'sim.mjs');

function start(args) {
  const child = spawn(process.execPath, [SIM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
  const ready = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no start-up line: ${out} ${err}`)), 10_000);
    child.stdout.on('data', () => {
      const m = out.match(/^spotify-sim listening on (http:\/\/127\.0\.0\.1:(\d+))\n/);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    exited.then((r) => { clearTimeout(t); reject(new Error(`exited early: ${JSON.stringify(r)}`)); });
  });
  return { child, ready, exited, output: () => out };
}

async function json(url, init) {
  const r = await fetch(url, init);
  return { status: r.status, json: await r.json() };
}

test('start-up line, options, prompt exit on SIGTERM, state file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spotify-sim-'));
  const stateFile = join(dir, 'state.json');
  try {
    const s1 = start(['--port', '0', '--users', '2', '--seed', '7', '--start', '2026-02-02T00:00:00Z',
      '--state-file', stateFile, '--client-id', 'cid', '--client-secret', 'csecret']);
    const url = await s1.ready;
    assert.equal(s1.output().split('\n').filter(Boolean).length, 1, 'exactly one line on stdout');
    let st = (await json(`${url}/_sim/state`)).json;
    assert.equal(st.now_ms, Date.parse('2026-02-02T00:00:00Z'));
    assert.equal(st.seed, '7');
    assert.deepEqual(st.users.map((u) => [u.id, u.refresh_token, u.revoked, u.profile]),
      [['user1', 'rt-user1', false, 'normal'], ['user2', 'rt-user2', false, 'heavy']]);
    assert.match(st.users[0].display_name, /[^\x00-\x7f]/);

    const basic = (id, secret) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('cid', 'csecret') }, body: 'grant_type=refresh_token&refresh_token=rt-user1' };
    const tok = await json(`${url}/api/token`, form);
    assert.equal(tok.status, 200);
    const wrong = await json(`${url}/api/token`, { ...form, headers: { ...form.headers, authorization: basic('sim-client-id', 'sim-client-secret') } });
    assert.equal(wrong.status, 401, 'only the configured client is accepted');
    await json(`${url}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance_s":600}' });
    await json(`${url}/_sim/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"alice","profile":"light","display_name":"Alice Ærø"}' });

    const t0 = Date.now();
    s1.child.kill('SIGTERM');
    const r1 = await s1.exited;
    assert.ok(Date.now() - t0 < 3000, 'exits promptly');
    assert.equal(r1.code, 0);
    assert.ok(existsSync(stateFile));

    // a restart carries on: clock, users, tokens
    const s2 = start(['--port', '0', '--state-file', stateFile, '--client-id', 'cid', '--client-secret', 'csecret']);
    const url2 = await s2.ready;
    st = (await json(`${url2}/_sim/state`)).json;
    assert.equal(st.now_ms, Date.parse('2026-02-02T00:10:00Z'));
    assert.equal(st.seed, '7');
    assert.deepEqual(st.users.map((u) => u.id), ['user1', 'user2', 'alice']);
    assert.equal(st.users[2].display_name, 'Alice Ærø');
    const me = await json(`${url2}/v1/me`, { headers: { authorization: `Bearer ${tok.json.access_token}` } });
    assert.equal(me.status, 200, 'an access token survives a restart');
    s2.child.kill('SIGINT');
    assert.equal((await s2.exited).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--start in ms, --mode development, and bad options', async () => {
  const s = start(['--start', String(Date.parse('2026-03-02T12:00:00Z')), '--mode', 'development', '--users=5']);
  const url = await s.ready;
  const st = (await json(`${url}/_sim/state`)).json;
  assert.equal(st.now_ms, Date.parse('2026-03-02T12:00:00Z'));
  assert.equal(st.mode, 'development');
  assert.equal(st.users.length, 5);
  s.child.kill('SIGTERM');
  await s.exited;

  const six = start(['--mode', 'development', '--users', '6']);
  await assert.rejects(six.ready);
  const r6 = await six.exited;
  assert.equal(r6.code, 1);
  assert.match(r6.err, /at most 5 users/);

  const bad = start(['--frobnicate']);
  await assert.rejects(bad.ready);
  const r = await bad.exited;
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown option --frobnicate/);

  const badMode = start(['--mode', 'sandbox']);
  await assert.rejects(badMode.ready);
  assert.equal((await badMode.exited).code, 1);
});

test('--public-base points image URLs at another origin, and only them', async () => {
  const s = start(['--port', '0', '--users', '1', '--public-base', 'http://127.0.0.1:8080/']);
  const url = await s.ready;
  try {
    const basic = 'Basic ' + Buffer.from('sim-client-id:sim-client-secret').toString('base64');
    const tok = await json(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: 'grant_type=refresh_token&refresh_token=rt-user1' });
    const auth = { headers: { authorization: `Bearer ${tok.json.access_token}` } };
    const top = await json(`${url}/v1/me/top/tracks?limit=50`, auth);
    assert.equal(top.status, 200);
    const albums = top.json.items.map((t) => t.album).filter((a) => a.images.length > 0);
    assert.ok(albums.length > 0);
    for (const a of albums) {
      for (const im of a.images)
        assert.match(im.url, /^http:\/\/127\.0\.0\.1:8080\/_sim\/image\/album\//);
      assert.ok(a.href.startsWith(`${url}/v1/albums/`), 'API links stay the simulator\'s');
    }
    // The image itself is still served by the simulator.
    const path = new URL(albums[0].images[0].url).pathname;
    const img = await fetch(url + path);
    assert.equal(img.status, 200);
    assert.match(img.headers.get('content-type'), /^image\/svg\+xml/);
    await img.arrayBuffer();
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  const bad = start(['--port', '0', '--public-base', 'ftp://x']);
  bad.ready.catch(() => {});
  const r = await bad.exited;
  assert.equal(r.code, 1);
  assert.match(r.err, /--public-base/);
});
