// Test helpers: start a simulator in-process on port 0 and talk to it.
import { startSim } from '../sim.mjs';

export const CLIENT_ID = 'sim-client-id';
export const CLIENT_SECRET = 'sim-client-secret';
export const BASIC = 'Basic ' + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
export const START_MS = Date.parse('2026-01-05T00:00:00Z');

export async function withSim(options, fn) {
  const s = await startSim({ port: 0, ...options });
  try {
    return await fn(client(s));
  } finally {
    await s.close();
  }
}

export function client(s) {
  const c = {
    url: s.url,
    sim: s.sim,
    async admin(method, path, body) {
      const r = await fetch(s.url + path, {
        method,
        headers: body !== undefined ? { 'content-type': 'application/json' } : {},
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    async tokenRequest(form, { auth = BASIC } = {}) {
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      if (auth) headers.authorization = auth;
      const r = await fetch(`${s.url}/api/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* left null */ }
      return { status: r.status, headers: r.headers, json, text };
    },
    async token(user) {
      const r = await c.tokenRequest({ grant_type: 'refresh_token', refresh_token: `rt-${user}` });
      if (r.status !== 200) throw new Error(`token for ${user}: ${r.status} ${r.text}`);
      return r.json.access_token;
    },
    async get(path, token, init = {}) {
      const headers = { ...(init.headers || {}) };
      if (token) headers.authorization = `Bearer ${token}`;
      const r = await fetch(path.startsWith('http') ? path : s.url + path, { ...init, headers });
      const text = await r.text();
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: r.status, headers: r.headers, json, text };
    },
    advance: (seconds) => c.admin('POST', '/_sim/clock', { advance_s: seconds }),
  };
  return c;
}
