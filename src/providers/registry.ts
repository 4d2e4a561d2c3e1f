import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { readTextFile } from '../source/read-file.js';
import { parseYamlSource } from '../source/yaml-document.js';
import { PROVIDERS_DIR } from '../paths.js';
import { cachedPack } from './pack-cache.js';
import { shippedSchemasHash, shippedValidator } from '../schemas/ajv.js';
import { toViolations, formatPath } from '../schemas/ajv-diagnostics.js';
import type { OperationSpec, ProviderPack } from './pack-types.js';

const packs = new Map<string, ProviderPack>();
let scanned: string[] | undefined;

/** Names of the installed provider packs. */
export function listProviders(): string[] {
  scanned ??= readdirSync(PROVIDERS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
  return scanned;
}

/**
 * Loads (once) and returns a provider pack, validated against its schema. A shipped pack whose
 * file is unchanged since the build is read from the JSON the build parsed it into
 * (src/providers/pack-cache.ts); any other is parsed from its YAML.
 */
export function getProvider(name: string): ProviderPack | undefined {
  const cached = packs.get(name);
  if (cached) return cached;
  if (!listProviders().includes(name)) return undefined;
  const pack = loadPack(name, true);
  packs.set(name, pack);
  return pack;
}

/** Parses and validates a pack's file; `useCache`: the build's JSON of the same text will do. */
export function loadPack(name: string, useCache: boolean): ProviderPack {
  const file = join(PROVIDERS_DIR, `${name}.yaml`);
  const text = readTextFile(file);
  const built = useCache ? cachedPack(name, text, shippedSchemasHash()) : undefined;
  // parsed without diagnostics at build time, and checked against the schemas of now
  if (built?.checked) return built.pack as ProviderPack;
  const validate = shippedValidator('provider-pack.schema.json');
  // checked against other schemas: check it again (a schema may have changed since the build)
  if (built !== undefined && validate(built.pack)) return built.pack as ProviderPack;
  const doc = parseYamlSource(file, text);
  if (doc.diagnostics.length > 0) throw new DatamapError(doc.diagnostics);
  if (!validate(doc.value)) {
    throw new DatamapError(toViolations(validate.errors).map((v) =>
      diagnostic('internal/error', `Provider pack ${name}: ${formatPath(v.path)} ${v.message}`, { location: doc.locate(v.path, { key: v.atKey }) })));
  }
  return doc.value as ProviderPack;
}

/** Operations a Data Map may use (internal ones such as the token exchange excluded). */
export function publicOperations(pack: ProviderPack): Array<[string, OperationSpec]> {
  return Object.entries(pack.operations).filter(([, op]) => !op.internal);
}

/** Names of the `{param}` placeholders in a path template. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}
