// The accounts service: GET /authorize and POST /api/token.
// Handlers return {status, headers, body}; the server writes them.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AUTH_CODE_TTL_S, ACCESS_TOKEN_TTL_S, HttpError } from './state.mjs';
import { SECOND } from './util.mjs';

const json = (status, obj, headers = {}) => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(obj) });
const oauthError = (status, error, error_description) => json(status, { error, error_description });
const page = (status, text) => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><title>spotify-sim</title><p>${text.replace(/[<&>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>\n`,
});

function safeEqual(a, b) {
  const x = Buffer.from(String(a)), y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Accounts {
  constructor(state) { this.state = state; }

  // GET /authorize -> 302 to redirect_uri with code and state.
  authorize(params) {
    const st = this.state;
    const clientId = params.get('client_id');
    const redirectUri = params.get('redirect_uri');
    if (!clientId) return page(400, 'INVALID_CLIENT: Missing client_id');
    if (clientId !== st.clientId) return page(400, 'INVALID_CLIENT: Invalid client');
    if (!redirectUri) return page(400, 'INVALID_CLIENT: Missing redirect_uri');
    let target;
    try { target = new URL(redirectUri); } catch { return page(400, 'INVALID_CLIENT: Invalid redirect URI'); }
    const back = (extra) => {
      for (const [k, v] of Object.entries(extra)) target.searchParams.set(k, v);
      if (params.has('state')) target.searchParams.set('state', params.get('state'));
      return { status: 302, headers: { location: target.toString(), 'content-type': 'text/plain' }, body: '' };
    };
    if (params.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const challenge = params.get('code_challenge');
    if (challenge && params.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    if (params.get('sim_deny')) return back({ error: 'access_denied' });

    let userId = params.get('sim_user');
    let user;
    if (userId) {
      try {
        user = st.users.get(userId) || st.addUser({ id: userId, profile: 'normal' }).user;
      } catch (e) {
        if (e instanceof HttpError) return page(e.status, e.message);
        throw e;
      }
    } else {
      user = st.userList()[0] || st.addUser({ id: 'user1', profile: 'normal' }, { index: 1 }).user;
      userId = user.id;
    }
    const code = st.newCode({ user: user.id, redirect_uri: redirectUri, code_challenge: challenge, scope: params.get('scope') || '' });
    return back({ code });
  }

  // Which user a token request is about (for faults filtered by user).
  userForRequest(form) {
    if (!form) return null;
    if (form.get('grant_type') === 'refresh_token') return this.state.refreshTokens.get(form.get('refresh_token'))?.user ?? null;
    if (form.get('grant_type') === 'authorization_code') return this.state.codes.get(form.get('code'))?.user ?? null;
    return null;
  }

  // POST /api/token
  token(headers, rawBody) {
    const st = this.state;
    const ctype = String(headers['content-type'] || '');
    if (!ctype.startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(rawBody);

    // client authentication: HTTP Basic, or client_id (+ optional secret) in the body
    let clientId = null, secret = null;
    const auth = String(headers.authorization || '');
    if (auth.startsWith('Basic ')) {
      const dec = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const i = dec.indexOf(':');
      if (i < 0) return oauthError(401, 'invalid_client', 'Invalid client');
      try {
        clientId = decodeURIComponent(dec.slice(0, i));
        secret = decodeURIComponent(dec.slice(i + 1));
      } catch {
        return oauthError(401, 'invalid_client', 'Invalid client');
      }
    } else if (form.has('client_id')) {
      clientId = form.get('client_id');
      secret = form.has('client_secret') ? form.get('client_secret') : null;
    }
    if (!clientId) return oauthError(400, 'invalid_client', 'Invalid client: no client credentials');
    if (clientId !== st.clientId) return oauthError(401, 'invalid_client', 'Invalid client');
    if (secret !== null && !safeEqual(secret, st.clientSecret)) return oauthError(401, 'invalid_client', 'Invalid client secret');
    const publicClient = secret === null; // PKCE: client_id only

    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code');
      const rec = code && st.codes.get(code);
      if (!rec || rec.used) return oauthError(400, 'invalid_grant', 'Invalid authorization code');
      if (st.nowMs > rec.issued_ms + AUTH_CODE_TTL_S * SECOND) return oauthError(400, 'invalid_grant', 'Authorization code expired');
      if (form.get('redirect_uri') !== rec.redirect_uri) return oauthError(400, 'invalid_grant', 'Invalid redirect URI');
      if (rec.code_challenge) {
        const verifier = form.get('code_verifier');
        if (!verifier) return oauthError(400, 'invalid_request', 'code_verifier required');
        const expect = createHash('sha256').update(verifier).digest('base64url');
        if (!safeEqual(expect, rec.code_challenge)) return oauthError(400, 'invalid_grant', 'code_verifier was incorrect');
      } else if (publicClient) {
        return oauthError(400, 'invalid_client', 'Invalid client: a client secret is required without PKCE');
      }
      rec.used = true;
      const user = st.users.get(rec.user);
      const refresh = st.authorize(user, rec.scope);
      const access = st.issueAccess(user);
      return json(200, { access_token: access, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, refresh_token: refresh, scope: user.scope });
    }
    if (grant === 'refresh_token') {
      const token = form.get('refresh_token');
      if (!token) return oauthError(400, 'invalid_request', 'refresh_token must be supplied');
      const rec = st.refreshTokens.get(token);
      if (!rec) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
      if (rec.status === 'revoked') return oauthError(400, 'invalid_grant', 'Refresh token revoked');
      if (st.nowMs >= rec.expires_ms) return oauthError(400, 'invalid_grant', 'Refresh token expired');
      const user = st.users.get(rec.user);
      const access = st.issueAccess(user);
      const body = { access_token: access, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, scope: user.scope };
      if (st.rotationFor(user)) body.refresh_token = st.rotate(user, token);
      return json(200, body);
    }
    if (!grant) return oauthError(400, 'unsupported_grant_type', 'grant_type parameter is missing');
    return oauthError(400, 'unsupported_grant_type', `grant_type must be authorization_code or refresh_token, got ${grant}`);
  }
}
