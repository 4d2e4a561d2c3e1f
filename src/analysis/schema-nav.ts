import { resolveRef, shippedSchema } from '../schemas/ajv.js';

/**
 * Reading JSON Schemas structurally (no validation): following `$ref`, finding the object
 * branch of a nullable `anyOf`, the schema of a property or of array items, the required keys
 * and the allowed constants. Used for the provider request schemas (shipped, refs resolved
 * through AJV relative to each schema's `$id`) and for a Data Map's own `input` schema (local
 * `#/...` refs only).
 */

/** A JSON Schema object. */
export type Schema = Record<string, unknown>;

/** A schema node with the base its relative `$ref`s resolve against. */
export interface SchemaAt {
  schema: Schema;
  base: string;
}

/** Resolves a `$ref` relative to a base; undefined when it cannot be followed. */
export type RefResolver = (ref: string, base: string) => SchemaAt | undefined;

/** Resolver for the shipped schemas (provider packs). */
export const shippedResolver: RefResolver = (ref, base) => {
  let abs: string;
  try {
    abs = new URL(ref, base).toString();
  } catch {
    return undefined;
  }
  const schema = resolveRef(ref, base);
  if (!isSchema(schema)) return undefined;
  return { schema, base: abs.split('#')[0]! };
};

/** Resolver for a user schema: `#/json/pointer` inside it; anything else is not followed. */
export function localResolver(root: Schema): RefResolver {
  return (ref, base) => {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = root;
    const pointer = decodeURIComponent(ref.slice(1));
    if (pointer !== '' && !pointer.startsWith('/')) return undefined;
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!node || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return isSchema(node) ? { schema: node, base } : undefined;
  };
}

/** The root of a shipped schema, by its path under `schemas/`. */
export function shippedRoot(relativePath: string): SchemaAt | undefined {
  const schema = shippedSchema(relativePath);
  if (!isSchema(schema)) return undefined;
  const id = typeof schema.$id === 'string' ? schema.$id : `https://datamap.dev/schemas/${relativePath}`;
  return { schema, base: id };
}

/** True for a schema object (not a boolean schema, not an array). */
export function isSchema(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Follows `$ref` until a schema without one (siblings of `$ref` are ignored). */
export function deref(s: SchemaAt | undefined, resolve: RefResolver): SchemaAt | undefined {
  let cur = s;
  for (let i = 0; i < 20 && cur && typeof cur.schema.$ref === 'string'; i++) {
    const base = typeof cur.schema.$id === 'string' ? cur.schema.$id : cur.base;
    cur = resolve(cur.schema.$ref, base);
  }
  return cur;
}

/** A child schema (under a keyword of `s`) with the right base. */
export function child(s: SchemaAt, value: unknown): SchemaAt | undefined {
  if (!isSchema(value)) return undefined;
  return { schema: value, base: typeof s.schema.$id === 'string' ? s.schema.$id : s.base };
}

/** The declared types of a schema (`type`), or undefined when it does not say. */
export function typesOf(s: Schema): string[] | undefined {
  if (typeof s.type === 'string') return [s.type];
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === 'string');
  return undefined;
}

/** True when a schema may describe an object. */
export function mayBeObject(s: Schema): boolean {
  const t = typesOf(s);
  if (t) return t.includes('object');
  return s.properties !== undefined || s.required !== undefined || s.additionalProperties !== undefined || (s.anyOf === undefined && s.oneOf === undefined && s.const === undefined && s.enum === undefined && s.items === undefined);
}

/** True when a schema may describe an array. */
export function mayBeArray(s: Schema): boolean {
  const t = typesOf(s);
  if (t) return t.includes('array');
  return s.items !== undefined;
}

/**
 * The one branch of a schema that describes objects: the schema itself when it may be one, or
 * the single object branch of its `anyOf`/`oneOf` (a nullable wrapper). Undefined when unclear.
 */
export function objectBranch(s: SchemaAt | undefined, resolve: RefResolver): SchemaAt | undefined {
  const d = deref(s, resolve);
  if (!d) return undefined;
  const branches = (d.schema.anyOf ?? d.schema.oneOf) as unknown;
  if (Array.isArray(branches) && d.schema.properties === undefined && d.schema.type === undefined) {
    const objects = branches.map((b) => deref(child(d, b), resolve)).filter((b): b is SchemaAt => !!b && mayBeObject(b.schema) && !isNullOnly(b.schema));
    return objects.length === 1 ? objectBranch(objects[0], resolve) : undefined;
  }
  return mayBeObject(d.schema) ? d : undefined;
}

/** The one branch describing arrays (as `objectBranch`, for arrays). */
export function arrayBranch(s: SchemaAt | undefined, resolve: RefResolver): SchemaAt | undefined {
  const d = deref(s, resolve);
  if (!d) return undefined;
  const branches = (d.schema.anyOf ?? d.schema.oneOf) as unknown;
  if (Array.isArray(branches) && d.schema.items === undefined && d.schema.type === undefined) {
    const arrays = branches.map((b) => deref(child(d, b), resolve)).filter((b): b is SchemaAt => !!b && mayBeArray(b.schema));
    return arrays.length === 1 ? arrayBranch(arrays[0], resolve) : undefined;
  }
  return mayBeArray(d.schema) ? d : undefined;
}

function isNullOnly(s: Schema): boolean {
  const t = typesOf(s);
  return t !== undefined && t.length === 1 && t[0] === 'null';
}

/** The keys an object schema requires: its `required` plus those of plain `allOf` members. */
export function requiredOf(s: SchemaAt, resolve: RefResolver): string[] {
  const out = new Set<string>();
  const add = (x: Schema) => {
    if (Array.isArray(x.required)) for (const r of x.required) if (typeof r === 'string') out.add(r);
  };
  add(s.schema);
  for (const m of Array.isArray(s.schema.allOf) ? s.schema.allOf : []) {
    const d = deref(child(s, m), resolve);
    if (d) add(d.schema);
  }
  return [...out];
}

/** The schema of property `key` of an object schema (also from `allOf` members); undefined when not declared. */
export function propertySchema(s: SchemaAt, key: string, resolve: RefResolver): SchemaAt | undefined {
  const props = s.schema.properties;
  if (isSchema(props) && Object.prototype.hasOwnProperty.call(props, key)) return child(s, props[key]);
  for (const m of Array.isArray(s.schema.allOf) ? s.schema.allOf : []) {
    const d = deref(child(s, m), resolve);
    const p = d?.schema.properties;
    if (d && isSchema(p) && Object.prototype.hasOwnProperty.call(p, key)) return child(d, p[key]);
  }
  if (isSchema(s.schema.additionalProperties)) return child(s, s.schema.additionalProperties);
  return undefined;
}

/** The names of the declared properties of an object schema. */
export function propertyNames(s: SchemaAt): string[] {
  return isSchema(s.schema.properties) ? Object.keys(s.schema.properties) : [];
}

/** The schema of an array's items (a single `items` schema); undefined otherwise. */
export function itemsOf(s: SchemaAt, resolve: RefResolver): SchemaAt | undefined {
  const a = arrayBranch(s, resolve);
  return a && isSchema(a.schema.items) ? child(a, a.schema.items) : undefined;
}

/**
 * The constants a value may take (`const`/`enum`, through `$ref` and `anyOf`/`oneOf`
 * branches), or undefined when the schema allows other values.
 */
export function allowedValues(s: SchemaAt | undefined, resolve: RefResolver, depth = 0): unknown[] | undefined {
  const d = deref(s, resolve);
  if (!d || depth > 10) return undefined;
  const own: unknown[][] = [];
  if (d.schema.const !== undefined) own.push([d.schema.const]);
  if (Array.isArray(d.schema.enum)) own.push(d.schema.enum);
  for (const m of Array.isArray(d.schema.allOf) ? d.schema.allOf : []) {
    const v = allowedValues(child(d, m), resolve, depth + 1);
    if (v) own.push(v);
  }
  if (own.length > 0) return own.reduce((a, b) => a.filter((x) => b.some((y) => sameValue(x, y))));
  const branches = (d.schema.anyOf ?? d.schema.oneOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) {
    const out: unknown[] = [];
    for (const b of branches) {
      const db = deref(child(d, b), resolve);
      if (db && isNullOnly(db.schema) && Object.keys(db.schema).every((k) => k === 'type' || k === 'description')) {
        out.push(null);
        continue;
      }
      const v = allowedValues(db, resolve, depth + 1);
      if (!v) return undefined;
      out.push(...v);
    }
    return out;
  }
  return undefined;
}

/** Deep equality of JSON values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The names closest to `name`: same letters in another case, else the smallest edit distance within a limit. */
export function similarNames(name: string, candidates: Iterable<string>): string[] {
  const scored: Array<[string, number]> = [];
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (c === name) continue;
    const cl = c.toLowerCase();
    if (cl === lower) { scored.push([c, 0]); continue; }
    const d = editDistance(lower, cl);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.min(lower.length, cl.length) / 4)));
    if (d <= limit) scored.push([c, d]);
  }
  const best = Math.min(...scored.map(([, d]) => d));
  return scored.filter(([, d]) => d === best).map(([c]) => c);
}

/** Edit distance where swapping two neighbouring letters (`stpes`/`steps`) counts as one edit. */
function editDistance(x: string, y: string): number {
  if (Math.abs(x.length - y.length) > 3) return 99;
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row[j] = d;
    }
    prev2 = prev;
    prev = row;
  }
  return prev[y.length]!;
}
