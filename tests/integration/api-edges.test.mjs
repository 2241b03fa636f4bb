// api-edges.test.mjs — the edges of the API that nginx and the body
// parser hold, through the real nginx and readers.
//
// Proves: every error nginx makes itself for a request under /api/ (a
// malformed request line, an HTTP version it does not speak, a transfer
// encoding it does not know, a URL or headers too large, TRACE, a body
// too large) is the API's JSON error body with the status in it, while a
// page's error stays a page; a JSON body with text after its value, a key
// twice or a \u0000 escape is a 400 that says which; and nginx's
// per-address limits on sign-in and exports answer 429 JSON with
// Retry-After once the burst is spent, without touching other paths; the
// configuration, which holds the client secret, is mode 0600.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, startStack, writeConfig }
    from './lib/harness.mjs';

let stack;

before(async () => {
	const dir = makeRunDir('edges');
	const config = writeConfig(dir, { client_secret: 'edge-secret' });
	// It holds the client secret: readable by its owner only.
	assert.equal(fs.statSync(config).mode & 0o777, 0o600);
	stack = await startStack({ dir, config,
	    rates: { auth: '6r/m', export: '6r/m' } });
});

after(async () => {
	await stack?.stop();
	await cleanup();
});

// Sends raw bytes, returns {status, type, body} of the answer: once its
// headers and Content-Length bytes are in (nginx may linger before it
// closes a connection whose body it refused) or the connection closed.
function raw(text) {
	return new Promise((resolve, reject) => {
		const s = net.connect(stack.port, '127.0.0.1');
		let d = '';
		let done = false;
		const finish = () => {
			if (done)
				return;
			done = true;
			s.destroy();
			const [head, ...rest] = d.split('\r\n\r\n');
			const m = /^HTTP\/1\.1 (\d+)/.exec(head);
			const t = /\r\ncontent-type: ([^\r]*)/i.exec(head);
			resolve({ status: m ? Number(m[1]) : 0, type: t?.[1] ?? '',
				body: rest.join('\r\n\r\n') });
		};
		s.setTimeout(10000, () => { if (!done) { done = true;
			s.destroy(); reject(new Error('timeout')); } });
		s.on('data', (x) => {
			d += x.toString('latin1');
			const at = d.indexOf('\r\n\r\n');
			const len = /\r\ncontent-length: (\d+)/i.exec(d.slice(0, at));
			if (at >= 0 && len && d.length - at - 4 >= Number(len[1]))
				finish();
		});
		s.on('error', (e) => { if (!done) { done = true; reject(e); } });
		s.on('close', finish);
		s.write(text);
	});
}

function assertJsonError(r, status, what) {
	assert.equal(r.status, status, what);
	assert.match(r.type, /^application\/json/, what);
	const j = JSON.parse(r.body);
	assert.deepEqual(Object.keys(j), ['error'], what);
	assert.equal(j.error.status, status, what);
	assert.equal(typeof j.error.message, 'string', what);
}

test('errors nginx makes under /api/ are JSON error bodies', async () => {
	const big = 'a'.repeat(9000);
	const cases = [
		['a malformed request line', 'GARBAGE\r\n\r\n', 400],
		['no Host in HTTP/1.1', 'GET /api/v0/health HTTP/1.1\r\n\r\n',
		    400],
		['HTTP/3.0', 'GET /api/v0/health HTTP/3.0\r\nHost: x\r\n\r\n',
		    505],
		['an unknown transfer encoding', 'POST /api/v0/tracks ' +
		    'HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n',
		    501],
		['a URL too long', `GET /api/v0/${big} HTTP/1.1\r\nHost: x` +
		    '\r\n\r\n', 414],
		['headers too large', 'GET /api/v0/health HTTP/1.1\r\n' +
		    `Host: x\r\nX-Big: ${big}\r\n\r\n`, 400],
		['TRACE', 'TRACE /api/v0/health HTTP/1.1\r\nHost: x\r\n' +
		    'Connection: close\r\n\r\n', 405],
		['a body too large', 'POST /api/v0/tracks HTTP/1.1\r\nHost: x' +
		    '\r\nContent-Type: application/json\r\nContent-Length: ' +
		    '5000000\r\nConnection: close\r\n\r\n{', 413],
	];
	for (const [what, req, status] of cases)
		assertJsonError(await raw(req), status, what);
	// A page's error stays a page.
	const page = await raw('GET / HTTP/1.1\r\nHost: x\r\n' +
	    `X-Big: ${big}\r\n\r\n`);
	assert.equal(page.status, 400);
	assert.match(page.type, /^text\/html/);
});

test('a JSON body is read strictly', async () => {
	const id = '4uLU6hMCjMI75M1A2tKUQC';
	const cases = [
		[`{"ids":["${id}"]} xyz`, /text after its JSON value/],
		[`{"ids":["${id}"]}{}`, /text after its JSON value/],
		[`{"ids":["${id}"],"ids":["${id}"]}`, /a key twice/],
		[`{"ids":["${id}\\u0000x"]}`, /\\u0000/],
	];
	for (const [body, msg] of cases) {
		const r = await httpJson('POST', `${stack.baseUrl}/api/v0/tracks`,
		    body, { 'Content-Type': 'application/json' });
		assert.equal(r.status, 400, body);
		assert.equal(r.json.error.status, 400, body);
		assert.match(r.json.error.message, msg, body);
	}
	const ok = await httpJson('POST', `${stack.baseUrl}/api/v0/tracks`,
	    `{"ids":["${id}"]}\n`, { 'Content-Type': 'application/json' });
	assert.equal(ok.status, 200, ok.text);
});

test('sign-in and exports are limited per address, with a burst',
    async () => {
	for (const path of ['/api/v0/auth/login', '/api/v0/export/nobody.csv']) {
		const answers = [];
		for (let i = 0; i < 16; i++)
			answers.push(await httpJson('GET', stack.baseUrl + path));
		const limited = answers.filter((r) => r.status === 429);
		// A burst of 10 beyond the first, at 6 a minute.
		assert.ok(answers.slice(0, 11).every((r) => r.status !== 429),
		    `${path}: the burst passes`);
		assert.ok(limited.length >= 4, `${path}: ${limited.length} limited`);
		for (const r of limited) {
			assert.equal(r.json.error.status, 429);
			assert.ok(Number(r.headers['retry-after']) > 0);
		}
	}
	// Other paths are not limited.
	for (let i = 0; i < 20; i++)
		assert.equal((await httpJson('GET',
		    `${stack.baseUrl}/api/v0/health`)).status, 200);
});
