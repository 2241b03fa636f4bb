// dw.js — the Discover Weekly page: week by week, each track with its art
// and artists, whether (and how often) it was played from that week on,
// and whether the week is the full list as Spotify served it or was
// reconstructed from the plays heard in its context.
//
// "Played later" is the API's count of the journal's plays of each track
// from the week's Monday on (`play_counts` beside `track_ids`, worked
// out by the server in one pass over the plays): a page of weeks costs
// one GET /dw and the entity batches, never a read of the plays.

import { h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getOlder, loadTracksDeep } from '../api.js';
import { Cover, Empty, ErrorBox, Loading, entityName } from
    '../components.js';
import { ArtistLinks, NameLink } from '../links.js';
import { runPage } from '../state.js';
import { fmtAgo, fmtDate, pickImage, plural } from '../util.js';

const WEEKS = 4;		// weeks per page

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
		});
		let gen = 0;
		const uid = () => encodeURIComponent(props.user.id);

		async function loadMore() {
			const counts = await runPage(s, () => gen, async (current) => {
				const r = await getOlder(`/dw/${uid()}`, WEEKS, s.next);
				if (!current())
					return;
				const weeks = r.weeks ?? [];
				await loadTracksDeep(weeks.flatMap((w) => w.track_ids));
				if (!current())
					return;
				s.weeks.push(...weeks);
				s.next = r.next?.before ?? null;
				s.started = true;
			});
			if (counts())
				s.started = true;
		}

		watch(() => props.user.id, () => {
			gen++;
			Object.assign(s, { weeks: [], next: null, busy: false,
				error: null, started: false });
			loadMore();
		}, { immediate: true });

		// Plays of the week's i-th track from its Monday on.
		function playedSince(week, i) {
			return week.play_counts?.[i] ?? 0;
		}

		function TrackRow(id, week, i) {
			const t = cached('tracks', id);
			const album = t?.album_id ? cached('albums', t.album_id) : null;
			const name = entityName('tracks', id);
			const n = playedSince(week, i);
			const played = n > 0 ? h('span', { class: 'chip played',
				title: `Played ${plural(n, 'time')} since the week began` },
			    `played ${n}×`) :
			    h('span', { class: 'chip muted' }, 'not played yet');
			return h('li', { class: ['dw-track', { heard: n > 0 }],
				key: id + i, 'data-track': id, 'data-played': n }, [
				h('span', { class: 'pos' }, String(i + 1)),
				h(Cover, { url: pickImage(album?.images, 64),
					alt: album ? `Cover of ${album.name}` :
					    `Cover of ${name}`, size: 48 }),
				h('div', { class: 'what' }, [
					h('p', { class: 'track' }, NameLink('tracks', id,
					    { text: name })),
					h('p', { class: 'by' }, ArtistLinks(t?.artist_ids)),
				]),
				played,
			]);
		}

		function Week(w) {
			// A track listed twice counts once.
			const counts = new Map(w.track_ids.map((id, i) =>
			    [id, playedSince(w, i)]));
			const heard = [...counts.values()].filter((n) => n > 0).length;
			const plays = [...counts.values()].reduce((a, n) => a + n, 0);
			const full = w.how === 'full';
			return h('section', { class: 'week', key: w.playlist_id + w.week,
				'data-week': w.week, 'data-how': w.how,
				'aria-labelledby': 'wk-' + w.week }, [
				h('header', { class: 'week-head' }, [
					h('div', [
						h('h2', { id: 'wk-' + w.week },
						    `Week of ${fmtDate(w.week)}`),
						h('p', { class: 'sub' },
						    `${plural(w.track_ids.length, 'track')}; ` +
						    `you played ${heard} of them` +
						    (plays ? `, ${plural(plays, 'time')} in all` :
							'') + '.'),
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
			const out = [head, ...s.weeks.map(Week)];
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
