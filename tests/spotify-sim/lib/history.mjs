// Ground truth and Spotify's downloadable-data formats, both rendered from
// the same generated events as the Web API.
//
// Mapping (documented in README.md too): a truth play with played_at_ms = T
// corresponds to exactly one "extended"/"extended-old" row with
//   ts == T truncated to whole seconds, spotify_track_uri == track_uri,
//   ms_played == ms_played, incognito_mode == false,
// and to one "account" row with endTime == T truncated to the minute,
// trackName/artistName equal and msPlayed == ms_played.
// Rows without a truth play: ms_played < 30000, incognito_mode true, and
// podcast episodes (extended formats only).
import { hash32, isoMs, isoS } from './util.mjs';
import { F_INCOGNITO, F_SKIPPED, F_SHUFFLE, F_OFFLINE, F_EPISODE, F_OFFTS_MS, F_OFFTS_NULL } from './listening.mjs';

export const HISTORY_FORMATS = ['extended', 'extended-old', 'account'];

function music(catalog, item) {
  if (item >= 0) {
    const t = catalog.tracks[item];
    return {
      track_id: t.id,
      uri: `spotify:track:${t.id}`,
      name: t.name,
      artist_names: t.artists.map((a) => catalog.artists[a].name),
      album: catalog.albums[t.album].name,
    };
  }
  const f = catalog.localFiles[-1 - item];
  return { track_id: null, uri: f.uri, name: f.title, artist_names: [f.artist], album: f.album };
}

export function truthPlays(sim, user, fromMs, toMs) {
  const { catalog, listening, api } = sim;
  return listening.plays(user, fromMs, toMs).map((e) => {
    const m = music(catalog, e.item);
    return {
      played_at_ms: e.end,
      played_at: isoMs(e.end),
      track_id: m.track_id,
      track_uri: m.uri,
      context_uri: api.contextUri(user, e.ctx),
      ms_played: e.ms,
      track_name: m.name,
      artist_names: m.artist_names,
    };
  });
}

function ip(user, e) {
  const h = hash32('ip', user.id, Math.floor(e.end / 86_400_000));
  return `198.51.100.${(h % 254) + 1}`;
}

function offlineTs(e) {
  if (e.flags & F_OFFTS_NULL) return null;
  const startMs = e.end - e.ms;
  return e.flags & F_OFFTS_MS ? startMs : Math.floor(startMs / 1000);
}

export function historyRows(sim, user, fromMs, toMs, format) {
  const { catalog, listening } = sim;
  const events = listening.events(user, fromMs, toMs);
  const rows = [];
  for (const e of events) {
    const episode = (e.flags & F_EPISODE) !== 0;
    const incognito = (e.flags & F_INCOGNITO) !== 0;
    if (format === 'account') {
      if (episode || incognito) continue;
      const m = music(catalog, e.item);
      rows.push({ endTime: isoS(e.end).slice(0, 16).replace('T', ' '), artistName: m.artist_names[0], trackName: m.name, msPlayed: e.ms });
      continue;
    }
    const m = episode ? null : music(catalog, e.item);
    const ep = episode ? catalog.episodes[-1 - e.item] : null;
    const common = {
      master_metadata_track_name: m ? m.name : null,
      master_metadata_album_artist_name: m ? m.artist_names[0] : null,
      master_metadata_album_album_name: m ? m.album : null,
      spotify_track_uri: m ? m.uri : null,
      episode_name: ep ? ep.name : null,
      episode_show_name: ep ? ep.show : null,
      spotify_episode_uri: ep ? `spotify:episode:${ep.id}` : null,
    };
    if (format === 'extended') {
      rows.push({
        ts: isoS(e.end),
        platform: e.platform[0],
        ms_played: e.ms,
        conn_country: user.country,
        ip_addr: ip(user, e),
        ...common,
        audiobook_title: null,
        audiobook_uri: null,
        audiobook_chapter_uri: null,
        audiobook_chapter_title: null,
        reason_start: e.reasonStart,
        reason_end: e.reasonEnd,
        shuffle: (e.flags & F_SHUFFLE) !== 0,
        skipped: (e.flags & F_SKIPPED) !== 0,
        offline: (e.flags & F_OFFLINE) !== 0,
        offline_timestamp: offlineTs(e),
        incognito_mode: incognito,
      });
    } else {
      rows.push({
        ts: isoS(e.end),
        username: user.id,
        platform: e.platform[1],
        ms_played: e.ms,
        conn_country: user.country,
        ip_addr_decrypted: ip(user, e),
        user_agent_decrypted: e.platform[2],
        ...common,
        reason_start: e.reasonStart,
        reason_end: e.reasonEnd,
        shuffle: (e.flags & F_SHUFFLE) !== 0,
        // older exports leave "skipped" null unless the client reported a skip
        skipped: (e.flags & F_SKIPPED) !== 0 ? true : null,
        offline: (e.flags & F_OFFLINE) !== 0,
        offline_timestamp: offlineTs(e),
        incognito_mode: incognito,
      });
    }
  }
  return rows;
}
