// Mutable simulator state: the virtual clock, users, authorization codes and
// tokens, mode and switches. Optionally persisted to a JSON file so that a
// restarted simulator carries on where it stopped.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { addMonthsUtc, hash32, SECOND, DAY } from './util.mjs';
import { PROFILES, countryFor } from './listening.mjs';

export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_MONTHS = 6;
export const AUTH_CODE_TTL_S = 600;
export const DEV_MODE_MAX_USERS = 5;
export const DEFAULT_SCOPE = 'user-read-recently-played user-top-read playlist-read-private user-read-private user-read-email';
export const USER_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

// invented names, none of them ASCII-only (one with quotes, one right to left)
const DISPLAY_NAMES = ['Zoë Ångström', 'Björn Þórsson', 'Łucja Żółć', 'Søren Ødegård',
  '李小梅', 'Дарья Соколова', 'José Müller-Núñez', 'Ægir Ólafsson', 'Ngọc Ánh Trần',
  "Chloé O'Brien", 'Renée "Rae" Dubois', 'سارة الفارسي'];
// profiles of the pre-created users cycle through this list
const PROFILE_CYCLE = ['normal', 'heavy', 'light', 'normal'];

export class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export class SimState {
  constructor({ startMs, mode = 'extended', seed = '42', clientId, clientSecret, stateFile, clockFile = null }) {
    this.nowMs = startMs;
    this.startMs = startMs;
    this.mode = mode;
    this.seed = String(seed);
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.rotation = false;
    this.users = new Map(); // id -> user
    this.refreshTokens = new Map(); // token -> {user, authorized_ms, expires_ms, status}
    this.accessTokens = new Map(); // token -> {user, issued_ms, expires_ms, revoked}
    this.codes = new Map();
    this.tokensIssued = 0;
    this.stateFile = stateFile;
    this.clockFile = clockFile;
    this.saveTimer = null;
    this.onUserAdded = () => {};
  }

  now() { return this.nowMs; }

  // --clock-file: the clock for linernotes' own programs (their clock_file
  // key).  Two numbers, "now_ms real_ms": the simulated time and the real
  // time at which it was written, so a reader of the file lets the
  // simulated time run on in step with the real one until the next write.
  // Written whole to a temporary name, then renamed into place.
  writeClock() {
    if (!this.clockFile) return;
    const tmp = `${this.clockFile}.tmp${process.pid}`;
    writeFileSync(tmp, `${this.nowMs} ${Date.now()}\n`);
    renameSync(tmp, this.clockFile);
  }

  advance(ms) {
    if (!(ms >= 0)) throw new HttpError(400, 'advance must be >= 0 (the clock never goes backwards)');
    this.nowMs += Math.round(ms);
    this.writeClock();
    this.changed();
    return this.nowMs;
  }

  setClock(ms) {
    if (!Number.isFinite(ms)) throw new HttpError(400, 'set_ms must be a number of ms since the epoch');
    if (ms < this.nowMs) throw new HttpError(400, `set_ms ${ms} is before now_ms ${this.nowMs}: the clock never goes backwards`);
    this.nowMs = Math.round(ms);
    this.writeClock();
    this.changed();
    return this.nowMs;
  }

  // ---- users ------------------------------------------------------------

  userList() { return [...this.users.values()].sort((a, b) => a.order - b.order); }

  addUser({ id, profile = 'normal', display_name, country }, { index } = {}) {
    if (typeof id !== 'string' || !USER_ID_RE.test(id)) throw new HttpError(400, 'id must match [A-Za-z0-9._-]{1,64}');
    if (!PROFILES.includes(profile)) throw new HttpError(400, `profile must be one of ${PROFILES.join(', ')}`);
    const existing = this.users.get(id);
    if (existing) return { user: existing, created: false };
    if (this.mode === 'development' && this.users.size >= DEV_MODE_MAX_USERS) {
      throw new HttpError(403, `development mode allows at most ${DEV_MODE_MAX_USERS} users; switch the simulator to extended mode (POST /_sim/mode) to add more`);
    }
    const n = index ?? this.users.size + 1;
    const user = {
      id,
      display_name: display_name ?? (n <= DISPLAY_NAMES.length ? DISPLAY_NAMES[n - 1] : `${DISPLAY_NAMES[(n - 1) % DISPLAY_NAMES.length]} ${n}`),
      profile,
      country: country ?? countryFor({ id })[0],
      product: hash32('product', id) % 7 === 0 ? 'free' : 'premium',
      created_ms: this.nowMs,
      order: this.users.size,
      revoked: false,
      rotation: null, // null: follow the global switch
      scope: DEFAULT_SCOPE,
      refresh_token: `rt-${id}`,
      grants: 0,
      access: new Set(),
    };
    this.users.set(id, user);
    this.refreshTokens.set(user.refresh_token, { user: id, authorized_ms: this.nowMs, expires_ms: addMonthsUtc(this.nowMs, REFRESH_TOKEN_MONTHS), status: 'valid' });
    this.onUserAdded(user);
    this.changed();
    return { user, created: true };
  }

  addNumberedUsers(n) {
    for (let i = 1; i <= n; i++) {
      if (!this.users.has(`user${i}`)) this.addUser({ id: `user${i}`, profile: PROFILE_CYCLE[(i - 1) % PROFILE_CYCLE.length] }, { index: i });
    }
  }

  getUser(id) {
    const u = this.users.get(id);
    if (!u) throw new HttpError(404, `no such user: ${id}`);
    return u;
  }

  // Development mode: only the first five users (by creation) may use the API.
  allowedInMode(user) {
    return this.mode !== 'development' || user.order < DEV_MODE_MAX_USERS;
  }

  revoke(id) {
    const u = this.getUser(id);
    u.revoked = true;
    for (const rt of this.refreshTokens.values()) if (rt.user === id && rt.status === 'valid') rt.status = 'revoked';
    for (const t of u.access) { const a = this.accessTokens.get(t); if (a) a.revoked = true; }
    this.changed();
  }

  expireAccess(id) {
    const u = this.getUser(id);
    let n = 0;
    for (const t of u.access) {
      const a = this.accessTokens.get(t);
      if (a && a.expires_ms > this.nowMs) { a.expires_ms = this.nowMs; n++; }
    }
    this.changed();
    return n;
  }

  rotationFor(user) { return user.rotation ?? this.rotation; }

  // ---- authorization codes and tokens ------------------------------------

  newCode({ user, redirect_uri, code_challenge, scope }) {
    const code = 'AQ' + randomBytes(48).toString('base64url');
    this.codes.set(code, { user, redirect_uri, code_challenge, scope, issued_ms: this.nowMs, used: false });
    return code;
  }

  issueAccess(user) {
    const token = 'BQ' + randomBytes(72).toString('base64url');
    const rec = { user: user.id, issued_ms: this.nowMs, expires_ms: this.nowMs + ACCESS_TOKEN_TTL_S * SECOND, revoked: false };
    this.accessTokens.set(token, rec);
    user.access.add(token);
    this.tokensIssued++;
    // forget this user's tokens that expired more than a virtual day ago
    if (user.access.size > 8) {
      for (const t of user.access) {
        const a = this.accessTokens.get(t);
        if (!a || a.expires_ms < this.nowMs - DAY) { user.access.delete(t); this.accessTokens.delete(t); }
      }
    }
    this.changed();
    return token;
  }

  // A new authorization (code flow): fresh refresh token, un-revokes the user.
  authorize(user, scope) {
    user.grants++;
    user.revoked = false;
    user.scope = scope || user.scope;
    const token = `rt-${user.id}.${user.grants}.${randomBytes(6).toString('hex')}`;
    this.refreshTokens.set(token, { user: user.id, authorized_ms: this.nowMs, expires_ms: addMonthsUtc(this.nowMs, REFRESH_TOKEN_MONTHS), status: 'valid' });
    user.refresh_token = token;
    this.changed();
    return token;
  }

  // Rotation: the old refresh token stops working at once (it is forgotten:
  // an unknown token gets the same invalid_grant); the new one keeps the
  // original authorization time (and so the same six-month expiry).
  rotate(user, oldToken) {
    const old = this.refreshTokens.get(oldToken);
    this.refreshTokens.delete(oldToken);
    user.grants++;
    const token = `rt-${user.id}.${user.grants}.${randomBytes(6).toString('hex')}`;
    this.refreshTokens.set(token, { user: user.id, authorized_ms: old.authorized_ms, expires_ms: old.expires_ms, status: 'valid' });
    user.refresh_token = token;
    this.changed();
    return token;
  }

  // ---- persistence ---------------------------------------------------------

  changed() {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => { this.saveTimer = null; this.save(); }, 500);
    this.saveTimer.unref();
  }

  // The run's seed, start, clock and switches, as the state file keeps
  // them and GET /_sim/state shows them.
  settings() {
    return { seed: this.seed, start_ms: this.startMs, now_ms: this.nowMs, mode: this.mode, rotation: this.rotation };
  }

  save() {
    if (!this.stateFile) return;
    if (this.saveTimer) { clearTimeout(this.saveTimer); this.saveTimer = null; }
    const data = {
      version: 1,
      ...this.settings(),
      tokens_issued: this.tokensIssued,
      users: this.userList().map((u) => ({
        id: u.id, display_name: u.display_name, profile: u.profile, country: u.country, product: u.product,
        created_ms: u.created_ms, revoked: u.revoked, rotation: u.rotation, scope: u.scope,
        refresh_token: u.refresh_token, grants: u.grants,
      })),
      refresh_tokens: [...this.refreshTokens.entries()],
      access_tokens: [...this.accessTokens.entries()].filter(([, a]) => a.expires_ms > this.nowMs - DAY),
    };
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.stateFile);
  }

  // Returns the saved seed and start so the caller can build the generator.
  static peek(stateFile) {
    if (!stateFile || !existsSync(stateFile)) return null;
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  }

  load(data) {
    this.nowMs = Math.max(this.nowMs, data.now_ms);
    this.startMs = data.start_ms;
    this.mode = data.mode;
    this.rotation = !!data.rotation;
    this.tokensIssued = data.tokens_issued || 0;
    data.users.forEach((s, order) => {
      const u = { ...s, order, access: new Set() };
      this.users.set(u.id, u);
      this.onUserAdded(u);
    });
    for (const [t, r] of data.refresh_tokens) this.refreshTokens.set(t, r);
    for (const [t, a] of data.access_tokens) {
      this.accessTokens.set(t, a);
      this.users.get(a.user)?.access.add(t);
    }
  }
}
