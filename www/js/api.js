// api.js — the pages' only way to the API (/api/v0, docs/API.md).
//
// getJson() and sendJson() turn every failure into an ApiError with a
// message for people, its HTTP status (0: the journal was not reached)
// and the API's own message (serverMessage), for a page that words its
// errors itself.  Requests that change something carry
// X-Requested-With, the API's same-site proof beside Origin (docs/API.md,
// Accounts), which no other site may send without a CORS preflight.  Entities (tracks, artists, albums) come through the batch
// endpoints and stay in a Map per kind for the life of the page, so a
// track shown twice is asked for once; concurrent asks for the same id
// share one request.

import { chunks, validId } from './util.js';

export const API = '/api/v0';
export const BATCH_MAX = 50;	// ids per batch request (the API's limit)

// What the API offers beyond the read endpoints (docs/API.md lists
// each).  A page shows a control disabled with a note while its flag is
// false, and never probes for it.
export const CAPS = {
	settings: true,		// PUT /api/v0/settings (its owner's session)
	export: true,		// GET /api/v0/export/:user_id.{csv,sql,json}
	reauth: true,		// GET /api/v0/auth/login re-authorises too
};

export class ApiError extends Error {
	constructor(message, status = 0, serverMessage = null) {
		super(message);
		this.status = status;
		this.serverMessage = serverMessage;
	}
}

// Counts requests by kind, for the tests (window.__ln.requests); a tag
// says what asked when it was not a page's own list (e.g. 'story').
export const requestLog = [];

async function request(method, path, body, tag) {
	const init = { method, headers: { Accept: 'application/json' } };
	if (method !== 'GET' && method !== 'HEAD')
		init.headers['X-Requested-With'] = 'linernotes';
	if (body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	requestLog.push(tag ? { method, path, tag } : { method, path });
	let res;
	try {
		res = await fetch(API + path, init);
	} catch {
		throw new ApiError('The journal could not be reached. ' +
		    'Check your connection and try again.');
	}
	let json = null;
	try {
		json = await res.json();
	} catch {
		// not JSON: handled below
	}
	if (!res.ok) {
		const msg = json?.error?.message ?? null;
		if (res.status === 404)
			throw new ApiError(msg === 'no such user' ?
			    'This journal does not exist or is private.' :
			    (msg ?? 'Not found.'), 404, msg);
		throw new ApiError(`The journal answered ${res.status}` +
		    (msg ? `: ${msg}` : '.'), res.status, msg);
	}
	if (json === null)
		throw new ApiError('The journal sent an answer that is not JSON.',
		    res.status);
	return json;
}

export function getJson(path, tag) {
	return request('GET', path, undefined, tag);
}

// A page of a list the API gives newest first (plays, weeks): at most
// limit items, older than the cursor before unless it is null.
export function getOlder(path, limit, before) {
	return getJson(`${path}?limit=${limit}` +
	    (before !== null ? `&before=${before}` : ''));
}

// A request that changes something (POST, PUT, DELETE) with body sent as
// JSON (none when undefined); resolves to the answer's JSON.
export function sendJson(method, path, body) {
	return request(method, path, body);
}

// ---- entities --------------------------------------------------------------

const KINDS = ['tracks', 'artists', 'albums'];
const cache = Object.fromEntries(KINDS.map((k) => [k, new Map()]));
const inflight = Object.fromEntries(KINDS.map((k) => [k, new Map()]));

// The cached entity (null: the API does not know it; undefined: not
// asked yet).
export function cached(kind, id) {
	return cache[kind].get(id);
}

// Ids of kind not cached and not being fetched, deduplicated and valid.
export function missing(kind, ids) {
	const out = new Set();
	for (const id of ids)
		if (validId(id) && !cache[kind].has(id) && !inflight[kind].has(id))
			out.add(id);
	return [...out];
}

// Fetches ids of kind into the cache: one POST per BATCH_MAX ids (callers
// that promise one request per kind pass at most BATCH_MAX new ids), and
// waits for requests already under way for any of them.  Resolves when
// all are cached.
export async function loadEntities(kind, ids, tag) {
	const want = [...new Set(ids.filter(validId))];
	const fresh = missing(kind, want);
	const waits = want.filter((id) => inflight[kind].has(id))
	    .map((id) => inflight[kind].get(id));
	for (const part of chunks(fresh, BATCH_MAX)) {
		const p = request('POST', '/' + kind, { ids: part }, tag)
		    .then((r) => {
			const list = r[kind] ?? [];
			part.forEach((id, i) => cache[kind].set(id, list[i] ?? null));
		}).finally(() => {
			for (const id of part)
				inflight[kind].delete(id);
		});
		for (const id of part)
			inflight[kind].set(id, p);
		waits.push(p);
	}
	await Promise.all(waits);
}

// Tracks, then their albums and artists (plus extra album and artist ids,
// e.g. play contexts): at most one request per kind when the new ids of
// each kind fit in one batch.
export async function loadTracksDeep(trackIds, extra = {}, tag) {
	await loadEntities('tracks', trackIds, tag);
	const albums = [...(extra.albums ?? [])];
	const artists = [...(extra.artists ?? [])];
	for (const id of trackIds) {
		const t = cached('tracks', id);
		if (!t)
			continue;
		if (t.album_id)
			albums.push(t.album_id);
		artists.push(...(t.artist_ids ?? []));
	}
	await Promise.all([loadEntities('albums', albums, tag),
		loadEntities('artists', artists, tag)]);
}

// ---- journals ----------------------------------------------------------------

let usersPromise = null;

// The public journals ({users: [...]}), asked once per page load.
export function listUsers(force = false) {
	if (!usersPromise || force)
		usersPromise = getJson('/users').catch((e) => {
			usersPromise = null;
			throw e;
		});
	return usersPromise;
}
