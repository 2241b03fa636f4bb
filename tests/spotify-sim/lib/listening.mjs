// Deterministic listening: every event (track play, skip, podcast episode) a
// user produces, derived only from (seed, user id, profile, virtual day).
//
// A user's "day" runs from 05:00 to 05:00 local time, so late-night sessions
// stay inside one day and days can be generated independently, lazily, in any
// order. Inside a day sessions are laid out one after another; an event's
// time is its END (played_at), and an event starts no earlier than the end of
// the previous one, so plays never overlap.
//
// The "truth" (what recently-played can show) is the subset of events that are
// music (track or local file), not in a private session, and >= 30 s played.
import { rngFrom, hash32, spotifyId, shortHash, DAY, HOUR, MINUTE, weekIndex, weekStartMs } from './util.mjs';

// light, normal and heavy are the general-purpose listeners; the others
// (PATTERNS below) are shaped for studies of when to poll.
export const PROFILES = ['light', 'normal', 'heavy', 'daytime', 'nightowl', 'office', 'weekend', 'bursty', 'skipper'];
export const HISTORY_DAYS = 365; // listening exists for a year before --start
export const MIN_PLAY_MS = 30_000;

export const F_INCOGNITO = 1, F_SKIPPED = 2, F_SHUFFLE = 4, F_OFFLINE = 8, F_EPISODE = 16,
  F_OFFTS_MS = 32, F_OFFTS_NULL = 64;
const RS_SHIFT = 8, RE_SHIFT = 12, PF_SHIFT = 16;
export const REASON_START = ['trackdone', 'fwdbtn', 'clickrow', 'playbtn', 'appload', 'backbtn', 'remote', 'trackerror'];
export const REASON_END = ['trackdone', 'fwdbtn', 'endplay', 'logout', 'backbtn', 'remote', 'unexpected-exit-while-paused', 'unknown'];
const RS = Object.fromEntries(REASON_START.map((r, i) => [r, i]));
const RE = Object.fromEntries(REASON_END.map((r, i) => [r, i]));
// [2024+ "platform", older endsong "platform", older user_agent_decrypted]
export const PLATFORMS = [
  ['android', 'Android OS 13 API 33 (samsung, SM-S911B)', 'unknown'],
  ['ios', 'iOS 17.2.1 (iPhone15,3)', 'unknown'],
  ['windows', 'Windows 10 (10.0.19045; x64)', 'unknown'],
  ['osx', 'OS X 14.2.1 [arm 2]', 'unknown'],
  ['linux', 'Linux [x86-64 0]', 'unknown'],
  ['web_player', 'WebPlayer (websocket RFC6455)', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'],
  ['cast_to_device', 'Partner google cast_tv;Chromecast;;', 'unknown'],
];

// context codes
export const CTX_NONE = 0, CTX_ALBUM = 1_000_000, CTX_ARTIST = 2_000_000, CTX_PLAYLIST = 3_000_000, CTX_DW = 4_000_000;

export const COUNTRIES = [['SE', 1], ['IS', 0], ['DE', 1], ['JP', 9], ['RU', 3], ['FR', 1], ['GB', 0], ['US', -5], ['BR', -3], ['PL', 1]];

const SLOTS = [
  { name: 'morning', from: 2, to: 4 },      // 07:00-09:00 local
  { name: 'lunch', from: 7, to: 8.5 },      // 12:00-13:30
  { name: 'afternoon', from: 9, to: 12 },   // 14:00-17:00
  { name: 'evening', from: 13, to: 17 },    // 18:00-22:00
  { name: 'late', from: 17.5, to: 21 },     // 22:30-02:00
];
const SLOT_P = { // [weekday, weekend]
  light: [[0.25, 0.1], [0.1, 0.15], [0.05, 0.25], [0.35, 0.45], [0.05, 0.12]],
  normal: [[0.55, 0.25], [0.3, 0.35], [0.15, 0.5], [0.6, 0.65], [0.2, 0.4]],
  heavy: [[0.85, 0.5], [0.6, 0.55], [0.5, 0.8], [0.9, 0.95], [0.55, 0.8]],
};
const SESSION_LEN = { light: [3, 12], normal: [6, 25], heavy: [12, 55] };
const BINGE_P = { light: 0.02, normal: 0.04, heavy: 0.1 };

// Listener profiles for the polling studies.  Hours count from the day's
// 05:00 local start (so 3 = 08:00, 17 = 22:00, 23.5 = 04:30).
//  days: which days may have sessions ('all', 'weekdays', 'weekend');
//  pDay: the chance that such a day has any;  sessions: how many;
//  win: the hours their starts are drawn from;  len: plays per session;
//  blocks: instead of drawn sessions, listening that fills these hours
//    (back to back, a short break between tracks);
//  skim: every play exactly 30 s, back to back (the most the 30-second
//    rule allows: 50 plays in about 25 minutes).
const PATTERNS = {
  daytime: { days: 'all', pDay: 0.95, sessions: [3, 6], win: [3, 15], len: [6, 18] },
  nightowl: { days: 'all', pDay: 0.9, sessions: [2, 4], win: [17, 23.3], len: [8, 30] },
  office: { days: 'weekdays', pDay: 0.95, blocks: [[4, 7], [8, 12]] },
  weekend: { days: 'weekend', pDay: 0.95, sessions: [3, 6], win: [4, 19], len: [10, 40] },
  bursty: { days: 'all', pDay: 0.15, sessions: [1, 2], win: [2, 20], len: [40, 120] },
  skipper: { days: 'all', pDay: 0.6, sessions: [1, 3], win: [0, 23], len: [55, 90], skim: true },
};

const PLAYLIST_NAMES = ['Late night ☾', 'Röadtrip, vol. 2', 'songs for "focus"', 'gym 💪',
  'Sunday morning', "Mum's favourites", '=chill=', 'Sommar 2019', 'Мои песни', '通勤'];

export class Listening {
  constructor(catalog, { seed = '42', startMs, now }) {
    this.catalog = catalog;
    this.seed = String(seed);
    this.startMs = startMs;
    this.historyStartMs = startMs - HISTORY_DAYS * DAY;
    this.now = now; // () => virtual now in ms; used only for cache policy
    this.models = new Map();
    this.days = new Map(); // user key -> Map(day -> Day)
    this.dw = new Map();
    this.tops = new Map();
    this.newReleaseTracks = catalog.tracks.filter((t) => catalog.albums[t.album].isNew).map((t) => t.idx);
  }

  key(user) { return `${user.id}\u0000${user.profile}`; }

  model(user) {
    const k = this.key(user);
    let m = this.models.get(k);
    if (m) return m;
    const { artists, tracks } = this.catalog;
    const rng = rngFrom(this.seed, user.id, 'taste');
    const [country, tz] = countryFor(user);
    m = {
      user, country, tz,
      dayOffsetMs: (5 - tz) * HOUR,
      favs: [], favBase: [], favPeriod: [], favPhase: [],
      oldFavs: [],
      prefCache: new Map(),
      platforms: [],
      locals: [],
      skimPhase: rng.int(0, 2),
      playlists: [],
      dwId: spotifyId('playlist', 'discover-weekly', user.id),
      oldEraEndDay: Math.floor(this.historyStartMs / DAY) + rng.int(60, 200),
    };
    const taken = new Set();
    while (m.favs.length < 40) {
      const a = rng.int(1, artists.length - 1);
      if (taken.has(a)) continue;
      taken.add(a);
      const r = m.favs.length;
      m.favs.push(a);
      m.favBase.push(1 / (r + 1) ** 0.8);
      m.favPeriod.push(rng.int(40, 400));
      m.favPhase.push(rng() * 2 * Math.PI);
    }
    while (m.oldFavs.length < 8) {
      const a = rng.int(1, artists.length - 1);
      if (taken.has(a)) continue;
      taken.add(a);
      m.oldFavs.push(a);
    }
    const nPlat = rng.int(1, 3);
    while (m.platforms.length < nPlat) {
      const p = rng.int(0, PLATFORMS.length - 1);
      if (!m.platforms.includes(p)) m.platforms.push(p);
    }
    if (rng.chance(0.6)) {
      const n = rng.int(2, 5);
      while (m.locals.length < n) {
        const l = rng.int(0, this.catalog.localFiles.length - 1);
        if (!m.locals.includes(l)) m.locals.push(l);
      }
    }
    const nPl = rng.int(1, 2);
    const base = hash32(user.id) % PLAYLIST_NAMES.length;
    for (let k2 = 0; k2 < nPl; k2++) {
      const prng = rngFrom(this.seed, user.id, 'playlist', k2);
      const n = prng.int(15, 60);
      const items = [];
      const seen = new Set();
      while (items.length < n) {
        const a = m.favs[Math.floor(prng() ** 2 * m.favs.length)];
        const list = this.prefTracks(m, a);
        const t = list[Math.floor(prng() ** 2 * list.length)];
        if (seen.has(t)) { if (seen.size >= tracks.length) break; continue; }
        seen.add(t);
        items.push({ track: t, added_ms: this.historyStartMs + prng.int(0, HISTORY_DAYS - 7) * DAY + prng.int(0, DAY - 1) });
      }
      items.sort((x, y) => x.added_ms - y.added_ms);
      // some playlists carry a local file, as real ones do
      if (m.locals.length && prng.chance(0.5)) {
        items.push({ local: m.locals[0], added_ms: this.startMs - prng.int(2, 30) * DAY });
      }
      m.playlists.push({
        id: spotifyId('playlist', 'user', user.id, k2),
        name: PLAYLIST_NAMES[(base + k2) % PLAYLIST_NAMES.length],
        description: k2 === 0 ? '' : 'made with <3, mostly at night',
        public: k2 === 0,
        collaborative: false,
        items,
        snapshot_id: shortHash('pl-snap', user.id, k2, items.length).slice(0, 32),
        hasImages: !prng.chance(0.3),
      });
    }
    this.models.set(k, m);
    return m;
  }

  // The artist's tracks in this user's order of preference.
  prefTracks(m, a) {
    let list = m.prefCache.get(a);
    if (!list) {
      const uid = m.user.id;
      list = this.catalog.artists[a].tracks.slice().sort((x, y) => hash32(uid, x) - hash32(uid, y) || x - y);
      m.prefCache.set(a, list);
    }
    return list;
  }

  favWeight(m, i, day) {
    return m.favBase[i] * Math.max(0.05, 1 + 0.7 * Math.sin((2 * Math.PI * day) / m.favPeriod[i] + m.favPhase[i]));
  }

  dayOf(user, ms) {
    const m = this.model(user);
    return Math.floor((ms - m.dayOffsetMs) / DAY);
  }

  // ---- day generation -------------------------------------------------

  day(user, d) {
    const k = this.key(user);
    let perUser = this.days.get(k);
    if (!perUser) { perUser = new Map(); this.days.set(k, perUser); }
    let day = perUser.get(d);
    if (day) return day;
    day = this.generateDay(user, d);
    // Cache only days near "now"; old days (history exports) are regenerated.
    const nowDay = this.now ? this.dayOf(user, this.now()) : d;
    if (d >= nowDay - 35) {
      perUser.set(d, day);
      if (perUser.size > 48) for (const old of perUser.keys()) if (old < nowDay - 35) perUser.delete(old);
    }
    return day;
  }

  generateDay(user, d) {
    const m = this.model(user);
    const cat = this.catalog;
    const dayStart = d * DAY + m.dayOffsetMs;
    const dayEnd = dayStart + DAY;
    const ev = { end: [], ms: [], item: [], ctx: [], flags: [] };
    if (dayEnd <= this.historyStartMs) return finishDay(ev, dayStart, dayEnd);
    if (PATTERNS[user.profile]) return this.generatePatternDay(user, d, m, ev, dayStart, dayEnd);
    const profile = PROFILES.includes(user.profile) ? user.profile : 'normal';
    const rng = rngFrom(this.seed, user.id, profile, 'day', d);
    const dow = new Date(d * DAY).getUTCDay(); // local weekday of this local day
    const weekend = dow === 0 || dow === 6;
    const probs = SLOT_P[profile];
    const planned = [];
    for (let s = 0; s < SLOTS.length; s++) {
      let p = probs[s][weekend ? 1 : 0];
      if (s === 4 && dow === 5) p = probs[s][1]; // Friday nights count as weekend
      if (rng.chance(p)) planned.push({ slot: s, at: dayStart + Math.floor((SLOTS[s].from + rng() * (SLOTS[s].to - SLOTS[s].from)) * HOUR) });
    }
    // Heavy users skim through playlists (30 s per track) every third day.
    const skimDay = profile === 'heavy' && (m.skimPhase + d) % 3 === 0;
    if (skimDay && !planned.some((p) => p.slot >= 3)) {
      planned.push({ slot: 3, at: dayStart + Math.floor((SLOTS[3].from + rng() * 2) * HOUR) });
    }
    // favourite-artist weights for the day
    const cum = new Float64Array(m.favs.length);
    let total = 0;
    for (let i = 0; i < m.favs.length; i++) { total += this.favWeight(m, i, d); cum[i] = total; }
    const pickFavArtist = () => {
      const r = rng() * total;
      let lo = 0, hi = cum.length - 1;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] < r) lo = mid + 1; else hi = mid; }
      return m.favs[lo];
    };
    const pickTrackOf = (a, bias = 2.2) => {
      const list = this.prefTracks(m, a);
      return list[Math.floor(rng() ** bias * list.length)];
    };

    let t = dayStart;
    let skimUsed = false;
    for (let si = 0; si < planned.length; si++) {
      const plan = planned[si];
      let start = Math.max(plan.at, t + rng.int(60_000, 20 * MINUTE)) + rng.int(0, 999);
      if (start >= dayEnd - MINUTE) break;
      const isLastEvening = !planned.slice(si + 1).some((p) => p.slot >= 3);
      let kind;
      if (skimDay && !skimUsed && plan.slot >= 3 && isLastEvening) { kind = 'skim'; skimUsed = true; }
      else {
        const r = rng();
        const bingeP = BINGE_P[profile] * (plan.slot === 4 ? 2.5 : 1);
        if (plan.slot === 0 && profile !== 'light' && r < 0.3) kind = 'podcast';
        else if (rng.chance(bingeP)) kind = 'binge';
        else if (rng.chance(dow === 1 || dow === 2 ? 0.3 : 0.1)) kind = 'dw';
        else if (rng.chance(0.2)) kind = 'album';
        else if (rng.chance(0.07)) kind = 'oldfav';
        else kind = 'mix';
      }
      const [lo, hi] = SESSION_LEN[profile];
      let len = Math.round(rng.int(lo, hi) * (weekend ? 1.3 : 1));
      let sflags = 0;
      if (profile !== 'light' && kind !== 'skim' && rng.chance(0.03)) sflags |= F_INCOGNITO;
      if (kind !== 'skim' && rng.chance(0.05)) sflags |= F_OFFLINE;
      const platform = m.platforms[plan.slot === 0 ? 0 : rng.int(0, m.platforms.length - 1)];
      sflags |= platform << PF_SHIFT;
      // offline_timestamp comes in seconds for some clients and ms for others
      if (rng.chance(0.4)) sflags |= F_OFFTS_MS;
      if (rng.chance(0.05)) sflags |= F_OFFTS_NULL;

      // a per-session plan: a context and a function yielding items
      let ctx = CTX_NONE;
      let next;
      let skipP = 0.28;
      let gapMax = 2500;
      let forceMs = 0;
      let repeat = false;
      if (kind === 'podcast') {
        len = rng.int(1, 2);
        next = () => -1 - rng.int(0, cat.episodes.length - 1); // marked as episode below
      } else if (kind === 'skim') {
        len = rng.int(52, 72);
        ctx = rng.chance(0.5) && m.playlists.length ? CTX_PLAYLIST + 0 : CTX_NONE;
        const pl = ctx ? m.playlists[0].items.filter((x) => x.track !== undefined) : null;
        next = pl ? () => pl[rng.int(0, pl.length - 1)].track : () => pickTrackOf(pickFavArtist(), 1);
        forceMs = MIN_PLAY_MS; gapMax = 0; skipP = 0;
        sflags |= F_SHUFFLE;
      } else if (kind === 'binge') {
        const track = pickTrackOf(pickFavArtist(), 3);
        len = profile === 'heavy' ? 10 + Math.floor(rng() ** 0.7 * 81) : profile === 'normal' ? rng.int(8, 42) : rng.int(5, 15);
        ctx = rng.chance(0.5) ? CTX_ALBUM + cat.tracks[track].album : CTX_NONE;
        next = () => track;
        skipP = 0; gapMax = 800; repeat = true;
      } else if (kind === 'dw') {
        ctx = CTX_DW;
        const order = this.discoverWeekly(user, weekIndex(start)).tracks.slice();
        if (rng.chance(0.3)) { sflags |= F_SHUFFLE; shuffle(order, rng); }
        let i = rng.chance(0.7) ? 0 : rng.int(0, 20);
        len = Math.min(len, order.length - i);
        next = () => order[i++];
        skipP = 0.45;
      } else if (kind === 'album') {
        const a = pickFavArtist();
        const albumsOf = cat.artists[a].albums;
        if (albumsOf.length) {
          const al = cat.albums[albumsOf[rng.int(0, albumsOf.length - 1)]];
          ctx = CTX_ALBUM + al.idx;
          let i = rng.chance(0.75) ? 0 : rng.int(0, al.tracks.length - 1);
          len = Math.min(len, al.tracks.length - i);
          next = () => al.tracks[i++];
          skipP = 0.12;
        } else {
          ctx = CTX_ARTIST + a;
          next = () => pickTrackOf(a, 1.5);
        }
      } else if (kind === 'oldfav') {
        const a = m.oldFavs[rng.int(0, m.oldFavs.length - 1)];
        ctx = rng.chance(0.6) ? CTX_ARTIST + a : CTX_NONE;
        next = () => pickTrackOf(rng.chance(0.8) ? a : m.oldFavs[rng.int(0, m.oldFavs.length - 1)], 1.5);
      } else { // mix
        const r = rng();
        if (r < 0.35 && m.playlists.length) {
          const k = rng.int(0, m.playlists.length - 1);
          ctx = CTX_PLAYLIST + k;
          const items = m.playlists[k].items;
          sflags |= F_SHUFFLE;
          next = () => {
            const it = items[rng.int(0, items.length - 1)];
            return it.track !== undefined ? it.track : -1 - it.local;
          };
        } else if (r < 0.6) {
          const a = pickFavArtist();
          ctx = CTX_ARTIST + a;
          if (rng.chance(0.5)) sflags |= F_SHUFFLE;
          next = () => pickTrackOf(rng.chance(0.85) ? a : pickFavArtist(), 1.5);
        } else {
          if (rng.chance(0.6)) sflags |= F_SHUFFLE;
          next = () => (m.locals.length && rng.chance(0.04))
            ? -1 - m.locals[rng.int(0, m.locals.length - 1)]
            : pickTrackOf(pickFavArtist());
        }
      }

      let cursor = start;
      let prevEnd = RS.clickrow;
      for (let n = 0; n < len; n++) {
        const item = next();
        const isEpisode = kind === 'podcast';
        let dur;
        if (isEpisode) dur = cat.episodes[-1 - item].duration_ms;
        else if (item >= 0) dur = cat.tracks[item].duration_ms;
        else dur = cat.localFiles[-1 - item].duration_ms;
        let ms, skipped = false, reasonEnd;
        if (forceMs) { ms = forceMs; skipped = true; reasonEnd = RE.fwdbtn; }
        else if (isEpisode) { ms = Math.min(dur, rng.int(5, 60) * MINUTE + rng.int(0, 59_999)); reasonEnd = ms === dur ? RE.trackdone : rng.chance(0.5) ? RE.endplay : RE.logout; }
        else if (skipP && rng.chance(skipP)) {
          skipped = true; reasonEnd = RE.fwdbtn;
          ms = rng.chance(0.5) || dur <= MIN_PLAY_MS + 1000 ? rng.int(800, 25_000) : rng.int(MIN_PLAY_MS, dur - 1000);
        } else { ms = dur; reasonEnd = RE.trackdone; }
        const gap = n === 0 ? 0 : rng.int(0, gapMax);
        const end = cursor + gap + ms;
        if (end >= dayEnd) break;
        const reasonStart = n === 0 ? (rng.chance(0.5) ? RS.clickrow : rng.chance(0.5) ? RS.playbtn : RS.appload)
          : repeat ? RS.trackdone : prevEnd === RE.trackdone ? RS.trackdone : prevEnd === RE.fwdbtn ? RS.fwdbtn : RS.clickrow;
        let f = sflags | (reasonStart << RS_SHIFT) | (reasonEnd << RE_SHIFT);
        if (skipped) f |= F_SKIPPED;
        if (isEpisode) f |= F_EPISODE;
        ev.end.push(end);
        ev.ms.push(ms);
        ev.item.push(item);
        ev.ctx.push(isEpisode ? CTX_NONE : ctx);
        ev.flags.push(f);
        cursor = end;
        prevEnd = reasonEnd;
      }
      t = Math.max(t, cursor);
    }
    return finishDay(ev, dayStart, dayEnd);
  }

  // A day of one of the PATTERNS profiles: sessions of favourites (a
  // fifth of the tracks skipped, half of those before 30 s), or skims.
  generatePatternDay(user, d, m, ev, dayStart, dayEnd) {
    const pat = PATTERNS[user.profile];
    const rng = rngFrom(this.seed, user.id, user.profile, 'day', d);
    const dow = new Date(d * DAY).getUTCDay();
    const weekend = dow === 0 || dow === 6;
    if ((pat.days === 'weekdays' && weekend) || (pat.days === 'weekend' && !weekend) || !rng.chance(pat.pDay)) {
      return finishDay(ev, dayStart, dayEnd);
    }
    const favs = m.favs;
    const pick = () => {
      const list = this.prefTracks(m, favs[Math.floor(rng() ** 1.5 * favs.length)]);
      return list[Math.floor(rng() ** 2 * list.length)];
    };
    const plans = []; // [start ms, plays or 0, until ms or 0]
    if (pat.blocks) {
      for (const [from, to] of pat.blocks) {
        plans.push([dayStart + Math.floor((from + rng() * 0.25) * HOUR), 0, dayStart + Math.floor(to * HOUR)]);
      }
    } else {
      const n = rng.int(pat.sessions[0], pat.sessions[1]);
      for (let k = 0; k < n; k++) {
        plans.push([dayStart + Math.floor((pat.win[0] + rng() * (pat.win[1] - pat.win[0])) * HOUR), rng.int(pat.len[0], pat.len[1]), 0]);
      }
      plans.sort((x, y) => x[0] - y[0]);
    }
    const pf = m.platforms[0] << PF_SHIFT;
    let t = dayStart;
    for (const [at, len, until] of plans) {
      let cursor = Math.max(at, t + rng.int(60_000, 10 * MINUTE));
      const ctx = rng.chance(0.5) ? CTX_NONE : CTX_ARTIST + favs[rng.int(0, favs.length - 1)];
      for (let n = 0; len ? n < len : true; n++) {
        const item = pick();
        const dur = this.catalog.tracks[item].duration_ms;
        let ms = dur, reasonEnd = RE.trackdone, f = pf;
        if (pat.skim) { ms = MIN_PLAY_MS; reasonEnd = RE.fwdbtn; f |= F_SKIPPED | F_SHUFFLE; }
        else if (rng.chance(0.2)) {
          ms = rng.chance(0.5) ? rng.int(800, 25_000) : rng.int(MIN_PLAY_MS, dur - 1000);
          reasonEnd = RE.fwdbtn; f |= F_SKIPPED;
        }
        const end = cursor + (n === 0 ? 0 : rng.int(0, pat.skim ? 1500 : 2500)) + ms;
        if (end >= dayEnd || (until && end > until)) break;
        f |= ((n === 0 ? RS.clickrow : RS.trackdone) << RS_SHIFT) | (reasonEnd << RE_SHIFT);
        ev.end.push(end);
        ev.ms.push(ms);
        ev.item.push(item);
        ev.ctx.push(ctx);
        ev.flags.push(f);
        cursor = end;
      }
      t = Math.max(t, cursor);
    }
    return finishDay(ev, dayStart, dayEnd);
  }

  // ---- queries -------------------------------------------------------

  // Up to n truth plays with end <= nowMs, newest first.
  lastPlays(user, nowMs, n = 50) {
    const out = [];
    const minDay = this.dayOf(user, this.historyStartMs) - 1;
    for (let d = this.dayOf(user, nowMs); d >= minDay && out.length < n; d--) {
      const day = this.day(user, d);
      for (let j = day.truth.length - 1; j >= 0 && out.length < n; j--) {
        const i = day.truth[j];
        if (day.end[i] <= nowMs) out.push(eventAt(day, i));
      }
    }
    return out;
  }

  // Truth plays with fromMs <= end <= toMs, oldest first.
  plays(user, fromMs, toMs) {
    return this.collect(user, fromMs, toMs, true);
  }

  // Every event (history export), oldest first.
  events(user, fromMs, toMs) {
    return this.collect(user, fromMs, toMs, false);
  }

  collect(user, fromMs, toMs, truthOnly) {
    const out = [];
    fromMs = Math.max(fromMs, this.historyStartMs);
    if (toMs < fromMs) return out;
    for (let d = this.dayOf(user, fromMs); d <= this.dayOf(user, toMs); d++) {
      const day = this.day(user, d);
      if (truthOnly) {
        for (const i of day.truth) if (day.end[i] >= fromMs && day.end[i] <= toMs) out.push(eventAt(day, i));
      } else {
        for (let i = 0; i < day.n; i++) if (day.end[i] >= fromMs && day.end[i] <= toMs) out.push(eventAt(day, i));
      }
    }
    return out;
  }

  // ---- Discover Weekly --------------------------------------------------

  discoverWeekly(user, w) {
    const k = `${this.key(user)}\u0000${w}`;
    let dw = this.dw.get(k);
    if (dw) return dw;
    const m = this.model(user);
    const cat = this.catalog;
    const rng = rngFrom(this.seed, user.id, 'discover-weekly', w);
    const fav = new Set(m.favs);
    const tracks = [];
    const seen = new Set();
    let guard = 0;
    while (tracks.length < 30 && guard++ < 10_000) {
      const t = rng.chance(0.2) && this.newReleaseTracks.length
        ? this.newReleaseTracks[rng.int(0, this.newReleaseTracks.length - 1)]
        : rng.int(0, cat.tracks.length - 1);
      if (seen.has(t) || fav.has(cat.tracks[t].artists[0])) continue;
      seen.add(t);
      tracks.push(t);
    }
    dw = { week: w, weekStartMs: weekStartMs(w), tracks, snapshot_id: shortHash('dw-snapshot', this.seed, user.id, w).slice(0, 32) };
    if (this.dw.size > 20_000) this.dw.clear();
    this.dw.set(k, dw);
    return dw;
  }

  // ---- top lists --------------------------------------------------------

  // Ranked catalog indices (tracks or artists) for a time range, as of nowMs.
  // Stable within a virtual day; drifts slowly from day to day.
  top(user, kind, range, nowMs) {
    const m = this.model(user);
    const d = this.dayOf(user, nowMs);
    const k = `${this.key(user)}\u0000${kind}\u0000${range}`;
    const cached = this.tops.get(k);
    if (cached && cached.day === d) return cached.list;
    const samples = range === 'short_term' ? [d] : range === 'medium_term' ? [0, 1, 2, 3, 4, 5].map((i) => d - 30 * i)
      : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => d - 60 * i);
    const favScore = m.favs.map((_, i) => samples.reduce((s, day) => s + this.favWeight(m, i, day), 0) / samples.length);
    const oldScore = samples.reduce((s, day) => s + (day < m.oldEraEndDay ? 0.9 : 0.02), 0) / samples.length;
    // short_term also counts what was actually played in the last 14 days
    const counts = new Map();
    let maxCount = 1;
    if (range === 'short_term') {
      for (const p of this.plays(user, nowMs - 14 * DAY, nowMs)) {
        if (p.item < 0) continue;
        const keys = kind === 'tracks' ? [p.item] : this.catalog.tracks[p.item].artists;
        for (const key of keys) {
          const c = (counts.get(key) || 0) + 1;
          counts.set(key, c);
          if (c > maxCount) maxCount = c;
        }
      }
    }
    const scores = new Map();
    const add = (key, s) => scores.set(key, (scores.get(key) || 0) + s);
    const artistSets = [[m.favs, (i) => favScore[i]], [m.oldFavs, () => oldScore]];
    for (const [list, scoreOf] of artistSets) {
      list.forEach((a, i) => {
        const s = scoreOf(i);
        if (kind === 'artists') add(a, s);
        else this.prefTracks(m, a).slice(0, 5).forEach((t, r) => add(t, s / (r + 1) ** 0.7));
      });
    }
    for (const [key, c] of counts) add(key, (2 * c) / maxCount);
    const list = [...scores.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 100).map((e) => e[0]);
    if (this.tops.size > 20_000) this.tops.clear();
    this.tops.set(k, { day: d, list });
    return list;
  }
}

function shuffle(arr, rng) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
}

function finishDay(ev, start, end) {
  const n = ev.end.length;
  const day = {
    dayStart: start, dayEnd: end, n,
    end: Float64Array.from(ev.end),
    ms: Int32Array.from(ev.ms),
    item: Int32Array.from(ev.item),
    ctx: Int32Array.from(ev.ctx),
    flags: Int32Array.from(ev.flags),
  };
  const truth = [];
  for (let i = 0; i < n; i++) {
    if (day.ms[i] >= MIN_PLAY_MS && !(day.flags[i] & (F_INCOGNITO | F_EPISODE))) truth.push(i);
  }
  day.truth = Int32Array.from(truth);
  return day;
}

// An event as a small plain object. item: >= 0 track index, < 0 local file
// (-1 - index) or, with F_EPISODE set, episode (-1 - index).
export function eventAt(day, i) {
  const flags = day.flags[i];
  return {
    end: day.end[i], ms: day.ms[i], item: day.item[i], ctx: day.ctx[i], flags,
    reasonStart: REASON_START[(flags >> RS_SHIFT) & 15],
    reasonEnd: REASON_END[(flags >> RE_SHIFT) & 15],
    platform: PLATFORMS[(flags >> PF_SHIFT) & 15],
  };
}

export function countryFor(user) {
  if (user.country) {
    const found = COUNTRIES.find((c) => c[0] === user.country);
    return found || [user.country, 0];
  }
  return COUNTRIES[hash32('country', user.id) % COUNTRIES.length];
}
