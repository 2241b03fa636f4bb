// chart.js — Chart.js for the pages that draw charts, loaded the first
// time one is shown (a plain script: the UMD build in www/vendor/ sets
// window.Chart), and the colours of app.css for it to use.

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
