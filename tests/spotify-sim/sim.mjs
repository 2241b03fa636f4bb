#!/usr/bin/env node
// spotify-sim: a fake Spotify (Web API + accounts service) for linernotes'
// tests and demo. Node.js built-in modules only. See README.md.
//
//   node tests/spotify-sim/sim.mjs [--port N] [--host 127.0.0.1]
//        [--mode extended|development] [--seed S] [--users N]
//        [--start ISO8601|ms] [--state-file F] [--clock-file F]
//        [--client-id ID] [--client-secret SECRET] [--public-base URL]
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCatalog } from './lib/catalog.mjs';
import { Listening } from './lib/listening.mjs';
import { SimState } from './lib/state.mjs';
import { Accounts } from './lib/accounts.mjs';
import { Faults } from './lib/faults.mjs';
import { WebApi, classify } from './lib/webapi.mjs';
import { handleAdmin } from './lib/admin.mjs';
import { parseTime } from './lib/util.mjs';

export const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  mode: 'extended',
  seed: '42',
  users: 0,
  start: '2026-01-05T00:00:00Z',
  stateFile: null,
  clockFile: null,
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  publicBase: null,
};

// --public-base: an absolute http(s) URL; its trailing slashes go.
function publicBase(v) {
  if (v === null || v === undefined) return null;
  let u;
  try { u = new URL(String(v)); } catch { u = null; }
  if (!u || !['http:', 'https:'].includes(u.protocol) || u.search || u.hash) throw new Error('--public-base must be an http or https URL without a query');
  return u.href.replace(/\/+$/, '');
}

const MAX_BODY = 1 << 20;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) { reject(Object.assign(new Error('body too large'), { status: 413 })); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Start a simulator. Resolves once it listens; returns {url, port, close, sim}.
export async function startSim(options = {}) {
  const opt = { ...DEFAULTS, ...options };
  const saved = SimState.peek(opt.stateFile);
  const seed = String(options.seed ?? saved?.seed ?? opt.seed);
  const startMs = saved?.start_ms ?? parseTime(opt.start);
  if (!['extended', 'development'].includes(opt.mode)) throw new Error('--mode must be extended or development');
  if (!/^\d+$/.test(String(opt.users))) throw new Error('--users must be a whole number');
  if (!/^\d+$/.test(String(opt.port)) || Number(opt.port) > 65535) throw new Error('--port must be a port number (0 picks a free one)');
  const imageBase = publicBase(opt.publicBase);

  const state = new SimState({ startMs, mode: opt.mode, seed, clientId: opt.clientId, clientSecret: opt.clientSecret, stateFile: opt.stateFile, clockFile: opt.clockFile });
  const catalog = buildCatalog();
  const listening = new Listening(catalog, { seed, startMs, now: () => state.nowMs });
  const api = new WebApi({ state, catalog, listening, base: '' });
  const accounts = new Accounts(state);
  const faults = new Faults(state);
  state.onUserAdded = (u) => api.indexUser(u);
  if (saved) state.load(saved);
  if (options.mode !== undefined) state.mode = opt.mode; // an explicit --mode wins over the saved one
  state.addNumberedUsers(Number(opt.users));
  state.writeClock();
  faults.resetStats();
  const sim = { state, catalog, listening, api, accounts, faults };

  const server = createServer((req, res) => {
    handle(sim, req, res).catch((err) => {
      if (!res.headersSent) {
        const status = err.status || 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { status, message: status === 500 ? `simulator error: ${err.message}` : err.message } }));
      } else res.destroy();
      if (!err.status) process.stderr.write(`spotify-sim: ${err.stack}\n`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on('connection', () => { faults.connections++; });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(opt.port), opt.host, () => { server.off('error', reject); resolve(); });
  });
  const port = server.address().port;
  const url = `http://${opt.host}:${port}`;
  api.base = url;
  api.imageBase = imageBase ?? url;
  sim.url = url;

  const close = async () => {
    state.save();
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return { url, port, server, sim, close };
}

async function handle(sim, req, res) {
  const { api, accounts, faults } = sim;
  const url = new URL(req.url, sim.url);
  const path = url.pathname;
  const params = url.searchParams;

  if (path.startsWith('/_sim/')) {
    let body = null;
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE') {
      const raw = await readBody(req);
      if (raw.trim()) {
        try { body = JSON.parse(raw); } catch { return write(res, { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"invalid JSON body"}' }); }
      } else body = {};
    }
    return write(res, handleAdmin(sim, req.method, path, params, body));
  }

  const endpoint = classify(req.method, path);
  const scope = endpoint === 'token' || endpoint === 'authorize' ? 'accounts' : 'api';
  const arrival = Date.now();
  faults.arrival(endpoint, arrival);
  const raw = req.method === 'POST' ? await readBody(req) : '';

  let resp = null;
  let fault = null;
  if (endpoint === 'authorize') {
    resp = req.method === 'GET' ? accounts.authorize(params) : apiError(405, 'Method not allowed');
  } else if (endpoint === 'other' && !path.startsWith('/v1/')) {
    resp = apiError(404, 'Service not found');
  } else {
    if (scope === 'api') resp = faults.rateLimit(arrival);
    if (!resp && endpoint !== 'other') {
      let userId = null;
      if (endpoint === 'token') {
        try { userId = accounts.userForRequest(new URLSearchParams(raw)); } catch { userId = null; }
      } else {
        userId = api.tokenUser(req);
        if (userId) faults.userRequest(userId);
      }
      fault = faults.take(endpoint, userId);
    }
    if (fault) {
      if (fault.kind === 'slow') await sleep(fault.delay_ms);
      resp = faults.errorResponse(fault, scope);
      if (!resp && endpoint === 'token' && (fault.kind === 'truncate' || fault.kind === 'malformed')) {
        // never run the token handler for a response the client cannot read:
        // with rotation on it would invalidate the refresh token it holds
        resp = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'BQ'.padEnd(120, 'x'), token_type: 'Bearer', expires_in: 3600, scope: '' }) };
      }
    }
    if (!resp) {
      if (endpoint === 'token') {
        resp = req.method === 'POST' ? accounts.token(req.headers, raw) : { status: 405, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'invalid_request', error_description: 'use POST' }) };
      } else {
        const auth = api.authenticate(req);
        resp = auth.error || api.route(req.method, path, params, auth.user);
      }
    }
    if (fault && (fault.kind === 'truncate' || fault.kind === 'malformed')) resp = faults.mangle(fault, resp);
  }
  if (resp.retryUntil) faults.noteRetry(resp.retryUntil);
  faults.status(resp.status);
  write(res, resp, req.method === 'HEAD');
}

function apiError(status, message) {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { status, message } }) };
}

function write(res, resp, headOnly = false) {
  const body = Buffer.from(resp.body ?? '', 'utf8');
  const headers = { ...resp.headers };
  if (headers['content-type'] === 'application/json') headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = body.length;
  res.writeHead(resp.status, headers);
  if (headOnly) return res.end();
  if (resp.truncate) {
    // announce everything, send half, hang up
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  res.end(body);
}

function parseArgs(argv) {
  const o = {};
  const names = { '--port': 'port', '--host': 'host', '--mode': 'mode', '--seed': 'seed', '--users': 'users', '--start': 'start', '--state-file': 'stateFile', '--clock-file': 'clockFile', '--client-id': 'clientId', '--client-secret': 'clientSecret', '--public-base': 'publicBase' };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i], v;
    const eq = a.indexOf('=');
    if (eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    if (a === '-h' || a === '--help') { o.help = true; continue; }
    const key = names[a];
    if (!key) throw new Error(`unknown option ${a} (try --help)`);
    if (v === undefined) {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      v = argv[++i];
    }
    o[key] = v;
  }
  return o;
}

const USAGE = `usage: node sim.mjs [--port N] [--host 127.0.0.1] [--mode extended|development]
                   [--seed S] [--users N] [--start ISO8601|ms] [--state-file F] [--clock-file F]
                   [--client-id ID] [--client-secret SECRET] [--public-base URL]
`;

async function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`spotify-sim: ${e.message}\n${USAGE}`); process.exit(2); }
  if (o.help) { process.stdout.write(USAGE); return; }
  let sim;
  try {
    sim = await startSim(o);
  } catch (e) {
    process.stderr.write(`spotify-sim: ${e.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`spotify-sim listening on ${sim.url}\n`);
  const stop = () => {
    try { sim.sim.state.save(); } catch (e) { process.stderr.write(`spotify-sim: saving state: ${e.message}\n`); }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
