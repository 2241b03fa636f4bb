// screenshots.mjs — pictures of every page for README.md, taken from the
// demo's journal (`make demo`'s stack, started here in run/screenshots on
// a free port: a year of history and eight weeks of polling, so Top and
// Discover Weekly show change over time and Plays a recorded gap) at
// desktop (1280×800) and phone (390×844) width, into docs/screenshots/.
// The journal shown is the demo's default one, the one with the most plays;
// the owner's Settings (the import panel) is user1's, signed in.
//
//   make screenshots      (or: node tests/browser/screenshots.mjs [DIR])

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { freePort, httpJson, repoRoot } from '../integration/lib/harness.mjs';
import { openBrowser } from './lib/journal.mjs';

const out = path.resolve(process.argv[2] ?? path.join(repoRoot, 'docs',
    'screenshots'));
const SIZES = { desktop: [1280, 800], phone: [390, 844] };

// Each shot: a page, then what to do before the picture.
const SHOTS = [
	{ name: 'plays', url: 'plays' },
	{ name: 'plays-timeline', url: 'plays', sizes: ['desktop'],
		// a binge expanded, a return and a gap in view
		prefs: { returnDays: 3, zone: 'journal' },
		async prepare(page) {
			for (let i = 0; i < 40 && await page.locator(
			    'li.gap').count() === 0; i++) {
				await page.locator('.more button').click()
				    .catch(() => {});
				await page.waitForTimeout(100);
			}
			// The fold nearest the first gap, expanded, both in view.
			const at = await page.evaluate(() => {
				const gap = document.querySelector('li.gap');
				const y = gap.getBoundingClientRect().top;
				let best = null;
				for (const f of document.querySelectorAll(
				    'li.play.folded')) {
					const d = Math.abs(f.getBoundingClientRect().top - y);
					if (!best || d < best.d)
						best = { d, at: f.dataset.at };
				}
				return best?.at;
			});
			if (at)
				await page.locator(`li.play[data-at="${at}"] ` +
				    'button.mark.repeat').click();
			await page.locator('li.gap').first().evaluate((e) =>
			    e.scrollIntoView({ block: 'center' }));
		} },
	{ name: 'dw', url: 'dw',
		async prepare(page) {
			await page.waitForSelector(
			    'li.dw-track[data-played]:not([data-played=""])');
		} },
	{ name: 'top', url: 'top?range=short_term&kind=tracks',
		async prepare(page) {
			await page.locator('li.top-item').first().locator('a.btn')
			    .click();
			await page.waitForFunction(() => window.Chart);
			await page.waitForTimeout(300);
		} },
	{ name: 'insights', url: 'insights',
		async prepare(page) {
			await page.waitForSelector('.ins-grid');
			await page.waitForFunction(() => window.Chart);
			await page.waitForTimeout(300);
		} },
	{ name: 'settings', url: 'settings',
		async prepare(page) {
			await page.waitForFunction(() => document.querySelector(
			    '.facts')?.textContent.includes('collector'));
		} },
	// The owner's own Settings, signed in as a person does (the
	// simulator's /authorize signs user1 in): the import panel.
	{ name: 'settings-owner', url: 'settings', user: 'user1',
		sizes: ['desktop'],
		async before(page, base) {
			await page.goto(`${base}/`);
			const link = page.locator('header a',
			    { hasText: 'Sign in with Spotify' });
			await link.waitFor();
			await Promise.all([
				page.waitForURL(`${base}/#/u/user1/plays`,
				    { timeout: 20000 }),
				link.click(),
			]);
			await page.locator('header .account .who').waitFor();
		},
		async prepare(page) {
			const panel = page.locator('.import-panel');
			await panel.waitFor();
			await panel.evaluate((e) => e.scrollIntoView(
			    { block: 'center' }));
		} },
];

// The demo's stack, as `make demo` starts it.
const runDir = path.join(repoRoot, 'run', 'screenshots');
const port = await freePort();
const env = { ...process.env, RUN_DIR: runDir, PORT: String(port) };
const stack = (what) => {
	const r = spawnSync('sh', [path.join(repoRoot, 'tests', 'stack.sh'),
		what], { cwd: repoRoot, env, stdio: 'inherit' });
	if (r.status !== 0)
		throw new Error(`tests/stack.sh ${what} failed`);
};
fs.rmSync(runDir, { recursive: true, force: true });
stack('demo');
const base = `http://127.0.0.1:${port}`;
const users = (await httpJson('GET', `${base}/api/v0/users`)).json.users;
const main = [...users].sort((a, c) => c.n_plays - a.n_plays)[0].id;
const j = { stack: { baseUrl: base }, main };
const b = await openBrowser();
fs.mkdirSync(out, { recursive: true });
let failed = 0;
try {
	for (const shot of SHOTS) {
		for (const size of shot.sizes ?? Object.keys(SIZES)) {
			const [width, height] = SIZES[size];
			const page = await b.newPage({ width, height });
			if (shot.prefs)
				await page.addInitScript((p) => localStorage.setItem(
				    'linernotes.prefs', JSON.stringify(p)), shot.prefs);
			await shot.before?.(page, j.stack.baseUrl);
			await page.goto(`${j.stack.baseUrl}/#/u/` +
			    `${shot.user ?? j.main}/${shot.url}`);
			await page.waitForSelector('main h1');
			await page.waitForSelector('.state.loading',
			    { state: 'detached' });
			await shot.prepare?.(page);
			await page.waitForTimeout(300);
			const file = path.join(out, `${shot.name}-${size}.png`);
			await page.screenshot({ path: file });
			if (page.problems.length) {
				failed++;
				console.error(`${file}: ${page.problems.join('; ')}`);
			} else
				console.log(file);
			await page.context().close();
		}
	}
} finally {
	await b.close();
	stack('stop');
}
process.exit(failed ? 1 : 0);
