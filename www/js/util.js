// util.js — pure helpers the pages share: time in a given time zone,
// the plays timeline (days, folded repeats, returns, gaps), image choice
// and small formatting.  No DOM, no network: tests/browser exercises them
// through the pages.

// ---- time zones ----------------------------------------------------------

const fmtCache = new Map();

// An Intl.DateTimeFormat for a zone and options, made once.
function fmt(zone, opts) {
	const key = zone + '|' + JSON.stringify(opts);
	let f = fmtCache.get(key);
	if (!f) {
		f = new Intl.DateTimeFormat(undefined, { timeZone: zone, ...opts });
		fmtCache.set(key, f);
	}
	return f;
}

// Whether zone is an IANA name this browser knows.
export function validZone(zone) {
	if (!zone)
		return false;
	try {
		new Intl.DateTimeFormat('en', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

export function browserZone() {
	return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// {y, m, d, hh, mm} of ms in zone (numbers; m is 1..12).
export function parts(ms, zone) {
	const out = {};
	for (const p of fmt(zone, { year: 'numeric', month: '2-digit',
	    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
	    .formatToParts(new Date(ms)))
		if (p.type !== 'literal')
			out[p.type] = Number(p.value);
	return { y: out.year, m: out.month, d: out.day, hh: out.hour % 24,
		mm: out.minute };
}

// "2026-01-05": the calendar day of ms in zone.
export function dayKey(ms, zone) {
	const p = parts(ms, zone);
	return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

// Milliseconds zone is ahead of UTC at ms.
function offsetAt(ms, zone) {
	const p = parts(ms, zone);
	const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm);
	return asUtc - Math.floor(ms / 60000) * 60000;
}

// The instant (ms) a calendar day "YYYY-MM-DD" starts in zone.
export function dayStart(key, zone) {
	const [y, m, d] = key.split('-').map(Number);
	const guess = Date.UTC(y, m - 1, d);
	let t = guess - offsetAt(guess, zone);
	// Once more: the offset may differ at the corrected instant (DST).
	t = guess - offsetAt(t, zone);
	return t;
}

// The day after key, as a key.
export function nextDay(key) {
	const [y, m, d] = key.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

export function fmtTime(ms, zone) {
	return fmt(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
	    .format(new Date(ms));
}

// "Monday 5 January 2026" (the year only when it is not this year's).
export function fmtDay(key, zone, nowMs = Date.now()) {
	const ms = dayStart(key, zone) + 12 * 3600e3;
	const sameYear = dayKey(nowMs, zone).slice(0, 4) === key.slice(0, 4);
	return fmt(zone, { weekday: 'long', day: 'numeric', month: 'long',
	    ...(sameYear ? {} : { year: 'numeric' }) }).format(new Date(ms));
}

// "5 Jan 2026, 23:04".
export function fmtDateTime(ms, zone) {
	return fmt(zone, { day: 'numeric', month: 'short', year: 'numeric',
	    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
	    .format(new Date(ms));
}

// "5 Jan 2026" for a UTC calendar day "YYYY-MM-DD" (weeks, snapshots).
export function fmtDate(key) {
	return fmt('UTC', { day: 'numeric', month: 'short', year: 'numeric' })
	    .format(new Date(key + 'T12:00:00Z'));
}

// "3 hours ago", "12 days ago".
export function fmtAgo(ms, nowMs = Date.now()) {
	const s = Math.round((nowMs - ms) / 1000);
	const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
	const steps = [[60, 'second'], [3600, 'minute'], [86400, 'hour'],
		[86400 * 30, 'day'], [86400 * 365, 'month'], [Infinity, 'year']];
	let unit = 1;
	for (const [lim, name] of steps) {
		if (Math.abs(s) < lim)
			return rtf.format(-Math.round(s / unit), name);
		unit = lim;
	}
	return '';
}

// "4 months", "3 weeks", "12 days": a length of time for people.
export function fmtSpan(ms) {
	const days = ms / 86400e3;
	if (days >= 730)
		return `${Math.floor(days / 365)} years`;
	if (days >= 60)
		return `${Math.floor(days / 30.4)} months`;
	if (days >= 14)
		return `${Math.floor(days / 7)} weeks`;
	if (days >= 2)
		return `${Math.floor(days)} days`;
	const h = Math.max(1, Math.floor(ms / 3600e3));
	return h === 1 ? '1 hour' : `${h} hours`;
}

// ---- ids and images --------------------------------------------------------

// Ids the batch endpoints take: Spotify's, or a synthetic one ('_' + 21).
const ID_RE = /^[0-9A-Za-z_][0-9A-Za-z]{21}$/;
export function validId(id) {
	return typeof id === 'string' && ID_RE.test(id);
}

// {kind, id} of a Spotify URI ("spotify:playlist:ID"), or null.
export function parseUri(uri) {
	if (typeof uri !== 'string')
		return null;
	const m = /^spotify:(album|artist|playlist|show|collection|user):(.*)$/
	    .exec(uri);
	if (!m)
		return null;
	// The older form of a playlist's URI: spotify:user:USER:playlist:ID.
	const kind = m[1] === 'user' && /:playlist:[^:]+$/.test(uri) ?
	    'playlist' : m[1];
	return { kind, id: m[2].split(':').pop() };
}

// An image URL the page may load: https, or our own origin.  Anything
// else (plain http elsewhere) would break the pages' CSP, so it counts
// as missing and the placeholder is shown.
export function usableImage(url, origin = globalThis.location?.origin) {
	if (typeof url !== 'string' || url === '')
		return null;
	try {
		const u = new URL(url, origin);
		if (u.protocol === 'https:' || u.origin === origin)
			return u.href;
	} catch {
		// not a URL
	}
	return null;
}

// The smallest usable image at least px wide (else the largest).
export function pickImage(images, px) {
	const ok = (images ?? []).map((im) => ({ ...im, url: usableImage(im.url) }))
	    .filter((im) => im.url);
	if (ok.length === 0)
		return null;
	ok.sort((a, b) => (a.width ?? 0) - (b.width ?? 0));
	return (ok.find((im) => (im.width ?? 0) >= px) ?? ok[ok.length - 1]).url;
}

// ---- the plays timeline ----------------------------------------------------

// Folds consecutive plays of one track (newest first in, newest first
// out): [{track_id, plays: [newest..oldest], first, last}].  Plays whose
// track is unknown (no id) never fold, and neither do two plays with a
// recorded gap between them (gaps: [{from, to}]): plays may be missing
// there, so "in a row" would claim what the journal does not know.
export function foldRuns(plays, gaps = []) {
	const runs = [];
	let newer = null;
	for (const p of plays) {
		const cur = runs[runs.length - 1];
		if (cur && p.track_id && cur.track_id === p.track_id &&
		    !gaps.some((g) => p.played_at <= g.from &&
		    g.to <= newer.played_at))
			cur.plays.push(p);
		else
			runs.push({ track_id: p.track_id, plays: [p] });
		newer = p;
	}
	for (const r of runs) {
		r.last = r.plays[0].played_at;			/* newest */
		r.first = r.plays[r.plays.length - 1].played_at;	/* oldest */
	}
	return runs;
}

// For each run, the time since the same track was last played before it,
// when that is at least thresholdMs: Map run -> ms away.  The API gives
// each play its track's previous play (previous_played_at), so a run's
// oldest play says it exactly, whatever is loaded.
export function findReturns(runs, thresholdMs) {
	const returns = new Map();
	for (const r of runs) {
		const prev = r.plays[r.plays.length - 1].previous_played_at;
		if (typeof prev === 'number' && r.first - prev >= thresholdMs)
			returns.set(r, r.first - prev);
	}
	return returns;
}

// The timeline the Plays page draws: days (newest first), each with its
// entries in order, newest first: {type: 'run', run} or {type: 'gap',
// gap}.  A run belongs to the day its first play started; a gap sits
// where its end ("to") falls.
export function buildDays(runs, gaps, zone) {
	const entries = runs.map((run) => ({ type: 'run', run, at: run.last,
		day: dayKey(run.first, zone) }));
	for (const gap of gaps)
		entries.push({ type: 'gap', gap, at: gap.to,
			day: dayKey(gap.to, zone) });
	// A gap ends at the play that follows it: that play sits above it.
	entries.sort((a, b) => b.at - a.at || (a.type === 'gap' ? 1 : -1));
	const days = [];
	for (const e of entries) {
		let d = days[days.length - 1];
		if (!d || d.key !== e.day) {
			// A run that began before midnight may follow the
			// next day's entries: keep one section per day.
			d = days.find((x) => x.key === e.day);
			if (!d) {
				d = { key: e.day, entries: [] };
				days.push(d);
			}
		}
		d.entries.push(e);
	}
	days.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
	return days;
}

// ---- small things ------------------------------------------------------------

export function plural(n, one, many = one + 's') {
	return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

// Splits a into arrays of at most n.
export function chunks(a, n) {
	const out = [];
	for (let i = 0; i < a.length; i += n)
		out.push(a.slice(i, i + n));
	return out;
}

// "The Hollow Hounds' page", "Ivy's journal": the possessive of a name.
export function possessive(name) {
	const n = String(name ?? '');
	return /s$/i.test(n) ? `${n}'` : `${n}'s`;
}
