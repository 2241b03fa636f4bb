// settings.js — the Settings page: the state of the journal and of its
// Spotify connection (status, last poll, the collector's heartbeat, how
// often the owner's plays are polled and why, when Spotify's authorisation
// ends), the journal's own settings (public or
// private, time zone, Discover Weekly playlist, playlists archived
// weekly), export downloads, the owner's imports of Spotify's history
// (imports.js), and what this browser remembers (the
// "returns" threshold, which time zone to show).
//
// The journal's settings are changed by its owner only: when the
// signed-in user (account.me, /api/v0/me) is the journal shown, the form
// is filled from me.settings and saved with PUT /api/v0/settings; the
// answer (the new /me document) updates account.me in place, so the
// shell's journal (the same object) shows the new zone at once.  Anyone
// else sees the form read-only with a hint to sign in as the owner.  The
// API validates: a link is turned into its playlist id here, anything
// else is sent as typed and the API's message is shown beside the form.

import { computed, h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { API, ApiError, CAPS, getJson, sendJson } from '../api.js';
import { account, LOGIN_URL } from '../account.js';
import { Cover, ErrorBox, Loading } from '../components.js';
import { ImportPanel } from '../imports.js';
import { firstPlay } from '../journal.js';
import { browserZone, dayKey, fmtAgo, fmtDateTime, fmtTime, possessive,
    usableImage } from '../util.js';

const STATUS = {
	active: ['ok', 'Connected to Spotify and collecting.'],
	reauth: ['warn', 'Spotify needs the owner to authorise linernotes ' +
	    'again. Nothing is lost, but no new plays are collected until then.'],
	disabled: ['muted', 'Collecting is switched off for this journal.'],
};
const COLLECTOR = {
	running: 'The collector is running.',
	stale: 'The collector has not reported for a while.',
	never: 'The collector has not run yet.',
	stopped: 'The collector is stopped.',
};
const ARCHIVE_MAX = 8;
// The API's message names the field it refuses ("timezone must be …").
const FIELDS = ['visibility', 'timezone', 'dw_playlist', 'archive'];
// What a refusal of each field means, in words for people (the API's
// message: the field's name and the rule).
const SAY = {
	visibility: () => 'Choose public or private.',
	timezone: () => 'That time zone is not one this journal knows: ' +
	    'pick one from the list.',
	dw_playlist: () => 'That doesn\'t look like a playlist link or id.',
	archive: (msg) => /at most/.test(msg) ? 'That is more playlists ' +
	    `than can be archived: at most ${ARCHIVE_MAX}.` : 'One of the ' +
	    'playlists to archive doesn\'t look like a playlist link or id.',
};
// UTC as a journal's zone: the API takes "UTC" for "not set" (each reader
// then sees their own zone), so UTC itself is saved as Etc/UTC.
const UTC = 'Etc/UTC';
// Re-authorising is offered prominently this close to the end.
const REAUTH_SOON = 30 * 86400e3;

// A playlist id from an id, a spotify: URI or an open.spotify.com link;
// null for anything else.
export function playlistId(s) {
	const t = String(s ?? '').trim();
	const m = /^(?:.*playlist[/:])?([0-9A-Za-z]{22})(?:[?#].*)?$/.exec(t);
	return m ? m[1] : null;
}

// The error of a PUT /settings that failed, for the form: what was not
// saved and, for a 400, the field the API's message names.
function notSaved(e) {
	if (e.status === 0)
		return new ApiError('Not saved: the journal could not be ' +
		    'reached. Check your connection and try again.');
	if (e.status >= 200 && e.status <= 299)	// an answer not JSON
		return new ApiError('Saved, but the journal sent an unexpected ' +
		    'answer: reload the page to see the settings.', e.status);
	const msg = e.serverMessage;
	const field = e.status === 400 && msg ?
	    FIELDS.find((f) => msg.startsWith(f)) ?? null : null;
	const err = new ApiError(e.status === 401 ? 'Not saved: your ' +
	    'sign-in has ended. Sign in again and save once more.' :
	    field ? `${SAY[field](msg)} Nothing was saved.` :
	    `Not saved: ${msg ?? `the journal answered ${e.status}`}.`,
	    e.status);
	err.field = field;
	return err;
}

// PUT /settings through api.js (which sends the same-site proof);
// resolves to the new /me document.
async function putSettings(body) {
	let json;
	try {
		json = await sendJson('PUT', '/settings', body);
	} catch (e) {
		throw notSaved(e);
	}
	if (json?.signed_in !== true)
		throw new ApiError('Saved, but the journal sent an unexpected ' +
		    'answer: reload the page to see the settings.', 200);
	return json;
}

// The saved /me document into account.me, keeping its user object (the
// shell lists that very object as the owner's journal).
function applyMe(me) {
	if (account.me?.user)
		Object.assign(account.me.user, me.user);
	else
		account.me = me;
	account.me.settings = me.settings;
	account.me.authorization = me.authorization;
	account.me.poll = me.poll;
}

// "every 20 min", "every 2 h", "every 1 h 20 min".
function fmtEvery(s) {
	const min = Math.round(s / 60);
	if (min < 60)
		return `every ${min} min`;
	const hr = Math.floor(min / 60), rest = min % 60;
	return `every ${hr} h` + (rest ? ` ${rest} min` : '');
}

// How often the collector polls the owner's plays and why, as /me tells
// its owner: "every 2 h: idle since 02:10" (the time in zone; with the
// date when it is not today's).
export function pollText(poll, zone, nowMs = Date.now()) {
	if (!poll || !(poll.interval_s > 0))
		return null;
	let why = poll.why_text || poll.why;
	if (poll.idle_since) {
		const t = poll.idle_since;
		why += ' since ' + (dayKey(t, zone) === dayKey(nowMs, zone) ?
		    fmtTime(t, zone) :
		    fmtDateTime(t, zone));
	}
	return `${fmtEvery(poll.interval_s)}: ${why}`;
}

export const SettingsPage = {
	name: 'SettingsPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({ health: null, error: null, saving: false,
			saved: null, formError: null, formField: null,
			first: undefined });	// the first play's time (ms), null: none
		watch(() => props.user.id, (id) => {
			s.first = undefined;
			firstPlay(id).then((p) => { s.first = p?.played_at ?? null; })
			    .catch(() => { s.first = null; });
		}, { immediate: true });
		const form = reactive({
			visibility: 'public',
			timezone: '',
			dw: '',
			archive: '',
		});
		const zones = typeof Intl.supportedValuesOf === 'function' ?
		    Intl.supportedValuesOf('timeZone') : [browserZone()];
		// The signed-in user owns the journal shown.
		const owner = computed(() => CAPS.settings &&
		    account.me?.user?.id !== undefined &&
		    account.me.user.id === props.user.id);

		// The owner's settings, else what anyone can know (a listed
		// journal is public; dw and archive are the owner's to see).
		watch(() => [owner.value, owner.value ? account.me.settings :
		    props.user], () => {
			const set = owner.value ? account.me.settings : null;
			if (set) {
				form.visibility = set.visibility ?? 'private';
				form.timezone = set.timezone ?? '';
				form.dw = set.dw_playlist ?? '';
				form.archive = (set.archive ?? []).join('\n');
			} else {
				form.visibility = props.user.visibility ?? 'public';
				form.timezone = props.user.timezone ?? '';	// null: not set
				form.dw = '';
				form.archive = '';
			}
		}, { immediate: true });

		function edited() {
			s.saved = null;
		}

		function loadHealth() {
			s.error = null;
			getJson('/health').then((r) => { s.health = r; })
			    .catch((e) => { s.error = e.message; });
		}
		loadHealth();

		async function save(e) {
			e.preventDefault();
			if (!owner.value || s.saving)
				return;
			s.formError = null;
			s.formField = null;
			s.saved = null;
			// Links become ids; anything else goes as typed, for the
			// API to judge.
			const asId = (x) => playlistId(x) ?? x.trim();
			const archive = form.archive.split(/[\n,]/).map((x) => x.trim())
			    .filter(Boolean).map(asId);
			const body = { visibility: form.visibility,
				timezone: form.timezone,
				dw_playlist: form.dw.trim() ? asId(form.dw) : '',
				archive };
			s.saving = true;
			try {
				const me = await putSettings(body);
				applyMe(me);
				const set = me.settings;
				s.saved = `Saved: the journal is ${set.visibility}` +
				    (set.visibility === 'public' ? ' (anyone with the ' +
				    'link can read it)' : ' (only you can read it)') +
				    (set.timezone ? `, its days and weeks are in ` +
				    `${set.timezone}.` : ', its time zone is not set ' +
				    '(each reader sees their own).');
			} catch (err) {
				s.formError = err.message;
				s.formField = err.field ?? null;
			} finally {
				s.saving = false;
			}
		}

		function Row(label, value, attrs = {}) {
			return [h('dt', label), h('dd', attrs, value)];
		}

		// Spotify's authorisation, as /me tells its owner.
		function Authorisation() {
			if (!owner.value)
				return null;
			const a = account.me.authorization;
			if (!a)
				return null;
			const end = a.expires_at ? a.expires_at * 1000 : null;
			const endText = end ? fmtDateTime(end, props.zone) : 'unknown';
			let warn = null;
			if (a.needs_reauth)
				warn = 'Spotify\'s authorisation of linernotes has ended' +
				    (end && end <= Date.now() ? ` (${endText})` : '') +
				    ': re-authorise to collect plays again. Nothing ' +
				    'recorded is lost.';
			else if (a.expiring)
				warn = `Spotify's authorisation ends on ${endText} ` +
				    `(${fmtAgo(end)}): re-authorise before then to keep ` +
				    'collecting without a gap.';
			const soon = a.needs_reauth === true || (end !== null &&
			    end - Date.now() <= REAUTH_SOON);
			return { end, endText, warn, soon,
				needs: a.needs_reauth === true };
		}

		function Journal() {
			const u = props.user;
			const auth = Authorisation();
			const st = auth?.needs && u.status === 'active' ? 'reauth' :
			    u.status;
			const [tone, text] = STATUS[st] ?? ['muted', st];
			const last = u.last_ok_poll ? u.last_ok_poll * 1000 : null;
			const stale = last !== null && Date.now() - last > 86400e3;
			const hl = s.health;
			return h('section', { class: 'panel', 'aria-labelledby': 'st-j' }, [
				h('h2', { id: 'st-j' }, 'Journal and Spotify connection'),
				h('div', { class: 'who' }, [
					h(Cover, { url: usableImage(u.image_url), round: true,
						alt: `Picture of ${u.display_name}`, size: 64 }),
					h('div', [
						h('p', { class: 'name' }, u.display_name),
						h('p', { class: 'sub' }, `Spotify user ${u.id}`),
					]),
				]),
				h('p', { class: ['status', tone], 'data-status': st },
				    text),
				auth?.warn ? h('p', { class: 'status warn',
					'data-auth': auth.needs ? 'ended' : 'expiring' },
				    auth.warn) : null,
				stale ? h('p', { class: 'status warn' }, 'The last ' +
				    `successful poll was ${fmtAgo(last)}: the token may ` +
				    'have expired or Spotify may be refusing requests.') :
				    null,
				h('dl', { class: 'facts' }, [
					...Row('Plays kept', (u.n_plays ?? 0).toLocaleString()),
					...Row('Last successful poll', last ?
					    `${fmtAgo(last)} (${fmtDateTime(last, props.zone)})` :
					    'not yet'),
					...Row('Journal since', s.first ? `${fmtDateTime(
					    s.first, props.zone)} (the first play)` :
					    s.first === null ? 'no plays yet' : '…'),
					...Row('Collector', hl ? (COLLECTOR[hl.collector?.state]
					    ?? String(hl.collector?.state ?? 'unknown')) :
					    s.error ? 'unknown' : '…'),
					...(owner.value ? Row('Plays polled',
					    pollText(account.me?.poll, props.zone) ??
					    'not yet: the collector has not polled them',
					    { 'data-poll': account.me?.poll?.why ?? 'none' }) :
					    []),
					...Row('Authorisation ends', auth ? auth.endText :
					    'shown to the journal\'s owner when signed in',
					    { 'data-auth-end': auth?.end ?? null }),
				]),
				s.error ? ErrorBox(s.error, loadHealth) : null,
				// A button when the end is near or past, else a
				// quiet link.
				owner.value && CAPS.reauth ? h('p', [
					h('a', { class: auth?.soon ? 'btn' : 'quiet',
						href: LOGIN_URL, 'data-reauth': auth?.soon ?
						    'soon' : 'early' },
					    'Re-authorise with Spotify'),
				]) : null,
				owner.value && CAPS.reauth ? h('p', { class: 'note' },
				    'Spotify asks for a new authorisation every six ' +
				    'months; this page warns two weeks ahead and offers ' +
				    'it prominently from 30 days before the end. ' +
				    'Re-authorising keeps everything recorded.') : null,
			]);
		}

		// Why the form is read-only, for everyone but the owner.
		function Hint() {
			if (owner.value)
				return null;
			const me = account.me?.user;
			const who = props.user.display_name || props.user.id;
			let text;
			if (!CAPS.settings)
				text = 'Changing these is not available on this journal.';
			else if (!account.ready)
				text = 'Checking who is signed in…';
			else if (me)
				text = `You are signed in as ${me.display_name || me.id}: ` +
				    `only ${who} can change these settings. Other accounts ` +
				    'see them read-only.';
			else
				text = `Only ${who} can change these settings. Sign in ` +
				    'with the Spotify account that owns this journal to ' +
				    'change them; other accounts see them read-only.';
			return h('div', { class: 'settings-hint' }, [
				h('p', { class: 'note', id: 'settings-note' }, text),
				CAPS.settings && account.ready && !me ? h('p',
				    h('a', { class: 'btn small ghost', href: LOGIN_URL },
					'Sign in with Spotify')) : null,
			]);
		}

		function invalid(field) {
			return s.formField === field ? { 'aria-invalid': 'true',
				'aria-describedby': 'settings-error' } : {};
		}

		function Settings() {
			const mine = owner.value;
			const off = !mine || s.saving;
			const here = browserZone();
			// "Not set" stays a choice once a zone is chosen; UTC is
			// always there, and means UTC.
			const zoneList = [...new Set(['', UTC, form.timezone, here,
				...zones])].filter((z) => z !== 'UTC');
			return h('section', { class: 'panel', 'aria-labelledby': 'st-s' }, [
				h('h2', { id: 'st-s' }, 'Journal settings'),
				Hint(),
				h('form', { class: ['settings', { readonly: !mine }],
					onSubmit: save, novalidate: true,
					'aria-describedby': mine ? null : 'settings-note' }, [
					h('fieldset', { disabled: off,
						class: { invalid: s.formField === 'visibility' } }, [
						h('legend', 'Who can read this journal'),
						...['public', 'private'].map((v) => h('label',
						    { class: 'radio' }, [
							h('input', { type: 'radio', name: 'visibility',
								value: v, checked: form.visibility === v,
								...invalid('visibility'),
								onChange: () => { form.visibility = v;
									edited(); } }),
							v === 'public' ? ' Public: anyone with the ' +
							    'link' : ' Private: only me',
						])),
					]),
					h('label', { class: ['field', { invalid:
						s.formField === 'timezone' }] }, [
						h('span', 'Time zone for days and weeks'),
						h('select', { name: 'timezone', disabled: off,
							value: form.timezone, ...invalid('timezone'),
							onChange: (e) => { form.timezone =
							    e.target.value; edited(); } },
						    zoneList.map((z) => h('option', { value: z,
							selected: z === form.timezone },
							z === '' ? 'Not set (each reader sees their ' +
							'own)' : z === here ? `${z} (this device)` :
							z === UTC ? 'UTC' : z))),
					]),
					mine && form.timezone !== here ? h('p',
					    { class: 'suggest' }, [
						h('button', { class: 'btn small ghost', type: 'button',
							disabled: off, onClick: () => {
								form.timezone = here;
								edited();
							} }, `Use this device's zone (${here})`),
					]) : null,
					h('label', { class: ['field', { invalid:
						s.formField === 'dw_playlist' }] }, [
						h('span', 'Discover Weekly playlist (id or link; ' +
						    'empty: found by its name)'),
						h('input', { name: 'dw', type: 'text', disabled: off,
							value: form.dw, autocomplete: 'off',
							spellcheck: 'false', ...invalid('dw_playlist'),
							placeholder: mine ?
							    'https://open.spotify.com/playlist/…' :
							    'shown to the owner',
							onInput: (e) => { form.dw = e.target.value;
								edited(); } }),
					]),
					h('label', { class: ['field', { invalid:
						s.formField === 'archive' }] }, [
						h('span', `Playlists to archive weekly (ids or ` +
						    `links, one per line, at most ${ARCHIVE_MAX})`),
						h('textarea', { name: 'archive', rows: 3,
							disabled: off, value: form.archive,
							spellcheck: 'false', ...invalid('archive'),
							placeholder: mine ? '' : 'shown to the owner',
							onInput: (e) => { form.archive =
							    e.target.value; edited(); } }),
					]),
					s.formError ? h('p', { class: 'status warn form-error',
						id: 'settings-error', role: 'alert' },
					    s.formError) : null,
					s.saved ? h('p', { class: 'status ok form-saved',
						role: 'status' }, s.saved) : null,
					h('button', { class: 'btn', type: 'submit',
						disabled: off }, s.saving ? 'Saving…' : 'Save'),
				]),
			]);
		}

		// Exports are files the collector builds: the API answers 202
		// (Retry-After) until this journal's is ready.  A click asks
		// with HEAD, shows "preparing…" meanwhile, and downloads the
		// file once it is there.
		const exp = reactive({});	// ext -> null | 'preparing' | msg
		async function download(ext, href) {
			if (exp[ext] === 'preparing')
				return;
			exp[ext] = 'preparing';
			const end = Date.now() + 10 * 60 * 1000;
			while (Date.now() < end) {
				let res;
				try {
					res = await fetch(href, { method: 'HEAD',
						credentials: 'same-origin' });
				} catch {
					exp[ext] = 'the server cannot be reached';
					return;
				}
				await res.text();	/* (empty) ends the exchange */
				if (res.status === 200) {
					exp[ext] = null;
					const a = document.createElement('a');
					a.href = href;
					a.download = '';
					document.body.appendChild(a);
					a.click();
					a.remove();
					return;
				}
				if (res.status !== 202) {
					exp[ext] = `not available (${res.status})`;
					return;
				}
				const wait = Number(res.headers.get('retry-after')) || 3;
				await new Promise((r) => setTimeout(r,
				    Math.min(Math.max(wait, 1), 30) * 1000));
			}
			exp[ext] = 'still not ready; try again later';
		}

		function Export() {
			const u = encodeURIComponent(props.user.id);
			const fmts = [['csv', 'CSV', 'plays only: one row per play ' +
				    'with its track, artists and album, for spreadsheets'],
				['sql', 'SQL', 'everything: plays, tracks, artists, ' +
				    'albums, Discover Weekly and archived playlist weeks, ' +
				    'top lists and gaps, for SQLite or PostgreSQL'],
				['json', 'JSON Lines', 'plays only: one JSON object per ' +
				    'play, the CSV\'s fields, for scripts']];
			return h('section', { class: 'panel', 'aria-labelledby': 'st-e' }, [
				h('h2', { id: 'st-e' }, 'Export'),
				h('p', 'This journal, yours to keep. What each file holds:'),
				h('ul', { class: 'exports' }, fmts.map(([ext, label, what]) =>
				    h('li', { key: ext, 'data-format': ext }, [CAPS.export ?
					h('a', { class: 'btn', href: `${API}/export/${u}.${ext}`,
						download: '', 'aria-describedby': `exp-${ext}`,
						'aria-busy': exp[ext] === 'preparing' ? 'true' :
						    'false',
						onClick: (e) => { e.preventDefault();
						    download(ext, e.currentTarget.href); } },
					    label) :
					h('span', { class: 'btn', 'aria-disabled': 'true' },
					    label),
					h('span', { class: 'what', id: `exp-${ext}` }, what),
					exp[ext] ? h('span', { class: 'status muted export-state',
						role: 'status' }, exp[ext] === 'preparing' ?
					    'preparing…' : exp[ext]) : null,
				    ]))),
				CAPS.export ? null : h('p', { class: 'note' }, 'Downloads ' +
				    'from the browser arrive with the export endpoint; ' +
				    'meanwhile "linernotes-collector export --user ' +
				    `${props.user.id} --format csv" writes the same file.`),
			]);
		}

		function Browser() {
			const p = props.prefs;
			return h('section', { class: 'panel', 'aria-labelledby': 'st-b' }, [
				h('h2', { id: 'st-b' }, 'In this browser'),
				h('p', { class: 'sub' }, 'Kept on this device only.'),
				h('label', { class: 'field' }, [
					h('span', 'Mark a track as returning after this many ' +
					    'days away'),
					h('input', { name: 'returnDays', type: 'number', min: 1,
						max: 3650, step: 1, value: p.returnDays,
						onChange: (e) => {
							const v = Math.round(Number(e.target.value));
							if (v >= 1 && v <= 3650)
								p.returnDays = v;
							else
								e.target.value = p.returnDays;
						} }),
				]),
				h('fieldset', [
					h('legend', 'Show times in'),
					...[['journal', props.user.timezone ? `the journal's ` +
					    `time zone (${props.user.timezone})` : 'the ' +
					    'journal\'s time zone (not set: this device\'s is ' +
					    'used)'],
					['browser', `this device's time zone (${browserZone()})`]]
					    .map(([v, label]) => h('label', { class: 'radio' }, [
						h('input', { type: 'radio', name: 'zone', value: v,
							checked: p.zone === v,
							onChange: () => { p.zone = v; } }),
						' ' + label,
					])),
				]),
			]);
		}

		return () => [
			h('div', { class: 'page-head' }, h('div', [
				h('h1', 'Settings'),
				h('p', { class: 'sub' }, `${possessive(
				    props.user.display_name)} journal`),
			])),
			!s.health && !s.error ? Loading('Asking the journal…') : null,
			h('div', { class: 'panels' }, [Journal(), Settings(), Export(),
				owner.value ? h(ImportPanel) : null, Browser()]),
		];
	},
};
