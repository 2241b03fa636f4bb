// chart.js — Chart.js for the pages that draw charts, loaded the first
// time one is shown (a plain script: the UMD build in www/vendor/ sets
// window.Chart), the colours of app.css for it to use, and what every
// chart component does to draw (useChart).

import { nextTick, onBeforeUnmount, ref, watch } from
    '../vendor/vue.runtime.esm-browser.prod.js';

let chartLib = null;

// Resolves to Chart.js; rejects (and lets a later call retry) when the
// script does not load.
export function loadChart() {
	if (!chartLib)
		chartLib = new Promise((resolve, reject) => {
			if (window.Chart)
				return resolve(window.Chart);
			const el = document.createElement('script');
			el.src = 'vendor/chart.umd.min.js';
			el.onload = () => resolve(window.Chart);
			el.onerror = () => {
				chartLib = null;
				reject(new Error('the chart library did not load'));
			};
			document.head.appendChild(el);
		});
	return chartLib;
}

// The value of a CSS custom property of the page (e.g. '--accent').
export function cssVar(name) {
	return getComputedStyle(document.documentElement)
	    .getPropertyValue(name).trim();
}

// What a chart component does before it draws: loads Chart.js, then waits
// for Vue to render.  Resolves to Chart, or to null when there is nothing
// to draw on: the library did not load (err, a ref, gets the message) or
// the canvas (a ref) is gone.
export async function chartReady(canvas, err) {
	let Chart;
	try {
		Chart = await loadChart();
	} catch (e) {
		err.value = e.message;
		return null;
	}
	await nextTick();
	return canvas.value ? Chart : null;
}

// A chart component's drawing, called in its setup(): draws a chart on
// the canvas with config(colours) (Chart.js's configuration; colours has
// fg, grid and accent from app.css) now and whenever deps() changes,
// replacing the one drawn before, and destroys it when the component
// goes.  Returns the refs { canvas, err } for the component to render:
// the canvas to draw on and the message when the library did not load.
export function useChart(deps, config) {
	const canvas = ref(null);
	const err = ref(null);
	let chart = null;

	async function draw() {
		const Chart = await chartReady(canvas, err);
		if (!Chart)
			return;
		chart?.destroy();
		chart = new Chart(canvas.value, config({ fg: cssVar('--muted'),
			grid: cssVar('--line'), accent: cssVar('--accent') }));
	}
	watch(deps, draw, { immediate: true });
	onBeforeUnmount(() => chart?.destroy());
	return { canvas, err };
}
