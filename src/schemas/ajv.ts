import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR } from '../paths.js';

// ajv-formats is CommonJS; its default export arrives nested under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** Creates an AJV instance with our keyword (`x-maxDecimals`) and formats. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'x-maxDecimals',
    type: 'number',
    schemaType: 'number',
    error: { message: (cxt) => `must have at most ${String(cxt.schema)} decimal places` },
    // A float artifact such as 30.990000000000002 fails: it does not survive rounding.
    validate: (decimals: number, data: number) => Number(data.toFixed(decimals)) === data,
  });
  return ajv;
}

let shared: { ajv: Ajv2020; cache: Map<string, ValidateFunction> } | undefined;

/** The process-wide AJV with every shipped schema loaded; validators compiled once, by `$id`. */
function sharedAjv(): { ajv: Ajv2020; cache: Map<string, ValidateFunction> } {
  if (!shared) {
    const ajv = createAjv();
    for (const file of listJson(SCHEMAS_DIR)) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string };
      if (schema.$id) ajv.addSchema(schema);
    }
    shared = { ajv, cache: new Map() };
  }
  return shared;
}

const SCHEMA_BASE = 'https://datamap.dev/schemas/';

/** The compiled validator of a shipped schema, by path under `schemas/` (e.g. `revolv3/x.json`). */
export function shippedValidator(relativePath: string): ValidateFunction {
  const { ajv, cache } = sharedAjv();
  const id = SCHEMA_BASE + relativePath;
  let v = cache.get(id);
  if (!v) {
    const found = ajv.getSchema(id);
    if (!found) throw new Error(`Schema ${relativePath} is not shipped`);
    v = found;
    cache.set(id, v);
  }
  return v;
}

/** The raw JSON of a shipped schema (for placeholders and references). */
export function shippedSchema(relativePath: string): unknown {
  const { ajv } = sharedAjv();
  return ajv.getSchema(SCHEMA_BASE + relativePath)?.schema;
}

/** Resolves a `$ref` inside shipped schemas (relative to the schema that holds it). */
export function resolveRef(ref: string, baseId: string): unknown {
  const { ajv } = sharedAjv();
  const abs = new URL(ref, baseId).toString();
  return ajv.getSchema(abs)?.schema;
}

/** Compiles a user-supplied schema (e.g. a Data Map's `input`) on a private instance. */
export function compileUserSchema(schema: unknown): ValidateFunction {
  const ajv = createAjv();
  return ajv.compile(schema as object);
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
