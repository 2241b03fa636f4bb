// The admin API under /_sim/: no authentication, JSON in and out.
// Errors are {"error": "message"} with a 4xx status.
import { HttpError } from './state.mjs';
import { PROFILES } from './listening.mjs';
import { truthPlays, historyRows, HISTORY_FORMATS } from './history.mjs';
import { hash32, intParam, weekIndex } from './util.mjs';

// Every admin route; README.md documents each one (a test checks that).
export const ADMIN_ROUTES = [
  ['GET', '/_sim/state'],
  ['POST', '/_sim/clock'],
  ['POST', '/_sim/users'],
  ['GET', '/_sim/users/:id'],
  ['POST', '/_sim/users/:id/profile'],
  ['POST', '/_sim/users/:id/revoke'],
  ['POST', '/_sim/users/:id/expire-access'],
  ['GET', '/_sim/truth/:id'],
  ['GET', '/_sim/history/:id'],
  ['GET', '/_sim/faults'],
  ['POST', '/_sim/faults'],
  ['DELETE', '/_sim/faults'],
  ['POST', '/_sim/ratelimit'],
  ['GET', '/_sim/stats'],
  ['POST', '/_sim/stats/reset'],
  ['POST', '/_sim/mode'],
  ['POST', '/_sim/rotation'],
  ['GET', '/_sim/image/:kind/:id/:size'],
];

const json = (status, obj) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj) });

function need(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body;
}

// ahead: to_ms may pass the clock (the listening to come is fixed by the
// seed), for drivers that plan polls the way a collector that keeps up
// would time them.
function range(sim, params, ahead = false) {
  const from = intParam(params, 'from_ms');
  const to = intParam(params, 'to_ms');
  if (Number.isNaN(from) || Number.isNaN(to)) throw new HttpError(400, 'from_ms and to_ms must be integers (ms since the epoch)');
  const now = sim.state.nowMs;
  return [from ?? sim.listening.historyStartMs, ahead && to !== undefined ? to : Math.min(to ?? now, now)];
}

export function handleAdmin(sim, method, path, params, body) {
  const { state, faults, listening, api } = sim;
  try {
    const seg = path.split('/').slice(2).map(decodeURIComponent); // after "/_sim"
    const route = `${method} /${seg[0]}`;

    if (route === 'GET /state') {
      return json(200, {
        ...state.settings(),
        now: new Date(state.nowMs).toISOString(),
        history_start_ms: listening.historyStartMs,
        rate_limit: faults.limit,
        users: state.userList().map((u) => ({
          id: u.id, refresh_token: u.refresh_token, revoked: u.revoked, profile: u.profile, display_name: u.display_name,
        })),
      });
    }
    if (route === 'POST /clock' && seg.length === 1) {
      const b = need(body);
      if (b.advance_s !== undefined) {
        if (typeof b.advance_s !== 'number') throw new HttpError(400, 'advance_s must be a number');
        state.advance(b.advance_s * 1000);
      } else if (b.set_ms !== undefined) {
        state.setClock(b.set_ms);
      } else throw new HttpError(400, 'give {"advance_s": N} or {"set_ms": T}');
      return json(200, { now_ms: state.nowMs, now: new Date(state.nowMs).toISOString() });
    }
    if (seg[0] === 'users') {
      if (method === 'POST' && seg.length === 1) {
        const b = need(body);
        if (b.profile !== undefined && !PROFILES.includes(b.profile)) throw new HttpError(400, `profile must be one of ${PROFILES.join(', ')}`);
        if (b.display_name !== undefined && typeof b.display_name !== 'string') throw new HttpError(400, 'display_name must be a string');
        const { user, created } = state.addUser({ id: b.id, profile: b.profile ?? 'normal', display_name: b.display_name });
        return json(created ? 201 : 200, { id: user.id, refresh_token: user.refresh_token, profile: user.profile, created });
      }
      const user = state.getUser(seg[1] ?? '');
      if (method === 'GET' && seg.length === 2) {
        const m = listening.model(user);
        const rt = state.refreshTokens.get(user.refresh_token);
        return json(200, {
          id: user.id, display_name: user.display_name, profile: user.profile, country: user.country,
          product: user.product, created_ms: user.created_ms, revoked: user.revoked,
          allowed_in_mode: state.allowedInMode(user),
          refresh_token: user.refresh_token,
          refresh_token_expires_ms: rt ? rt.expires_ms : null,
          rotation: state.rotationFor(user),
          discover_weekly_id: m.dwId,
          discover_weekly_snapshot_id: listening.discoverWeekly(user, weekIndex(state.nowMs)).snapshot_id,
          playlist_ids: m.playlists.map((p) => p.id),
          timezone_offset_h: m.tz,
        });
      }
      if (method === 'POST' && seg[2] === 'profile' && seg.length === 3) {
        const b = need(body);
        if (!PROFILES.includes(b.profile)) throw new HttpError(400, `profile must be one of ${PROFILES.join(', ')}`);
        user.profile = b.profile;
        state.changed();
        return json(200, { id: user.id, profile: user.profile });
      }
      if (method === 'POST' && seg[2] === 'revoke' && seg.length === 3) {
        state.revoke(user.id);
        return json(200, { id: user.id, revoked: true });
      }
      if (method === 'POST' && seg[2] === 'expire-access' && seg.length === 3) {
        return json(200, { id: user.id, expired: state.expireAccess(user.id) });
      }
    }
    if (method === 'GET' && seg[0] === 'truth' && seg.length === 2) {
      const user = state.getUser(seg[1]);
      const [from, to] = range(sim, params, params.get('ahead') === '1');
      return json(200, { user: user.id, from_ms: from, to_ms: to, plays: truthPlays(sim, user, from, to) });
    }
    if (method === 'GET' && seg[0] === 'history' && seg.length === 2) {
      const user = state.getUser(seg[1]);
      const format = params.get('format') ?? 'extended';
      if (!HISTORY_FORMATS.includes(format)) throw new HttpError(400, `format must be one of ${HISTORY_FORMATS.join(', ')}`);
      const [from, to] = range(sim, params);
      return json(200, historyRows(sim, user, from, to, format));
    }
    if (seg[0] === 'faults' && seg.length === 1) {
      if (method === 'GET') return json(200, { faults: faults.queue });
      if (method === 'POST') return json(201, faults.add(need(body)));
      if (method === 'DELETE') return json(200, { cleared: faults.clear() });
    }
    if (route === 'POST /ratelimit' && seg.length === 1) {
      const b = need(body);
      return json(200, faults.setLimit({ window_s: b.window_s ?? 30, max: b.max ?? 0 }));
    }
    if (route === 'GET /stats' && seg.length === 1) return json(200, faults.stats());
    if (route === 'POST /stats' && seg[1] === 'reset' && seg.length === 2) {
      faults.resetStats();
      return json(200, faults.stats());
    }
    if (route === 'POST /mode' && seg.length === 1) {
      const b = need(body);
      if (b.mode !== 'development' && b.mode !== 'extended') throw new HttpError(400, 'mode must be "development" or "extended"');
      state.mode = b.mode;
      state.changed();
      return json(200, { mode: state.mode });
    }
    if (route === 'POST /rotation' && seg.length === 1) {
      const b = need(body);
      if (typeof b.enabled !== 'boolean' && !(b.user && b.enabled === null)) throw new HttpError(400, 'enabled must be true or false (or null with "user" to follow the global switch)');
      if (b.user !== undefined) {
        const user = state.getUser(b.user);
        user.rotation = b.enabled;
        state.changed();
        return json(200, { user: user.id, enabled: state.rotationFor(user), global: state.rotation });
      }
      state.rotation = b.enabled;
      state.changed();
      return json(200, { enabled: state.rotation });
    }
    if (method === 'GET' && seg[0] === 'image' && seg.length === 4) return image(seg[1], seg[2], seg[3]);
    throw new HttpError(404, `no admin route ${method} ${path}`);
  } catch (e) {
    if (e instanceof HttpError) return json(e.status, { error: e.message });
    if (e instanceof URIError) return json(400, { error: 'bad percent-encoding in path' });
    throw e;
  }
}

// Placeholder artwork: a flat SVG square, colour derived from the id.
function image(kind, id, size) {
  const s = Math.min(Math.max(parseInt(size, 10) || 640, 16), 2000);
  const hue = hash32(kind, id) % 360;
  return {
    status: 200,
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' },
    body: `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" viewBox="0 0 10 10"><rect width="10" height="10" fill="hsl(${hue},55%,45%)"/><circle cx="5" cy="5" r="3" fill="hsl(${(hue + 180) % 360},50%,70%)"/></svg>\n`,
  };
}
