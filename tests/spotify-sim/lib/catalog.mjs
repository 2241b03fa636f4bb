// The fixed catalog: ~300 artists, 500 albums, 2000 tracks, a few podcast
// episodes and local files. It does not depend on --seed, so ids are the same
// in every run and can be used in fixtures. Names deliberately include the
// awkward cases a client must survive: non-ASCII and right-to-left scripts,
// characters outside the BMP, commas, quotes, a backslash, a tab, a newline,
// and a leading = + @ - (spreadsheet formula injection).
import { rngFrom, spotifyId, DAY } from './util.mjs';

export const CATALOG_VERSION = 'v1';
export const N_ARTISTS = 300;
export const N_ALBUMS = 500;
export const N_TRACKS = 2000;

const SPECIAL_ARTISTS = [
  'Sigur Rós', 'Björk', 'Ólafur Arnalds', 'Røyksopp', 'Mø', 'Motörhead',
  'Mötley Crüe', 'Beyoncé', 'Die Ärzte', 'Einstürzende Neubauten',
  'Кино', 'Звери', 'Северное Сияние', 'Мумий Тролль', 'Сплин',
  '坂本龍一', '宇多田ヒカル', 'きのこ帝国', '夜の散歩者', 'ゆらゆら帝国',
  '방탄소년단', 'Ελευθερία Αρβανιτάκη', 'فيروز', 'Zoë Keating',
  'Crosby, Stills, Nash & Young', 'The "Quoted" Collective', "Guns N' Roses",
  '=Equals', '+44', '@Midnight Radio', '-Hyphen-', 'Sunn O)))', '!!!',
  'AC/DC', 'Godspeed You! Black Emperor', '🌙 Moonchild', 'Háskólakórinn',
  'Łąka Żółwi', 'Çağ Erdoğan', 'Nguyễn Thị Hà',
];
const VARIOUS = 'Various Artists';

const ADJ = ['Velvet', 'Northern', 'Quiet', 'Electric', 'Paper', 'Golden', 'Hollow',
  'Neon', 'Glass', 'Silver', 'Wild', 'Midnight', 'Crimson', 'Lonely', 'Early',
  'Small', 'Blue', 'Broken', 'Distant', 'Frozen', 'Kaleidoscopic', 'Ålesund',
  'Über', 'Café', 'Sleepy', 'Lucky', 'Tired', 'Bright', 'Salty', 'Soft'];
const NOUN = ['Harbours', 'Foxes', 'Static', 'Lanterns', 'Orchards', 'Satellites',
  'Tigers', 'Engines', 'Gardens', 'Parade', 'Ghosts', 'Machines', 'Rivers',
  'Choir', 'Society', 'Collective', 'Brothers', 'Sisters', 'Mountains', 'Signals',
  'Swans', 'Hounds', 'Lights', 'Radios'];
const FIRST = ['Lena', 'Jonas', 'Maja', 'Ines', 'Oskar', 'Aino', 'Mateo', 'Yuki',
  'Sofía', 'Emil', 'Noor', 'Ada', 'Felix', 'Ingrid', 'Léa', 'Tomás', 'Anja', 'Kai'];
const LAST = ['Fjäll', 'Ek', 'Øster', 'Moreau', 'Nakamura', 'Kowalski', 'Petrov',
  'García', 'Lindqvist', 'Okafor', 'Brennan', 'Şahin', 'Novák', 'Dubois', 'Hale'];

const SPECIAL_ALBUMS = [
  'Ágætis byrjun (Again)', 'Songs, Vol. 2', '"Live" at the Roxy', "Don't Look Back",
  '=1+1', 'Untitled\n(Demos)', 'Москва — Петушки', '東京の夜', '+Plus', '@Home',
  'Ça ira', 'Straße der Lieder', 'Gestern, heute, morgen', '🌊 Tides',
];
const ALBUM_WORDS = ['Nights', 'Echoes', 'Weather', 'Maps', 'Letters', 'Hours',
  'Islands', 'Motion', 'Winter', 'Summer', 'Colours', 'Dreams', 'Rooms', 'Roads',
  'Tapes', 'Sessions', 'Signals', 'Stories', 'Fields', 'Harbour'];

const SPECIAL_TRACKS = [
  'When I Paint My Masterpiece', 'Hello, Goodbye', '"Heroes"', "Don't Stop Me Now",
  '=SUM(A1:A9)', '+1 (Plus One)', '@ the Disco', '-Intro-', 'Line One\nLine Two',
  'Hyvää yötä', 'Kōhī', 'Спокойная ночь', '夜に駆ける', 'Ich weiß nicht', 'Çà et là',
  '🌊 Waves', 'It\'s "Complicated", Isn\'t It?', 'Back\\slash Blues', 'Tab\tStop',
  'A Very Long Title That Keeps Going Because Some Songs Really Do Have Titles This Long (Extended Twelve-Inch Remix, Remastered 2011, Live at the Hollywood Bowl)',
  'Svefn-g-englar', 'Viðrar vel til loftárása', 'Группа крови', 'Ëmïlÿ', 'ここにいるよ',
  'Última canción', 'Zwölf', 'Ψ', 'لا', 'Ōkami',
];
const TRACK_A = ['Slow', 'Last', 'First', 'Little', 'Summer', 'Winter', 'Golden',
  'Paper', 'Silent', 'Electric', 'Lonely', 'Night', 'Morning', 'Heavy', 'Tender',
  'Broken', 'Sweet', 'Cold', 'Burning', 'Hidden'];
const TRACK_B = ['Heart', 'Light', 'Song', 'Dance', 'Road', 'Train', 'River', 'Dream',
  'Fire', 'Rain', 'Ocean', 'Letter', 'Window', 'City', 'Ghost', 'Mirror', 'Stars',
  'Machine', 'Garden', 'Wave'];
const TRACK_SUFFIX = ['', '', '', '', '', ' (Remastered 2011)', ' - Live', ' (Demo)',
  ' (feat. Someone)', ' - Radio Edit', ', Pt. 2', ' (Acoustic)'];

const GENRES = ['indie folk', 'shoegaze', 'j-pop', 'russian post-punk', 'icelandic indie',
  'nordic house', 'chamber pop', 'grindcore', 'ambient', 'hip hop', 'k-pop',
  'neo-psychedelic', 'dream pop', 'art pop', 'techno', 'jazz fusion', 'bossa nova',
  'baroque pop', 'modern classical', 'krautrock', 'city pop', 'afrobeat'];
const LABELS = ['Smekkleysa', 'Sub Pop', 'Warp Records', 'Mute', 'Brainfeeder',
  'Ninja Tune', 'Big Dada', 'XL Recordings', 'Domino', '4AD', 'Matador',
  'Independent', 'Мелодия', 'ソニー・ミュージック'];

export const MARKETS = ['AR', 'BR', 'DE', 'FR', 'GB', 'IS', 'JP', 'PL', 'SE', 'US'];

const SHOWS = ['Dagens Eko', 'The Long Listen', 'Радио Свобода: Культура', 'ラジオの時間',
  'Song Exploder-ish', 'Café, Croissant & Code', '"Quotes" Weekly', 'Kvöldfréttir'];

// Local files: what people keep outside the catalog (bootlegs, rips, demos).
const LOCAL_FILES = [
  ['Bon Iver', 'For Emma, Forever Ago', 'Skinny Love (Bootleg)', 238],
  ['Unknown Artist', 'Unknown Album', 'Track 03', 187],
  ['Sigur Rós', 'Heima (Rip)', 'Starálfur', 402],
  ['Кино', 'Звезда по имени Солнце', 'Звезда по имени Солнце (live 1989)', 265],
  ['My Band', 'Rehearsal 2019-03-01', 'jam #4 "untitled"', 533],
  ['坂本龍一', 'Unreleased', 'Merry Christmas Mr. Lawrence (piano demo)', 301],
  ['Dad', 'Cassette Transfer', "Dad's Song, Side A", 156],
  ['Various', 'Mixtape 2007', '=HYPERLINK("x")', 212],
];

function zeroPad(n, w) { return String(n).padStart(w, '0'); }

export function buildCatalog() {
  const rng = rngFrom('linernotes-sim-catalog', CATALOG_VERSION);
  const artists = [];
  const usedArtistNames = new Set();

  for (let i = 0; i < N_ARTISTS; i++) {
    let name;
    if (i === 0) name = VARIOUS;
    else if (i - 1 < SPECIAL_ARTISTS.length) name = SPECIAL_ARTISTS[i - 1];
    else {
      do {
        const form = rng.int(0, 3);
        if (form === 0) name = `The ${rng.pick(ADJ)} ${rng.pick(NOUN)}`;
        else if (form === 1) name = `${rng.pick(ADJ)} ${rng.pick(NOUN)}`;
        else if (form === 2) name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
        else name = `${rng.pick(FIRST)} & the ${rng.pick(NOUN)}`;
      } while (usedArtistNames.has(name));
    }
    usedArtistNames.add(name);
    const nGenres = rng.chance(0.1) ? 0 : rng.int(1, 3);
    const genres = [];
    for (let g = 0; g < nGenres; g++) {
      const genre = rng.pick(GENRES);
      if (!genres.includes(genre)) genres.push(genre);
    }
    artists.push({
      idx: i,
      id: spotifyId('artist', CATALOG_VERSION, i),
      name,
      genres: i === 0 ? [] : genres,
      popularity: rng.int(0, 100),
      followers: Math.floor(rng() ** 3 * 5_000_000),
      hasImages: i !== 0 && !rng.chance(0.08),
      albums: [],
      tracks: [], // tracks where this artist is the primary artist
    });
  }

  // Albums. Release dates of every precision; a handful of brand-new releases
  // in the two weeks before the default start (2026-01-05).
  const NEW_RELEASE_BASE = Date.UTC(2025, 11, 22);
  const albums = [];
  for (let i = 0; i < N_ALBUMS; i++) {
    const r = rng();
    const album_type = r < 0.5 ? 'single' : r < 0.88 ? 'album' : 'compilation';
    // Every real artist (not "Various Artists") owns at least one album.
    const artist = album_type === 'compilation' ? 0 : (i < N_ARTISTS - 1 ? i + 1 : rng.int(1, N_ARTISTS - 1));
    let name;
    if (i % 37 === 5 && SPECIAL_ALBUMS.length > 0) name = SPECIAL_ALBUMS[(i / 37 | 0) % SPECIAL_ALBUMS.length];
    else if (album_type === 'compilation') name = `${rng.pick(['Best of', 'Now That\'s What I Call', 'Hits', 'Essentials:'])} ${rng.pick(ALBUM_WORDS)} ${rng.int(1, 9)}`;
    else if (album_type === 'single') name = ''; // named after its first track below
    else name = `${rng.pick(TRACK_A)} ${rng.pick(ALBUM_WORDS)}`;

    let release_date, release_date_precision;
    const isNew = i % 41 === 7;
    if (isNew) {
      const ms = NEW_RELEASE_BASE + rng.int(0, 13) * DAY;
      release_date = new Date(ms).toISOString().slice(0, 10);
      release_date_precision = 'day';
    } else {
      const y = rng.int(1958, 2025), m = rng.int(1, 12), d = rng.int(1, 28);
      const p = rng();
      if (p < 0.1) { release_date = `${y}`; release_date_precision = 'year'; }
      else if (p < 0.2) { release_date = `${y}-${zeroPad(m, 2)}`; release_date_precision = 'month'; }
      else { release_date = `${y}-${zeroPad(m, 2)}-${zeroPad(d, 2)}`; release_date_precision = 'day'; }
    }
    const nTracks = album_type === 'single' ? rng.int(1, 3) : album_type === 'album' ? rng.int(6, 12) : rng.int(6, 12);
    albums.push({
      idx: i,
      id: spotifyId('album', CATALOG_VERSION, i),
      name, album_type, artist, release_date, release_date_precision, isNew,
      nTracks,
      label: rng.pick(LABELS),
      popularity: rng.int(0, 100),
      hasImages: !rng.chance(0.07),
      upc: zeroPad(rng.int(0, 999999) * 1000000 + rng.int(0, 999999), 12),
      tracks: [],
    });
    if (album_type !== 'compilation') artists[artist].albums.push(i);
  }
  // Make the totals exactly N_TRACKS.
  let sum = albums.reduce((s, a) => s + a.nTracks, 0);
  while (sum > N_TRACKS) {
    const a = albums[rng.int(0, N_ALBUMS - 1)];
    if (a.nTracks > 1) { a.nTracks--; sum--; }
  }
  while (sum < N_TRACKS) {
    const a = albums[rng.int(0, N_ALBUMS - 1)];
    if (a.album_type !== 'single' && a.nTracks < 24) { a.nTracks++; sum++; }
  }

  const tracks = [];
  let specialTrack = 0;
  for (const al of albums) {
    for (let n = 0; n < al.nTracks; n++) {
      const i = tracks.length;
      let name;
      if (i % 61 === 3 && specialTrack < SPECIAL_TRACKS.length) name = SPECIAL_TRACKS[specialTrack++];
      else name = `${rng.pick(TRACK_A)} ${rng.pick(TRACK_B)}${rng.pick(TRACK_SUFFIX)}`;
      const trackArtists = [];
      if (al.album_type === 'compilation') trackArtists.push(rng.int(1, N_ARTISTS - 1));
      else trackArtists.push(al.artist);
      // multi-artist tracks: features and duets
      if (rng.chance(0.15)) {
        const extra = rng.int(1, rng.chance(0.2) ? 3 : 1);
        for (let k = 0; k < extra; k++) {
          const a = rng.int(1, N_ARTISTS - 1);
          if (!trackArtists.includes(a)) trackArtists.push(a);
        }
      }
      // durations: mostly 2.5-5.5 min; some short (31-50 s), some long
      const d = rng();
      let duration_ms;
      if (d < 0.05) duration_ms = rng.int(31_000, 50_000);
      else if (d < 0.93) duration_ms = rng.int(150_000, 330_000);
      else duration_ms = rng.int(420_000, 1_200_000);
      const disc_number = al.nTracks > 16 && n >= Math.ceil(al.nTracks / 2) ? 2 : 1;
      const track_number = disc_number === 2 ? n - Math.ceil(al.nTracks / 2) + 1 : n + 1;
      const t = {
        idx: i,
        id: spotifyId('track', CATALOG_VERSION, i),
        name, album: al.idx, artists: trackArtists, duration_ms,
        explicit: rng.chance(0.12),
        popularity: rng.int(0, 100),
        disc_number, track_number,
        isrc: `QZ${'ABCDEFGHJK'[rng.int(0, 9)]}${'LMNPRSTUVW'[rng.int(0, 9)]}${zeroPad(rng.int(0, 99), 2)}${zeroPad(rng.int(0, 99999), 5)}`,
      };
      tracks.push(t);
      al.tracks.push(i);
      artists[trackArtists[0]].tracks.push(i);
      if (al.album_type === 'single' && n === 0 && !al.name) al.name = name;
    }
  }
  // Artists that only appear on compilations still get their compilation tracks;
  // any artist left without a track gets one appended to a compilation track list.
  for (const a of artists) {
    if (a.idx !== 0 && a.tracks.length === 0) {
      const t = tracks[rng.int(0, N_TRACKS - 1)];
      if (!t.artists.includes(a.idx)) t.artists.push(a.idx);
      a.tracks.push(t.idx);
    }
  }

  const episodes = [];
  for (let s = 0; s < SHOWS.length; s++) {
    for (let e = 1; e <= 6; e++) {
      episodes.push({
        idx: episodes.length,
        id: spotifyId('episode', CATALOG_VERSION, s, e),
        name: `${SHOWS[s]} #${100 + e}: ${rng.pick(TRACK_A)} ${rng.pick(ALBUM_WORDS)}`,
        show: SHOWS[s],
        duration_ms: rng.int(15, 90) * 60_000,
      });
    }
  }

  const localFiles = LOCAL_FILES.map(([artist, album, title, seconds], idx) => ({
    idx, artist, album, title, seconds,
    uri: `spotify:local:${localEnc(artist)}:${localEnc(album)}:${localEnc(title)}:${seconds}`,
    duration_ms: seconds * 1000,
  }));

  const byId = { track: new Map(), artist: new Map(), album: new Map() };
  for (const t of tracks) byId.track.set(t.id, t.idx);
  for (const a of artists) byId.artist.set(a.id, a.idx);
  for (const a of albums) byId.album.set(a.id, a.idx);

  return { artists, albums, tracks, episodes, localFiles, byId };
}

// Spotify encodes local-file URI parts like an HTML form: spaces become '+'.
function localEnc(s) {
  return encodeURIComponent(s).replace(/%20/g, '+');
}
