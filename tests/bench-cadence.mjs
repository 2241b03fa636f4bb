#!/usr/bin/env node
// bench-cadence.mjs — the fixed 20-minute schedule and the adaptive one
// (collector/cadence.h), side by side in one run, judged play by play
// against the simulator's ground truth.
//
//   node tests/bench-cadence.mjs        (or `make bench`, section collector)
//   CADENCE_USERS=200 CADENCE_DAYS=30 CADENCE_STEP_S=300 CADENCE_MAX_S=7200
//
// Two simulators with the same seed and start (so the same listening: it
// is a function of seed, user id, profile and day) each write a clock
// file; two collectors, one with poll_adaptive = 0 and one with the
// default, each follow one of them (clock_file) with their own store (in
// /dev/shm when there is one: the fsyncs are not what is measured).  The
// users are spread evenly over the simulator's nine listener profiles and
// added with add-user.  Then, every CADENCE_STEP_S simulated seconds, both
// clocks move on together and each collector runs `poll-once --due --jobs
// plays`: exactly the daemon's poll of every user whose next plays poll has
// come.  A poll therefore runs up to one step after its slot (the daemon
// runs it within a second): the interval between two polls seen by a user
// may be a step longer than the schedule's, which can only lose more plays
// than the daemon would.  After the last step each collector polls every
// user once more (not counted), then every user's stored plays are
// compared with the truth after the first poll, and every lost play is
// looked for in the recorded gaps.
//
// Requests are the simulator's per-user count of Web API requests
// (requests_by_user); detail look-ups are off (detail_budget = 0) so they
// are recently-played requests only.  Per user per day = that count over
// the days run; "steady" counts from the end of day 7 on (a user's
// learning ends once their journal, the first page included, covers a
// week; up to two weeks while it holds fewer than 50 plays).  Top lists (6 a day) and the weekly jobs (about 0.4 a
// day) are the same for both schedules and not run here; the totals add
// them, as tests/bench-collector.sh does.
//
// Prints a Markdown table; with CADENCE_RESULT set, also `| collector |`
// rows for tests/bench.sh's results file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'collector/linernotes-collector');
const USERS = Number(process.env.CADENCE_USERS ?? 200);
const DAYS = Number(process.env.CADENCE_DAYS ?? 30);
const STEP_S = Number(process.env.CADENCE_STEP_S ?? 300);
const MAX_S = Number(process.env.CADENCE_MAX_S ?? 7200);
const SEED = process.env.CADENCE_SEED ?? '7';
const START = '2026-01-05T00:00:00Z';
const STEADY_FROM_DAY = 7;
const PROFILES = ['daytime', 'nightowl', 'office', 'weekend', 'bursty', 'skipper', 'light', 'normal', 'heavy'];
const EXTRA_PER_DAY = 6 + 3 / 7; // top lists daily; /me, playlists, DW weekly

if (!existsSync(BIN)) { console.error('bench-cadence: build first (make all)'); process.exit(1); }
const base = existsSync('/dev/shm') ? '/dev/shm' : (process.env.TMPDIR ?? '/tmp');
const DIR = mkdtempSync(join(base, 'ln-cadence-'));
const children = new Set();
process.on('exit', () => { for (const c of children) c.kill(); rmSync(DIR, { recursive: true, force: true }); });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(1));

function startSim(name) {
  return new Promise((resolve, reject) => {
    const clock = join(DIR, `${name}.clock`);
    const c = spawn('node', [join(ROOT, 'tests/spotify-sim/sim.mjs'), '--port', '0', '--users', '0',
      '--seed', SEED, '--start', START, '--clock-file', clock], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(c);
    let out = '';
    c.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/spotify-sim listening on (\S+)/);
      if (m) resolve({ url: m[1], clock, proc: c });
    });
    c.on('exit', (code) => reject(new Error(`simulator ${name} exited ${code}`)));
  });
}

async function admin(sim, method, path, body) {
  const r = await fetch(`${sim.url}/_sim/${path}`, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

function run(col, args) {
  return new Promise((resolve, reject) => {
    const c = spawn(BIN, ['-c', col.conf, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => { stdout += d; });
    c.stderr.on('data', (d) => { stderr += d; });
    c.on('error', reject);
    c.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function collector(name, sim, adaptive) {
  const db = join(DIR, `${name}.db`);
  mkdirSync(db);
  const conf = join(DIR, `${name}.conf`);
  writeFileSync(conf, [
    `db_path = ${db}`, `spotify_api_base = ${sim.url}/v1`, `spotify_accounts_base = ${sim.url}`,
    'client_id = sim-client-id', 'client_secret = sim-client-secret', 'rate_limit = 10000',
    'detail_budget = 0', `clock_file = ${sim.clock}`, `poll_adaptive = ${adaptive ? 1 : 0}`,
    `poll_interval_max = ${MAX_S}`, '',
  ].join('\n'));
  return { name, sim, conf, adaptive };
}

const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const f1 = (x) => (Math.round(x * 10) / 10).toFixed(1);

const t0 = Date.now();
const [simF, simA] = await Promise.all([startSim('fixed'), startSim('adaptive')]);
const cols = [collector('fixed', simF, false), collector('adaptive', simA, true)];
const users = [];
for (let i = 0; i < USERS; i++) users.push({ id: `c${String(i + 1).padStart(3, '0')}`, profile: PROFILES[i % PROFILES.length] });
for (const sim of [simF, simA]) {
  await admin(sim, 'POST', 'clock', { advance_s: 0 }); // write the clock file
  for (const u of users) await admin(sim, 'POST', 'users', u);
}
const startMs = (await admin(simF, 'GET', 'state')).now_ms;
for (const col of cols) {
  for (let i = 0; i < users.length; i += 8) {
    const rs = await Promise.all(users.slice(i, i + 8).map((u) => run(col, ['add-user', '--refresh-token', `rt-${u.id}`])));
    for (const r of rs) if (r.code !== 0) throw new Error(`add-user: ${r.stderr}`);
  }
}
for (const sim of [simF, simA]) await admin(sim, 'POST', 'stats/reset');

const steps = Math.round(DAYS * 86400 / STEP_S);
const steadyStep = Math.round(STEADY_FROM_DAY * 86400 / STEP_S);
let steadyStats = null;
let failures = 0;
for (let s = 0; s < steps; s++) {
  if (s > 0) await Promise.all([simF, simA].map((sim) => admin(sim, 'POST', 'clock', { advance_s: STEP_S })));
  if (s === steadyStep) steadyStats = await Promise.all([simF, simA].map((sim) => admin(sim, 'GET', 'stats')));
  const rs = await Promise.all(cols.map((col) => run(col, ['poll-once', '--due', '--jobs', 'plays'])));
  for (const r of rs) if (r.code !== 0) { failures++; if (failures < 5) process.stderr.write(r.stderr); }
  if (process.env.CADENCE_PROGRESS && s % Math.round(86400 / STEP_S) === 0) {
    console.error(`bench-cadence: day ${s * STEP_S / 86400} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}
await Promise.all([simF, simA].map((sim) => admin(sim, 'POST', 'clock', { advance_s: STEP_S })));
const endStats = await Promise.all([simF, simA].map((sim) => admin(sim, 'GET', 'stats')));
for (const col of cols) {
  const r = await run(col, ['poll-once', '--jobs', 'plays']);
  if (r.code !== 0) failures++;
}
const runS = (Date.now() - t0) / 1000;

// ---- play by play -----------------------------------------------------------
const result = {};
for (const [k, col] of cols.entries()) {
  const gapsOut = (await run(col, ['gaps'])).stdout;
  const gaps = new Map();
  for (const l of gapsOut.split('\n')) {
    const f = l.trim().split(/\s+/);
    if (f.length < 3 || !/^\d+$/.test(f[1])) continue;
    // user from_ms from_iso to_ms to_iso reason recorded
    const nums = f.filter((x) => /^\d+$/.test(x)).map(Number);
    (gaps.get(f[0]) ?? gaps.set(f[0], []).get(f[0])).push([nums[0], nums[1]]);
  }
  const per = {};
  const reqs = [], steadyReqs = [];
  for (const u of users) {
    const truthPlays = (await admin(col.sim, 'GET', `truth/${u.id}?from_ms=${startMs + 1}`)).plays.map((p) => p.played_at_ms);
    const stored = new Set((await run(col, ['plays', '--user', u.id])).stdout.split('\n').filter(Boolean).map((l) => Number(l.split(' ')[0])));
    const ug = gaps.get(u.id) ?? [];
    let lost = 0, silent = 0;
    for (const t of truthPlays) {
      if (stored.has(t)) continue;
      lost++;
      if (!ug.some(([a, b]) => t > a && t < b)) silent++;
    }
    const p = per[u.profile] ??= { users: 0, plays: 0, lost: 0, silent: 0, gaps: 0, reqs: 0 };
    p.users++; p.plays += truthPlays.length; p.lost += lost; p.silent += silent; p.gaps += ug.length;
    const n = endStats[k].requests_by_user[u.id] ?? 0;
    const n0 = steadyStats?.[k].requests_by_user[u.id] ?? 0;
    p.reqs += n / DAYS;
    reqs.push(n / DAYS);
    if (steadyStats) steadyReqs.push((n - n0) / (DAYS - STEADY_FROM_DAY));
  }
  result[col.name] = { per, reqs, steadyReqs };
}

// ---- report -----------------------------------------------------------------
const out = [];
const F = result.fixed, A = result.adaptive;
out.push(`Adaptive vs fixed plays polls: ${USERS} users, ${DAYS} simulated days, steps of ${STEP_S} s, ceiling ${MAX_S} s, seed ${SEED}; run ${f1(runS)} s wall; ${failures} failed poll-once runs`);
out.push('');
out.push('| recently-played requests per user per day | fixed | adaptive |');
out.push('|---|---|---|');
for (const [name, sel] of [['whole run', 'reqs'], [`steady (from day ${STEADY_FROM_DAY})`, 'steadyReqs']]) {
  if (!F[sel].length) continue;
  out.push(`| ${name}: median / p90 / max | ${f1(pct(F[sel], 0.5))} / ${f1(pct(F[sel], 0.9))} / ${f1(Math.max(...F[sel]))} | ${f1(pct(A[sel], 0.5))} / ${f1(pct(A[sel], 0.9))} / ${f1(Math.max(...A[sel]))} |`);
}
out.push(`| all Web API, median (+ ${f1(EXTRA_PER_DAY)} top and weekly) | ${f1(pct(F.reqs, 0.5) + EXTRA_PER_DAY)} | ${f1(pct(A.reqs, 0.5) + EXTRA_PER_DAY)} |`);
out.push('');
out.push('| profile | users | plays (truth) | req/user/day fixed | adaptive | lost fixed | lost adaptive | gaps fixed | gaps adaptive | silent losses (f/a) |');
out.push('|---|---|---|---|---|---|---|---|---|---|');
for (const p of PROFILES) {
  const f = F.per[p], a = A.per[p];
  if (!f) continue;
  out.push(`| ${p} | ${f.users} | ${f.plays} | ${f1(f.reqs / f.users)} | ${f1(a.reqs / a.users)} | ${f.lost} | ${a.lost} | ${f.gaps} | ${a.gaps} | ${f.silent}/${a.silent} |`);
}
console.log(out.join('\n'));
if (process.env.CADENCE_RESULT) {
  const rows = [
    `| collector | cadence: ${USERS} users x ${DAYS} days, recently-played requests/user/day fixed (median/p90/max) | ${f1(pct(F.reqs, 0.5))}/${f1(pct(F.reqs, 0.9))}/${f1(Math.max(...F.reqs))} | | steps of ${STEP_S} s |`,
    `| collector | ... adaptive (median/p90/max) | ${f1(pct(A.reqs, 0.5))}/${f1(pct(A.reqs, 0.9))}/${f1(Math.max(...A.reqs))} | | ceiling ${MAX_S} s; all Web API median ${f1(pct(A.reqs, 0.5) + EXTRA_PER_DAY)}${A.steadyReqs.length ? `, from day ${STEADY_FROM_DAY} ${f1(pct(A.steadyReqs, 0.5) + EXTRA_PER_DAY)}` : ''}; target <= 40 |`,
    `| collector | ... plays lost fixed / adaptive | ${PROFILES.map((p) => F.per[p].lost).reduce((x, y) => x + y, 0)} / ${PROFILES.map((p) => A.per[p].lost).reduce((x, y) => x + y, 0)} | | per profile in the cadence table; silent ${PROFILES.map((p) => F.per[p].silent + A.per[p].silent).reduce((x, y) => x + y, 0)} (must be 0) |`,
  ];
  appendFileSync(process.env.CADENCE_RESULT, rows.join('\n') + '\n');
  for (const r of rows) console.log(r);
}
process.exit(0);
