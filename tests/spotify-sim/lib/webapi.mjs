// The Web API under /v1: authentication, rendering of catalog objects in the
// OpenAPI shapes, and the endpoint handlers. Handlers return
// {status, headers, body}.
import { isoMs, isoS, intParam, BASE62_ID, weekIndex } from './util.mjs';
import { MARKETS } from './catalog.mjs';
import { CTX_ALBUM, CTX_ARTIST, CTX_PLAYLIST, CTX_DW } from './listening.mjs';

const apiError = (status, message, headers = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ error: { status, message } }),
});
const ok = (obj) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj) });

const unauthorized = (message) => apiError(401, message, {
  'www-authenticate': `Bearer realm="spotify", error="invalid_token", error_description="${message}"`,
});

const SPOTIFY_OWNER_ID = 'spotify';
const DW_DESCRIPTION = 'Your weekly mixtape of fresh music. Enjoy new music and deep cuts picked for you. Updates every Monday.';

// Which endpoint (for faults and statistics) a request is.
export function classify(method, path) {
  if (path === '/api/token') return 'token';
  if (path === '/authorize') return 'authorize';
  if (!path.startsWith('/v1/')) return 'other';
  const p = path.slice(3);
  if (p === '/me') return 'me';
  if (p === '/me/player/recently-played') return 'recently-played';
  if (p === '/me/top/tracks' || p === '/me/top/artists') return 'top';
  if (p === '/me/playlists') return 'playlists';
  let m = p.match(/^\/playlists\/[^/]+(\/(items|tracks))?$/);
  if (m) return m[1] ? 'playlist-items' : 'playlists';
  m = p.match(/^\/(tracks|artists|albums)(\/[^/]+)?$/);
  if (m) return m[1];
  return 'other';
}

export class WebApi {
  constructor({ state, catalog, listening, base }) {
    this.state = state;
    this.catalog = catalog;
    this.listening = listening;
    this.base = base;
    this.imageBase = null; // where image URLs point (--public-base); null: base
    this.cache = { track: [], trackJson: new Map(), simpleTrack: [], artist: [], simpleArtist: [], album: [], simpleAlbum: [], local: [] };
    this.playlists = new Map(); // playlist id -> {user, kind: 'dw'|'user', k}
  }

  // Called for every user the state learns about.
  indexUser(user) {
    const m = this.listening.model(user);
    this.playlists.set(m.dwId, { user: user.id, kind: 'dw' });
    m.playlists.forEach((p, k) => this.playlists.set(p.id, { user: user.id, kind: 'user', k }));
  }

  // ---- authentication ----------------------------------------------------

  tokenUser(req) {
    const h = String(req.headers.authorization || '');
    if (!h.startsWith('Bearer ')) return null;
    return this.state.accessTokens.get(h.slice(7).trim())?.user ?? null;
  }

  authenticate(req) {
    const h = String(req.headers.authorization || '');
    if (!h) return { error: unauthorized('No token provided') };
    if (!h.startsWith('Bearer ')) return { error: apiError(400, 'Only valid bearer authentication supported') };
    const rec = this.state.accessTokens.get(h.slice(7).trim());
    if (!rec || rec.revoked) return { error: unauthorized('Invalid access token') };
    if (this.state.nowMs >= rec.expires_ms) return { error: unauthorized('The access token expired') };
    const user = this.state.users.get(rec.user);
    if (!user) return { error: unauthorized('Invalid access token') };
    if (!this.state.allowedInMode(user)) return { error: apiError(403, 'User not registered in the Developer Dashboard') };
    return { user };
  }

  // ---- rendering ------------------------------------------------------------

  ext(type, id) { return { spotify: `https://open.spotify.com/${type}/${id}` }; }

  images(kind, id, sizes) {
    return sizes.map((s) => ({ url: `${this.imageBase ?? this.base}/_sim/image/${kind}/${id}/${s ?? 640}`, height: s, width: s }));
  }

  simpleArtist(a) {
    return this.cache.simpleArtist[a] ??= (() => {
      const ar = this.catalog.artists[a];
      return { external_urls: this.ext('artist', ar.id), href: `${this.base}/v1/artists/${ar.id}`, id: ar.id, name: ar.name, type: 'artist', uri: `spotify:artist:${ar.id}` };
    })();
  }

  artist(a) {
    return this.cache.artist[a] ??= (() => {
      const ar = this.catalog.artists[a];
      return {
        external_urls: this.ext('artist', ar.id),
        followers: { href: null, total: ar.followers },
        genres: ar.genres,
        href: `${this.base}/v1/artists/${ar.id}`,
        id: ar.id,
        images: ar.hasImages ? this.images('artist', ar.id, [640, 320, 160]) : [],
        name: ar.name,
        popularity: ar.popularity,
        type: 'artist',
        uri: `spotify:artist:${ar.id}`,
      };
    })();
  }

  simpleAlbum(i) {
    return this.cache.simpleAlbum[i] ??= (() => {
      const al = this.catalog.albums[i];
      return {
        album_type: al.album_type,
        total_tracks: al.tracks.length,
        available_markets: MARKETS,
        external_urls: this.ext('album', al.id),
        href: `${this.base}/v1/albums/${al.id}`,
        id: al.id,
        images: al.hasImages ? this.images('album', al.id, [640, 300, 64]) : [],
        name: al.name,
        release_date: al.release_date,
        release_date_precision: al.release_date_precision,
        type: 'album',
        uri: `spotify:album:${al.id}`,
        artists: [this.simpleArtist(al.artist)],
      };
    })();
  }

  album(i) {
    return this.cache.album[i] ??= (() => {
      const al = this.catalog.albums[i];
      const year = al.release_date.slice(0, 4);
      const items = al.tracks.map((t) => this.simpleTrack(t));
      return {
        ...this.simpleAlbum(i),
        tracks: {
          href: `${this.base}/v1/albums/${al.id}/tracks?offset=0&limit=50`,
          items, limit: 50, next: null, offset: 0, previous: null, total: items.length,
        },
        copyrights: [{ text: `© ${year} ${al.label}`, type: 'C' }, { text: `℗ ${year} ${al.label}`, type: 'P' }],
        external_ids: { upc: al.upc },
        genres: [],
        label: al.label,
        popularity: al.popularity,
      };
    })();
  }

  simpleTrack(i) {
    return this.cache.simpleTrack[i] ??= (() => {
      const t = this.catalog.tracks[i];
      return {
        artists: t.artists.map((a) => this.simpleArtist(a)),
        available_markets: MARKETS,
        disc_number: t.disc_number,
        duration_ms: t.duration_ms,
        explicit: t.explicit,
        external_urls: this.ext('track', t.id),
        href: `${this.base}/v1/tracks/${t.id}`,
        id: t.id,
        is_local: false,
        name: t.name,
        preview_url: null,
        track_number: t.track_number,
        type: 'track',
        uri: `spotify:track:${t.id}`,
      };
    })();
  }

  track(i) {
    if (i < 0) return this.localTrack(-1 - i);
    return this.cache.track[i] ??= (() => {
      const t = this.catalog.tracks[i];
      return {
        album: this.simpleAlbum(t.album),
        artists: t.artists.map((a) => this.simpleArtist(a)),
        available_markets: MARKETS,
        disc_number: t.disc_number,
        duration_ms: t.duration_ms,
        explicit: t.explicit,
        external_ids: { isrc: t.isrc },
        external_urls: this.ext('track', t.id),
        href: `${this.base}/v1/tracks/${t.id}`,
        id: t.id,
        is_local: false,
        name: t.name,
        popularity: t.popularity,
        preview_url: null,
        track_number: t.track_number,
        type: 'track',
        uri: `spotify:track:${t.id}`,
      };
    })();
  }

  // The serialized track, for the hot paths that assemble JSON by hand.
  trackJson(i) {
    let j = this.cache.trackJson.get(i);
    if (j === undefined) { j = JSON.stringify(this.track(i)); this.cache.trackJson.set(i, j); }
    return j;
  }

  // A local file as the Web API shows it: no ids, no hrefs, null album id.
  localTrack(l) {
    return this.cache.local[l] ??= (() => {
      const f = this.catalog.localFiles[l];
      return {
        album: {
          album_type: null, total_tracks: 0, available_markets: [], external_urls: {}, href: null, id: null,
          images: [], name: f.album, release_date: null, release_date_precision: null, type: 'album', uri: null,
          artists: [],
        },
        artists: [{ external_urls: {}, href: null, id: null, name: f.artist, type: 'artist', uri: null }],
        available_markets: [],
        disc_number: 0,
        duration_ms: f.duration_ms,
        explicit: false,
        external_ids: {},
        external_urls: {},
        href: null,
        id: null,
        is_local: true,
        name: f.title,
        popularity: 0,
        preview_url: null,
        track_number: 0,
        type: 'track',
        uri: f.uri,
      };
    })();
  }

  contextUri(user, ctx) {
    if (!ctx) return null;
    const cat = this.catalog;
    if (ctx >= CTX_DW) return `spotify:playlist:${this.listening.model(user).dwId}`;
    if (ctx >= CTX_PLAYLIST) return `spotify:playlist:${this.listening.model(user).playlists[ctx - CTX_PLAYLIST].id}`;
    if (ctx >= CTX_ARTIST) return `spotify:artist:${cat.artists[ctx - CTX_ARTIST].id}`;
    if (ctx >= CTX_ALBUM) return `spotify:album:${cat.albums[ctx - CTX_ALBUM].id}`;
    return null;
  }

  context(user, ctx) {
    const uri = this.contextUri(user, ctx);
    if (!uri) return null;
    const [, type, id] = uri.split(':');
    return { type, href: `${this.base}/v1/${type}s/${id}`, external_urls: this.ext(type, id), uri };
  }

  owner(user) {
    const id = user ? user.id : SPOTIFY_OWNER_ID;
    return {
      display_name: user ? user.display_name : 'Spotify',
      external_urls: this.ext('user', id),
      href: `${this.base}/v1/users/${encodeURIComponent(id)}`,
      id,
      type: 'user',
      uri: `spotify:user:${id}`,
    };
  }

  me(user) {
    const imgs = user.order % 2 === 0
      ? [{ url: `${this.imageBase ?? this.base}/_sim/image/user/${encodeURIComponent(user.id)}/300`, height: 300, width: 300 }]
      : [];
    return {
      account_id: `acct-${user.id}`,
      country: user.country,
      display_name: user.display_name,
      email: `${user.id}@example.invalid`,
      explicit_content: { filter_enabled: false, filter_locked: false },
      external_urls: this.ext('user', user.id),
      followers: { href: null, total: user.order * 3 },
      href: `${this.base}/v1/users/${encodeURIComponent(user.id)}`,
      id: user.id,
      images: imgs,
      product: user.product,
      type: 'user',
      uri: `spotify:user:${user.id}`,
    };
  }

  // ---- playlists ----------------------------------------------------------------

  // The playlist's data at the current virtual time.
  playlistData(ref) {
    const owner = this.state.users.get(ref.user);
    const m = this.listening.model(owner);
    if (ref.kind === 'dw') {
      const dw = this.listening.discoverWeekly(owner, weekIndex(this.state.nowMs));
      return {
        id: m.dwId, name: 'Discover Weekly', description: DW_DESCRIPTION, public: false, collaborative: false,
        owner: null, snapshot_id: dw.snapshot_id, followers: 0,
        images: [{ url: `${this.imageBase ?? this.base}/_sim/image/playlist/${m.dwId}/640`, height: null, width: null }],
        items: dw.tracks.map((t) => ({ track: t, added_ms: dw.weekStartMs })),
        spotifyOwned: true,
      };
    }
    const p = m.playlists[ref.k];
    return {
      id: p.id, name: p.name, description: p.description, public: p.public, collaborative: p.collaborative,
      owner, snapshot_id: p.snapshot_id, followers: ref.k,
      images: p.hasImages ? this.images('playlist', p.id, [640, 300, 60]) : [],
      items: p.items, spotifyOwned: false,
    };
  }

  playlistItem(pl, it) {
    const track = it.track !== undefined ? this.track(it.track) : this.localTrack(it.local);
    return {
      added_at: isoS(it.added_ms),
      added_by: (({ display_name, ...rest }) => rest)(this.owner(pl.owner)),
      is_local: it.track === undefined,
      primary_color: null,
      video_thumbnail: { url: null },
      item: track,
      track,
    };
  }

  simplePlaylist(pl) {
    const href = `${this.base}/v1/playlists/${pl.id}`;
    return {
      collaborative: pl.collaborative,
      description: pl.description,
      external_urls: this.ext('playlist', pl.id),
      href,
      id: pl.id,
      images: pl.images,
      name: pl.name,
      owner: this.owner(pl.owner),
      primary_color: null,
      public: pl.public,
      snapshot_id: pl.snapshot_id,
      items: { href: `${href}/items`, total: pl.items.length },
      tracks: { href: `${href}/tracks`, total: pl.items.length },
      type: 'playlist',
      uri: `spotify:playlist:${pl.id}`,
    };
  }

  itemsPage(pl, which, limit, offset) {
    const page = pl.items.slice(offset, offset + limit).map((it) => this.playlistItem(pl, it));
    return paging(`${this.base}/v1/playlists/${pl.id}/${which}`, {}, page, pl.items.length, limit, offset);
  }

  // ---- routing ----------------------------------------------------------------------

  route(method, path, params, user) {
    if (method !== 'GET' && method !== 'HEAD') return apiError(405, 'Method not allowed');
    const p = path.slice(3); // strip /v1
    if (p === '/me') return ok(this.me(user));
    if (p === '/me/player/recently-played') return this.recentlyPlayed(user, params);
    if (p === '/me/top/tracks') return this.top(user, 'tracks', params);
    if (p === '/me/top/artists') return this.top(user, 'artists', params);
    if (p === '/me/playlists') return this.myPlaylists(user, params);
    let m = p.match(/^\/playlists\/([^/]+)(?:\/(items|tracks))?$/);
    if (m) return this.playlist(user, decodeURIComponent(m[1]), m[2], params);
    m = p.match(/^\/(tracks|artists|albums)(?:\/([^/]+))?$/);
    if (m) return m[2] ? this.one(m[1], decodeURIComponent(m[2])) : this.many(m[1], params);
    return apiError(404, 'Service not found');
  }

  recentlyPlayed(user, params) {
    const limit = intParam(params, 'limit') ?? 20;
    if (!(limit >= 1 && limit <= 50)) return apiError(400, 'Invalid limit');
    const after = intParam(params, 'after');
    const before = intParam(params, 'before');
    if (after !== undefined && before !== undefined) return apiError(400, "Only one of 'after' or 'before' may be specified");
    if (Number.isNaN(after) || Number.isNaN(before) || after < 0 || before < 0) return apiError(400, 'Invalid cursor: a Unix time in milliseconds is expected');
    // Only the last 50 plays (as of now) are ever reachable; newest first.
    const reachable = this.listening.lastPlays(user, this.state.nowMs, 50);
    let sel;
    if (after !== undefined) sel = reachable.filter((e) => e.end > after).slice(0, limit);
    else if (before !== undefined) sel = reachable.filter((e) => e.end < before).slice(0, limit);
    else sel = reachable.slice(0, limit);
    const q = new URLSearchParams();
    for (const k of ['limit', 'after', 'before']) if (params.has(k)) q.set(k, params.get(k));
    const self = `${this.base}/v1/me/player/recently-played${q.size ? `?${q}` : ''}`;
    let cursors = null, next = null;
    if (sel.length) {
      const newest = sel[0].end, oldest = sel[sel.length - 1].end;
      cursors = { after: String(newest), before: String(oldest) };
      if (reachable.some((e) => e.end < oldest)) next = `${this.base}/v1/me/player/recently-played?before=${oldest}&limit=${limit}`;
    }
    // the hot path of every poll: track objects are serialized once and reused
    const items = sel.map((e) => `{"track":${this.trackJson(e.item)},"played_at":"${isoMs(e.end)}","context":${JSON.stringify(this.context(user, e.ctx))}}`);
    const body = `{"items":[${items.join(',')}],"next":${JSON.stringify(next)},"cursors":${JSON.stringify(cursors)},"limit":${limit},"href":${JSON.stringify(self)}}`;
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  }

  top(user, kind, params) {
    const range = params.get('time_range') ?? 'medium_term';
    if (!['short_term', 'medium_term', 'long_term'].includes(range)) return apiError(400, 'Invalid time range');
    const lim = limitOffset(params, 50);
    if (lim.error) return lim.error;
    const list = this.listening.top(user, kind, range, this.state.nowMs);
    const items = list.slice(lim.offset, lim.offset + lim.limit).map((i) => (kind === 'tracks' ? this.track(i) : this.artist(i)));
    return ok(paging(`${this.base}/v1/me/top/${kind}`, { time_range: range }, items, list.length, lim.limit, lim.offset));
  }

  myPlaylists(user, params) {
    const lim = limitOffset(params, 50);
    if (lim.error) return lim.error;
    const m = this.listening.model(user);
    const refs = m.playlists.map((_, k) => ({ user: user.id, kind: 'user', k }));
    refs.push({ user: user.id, kind: 'dw' });
    const items = refs.slice(lim.offset, lim.offset + lim.limit).map((r) => this.simplePlaylist(this.playlistData(r)));
    return ok(paging(`${this.base}/v1/me/playlists`, {}, items, refs.length, lim.limit, lim.offset));
  }

  playlist(user, id, which, params) {
    if (!BASE62_ID.test(id)) return apiError(400, 'Invalid base62 id');
    const ref = this.playlists.get(id);
    if (!ref) return apiError(404, 'Resource not found');
    const pl = this.playlistData(ref);
    // Apps in development mode (and apps created after 2024-11-27) get 404
    // for Spotify-owned, algorithmic playlists.
    if (pl.spotifyOwned && this.state.mode === 'development') return apiError(404, 'Resource not found');
    if (which) {
      const lim = limitOffset(params, which === 'tracks' ? 100 : 50);
      if (lim.error) return lim.error;
      return ok(this.itemsPage(pl, which, lim.limit, lim.offset));
    }
    const full = this.simplePlaylist(pl);
    full.followers = { href: null, total: pl.followers };
    full.items = this.itemsPage(pl, 'items', 100, 0);
    full.tracks = this.itemsPage(pl, 'tracks', 100, 0);
    return ok(full);
  }

  one(kind, id) {
    if (!BASE62_ID.test(id)) return apiError(400, 'Invalid base62 id');
    const i = this.catalog.byId[kind.slice(0, -1)].get(id);
    if (i === undefined) return apiError(404, 'Resource not found');
    return ok(kind === 'tracks' ? this.track(i) : kind === 'artists' ? this.artist(i) : this.album(i));
  }

  many(kind, params) {
    if (this.state.mode === 'development') return apiError(403, 'Forbidden: batch lookups are not available to development-mode apps');
    const max = kind === 'albums' ? 20 : 50;
    const raw = params.get('ids');
    if (!raw) return apiError(400, 'invalid id');
    const ids = raw.split(',');
    if (ids.length > max) return apiError(400, 'Too many ids requested');
    if (ids.some((id) => !BASE62_ID.test(id))) return apiError(400, 'invalid id');
    const map = this.catalog.byId[kind.slice(0, -1)];
    const out = ids.map((id) => {
      const i = map.get(id);
      if (i === undefined) return null;
      return kind === 'tracks' ? this.track(i) : kind === 'artists' ? this.artist(i) : this.album(i);
    });
    return ok({ [kind]: out });
  }
}

function limitOffset(params, maxLimit) {
  const limit = intParam(params, 'limit') ?? 20;
  const offset = intParam(params, 'offset') ?? 0;
  if (!(limit >= 1 && limit <= maxLimit)) return { error: apiError(400, 'Invalid limit') };
  if (!(offset >= 0)) return { error: apiError(400, 'Invalid offset') };
  return { limit, offset };
}

function paging(baseHref, extra, items, total, limit, offset) {
  const url = (o) => {
    const q = new URLSearchParams({ offset: String(o), limit: String(limit), ...extra });
    return `${baseHref}?${q}`;
  };
  return {
    href: url(offset),
    items,
    limit,
    next: offset + limit < total ? url(offset + limit) : null,
    offset,
    previous: offset > 0 ? url(Math.max(0, offset - limit)) : null,
    total,
  };
}
