// top.js — the Top page: Spotify's top tracks and artists for the last
// four weeks, six months and all time, as the journal kept them: each
// item's rank change since the previous (different) snapshot — new, up,
// down or same — the ones that dropped out, and a chart of one item's
// rank over every snapshot kept (GET /top/:user?history=1).
//
// The chart is drawn by Chart.js, loaded the first time a chart is shown
// (chart.js).

import { h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadEntities, loadTracksDeep } from '../api.js';
import { useChart } from '../chart.js';
import { Cover, Empty, ErrorBox, Loading, entityName } from
    '../components.js';
import { ArtistLinks, NameLink } from '../links.js';
import { href, runLoad } from '../state.js';
import { fmtAgo, fmtDate, pickImage } from '../util.js';

const RANGES = [
	{ id: 'short_term', label: 'Last 4 weeks' },
	{ id: 'medium_term', label: 'Last 6 months' },
	{ id: 'long_term', label: 'All time' },
];
const KINDS = [
	{ id: 'tracks', label: 'Tracks' },
	{ id: 'artists', label: 'Artists' },
];

// Rank of id in each snapshot, oldest first: {labels, ranks}.
export function rankHistory(history, id) {
	const snaps = [...(history ?? [])].reverse();
	return {
		labels: snaps.map((x) => x.day),
		ranks: snaps.map((x) => {
			const i = x.ids.indexOf(id);
			return i < 0 ? null : i + 1;
		}),
	};
}

// A canvas with the rank of one item over time.
const RankChart = {
	name: 'RankChart',
	props: { history: Array, id: String, name: String, size: Number },
	setup(props) {
		const { canvas, err } = useChart(() => [props.id, props.history],
		    ({ fg, grid, accent }) => {
			const { labels, ranks } = rankHistory(props.history,
			    props.id);

			return {
				type: 'line',
				data: {
					labels: labels.map(fmtDate),
					datasets: [{
						label: `Rank of ${props.name}`,
						data: ranks,
						borderColor: accent,
						backgroundColor: accent,
						pointRadius: 4,
						pointHoverRadius: 6,
						tension: 0,
						spanGaps: false,
					}],
				},
				options: {
					responsive: true,
					maintainAspectRatio: false,
					animation: false,
					scales: {
						y: {
							reverse: true,
							min: 1,
							suggestedMax: Math.max(10, props.size),
							ticks: { color: fg, precision: 0 },
							grid: { color: grid },
							title: { display: true, text: 'rank',
								color: fg },
						},
						x: { ticks: { color: fg }, grid: { color: grid } },
					},
					plugins: {
						legend: { display: false },
						tooltip: { callbacks: { label: (c) =>
						    c.parsed.y === null ? 'not in the list' :
						    `#${c.parsed.y}` } },
					},
				},
			};
		});
		return () => {
			const { labels, ranks } = rankHistory(props.history, props.id);
			const text = labels.map((d, i) => `${fmtDate(d)}: ` +
			    (ranks[i] === null ? 'not in the list' : `#${ranks[i]}`))
			    .join('; ');
			return h('div', { class: 'chart' }, [
				err.value ? ErrorBox(`The chart could not be drawn: ` +
				    err.value) : null,
				h('div', { class: 'chart-box' }, h('canvas', {
					ref: canvas, role: 'img',
					'aria-label': `Rank of ${props.name} over time: ${text}`,
				})),
				labels.length < 2 ? h('p', { class: 'note' },
				    'Only one snapshot so far: the line grows as the ' +
				    'list changes.') : null,
			]);
		};
	},
};

function Change(c) {
	switch (c.change) {
	case 'new':
		return h('span', { class: 'change new', title: 'New in the list' },
		    'new');
	case 'up':
		return h('span', { class: 'change up',
			title: `Up ${c.delta} from #${c.previous_rank}` },
		    [h('span', { 'aria-hidden': 'true' }, '▲'),
			h('span', { class: 'visually-hidden' }, 'up '),
			String(c.delta)]);
	case 'down':
		return h('span', { class: 'change down',
			title: `Down ${-c.delta} from #${c.previous_rank}` },
		    [h('span', { 'aria-hidden': 'true' }, '▼'),
			h('span', { class: 'visually-hidden' }, 'down '),
			String(-c.delta)]);
	case 'same':
		return h('span', { class: 'change same', title: 'Same place' },
		    [h('span', { 'aria-hidden': 'true' }, '='),
			h('span', { class: 'visually-hidden' }, 'same')]);
	default:
		return h('span', { class: 'change none',
			title: 'Nothing to compare with yet' }, '·');
	}
}

export const TopPage = {
	name: 'TopPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({ data: null, busy: false, error: null });
		let gen = 0;
		const range = () => RANGES.some((r) => r.id === props.query?.range) ?
		    props.query.range : 'short_term';
		const kind = () => KINDS.some((k) => k.id === props.query?.kind) ?
		    props.query.kind : 'tracks';

		async function load() {
			const my = ++gen;
			s.busy = true;
			s.error = null;
			s.data = null;
			await runLoad(s, 'busy', () => my === gen, async () => {
				const r = await getJson(`/top/${encodeURIComponent(
				    props.user.id)}?kind=${kind()}&range=${range()}` +
				    '&history=1');
				const d = r[kind()]?.[range()] ?? null;
				const ids = [...(d?.current?.ids ?? []),
					...(d?.dropped ?? [])];
				if (kind() === 'tracks')
					await loadTracksDeep(ids);
				else
					await loadEntities('artists', ids);
				if (my === gen)
					s.data = d;
			});
		}
		watch(() => `${props.user.id}|${kind()}|${range()}`, load,
		    { immediate: true });

		function link(q) {
			return href(props.user.id, 'top', { range: range(),
				kind: kind(), ...q });
		}

		function Seg(label, items, currentId, key) {
			return h('div', { class: 'seg', role: 'group',
				'aria-label': label }, items.map((it) => h('a', {
				href: link({ [key]: it.id, item: undefined }),
				class: { on: it.id === currentId },
				'aria-current': it.id === currentId ? 'true' : null,
			}, it.label)));
		}

		function art(id) {
			if (kind() === 'artists') {
				const a = cached('artists', id);
				return { url: pickImage(a?.images, 64), alt: a ?
				    `Photo of ${a.name}` : 'Artist photo', round: true };
			}
			const t = cached('tracks', id);
			const al = t?.album_id ? cached('albums', t.album_id) : null;
			return { url: pickImage(al?.images, 64), alt: al ?
			    `Cover of ${al.name}` : `Cover of ${entityName('tracks',
			    id)}` };
		}

		function Item(c, selected) {
			const name = entityName(kind(), c.id);
			const t = kind() === 'tracks' ? cached('tracks', c.id) : null;
			const a = art(c.id);
			return h('li', { class: ['top-item', { sel: selected }],
				key: c.id, 'data-id': c.id, 'data-change': c.change ?? '',
				'data-rank': c.rank }, [
				h('span', { class: 'rank' }, String(c.rank)),
				Change(c),
				h(Cover, { url: a.url, alt: a.alt, round: a.round,
					size: 48 }),
				h('div', { class: 'what' }, [
					h('p', { class: 'track' }, NameLink(kind(), c.id,
					    { text: name })),
					t ? h('p', { class: 'by' },
					    ArtistLinks(t.artist_ids)) :
					    h('p', { class: 'by' }, (cached('artists', c.id)
						?.genres ?? []).slice(0, 3).join(', ') ||
						'\u00a0'),
				]),
				h('a', { class: 'btn ghost small', href: link({
					item: selected ? undefined : c.id }),
					'aria-label': `${selected ? 'Hide' : 'Show'} the ` +
					    `rank of ${name} over time`,
					'aria-expanded': String(selected) },
				    selected ? 'Hide chart' : 'Rank over time'),
				selected ? h(RankChart, { class: 'wide',
					history: s.data.history, id: c.id, name,
					size: s.data.current.ids.length }) : null,
			]);
		}

		return () => {
			const head = h('div', { class: 'page-head' }, [
				h('div', [
					h('h1', 'Top'),
					h('p', { class: 'sub' }, ['What Spotify counts as ' +
					    'your most played, and how it moves. ',
						h('a', { class: 'charts-link', href: href(
						    props.user.id, 'charts') },
						    'Your own charts, counted from your plays')]),
				]),
				h('div', { class: 'controls' }, [
					Seg('Time range', RANGES, range(), 'range'),
					Seg('Tracks or artists', KINDS, kind(), 'kind'),
				]),
			]);
			if (s.error)
				return [head, ErrorBox(s.error, load)];
			if (s.busy)
				return [head, Loading('Loading the list…')];
			const d = s.data;
			if (!d?.current)
				return [head, Empty('No top list yet', 'It appears ' +
				    'after the first daily fetch from Spotify.')];
			const sel = props.query?.item;
			const out = [head, h('p', { class: 'snap' }, [
				`Snapshot of ${fmtDate(d.current.day)}`,
				d.current.confirmed_at ? `, still current ` +
				    `${fmtAgo(d.current.confirmed_at * 1000)}` : '',
				d.previous ? `; changes since ${fmtDate(d.previous.day)}.` :
				    '; the first one kept, so nothing to compare yet.',
			]), h('ol', { class: 'top-list' }, d.changes.map((c) =>
			    Item(c, c.id === sel)))];
			if (d.dropped?.length)
				out.push(h('section', { class: 'dropped' }, [
					h('h2', `Dropped out since ${fmtDate(d.previous.day)}`),
					h('ul', d.dropped.map((id) => h('li', { key: id,
						'data-id': id }, [
						h(Cover, { ...art(id), size: 32 }),
						h('a', { href: link({ item: id }),
							'aria-label': `${entityName(kind(), id)}: ` +
							    'rank over time' },
						    entityName(kind(), id)),
					]))),
				]));
			if (sel && !d.changes.some((c) => c.id === sel) &&
			    (d.history ?? []).some((x) => x.ids.includes(sel)))
				out.push(h('section', { class: 'panel' }, [
					h('h2', `Rank of ${entityName(kind(), sel)} over time`),
					h(RankChart, { history: d.history, id: sel,
						name: entityName(kind(), sel),
						size: d.current.ids.length }),
				]));
			return out;
		};
	},
};
