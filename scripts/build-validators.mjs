#!/usr/bin/env node
// Generates the AJV validators of the shipped schemas, the engine's Data Map schema and the
// shipped maps' input and setting schemas into dist/validators (run by `npm run build`, after tsc), so that
// no start of the engine compiles them again, with V8's code cache of each. Needs dist/ built.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDataMap } from '../dist/index.js';
import { generateValidators, writeCodeCaches } from '../dist/schemas/generate-validators.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const inputs = [];
for (const name of readdirSync(join(root, 'mappings')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).sort()) {
  const { map } = checkDataMap({ file: join(root, 'mappings', name) });
  if (map?.spec.input && typeof map.spec.input === 'object') inputs.push(map.spec.input);
  // the value schemas of its settings (a setting without one gets the default schema)
  for (const s of map?.settings ?? []) inputs.push(s.spec.schema ?? { type: 'string', minLength: 1 });
}
const { files, bytes } = generateValidators(inputs);
// V8's code cache of each, so a start does not compile them either
writeCodeCaches();
if (!process.argv.includes('--quiet')) console.log(`validators: ${files} generated (${Math.round(bytes / 1024)} KiB) → dist/validators`);
