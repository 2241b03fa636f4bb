// settings.js — the Settings page: the state of the journal and of its
// Spotify connection (status, last poll, the collector's heartbeat), the
// journal's own settings (public or private, time zone, Discover Weekly
// playlist, playlists archived weekly), export downloads, and what this
// browser remembers (the "returns" threshold, which time zone to show).
//
// Changing the journal's settings needs an account (PUT /api/v0/settings
// arrives with accounts and sessions); until the API offers it (CAPS in
// api.js) the form is shown filled with what is known and disabled, with
// a note.  Exports likewise.

import { h, reactive, watch } from
    '../../vendor/vue.runtime.esm-browser.prod.js';
import { API, ApiError, CAPS, getJson } from '../api.js';
import { Cover, ErrorBox, Loading } from '../components.js';
import { browserZone, fmtAgo, fmtDateTime, usableImage } from '../util.js';

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

// A playlist id from an id, a spotify: URI or an open.spotify.com link.
export function playlistId(s) {
	const t = String(s ?? '').trim();
	const m = /(?:playlist[/:])?([0-9A-Za-z]{22})(?:[?#].*)?$/.exec(t);
	return m ? m[1] : null;
}

async function putSettings(body) {
	const res = await fetch(API + '/settings', {
		method: 'PUT',
		headers: { 'Content-Type': 'application/json',
			Accept: 'application/json' },
		body: JSON.stringify(body),
	});
	if (!res.ok) {
		let msg = null;
		try {
			msg = (await res.json())?.error?.message;
		} catch {
			// keep the status
		}
		throw new ApiError(`Not saved: ${msg ?? res.status}`, res.status);
	}
}

export const SettingsPage = {
	name: 'SettingsPage',
	props: { user: Object, zone: String, query: Object, prefs: Object },
	setup(props) {
		const s = reactive({ health: null, error: null, saving: false,
			saved: null, formError: null });
		const form = reactive({
			visibility: 'public',
			timezone: '',
			dw: '',
			archive: '',
		});
		const zones = typeof Intl.supportedValuesOf === 'function' ?
		    Intl.supportedValuesOf('timeZone') : [browserZone()];

		watch(() => props.user, (u) => {
			form.visibility = 'public';	// only public ones are listed
			form.timezone = u.timezone ?? '';	// null: not set
		}, { immediate: true });

		function loadHealth() {
			s.error = null;
			getJson('/health').then((r) => { s.health = r; })
			    .catch((e) => { s.error = e.message; });
		}
		loadHealth();

		async function save(e) {
			e.preventDefault();
			s.formError = null;
			s.saved = null;
			const dw = form.dw.trim() ? playlistId(form.dw) : '';
			if (dw === null) {
				s.formError = 'The Discover Weekly playlist must be a ' +
				    'playlist id or link.';
				return;
			}
			const lines = form.archive.split('\n').map((x) => x.trim())
			    .filter(Boolean);
			const archive = lines.map(playlistId);
			if (archive.includes(null)) {
				s.formError = 'Each archived playlist must be a ' +
				    'playlist id or link, one per line.';
				return;
			}
			if (archive.length > ARCHIVE_MAX) {
				s.formError = `At most ${ARCHIVE_MAX} playlists can be ` +
				    'archived.';
				return;
			}
			s.saving = true;
			try {
				await putSettings({ visibility: form.visibility,
					timezone: form.timezone, dw_playlist: dw, archive });
				s.saved = 'Saved.';
			} catch (err) {
				s.formError = err.message;
			} finally {
				s.saving = false;
			}
		}

		function Row(label, value, attrs = {}) {
			return [h('dt', label), h('dd', attrs, value)];
		}

		function Journal() {
			const u = props.user;
			const [tone, text] = STATUS[u.status] ?? ['muted', u.status];
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
				h('p', { class: ['status', tone], 'data-status': u.status },
				    text),
				stale ? h('p', { class: 'status warn' }, 'The last ' +
				    `successful poll was ${fmtAgo(last)}: the token may ` +
				    'have expired or Spotify may be refusing requests.') :
				    null,
				h('dl', { class: 'facts' }, [
					...Row('Plays kept', (u.n_plays ?? 0).toLocaleString()),
					...Row('Last successful poll', last ?
					    `${fmtAgo(last)} (${fmtDateTime(last, props.zone)})` :
					    'not yet'),
					...Row('Journal since', u.created_at ? fmtDateTime(
					    u.created_at * 1000, props.zone) : 'unknown'),
					...Row('Collector', hl ? (COLLECTOR[hl.collector?.state]
					    ?? String(hl.collector?.state ?? 'unknown')) :
					    s.error ? 'unknown' : '…'),
					...Row('Authorisation expires', 'not shown yet: ' +
					    'Spotify asks for a new authorisation every six ' +
					    'months, and the journal warns here two weeks ' +
					    'ahead once the API reports the date.'),
				]),
				s.error ? ErrorBox(s.error, loadHealth) : null,
				h('p', [
					h('button', { class: 'btn', type: 'button',
						disabled: !CAPS.reauth }, 'Re-authorise with Spotify'),
				]),
				CAPS.reauth ? null : h('p', { class: 'note' },
				    'Re-authorising comes with accounts: until then the ' +
				    'administrator adds the refresh token with ' +
				    '"linernotes-collector add-user".'),
			]);
		}

		function Settings() {
			const off = !CAPS.settings || s.saving;
			return h('section', { class: 'panel', 'aria-labelledby': 'st-s' }, [
				h('h2', { id: 'st-s' }, 'Journal settings'),
				CAPS.settings ? null : h('p', { class: 'note',
					id: 'settings-note' }, 'Changing these needs signing ' +
				    'in, which arrives with accounts. They are shown as ' +
				    'the journal has them and cannot be changed here yet.'),
				h('form', { class: 'settings', onSubmit: save,
					'aria-describedby': CAPS.settings ? null :
					    'settings-note' }, [
					h('fieldset', { disabled: off }, [
						h('legend', 'Who can read this journal'),
						...['public', 'private'].map((v) => h('label',
						    { class: 'radio' }, [
							h('input', { type: 'radio', name: 'visibility',
								value: v, checked: form.visibility === v,
								onChange: () => { form.visibility = v; } }),
							v === 'public' ? ' Public: anyone with the ' +
							    'link' : ' Private: only me',
						])),
					]),
					h('label', { class: 'field' }, [
						h('span', 'Time zone for days and weeks'),
						h('select', { name: 'timezone', disabled: off,
							value: form.timezone,
							onChange: (e) => { form.timezone =
							    e.target.value; } },
						    [...new Set([form.timezone, ...zones])].map((z) =>
							h('option', { value: z }, z === '' ? 'Not set ' +
							    '(each reader sees their own)' : z))),
					]),
					h('label', { class: 'field' }, [
						h('span', 'Discover Weekly playlist (id or link; ' +
						    'empty: found by its name)'),
						h('input', { name: 'dw', type: 'text', disabled: off,
							value: form.dw, autocomplete: 'off',
							placeholder: 'https://open.spotify.com/playlist/…',
							onInput: (e) => { form.dw = e.target.value; } }),
					]),
					h('label', { class: 'field' }, [
						h('span', `Playlists to archive weekly (one per ` +
						    `line, at most ${ARCHIVE_MAX})`),
						h('textarea', { name: 'archive', rows: 3,
							disabled: off, value: form.archive,
							onInput: (e) => { form.archive =
							    e.target.value; } }),
					]),
					s.formError ? h('p', { class: 'status warn',
						role: 'alert' }, s.formError) : null,
					s.saved ? h('p', { class: 'status ok',
						role: 'status' }, s.saved) : null,
					h('button', { class: 'btn', type: 'submit',
						disabled: off }, s.saving ? 'Saving…' : 'Save'),
				]),
			]);
		}

		function Export() {
			const u = encodeURIComponent(props.user.id);
			const fmts = [['csv', 'CSV', 'for spreadsheets'],
				['sql', 'SQL', 'for SQLite and friends'],
				['json', 'JSON Lines', 'for scripts']];
			return h('section', { class: 'panel', 'aria-labelledby': 'st-e' }, [
				h('h2', { id: 'st-e' }, 'Export'),
				h('p', 'Every play and list of this journal, yours to keep.'),
				h('ul', { class: 'exports' }, fmts.map(([ext, label, what]) =>
				    h('li', { key: ext }, CAPS.export ?
					h('a', { class: 'btn', href: `${API}/export/${u}.${ext}`,
						download: '' }, [label, h('small', ` ${what}`)]) :
					h('span', { class: 'btn', 'aria-disabled': 'true' },
					    [label, h('small', ` ${what}`)])))),
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
				h('p', { class: 'sub' }, `${props.user.display_name}'s ` +
				    'journal'),
			])),
			!s.health && !s.error ? Loading('Asking the journal…') : null,
			h('div', { class: 'panels' }, [Journal(), Settings(), Export(),
				Browser()]),
		];
	},
};
