/**
 * The Data Map JSON Schema as editors see it: the hand-written format
 * (`schemas/datamap.schema.json`) plus what the provider packs define — provider names, each
 * provider's operation ids, environments, auth schemes, credential names — so the YAML language
 * server completes and checks them as the user types. A build step (`npm run schema`) writes the
 * result back into the same file; a test fails when the file is stale.
 *
 * The generated constraints live in `$defs.providerName` and `$defs.packs` (one `if`/`then` per
 * pack, referenced from the root `allOf`). The engine validates without them
 * (`engineDataMapSchema`): its own cross-field rules report the same mistakes with a did-you-mean.
 */
import type { ProviderPack } from '../providers/pack-types.js';

type Json = Record<string, unknown>;

const PACKS_REF = { $ref: '#/$defs/packs' };

/** The provider name as the engine checks it (the pack is looked up, with a did-you-mean). */
const PROVIDER_NAME = { type: 'string', pattern: '^[a-z][a-z0-9-]*$' };

/**
 * The schema the engine validates a Data Map against: the editor schema without the constraints
 * generated from the packs. The engine's own rules report those mistakes better (an unknown
 * operation or provider with a did-you-mean, at the value), so AJV must not report them first.
 */
export function engineDataMapSchema(editorSchema: Json): Json {
  const schema = structuredClone(editorSchema);
  const defs = { ...((schema.$defs ?? {}) as Json) };
  delete defs.packs;
  defs.providerName = PROVIDER_NAME;
  schema.$defs = defs;
  if (Array.isArray(schema.allOf)) {
    const rest = (schema.allOf as unknown[]).filter((x) => JSON.stringify(x) !== JSON.stringify(PACKS_REF));
    if (rest.length > 0) schema.allOf = rest;
    else delete schema.allOf;
  }
  schema.$id = 'https://datamap.dev/schemas/datamap.engine.schema.json';
  return schema;
}

/** The editor schema for these packs (by name), built on the hand-written `base`. Pure. */
export function dataMapEditorSchema(base: Json, packs: readonly ProviderPack[]): Json {
  const schema = structuredClone(base);
  const defs = (schema.$defs ?? {}) as Json;
  const sorted = [...packs].sort((a, b) => a.name.localeCompare(b.name));
  defs.providerName = {
    type: 'string',
    description: `A provider pack: ${sorted.map((p) => `${p.name} (${p.title})`).join(', ')}.`,
    enum: sorted.map((p) => p.name),
  };
  defs.packs = {
    description: 'Generated from providers/*.yaml by npm run schema: per provider, its operations, environments, auth schemes and credentials.',
    allOf: sorted.map(packRule),
  };
  schema.$defs = defs;
  const allOf = Array.isArray(schema.allOf) ? (schema.allOf as unknown[]) : [];
  if (!allOf.some((x) => JSON.stringify(x) === JSON.stringify(PACKS_REF))) allOf.push(PACKS_REF);
  schema.allOf = allOf;
  return schema;
}

function packRule(pack: ProviderPack): Json {
  const operations = Object.entries(pack.operations).filter(([, op]) => !op.internal).map(([id]) => id).sort();
  const everyOperation = Object.keys(pack.operations).sort();
  const environments = Object.keys(pack.environments);
  const schemes = Object.keys(pack.auth.schemes);
  const credentials = Object.keys(pack.credentials);
  const settings: Json = {
    type: 'object',
    properties: {
      environment: { type: 'string', description: `Environment of ${pack.name}: ${environments.join(', ')} (default ${pack.defaultEnvironment}).`, enum: environments },
      auth: { type: 'string', description: `Auth scheme of ${pack.name}: ${schemes.join(', ')} (default ${pack.auth.default}).`, enum: schemes },
      credentials: { type: 'object', propertyNames: { enum: credentials } },
      operations: { type: 'object', propertyNames: { enum: everyOperation } },
    },
  };
  return {
    if: {
      type: 'object',
      required: ['provider'],
      properties: { provider: { anyOf: [{ const: pack.name }, { type: 'object', required: ['name'], properties: { name: { const: pack.name } } }] } },
    },
    then: {
      type: 'object',
      properties: {
        provider: { anyOf: [{ const: pack.name }, settings] },
        steps: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              operation: { type: 'string', description: `Operation of ${pack.name}: ${operations.join(', ')}.`, enum: operations },
            },
          },
        },
      },
    },
  };
}

/** The schema as written to disk: two-space JSON with a final newline. */
export function formatSchema(schema: Json): string {
  return JSON.stringify(schema, null, 2) + '\n';
}
