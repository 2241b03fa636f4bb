// charts.js — the Charts page (#/u/USER/charts?kind=&by=&from=&to=):
// the journal's own top tracks, artists or albums for a span of days
// (the last 7 or 30 days, a year, all time, or any dates), by plays or
// by listening time, with each one's rank change against the span of the
// same length just before (GET /charts/:user, docs/API.md).  Every name
// leads to its story; the span's plays are one click away on Plays, and
// the year in review (review.js) one click from the head.

import { h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadEntities, loadTracksDeep } from '../api.js';
import { Empty, ErrorBox, Loading } from '../components.js';
import { ArtistLinks, NameLink } from '../links.js';
import { go, href } from '../state.js';
import { dayKey, plural } from '../util.js';

const KINDS = [['tracks', 'Tracks'], ['artists', 'Artists'],
	['albums', 'Albums']];
const BYS = [['plays', 'Plays'], ['ms', 'Listening time']];
const addDays = (key, n) => new Date(Date.parse(key + 'T00:00:00Z') +
    n * 86400e3).toISOString().slice(0, 10);

function fmtListen(ms) {
	const min = Math.round(ms / 60000);
	return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

function Change(it) {
	if (it.previous_rank === null)
		return h('span', { class: 'chg new', title: 'new in this span' },
		    'new');
	const d = it.previous_rank - it.rank;
	if (d === 0)
		return h('span', { class: 'chg same', title: 'same rank' }, '=');
	return h('span', { class: ['chg', d > 0 ? 'up' : 'down'],
		title: `${d > 0 ? 'up' : 'down'} ${Math.abs(d)} from ` +
		    `#${it.previous_rank}` }, `${d > 0 ? '▲' : '▼'}${Math.abs(d)}`);
}

export const ChartsPage = {
	name: 'ChartsPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({ r: null, error: null });
		const q = () => ({ kind: props.query?.kind || 'tracks',
			by: props.query?.by || 'plays',
			from: props.query?.from || '', to: props.query?.to || '' });
		const today = () => dayKey(Date.now(), props.zone);
		const presets = () => [
			['Last 7 days', addDays(today(), -6), today()],
			['Last 30 days', addDays(today(), -29), today()],
			['This year', today().slice(0, 4) + '-01-01', today()],
			['Last year', `${Number(today().slice(0, 4)) - 1}-01-01`,
			    `${Number(today().slice(0, 4)) - 1}-12-31`],
			['All time', '', ''],
		];
		const set = (patch) => go(props.user.id, 'charts',
		    { ...q(), ...patch });

		async function load() {
			s.r = null;
			s.error = null;
			const { kind, by, from, to } = q();
			const p = new URLSearchParams({ kind, by, tz: props.zone,
				limit: '50' });
			if (from)
				p.set('from', from);
			if (from && to)
				p.set('to', to);
			try {
				const r = await getJson('/charts/' +
				    `${encodeURIComponent(props.user.id)}?${p}`);
				const ids = r.items.map((x) => x.id);
				if (kind === 'tracks')
					await loadTracksDeep(ids);
				else
					await loadEntities(kind, ids);
				s.r = r;
			} catch (e) {
				s.error = e.message;
			}
		}
		watch(() => [props.query?.kind, props.query?.by,
			props.query?.from, props.query?.to, props.zone], load,
		    { immediate: true });

		function Controls() {
			const cur = q();
			return h('div', { class: 'charts-controls' }, [
				h('label', ['Show ', h('select', { value: cur.kind,
					onChange: (e) => set({ kind: e.target.value }) },
				    KINDS.map(([v, l]) => h('option', { value: v }, l)))]),
				h('label', [' by ', h('select', { value: cur.by,
					onChange: (e) => set({ by: e.target.value }) },
				    BYS.map(([v, l]) => h('option', { value: v }, l)))]),
				h('div', { class: 'charts-presets', role: 'group',
					'aria-label': 'Span' }, presets().map(([l, f, t]) =>
				    h('button', { type: 'button', class: ['btn', 'small',
					{ ghost: !(cur.from === f && (cur.to === t ||
					    !f)) }], onClick: () => set({ from: f, to: t }) },
					l))),
				h('label', ['From ', h('input', { type: 'date',
					value: cur.from, max: today(),
					onChange: (e) => set({ from: e.target.value }) })]),
				h('label', [' to ', h('input', { type: 'date',
					value: cur.to, onChange: (e) =>
					    set({ to: e.target.value }) })]),
			]);
		}

		function Row(it, kind) {
			const t = kind === 'tracks' ? cached('tracks', it.id) : null;
			return h('li', { class: 'chart-row', key: it.id,
				'data-id': it.id, 'data-rank': it.rank }, [
				h('span', { class: 'rank' }, String(it.rank)),
				Change(it),
				h('div', { class: 'what' }, [
					h('p', { class: 'track' }, NameLink(kind, it.id)),
					t ? h('p', { class: 'by' }, ArtistLinks(t.artist_ids)) :
					    null,
				]),
				h('span', { class: 'figures' }, [
					plural(it.plays, 'play'), h('br'),
					h('small', fmtListen(it.ms))]),
			]);
		}

		return () => {
			const cur = q();
			let body;
			if (s.error)
				body = ErrorBox(s.error, load);
			else if (!s.r)
				body = Loading('Counting the plays…');
			else if (s.r.items.length === 0)
				body = Empty('No plays in this span',
				    'Choose another span above.');
			else
				body = [
					h('p', { class: 'note' }, [
						`${plural(s.r.total_plays, 'play')}, ` +
						    `${fmtListen(s.r.total_ms)}` +
						    (s.r.previous ? '; changes against the ' +
						    'span just before. ' : '. '),
						s.r.to ? h('a', { href: href(props.user.id,
						    'plays', { date: s.r.to }) },
						    'The plays of its last day') : null,
					]),
					h('ol', { class: 'chart-list' }, s.r.items.map((it) =>
					    Row(it, cur.kind))),
				];
			return h('div', { class: 'charts' }, [
				h('h1', 'Your charts'),
				h('p', { class: 'sub' }, h('a', { class: 'review-link',
					href: href(props.user.id, 'review') },
				    'Your year in review')),
				Controls(),
				body,
			]);
		};
	},
};
