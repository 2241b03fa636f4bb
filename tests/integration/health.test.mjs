// health.test.mjs — the read API through the real nginx and spawn-fcgi.
//
// Proves that the stack the demo and every other test build on works end
// to end: nginx passes /api/ to linernotes-fcgi over the FastCGI socket and
// the answer is JSON with the right status and headers; paths nobody
// serves are JSON 404s; the pages are served as static files with their
// security policy; /metrics carries /health's quota figures (all 0 here:
// no collector ran) as Prometheus gauges.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cleanup, httpJson, makeRunDir, startStack, writeConfig }
    from './lib/harness.mjs';

let stack;

before(async () => {
	const dir = makeRunDir('health');
	stack = await startStack({ dir, config: writeConfig(dir, {}) });
});

after(async () => {
	await stack?.stop();
	await cleanup();
});

test('GET /api/v0/health answers JSON 200 with the version', async () => {
	const r = await httpJson('GET', `${stack.baseUrl}/api/v0/health`);
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'], /^application\/json/);
	assert.equal(r.json.status, 'ok');
	assert.match(r.json.version, /^\d+\.\d+\.\d+$/);
	// No collector ran: nothing spent, no budget set.
	assert.deepEqual(r.json.spotify, {
		api_requests_hour: 0, api_requests_day: 0,
		accounts_requests_hour: 0, accounts_requests_day: 0,
		rate_limited_hour: 0, rate_limited_day: 0,
		paused_until: null, paused_until_iso: null,
		quota_paused_until: null, quota_paused_until_iso: null,
		daily_budget: null, more_users_estimate: null,
	});
	assert.equal(r.headers['x-content-type-options'], 'nosniff');
});

// The samples of a Prometheus text exposition: {'name{labels}': value}.
function samples(text) {
	const out = {};
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#'))
			continue;
		const i = line.lastIndexOf(' ');
		out[line.slice(0, i)] = Number(line.slice(i + 1));
	}
	return out;
}

test('GET /api/v0/metrics has /health\'s quota figures', async () => {
	const h = (await httpJson('GET', `${stack.baseUrl}/api/v0/health`))
	    .json.spotify;
	const m = await httpJson('GET', `${stack.baseUrl}/api/v0/metrics`);
	assert.equal(m.status, 200);
	assert.match(m.headers['content-type'], /^text\/plain; version=0\.0\.4/);
	for (const name of ['requests', 'rate_limited', 'pause_seconds'])
		assert.match(m.text, new RegExp(`^# TYPE linernotes_spotify_` +
		    `${name} gauge$`, 'm'));
	const s = samples(m.text);
	const want = {
		'linernotes_spotify_requests{service="api",window="1h"}':
		    h.api_requests_hour,
		'linernotes_spotify_requests{service="api",window="1d"}':
		    h.api_requests_day,
		'linernotes_spotify_requests{service="accounts",window="1h"}':
		    h.accounts_requests_hour,
		'linernotes_spotify_requests{service="accounts",window="1d"}':
		    h.accounts_requests_day,
		'linernotes_spotify_rate_limited{window="1h"}':
		    h.rate_limited_hour,
		'linernotes_spotify_rate_limited{window="1d"}':
		    h.rate_limited_day,
		'linernotes_spotify_pause_seconds{kind="rate_limit"}': 0,
		'linernotes_spotify_pause_seconds{kind="quota"}': 0,
	};
	for (const [k, v] of Object.entries(want))
		assert.equal(s[k], v, k);
	// The reader's own counters are still there.
	assert.match(m.text, /^linernotes_http_requests_total\{/m);
});

test('HEAD /api/v0/health has the headers and no body', async () => {
	const r = await httpJson('HEAD', `${stack.baseUrl}/api/v0/health`);
	assert.equal(r.status, 200);
	assert.equal(r.text, '');
});

test('an unknown API path is a JSON 404', async () => {
	const r = await httpJson('GET', `${stack.baseUrl}/api/v0/no/such/thing?x=1`);
	assert.equal(r.status, 404);
	assert.match(r.headers['content-type'], /^application\/json/);
	assert.deepEqual(Object.keys(r.json), ['error']);
	assert.equal(r.json.error.status, 404);
	assert.equal(typeof r.json.error.message, 'string');
});

test('another method on a known path is a JSON 405 with Allow', async () => {
	const r = await httpJson('POST', `${stack.baseUrl}/api/v0/health`, {});
	assert.equal(r.status, 405);
	assert.match(r.headers.allow, /GET/);
	assert.equal(r.json.error.status, 405);
});

test('the pages are served from www/ with a same-origin policy', async () => {
	const r = await httpJson('GET', `${stack.baseUrl}/`);
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'], /^text\/html/);
	assert.match(r.text, /<title>linernotes/);
	assert.match(r.headers['content-security-policy'], /default-src 'self'/);
	assert.match(r.headers['content-security-policy'],
	    /frame-ancestors 'none'/);
	assert.equal(r.headers['x-frame-options'], 'DENY');
	const idx = await httpJson('GET', `${stack.baseUrl}/index.html`);
	assert.equal(idx.text, r.text);
});

test('a missing static file is a 404', async () => {
	const r = await httpJson('GET', `${stack.baseUrl}/no-such-page.html`);
	assert.equal(r.status, 404);
});
