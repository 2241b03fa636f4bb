// serve.mjs — builds the browser tests' journal and keeps it running, for
// working on the pages by hand:  node tests/browser/serve.mjs
// prints the URL; Ctrl-C stops everything.
import { buildJournal } from './lib/journal.mjs';

const j = await buildJournal();
console.log(`linernotes pages: ${j.stack.baseUrl}/  (journal ${j.main}, ` +
    `its now ${new Date(j.now).toISOString()}: TEST_START moves it)`);
await new Promise(() => {});
