// account.js — signing in and out, and who is signed in (docs/API.md,
// "Accounts").
//
// account.me is the /api/v0/me document of the signed-in user, or null;
// account.ready turns true once that is known.  Signing in is a plain
// link to /api/v0/auth/login (Spotify's page, then back to
// #/u/<id>/plays); signing out is a same-origin POST, after which the
// page starts afresh.  A private journal is not in /users, so
// withOwnJournal() adds the signed-in user's own to the list the shell
// shows.

import { h, reactive } from '../vendor/vue.runtime.esm-browser.prod.js';
import { API, getJson, sendJson } from './api.js';

export const LOGIN_URL = `${API}/auth/login`;

export const account = reactive({ me: null, ready: false, busy: false });

// Asks who is signed in; resolves to the /me document or null.
export async function loadMe() {
	try {
		account.me = await getJson('/me');
	} catch {
		account.me = null;
	}
	account.ready = true;
	return account.me;
}

// users (from /users) with the signed-in user's own journal first.
export function withOwnJournal(users, me = account.me) {
	if (!me?.user)
		return users;
	return [me.user, ...users.filter((u) => u.id !== me.user.id)];
}

async function signOut() {
	account.busy = true;
	try {
		await sendJson('POST', '/auth/logout');
	} catch {
		// signed out or not, the page starts afresh
	} finally {
		location.hash = '#/';
		location.reload();
	}
}

// The header's sign-in link, or the signed-in user and a sign-out button.
export function AccountBar() {
	if (!account.ready)
		return null;
	const me = account.me?.user;
	if (!me)
		return h('a', { class: 'btn small account', href: LOGIN_URL },
		    [h('span', { class: 'long' }, 'Sign in with Spotify'),
			h('span', { class: 'short' }, 'Sign in')]);
	return h('div', { class: 'account' }, [
		h('span', { class: 'who', title: `Signed in as ${me.id}` },
		    me.display_name || me.id),
		h('button', { class: 'btn small ghost', type: 'button',
			disabled: account.busy, onClick: signOut }, 'Sign out'),
	]);
}
