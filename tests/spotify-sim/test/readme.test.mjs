// README.md documents every admin route, fault kind and fault endpoint, and
// every admin route answers (nothing documented is missing from the code).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADMIN_ROUTES } from '../lib/admin.mjs';
import { FAULT_KINDS, FAULT_ENDPOINTS } from '../lib/faults.mjs';
import { withSim } from '../testkit/harness.mjs';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

test('README documents every admin route and fault', () => {
  const headings = readme.split('\n').filter((l) => l.startsWith('### ')).join('\n');
  for (const [method, path] of ADMIN_ROUTES) {
    const basePath = path.split('?')[0];
    assert.ok(headings.includes(`${method} ${basePath}`), `README has a section for ${method} ${path}`);
  }
  for (const k of FAULT_KINDS) assert.ok(readme.includes(`\`${k}\``), `fault kind ${k}`);
  for (const e of FAULT_ENDPOINTS) assert.ok(readme.includes(`\`${e}\``), `fault endpoint ${e}`);
});

test('every documented admin route exists', async () => {
  await withSim({ users: 1 }, async (c) => {
    const bodies = {
      '/_sim/clock': { advance_s: 0 },
      '/_sim/users': { id: 'doc' },
      '/_sim/faults': { endpoint: 'me', kind: '500' },
      '/_sim/ratelimit': { max: 0 },
      '/_sim/mode': { mode: 'extended' },
      '/_sim/rotation': { enabled: false },
      '/_sim/users/:id/profile': { profile: 'normal' },
    };
    for (const [method, path] of ADMIN_ROUTES) {
      const p = path.replace(':id', 'user1').replace(':kind', 'album').replace(':size', '64');
      const r = await fetch(c.url + p, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : JSON.stringify(bodies[path] ?? {}),
      });
      assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status}`);
      await r.arrayBuffer();
    }
    const missing = await c.admin('GET', '/_sim/nothing');
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.json.error, 'string');
    const badJson = await fetch(`${c.url}/_sim/clock`, { method: 'POST', body: '{nope' });
    assert.equal(badJson.status, 400);
  });
});
