// Small helpers shared by the simulator modules: deterministic randomness,
// Spotify-looking ids, time arithmetic. Built-in modules only.
import { createHash } from 'node:crypto';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

// 32-bit hash of any number of parts (FNV-1a over UTF-16 units, murmur3 finaliser).
export function hash32(...parts) {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // part separator
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// mulberry32: tiny, fast, good enough for test data.
export function rngFrom(...parts) {
  let a = hash32(...parts);
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  next.chance = (p) => next() < p;
  return next;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// A valid-looking 22-character base62 Spotify id, stable for the given parts.
export function spotifyId(...parts) {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; i < 22; i++) out += B62[digest[i] % 62];
  return out;
}

export const BASE62_ID = /^[0-9A-Za-z]{22}$/;

export function shortHash(...parts) {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url');
}

// ISO-8601 with milliseconds, as Spotify's played_at.
export const isoMs = (ms) => new Date(ms).toISOString();
// ISO-8601 without milliseconds, as the downloadable-data "ts" and playlist added_at.
export const isoS = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const dayIndex = (ms) => Math.floor(ms / DAY);

// Weeks start Monday 00:00 UTC. 1970-01-05 (day 4) was a Monday.
export const weekIndex = (ms) => Math.floor((Math.floor(ms / DAY) - 4) / 7);
export const weekStartMs = (w) => (w * 7 + 4) * DAY;

// Parse "--start" style values: ISO 8601 or a number of ms since the epoch.
export function parseTime(v) {
  if (typeof v === 'number') return v;
  const s = String(v).trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${v}`);
  return ms;
}

// Add calendar months in UTC (refresh tokens live six months).
export function addMonthsUtc(ms, months) {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

// Integer query parameter: undefined when absent, NaN when malformed.
export function intParam(params, name) {
  if (!params.has(name)) return undefined;
  const s = params.get(name);
  if (!/^-?\d+$/.test(s)) return NaN;
  return Number(s);
}
