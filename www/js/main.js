// main.js — the application shell: hash routing, the journal switcher,
// the navigation and the preferences kept in this browser.
//
// Routes: #/                        the first public journal's plays
//         #/u/USER/plays[?date=YYYY-MM-DD]
//         #/u/USER/dw
//         #/u/USER/top[?range=short_term&kind=tracks&item=ID]
//         #/u/USER/insights[?range=YYYY&date=YYYY-MM-DD]
//         #/u/USER/settings
//         #/u/USER/track?id=ID, artist?id=ID, album?id=ID  (stories)
//         #/u/USER/search?q=TEXT
//         #/u/USER/charts[?kind=tracks&by=plays&from=DATE&to=DATE]
//         #/u/USER/review[?year=YYYY]

import { computed, createApp, h, nextTick, onMounted, onUpdated, reactive,
	ref, watch } from
    '../vendor/vue.runtime.esm-browser.prod.js';
import { listUsers, requestLog } from './api.js';
import { go, href, prefs, route } from './state.js';
import { Empty, ErrorBox, Loading } from './components.js';
import { browserZone, possessive, validZone } from './util.js';
import { PlaysPage } from './pages/plays.js';
import { DwPage } from './pages/dw.js';
import { TopPage } from './pages/top.js';
import { SettingsPage } from './pages/settings.js';
import { InsightsPage } from './pages/insights.js';
import { AlbumPage, ArtistPage, TrackPage } from './pages/story.js';
import { SearchBox, SearchPage } from './pages/search.js';
import { ChartsPage } from './pages/charts.js';
import { ReviewPage } from './pages/review.js';
import { AccountBar, LOGIN_URL, account, loadMe, withOwnJournal } from
    './account.js';

const PAGES = [
	{ id: 'plays', label: 'Plays', comp: PlaysPage },
	{ id: 'dw', label: 'Discover Weekly', short: 'Discover', comp: DwPage },
	{ id: 'top', label: 'Top', comp: TopPage },
	{ id: 'charts', comp: ChartsPage, hidden: true },
	{ id: 'review', comp: ReviewPage, hidden: true },
	{ id: 'insights', label: 'Insights', comp: InsightsPage },
	{ id: 'settings', label: 'Settings', comp: SettingsPage },
	{ id: 'track', comp: TrackPage, hidden: true },
	{ id: 'artist', comp: ArtistPage, hidden: true },
	{ id: 'album', comp: AlbumPage, hidden: true },
	{ id: 'search', comp: SearchPage, hidden: true },
];
const TABS = PAGES.filter((p) => !p.hidden);

// ---- the shell ---------------------------------------------------------------

const state = reactive({ users: null, error: null });

function load() {
	state.error = null;
	// The signed-in user's own journal is listed too (account.js).
	Promise.all([listUsers(true), loadMe()]).then(([r]) => {
		state.users = withOwnJournal(r.users ?? []);
		if (!route.user && state.users.length > 0)
			location.replace(href(defaultJournal(state.users).id,
			    route.page));
	}).catch((e) => { state.error = e.message; });
}

// Where / opens: the signed-in user's own journal, else the public one
// with the most plays (the richest story; the first listed of equals).
function defaultJournal(users) {
	if (account.me?.user)
		return users[0];
	return users.reduce((best, u) => ((u.n_plays ?? 0) >
	    (best.n_plays ?? 0) ? u : best));
}

const current = computed(() =>
    state.users?.find((u) => u.id === route.user) ?? null);

// The zone dates are shown in: the journal's setting, or this browser's.
export const zone = computed(() => {
	const j = current.value?.timezone;
	if (prefs.zone === 'journal' && validZone(j))
		return j;
	return browserZone();
});

function Switcher() {
	const users = state.users ?? [];
	if (users.length === 0)
		return null;
	return h('label', { class: 'switcher' }, [
		h('span', { class: 'visually-hidden' }, 'Journal'),
		h('select', {
			value: route.user ?? '',
			onChange: (e) => go(e.target.value, route.page),
		}, [
			// A journal that is not listed (private, or no such
			// one) is not named: the list asks for a choice.
			route.user && !current.value ?
			    h('option', { value: route.user, disabled: true },
				'Choose a journal') : null,
			...users.map((u) => h('option', { value: u.id },
			    u.display_name || u.id)),
		]),
	]);
}

// The tab bar scrolls sideways when it does not fit (a narrow phone, a
// long name beside it); a fade at an edge says there is more that way, and
// the current page's tab is kept in view.  On phones the long labels give
// way to short ones (display: none, so the link's name is the one shown).
const tabsEl = ref(null);

function fadeTabs() {
	const ul = tabsEl.value;
	if (!ul)
		return;
	const max = ul.scrollWidth - ul.clientWidth;
	ul.classList.toggle('more-start', ul.scrollLeft > 1);
	ul.classList.toggle('more-end', ul.scrollLeft < max - 1);
}

function showActiveTab() {
	const ul = tabsEl.value;
	const a = ul?.querySelector('.tab.active');
	if (a) {
		const l = a.offsetLeft - ul.offsetLeft, r = l + a.offsetWidth;
		if (l < ul.scrollLeft || r > ul.scrollLeft + ul.clientWidth)
			ul.scrollLeft = l - (ul.clientWidth - a.offsetWidth) / 2;
	}
	fadeTabs();
}

function Nav() {
	// With no journal to show there is nowhere for the tabs to go.
	if (state.users?.length === 0)
		return null;
	return h('nav', { class: 'tabs', 'aria-label': 'Pages' },
	    h('ul', { ref: tabsEl, onScroll: fadeTabs },
		TABS.map((p) => h('li', { key: p.id }, p.soon ?
		h('span', { class: 'tab soon', title: 'Insights arrive soon',
			'aria-disabled': 'true' }, [p.label,
			h('small', ' soon')]) :
		h('a', {
			class: ['tab', { active: route.page === p.id }],
			href: route.user ? href(route.user, p.id) : '#/',
			'aria-current': route.page === p.id ? 'page' : null,
		}, p.short ? [h('span', { class: 'long' }, p.label),
			h('span', { class: 'short' }, p.short)] : p.label)))));
}

// A journal this browser may not read: private (and not the signed-in
// user's own), or no such journal.  Not an error of the page's.
function NotListed() {
	const signedIn = Boolean(account.me?.user);
	const first = state.users[0];
	return h('div', { class: 'state empty not-listed', role: 'status' }, [
		h('img', { src: 'img/placeholder.svg', alt: '', width: 64,
			height: 64 }),
		h('p', { class: 'state-title' }, 'This journal is private or does ' +
		    'not exist'),
		h('p', signedIn ? 'Only its owner can read a private journal, ' +
		    'and you are signed in as someone else.' : 'If it is yours, ' +
		    'sign in with Spotify to read it; a private journal is shown ' +
		    'only to its owner.'),
		h('p', { class: 'actions' }, [
			signedIn ? null : h('a', { class: 'btn', href: LOGIN_URL },
			    'Sign in with Spotify'),
			first ? h('a', { class: 'btn ghost', href: href(first.id,
			    'plays') }, `Read ${possessive(first.display_name ||
			    first.id)} journal`) : null,
		]),
	]);
}

// "Plays · Ivy's journal · linernotes": the page and the journal.
function pageTitle() {
	if (state.users === null || !route.user)
		return 'linernotes';
	if (!current.value)
		return 'Journal not found · linernotes';
	const page = PAGES.find((p) => p.id === route.page);
	const u = current.value;
	return `${page ? page.label : 'Nothing here'} · ` +
	    `${possessive(u.display_name || u.id)} journal · linernotes`;
}

function Body() {
	if (state.error)
		return ErrorBox(state.error, load);
	if (state.users === null)
		return Loading('Opening the journals…');
	if (state.users.length === 0)
		return [Empty('No public journals yet',
		    'When someone makes their journal public it appears here.'),
			h('p', { class: 'state' }, h('a', { class: 'btn',
				href: LOGIN_URL }, 'Sign in with Spotify'))];
	if (!route.user)
		return Loading();
	const page = PAGES.find((p) => p.id === route.page && p.comp);
	if (!page)
		return Empty('Nothing here', 'That page does not exist (yet).');
	if (!current.value)
		return NotListed();
	return h(page.comp, { key: page.id + '/' + route.user,
		user: current.value, zone: zone.value, query: route.query,
		prefs });
}

const App = {
	name: 'App',
	setup() {
		load();
		onMounted(() => {
			window.addEventListener('resize', showActiveTab);
			document.fonts?.ready.then(showActiveTab);
		});
		onUpdated(fadeTabs);
		watch(() => route.page, () => nextTick(showActiveTab));
		watch(pageTitle, (t) => { document.title = t; },
		    { immediate: true });
		return () => [
			h('a', { class: 'skip', href: '#main',
				onClick: (e) => {
					e.preventDefault();
					document.getElementById('main').focus();
				} }, 'Skip to content'),
			h('header', { class: 'top' }, [h('div', { class: 'bar' }, [
				h('a', { class: 'brand', href: '#/' }, [
					h('img', { src: 'img/logo.svg', alt: '',
						width: 28, height: 28 }),
					h('span', 'linernotes'),
				]),
				Nav(),
				Switcher(),
				AccountBar(),
			]), h(SearchBox)]),
			h('main', { id: 'main', tabindex: '-1' }, Body()),
			h('footer', { class: 'foot' }, [
				h('span', 'linernotes — a listening journal. '),
				h('span', `Times in ${zone.value === 'Etc/UTC' ? 'UTC' :
				    zone.value}.`),
			]),
		];
	},
};

createApp(App).mount('#app');

// For the browser tests: the requests the pages made.
window.__ln = { requests: requestLog };
