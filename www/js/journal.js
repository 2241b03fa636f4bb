// journal.js — facts about a journal the pages share and ask for once:
// when its first play was (the oldest play: GET /plays/:user?after=0
// &limit=1, which pages forward from the start).  "Journal since" in
// Settings, the bounds of the Plays page's date picker and the partial
// years of Insights all come from it.

import { getJson } from './api.js';

const firsts = new Map();

// The journal's first play ({played_at, ...}) or null when it has none;
// one request per journal for the life of the page.  A failure is not
// kept, so the next caller asks again.
export function firstPlay(userId) {
	let p = firsts.get(userId);
	if (!p) {
		p = getJson(`/plays/${encodeURIComponent(userId)}?after=0&limit=1`,
		    'journal').then((r) => (r.items ?? [])[0] ?? null);
		p.catch(() => firsts.delete(userId));
		firsts.set(userId, p);
	}
	return p;
}
