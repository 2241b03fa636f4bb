// timeline.test.mjs — the Plays page's folding of runs (www/js/util.js,
// a plain module the browser and node both load), on hand-made plays:
// consecutive plays of one track fold, a recorded gap between two of them
// keeps them apart, and plays without a track never fold.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { foldRuns } from '../../www/js/util.js';

const play = (track_id, played_at) => ({ track_id, played_at });

test('consecutive plays of one track fold into one run', () => {
	const r = foldRuns([play('a', 50), play('a', 40), play('b', 30),
		play(null, 20), play(null, 10)]);
	assert.deepEqual(r.map((x) => [x.track_id, x.first, x.last,
		x.plays.length]), [['a', 40, 50, 2], ['b', 30, 30, 1],
		[null, 20, 20, 1], [null, 10, 10, 1]]);
});

test('a recorded gap between two plays of one track breaks the run', () => {
	const plays = [play('a', 50), play('a', 40), play('a', 30),
		play('a', 20)];
	// The gap's "to" is the oldest play after it, "from" the newest
	// before it: plays between 30 and 40 may be missing.
	const r = foldRuns(plays, [{ from: 30, to: 40 }]);
	assert.deepEqual(r.map((x) => [x.first, x.last]), [[40, 50], [20, 30]]);
	// A gap elsewhere in time changes nothing.
	assert.equal(foldRuns(plays, [{ from: 1, to: 5 }]).length, 1);
});
