// Fault injection, the rolling rate limit, early-request accounting and the
// request statistics. Wall-clock time here (Date.now()), never the virtual
// clock: a client waits out Retry-After in real time.
import { HttpError } from './state.mjs';

export const FAULT_ENDPOINTS = ['recently-played', 'top', 'playlists', 'playlist-items', 'me', 'tracks', 'artists', 'albums', 'token', '*'];
export const FAULT_KINDS = ['429', '429-date', 'quota', '500', '502', '503', 'slow', 'truncate', 'malformed', '401'];
const DEFAULT_RETRY_AFTER = { '429': 1, '429-date': 2, quota: 86400 };
export const DEFAULT_SLOW_MS = 3000;
// A request this close (ms) before the Retry-After moment is not counted as
// early: timers may fire a millisecond or so ahead of Date.now().
export const EARLY_SLACK_MS = 10;

const apiError = (status, message, extra = {}, headers = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ error: { status, message, ...extra } }),
});
const oauthError = (status, error, error_description, extra = {}, headers = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ error, error_description, ...extra }),
});

export class Faults {
  constructor(state) {
    this.state = state;
    this.queue = [];
    this.nextId = 1;
    this.limit = { window_s: 30, max: 0 };
    this.window = [];
    this.windowHead = 0;
    this.resetStats();
  }

  // ---- fault queue ----------------------------------------------------------

  add(spec) {
    if (!spec || typeof spec !== 'object') throw new HttpError(400, 'body must be a JSON object');
    const endpoint = spec.endpoint ?? '*';
    const kind = String(spec.kind ?? '');
    if (!FAULT_ENDPOINTS.includes(endpoint)) throw new HttpError(400, `endpoint must be one of ${FAULT_ENDPOINTS.join(', ')}`);
    if (!FAULT_KINDS.includes(kind)) throw new HttpError(400, `kind must be one of ${FAULT_KINDS.join(', ')}`);
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || (count < 1 && count !== -1)) throw new HttpError(400, 'count must be a positive integer, or -1 for "until cleared"');
    const retry_after = spec.retry_after ?? DEFAULT_RETRY_AFTER[kind] ?? null;
    if (retry_after !== null && !(typeof retry_after === 'number' && retry_after >= 0)) throw new HttpError(400, 'retry_after must be a number of seconds >= 0');
    const delay_ms = spec.delay_ms ?? (kind === 'slow' ? DEFAULT_SLOW_MS : null);
    if (delay_ms !== null && !(typeof delay_ms === 'number' && delay_ms >= 0)) throw new HttpError(400, 'delay_ms must be a number >= 0');
    if (spec.user !== undefined && typeof spec.user !== 'string') throw new HttpError(400, 'user must be a user id');
    const fault = { id: this.nextId++, endpoint, kind, count, retry_after, delay_ms, user: spec.user ?? null, hits: 0 };
    this.queue.push(fault);
    return fault;
  }

  clear() { const n = this.queue.length; this.queue = []; return n; }

  // First queued fault matching this request, consumed by one.
  take(endpoint, userId) {
    for (let i = 0; i < this.queue.length; i++) {
      const f = this.queue[i];
      if (f.endpoint !== '*' && f.endpoint !== endpoint) continue;
      if (f.user !== null && f.user !== userId) continue;
      f.hits++;
      if (f.count > 0 && --f.count === 0) this.queue.splice(i, 1);
      return f;
    }
    return null;
  }

  // The response a fault stands for, or null when it only alters a normal
  // response (slow, truncate, malformed).
  errorResponse(f, scope) {
    const token = scope === 'accounts';
    switch (f.kind) {
      case '429':
      case '429-date':
      case 'quota': {
        const retryMs = f.retry_after * 1000;
        let header, until;
        if (f.kind === '429-date') {
          // HTTP dates have whole seconds: round the moment up.
          until = Math.ceil((Date.now() + retryMs) / 1000) * 1000;
          header = new Date(until).toUTCString();
        } else {
          until = Date.now() + retryMs;
          header = String(Math.ceil(f.retry_after));
        }
        const extra = f.kind === 'quota' ? { reason: 'QUOTA_EXCEEDED' } : {};
        const msg = f.kind === 'quota' ? 'API quota exceeded' : 'API rate limit exceeded';
        const r = token ? oauthError(429, 'temporarily_unavailable', msg, extra, { 'retry-after': header })
          : apiError(429, msg, extra, { 'retry-after': header });
        r.retryUntil = until;
        return r;
      }
      case '500': return token ? oauthError(500, 'server_error', 'Server error') : apiError(500, 'Server error.');
      case '502': return {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
      };
      case '503': {
        const h = f.retry_after !== null ? { 'retry-after': String(Math.ceil(f.retry_after)) } : {};
        const r = token ? oauthError(503, 'temporarily_unavailable', 'Service unavailable', {}, h) : apiError(503, 'Service unavailable', {}, h);
        if (f.retry_after !== null) r.retryUntil = Date.now() + f.retry_after * 1000;
        return r;
      }
      case '401': return token ? oauthError(401, 'invalid_client', 'Invalid client')
        : apiError(401, 'The access token expired', {}, { 'www-authenticate': 'Bearer realm="spotify", error="invalid_token", error_description="The access token expired"' });
      default: return null;
    }
  }

  // truncate: the full Content-Length is announced, half the body is sent,
  // then the connection is closed. malformed: 200 with half a JSON document.
  mangle(f, resp) {
    if (f.kind === 'truncate') return { ...resp, truncate: true };
    if (f.kind === 'malformed') {
      let body = String(resp.body).slice(0, Math.max(1, Math.floor(String(resp.body).length / 2)));
      try { JSON.parse(body); body += '{"'; } catch { /* invalid, as wanted */ }
      return { status: 200, headers: { 'content-type': 'application/json' }, body };
    }
    return resp;
  }

  // ---- rolling rate limit ----------------------------------------------------

  setLimit({ window_s = 30, max = 0 } = {}) {
    if (!(typeof window_s === 'number' && window_s > 0)) throw new HttpError(400, 'window_s must be a number > 0');
    if (!(Number.isInteger(max) && max >= 0)) throw new HttpError(400, 'max must be an integer >= 0 (0 = off)');
    this.limit = { window_s, max };
    this.window = [];
    this.windowHead = 0;
    return this.limit;
  }

  // Web API requests only (the accounts service is not limited). A request
  // turned away does not count towards the window.
  rateLimit(now) {
    if (!this.limit.max) return null;
    const w = this.limit.window_s * 1000;
    while (this.windowHead < this.window.length && this.window[this.windowHead] <= now - w) this.windowHead++;
    if (this.windowHead > 4096 && this.windowHead * 2 > this.window.length) {
      this.window = this.window.slice(this.windowHead);
      this.windowHead = 0;
    }
    if (this.window.length - this.windowHead >= this.limit.max) {
      const until = this.window[this.windowHead] + w;
      const r = apiError(429, 'API rate limit exceeded', {}, { 'retry-after': String(Math.max(1, Math.ceil((until - now) / 1000))) });
      r.retryUntil = Math.max(until, now + 1000);
      return r;
    }
    this.window.push(now);
    return null;
  }

  // ---- early requests and statistics ------------------------------------------

  // One "not before" moment for the whole app, as the design asks of the
  // collector: after a Retry-After, nothing at all is sent before it passes.
  noteRetry(until) {
    if (until > this.notBefore) this.notBefore = until;
  }

  arrival(endpoint, now) {
    this.requests.total++;
    this.requests.by_endpoint[endpoint] = (this.requests.by_endpoint[endpoint] || 0) + 1;
    if (now < this.notBefore - EARLY_SLACK_MS) {
      this.early++;
      this.earlyBy[endpoint] = (this.earlyBy[endpoint] || 0) + 1;
    }
  }

  // A Web API request made with a user's access token (the per-user counts).
  userRequest(userId) {
    this.byUser[userId] = (this.byUser[userId] || 0) + 1;
  }

  status(code) {
    const k = String(code);
    this.requests.by_status[k] = (this.requests.by_status[k] || 0) + 1;
  }

  resetStats() {
    this.requests = { total: 0, by_endpoint: {}, by_status: {} };
    this.byUser = {};
    this.early = 0;
    this.earlyBy = {};
    this.connections = 0;
    this.tokensBase = this.state.tokensIssued;
    this.notBefore = 0;
  }

  stats() {
    return {
      requests: this.requests,
      requests_by_user: this.byUser,
      early_requests: this.early,
      early_by_endpoint: this.earlyBy,
      connections_opened: this.connections,
      tokens_issued: this.state.tokensIssued - this.tokensBase,
      not_before_ms: this.notBefore,
    };
  }
}
