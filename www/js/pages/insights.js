// insights.js — the Insights page: answers computed by the reader from
// the plays (GET /insights/:user/:name, docs/API.md), for all time or one
// year, in the zone the pages show times in (so a day here is the same
// day on the Plays page):
//
//   a calendar heat map of one year, or for all time of the journal's
//   last twelve months (a CSS grid of links, one per day with plays,
//   months named above it; where it is wider than the screen it opens
//   scrolled to today, or to its last day), an hour × weekday punch
//   card (a grid too), a chart of the top artists' ranks over successive
//   months (a year, and all time in a journal younger than three years)
//   or years (all time) — the insight `top` asked per
//   period, so it is the journal's own ranking, not Spotify's fixed
//   ranges — the share of first-ever plays over time, and lists of
//   binges, each month's favourite and each December's song, returns
//   after a long absence, and this date in earlier years.
//
// Every picture leads to the plays: a day to that day, a span (a week, a
// month, a year) to its last day (#/u/USER/plays?date=…, the Plays page's
// jump), a binge to the whole binge (?binge=FIRST-LAST).  The range
// picker at the top is the page's one range control.  Charts are drawn by Chart.js (chart.js) and each has a table of
// its figures with the same links, for keyboards and screen readers.

import { h, nextTick, reactive, ref, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { cached, getJson, loadEntities, loadTracksDeep } from '../api.js';
import { Empty, ErrorBox, Loading, entityName } from
    '../components.js';
import { cssVar, useChart } from '../chart.js';
import { firstPlay } from '../journal.js';
import { ArtistLinks, NameLink } from '../links.js';
import { href, runLoad } from '../state.js';
import { dayKey, fmtDate, fmtTime, plural, possessive } from '../util.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
	'Saturday', 'Sunday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug',
	'Sep', 'Oct', 'Nov', 'Dec'];
const RANK_ARTISTS = 5;		// artists followed in the rank chart
const RANK_DEPTH = 50;		// ranks looked at per period
const LINE_COLOURS = ['--accent', '--gold', '--green', '--red', '--blue'];
const MONTHLY_UNDER = 36;	// all time ranks per month below this many months

// ---- dates (local calendar days as "YYYY-MM-DD") ---------------------------

const addDays = (key, n) => new Date(Date.parse(key + 'T00:00:00Z') +
    n * 86400e3).toISOString().slice(0, 10);
// Monday = 0.
const weekday = (key) => (new Date(key + 'T00:00:00Z').getUTCDay() + 6) % 7;
const monthEnd = (ym) => {
	const [y, m] = ym.split('-').map(Number);
	return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const fmtMonth = (ym) => `${MONTHS[Number(ym.slice(5, 7)) - 1]} ${ym.slice(0, 4)}`;
const pct = (x) => `${Math.round(x * 1000) / 10}%`;

// Heat levels 1..4 of the counts > 0 (quartiles), 0 for none.
export function levels(counts) {
	const v = counts.filter((c) => c > 0).sort((a, b) => a - b);
	const q = [0.25, 0.5, 0.75].map((f) => v[Math.floor(f * (v.length - 1))] ?? 0);
	return (c) => (c <= 0 ? 0 : c <= q[0] ? 1 : c <= q[1] ? 2 : c <= q[2] ?
	    3 : 4);
}

// ---- the page ----------------------------------------------------------------

export const InsightsPage = {
	name: 'InsightsPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({
			busy: true, error: null,
			years: [],		// years with plays, ascending
			months: [],		// seasons of all time
			decembers: [],
			clock: null, binges: null, returns: null, otd: null,
			newold: null, top: null, streaks: null,
			cal: null,		// {from, to, title}: the days drawn
			calendar: null, calBusy: false,
			ranks: null,		// {periods: [{label, end}], artists, rank, unit}
			since: null,		// the first play's day (YYYY-MM-DD)
		});
		const heatWrap = ref(null);	// the calendar's scroller
		let gen = 0;
		const uid = () => encodeURIComponent(props.user.id);
		const year = () => (/^\d{4}$/.test(props.query?.range ?? '') ?
		    props.query.range : null);
		const tzq = () => `tz=${encodeURIComponent(props.zone)}`;
		const span = (y) => (y ? `from=${y}-01-01&to=${y}-12-31&` : '');
		const ask = (name, q = '') => getJson(`/insights/${uid()}/${name}?` +
		    `${q}${tzq()}`);
		const playsAt = (date) => href(props.user.id, 'plays', { date });

		// The calendar of a year, or for all time the journal's last
		// twelve months (one range control: the picker above).
		async function loadCalendar(y) {
			const my = gen;
			let cal;
			if (y)
				cal = { from: `${y}-01-01`, to: `${y}-12-31`,
					title: `Every day of ${y}` };
			else {
				const today = dayKey(Date.now(), props.zone);
				const lastEnd = monthEnd(s.months[s.months.length - 1]
				    .month);
				const to = lastEnd < today ? lastEnd : today;
				cal = { from: addDays(to, -364), to,
					title: 'The last twelve months' };
			}
			s.cal = cal;
			s.calBusy = true;
			const current = () => my === gen;
			await runLoad(s, 'calBusy', current, async () => {
				const c = await ask('calendar', `from=${cal.from}&` +
				    `to=${cal.to}&`);
				if (my === gen && s.cal?.from === cal.from &&
				    s.cal.to === cal.to) {
					s.calendar = c;
					await nextTick();
					showNewestWeeks(cal);
				}
			});
		}

		async function loadRanks(y, top) {
			const my = gen;
			const artists = (top.artists?.items ?? []).slice(0,
			    RANK_ARTISTS).map((a) => a.id);
			// Months for a year, and for all time too when the
			// journal is younger than MONTHLY_UNDER months (years would
			// give a young journal a point or two).
			const months = y ? s.months.filter((m) =>
			    m.month.startsWith(y + '-')) : s.months;
			const unit = y || monthsSpanned() < MONTHLY_UNDER ? 'month' :
			    'year';
			const periods = unit === 'month' ? months.map((m) => ({
				label: fmtMonth(m.month), end: monthEnd(m.month),
				q: `from=${m.month}-01&to=${monthEnd(m.month)}&`,
			})) : s.years.map((yy) => ({ label: String(yy),
				end: `${yy}-12-31`, q: span(yy) }));
			const answers = await Promise.all(periods.map((p) =>
			    ask('top', `${p.q}limit=${RANK_DEPTH}&`)));
			if (my !== gen)
				return;
			const rank = artists.map((id) => answers.map((a) => {
				const i = (a.artists?.items ?? []).findIndex((x) =>
				    x.id === id);
				return i < 0 ? null : i + 1;
			}));
			s.ranks = { periods, artists, rank, unit };
		}

		// Calendar months from the first month with plays to the last.
		function monthsSpanned() {
			if (s.months.length === 0)
				return 0;
			const n = (m) => Number(m.slice(0, 4)) * 12 +
			    Number(m.slice(5, 7));
			return n(s.months[s.months.length - 1].month) -
			    n(s.months[0].month) + 1;
		}

		async function load() {
			const my = ++gen;
			const y = year();
			Object.assign(s, { busy: true, error: null, calendar: null,
				ranks: null });
			await runLoad(s, 'busy', () => my === gen, async () => {
				const q = span(y);
				const date = /^\d{4}-\d{2}-\d{2}$/.test(props.query?.date ??
				    '') ? `date=${props.query.date}&` : '';
				const [seasons, clock, binges, returns, otd, newold, top,
				    streaks] = await Promise.all([ask('seasons'),
					ask('clock', q),
					ask('binges', q + 'limit=20&'),
					ask('returns', q + 'limit=12&'),
					ask('onthisday', date + 'limit=3&'),
					ask('newold', q), ask('top', q + 'limit=10&'),
					ask('streaks', q + 'limit=8&')]);
				if (my !== gen)
					return;
				s.months = seasons.months;
				s.decembers = seasons.decembers;
				s.years = [...new Set(seasons.months.map((m) =>
				    Number(m.month.slice(0, 4))))];
				Object.assign(s, { clock, binges, returns, otd, newold,
					top, streaks });
				const trackIds = [
					...binges.binges.map((b) => b.track_id),
					...returns.tracks.items.map((r) => r.id),
					...otd.years.flatMap((x) => x.tracks.map((t) => t.id)),
					...s.months.filter((m) => !y ||
					    m.month.startsWith(y + '-')).map((m) => m.track_id),
					...s.decembers.flatMap((d) => [d.track_id,
					    d.seasonal_id]).filter(Boolean),
				];
				const artistIds = [...returns.artists.items.map((r) =>
				    r.id), ...top.artists.items.map((a) => a.id),
					...streaks.streaks.map((x) => x.artist_id)];
				await Promise.all([
					loadTracksDeep(trackIds),
					loadEntities('artists', artistIds),
					s.years.length ? loadCalendar(y) : null,
					s.years.length ? loadRanks(y, top) : null,
				]);
			});
			firstPlay(props.user.id).then((p) => {
				if (my === gen)
					s.since = p ? dayKey(p.played_at, props.zone) : null;
			}).catch(() => {});
		}

		watch(() => `${props.user.id}|${props.zone}|` +
		    `${props.query?.range ?? ''}|${props.query?.date ?? ''}`, load,
		    { immediate: true });

		// Scrolls the calendar, where it is wider than its box (a
		// phone), so that the week of today (in the zone shown), or
		// the last day drawn, is the last one in view: it would open
		// months back.  Sideways scrolling still leads back there.
		function showNewestWeeks(cal) {
			const wrap = heatWrap.value;
			const today = dayKey(Date.now(), props.zone);
			const day = today >= cal.from && today <= cal.to ? today :
			    cal.to;
			const cell = wrap?.querySelector(`[data-date="${day}"]`);
			if (!cell)
				return;
			wrap.scrollLeft += cell.getBoundingClientRect().right -
			    wrap.getBoundingClientRect().right;
		}

		// ---- pieces ----------------------------------------------------

		function RangePicker() {
			const cur = year() ?? 'all';
			const opts = [['all', 'All time'], ...[...s.years].reverse()
			    .map((yy) => [String(yy), String(yy)])];
			return h('nav', { class: 'seg range', 'aria-label': 'Range' },
			    opts.map(([id, label]) => h('a', {
				class: { on: cur === id },
				href: href(props.user.id, 'insights',
				    id === 'all' ? {} : { range: id }),
				'aria-current': cur === id ? 'true' : null,
			}, label)));
		}

		function Calendar() {
			const c = s.calendar;
			const cal = s.cal;
			const byDate = new Map((c?.days ?? []).map((d) => [d.date, d]));
			const lv = levels((c?.days ?? []).map((d) => d.plays));
			const first = cal.from;
			const cells = [];
			// A month's name above the week its first day is in.
			const labels = [];
			const pad = weekday(first);
			for (let i = 0; i < pad; i++)
				cells.push(h('span', { class: 'cell pad',
					'aria-hidden': 'true' }));
			for (let d = first, i = pad; d <= cal.to; d = addDays(d, 1),
			    i++) {
				if (d.endsWith('-01') || d === first) {
					const col = Math.floor(i / 7) + 1;
					const prev = labels[labels.length - 1];
					if (prev && col - prev.col < 3)
						labels.pop();	// too close: the later wins
					labels.push({ col, m: MONTHS[Number(d.slice(5,
					    7)) - 1] });
				}
				const x = byDate.get(d);
				const label = `${fmtDate(d)}: ` + (x ? `${plural(x.plays,
				    'play')}, ${Math.round(x.ms / 60000)} min` :
				    'no plays');
				cells.push(x ? h('a', { class: `cell l${lv(x.plays)}`,
					href: playsAt(d), title: label,
					'aria-label': label, 'data-date': d }) :
				    h('span', { class: 'cell l0', title: label,
					'data-date': d }));
			}
			return h('section', { class: 'panel ins-calendar',
				'aria-labelledby': 'ins-cal-h' }, [
				h('div', { class: 'panel-head' }, [
					h('h2', { id: 'ins-cal-h' }, cal.title),
					year() ? null : h('p', { class: 'note' },
					    `${fmtDate(cal.from)} – ${fmtDate(cal.to)}; ` +
					    'pick a year above for another'),
				]),
				h('p', { class: 'note' }, c ? `${plural(c.plays, 'play')} ` +
				    `on ${plural(c.days.length, 'day')}; a day leads ` +
				    'to its plays.' : ''),
				s.calBusy && !c ? Loading('Drawing the calendar…') :
				    h('div', { class: 'heat-wrap', ref: heatWrap }, [
					h('div', { class: 'heat-days', 'aria-hidden': 'true' },
					    ['Mon', '', 'Wed', '', 'Fri', '', 'Sun'].map((d) =>
						h('span', d))),
					h('div', { class: 'heat-col' }, [
						h('div', { class: 'heat-months',
							'aria-hidden': 'true' }, labels.map((l) =>
						    h('span', { key: l.col, style: {
							gridColumn: `${l.col} / span 3` } }, l.m))),
						h('div', { class: 'heat', role: 'group',
							'aria-label': `Plays per day, ${fmtDate(
							    cal.from)} to ${fmtDate(cal.to)}` },
						    cells),
					]),
				]),
				h('div', { class: 'legend', 'aria-hidden': 'true' }, [
					h('span', 'Fewer'), ...[0, 1, 2, 3, 4].map((l) =>
					    h('span', { class: `cell l${l}` })),
					h('span', 'More'),
				]),
			]);
		}

		// The latest date of weekday wd (Monday 0) in the range shown.
		function latestWeekday(wd) {
			const last = s.months[s.months.length - 1];
			const newest = s.years[s.years.length - 1];
			let end = year() && Number(year()) !== newest ?
			    `${year()}-12-31` : monthEnd(last.month);
			while (weekday(end) !== wd)
				end = addDays(end, -1);
			return end;
		}

		function PunchCard() {
			const c = s.clock;
			const max = Math.max(1, ...c.grid.flat());
			const rows = [h('span', { class: 'pc-corner' }),
				...Array.from({ length: 24 }, (_, hh) => h('span', {
					class: 'pc-hour', 'aria-hidden': 'true' },
				    hh % 3 === 0 ? String(hh).padStart(2, '0') : ''))];
			c.grid.forEach((row, wd) => {
				rows.push(h('span', { class: 'pc-day' },
				    WEEKDAYS[wd].slice(0, 3)));
				row.forEach((n, hh) => {
					const label = `${WEEKDAYS[wd]}s ` +
					    `${String(hh).padStart(2, '0')}:00–` +
					    `${String(hh).padStart(2, '0')}:59: ` +
					    plural(n, 'play');
					const dot = h('span', { class: 'dot', style: {
						'--r': Math.sqrt(n / max).toFixed(3) } });
					rows.push(n > 0 ? h('a', { class: 'pc-cell',
						href: playsAt(latestWeekday(wd)),
						title: label + ' (to the latest ' +
						    `${WEEKDAYS[wd]})`,
						'aria-label': label }, dot) :
					    h('span', { class: 'pc-cell', title: label },
						dot));
				});
			});
			return h('section', { class: 'panel ins-clock',
				'aria-labelledby': 'ins-clock-h' }, [
				h('h2', { id: 'ins-clock-h' }, 'When you listen'),
				h('p', { class: 'note' }, `Plays by hour and weekday, ` +
				    `${props.zone} time. The busiest: ` + busiest(c) + '.'),
				h('div', { class: 'punch', role: 'group',
					'aria-label': 'Plays by weekday and hour' }, rows),
			]);
		}

		function busiest(c) {
			let best = [0, 0, -1];
			c.grid.forEach((row, wd) => row.forEach((n, hh) => {
				if (n > best[2])
					best = [wd, hh, n];
			}));
			return best[2] <= 0 ? 'none yet' : `${WEEKDAYS[best[0]]}s ` +
			    `at ${String(best[1]).padStart(2, '0')}:00 ` +
			    `(${plural(best[2], 'play')})`;
		}

		function RankPanel() {
			const r = s.ranks;
			const names = r ? r.artists.map((id) =>
			    entityName('artists', id)) : [];
			return h('section', { class: 'panel ins-ranks wide',
				'aria-labelledby': 'ins-ranks-h' }, [
				h('h2', { id: 'ins-ranks-h' }, 'Your top artists over time'),
				h('p', { class: 'note' }, 'Rank by plays in each ' +
				    (r?.unit ?? 'month') + ', from this journal ' +
				    `(not Spotify's lists). A point leads to that ` +
				    (r?.unit ?? 'month') + `'s last plays.`),
				!r ? Loading('Ranking…') : r.artists.length === 0 ?
				    Empty('No artists yet') : [
					h(LineChart, {
						labels: r.periods.map((p) => p.label),
						series: r.rank.map((data, i) => ({
						    label: names[i], data })),
						reverse: true, yTitle: 'rank', max: 10,
						describe: 'Rank of your top artists per ' +
						    r.unit,
						onPick: (i) => { location.hash =
						    playsAt(r.periods[i].end); },
					}),
					DataTable(['Artist', ...r.periods.map((p, i) =>
					    h('a', { href: playsAt(r.periods[i].end) },
						p.label))], r.rank.map((row, i) =>
					    [names[i], ...row.map((x) =>
						x === null ? '–' : `#${x}`)]),
					    'The ranks as a table'),
				],
			]);
		}

		function NewOldPanel() {
			const n = s.newold;
			const rows = year() ? n.weeks.map((w) => ({
				label: fmtDate(w.week), end: addDays(w.week, 6), ...w })) :
			    n.months.map((m) => ({ label: fmtMonth(m.month),
				end: monthEnd(m.month), ...m }));
			return h('section', { class: 'panel ins-newold wide',
				'aria-labelledby': 'ins-newold-h' }, [
				h('h2', { id: 'ins-newold-h' }, 'New and familiar'),
				h('p', { class: 'note' }, `${pct(n.share_new_tracks)} of ` +
				    `the plays were a track's first ever, ` +
				    `${pct(n.share_new_artists)} brought a new artist. ` +
				    `Per ${year() ? 'week' : 'month'}:`),
				rows.length === 0 ? Empty('No plays in this range') : [
					h(LineChart, {
						labels: rows.map((x) => x.label),
						series: [
							{ label: 'first plays of a track', data:
							    rows.map((x) => 100 * x.share_new_tracks) },
							{ label: 'plays of a new artist', data:
							    rows.map((x) => 100 * x.share_new_artists) },
						],
						yTitle: '% of plays', min: 0,
						describe: 'Share of first-ever plays per ' +
						    (year() ? 'week' : 'month'),
						onPick: (i) => { location.hash =
						    playsAt(rows[i].end); },
					}),
					DataTable(['Period', 'Plays', 'New tracks',
						'New artists'], rows.map((x) => [
						h('a', { href: playsAt(x.end) }, x.label),
						x.plays.toLocaleString(), pct(x.share_new_tracks),
						pct(x.share_new_artists)]), 'The shares as a table'),
				],
			]);
		}

		function trackLine(id) {
			const t = cached('tracks', id);
			return [NameLink('tracks', id),
				h('span', { class: 'by' }, [' — ',
				    ArtistLinks(t?.artist_ids)])];
		}

		function BingeList() {
			const b = s.binges;
			return h('section', { class: 'panel ins-binges',
				'aria-labelledby': 'ins-binges-h' }, [
				h('h2', { id: 'ins-binges-h' }, 'Binges'),
				h('p', { class: 'note' }, `One track ${b.binge_min} or ` +
				    `more times in a row: ${plural(b.total, 'binge')}.`),
				b.binges.length === 0 ? h('p', 'None in this range.') :
				    h('ol', { class: 'ins-list' }, b.binges.map((x) => {
					// The times of its first and last play, as the
					// Plays page folds them; the number loads it whole,
					// the names lead to their stories.
					const z = props.zone;
					const day = dayKey(x.first, z);
					const end = dayKey(x.last, z);
					return h('li', { key: x.first }, h('div', {
						class: 'ins-row', 'data-first': x.first,
						'data-last': x.last }, [
						h('a', { class: 'big', href: href(props.user.id,
						    'plays', { binge: `${x.first}-${x.last}` }) },
						    `${x.plays}×`),
						h('span', { class: 'what' }, [
							h('p', trackLine(x.track_id)),
							h('p', { class: 'from' }, `${fmtDate(day)}, ` +
							    `${fmtTime(x.first, z)} – ` +
							    (end === day ? '' : fmtDate(end) + ', ') +
							    fmtTime(x.last, z)),
						]),
					]));
				})),
			]);
		}

		function SeasonsList() {
			const y = year();
			const months = s.months.filter((m) => !y ||
			    m.month.startsWith(y + '-')).slice(-24).reverse();
			const decs = s.decembers.filter((d) => !y ||
			    String(d.year) === y).reverse();
			return h('section', { class: 'panel ins-seasons',
				'aria-labelledby': 'ins-seasons-h' }, [
				h('h2', { id: 'ins-seasons-h' }, 'Seasons'),
				decs.length ? [h('h3', 'The song of each December'),
					h('ul', { class: 'ins-list' }, decs.map((d) =>
					    h('li', { key: d.month }, h('div',
					    { class: 'ins-row' }, [
						h('a', { class: 'big',
						    href: playsAt(monthEnd(d.month)) }, String(d.year)),
						h('span', { class: 'what' }, d.seasonal_id ? [
							h('p', trackLine(d.seasonal_id)),
							h('p', { class: 'from' },
							    seasonalLine(d)),
						] : h('p', { class: 'from' },
						    'No December song that year'))]))))] : null,
				h('h3', 'Favourite of each month'),
				months.length === 0 ? h('p', 'No plays in this range.') :
				    h('ul', { class: 'ins-list' }, months.map((m) =>
					h('li', { key: m.month }, h('div',
					    { class: 'ins-row' }, [
						h('a', { class: 'big small',
						    href: playsAt(monthEnd(m.month)) },
						    fmtMonth(m.month)),
						h('span', { class: 'what' }, [
							h('p', trackLine(m.track_id)),
							h('p', { class: 'from' }, `${m.track_plays} ` +
							    `of ${plural(m.plays, 'play')}`),
						])])))),
			]);
		}

		// "172 plays that December, 3 the rest of the year"; a year
		// the journal does not cover from January says where it starts
		// instead of counting months it does not have.
		function seasonalLine(d) {
			const n = `${d.seasonal_plays} plays that December`;
			const since = s.since;
			if (!since || since <= `${d.year}-01-01`)
				return `${n}, ${d.seasonal_rest_of_year} the rest of ` +
				    'the year';
			const starts = new Intl.DateTimeFormat(undefined, {
				day: 'numeric', month: 'short', timeZone: 'UTC' })
			    .format(new Date(since + 'T12:00:00Z'));
			if (since >= `${d.year}-12-01`)
				return `${n} — the journal starts ${starts}`;
			return `${n}, ${d.seasonal_rest_of_year} before it — the ` +
			    `journal starts ${starts}`;
		}

		function ReturnsList() {
			const r = s.returns;
			return h('section', { class: 'panel ins-returns',
				'aria-labelledby': 'ins-returns-h' }, [
				h('h2', { id: 'ins-returns-h' }, 'Welcome back'),
				h('p', { class: 'note' }, `Tracks back after ` +
				    `${r.return_days} days or more away: ` +
				    `${plural(r.tracks.total, 'return')}.`),
				r.tracks.items.length === 0 ? h('p', 'None in this range.') :
				    h('ol', { class: 'ins-list' }, r.tracks.items.map((x) => {
					const day = dayKey(x.returned, props.zone);
					return h('li', { key: x.id + x.returned }, h('div',
					    { class: 'ins-row' }, [
						h('a', { class: 'big small',
						    href: playsAt(day) },
						    `${x.days_away.toLocaleString()} days`),
						h('span', { class: 'what' }, [
							h('p', trackLine(x.id)),
							h('p', { class: 'from' }, `Back on ` +
							    `${fmtDate(day)} after ${fmtDate(dayKey(
							    x.previous, props.zone))}; ` +
							    `${x.plays_before} plays before, ` +
							    `${x.plays_after} since`),
						]),
					]));
				})),
				r.artists.items.length ? [h('h3', 'Artists back'),
					h('p', { class: 'chips' }, r.artists.items.slice(0, 8)
					    .map((x) => h('a', { class: 'chip', href: playsAt(
						dayKey(x.returned, props.zone)) },
						`${entityName('artists', x.id)} ` +
						`(${x.days_away} days)`)))] : null,
			]);
		}

		function StreaksList() {
			const r = s.streaks;
			return h('section', { class: 'panel ins-streaks',
				'aria-labelledby': 'ins-streaks-h' }, [
				h('h2', { id: 'ins-streaks-h' }, 'Streaks'),
				h('p', { class: 'note' }, 'Days in a row with an artist.'),
				r.streaks.length === 0 ? h('p', 'None in this range.') :
				    h('ol', { class: 'ins-list' }, r.streaks.map((x) =>
					h('li', { key: x.artist_id + x.first }, h('div',
					    { class: 'ins-row' }, [
						h('a', { class: 'big small',
						    href: playsAt(x.last) }, `${x.days} days`),
						h('span', { class: 'what' }, [
							h('p', NameLink('artists', x.artist_id)),
							h('p', { class: 'from' }, `${fmtDate(x.first)} ` +
							    `– ${fmtDate(x.last)}, ` +
							    plural(x.plays, 'play')),
						])])))),
			]);
		}

		function OnThisDay() {
			const o = s.otd;
			return h('section', { class: 'panel ins-otd',
				'aria-labelledby': 'ins-otd-h' }, [
				h('h2', { id: 'ins-otd-h' }, `On this day, ` +
				    new Intl.DateTimeFormat(undefined, { day: 'numeric',
					month: 'long', timeZone: 'UTC' }).format(
					new Date(o.date + 'T12:00:00Z'))),
				o.years.length === 0 ? h('p', 'Nothing played on this ' +
				    'date in earlier years.') :
				    h('ul', { class: 'ins-list' }, o.years.map((x) =>
					h('li', { key: x.year }, h('div',
					    { class: 'ins-row' }, [
						h('a', { class: 'big',
						    href: playsAt(x.date) }, String(x.year)),
						h('span', { class: 'what' }, [
							x.tracks[0] ? h('p', trackLine(x.tracks[0].id)) :
							    null,
							h('p', { class: 'from' }, `${plural(x.plays,
							    'play')}, ${Math.round(x.ms / 60000)} min` +
							    (x.tracks[0] ? `; this one ` +
							    `${plural(x.tracks[0].plays, 'time')}` :
							    '')),
						])])))),
			]);
		}

		return () => {
			const head = h('div', { class: 'page-head' }, [
				h('div', [
					h('h1', 'Insights'),
					h('p', { class: 'sub' }, s.top ? `${plural(s.top.plays,
					    'play')} ${year() ? 'in ' + year() : 'in all'}, ` +
					    `days in ${props.zone}` :
					    `${possessive(props.user.display_name)} journal`),
				]),
				s.years.length ? RangePicker() : null,
			]);
			if (s.error)
				return [head, ErrorBox(s.error, load)];
			if (s.busy && !s.clock)
				return [head, Loading('Reading the journal…')];
			if (s.years.length === 0)
				return [head, Empty('Nothing to tell yet', 'Insights ' +
				    'appear once the journal holds plays.')];
			return [head, h('div', { class: 'ins-grid' }, [
				s.cal ? Calendar() : null,
				PunchCard(),
				OnThisDay(),
				RankPanel(),
				NewOldPanel(),
				BingeList(),
				StreaksList(),
				SeasonsList(),
				ReturnsList(),
			])];
		};
	},
};

// A table of a chart's figures (first row headers), folded away.
function DataTable(headers, rows, summary) {
	return h('details', { class: 'data-table' }, [
		h('summary', summary),
		h('div', { class: 'table-scroll' }, h('table', [
			h('thead', h('tr', headers.map((x, i) => h('th',
			    { scope: 'col', key: i }, x)))),
			h('tbody', rows.map((r, i) => h('tr', { key: i }, r.map((x, j) =>
			    j === 0 ? h('th', { scope: 'row' }, x) : h('td', x))))),
		])),
	]);
}

// A line chart; clicking a point calls onPick(index of the label).
const LineChart = {
	name: 'LineChart',
	props: { labels: Array, series: Array, reverse: Boolean,
		yTitle: String, describe: String, min: Number, max: Number,
		onPick: Function },
	setup(props) {
		const { canvas, err } = useChart(() => [props.labels, props.series],
		    ({ fg, grid }) => ({
			type: 'line',
			data: {
				labels: props.labels,
				datasets: props.series.map((x, i) => {
					const c = cssVar(LINE_COLOURS[i %
					    LINE_COLOURS.length]) || '#b39dff';
					return { label: x.label, data: x.data,
						borderColor: c, backgroundColor: c,
						pointRadius: 3, pointHoverRadius: 6,
						// Monotone: a line never bends past the
						// points it joins (no rank above 1).
						cubicInterpolationMode: 'monotone',
						spanGaps: false };
				}),
			},
			options: {
				responsive: true,
				maintainAspectRatio: false,
				animation: false,
				interaction: { mode: 'nearest', intersect: false },
				onClick: (_e, els) => {
					if (els.length && props.onPick)
						props.onPick(els[0].index);
				},
				onHover: (e, els) => {
					e.native.target.style.cursor = els.length ?
					    'pointer' : 'default';
				},
				scales: {
					y: {
						reverse: props.reverse,
						min: props.reverse ? 1 : props.min,
						suggestedMax: props.max,
						ticks: { color: fg, precision: 0 },
						grid: { color: grid },
						title: { display: true, text: props.yTitle,
							color: fg },
					},
					x: { ticks: { color: fg, maxRotation: 0,
						autoSkip: true }, grid: { color: grid } },
				},
				plugins: {
					legend: { labels: { color: fg, boxWidth: 12 } },
				},
			},
		}));
		return () => h('div', { class: 'chart' }, [
			err.value ? ErrorBox('The chart could not be drawn: ' +
			    err.value) : null,
			h('div', { class: 'chart-box' }, h('canvas', { ref: canvas,
				role: 'img', 'aria-label': `${props.describe}: ` +
				    props.series.map((x) => x.label).join(', ') +
				    '. The figures are in the table below.' })),
		]);
	},
};
