// demo-weeks.mjs — runs the collector through weeks of the simulator's
// time, as `make demo` does at start-up (tests/stack.sh run_weeks), so the
// demo shows what linernotes keeps over time: top lists that change, weeks
// of Discover Weekly, and gaps where plays were honestly lost.
//
//   node tests/tools/demo-weeks.mjs SIM_URL CONFIG COLLECTOR WEEKS
//
// The simulator's clock starts WEEKS weeks before now (stack.sh starts it
// so) and this moves it on to now, with the collector (on the simulator's
// clock through clock_file) polling as a collector that keeps up would,
// only faster.  The polls are planned from the simulator's ground truth of
// the listening to come (GET /_sim/truth/:id?ahead=1):
//   * a user's plays once PLAYS_AT plays went by since that user's last
//     poll (Spotify remembers 50), or after PLAYS_MAX_H hours;
//   * top lists and Discover Weekly twice a week, the profile weekly;
//   * in weeks 3 to 5 the simulator answers as for a development-mode app,
//     which Spotify refuses Discover Weekly: those weeks are reconstructed
//     from the plays heard in its context, and say so;
//   * in week 6 the collector is down for OUTAGE_H hours, as a machine
//     switched off would be: a listener who plays more than the 50 plays
//     Spotify remembers loses plays, and the collector records the gap.
// Prints one line a week; exits non-zero with the collector's message when
// a poll fails.

import { spawnSync } from 'node:child_process';

const HOUR = 3600e3;
const WEEK = 7 * 24 * HOUR;
const PLAYS_AT = 40;		/* plays since a poll that make the next */
const PLAYS_MAX_H = 12;		/* hours between a user's polls at most */
const LISTS_EVERY_H = 84;	/* top lists and Discover Weekly */
const PROFILE_EVERY_H = 168;
const OUTAGE_H = 30;

const [simUrl, config, collector, weeksArg] = process.argv.slice(2);
const weeks = Number(weeksArg);
if (!simUrl || !config || !collector || !(weeks >= 1 && weeks <= 52)) {
	process.stderr.write('usage: node tests/tools/demo-weeks.mjs SIM_URL ' +
	    'CONFIG COLLECTOR WEEKS (1..52)\n');
	process.exit(2);
}

async function admin(method, path, body) {
	const r = await fetch(`${simUrl}/_sim/${path}`, { method,
		headers: body ? { 'content-type': 'application/json' } : {},
		body: body ? JSON.stringify(body) : undefined });
	if (!r.ok)
		throw new Error(`simulator ${method} ${path}: ${r.status} ` +
		    `${await r.text()}`);
	return r.json();
}

function poll(jobs, user) {
	const args = ['-c', config, 'poll-once', '--jobs', jobs];
	if (user)
		args.push('--user', user);
	const r = spawnSync(collector, args, { encoding: 'utf8' });
	if (r.status !== 0) {
		process.stderr.write(r.stderr);
		throw new Error(`poll-once --jobs ${jobs} failed (${r.status})`);
	}
}

const state = await admin('GET', 'state');
const start = state.now_ms;
const end = Date.now();
const outFrom = start + 5 * WEEK;
const outTo = outFrom + OUTAGE_H * HOUR;

// The plan: [time, what, user], in time order.
const plan = [];
for (const { id } of state.users) {
	const truth = await admin('GET', `truth/${id}?from_ms=${start + 1}` +
	    `&to_ms=${end}&ahead=1`);
	// As a collector that keeps up would time them; then every poll the
	// outage falls on is lost, and the first one after it comes at its end.
	let last = start;
	let n = 0;
	const at = (t) => {
		if (t < outFrom || t >= outTo)
			plan.push([t, 'plays', id]);
		last = t;
		n = 0;
	};
	for (const p of truth.plays) {
		while (p.played_at_ms > last + PLAYS_MAX_H * HOUR)
			at(last + PLAYS_MAX_H * HOUR);
		if (++n >= PLAYS_AT)
			at(p.played_at_ms + 1000);
	}
	plan.push([outTo, 'plays', id]);
}
for (let t = start + LISTS_EVERY_H * HOUR, k = 1; t < end;
    t += LISTS_EVERY_H * HOUR, k++)
	plan.push([t, k % 2 === 0 ? 'top,dw,profile' : 'top,dw', null]);
plan.push([start + 2 * WEEK, 'mode', 'development']);
plan.push([start + 5 * WEEK, 'mode', 'extended']);
plan.sort((a, b) => a[0] - b[0]);

let now = start;
let week = 1;
poll('all');
for (const [t, what, who] of plan) {
	if (t > end)
		break;
	if (t > now) {
		await admin('POST', 'clock', { set_ms: t });
		now = t;
	}
	while (now >= start + week * WEEK) {
		process.stdout.write(`week ${week} of ${weeks} done\n`);
		week++;
	}
	if (what === 'mode')
		await admin('POST', 'mode', { mode: who });
	else
		poll(what, who);
}
// Up to now, with the minutes this took.
await admin('POST', 'mode', { mode: 'extended' });
await admin('POST', 'clock', { set_ms: Math.max(now, Date.now()) });
poll('all');
process.stdout.write(`${weeks} weeks polled\n`);
