// components.js — the small pieces every page uses: cover art with its
// placeholder, artist names, and the loading, empty and error states.
// Render functions (h), not templates: Vue's template compiler needs
// eval, which the pages' Content-Security-Policy forbids.

import { h, ref, watch } from '../vendor/vue.runtime.esm-browser.prod.js';
import { cached } from './api.js';

export const PLACEHOLDER = 'img/placeholder.svg';

// Cover art: the image when there is a usable one, else (or when it fails
// to load) the local placeholder.  alt names what it shows.
export const Cover = {
	name: 'Cover',
	props: { url: String, alt: { type: String, required: true },
		size: { type: Number, default: 48 }, round: Boolean },
	setup(props) {
		const failed = ref(false);
		watch(() => props.url, () => { failed.value = false; });
		return () => {
			const missing = !props.url || failed.value;
			return h('img', {
				class: ['cover', { round: props.round, placeholder: missing }],
				src: missing ? PLACEHOLDER : props.url,
				alt: missing ? `${props.alt} (no image)` : props.alt,
				width: props.size, height: props.size,
				loading: 'lazy', decoding: 'async',
				onError: () => { failed.value = true; },
			});
		};
	},
};

// Names of the artists with these ids, joined; unknown ones are left out,
// and when none is known it says so (a row is never empty).
export function artistNames(ids) {
	const names = (ids ?? []).map((id) => cached('artists', id)?.name)
	    .filter(Boolean);
	return names.length ? names.join(', ') : 'Unknown artist';
}

// The name of a track, album or artist, or a stand-in that says what is
// missing.
export function entityName(kind, id) {
	const e = cached(kind, id);
	if (e?.name)
		return e.name;
	if (kind === 'tracks')
		return id?.startsWith('_') ? 'A local file' : 'Unknown track';
	return kind === 'albums' ? 'Unknown album' : 'Unknown artist';
}

export function Loading(text = 'Loading…') {
	return h('div', { class: 'state loading', role: 'status',
		'aria-live': 'polite' }, [h('span', { class: 'spinner',
		'aria-hidden': 'true' }), h('span', text)]);
}

export function Empty(title, text) {
	return h('div', { class: 'state empty' }, [
		h('img', { src: PLACEHOLDER, alt: '', width: 64, height: 64 }),
		h('p', { class: 'state-title' }, title),
		text ? h('p', text) : null,
	]);
}

export function ErrorBox(message, retry) {
	return h('div', { class: 'state error', role: 'alert' }, [
		h('p', { class: 'state-title' }, 'Something went wrong'),
		h('p', message),
		retry ? h('button', { class: 'btn', type: 'button',
			onClick: retry }, 'Try again') : null,
	]);
}
