// links.js — every track, artist and album name is a link to its story
// page in the journal being viewed (#/u/USER/track?id=…, artist, album);
// Spotify's own page stays one click away as a small secondary icon.

import { h } from '../vendor/vue.runtime.esm-browser.prod.js';
import { cached } from './api.js';
import { entityName } from './components.js';
import { href, route } from './state.js';
import { validId } from './util.js';

// 'tracks' -> the page's id ('track').
const PAGE = { tracks: 'track', artists: 'artist', albums: 'album' };

export function storyHref(kind, id, user = route.user) {
	return href(user, PAGE[kind], { id });
}

// The name of kind/id as a link to its story (plain text when the id is
// not one the API can answer for).
export function NameLink(kind, id, { cls = 'name', text } = {}) {
	const name = text ?? entityName(kind, id);
	if (!validId(id) || !route.user)
		return h('span', { class: cls }, name);
	return h('a', { class: [cls, 'story-link'], href: storyHref(kind, id),
		'data-story': `${PAGE[kind]}:${id}` }, name);
}

// The artists of ids as links, comma-separated ("Unknown artist" when no
// name is known, as artistNames() says it).
export function ArtistLinks(ids) {
	const known = (ids ?? []).filter((id) => cached('artists', id)?.name);
	if (known.length === 0)
		return 'Unknown artist';
	const out = [];
	known.forEach((id, i) => {
		if (i > 0)
			out.push(', ');
		out.push(NameLink('artists', id, { cls: 'artist' }));
	});
	return out;
}

// A small link to the entity on Spotify (spotify: URIs become open
// links); null for local files and synthetic ids.
export function SpotifyIcon(kind, id) {
	if (!validId(id) || id.startsWith('_'))
		return null;
	return h('a', { class: 'spotify-link', href:
	    `https://open.spotify.com/${PAGE[kind]}/${id}`, target: '_blank',
		rel: 'noopener noreferrer', title: 'Open in Spotify',
		'aria-label': `Open ${entityName(kind, id)} in Spotify` },
	    h('span', { 'aria-hidden': 'true' }, '↗'));
}
