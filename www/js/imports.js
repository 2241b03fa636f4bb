// imports.js — the Settings panel "Import your Spotify history": the
// owner uploads the .zip Spotify mails them (or one of its JSON files)
// by file picker or drag and drop, watches it upload (bytes, through
// XMLHttpRequest's upload events) and be imported (the job, polled:
// nothing holds a connection open, so a reload loses nothing), and sees
// the past imports with what each added, and Undo (docs/API.md,
// "Imports").  Shown to the signed-in owner of the journal only.

import { h, onBeforeUnmount, onMounted, reactive } from
    '../vendor/vue.runtime.esm-browser.prod.js';
import { API, getJson, sendJson } from './api.js';
import { fmtDateTime } from './util.js';

const POLL_MS = 1000;
const ACTIVE = ['queued', 'importing', 'undoing'];
const STATUS = {
	queued: 'waiting to be imported',
	importing: 'importing',
	done: 'imported',
	failed: 'failed',
	undoing: 'being undone',
	undone: 'undone',
};
const n = (v) => Number(v ?? 0).toLocaleString('en');

// What the answer to an upload that failed means, in words for people.
function uploadError(status, msg) {
	if (status === 0)
		return 'The upload did not reach the journal. Check your ' +
		    'connection and try again.';
	if (status === 401)
		return 'Your sign-in has ended. Sign in again, then upload.';
	if (status === 413)
		return 'The file is larger than this journal takes.';
	if (status === 415)
		return msg ? `Not a file from Spotify's download: ${msg}.` :
		    'Not a file from Spotify\'s download.';
	return msg ? `The upload was refused: ${msg}.` :
	    `The upload was refused (${status}).`;
}

// The words for a job's progress: files, records, plays and skips.
export function progressText(j) {
	const p = j.progress;
	const parts = [];
	if (p.files_total > 0)
		parts.push(`files ${n(p.files_done)} of ${n(p.files_total)}`);
	parts.push(`${n(p.records)} records read`,
	    `${n(p.plays_added)} plays added`,
	    `${n(p.duplicates)} already in the journal`);
	const skipped = [['podcast', p.skipped_podcast],
		['audiobook', p.skipped_audiobook], ['other', p.skipped_other]]
	    .filter(([, v]) => v > 0).map(([k, v]) => `${n(v)} ${k}`);
	if (skipped.length)
		parts.push(`skipped: ${skipped.join(', ')}`);
	if (p.plays_removed > 0 || j.status === 'undoing' ||
	    j.status === 'undone')
		parts.push(`${n(p.plays_removed)} plays removed by undo`);
	return parts.join(' · ');
}

export const ImportPanel = {
	name: 'ImportPanel',
	setup() {
		const s = reactive({
			jobs: null,		// the owner's imports, newest first
			error: null,		// the list could not be read
			upload: null,		// {name, sent, total} while uploading
			message: null,		// the last upload's outcome
			ok: false,
			dragging: false,
			undoing: {},		// id -> error text of a refused undo
		});
		let timer = null;
		let alive = true;

		async function refresh() {
			try {
				s.jobs = (await getJson('/imports')).imports;
				s.error = null;
			} catch (e) {
				s.error = e.message;
			}
			schedule();
		}

		// Polls while any job is still moving.
		function schedule() {
			clearTimeout(timer);
			timer = null;
			if (alive && (s.jobs ?? []).some((j) =>
			    ACTIVE.includes(j.status)))
				timer = setTimeout(refresh, POLL_MS);
		}

		function send(file) {
			if (!file || s.upload)
				return;
			const zip = /\.zip$/i.test(file.name);
			const xhr = new XMLHttpRequest();
			s.upload = { name: file.name, sent: 0, total: file.size };
			s.message = null;
			xhr.open('POST', `${API}/imports`);
			xhr.setRequestHeader('Content-Type', zip ? 'application/zip' :
			    'application/json');
			xhr.setRequestHeader('X-Filename', encodeURIComponent(
			    file.name));
			xhr.setRequestHeader('X-Requested-With', 'linernotes');
			xhr.setRequestHeader('Accept', 'application/json');
			xhr.upload.onprogress = (e) => {
				if (s.upload && e.lengthComputable)
					s.upload.sent = e.loaded;
			};
			xhr.onerror = () => {
				s.upload = null;
				s.ok = false;
				s.message = uploadError(0);
			};
			xhr.onload = () => {
				let body = null;
				try {
					body = JSON.parse(xhr.responseText);
				} catch {
					// nginx's or the reader's error pages are JSON
				}
				s.upload = null;
				if (xhr.status === 202 && body?.import) {
					s.ok = true;
					s.message = `Uploaded ${file.name}; importing it ` +
					    'now. You may leave this page: the import goes ' +
					    'on.';
					refresh();
				} else {
					s.ok = false;
					s.message = uploadError(xhr.status,
					    body?.error?.message);
				}
			};
			xhr.send(file);
		}

		async function undo(j) {
			delete s.undoing[j.id];
			try {
				await sendJson('DELETE', `/imports/${j.id}`);
			} catch (e) {
				s.undoing[j.id] = e.message;
			}
			refresh();
		}

		onMounted(refresh);
		onBeforeUnmount(() => {
			alive = false;
			clearTimeout(timer);
		});

		function Job(j) {
			const canUndo = (j.status === 'done' || j.status ===
			    'failed') && j.progress.plays_added > 0;
			const errors = j.files.filter((f) => f.status === 'failed');
			return h('li', { key: j.id, class: ['import', j.status],
				'data-id': j.id, 'data-status': j.status }, [
				h('div', { class: 'import-head' }, [
					h('strong', j.file_name),
					' ',
					h('span', { class: 'muted' },
					    fmtDateTime(j.created_at)),
					' ',
					h('span', { class: ['badge', j.status] },
					    STATUS[j.status] ?? j.status),
				]),
				h('p', { class: 'import-progress', role: ACTIVE.includes(
				    j.status) ? 'status' : null }, progressText(j)),
				j.reason ? h('p', { class: 'status warn import-reason' },
				    j.reason) : null,
				errors.length ? h('ul', { class: 'import-errors' },
				    errors.map((f) => h('li', `${f.name}: ${f.error}`))) :
				    null,
				canUndo ? h('button', { class: 'btn small ghost undo',
					type: 'button', onClick: () => undo(j) },
				    `Undo: remove the ${n(j.progress.plays_added)} plays ` +
				    'it added') : null,
				s.undoing[j.id] ? h('p', { class: 'status warn' },
				    s.undoing[j.id]) : null,
			]);
		}

		return () => {
			const up = s.upload;
			return h('section', { class: 'panel import-panel',
				'aria-labelledby': 'st-i' }, [
				h('h2', { id: 'st-i' }, 'Import your Spotify history'),
				h('p', 'Spotify shows linernotes only your last 50 plays. ' +
				    'For everything before, ask Spotify for your data: on ' +
				    'your Spotify account page, Privacy, "Download your ' +
				    'data", choose "Extended streaming history" (every ' +
				    'play since your account began; it takes up to 30 ' +
				    'days) or the quicker "Account data" (the last year). ' +
				    'Spotify mails you a .zip: upload it here as it is, or ' +
				    'one of the JSON files in it.'),
				h('p', { class: 'note' }, 'Podcasts and audiobooks are ' +
				    'counted and left out. Plays already in the journal ' +
				    'are not added twice, and an import can be undone.'),
				h('label', { class: ['dropzone', { dragging: s.dragging,
					busy: !!up }],
					onDragover: (e) => { e.preventDefault();
					    s.dragging = true; },
					onDragleave: () => { s.dragging = false; },
					onDrop: (e) => { e.preventDefault(); s.dragging = false;
					    send(e.dataTransfer?.files?.[0]); } }, [
					h('span', up ? `Uploading ${up.name}…` :
					    'Drop the .zip here, or choose it: '),
					h('input', { type: 'file', name: 'history',
						accept: '.zip,.json,application/zip,' +
						    'application/json',
						disabled: !!up,
						onChange: (e) => { send(e.target.files?.[0]);
						    e.target.value = ''; } }),
				]),
				up ? h('p', { class: 'upload-progress', role: 'status' }, [
					h('progress', { max: up.total || 1, value: up.sent }),
					` ${n(up.sent)} of ${n(up.total)} bytes`,
				]) : null,
				s.message ? h('p', { class: ['status', s.ok ? 'ok' : 'warn',
					'upload-message'], role: 'alert' }, s.message) : null,
				s.error ? h('p', { class: 'status warn' }, s.error) : null,
				s.jobs && s.jobs.length ? h('div', [
					h('h3', 'Past imports'),
					h('ul', { class: 'imports' }, s.jobs.map(Job)),
				]) : null,
			]);
		};
	},
};
