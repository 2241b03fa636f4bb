// plays.js — the Plays page: the journal's history, newest first, grouped
// by day, with cover art, track, artists, album and where it was played
// from (a playlist by its name when the journal knows it: the page's
// `contexts`).  Consecutive plays of one track fold into one row ("×73,
// 23:04–04:51") that expands; a track heard again after a long absence
// is marked as a return (from each play's previous_played_at, so exactly,
// on the first page already); recorded gaps sit in the timeline where
// plays are known to be missing.  Paging goes backwards endlessly (and forwards
// again after a jump to a date).
//
// A link to a span (#/u/USER/plays?binge=FIRST-LAST, Unix ms of its first
// and last play: Insights' binges) loads the whole span, however many
// pages and midnights it covers, and marks the run holding it: one folded
// row, with the same times as Insights, whatever day it crossed into.
//
// Cost of one page: one GET /plays plus at most one POST per entity kind.
// A page is cut short where its new albums or artists would need a second
// batch; the next page starts right after the last play shown.

import { computed, h, onBeforeUnmount, onMounted, reactive, ref, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { BATCH_MAX, cached, getJson, getOlder, loadEntities, missing } from
    '../api.js';
import { Cover, Empty, ErrorBox, Loading, entityName } from
    '../components.js';
import { firstPlay } from '../journal.js';
import { ArtistLinks, NameLink } from '../links.js';
import { Story } from '../story.js';
import { go, href, runPage } from '../state.js';
import { buildDays, dayKey, dayStart, fmtDay, fmtDate, fmtDateTime, fmtSpan,
	fmtTime, findReturns, foldRuns, nextDay, parseUri, pickImage, plural,
	possessive } from '../util.js';

const PAGE = 50;

// The span a binge link names ("FIRST-LAST", ms), or null.
export function spanOf(q) {
	const m = /^(\d{1,15})-(\d{1,15})$/.exec(q ?? '');
	if (!m || Number(m[1]) > Number(m[2]))
		return null;
	return { first: Number(m[1]), last: Number(m[2]) };
}

// Album and artist ids a play needs (its track's and its context's).
function needs(p) {
	const t = cached('tracks', p.track_id);
	const albums = [];
	const artists = [];
	if (t?.album_id)
		albums.push(t.album_id);
	if (t?.artist_ids)
		artists.push(...t.artist_ids);
	const c = parseUri(p.context_uri);
	if (c?.kind === 'album')
		albums.push(c.id);
	else if (c?.kind === 'artist')
		artists.push(c.id);
	return { albums, artists };
}

// Loads the entities of items (ordered from the side next to what is
// already shown) and returns how many of them fit in one batch per kind.
async function fetchFor(items) {
	await loadEntities('tracks', items.map((p) => p.track_id));
	const albums = new Set();
	const artists = new Set();
	let n = 0;
	for (const p of items) {
		const need = needs(p);
		const a2 = new Set([...albums, ...missing('albums', need.albums)]);
		const r2 = new Set([...artists, ...missing('artists', need.artists)]);
		if (n > 0 && (a2.size > BATCH_MAX || r2.size > BATCH_MAX))
			break;
		a2.forEach((x) => albums.add(x));
		r2.forEach((x) => artists.add(x));
		n++;
	}
	await Promise.all([loadEntities('albums', [...albums]),
		loadEntities('artists', [...artists])]);
	return n;
}

// names: context URI -> {name} (the pages' `contexts`, merged).
function contextLabel(p, track, names) {
	const c = parseUri(p.context_uri);
	if (!c)
		return null;
	switch (c.kind) {
	case 'album':
		if (track?.album_id === c.id)
			return 'from the album';
		return `from the album ${entityName('albums', c.id)}`;
	case 'artist':
		return `from ${possessive(entityName('artists', c.id))} page`;
	case 'playlist': {
		const name = names.get(p.context_uri)?.name;
		return name ? `from ${name}` : 'from a playlist';
	}
	case 'collection':
		return 'from Liked Songs';
	default:
		return `from a ${c.kind}`;
	}
}

function contextHref(p) {
	const c = parseUri(p.context_uri);
	if (!c || !['album', 'artist', 'playlist'].includes(c.kind))
		return null;
	return `https://open.spotify.com/${c.kind}/${encodeURIComponent(c.id)}`;
}

const GAP_REASONS = {
	overflow: 'More was played between two polls than Spotify keeps ' +
	    '(its last 50 plays), so some plays here are lost.',
	unreachable: 'Spotify could not be reached for a while; plays ' +
	    'from this time may be missing.',
	reauth: 'The Spotify connection needed re-authorising; plays ' +
	    'from this time are missing.',
};

export const PlaysPage = {
	name: 'PlaysPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({
			plays: [],		// newest first
			gaps: new Map(),	// from -> gap
			contexts: new Map(),	// context URI -> {name}
			older: null,		// cursor (ms) for the next older page
			newer: null,		// cursor (ms) after a jump, else null
			doneOld: false,
			busy: false,
			error: null,
			errorWhere: null,	// 'older' or 'newer'
			started: false,
			target: null,		// {first, last} of a binge link
			since: null,		// the first play's day (YYYY-MM-DD)
		});
		const expanded = reactive(new Set());
		const sentinel = ref(null);
		let gen = 0;		// drops answers of a reset page
		let observer = null;
		let shown = false;	// the target was scrolled into view

		function reset() {
			gen++;
			s.plays = [];
			s.gaps = new Map();
			s.contexts = new Map();
			s.doneOld = false;
			s.busy = false;
			s.error = null;
			s.started = false;
			expanded.clear();
			shown = false;
			const date = props.query?.date;
			s.target = spanOf(props.query?.binge);
			if (s.target) {
				s.older = s.target.last + 1;
				s.newer = s.target.last;
			} else if (date && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
				s.older = dayStart(nextDay(date), props.zone);
				s.newer = s.older - 1;
			} else {
				s.older = null;
				s.newer = null;
			}
			loadOlder();
		}

		function addGaps(list) {
			for (const g of list ?? [])
				s.gaps.set(g.from, g);
		}

		function addContexts(map) {
			for (const [uri, c] of Object.entries(map ?? {}))
				s.contexts.set(uri, c);
		}

		async function loadOlder() {
			if (s.doneOld)
				return;
			const counts = await runPage(s, () => gen, async (current) => {
				const r = await getOlder(`/plays/${encodeURIComponent(
				    props.user.id)}`, PAGE, s.older);
				if (!current())
					return;
				const items = r.items ?? [];
				const n = await fetchFor(items);
				if (!current())
					return;
				const kept = items.slice(0, n);
				addContexts(r.contexts);
				s.plays.push(...kept);
				addGaps(r.gaps);
				if (n < items.length)
					s.older = kept[kept.length - 1].played_at;
				else if (r.next?.before !== undefined)
					s.older = r.next.before;
				else
					s.doneOld = true;
			}, 'older');
			if (!counts())
				return;
			s.started = true;
			// A binge link loads on until its first play is in.
			if (!s.error && s.target && !s.doneOld && s.plays.length &&
			    s.plays[s.plays.length - 1].played_at > s.target.first) {
				loadOlder();
				return;
			}
			if (s.target && !shown)
				requestAnimationFrame(showTarget);
			// Keep filling while the end of the list is on screen.
			if (!s.error)
				requestAnimationFrame(checkSentinel);
		}

		// Scrolls the binge a link named into view, once.
		function showTarget() {
			const el = document.querySelector('li.play.target');
			if (!el)
				return;
			shown = true;
			el.scrollIntoView({ block: 'center' });
		}

		async function loadNewer() {
			if (s.newer === null)
				return;
			await runPage(s, () => gen, async (current) => {
				const after = s.plays.length ? s.plays[0].played_at :
				    s.newer;
				const r = await getJson(`/plays/${encodeURIComponent(
				    props.user.id)}?limit=${PAGE}&after=${after}`);
				if (!current())
					return;
				// Newest first; the oldest sit next to what is shown.
				const items = (r.items ?? []).slice().reverse();
				const n = await fetchFor(items);
				if (!current())
					return;
				const kept = items.slice(0, n).reverse();
				addContexts(r.contexts);
				s.plays.unshift(...kept);
				addGaps(r.gaps);
				if (n < items.length || r.next?.after !== undefined)
					s.newer = s.plays[0].played_at;
				else
					s.newer = null;
			}, 'newer');
		}

		function checkSentinel() {
			const el = sentinel.value;
			if (!el || s.busy || s.doneOld || s.error)
				return;
			const r = el.getBoundingClientRect();
			if (r.top < window.innerHeight + 600)
				loadOlder();
		}

		onMounted(() => {
			observer = new IntersectionObserver((es) => {
				if (es.some((e) => e.isIntersecting))
					loadOlder();
			}, { rootMargin: '600px 0px' });
			watch(sentinel, (el, old) => {
				if (old)
					observer.unobserve(old);
				if (el)
					observer.observe(el);
			}, { immediate: true });
		});
		onBeforeUnmount(() => {
			gen++;
			observer?.disconnect();
		});
		watch(() => `${props.query?.date ?? ''}|${props.query?.binge ??
		    ''}|${props.user.id}`, reset, { immediate: true });
		// The date picker's lower bound and the "starts on" message.
		watch(() => `${props.user.id}|${props.zone}`, () => {
			s.since = null;
			firstPlay(props.user.id).then((p) => {
				s.since = p ? dayKey(p.played_at, props.zone) : null;
			}).catch(() => {});
		}, { immediate: true });

		const runs = computed(() => foldRuns(s.plays,
		    [...s.gaps.values()]));
		const returns = computed(() => findReturns(runs.value,
		    props.prefs.returnDays * 86400e3));
		const days = computed(() => {
			// Only gaps inside the loaded stretch (or before it when
			// the oldest play is loaded) are placed.
			const plays = s.plays;
			if (plays.length === 0)
				return [];
			const lo = s.doneOld ? -Infinity :
			    plays[plays.length - 1].played_at;
			const hi = s.newer === null ? Infinity : plays[0].played_at;
			const gaps = [...s.gaps.values()].filter((g) =>
			    g.to >= lo && g.from <= hi);
			return buildDays(runs.value, gaps, props.zone);
		});

		function toggle(run) {
			if (expanded.has(run.last))
				expanded.delete(run.last);
			else
				expanded.add(run.last);
		}

		// ---- rendering ------------------------------------------------

		function Row(run) {
			const p = run.plays[0];
			const t = cached('tracks', p.track_id);
			const album = t?.album_id ? cached('albums', t.album_id) : null;
			const name = entityName('tracks', p.track_id);
			const n = run.plays.length;
			const open = expanded.has(run.last);
			const away = returns.value.get(run);
			const ctx = contextLabel(p, t, s.contexts);
			const ctxHref = contextHref(p);
			const time = n > 1 ? `${fmtTime(run.first, props.zone)}–` +
			    fmtTime(run.last, props.zone) : fmtTime(p.played_at,
			    props.zone);
			const id = `run-${run.last}`;
			const tg = s.target;
			const target = tg !== null && run.first <= tg.last &&
			    run.last >= tg.first;
			return h('li', { class: ['play', { folded: n > 1, returns:
			    away !== undefined, target }], key: 'r' + run.last,
			    'aria-current': target ? 'true' : null,
			    'data-track': p.track_id ?? '', 'data-count': n,
			    'data-at': run.last }, [
				h('time', { class: 'when', datetime: new Date(
				    run.first).toISOString() }, time),
				h(Cover, { url: pickImage(album?.images, 64),
					alt: album ? `Cover of ${album.name}` :
					    `Cover of ${name}`, size: 56 }),
				h('div', { class: 'what' }, [
					h('p', { class: 'track' }, [
						NameLink('tracks', p.track_id, { text: name }),
						t?.explicit ? h('abbr', { class: 'explicit',
							title: 'explicit' }, 'E') : null,
					]),
					h('p', { class: 'by' }, ArtistLinks(t?.artist_ids)),
					h('p', { class: 'from' }, [
						album ? NameLink('albums', t.album_id,
						    { cls: 'album' }) : null,
						album && ctx ? h('span', { class: 'sep',
							'aria-hidden': 'true' }, ' · ') : null,
						ctx ? (ctxHref ? h('a', { class: 'ctx',
							href: ctxHref, rel: 'noopener noreferrer',
							target: '_blank' }, ctx) :
						    h('span', { class: 'ctx' }, ctx)) : null,
						p.source !== 'api' ? h('span', { class: 'src' },
						    ' · imported') : null,
					]),
				]),
				h('div', { class: 'marks' }, [
					away !== undefined ? h('span', { class: 'mark return',
						title: `First play in ${fmtSpan(away)}` },
					    `returns after ${fmtSpan(away)}`) : null,
					n > 1 ? h('button', { class: 'mark repeat',
						type: 'button', 'aria-expanded': String(open),
						'aria-controls': id,
						'aria-label': `Played ${n} times in a row, ` +
						    `${time}; ${open ? 'hide' : 'show'} each play`,
						onClick: () => toggle(run) },
					    [h('span', `×${n}`), h('span',
						{ class: 'chev', 'aria-hidden': 'true' },
						open ? '▴' : '▾')]) : null,
				]),
				n > 1 && open ? h('ol', { class: 'each', id },
				    run.plays.map((x) => h('li', { key: x.played_at,
					'data-at': x.played_at }, h('time', {
					datetime: x.played_at_iso }, dayKey(run.first,
					props.zone) === dayKey(run.last, props.zone) ?
					fmtTime(x.played_at, props.zone) : fmtDateTime(
					x.played_at, props.zone))))) : null,
			]);
		}

		function Gap(g) {
			const same = dayKey(g.from, props.zone) === dayKey(g.to,
			    props.zone);
			const span = same ? `${fmtTime(g.from, props.zone)}–` +
			    fmtTime(g.to, props.zone) : `${fmtDateTime(g.from,
			    props.zone)} – ${fmtDateTime(g.to, props.zone)}`;
			return h('li', { class: 'gap', key: 'g' + g.from,
				'data-from': g.from, 'data-to': g.to }, [
				h('span', { class: 'gap-icon', 'aria-hidden': 'true' },
				    '⋯'),
				h('div', [
					h('p', { class: 'gap-title' },
					    `Plays missing, ${span}`),
					h('p', { class: 'gap-why' },
					    GAP_REASONS[g.reason] ?? 'Plays from ' +
					    'this time were not recorded.'),
				]),
			]);
		}

		function JumpForm() {
			const value = props.query?.date ?? '';
			return h('form', { class: 'jump', role: 'search',
				onSubmit: (e) => {
					e.preventDefault();
					const d = new FormData(e.target).get('date');
					if (d)
						go(props.user.id, 'plays', { date: d });
				} }, [
				h('label', { for: 'jump-date' }, 'Jump to a date'),
				h('input', { id: 'jump-date', name: 'date', type: 'date',
					value, min: s.since ?? null,
					max: dayKey(Date.now(), props.zone) }),
				h('button', { class: 'btn', type: 'submit' }, 'Go'),
				value || s.target ? h('a', { class: 'btn ghost',
				    href: href(props.user.id, 'plays') },
				    'Back to the newest') :
				    null,
			]);
		}

		// A date before the first play: when the journal starts.
		function BeforeStart() {
			if (!s.since)
				return Empty('Nothing on or before that date',
				    'This journal starts later. Try a later date.');
			return h('div', { class: 'state empty before-start' }, [
				h('p', { class: 'state-title' }, 'Nothing on or before ' +
				    fmtDate(props.query.date)),
				h('p', `This journal starts on ${fmtDate(s.since)}.`),
				h('p', h('a', { class: 'btn', href: href(props.user.id,
				    'plays', { date: s.since }) }, 'Go to the first day')),
			]);
		}

		function End() {
			if (s.error && s.errorWhere === 'older')
				return ErrorBox(s.error, loadOlder);
			if (s.doneOld) {
				const first = s.plays[s.plays.length - 1];
				return h('p', { class: 'end', 'data-end': 'oldest' },
				    `The beginning of this journal: the first play ` +
				    `was on ${fmtDateTime(first.played_at, props.zone)}.`);
			}
			return h('div', { class: 'more', ref: sentinel }, [
				s.busy ? Loading('Loading older plays…') :
				    h('button', { class: 'btn', type: 'button',
					onClick: loadOlder }, 'Load older plays'),
			]);
		}

		return () => {
			const head = h('div', { class: 'page-head' }, [
				h('div', [
					h('h1', 'Plays'),
					h('p', { class: 'sub' }, [
						`${plural(props.user.n_plays ?? 0, 'play')} ` +
						    `in ${possessive(props.user.display_name)} ` +
						    'journal',
					]),
				]),
				JumpForm(),
			]);
			// The newest plays open with the journal's story (story.js).
			const story = props.query?.date || s.target ? null :
			    h(Story, { key: props.user.id, user: props.user,
				zone: props.zone });
			const out = (...rest) => [head, story, ...rest];
			if (!s.started && s.busy)
				return out(Loading('Loading plays…'));
			// A binge link shows the binge once all of it is in.
			const oldest = s.plays[s.plays.length - 1];
			if (s.target && !s.doneOld && !s.error && (!oldest ||
			    oldest.played_at > s.target.first))
				return out(Loading('Loading the binge…'));
			if (s.plays.length === 0) {
				if (s.error)
					return out(ErrorBox(s.error, reset));
				return out(props.query?.date ? BeforeStart() :
				    Empty('No plays yet', 'Plays appear here after ' +
					'the first poll of Spotify.'));
			}
			const body = [];
			if (s.newer !== null)
				body.push(h('div', { class: 'more newer' }, [
					s.error && s.errorWhere === 'newer' ?
					    ErrorBox(s.error, loadNewer) :
					    h('button', { class: 'btn', type: 'button',
						disabled: s.busy, onClick: loadNewer },
						'Show newer plays'),
				]));
			const all = days.value;
			for (const d of all) {
				// A day is counted once all of it is loaded (the newest
				// too, after a jump, may have more to come).
				const whole = (s.doneOld || d !== all[all.length - 1]) &&
				    (s.newer === null || d !== all[0]);
				const count = whole ? d.entries.reduce((a, e) => a +
				    (e.type === 'run' ? e.run.plays.length : 0), 0) : 0;
				body.push(h('section', { class: 'day', key: d.key,
					'aria-labelledby': 'day-' + d.key }, [
					h('h2', { id: 'day-' + d.key, class: 'day-head' }, [
						h('span', fmtDay(d.key, props.zone)),
						count ? h('span', { class: 'count' },
						    plural(count, 'play')) : null,
					]),
					h('ol', { class: 'plays' }, d.entries.map((e) =>
					    e.type === 'run' ? Row(e.run) : Gap(e.gap))),
				]));
			}
			body.push(End());
			return out(...body);
		};
	},
};
