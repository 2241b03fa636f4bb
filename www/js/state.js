// state.js — what every page shares: the route (from location.hash), the
// preferences kept in this browser (localStorage), and how a page's load
// writes its outcome into the page's state.

import { reactive, watch } from '../vendor/vue.runtime.esm-browser.prod.js';

// ---- preferences (this browser only) ---------------------------------------

const PREFS_KEY = 'linernotes.prefs';
const PREFS_DEFAULT = {
	returnDays: 90,		// a play "returns" after this many days away
	zone: 'journal',	// 'journal' or 'browser'
};

function loadPrefs() {
	try {
		const p = JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}');
		const out = { ...PREFS_DEFAULT };
		if (Number.isInteger(p.returnDays) && p.returnDays >= 1 &&
		    p.returnDays <= 3650)
			out.returnDays = p.returnDays;
		if (p.zone === 'journal' || p.zone === 'browser')
			out.zone = p.zone;
		return out;
	} catch {
		return { ...PREFS_DEFAULT };
	}
}

export const prefs = reactive(loadPrefs());
watch(prefs, () => {
	try {
		localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));
	} catch {
		// private mode: preferences last for this visit
	}
});

// ---- routing ---------------------------------------------------------------

function parseHash() {
	let raw;
	try {
		raw = decodeURI(location.hash.replace(/^#/, '')) || '/';
	} catch {
		raw = '/';	// a malformed escape: start over
	}
	const [path, qs = ''] = raw.split('?');
	const seg = path.split('/').filter(Boolean);
	const query = Object.fromEntries(new URLSearchParams(qs));
	if (seg[0] === 'u' && seg[1])
		return { user: seg[1], page: seg[2] || 'plays', query };
	return { user: null, page: 'plays', query };
}

export const route = reactive(parseHash());
window.addEventListener('hashchange', () => {
	const r = parseHash();
	const pageChanged = r.page !== route.page || r.user !== route.user;
	Object.assign(route, r);
	if (pageChanged)
		document.getElementById('main')?.focus({ preventScroll: true });
});

export function href(user, page, query = {}) {
	const qs = new URLSearchParams(Object.entries(query)
	    .filter(([, v]) => v !== undefined && v !== null && v !== ''));
	const q = qs.toString();
	return `#/u/${encodeURIComponent(user)}/${page}${q ? '?' + q : ''}`;
}

export function go(user, page, query) {
	location.hash = href(user, page, query);
}

// ---- a page's loads ---------------------------------------------------------

// Runs fn (async), a load of page state s whose s[busy] the caller has set:
// an error fn throws becomes s.error (and s.errorWhere = where, when given)
// and s[busy] is cleared when it ends, but only while current() says the
// load still counts (no newer load, no other journal since it began).
export async function runLoad(s, busy, current, fn, where) {
	try {
		await fn();
	} catch (e) {
		if (current()) {
			s.error = e.message;
			if (where !== undefined)
				s.errorWhere = where;
		}
	} finally {
		if (current())
			s[busy] = false;
	}
}

// Runs fn(current), the load of one more page of a list into page state
// s, unless one is running (s.busy): sets s.busy, clears s.error and runs
// fn under runLoad (where as there).  current() says whether gen(), the
// page's count of resets, is still what it was when the load began.
// Resolves to current once the load ended, for what follows it (to one
// that says false when no load began).
export async function runPage(s, gen, fn, where) {
	if (s.busy)
		return () => false;
	s.busy = true;
	s.error = null;
	const my = gen();
	const current = () => my === gen();
	await runLoad(s, 'busy', current, () => fn(current), where);
	return current;
}
