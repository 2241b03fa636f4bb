// auth-lib.mjs — what the accounts tests share: a simulator and the real
// stack with sign-in configured, a browser-like client (a cookie jar by
// hand, redirects followed by hand), the sign-in dance against the
// simulator's accounts service, and the secrets check.
//
//   await authStack(name, {users, signups, extra})
//       -> {sim, dir, config, db, base, api, stack, run(args), client()}
//   client.request(method, url, {body, headers}) -> {status, headers,
//       setCookies, text, json}; cookies set by the answer go into the
//       client's jar and are sent back (only to our own origin)
//   await startDaemon(ctx, {timeout}) -> the collector daemon (`run`) on
//       ctx's configuration, once /health says it is running
//   await signIn(ctx, client, simUser, {invite, deny}) -> the callback's
//       answer (status 302 and the session cookie when it worked)
//   recorded(ctx)                every answer any client received
//   secretsOf(ctx)               every token string the test can know:
//       access and refresh tokens (from the store and the simulator),
//       session tokens (from Set-Cookie), the client secret
//   assertNoSecrets(ctx, logs)   none of them in any answer (but the
//       session's own Set-Cookie) nor in any log file or output given;
//       and no invitation or authorization code signIn() passed in a URL
//       in any log file
//   dumpAll(db)                  every database, `mdb_dump -a` (hex)
//   perUserRoutes()              the per-user endpoints docs/API.md lists

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { freePort, makeRunDir, repoRoot, runCollector, spawnCollector,
	startSim, startStack, waitFor, writeConfig } from './lib/harness.mjs';

export async function authStack(name, { users = 3, signups = 'open',
    extra = {}, fcgiProcs = 2 } = {}) {
	const sim = await startSim({ users, seed: '11' });
	const dir = makeRunDir(name);
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const db = path.join(dir, 'db');
	const config = writeConfig(dir, {
		...sim.configValues(),
		public_url: base,
		signups,
		connect_timeout: 2,
		request_timeout: 5,
		rate_limit: 3000,
		...extra,
	});
	const stack = await startStack({ dir, config, port, fcgiProcs });
	const ctx = {
		sim, dir, config, db, base, api: `${base}/api/v0`, stack,
		responses: [], sessionCookies: new Set(),
		run: (args, opts = {}) => runCollector(args, { config,
			timeout: 120000, ...opts }),
	};
	ctx.client = () => new Client(ctx);
	return ctx;
}

// The daemon's first heartbeat: sign-in then waits for its first poll.
export async function startDaemon(ctx, { timeout = 10000 } = {}) {
	const daemon = spawnCollector(['run'], { config: ctx.config });
	await waitFor(async () => (await ctx.client().get(`${ctx.api}/health`))
	    .json?.collector?.state === 'running', { timeout,
	    what: 'the collector running' });
	return daemon;
}

export class Client {
	constructor(ctx) {
		this.ctx = ctx;
		this.jar = new Map();
	}

	cookieHeader() {
		return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	// One request, no redirect followed.  Only our own origin gets the
	// jar's cookies and may set them.
	async request(method, url, { body, headers = {} } = {}) {
		const own = url.startsWith(this.ctx.base);
		const init = { method, redirect: 'manual', headers: { ...headers } };
		if (own && this.jar.size > 0 && !('cookie' in init.headers))
			init.headers.cookie = this.cookieHeader();
		if (body !== undefined) {
			init.body = typeof body === 'string' ? body :
			    JSON.stringify(body);
			init.headers['content-type'] ??= 'application/json';
		}
		const res = await fetch(url, init);
		const text = await res.text();
		const setCookies = res.headers.getSetCookie();
		const hdrs = {};
		res.headers.forEach((v, k) => { hdrs[k] = v; });
		let json = null;
		try {
			json = JSON.parse(text);
		} catch {
			// not JSON
		}
		const out = { status: res.status, headers: hdrs, setCookies, text,
			json, url, method };
		if (own) {
			this.ctx.responses.push(out);
			for (const c of setCookies) {
				const [pair, ...attrs] = c.split(';').map((s) => s.trim());
				const i = pair.indexOf('=');
				const name = pair.slice(0, i);
				const value = pair.slice(i + 1);
				const maxAge = attrs.find((a) => /^max-age=/i.test(a));
				if (value === '' || maxAge === 'Max-Age=0')
					this.jar.delete(name);
				else
					this.jar.set(name, value);
				if (/^(__Host-)?ln_session$/.test(name) && value !== '')
					this.ctx.sessionCookies.add(value);
			}
		}
		return out;
	}

	get(url, opts) {
		return this.request('GET', url, opts);
	}
}

// The whole sign-in as a browser does it: our login, Spotify's
// /authorize (the simulator signs simUser in, or refuses with deny), our
// callback.  Returns the callback's answer.
export async function signIn(ctx, client, simUser, { invite, deny } = {}) {
	const login = await client.get(`${ctx.api}/auth/login` +
	    (invite ? `?invite=${encodeURIComponent(invite)}` : ''));
	if (login.status !== 302)
		return login;
	const auth = new URL(login.headers.location);
	assert.equal(auth.origin + auth.pathname, `${ctx.sim.url}/authorize`);
	auth.searchParams.set('sim_user', simUser);
	if (deny)
		auth.searchParams.set('sim_deny', '1');
	const back = await client.get(auth.toString());
	assert.equal(back.status, 302, back.text);
	// What travels in sign-in URLs: never in a log (assertNoSecrets).
	ctx.urlSecrets ??= new Set();
	if (invite)
		ctx.urlSecrets.add(invite);
	const code = new URL(back.headers.location).searchParams.get('code');
	if (code)
		ctx.urlSecrets.add(code);
	return client.get(back.headers.location);
}

// The viewers of user1's private journal: its owner and another account
// (user2), both signed in, and a visitor who is not.
export async function viewers(ctx) {
	const alice = ctx.client();
	const bob = ctx.client();
	const anon = ctx.client();
	assert.equal((await signIn(ctx, alice, 'user1')).status, 302);
	assert.equal((await signIn(ctx, bob, 'user2')).status, 302);
	return { alice, bob, anon };
}

export function sessionOf(client) {
	return client.jar.get('ln_session');
}

// Every database of the store as `mdb_dump -a` prints it (hex pairs).
export function dumpAll(db) {
	const r = spawnSync('mdb_dump', ['-a', db], { encoding: 'utf8',
		maxBuffer: 256 * 1024 * 1024 });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
}

// The per-user endpoints as docs/API.md lists them (its "## GET ...
// :user_id" headings), as concrete paths for user: every format of an
// export, and for a path with more parameters (insights' :name) every
// example of the section's curl lines, with user put in.
export function perUserRoutes(user) {
	const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'API.md'),
	    'utf8');
	const u = encodeURIComponent(user);
	const out = new Set();
	for (const sec of doc.split(/^(?=## )/m)) {
		const m = /^## GET (\/api\/v0\/\S*:user_id\S*)(.*)$/m.exec(sec);
		if (!m || m.index !== 0)
			continue;
		const pattern = m[1];
		const more = (pattern.match(/:[a-z_]+/g) ?? [])
		    .filter((p) => p !== ':user_id');
		if (more.length > 0) {
			const re = new RegExp(pattern.split('/').map((seg) =>
			    seg === ':user_id' ? '[^/?\'"\\s]+' :
			    seg.startsWith(':') ? '[^/?\'"\\s]+' :
			    seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/'), 'g');
			const at = pattern.split('/').indexOf(':user_id');
			for (const ex of sec.matchAll(re)) {
				const parts = ex[0].split('/');
				if (parts.some((x) => x.startsWith(':')))
					continue;	/* the heading itself */
				parts[at] = u;
				out.add(parts.join('/'));
			}
			continue;
		}
		const p = pattern.replace(':user_id', u);
		const exts = [...(pattern + m[2]).matchAll(/\.(csv|sql|json)\b/g)]
		    .map((x) => x[1]);
		if (exts.length > 0) {
			const stem = p.replace(/\.\w+$/, '');
			for (const e of exts)
				out.add(`${stem}.${e}`);
		} else
			out.add(p);
	}
	return [...out];
}

// Every token string this test can know of.
export async function secretsOf(ctx) {
	const s = new Set(['sim-client-secret']);
	for (const v of ctx.sessionCookies)
		s.add(v.slice(v.lastIndexOf('.') + 1));
	const state = await ctx.sim.admin('GET', 'state');
	for (const u of state.users)
		if (u.refresh_token)
			s.add(u.refresh_token);
	// Tokens the store holds (access tokens "BQ...", refresh "rt-...").
	const r = spawnSync('mdb_dump', ['-p', '-s', 'users', ctx.db],
	    { encoding: 'utf8' });
	for (const m of (r.stdout ?? '').matchAll(
	    /(BQ[A-Za-z0-9_-]{20,}|rt-[A-Za-z0-9._-]+\.[0-9]+\.[0-9a-f]{6,})/g))
		s.add(m[1]);
	return [...s];
}

export async function assertNoSecrets(ctx, outputs = []) {
	const secrets = await secretsOf(ctx);
	assert.ok(secrets.some((x) => x.startsWith('BQ')),
	    'the test knows the access tokens');
	assert.ok(secrets.some((x) => x.startsWith('rt-')),
	    'the test knows the refresh tokens');
	assert.ok(ctx.sessionCookies.size > 0, 'the test knows the sessions');
	for (const r of ctx.responses) {
		const headers = Object.entries(r.headers)
		    .filter(([k]) => k !== 'set-cookie')
		    .map(([k, v]) => `${k}: ${v}`).join('\n');
		// The session's own cookie may carry its token; nothing else.
		const cookies = r.setCookies.filter((c) =>
		    !/^(__Host-)?ln_session=/.test(c)).join('\n');
		for (const s of secrets) {
			for (const [what, text] of [['body', r.text],
			    ['headers', headers], ['cookies', cookies]])
				assert.ok(!text.includes(s), `a secret in the ` +
				    `${what} of ${r.method} ${r.url}`);
		}
	}
	const files = ['fcgi.log', 'nginx-error.log', 'nginx-access.log']
	    .map((f) => path.join(ctx.dir, f)).filter((f) => fs.existsSync(f));
	assert.ok(files.length >= 2, 'the logs exist');
	const texts = [...files.map((f) => [f, fs.readFileSync(f, 'utf8')]),
		...outputs.map((o, i) => [`output ${i}`, o]),
		['simulator', ctx.sim.output()]];
	for (const [name, text] of texts)
		for (const s of secrets)
			assert.ok(!text.includes(s), `a secret in ${name}`);
	// Invitation and authorization codes travel in URLs (and the sign-in
	// cookie), so they are in answers by design, but in no log of ours:
	// the access log leaves out query strings.
	const logs = files.map((f) => [f, fs.readFileSync(f, 'utf8')]);
	assert.ok(logs.some(([f, t]) => f.endsWith('nginx-access.log') &&
	    t.includes('/auth/callback')), 'the access log has the sign-ins');
	for (const [name, text] of logs)
		for (const s of ctx.urlSecrets ?? [])
			assert.ok(!text.includes(s), `a sign-in code in ${name}`);
}
