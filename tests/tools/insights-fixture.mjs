// insights-fixture.mjs — a generated three-year journal with planted
// patterns whose insights are known (tests/integration/
// api-insights.test.mjs and tests/browser/insights.test.mjs):
//
//   a 73-play binge of one track from 23:03 Berlin time on 3 Oct 2018;
//   a December favourite played 3 times a day on 1..24 December of 2017
//   and 2018 and never otherwise (each December's seasonal song);
//   a track (and its artist) played daily 25 Feb..1 Mar 2017, then not
//   for exactly 400 days;
//   an artist played once a day on each of the 30 days of June 2019 only.
//
// Around them, four plays a day of thirty filler tracks (never the same
// one twice in a row).  Users: ivy (public, Europe/Berlin), utcuser
// (public, no zone), pat (private); all three have the same plays.
//
//   insightsFixture() -> {recs, plays}   records for fixture.mjs load()

import { spotifyId } from './fixture.mjs';

export const DAY = 86400000;
export const MIN = 60000;
export const utc = (s) => Date.parse(s);

const filler = Array.from({ length: 30 }, (_, i) => spotifyId('T', 100 + i));
const fillerArtists = Array.from({ length: 10 }, (_, i) =>
    spotifyId('R', 100 + i));
const album = spotifyId('L', 1);
export const planted = {
	binge: spotifyId('T', 1), bingeArtist: spotifyId('R', 1),
	xmas: spotifyId('T', 2), xmasArtist: spotifyId('R', 2),
	back: spotifyId('T', 3), backArtist: spotifyId('R', 3),
	june: spotifyId('T', 4), juneArtist: spotifyId('R', 4),
};
export const FIRST = utc('2017-01-01T00:00:00Z');
export const DAYS = 1095;			// 2017-01-01 .. 2019-12-31
const FILLER_HOURS = [7, 11, 17, 20];	// UTC: the same day in Berlin
export const BINGE_FIRST = utc('2018-10-03T21:03:00Z');	// 23:03 in Berlin
export const BACK_BEFORE = utc('2017-03-01T09:00:00Z');
export const BACK_AFTER = BACK_BEFORE + 400 * DAY + 30 * MIN;

// The whole journal as plays {played_at, track_id}, and the records.
export function insightsFixture() {
	const recs = [
		{ type: 'user', id: 'ivy', display_name: 'Ivy',
		    visibility: 'public', timezone: 'Europe/Berlin' },
		{ type: 'user', id: 'utcuser', visibility: 'public' },
		{ type: 'user', id: 'pat', visibility: 'private',
		    timezone: 'Europe/Berlin' },
		{ type: 'album', id: album, name: 'Album', album_type: 'album',
		    release_date: '2001-01-01', artist_ids: [fillerArtists[0]],
		    images: [], total_tracks: 40 },
	];
	const artistName = (id, i) => ({ type: 'artist', id,
	    name: `Artist ${i}`, genres: [], images: [], popularity: 50 });
	fillerArtists.forEach((id, i) => recs.push(artistName(id, i)));
	recs.push({ ...artistName(planted.bingeArtist, 'B'),
	    name: 'Bob Dylan' });
	recs.push({ ...artistName(planted.xmasArtist, 'X'),
	    name: 'Christmas Band' });
	recs.push({ ...artistName(planted.backArtist, 'R'),
	    name: 'Returning Artist' });
	recs.push({ ...artistName(planted.juneArtist, 'S'),
	    name: 'June Artist' });
	const track = (id, name, artist) => ({ type: 'track', id, name,
	    uri: `spotify:track:${id}`, album_id: album, artist_ids: [artist],
	    duration_ms: 180000 });
	filler.forEach((id, i) => recs.push(track(id, `Filler ${i}`,
	    fillerArtists[i % 10])));
	recs.push(track(planted.binge, 'When I Paint My Masterpiece',
	    planted.bingeArtist));
	recs.push(track(planted.xmas, 'Christmas Song', planted.xmasArtist));
	recs.push(track(planted.back, 'The Comeback', planted.backArtist));
	recs.push(track(planted.june, 'June Song', planted.juneArtist));

	const plays = [];
	let n = 0;
	for (let d = 0; d < DAYS; d++)
		for (const h of FILLER_HOURS)
			plays.push({ played_at: FIRST + d * DAY + h * 3600000,
			    track_id: filler[(n++ * 7) % 30] });
	for (let i = 0; i < 73; i++)
		plays.push({ played_at: BINGE_FIRST + i * 3 * MIN,
		    track_id: planted.binge });
	for (const y of [2017, 2018])
		for (let d = 1; d <= 24; d++)
			for (const h of [13, 14, 15])
				plays.push({ played_at: utc(`${y}-12-${String(d)
				    .padStart(2, '0')}T${h}:00:00Z`),
				    track_id: planted.xmas });
	// One a day (never a binge): 25 Feb .. 1 Mar 2017, then 3 days.
	for (let i = 0; i < 5; i++)
		plays.push({ played_at: BACK_BEFORE - i * DAY,
		    track_id: planted.back });
	for (let i = 0; i < 3; i++)
		plays.push({ played_at: BACK_AFTER + i * DAY,
		    track_id: planted.back });
	for (let d = 1; d <= 30; d++)
		plays.push({ played_at: utc(`2019-06-${String(d)
		    .padStart(2, '0')}T12:00:00Z`), track_id: planted.june });
	for (const u of ['ivy', 'pat', 'utcuser'])
		for (const p of plays)
			recs.push({ type: 'play', user: u, source: 'api',
			    ms_played: -1, ...p });
	return { recs, plays };
}

