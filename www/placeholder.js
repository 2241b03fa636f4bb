// placeholder.js — asks the read API whether it is up and shows the answer
// on the placeholder page (www/index.html).
'use strict';

async function showHealth() {
	const out = document.getElementById('health');
	try {
		const res = await fetch('/api/v0/health', {
			headers: { Accept: 'application/json' },
		});
		const body = await res.json();
		out.textContent = JSON.stringify(body, null, 2);
		out.dataset.state = res.ok && body.status === 'ok' ? 'ok' : 'error';
	} catch (e) {
		out.textContent = 'the API did not answer: ' + e.message;
		out.dataset.state = 'error';
	}
}

showHealth();
