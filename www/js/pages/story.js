// story.js — the story pages of a track, an artist and an album in one
// journal (#/u/USER/track?id=…, artist?id=…, album?id=…), from GET
// /story/:user/:kind/:id and its /plays (docs/API.md):
//
//   the first and last play, plays and listening time in total and per
//   month (a bar chart, with a table per year), every binge of it with
//   its hours and what came before and after, its returns after a long
//   absence, where it was played from, its Discover Weekly weeks and its
//   ranks in Spotify's top lists; an artist's and an album's tracks (and
//   an artist's albums) ranked by plays with when each was first played;
//   and the plays themselves, newest first, paging back.
//
// Every count leads to plays: a binge or a first play to that day on the
// Plays page; every name to its own story.

import { h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, getOlder, loadEntities, loadTracksDeep } from
    '../api.js';
import { Cover, Empty, ErrorBox, Loading, entityName } from
    '../components.js';
import { useChart } from '../chart.js';
import { ArtistLinks, NameLink, SpotifyIcon } from '../links.js';
import { href } from '../state.js';
import { dayKey, fmtDate, fmtDateTime, pickImage, plural } from '../util.js';

const KINDS = { track: 'tracks', artist: 'artists', album: 'albums' };
const RANGE_WORDS = { short_term: 'last 4 weeks',
	medium_term: 'last 6 months', long_term: 'all time' };

// "3 h 20 min", "45 min".
function fmtListen(ms) {
	const min = Math.round(ms / 60000);
	if (min < 60)
		return `${min} min`;
	const hrs = Math.floor(min / 60);
	return hrs >= 100 ? `${hrs.toLocaleString()} h` :
	    `${hrs} h ${min % 60} min`;
}

// A bar chart of plays per month.
const MonthChart = {
	name: 'MonthChart',
	props: { months: Array },
	setup(props) {
		const { canvas, err } = useChart(() => props.months,
		    ({ fg, grid, accent }) => ({
			type: 'bar',
			data: {
				labels: props.months.map((m) => m.month),
				datasets: [{ label: 'Plays', data:
				    props.months.map((m) => m.plays),
					backgroundColor: accent || '#b39dff' }],
			},
			options: {
				responsive: true, maintainAspectRatio: false,
				animation: false,
				scales: {
					y: { ticks: { color: fg, precision: 0 },
						grid: { color: grid } },
					x: { ticks: { color: fg, maxRotation: 0,
						autoSkip: true }, grid: { color: grid } },
				},
				plugins: { legend: { display: false } },
			},
		}));
		return () => h('div', { class: 'chart' }, [
			err.value ? ErrorBox('The chart could not be drawn: ' +
			    err.value) : null,
			h('div', { class: 'chart-box' }, h('canvas', { ref: canvas,
				role: 'img', 'aria-label': 'Plays per month. The ' +
				    'figures per year are in the table below.' })),
		]);
	},
};

function Table(headers, rows, caption) {
	return h('div', { class: 'table-scroll' }, h('table', [
		caption ? h('caption', { class: 'visually-hidden' }, caption) :
		    null,
		h('thead', h('tr', headers.map((x, i) => h('th',
		    { scope: 'col', key: i }, x)))),
		h('tbody', rows.map((r, i) => h('tr', { key: i }, r.map((x, j) =>
		    j === 0 ? h('th', { scope: 'row' }, x) : h('td', x))))),
	]));
}

export const StoryPage = {
	name: 'StoryPage',
	props: { user: Object, zone: String, query: Object, prefs: Object,
		kind: String },
	setup(props) {
		const s = reactive({ story: null, error: null, plays: [],
			next: undefined, loadingPlays: false });
		const kinds = () => KINDS[props.kind];
		const id = () => props.query?.id ?? '';
		const base = () => `/story/${encodeURIComponent(props.user.id)}/` +
		    `${props.kind}/${encodeURIComponent(id())}`;
		const playsAt = (ms) => href(props.user.id, 'plays',
		    { date: dayKey(ms, props.zone) });

		async function load() {
			s.story = null;
			s.error = null;
			s.plays = [];
			s.next = undefined;
			try {
				const st = await getJson(base() + '?tz=' +
				    encodeURIComponent(props.zone));
				const tracks = [st.id].filter(() =>
				    props.kind === 'track');
				for (const t of st.tracks ?? [])
					tracks.push(t.track_id);
				for (const b of st.binges) {
					tracks.push(b.track_id);
					if (b.before)
						tracks.push(b.before.track_id);
					if (b.after)
						tracks.push(b.after.track_id);
				}
				await loadTracksDeep(tracks.slice(0, 150), {
					albums: [...(st.albums ?? []).map((a) =>
					    a.album_id), ...(props.kind === 'album' ?
					    [st.id] : [])],
					artists: props.kind === 'artist' ? [st.id] : [],
				});
				s.story = st;
				await more();
			} catch (e) {
				s.error = e.message;
			}
		}

		async function more() {
			s.loadingPlays = true;
			try {
				const r = await getOlder(base() + '/plays', 50,
				    s.next?.before ?? null);
				await loadEntities('tracks', r.items.map((p) =>
				    p.track_id));
				s.plays.push(...r.items);
				s.next = r.next;
			} finally {
				s.loadingPlays = false;
			}
		}

		watch(() => [props.kind, id(), props.zone], load,
		    { immediate: true });

		function Head(st) {
			const e = cached(kinds(), st.id);
			const t = props.kind === 'track' ? e : null;
			const album = props.kind === 'album' ? e :
			    t?.album_id ? cached('albums', t.album_id) : null;
			const img = props.kind === 'artist' ? e?.images :
			    album?.images;
			return h('header', { class: 'story-head' }, [
				h(Cover, { url: pickImage(img, 128), size: 96,
					round: props.kind === 'artist',
					alt: `Picture of ${entityName(kinds(), st.id)}` }),
				h('div', [
					h('p', { class: 'kicker' }, props.kind === 'track' ?
					    'Track' : props.kind === 'artist' ? 'Artist' :
					    'Album'),
					h('h1', { class: 'story-title' }, [
						entityName(kinds(), st.id), ' ',
						SpotifyIcon(kinds(), st.id)]),
					t ? h('p', { class: 'by' }, [ArtistLinks(t.artist_ids),
						t.album_id ? [' · ', NameLink('albums',
						    t.album_id, { cls: 'album' })] : null]) :
					    null,
					props.kind === 'album' && e ? h('p', { class: 'by' },
					    ArtistLinks(e.artist_ids)) : null,
				]),
			]);
		}

		function Facts(st) {
			const fact = (label, value) => h('div', { class: 'fact' }, [
				h('dt', label), h('dd', value)]);
			return h('dl', { class: 'facts' }, [
				fact('Plays', h('a', { href: '#story-plays' },
				    st.plays.toLocaleString())),
				fact('Listening time', fmtListen(st.ms)),
				fact('First play', st.first ? h('a', {
					href: playsAt(st.first.played_at) },
				    fmtDateTime(st.first.played_at, props.zone)) :
				    'never'),
				fact('Last play', st.last ? h('a', {
					href: playsAt(st.last.played_at) },
				    fmtDateTime(st.last.played_at, props.zone)) :
				    'never'),
				fact('Days played', st.days_played.toLocaleString()),
				fact('Longest streak', st.longest_streak ?
				    plural(st.longest_streak.days, 'day') : '—'),
			]);
		}

		function Section(idv, title, body, note) {
			return h('section', { class: 'panel', id: idv,
				'aria-labelledby': idv + '-h' }, [
				h('h2', { id: idv + '-h' }, title),
				note ? h('p', { class: 'note' }, note) : null,
				body,
			]);
		}

		function Binges(st) {
			if (st.binges.length === 0)
				return null;
			return Section('story-binges', 'Binges', h('ol',
			    { class: 'story-list' }, st.binges.map((b) =>
				h('li', { class: 'binge', key: b.first.played_at,
					'data-plays': b.plays }, [
					h('a', { href: playsAt(b.last.played_at) },
					    `${b.plays}× in a row`),
					` from ${fmtDateTime(b.start, props.zone)} to ` +
					    fmtDateTime(b.last.played_at, props.zone),
					props.kind !== 'track' ? [' — ',
					    NameLink('tracks', b.track_id)] : null,
					b.before ? h('span', { class: 'note' }, [
						' after ', NameLink('tracks',
						    b.before.track_id)]) : null,
					b.after ? h('span', { class: 'note' }, [
						', then ', NameLink('tracks',
						    b.after.track_id)]) : null,
				]))), `${st.binge_min} or more plays in a row, ` +
			    `with no other play between: ${plural(st.binges_total,
			    'binge')}.`);
		}

		// A section listing items, one li each keyed by key(item) with
		// what item(item) renders; none when there are no items.
		function ListSection(idv, title, items, key, item, note) {
			if (items.length === 0)
				return null;
			return Section(idv, title, h('ul', { class: 'story-list' },
			    items.map((x) => h('li', { key: key(x) }, item(x)))),
			    note);
		}

		function Returns(st) {
			return ListSection('story-returns', 'Returns', st.returns,
			    (r) => r.played_at, (r) => [
				h('a', { href: playsAt(r.played_at) },
				    fmtDateTime(r.played_at, props.zone)),
				` — back after ${plural(r.days_away, 'day')}`,
			], `Plays after ${st.return_days} days or more away.`);
		}

		function Contexts(st) {
			if (st.contexts.length === 0)
				return null;
			return Section('story-contexts', 'Played from', Table(
			    ['From', 'Plays'], st.contexts.map((c) => [
				c.name ?? c.uri ?? 'no playlist or album',
				c.plays.toLocaleString()])));
		}

		function Dw(st) {
			return ListSection('story-dw', 'Discover Weekly', st.dw,
			    (w) => w.week, (w) => [
				h('a', { href: href(props.user.id, 'dw') },
				    `Week of ${fmtDate(w.week)}`),
				': ', w.items.map((it, i) => [i ? ', ' : '',
					NameLink('tracks', it.track_id),
					` (#${it.position})`]),
			]);
		}

		function Top(st) {
			if (!st.top)
				return null;
			const rows = Object.entries(st.top).filter(([, v]) =>
			    v.length > 0);
			if (rows.length === 0)
				return null;
			return Section('story-top', 'In Spotify\'s top lists', Table(
			    ['Range', 'Latest rank', 'Best rank', 'Since'],
			    rows.map(([range, v]) => {
				const ranks = v.filter((x) => x.rank !== null);
				const last = v[v.length - 1];
				return [RANGE_WORDS[range] ?? range,
					last.rank === null ? 'left the list' :
					    `#${last.rank}`,
					ranks.length ? `#${Math.min(...ranks.map((x) =>
					    x.rank))}` : '—', fmtDate(v[0].day)];
			})));
		}

		function Ranked(st) {
			const out = [];
			if (st.tracks && st.tracks.length > 0)
				out.push(Section('story-tracks', 'Tracks by plays',
				    Table(['Track', 'Plays', 'First played'],
				    st.tracks.map((t) => [NameLink('tracks',
					t.track_id), t.plays.toLocaleString(),
					h('a', { href: playsAt(t.first.played_at) },
					    fmtDateTime(t.first.played_at,
					    props.zone))]))));
			if (props.kind === 'artist' && st.albums?.length > 0)
				out.push(Section('story-albums', 'Albums by plays',
				    Table(['Album', 'Plays', 'First played'],
				    st.albums.map((a) => [NameLink('albums',
					a.album_id), a.plays.toLocaleString(),
					fmtDateTime(a.first.played_at, props.zone)]))));
			return out;
		}

		function Over(st) {
			if (st.months.length === 0)
				return null;
			return Section('story-time', 'Listening over time', [
				h(MonthChart, { months: st.months }),
				Table(['Year', 'Plays', 'Listening time'],
				    st.years.map((y) => [String(y.year),
					h('a', { href: href(props.user.id, 'charts', {
					    kind: KINDS[props.kind], from: `${y.year}-01-01`,
					    to: `${y.year}-12-31` }),
					    title: `The ${y.year} charts` },
					    y.plays.toLocaleString()), fmtListen(y.ms)]),
				    'Plays per year'),
			]);
		}

		function Plays() {
			return Section('story-plays', 'Plays', [
				h('ol', { class: 'story-list story-plays' },
				    s.plays.map((p) => h('li', { key: p.played_at,
					'data-track': p.track_id }, [
					h('a', { href: playsAt(p.played_at) },
					    fmtDateTime(p.played_at, props.zone)),
					props.kind !== 'track' ? [' — ',
					    NameLink('tracks', p.track_id)] : null,
				]))),
				s.next ? h('button', { class: 'btn', type: 'button',
					disabled: s.loadingPlays,
					onClick: () => more().catch((e) => {
						s.error = e.message;
					}) }, 'Older plays') : null,
			], 'Newest first.');
		}

		return () => {
			if (s.error)
				return ErrorBox(s.error, load);
			if (!s.story)
				return Loading('Reading the story…');
			const st = s.story;
			return h('div', { class: 'story', 'data-kind': props.kind,
				'data-id': st.id }, [
				Head(st),
				st.plays === 0 ? Empty('Not played in this journal',
				    'Its story starts with its first play.') :
				    [Facts(st), Over(st), Binges(st), Returns(st),
					Ranked(st), Contexts(st), Dw(st), Top(st),
					Plays()],
			]);
		};
	},
};

export const TrackPage = { name: 'TrackPage', props: StoryPage.props,
	setup: (props) => () => h(StoryPage, { ...props, kind: 'track' }) };
export const ArtistPage = { name: 'ArtistPage', props: StoryPage.props,
	setup: (props) => () => h(StoryPage, { ...props, kind: 'artist' }) };
export const AlbumPage = { name: 'AlbumPage', props: StoryPage.props,
	setup: (props) => () => h(StoryPage, { ...props, kind: 'album' }) };
