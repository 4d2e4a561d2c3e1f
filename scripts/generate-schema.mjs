// Writes the provider-derived parts of schemas/datamap.schema.json (provider names, each
// provider's operations, environments, auth schemes and credentials) from providers/*.yaml, so
// editors complete and check them. Run after changing a pack: `npm run schema`. With --check it
// only reports whether the file is up to date (exit 1 when stale). test/editor checks it too.
import { readFileSync, writeFileSync } from 'node:fs';
import { dataMapEditorSchema, formatSchema } from '../dist/editor/index.js';
import { getProvider, listProviders } from '../dist/providers/registry.js';

const file = new URL('../schemas/datamap.schema.json', import.meta.url);
const current = readFileSync(file, 'utf8');
const next = formatSchema(dataMapEditorSchema(JSON.parse(current), listProviders().map((n) => getProvider(n))));
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('schemas/datamap.schema.json is stale: run npm run schema');
    process.exit(1);
  }
  console.log('schemas/datamap.schema.json is up to date');
} else if (next !== current) {
  writeFileSync(file, next);
  console.log('schemas/datamap.schema.json: regenerated from the provider packs');
} else {
  console.log('schemas/datamap.schema.json: already up to date');
}
