// search.js — the search box in the header and the search page
// (#/u/USER/search?q=…): the journal's own tracks, artists and albums
// whose names contain what was typed, case and accents aside ("bjork"
// finds Björk), most played first (GET /search/:user, docs/API.md).
//
// The box asks as you type (after a short pause, and only the latest
// answer is shown), lists a few of each kind under it, and Enter opens
// the page with more.  Arrow keys move through the results; Escape
// closes them.  Names come through the batch reads like everywhere.

import { h, reactive, ref, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadEntities } from '../api.js';
import { Empty, ErrorBox, Loading } from '../components.js';
import { ArtistLinks, NameLink } from '../links.js';
import { go, route } from '../state.js';
import { plural } from '../util.js';

const KINDS = [['artists', 'Artists'], ['tracks', 'Tracks'],
	['albums', 'Albums']];
const DELAY = 120;	// ms of quiet before the box asks

async function search(user, q, limit) {
	const r = await getJson(`/search/${encodeURIComponent(user)}?q=` +
	    `${encodeURIComponent(q)}&limit=${limit}`);
	await Promise.all(KINDS.map(([k]) => loadEntities(k,
	    r[k].map((x) => x.id))));
	const tracks = r.tracks.map((x) => cached('tracks', x.id))
	    .filter(Boolean);
	await loadEntities('artists', tracks.flatMap((t) =>
	    t.artist_ids ?? []));
	return r;
}

function Results(r, onPick) {
	return KINDS.filter(([k]) => r[k].length > 0).map(([k, label]) =>
	    h('div', { class: 'search-group', key: k }, [
		h('p', { class: 'search-kind' }, label),
		h('ul', r[k].map((x) => h('li', { key: x.id,
			'data-id': x.id }, [
			h('span', { onClick: onPick }, NameLink(k, x.id)),
			k === 'tracks' ? h('span', { class: 'by' }, [' — ',
			    ArtistLinks(cached('tracks', x.id)?.artist_ids)]) :
			    null,
			h('span', { class: 'note' }, ` ${plural(x.plays,
			    'play')}`),
		]))),
	]));
}

export const SearchBox = {
	name: 'SearchBox',
	setup() {
		const s = reactive({ q: '', r: null, open: false });
		const input = ref(null);
		let timer = null;
		let seq = 0;

		watch(() => s.q, (q) => {
			clearTimeout(timer);
			const t = q.trim();
			if (!t || !route.user) {
				s.r = null;
				return;
			}
			timer = setTimeout(async () => {
				const mine = ++seq;
				try {
					const r = await search(route.user, t, 5);
					if (mine === seq) {
						s.r = r;
						s.open = true;
					}
				} catch {
					if (mine === seq)
						s.r = null;
				}
			}, DELAY);
		});

		function close() {
			s.open = false;
		}

		function onKey(e) {
			const links = [...(e.currentTarget.closest('.search')
			    ?.querySelectorAll('.search-results a.story-link') ?? [])];
			const i = links.indexOf(document.activeElement);
			if (e.key === 'Escape') {
				close();
				input.value?.focus();
			} else if (e.key === 'ArrowDown' && links.length) {
				e.preventDefault();
				links[Math.min(i + 1, links.length - 1)].focus();
			} else if (e.key === 'ArrowUp' && links.length) {
				e.preventDefault();
				if (i <= 0)
					input.value?.focus();
				else
					links[i - 1].focus();
			}
		}

		return () => {
			if (!route.user)
				return null;
			const r = s.r;
			const any = r && KINDS.some(([k]) => r[k].length > 0);
			return h('form', { class: 'search', role: 'search',
				onKeydown: onKey,
				onSubmit: (e) => {
					e.preventDefault();
					if (s.q.trim()) {
						close();
						go(route.user, 'search', { q: s.q.trim() });
					}
				} }, [
				h('label', { class: 'visually-hidden',
					for: 'search-q' }, 'Search this journal'),
				h('input', { id: 'search-q', ref: input, type: 'search',
					placeholder: 'Search', autocomplete: 'off',
					maxlength: 100, value: s.q,
					'aria-controls': 'search-results',
					'aria-expanded': s.open && r ? 'true' : 'false',
					onInput: (e) => { s.q = e.target.value; },
					onFocus: () => { s.open = true; } }),
				s.open && r ? h('div', { id: 'search-results',
					class: 'search-results', 'aria-live': 'polite' },
				    any ? Results(r, close) :
				    h('p', { class: 'note' }, 'Nothing in this journal ' +
					'by that name.')) : null,
			]);
		};
	},
};

export const SearchPage = {
	name: 'SearchPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({ r: null, error: null });

		async function load() {
			s.r = null;
			s.error = null;
			const q = (props.query?.q ?? '').trim();
			if (!q)
				return;
			try {
				s.r = await search(props.user.id, q, 50);
			} catch (e) {
				s.error = e.message;
			}
		}
		watch(() => props.query?.q, load, { immediate: true });

		return () => {
			const q = (props.query?.q ?? '').trim();
			if (!q)
				return Empty('Search this journal',
				    'Type a name in the box at the top.');
			if (s.error)
				return ErrorBox(s.error, load);
			if (!s.r)
				return Loading('Searching…');
			const r = s.r;
			const total = KINDS.reduce((n, [k]) => n + r[`${k}_total`], 0);
			return h('div', { class: 'search-page' }, [
				h('h1', `“${q}” in this journal`),
				total === 0 ? Empty('Nothing found',
				    'No track, artist or album of this journal has ' +
				    'that in its name.') :
				    h('section', { class: 'panel' }, Results(r,
					() => {})),
				h('p', { class: 'note' }, KINDS.map(([k, label]) =>
				    `${label}: ${r[`${k}_total`]}`).join(' · ')),
			]);
		};
	},
};
