import { hash as digest } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMAS_DIR } from '../paths.js';
import { AJV_CONFIG_ID, createAjv } from './ajv-config.js';
import { builtShippedHash, generatedStandaloneValidator, generatedValidator } from './generated.js';

export { createAjv };

export const SCHEMA_BASE = 'https://datamap.dev/schemas/';

interface Shipped {
  /** `$id` → the schema's JSON. */
  byId: Map<string, unknown>;
  /** The AJV configuration, then `\0<path under schemas/>\0<text>` of every shipped schema in path order. */
  identity: string;
  /** sha256 of `identity`. */
  hash: string;
}

let shipped: Shipped | undefined;

/** The shipped schemas as JSON (read once; nothing compiled). */
function shippedSchemas(): Shipped {
  if (!shipped) {
    const byId = new Map<string, unknown>();
    const parts = [AJV_CONFIG_ID];
    for (const file of listJson(SCHEMAS_DIR)) {
      const text = readFileSync(file, 'utf8');
      parts.push(`\0${relative(SCHEMAS_DIR, file).split(sep).join('/')}\0${text}`);
      const schema = JSON.parse(text) as { $id?: string };
      if (schema.$id) byId.set(schema.$id, schema);
    }
    const identity = parts.join('');
    // the build's hash while the schemas are exactly the build's; hashed (node:crypto, loaded
    // in the bundle only on this use) only when they are not
    shipped = { byId, identity, hash: builtShippedHash(identity) ?? digest('sha256', identity, 'hex') };
  }
  return shipped;
}

/** The text the shipped schemas' hash is of (written at build time beside the generated validators). */
export function shippedSchemasIdentity(): string {
  return shippedSchemas().identity;
}

/** Paths under `schemas/` of every shipped schema. */
export function shippedSchemaPaths(): string[] {
  return [...shippedSchemas().byId.keys()].filter((id) => id.startsWith(SCHEMA_BASE)).map((id) => id.slice(SCHEMA_BASE.length));
}

/** Hash of the shipped schemas and the AJV configuration (generated validators carry it). */
export function shippedSchemasHash(): string {
  return shippedSchemas().hash;
}

let runtimeAjv: ReturnType<typeof createAjv> | undefined;

/** An AJV with every shipped schema loaded, for validators that were not generated at build time. */
function sharedAjv(): ReturnType<typeof createAjv> {
  if (!runtimeAjv) {
    runtimeAjv = createAjv();
    for (const schema of shippedSchemas().byId.values()) runtimeAjv.addSchema(schema as object);
  }
  return runtimeAjv;
}

const validators = new Map<string, ValidateFunction>();

/**
 * The validator of a shipped schema, by path under `schemas/` (e.g. `revolv3/x.json`), made once
 * per process: the one generated at build time (dist/validators) when it matches the schemas
 * on disk, else compiled here.
 */
export function shippedValidator(relativePath: string): ValidateFunction {
  const id = SCHEMA_BASE + relativePath;
  let v = validators.get(id);
  if (!v) {
    const { byId, hash } = shippedSchemas();
    if (!byId.has(id)) throw new Error(`Schema ${relativePath} is not shipped`);
    v = generatedValidator(`shipped:${relativePath}`, hash) ?? sharedAjv().getSchema(id);
    if (!v) throw new Error(`Schema ${relativePath} is not shipped`);
    validators.set(id, v);
  }
  return v;
}

/** The raw JSON of a shipped schema (for placeholders and references). */
export function shippedSchema(relativePath: string): unknown {
  return shippedSchemas().byId.get(SCHEMA_BASE + relativePath);
}

/** Resolves a `$ref` inside shipped schemas (relative to the schema that holds it): a document, or a JSON pointer into one. */
export function resolveRef(ref: string, baseId: string): unknown {
  let abs: URL;
  try {
    abs = new URL(ref, baseId);
  } catch {
    return undefined;
  }
  const fragment = abs.hash;
  abs.hash = '';
  let node = shippedSchemas().byId.get(abs.toString());
  if (fragment === '' || fragment === '#') return node;
  if (!fragment.startsWith('#/')) return undefined;
  for (const raw of fragment.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const bySchema = new Map<string, ValidateFunction>();

/**
 * Compiles a schema that stands alone (a Data Map's `input` or setting, the engine's Data Map
 * schema) on a private instance, once per process for the same schema; one generated at build
 * time for the same schema text (those of the shipped maps) is used instead of compiling.
 */
export function compileUserSchema(schema: unknown): ValidateFunction {
  const json = JSON.stringify(schema) ?? 'undefined';
  let v = bySchema.get(json);
  if (!v) {
    v = generatedStandaloneValidator(json) ?? createAjv().compile(schema as object);
    bySchema.set(json, v);
  }
  return v;
}

export type { ErrorObject, ValidateFunction };

function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJson(p));
    else if (entry.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}
