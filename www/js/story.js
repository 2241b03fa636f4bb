// story.js — the first screen's story: what this journal is, in one line,
// and a few stories from it, each leading to its page.  Built from the
// API as it is (docs/API.md): the biggest binge (insights `binges`), a
// track back after a long absence (`returns`), what changed in the last
// four weeks' top tracks (`/top`), and this date in earlier years
// (`onthisday`).  A story the journal has nothing for is left out, and
// a failed question only leaves its story out: the plays below are the
// page, this is its opening.

import { h, reactive, watch } from '../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadTracksDeep } from './api.js';
import { artistNames, entityName } from './components.js';
import { firstPlay } from './journal.js';
import { href } from './state.js';
import { dayKey, fmtDate, fmtTime, plural, possessive } from './util.js';

// The most telling change of a top list: the highest new entry, else the
// biggest climb; null when nothing moved (or nothing to compare).
export function topChange(list) {
	const ch = list?.changes ?? [];
	if (!list?.previous)
		return null;
	const fresh = ch.filter((c) => c.change === 'new')
	    .sort((a, b) => a.rank - b.rank)[0];
	const up = ch.filter((c) => c.change === 'up')
	    .sort((a, b) => b.delta - a.delta || a.rank - b.rank)[0];
	if (fresh && (!up || fresh.rank <= 10))
		return fresh;
	return up ?? null;
}

export const Story = {
	name: 'Story',
	props: { user: Object, zone: String },
	setup(props) {
		const s = reactive({ ready: false, binge: null, back: null,
			top: null, otd: null, first: null });
		let gen = 0;

		async function load() {
			const my = ++gen;
			s.ready = false;
			const u = encodeURIComponent(props.user.id);
			const tz = `tz=${encodeURIComponent(props.zone)}`;
			// Tagged: the story's requests are not the plays list's.
			const ask = (name, q) => getJson(`/insights/${u}/${name}?` +
			    `${q}&${tz}`, 'story');
			const [b, r, t, o, f] = await Promise.allSettled([
				ask('binges', 'limit=1'), ask('returns', 'limit=1'),
				getJson(`/top/${u}?kind=tracks&range=short_term`, 'story'),
				ask('onthisday', 'limit=1'), firstPlay(props.user.id)]);
			if (my !== gen)
				return;
			const ok = (x) => (x.status === 'fulfilled' ? x.value : null);
			const binge = ok(b)?.binges?.[0] ?? null;
			const back = ok(r)?.tracks?.items?.[0] ?? null;
			const list = ok(t)?.tracks?.short_term ?? null;
			const change = topChange(list);
			const otd = ok(o)?.years?.[0] ?? null;
			try {
				await loadTracksDeep([binge?.track_id, back?.id,
					change?.id, otd?.tracks?.[0]?.id].filter(Boolean), {},
				    'story');
			} catch {
				// names stay unknown: the stories still stand
			}
			if (my !== gen)
				return;
			Object.assign(s, { binge, back, otd, first: ok(f),
				top: change ? { ...change, dropped: list.dropped ?? [],
					day: list.current?.day } : null, ready: true });
		}
		watch(() => `${props.user.id}|${props.zone}`, load,
		    { immediate: true });

		const track = (id) => `${entityName('tracks', id)} — ` +
		    artistNames(cached('tracks', id)?.artist_ids);

		function Card(kind, label, big, what, detail, to) {
			return h('a', { class: ['story-card', kind], href: to,
				'data-story': kind }, [
				h('span', { class: 'story-label' }, label),
				h('span', { class: 'story-big' }, big),
				h('span', { class: 'story-what' }, what),
				h('span', { class: 'story-detail' }, detail),
			]);
		}

		function cards() {
			const z = props.zone;
			const uid = props.user.id;
			const out = [];
			const b = s.binge;
			if (b) {
				const day = dayKey(b.first, z);
				const end = dayKey(b.last, z);
				out.push(Card('binge', 'The biggest binge', `×${b.plays}`,
				    track(b.track_id), `${fmtDate(day)}, ` +
				    `${fmtTime(b.first, z)}–` + (end === day ? '' :
				    fmtDate(end) + ', ') + fmtTime(b.last, z),
				    href(uid, 'plays', { binge: `${b.first}-${b.last}` })));
			}
			const r = s.back;
			if (r) {
				const day = dayKey(r.returned, z);
				out.push(Card('return', 'A track that came back',
				    `${r.days_away.toLocaleString()} days`, track(r.id),
				    `away until ${fmtDate(day)}; ` +
				    `${plural(r.plays_after, 'play')} since`,
				    href(uid, 'plays', { date: day })));
			}
			const t = s.top;
			if (t)
				out.push(Card('top', 'Top tracks, 4 weeks',
				    t.change === 'new' ? `New at #${t.rank}` :
				    `Up ${t.delta} to #${t.rank}`, track(t.id),
				    (t.dropped.length ? `${plural(t.dropped.length,
				    'track')} dropped out; ` : '') +
				    `the list of ${fmtDate(t.day)}`,
				    href(uid, 'top', { range: 'short_term',
					kind: 'tracks', item: t.id })));
			const o = s.otd;
			if (o)
				out.push(Card('otd', `This day in ${o.year}`,
				    plural(o.plays, 'play'), o.tracks?.[0] ?
				    track(o.tracks[0].id) : '', o.tracks?.[0] ?
				    `this one ${plural(o.tracks[0].plays, 'time')}; ` +
				    'see that day' : 'see that day',
				    href(uid, 'plays', { date: o.date })));
			return out;
		}

		return () => {
			const u = props.user;
			const since = s.first ? ` since ${fmtDate(dayKey(
			    s.first.played_at, props.zone))}` : '';
			const list = s.ready ? cards() : [];
			return h('section', { class: 'story',
				'aria-label': 'The story so far' }, [
				h('p', { class: 'lede' }, [
					`This is ${possessive(u.display_name || u.id)} ` +
					    'listening journal: ',
					h('strong', plural(u.n_plays ?? 0, 'play')),
					`${since}, kept by linernotes from Spotify, which ` +
					    'itself remembers only the last 50. ',
					h('a', { href: href(u.id, 'insights') },
					    'More in Insights'), '.',
				]),
				list.length ? h('div', { class: 'story-cards' }, list) :
				    null,
			]);
		};
	},
};
