#!/usr/bin/env node
// Writes the shipped provider packs, parsed from their YAML and validated, as JSON into
// dist/packs (run by `npm run build`, after tsc): a start then reads JSON instead of parsing
// YAML, as long as the pack's file has the text the JSON came from. Needs dist/ built.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listProviders, loadPack } from '../dist/providers/registry.js';
import { writeCachedPack } from '../dist/providers/pack-cache.js';
import { PROVIDERS_DIR } from '../dist/paths.js';
import { shippedSchemasHash } from '../dist/schemas/ajv.js';

const written = [];
for (const name of listProviders()) {
  const pack = loadPack(name, false);
  // checked against the shipped schemas of now (their hash says which)
  if (writeCachedPack(name, readFileSync(join(PROVIDERS_DIR, `${name}.yaml`), 'utf8'), pack, shippedSchemasHash())) written.push(name);
}
if (!process.argv.includes('--quiet')) console.log(`packs: ${written.join(', ') || 'none'} → dist/packs`);
