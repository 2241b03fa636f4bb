#!/usr/bin/env node
// gen-history.mjs — a large, deterministic Spotify extended streaming
// history for the import benchmark (and anyone who wants to try the
// importer on realistic volumes without a real download).
//
//   node tests/tools/gen-history.mjs [--plays N] [--files N] [--years N]
//        [--seed S] [--compact] [--old] OUTDIR
//
// Writes N records (default 200,000) spread over --years years (10) into
// --files files (13) named like Spotify's own
// (Streaming_History_Audio_YYYY-YYYY_K.json, or endsong_K.json with --old,
// which also switches to the older key set).  Records are in time order,
// ts is the end of the stream, pretty-printed with two spaces like the
// download (--compact: one line).  The mix is roughly what real histories
// show: about 15 % short plays (< 30 s), 2 % podcast episodes, 1 %
// incognito, a few local files and null URIs, multi-byte and hostile names
// (commas, quotes, a leading '=').  Prints one summary line as JSON:
// {"files", "records", "bytes", "largest_bytes", "counting"} where
// counting is how many records the importer should store (>= 30 s music,
// not incognito).  Node.js built-ins only.
import fs from 'node:fs';
import path from 'node:path';

function usage() {
	console.error('usage: gen-history.mjs [--plays N] [--files N] [--years N] [--seed S] [--compact] [--old] OUTDIR');
	process.exit(2);
}

const opt = { plays: 200000, files: 13, years: 10, seed: 'linernotes', compact: false, old: false, out: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	if (a === '--plays') opt.plays = Number(argv[++i]);
	else if (a === '--files') opt.files = Number(argv[++i]);
	else if (a === '--years') opt.years = Number(argv[++i]);
	else if (a === '--seed') opt.seed = argv[++i];
	else if (a === '--compact') opt.compact = true;
	else if (a === '--old') opt.old = true;
	else if (a.startsWith('-')) usage();
	else opt.out = a;
}
if (!opt.out || !(opt.plays > 0) || !(opt.files > 0) || !(opt.years > 0)) usage();

// mulberry32 seeded from a string: the same arguments give the same bytes.
function rngFrom(s) {
	let h = 1779033703 ^ s.length;
	for (let i = 0; i < s.length; i++) {
		h = Math.imul(h ^ s.charCodeAt(i), 3432918353);
		h = (h << 13) | (h >>> 19);
	}
	let a = h >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
const rng = rngFrom(opt.seed);
const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = (arr) => arr[Math.floor(rng() * arr.length)];
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const spid = () => { let s = ''; for (let i = 0; i < 22; i++) s += B62[Math.floor(rng() * 62)]; return s; };

const WORDS = ['Night', 'River', 'Paper', 'Gold', 'Winter', 'Echo', 'Glass', 'Motion', 'Lights', 'Ocean',
	'Ghost', 'Velvet', 'Signal', 'Summer', 'Dust', 'Fire', 'Heart', 'Stone', 'Machine', 'Garden',
	'Café', 'Ångström', 'Niño', 'Übermut', 'Жизнь', '夜明け', 'Sœur', 'Fjäril', 'Ça va', 'Żółw'];
const HOSTILE = ['=HYPERLINK("x")', '+1 Remix', '-Intro-', '@home', 'Song, with "quotes"', "It's, like, fine",
	'Line\nbreak', 'Tab\there', '\'=quoted', 'Semi; colon'];
const title = () => {
	if (rng() < 0.01) return pick(HOSTILE);
	const n = int(1, 3);
	const w = [];
	for (let i = 0; i < n; i++) w.push(pick(WORDS));
	return w.join(' ');
};

// A catalog: artists with albums with tracks.
const artists = [];
for (let a = 0; a < 3000; a++) artists.push({ name: rng() < 0.2 ? `${title()} & the ${pick(WORDS)}s` : title() + (rng() < 0.3 ? ` ${a}` : ''), tracks: [] });
const tracks = [];
for (let t = 0; t < 30000; t++) {
	const ar = int(0, artists.length - 1);
	const album = `${title()} ${int(1, 9)}`;
	const tr = { id: spid(), name: title(), artist: artists[ar].name, album, ms: int(90000, 420000) };
	tracks.push(tr);
	artists[ar].tracks.push(tr);
}
const locals = [];
for (let i = 0; i < 20; i++) locals.push({ artist: pick(artists).name, album: 'Home Tapes', name: title(), ms: int(60000, 300000) });
const episodes = [];
for (let i = 0; i < 200; i++) episodes.push({ name: `Episode ${i}: ${title()}`, show: `The ${pick(WORDS)} Show`, id: spid(), ms: int(600000, 3600000) });
const PLATFORMS = ['android', 'ios', 'windows', 'osx', 'linux', 'web_player'];
const COUNTRIES = ['SE', 'DE', 'JP', 'US', 'BR', 'FR'];
const REASONS_START = ['trackdone', 'fwdbtn', 'clickrow', 'playbtn', 'appload'];

const DAY = 86400000;
const end0 = Date.UTC(2026, 0, 1);
const start0 = end0 - opt.years * 365 * DAY;
const step = (end0 - start0) / opt.plays;
const fs0 = Math.floor(opt.plays / opt.files);

fs.mkdirSync(opt.out, { recursive: true });
let t = start0;
let counting = 0;
let bytes = 0;
let largest = 0;
let records = 0;
let favourite = pick(artists);
for (let f = 0; f < opt.files; f++) {
	const n = f === opt.files - 1 ? opt.plays - fs0 * (opt.files - 1) : fs0;
	const rows = [];
	for (let i = 0; i < n; i++) {
		// Plays come in sessions; time always moves forward.
		// Mean increment: 0.9 * 0.5 + 0.1 * 3 = 0.75 steps, scaled to 1.
		t += (rng() < 0.9 ? step * (0.2 + rng() * 0.6) : step * (1 + rng() * 4)) / 0.75;
		if (rng() < 0.002) favourite = pick(artists);
		const r = rng();
		let kind = 'track';
		if (r < 0.02) kind = 'episode';
		else if (r < 0.025) kind = 'local';
		else if (r < 0.03) kind = 'nulluri';
		let tr;
		if (kind === 'episode') tr = pick(episodes);
		else if (kind === 'local') tr = pick(locals);
		else tr = favourite.tracks.length && rng() < 0.5 ? pick(favourite.tracks) : pick(tracks);
		const short = rng() < 0.15;
		const ms = short ? int(500, 29999) : Math.min(tr.ms, int(30000, tr.ms + 60000));
		const incognito = rng() < 0.01;
		const end = Math.floor(t);
		const ts = new Date(Math.floor(end / 1000) * 1000).toISOString().replace('.000Z', 'Z');
		const offline = rng() < 0.03;
		const music = kind !== 'episode';
		let uri = null;
		if (kind === 'track') uri = `spotify:track:${tr.id}`;
		else if (kind === 'local') uri = `spotify:local:${encodeURIComponent(tr.artist).replace(/%20/g, '+')}:${encodeURIComponent(tr.album).replace(/%20/g, '+')}:${encodeURIComponent(tr.name).replace(/%20/g, '+')}:${Math.floor(tr.ms / 1000)}`;
		const common = {
			master_metadata_track_name: music ? tr.name : null,
			master_metadata_album_artist_name: music ? tr.artist : null,
			master_metadata_album_album_name: music ? tr.album : null,
			spotify_track_uri: uri,
			episode_name: music ? null : tr.name,
			episode_show_name: music ? null : tr.show,
			spotify_episode_uri: music ? null : `spotify:episode:${tr.id}`,
		};
		const tail = {
			reason_start: pick(REASONS_START),
			reason_end: short ? 'fwdbtn' : 'trackdone',
			shuffle: rng() < 0.4,
			skipped: short,
			offline,
			offline_timestamp: rng() < 0.5 ? Math.floor((end - ms) / 1000) : end - ms,
			incognito_mode: incognito,
		};
		if (opt.old) {
			rows.push({ ts, username: 'bench', platform: pick(PLATFORMS), ms_played: ms, conn_country: pick(COUNTRIES),
				ip_addr_decrypted: '198.51.100.7', user_agent_decrypted: 'unknown', ...common, ...tail });
		} else {
			rows.push({ ts, platform: pick(PLATFORMS), ms_played: ms, conn_country: pick(COUNTRIES), ip_addr: '198.51.100.7',
				...common, audiobook_title: null, audiobook_uri: null, audiobook_chapter_uri: null,
				audiobook_chapter_title: null, ...tail });
		}
		if (music && !short && !incognito) counting++;
	}
	const y0 = new Date(Date.parse(rows[0].ts)).getUTCFullYear();
	const y1 = new Date(Date.parse(rows[rows.length - 1].ts)).getUTCFullYear();
	const name = opt.old ? `endsong_${f}.json` : `Streaming_History_Audio_${y0}-${y1}_${f}.json`;
	const text = opt.compact ? JSON.stringify(rows) : JSON.stringify(rows, null, 2);
	fs.writeFileSync(path.join(opt.out, name), text);
	const size = Buffer.byteLength(text);
	bytes += size;
	largest = Math.max(largest, size);
	records += rows.length;
}
console.log(JSON.stringify({ files: opt.files, records, bytes, largest_bytes: largest, counting }));
