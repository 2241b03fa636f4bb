// dw.js — the Discover Weekly page: week by week, each track with its art
// and artists, whether (and how often) it was played from that week on,
// and whether the week is the full list as Spotify served it or was
// reconstructed from the plays heard in its context.
//
// "Played later" counts the journal's plays from the week's Monday on.
// They are read once per stretch of time, newest weeks first, through
// GET /plays with an after/before window, at most PLAYS_PAGES pages per
// stretch; past that the counts say "at least".

import { computed, h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadTracksDeep } from '../api.js';
import { Cover, Empty, ErrorBox, Loading, artistNames, entityName } from
    '../components.js';
import { fmtAgo, fmtDate, pickImage, plural } from '../util.js';

const WEEKS = 4;		// weeks per page
const PLAYS_LIMIT = 200;	// plays per request (the API's maximum)
const PLAYS_PAGES = 25;		// requests per stretch of plays
const FAR_FUTURE = 253402300799999;	// 9999-12-31, the API's largest time

export const DwPage = {
	name: 'DwPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({
			weeks: [],
			next: null,
			busy: false,
			error: null,
			started: false,
			playsFrom: null,	// plays are read from here to now
			capped: false,		// the count stopped at the cap
			counting: false,
			times: new Map(),	// track id -> [played_at...]
		});
		let gen = 0;
		const uid = () => encodeURIComponent(props.user.id);

		// Reads plays in (lo, hi) into s.times, newest first (both
		// cursors bound the window; hi null: up to the newest).
		async function readPlays(lo, hi, my) {
			let before = hi ?? FAR_FUTURE;
			for (let i = 0; i < PLAYS_PAGES; i++) {
				const q = `?limit=${PLAYS_LIMIT}&after=${lo}&before=${before}`;
				const r = await getJson(`/plays/${uid()}${q}`);
				if (my !== gen)
					return;
				for (const p of r.items ?? []) {
					if (!p.track_id)
						continue;
					let a = s.times.get(p.track_id);
					if (!a) {
						a = [];
						s.times.set(p.track_id, a);
					}
					a.push(p.played_at);
				}
				if (r.next?.before === undefined)
					return;
				before = r.next.before;
			}
			s.capped = true;
		}

		async function count(my) {
			if (s.weeks.length === 0)
				return;
			const oldest = s.weeks[s.weeks.length - 1].week_start;
			if (s.playsFrom !== null && s.playsFrom <= oldest)
				return;
			s.counting = true;
			try {
				await readPlays(oldest - 1, s.playsFrom, my);
				if (my === gen)
					s.playsFrom = oldest;
			} finally {
				if (my === gen)
					s.counting = false;
			}
		}

		async function loadMore() {
			if (s.busy)
				return;
			s.busy = true;
			s.error = null;
			const my = gen;
			try {
				let q = `?limit=${WEEKS}`;
				if (s.next !== null)
					q += `&before=${s.next}`;
				const r = await getJson(`/dw/${uid()}${q}`);
				if (my !== gen)
					return;
				const weeks = r.weeks ?? [];
				await loadTracksDeep(weeks.flatMap((w) => w.track_ids));
				if (my !== gen)
					return;
				s.weeks.push(...weeks);
				s.next = r.next?.before ?? null;
				s.started = true;
				await count(my);
			} catch (e) {
				if (my === gen)
					s.error = e.message;
			} finally {
				if (my === gen) {
					s.busy = false;
					s.started = true;
				}
			}
		}

		watch(() => props.user.id, () => {
			gen++;
			Object.assign(s, { weeks: [], next: null, busy: false,
				error: null, started: false, playsFrom: null,
				capped: false, counting: false, times: new Map() });
			loadMore();
		}, { immediate: true });

		// Plays of id at or after ms.
		function playedSince(id, ms) {
			return (s.times.get(id) ?? []).filter((t) => t >= ms).length;
		}

		const ready = computed(() => s.playsFrom !== null);

		function TrackRow(id, week, i) {
			const t = cached('tracks', id);
			const album = t?.album_id ? cached('albums', t.album_id) : null;
			const name = entityName('tracks', id);
			const n = playedSince(id, week.week_start);
			let played;
			if (!ready.value)
				played = h('span', { class: 'chip muted' }, 'counting…');
			else if (n > 0)
				played = h('span', { class: 'chip played',
					title: `Played ${n} times since the week began` },
				    `played ${s.capped ? 'at least ' : ''}${n}×`);
			else
				played = h('span', { class: 'chip muted' },
				    'not played yet');
			return h('li', { class: ['dw-track', { heard: n > 0 }],
				key: id + i, 'data-track': id,
				'data-played': ready.value ? n : '' }, [
				h('span', { class: 'pos' }, String(i + 1)),
				h(Cover, { url: pickImage(album?.images, 64),
					alt: album ? `Cover of ${album.name}` :
					    `Cover of ${name}`, size: 48 }),
				h('div', { class: 'what' }, [
					h('p', { class: 'track' }, h('span',
					    { class: 'name' }, name)),
					h('p', { class: 'by' }, artistNames(t?.artist_ids)),
				]),
				played,
			]);
		}

		function Week(w) {
			const heard = w.track_ids.filter((id) =>
			    playedSince(id, w.week_start) > 0).length;
			const plays = w.track_ids.reduce((a, id) =>
			    a + playedSince(id, w.week_start), 0);
			const full = w.how === 'full';
			return h('section', { class: 'week', key: w.playlist_id + w.week,
				'data-week': w.week, 'data-how': w.how,
				'aria-labelledby': 'wk-' + w.week }, [
				h('header', { class: 'week-head' }, [
					h('div', [
						h('h2', { id: 'wk-' + w.week },
						    `Week of ${fmtDate(w.week)}`),
						h('p', { class: 'sub' }, ready.value ?
						    `${plural(w.track_ids.length, 'track')}; ` +
						    `you played ${heard} of them` +
						    (plays ? `, ${plural(plays, 'time')} in all` :
							'') + '.' :
						    plural(w.track_ids.length, 'track')),
					]),
					h('span', { class: ['badge', full ? 'full' : 'heard'],
						title: full ?
						    'The whole list, as Spotify served it' +
						    (w.obtained_at ? `, saved ${fmtAgo(
							w.obtained_at * 1000)}` : '') :
						    'Spotify did not let us read this list; these ' +
						    'are the tracks you played from it that week' },
					    full ? 'Full list' : 'Reconstructed from your plays'),
				]),
				w.track_ids.length ?
				    h('ol', { class: 'dw-list' }, w.track_ids.map((id, i) =>
					TrackRow(id, w, i))) :
				    Empty('No tracks this week'),
			]);
		}

		return () => {
			const head = h('div', { class: 'page-head' }, [
				h('div', [
					h('h1', 'Discover Weekly'),
					h('p', { class: 'sub' }, 'Every week\'s list, and ' +
					    'which of its songs stayed with you.'),
				]),
			]);
			if (!s.started)
				return [head, Loading('Loading the weeks…')];
			if (s.weeks.length === 0)
				return [head, s.error ? ErrorBox(s.error, loadMore) :
				    Empty('No Discover Weekly yet', 'Weeks appear ' +
					'here once the list has been saved or played from.')];
			const out = [head];
			if (s.capped)
				out.push(h('p', { class: 'note' }, 'This journal has ' +
				    'many plays; counts stop early and say "at least".'));
			out.push(...s.weeks.map(Week));
			if (s.error)
				out.push(ErrorBox(s.error, loadMore));
			else if (s.busy)
				out.push(Loading('Loading older weeks…'));
			else if (s.next !== null)
				out.push(h('div', { class: 'more' }, h('button', {
					class: 'btn', type: 'button', onClick: loadMore },
				    'Older weeks')));
			else
				out.push(h('p', { class: 'end' }, 'That is every week ' +
				    'in this journal.'));
			return out;
		};
	},
};
