// signin.mjs — a browser page signs in as a person does: the shell's
// "Sign in with Spotify" link, the simulator's /authorize (which signs its
// first user, user1, in), back on the journal's Plays.
//
//   await signInPage(page, ctx)   ctx: an authStack() (../../integration/
//                                 auth-lib.mjs); resolves once the header
//                                 shows who is signed in
export async function signInPage(page, ctx) {
	await page.goto(`${ctx.base}/`);
	const link = page.locator('header a', { hasText: 'Sign in with Spotify' });
	await link.waitFor();
	await Promise.all([
		page.waitForURL(`${ctx.base}/#/u/user1/plays`, { timeout: 20000 }),
		link.click(),
	]);
	await page.locator('header .account .who').waitFor();
}
