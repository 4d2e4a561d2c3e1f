// Prints the README's error-code table from the catalogue (src/errors/catalogue.ts, built into
// dist/). Paste it under "## Error codes"; test/package/docs.test.ts fails when they differ.
import { CATALOGUE } from '../dist/index.js';

const cell = (s) => s.replace(/\|/g, '\\|');
console.log('| code | title | hint |\n|---|---|---|');
for (const [code, { title, hint }] of Object.entries(CATALOGUE)) console.log(`| \`${code}\` | ${cell(title)} | ${cell(hint)} |`);
