// review.js — the year in review (#/u/USER/review?year=YYYY; without a
// year, this year so far): minutes listened, the top 5 tracks, artists
// and albums, the biggest binge, new artists discovered and the share of
// new music by month, the song of each season, the longest streak — and
// "Save as image", which draws the same summary on a canvas in the
// browser and offers it as a PNG (no server-side image library).
//
// Everything comes from the endpoints the other pages use, over the
// year's local days: GET /charts (kind tracks, artists, albums, limit 5)
// and GET /insights (binges, newold, seasons, streaks, limit 1).

import { h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadEntities, loadTracksDeep } from '../api.js';
import { Empty, ErrorBox, Loading, entityName } from '../components.js';
import { cssVar } from '../chart.js';
import { ArtistLinks, NameLink } from '../links.js';
import { go, href } from '../state.js';
import { dayKey, fmtDateTime, plural } from '../util.js';

const SEASONS = [['Winter', ['01', '02', '12']], ['Spring', ['03', '04', '05']],
	['Summer', ['06', '07', '08']], ['Autumn', ['09', '10', '11']]];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug',
	'Sep', 'Oct', 'Nov', 'Dec'];

// The favourite of each season: of its months' favourites, the one
// with the most plays.
function seasonSongs(months) {
	return SEASONS.map(([name, ms]) => {
		const best = months.filter((m) => ms.includes(m.month.slice(5)) &&
		    m.track_id).sort((a, b) => b.track_plays - a.track_plays)[0];
		return { name, best };
	}).filter((s) => s.best);
}

// Draws the review on a canvas and returns it (1080 × 1350, a phone's
// share size).
function drawImage(r, user, year) {
	const W = 1080, H = 1350;
	const c = document.createElement('canvas');
	c.width = W;
	c.height = H;
	const g = c.getContext('2d');
	const bg = cssVar('--bg') || '#121419';
	const accent = cssVar('--accent') || '#b39dff';
	const text = cssVar('--text') || '#eef0f5';
	const muted = cssVar('--muted') || '#a9afbd';
	g.fillStyle = bg;
	g.fillRect(0, 0, W, H);
	g.fillStyle = accent;
	g.font = 'bold 64px Georgia, serif';
	g.fillText(`${year} in review`, 72, 130);
	g.fillStyle = muted;
	g.font = '32px sans-serif';
	g.fillText(`${user.display_name || user.id} · linernotes`, 72, 180);
	g.fillStyle = text;
	g.font = 'bold 96px sans-serif';
	g.fillText(Math.round(r.tracks.total_ms / 60000).toLocaleString(), 72,
	    310);
	g.fillStyle = muted;
	g.font = '32px sans-serif';
	g.fillText('minutes listened', 72, 355);
	let y = 440;
	for (const [kind, label] of [['tracks', 'Top tracks'],
	    ['artists', 'Top artists'], ['albums', 'Top albums']]) {
		g.fillStyle = accent;
		g.font = 'bold 34px sans-serif';
		g.fillText(label, 72, y);
		y += 48;
		g.font = '30px sans-serif';
		r[kind].items.forEach((it, i) => {
			g.fillStyle = text;
			const name = entityName(kind, it.id);
			g.fillText(`${i + 1}. ${name}`.slice(0, 52), 72, y);
			g.fillStyle = muted;
			g.fillText(plural(it.plays, 'play'), 840, y);
			y += 40;
		});
		y += 24;
	}
	const b = r.binges.binges[0];
	if (b) {
		g.fillStyle = text;
		g.font = '30px sans-serif';
		g.fillText(`Biggest binge: ${entityName('tracks', b.track_id)}, ` +
		    `${b.plays}× in a row`.slice(0, 70), 72, Math.min(y, H - 60));
	}
	return c;
}

export const ReviewPage = {
	name: 'ReviewPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({ r: null, error: null, png: null });
		const thisYear = () => dayKey(Date.now(), props.zone).slice(0, 4);
		const year = () => /^\d{4}$/.test(props.query?.year ?? '') ?
		    props.query.year : thisYear();

		async function load() {
			s.r = null;
			s.error = null;
			s.png = null;
			const y = year();
			const to = y === thisYear() ? dayKey(Date.now(), props.zone) :
			    `${y}-12-31`;
			const u = encodeURIComponent(props.user.id);
			const span = `from=${y}-01-01&to=${to}&tz=` +
			    encodeURIComponent(props.zone);
			try {
				const [tracks, artists, albums, binges, newold, seasons,
				    streaks] = await Promise.all([
					...['tracks', 'artists', 'albums'].map((k) =>
					    getJson(`/charts/${u}?kind=${k}&limit=5&${span}`)),
					...['binges', 'newold', 'seasons', 'streaks'].map((n) =>
					    getJson(`/insights/${u}/${n}?${span}` +
						(n === 'binges' || n === 'streaks' ?
						'&limit=1' : ''))),
				]);
				const trackIds = [...tracks.items.map((x) => x.id),
					...binges.binges.map((x) => x.track_id),
					...seasons.months.map((x) => x.track_id)
					    .filter(Boolean)];
				await Promise.all([loadTracksDeep(trackIds.slice(0, 50)),
					loadEntities('artists', [...artists.items.map((x) =>
					    x.id), ...streaks.streaks.map((x) =>
					    x.artist_id)]),
					loadEntities('albums', albums.items.map((x) => x.id))]);
				s.r = { tracks, artists, albums, binges, newold, seasons,
					streaks, to };
			} catch (e) {
				s.error = e.message;
			}
		}
		watch(() => [props.query?.year, props.zone], load,
		    { immediate: true });

		function save() {
			const c = drawImage(s.r, props.user, year());
			c.toBlob((blob) => {
				if (s.png)
					URL.revokeObjectURL(s.png);
				s.png = URL.createObjectURL(blob);
				const a = document.createElement('a');
				a.href = s.png;
				a.download = `linernotes-${props.user.id}-${year()}.png`;
				a.click();
			}, 'image/png');
		}

		function Top(kind, label) {
			return h('section', { class: 'panel review-top',
				'data-kind': kind }, [
				h('h2', label),
				h('ol', s.r[kind].items.map((it) => h('li', { key: it.id }, [
					NameLink(kind, it.id),
					kind === 'tracks' ? h('span', { class: 'by' }, [' — ',
					    ArtistLinks(cached('tracks', it.id)?.artist_ids)]) :
					    null,
					h('span', { class: 'note' }, ` ${plural(it.plays,
					    'play')}`),
				]))),
			]);
		}

		return () => {
			const y = year();
			const years = [];
			for (let k = Number(thisYear()); k >= Number(thisYear()) - 9; k--)
				years.push(String(k));
			const head = h('div', { class: 'page-head' }, [
				h('div', [h('h1', `${y} in review`),
					h('p', { class: 'sub' }, y === thisYear() ?
					    'The year so far.' : 'The whole year.')]),
				h('label', ['Year ', h('select', { value: y,
					onChange: (e) => go(props.user.id, 'review',
					    { year: e.target.value }) },
				    years.map((v) => h('option', { value: v }, v)))]),
			]);
			if (s.error)
				return [head, ErrorBox(s.error, load)];
			if (!s.r)
				return [head, Loading('Looking back…')];
			const r = s.r;
			if (r.tracks.total_plays === 0)
				return [head, Empty('No plays that year',
				    'Choose another year.')];
			const b = r.binges.binges[0];
			const st = r.streaks.streaks[0];
			return h('div', { class: 'review' }, [
				head,
				h('dl', { class: 'facts' }, [
					h('div', { class: 'fact' }, [h('dt', 'Minutes listened'),
						h('dd', { class: 'review-minutes' },
						    Math.round(r.tracks.total_ms / 60000)
						    .toLocaleString())]),
					h('div', { class: 'fact' }, [h('dt', 'Plays'),
						h('dd', r.tracks.total_plays.toLocaleString())]),
					h('div', { class: 'fact' }, [h('dt', 'New artists'),
						h('dd', r.newold.new_artists.toLocaleString())]),
				]),
				h('button', { class: 'btn', type: 'button',
					onClick: save }, 'Save as image'),
				Top('tracks', 'Top tracks'),
				Top('artists', 'Top artists'),
				Top('albums', 'Top albums'),
				b ? h('section', { class: 'panel' }, [h('h2',
				    'The biggest binge'), h('p', [
					NameLink('tracks', b.track_id), ` ${b.plays}× in a ` +
					    `row, from ${fmtDateTime(b.start, props.zone)}. `,
					h('a', { href: href(props.user.id, 'plays', { date:
					    dayKey(b.last, props.zone) }) }, 'The plays')])]) :
				    null,
				h('section', { class: 'panel' }, [h('h2',
				    'New music by month'), h('table', [
					h('thead', h('tr', [h('th', 'Month'),
						h('th', 'New tracks'), h('th', 'New artists'),
						h('th', 'Share of plays new')])),
					h('tbody', r.newold.months.map((m) => h('tr',
					    { key: m.month }, [h('th', { scope: 'row' },
						MONTHS[Number(m.month.slice(5)) - 1]),
						h('td', String(m.new_tracks)),
						h('td', String(m.new_artists)),
						h('td', `${Math.round(m.share_new_tracks * 100)}%`),
					]))),
				])]),
				h('section', { class: 'panel' }, [h('h2',
				    'The song of each season'), h('ul',
				    seasonSongs(r.seasons.months).map((x) => h('li',
				    { key: x.name }, [`${x.name}: `,
					NameLink('tracks', x.best.track_id),
					h('span', { class: 'note' }, ` ${plural(
					    x.best.track_plays, 'play')} in ` +
					    MONTHS[Number(x.best.month.slice(5)) - 1])])))]),
				st ? h('section', { class: 'panel' }, [h('h2',
				    'The longest streak'), h('p', [
					NameLink('artists', st.artist_id),
					`: ${plural(st.days, 'day')} in a row, ${st.first} ` +
					    `to ${st.last}`])]) : null,
			]);
		};
	},
};
