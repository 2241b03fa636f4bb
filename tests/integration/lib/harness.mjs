// harness.mjs — what every integration test uses to run the real programs
// (the simulator, spawn-fcgi + linernotes-fcgi, nginx, the collector) on
// loopback.  Node built-ins only.
//
// API (tests are written against exactly this):
//
//   repoRoot                 absolute path of the checkout
//   bin.collector, bin.fcgi  absolute paths of the two programs (`make all`)
//
//   testStart                the moment every simulator started here begins
//                            at (Unix ms): the environment's TEST_START
//                            (an ISO 8601 date or time, UTC unless it says
//                            otherwise), by default 2026-01-05T00:00:00Z.
//                            The day the tests run on is this parameter,
//                            never the machine's date (tests/days.sh runs
//                            the suites on many).
//
//   useFixtureStack(name, fill)
//       for a file of read-only API tests: registers a before hook that
//       makes a run dir (name) with a default config, calls fill(dbDir)
//       to write the store (tests/tools/fixture.mjs) and starts the
//       stack, and an after hook that stops it and cleans up.  Returns
//       {stack, api}, both set once the before hook ran; api is
//       stack.baseUrl + '/api/v0'.
//
//   await startSim({users = 3, mode = 'extended', seed, publicBase,
//       clock = false, args = []})
//       starts tests/spotify-sim/sim.mjs on a free port, its clock at
//       testStart (args may say --start otherwise), and waits for its
//       "spotify-sim listening on URL" line; with clock, the simulator
//       writes its clock to a file that configValues() names as
//       clock_file, so the collector and the reader date what they
//       record by the simulator's clock; publicBase (a site's URL,
//       e.g. http://127.0.0.1:PORT of a stack started with that port and
//       simUrl) is where its image URLs then point.  Returns
//       {url, apiBase, accountsBase, admin(method, path, body), output(),
//        stop()}; apiBase = url + '/v1', accountsBase = url.  admin()
//       calls the simulator's admin API: path '/_sim/state' or just
//       'state' (prefixed with /_sim/); body is sent as JSON; it resolves
//       to the parsed JSON answer (null for an empty one) and rejects on a
//       non-2xx status.  output() is what the simulator printed.
//
//   makeRunDir(name)         a fresh directory run/test/<name>-<random>,
//                            removed by cleanup() unless KEEP_RUN=1
//   writeConfig(dir, values) writes dir/linernotes.conf (mode 0600) with
//                            db_path = dir/db (created) and every key of
//                            values (which may override db_path); returns
//                            the file's path
//   writeConfigAt(dir, now, values)
//                            writeConfig() with the reader's and the
//                            collector's clock fixed at now (Unix ms) from
//                            then on: a clock_file dir/clock saying so
//   sim.configValues()       (on a startSim() result) the keys that point
//                            linernotes at that simulator, for writeConfig
//
//   await startStack({dir, config, port = 0, fcgiProcs = 2, www, simUrl})
//       spawn-fcgi with fcgiProcs linernotes-fcgi processes on a unix
//       socket, and nginx (daemon off, a child of this process) from the
//       nginx/ templates rendered by nginx/render.sh, the same as the demo,
//       listening on 127.0.0.1:port (0: a free port), serving www (default
//       the checkout's www/); with simUrl (a startSim() url) nginx also
//       passes GET /_sim/image/ to that simulator, as the demo does, so
//       its artwork shows on the pages' origin.  rates {auth, export}
//       are nginx's per-address limits (nginx/render.sh; default here
//       10000r/s, far above the template's).  Waits until
//       /api/v0/health answers 200.
//       The readers run under multiwatch (spawn-fcgi starts it; it
//       replaces a reader that dies), as in the demo and the service.
//       Returns {baseUrl, port, socket, readers(), stopReaders(),
//       stop()}; readers() is the pids of the readers running now;
//       stopReaders() stops multiwatch and the readers, not nginx.  The programs' logs are
//       dir/fcgi.log, dir/nginx-error.log, dir/nginx-access.log.
//
//   runCollector(args, {config, env, input, timeout = 30000})
//       runs linernotes-collector [-c config] args... to completion;
//       returns {code, signal, stdout, stderr}.  env is added to this
//       process's environment.
//   spawnCollector(args, {config, env})
//       starts it (e.g. the `run` daemon) and returns the ChildProcess;
//       its output is drained into child.out.stdout / child.out.stderr
//       (and may also be listened to).  Killed by cleanup().
//
//   await httpJson(method, url, body, headers)
//       one HTTP request; a body that is not a string is sent as JSON.
//       Returns {status, headers (lower-case names), json (null when the
//       answer is not JSON), text}.
//
//   await waitFor(fn, {timeout = 10000, interval = 50, what})
//       calls (async) fn until it returns a truthy value, which it returns;
//       rejects after timeout.
//   freePort()               resolves to a TCP port free on 127.0.0.1
//   cleanup()                stops everything started and removes the run
//                            directories (KEEP_RUN=1 keeps them); also runs
//                            by itself when the process exits
//
// Every process started here is killed by its stop(), by cleanup(), or
// when the test process exits or is interrupted.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(
	path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const bin = {
	collector: path.join(repoRoot, 'collector', 'linernotes-collector'),
	fcgi: path.join(repoRoot, 'fcgi', 'linernotes-fcgi'),
};

const simScript = path.join(repoRoot, 'tests', 'spotify-sim', 'sim.mjs');
const renderScript = path.join(repoRoot, 'nginx', 'render.sh');

// What to undo: child processes, pids of daemons (spawn-fcgi's children),
// directories.
const children = new Set();
const pids = new Set();
const runDirs = new Set();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Whether pid runs (a zombie does not: nobody may reap spawn-fcgi's
// orphans in a container).
function alive(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

function killPid(pid, sig = 'SIGTERM') {
	try {
		process.kill(pid, sig);
	} catch {
		// already gone
	}
}

async function stopPids(list) {
	for (const pid of list)
		killPid(pid);
	for (let i = 0; i < 50 && list.some(alive); i++)
		await sleep(100);
	for (const pid of list) {
		if (alive(pid))
			killPid(pid, 'SIGKILL');
		pids.delete(pid);
	}
}

async function stopChild(child) {
	if (child.exitCode === null && child.signalCode === null) {
		const done = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		const t = setTimeout(() => child.kill('SIGKILL'), 5000);
		await done;
		clearTimeout(t);
	}
	children.delete(child);
}

function track(child) {
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}

// The pids of pid's children (the readers under multiwatch).
export function childPids(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
		    .split(/\s+/).filter(Boolean).map(Number);
	} catch {
		return [];
	}
}

function killAllSync() {
	for (const child of children)
		if (child.exitCode === null && child.signalCode === null)
			child.kill('SIGKILL');
	for (const pid of pids) {
		// A supervisor killed at once leaves its children running.
		const kids = childPids(pid);
		killPid(pid, 'SIGKILL');
		kids.forEach((k) => killPid(k, 'SIGKILL'));
	}
	children.clear();
	pids.clear();
}

function removeDirsSync() {
	if (process.env.KEEP_RUN === '1')
		return;
	for (const dir of runDirs)
		fs.rmSync(dir, { recursive: true, force: true });
	runDirs.clear();
}

process.once('exit', () => {
	killAllSync();
	removeDirsSync();
});
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.once(sig, () => {
		killAllSync();
		removeDirsSync();
		process.exit(128 + os.constants.signals[sig]);
	});
}

export async function cleanup() {
	await Promise.all([...children].map(stopChild));
	await stopPids([...pids]);
	removeDirsSync();
}

export async function waitFor(fn, { timeout = 10000, interval = 50,
    what = 'condition' } = {}) {
	const end = Date.now() + timeout;
	let last;
	for (;;) {
		try {
			const v = await fn();
			if (v)
				return v;
		} catch (e) {
			last = e;
		}
		if (Date.now() > end)
			throw new Error(`timed out after ${timeout} ms waiting for ` +
			    `${what}${last ? `: ${last.message}` : ''}`);
		await sleep(interval);
	}
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

export function makeRunDir(name) {
	const safe = String(name).replace(/[^A-Za-z0-9._-]/g, '_');
	const dir = path.join(repoRoot, 'run', 'test',
	    `${safe}-${randomBytes(4).toString('hex')}`);
	fs.mkdirSync(dir, { recursive: true });
	runDirs.add(dir);
	return dir;
}

// A config value, quoted the way lib/config.c reads it.
function confQuote(v) {
	return '"' + String(v).replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

export function writeConfig(dir, values = {}) {
	const all = { db_path: path.join(dir, 'db'), ...values };
	fs.mkdirSync(all.db_path, { recursive: true });
	const lines = ['# written by tests/integration/lib/harness.mjs'];
	for (const [k, v] of Object.entries(all)) {
		if (/[\r\n]/.test(String(v)))
			throw new Error(`writeConfig: ${k} holds a newline`);
		lines.push(`${k} = ${confQuote(v)}`);
	}
	// It may hold the client secret: never readable by others.
	const file = path.join(dir, 'linernotes.conf');
	fs.rmSync(file, { force: true });
	fs.writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
	fs.chmodSync(file, 0o600);
	return file;
}

export function writeConfigAt(dir, now, values = {}) {
	const clock = path.join(dir, 'clock');
	fs.writeFileSync(clock, `${now} ${Date.now()}\n`);
	return writeConfig(dir, { ...values, clock_file: clock });
}

// TEST_START: a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time.
function parseTestStart(v) {
	if (v === undefined || v === '')
		return Date.parse('2026-01-05T00:00:00Z');
	const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
	const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN;
	if (!Number.isFinite(ms))
		throw new Error(`TEST_START=${v}: not a date (YYYY-MM-DD) or ` +
		    'an ISO 8601 time');
	return ms;
}
export const testStart = parseTestStart(process.env.TEST_START);

export async function startSim({ users = 3, mode = 'extended', seed,
    publicBase, clock = false, args = [] } = {}) {
	if (!fs.existsSync(simScript))
		throw new Error(`the simulator is missing: ${simScript}`);
	const argv = [simScript, '--port', '0', '--users', String(users),
	    '--mode', mode, '--start', new Date(testStart).toISOString()];
	if (seed !== undefined)
		argv.push('--seed', String(seed));
	if (publicBase !== undefined)
		argv.push('--public-base', String(publicBase));
	let clockFile = null;
	if (clock) {
		clockFile = path.join(makeRunDir('sim-clock'), 'clock');
		argv.push('--clock-file', clockFile);
	}
	argv.push(...args);
	const child = track(spawn(process.execPath, argv, {
		cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
	}));
	let text = '';
	const url = await new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(
		    `spotify-sim did not say it listens within 15 s:\n${text}`)),
		    15000);
		const onData = (d) => {
			text += d;
			const m = /spotify-sim listening on (http:\/\/\S+)/.exec(text);
			if (m) {
				clearTimeout(t);
				resolve(m[1].replace(/\/$/, ''));
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code, sig) => {
			clearTimeout(t);
			reject(new Error(`spotify-sim exited (${code ?? sig}) ` +
			    `before listening:\n${text}`));
		});
	});
	const sim = {
		url,
		apiBase: `${url}/v1`,
		accountsBase: url,
		output: () => text,
		configValues: () => ({
			spotify_api_base: `${url}/v1`,
			spotify_accounts_base: url,
			client_id: 'sim-client-id',
			client_secret: 'sim-client-secret',
			...(clockFile ? { clock_file: clockFile } : {}),
		}),
		async admin(method, p, body) {
			const rel = p.startsWith('/_sim/') ? p :
			    `/_sim/${p.replace(/^\/+/, '')}`;
			const r = await httpJson(method, url + rel, body);
			if (r.status < 200 || r.status > 299)
				throw new Error(`sim admin ${method} ${rel}: ` +
				    `${r.status} ${r.text}`);
			return r.json;
		},
		stop: () => stopChild(child),
	};
	return sim;
}

// The db_path a configuration file names (dir/db when none does).
function dbPathOf(config, dir) {
	let text = '';
	try {
		text = config ? fs.readFileSync(config, 'utf8') : '';
	} catch {
		// none
	}
	const m = /^db_path\s*=\s*"?([^"\n]*)"?\s*$/m.exec(text);
	return m ? path.resolve(m[1]) : path.join(dir, 'db');
}

// Reads the pids spawn-fcgi wrote, one a line.
function readPids(file) {
	try {
		return fs.readFileSync(file, 'utf8').split(/\s+/)
		    .filter(Boolean).map(Number);
	} catch {
		return [];
	}
}

export function useFixtureStack(name, fill) {
	const run = { stack: undefined, api: undefined };

	before(async () => {
		const dir = makeRunDir(name);
		const config = writeConfig(dir, {});

		fill(path.join(dir, 'db'));
		run.stack = await startStack({ dir, config });
		run.api = `${run.stack.baseUrl}/api/v0`;
	});
	after(async () => {
		await run.stack?.stop();
		await cleanup();
	});
	return run;
}

export async function startStack({ dir, config, port = 0, fcgiProcs = 2,
    www = path.join(repoRoot, 'www'), simUrl, rates = {} } = {}) {
	if (!dir)
		throw new Error('startStack: dir is required (makeRunDir)');
	for (const b of [bin.fcgi])
		if (!fs.existsSync(b))
			throw new Error(`${b} is missing: run make all`);
	if (!port)
		port = await freePort();
	// A unix socket path holds at most 107 bytes.
	let socket = path.join(dir, 'fcgi.sock');
	if (socket.length > 100)
		socket = path.join(os.tmpdir(),
		    `linernotes-${randomBytes(6).toString('hex')}.sock`);
	const pidFile = path.join(dir, 'fcgi.pid');
	const fcgiLog = path.join(dir, 'fcgi.log');
	const fcgiArgs = config ? ['-c', config] : [];
	// multiwatch keeps fcgiProcs readers running (the pid in pidFile is
	// its own; TERM to it is passed on to the readers).  sh keeps
	// linernotes-fcgi's stderr in a log (spawn-fcgi drops it) and execs
	// it, so the readers are multiwatch's children.
	const sp = spawnSync('spawn-fcgi', ['-s', socket, '-P', pidFile, '--',
	    '/usr/bin/multiwatch', '-f', String(fcgiProcs), '-s', 'TERM',
	    '-r', '3', '-t', '500', '--',
	    '/bin/sh', '-c', 'exec "$0" "$@" 2>>"$LN_LOG"',
	    bin.fcgi, ...fcgiArgs], {
		encoding: 'utf8', env: { ...process.env, LN_LOG: fcgiLog },
	});
	const fcgiPids = readPids(pidFile);
	fcgiPids.forEach((p) => pids.add(p));
	if (sp.status !== 0)
		throw new Error(`spawn-fcgi failed (${sp.status}): ${sp.stderr}`);

	// The tests sign in and export far faster than a person: their
	// limits are high unless a test asks for others (nginx/render.sh).
	const r = spawnSync('sh', [renderScript, 'main', dir,
	    `127.0.0.1:${port}`, www, socket, 'off', ...(simUrl ? [simUrl] : [])],
	    { encoding: 'utf8', env: { ...process.env,
		NGINX_EXPORTS_DIR: path.join(dbPathOf(config, dir), 'exports'),
		NGINX_SPOOL_DIR: path.join(dbPathOf(config, dir), 'spool'),
		LINERNOTES_CONFIG: config ?? '',
		NGINX_AUTH_RATE: rates.auth ?? '10000r/s',
		NGINX_EXPORT_RATE: rates.export ?? '10000r/s' } });
	if (r.status !== 0)
		throw new Error(`nginx/render.sh failed: ${r.stderr}`);
	const errLog = path.join(dir, 'nginx-error.log');
	const nginx = track(spawn('nginx', ['-p', dir, '-e', errLog, '-c',
	    path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }));
	let nginxOut = '';
	nginx.stdout.on('data', (d) => { nginxOut += d; });
	nginx.stderr.on('data', (d) => { nginxOut += d; });

	const baseUrl = `http://127.0.0.1:${port}`;
	const stack = {
		baseUrl,
		port,
		socket,
		readers: () => fcgiPids.flatMap(childPids).filter(alive),
		// Stops multiwatch and so the readers (nginx keeps running).
		stopReaders: () => stopPids(fcgiPids),
		async stop() {
			await stopChild(nginx);
			await stopPids(fcgiPids);
			fs.rmSync(socket, { force: true });
		},
	};
	try {
		await waitFor(async () => {
			if (nginx.exitCode !== null)
				throw new Error(`nginx exited: ${nginxOut}`);
			if (!fcgiPids.some(alive))
				throw new Error('linernotes-fcgi exited: ' +
				    fs.readFileSync(fcgiLog, 'utf8'));
			const h = await httpJson('GET', `${baseUrl}/api/v0/health`);
			return h.status === 200;
		}, { timeout: 10000, what: `${baseUrl}/api/v0/health` });
	} catch (e) {
		await stack.stop();
		throw e;
	}
	return stack;
}

function collectorArgs(args, config) {
	return [...(config ? ['-c', config] : []), ...args];
}

export function runCollector(args, { config, env = {}, input,
    timeout = 30000 } = {}) {
	const r = spawnSync(bin.collector, collectorArgs(args, config), {
		cwd: repoRoot, env: { ...process.env, ...env }, input,
		timeout, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
	});
	if (r.error && r.error.code !== 'ETIMEDOUT')
		throw r.error;
	return { code: r.status, signal: r.signal, stdout: r.stdout ?? '',
	    stderr: r.stderr ?? '' };
}

export function spawnCollector(args, { config, env = {} } = {}) {
	const child = track(spawn(bin.collector, collectorArgs(args, config), {
		cwd: repoRoot, env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	}));
	child.out = { stdout: '', stderr: '' };
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', (d) => { child.out.stdout += d; });
	child.stderr.on('data', (d) => { child.out.stderr += d; });
	return child;
}

export async function httpJson(method, url, body, headers = {}) {
	const init = { method, headers: { ...headers }, redirect: 'manual' };
	if (body !== undefined && body !== null) {
		if (typeof body === 'string' || body instanceof Uint8Array) {
			init.body = body;
		} else {
			init.body = JSON.stringify(body);
			if (!Object.keys(init.headers).some(
			    (h) => h.toLowerCase() === 'content-type'))
				init.headers['Content-Type'] = 'application/json';
		}
	}
	let res;
	try {
		res = await fetch(url, init);
	} catch (e) {
		// A kept-alive socket the server closed while this process was
		// blocked (spawnSync runs the collector synchronously) is found
		// closed only when reused: the request never left, so send it
		// once more on a fresh connection.  Anything else is a failure.
		if (e?.cause?.code !== 'UND_ERR_SOCKET')
			throw new Error(`${method} ${url}: ${e.message}: ` +
			    `${e?.cause?.code ?? ''} ${e?.cause?.message ?? ''}`,
			    { cause: e });
		res = await fetch(url, init);
	}
	const text = await res.text();
	let json = null;
	try {
		json = text === '' ? null : JSON.parse(text);
	} catch {
		json = null;
	}
	const hdrs = {};
	res.headers.forEach((v, k) => { hdrs[k.toLowerCase()] = v; });
	return { status: res.status, headers: hdrs, json, text };
}
