/**
 * Turns a shipped JSON Schema (request or response body of a provider operation) into a tree of
 * plain field descriptions: `$ref`s resolved across files, `allOf` merged, nullable `anyOf`s
 * folded into the field, required-only `oneOf`/`anyOf` groups turned into choices.
 * Internal to the authoring toolkit (used by `describeOperation` and `initDataMap`).
 */
import { shippedSchema } from '../schemas/ajv.js';
import type { SensitiveSpec } from '../providers/pack-types.js';

/** The `$id` prefix of every shipped schema. */
const SCHEMA_BASE = 'https://datamap.dev/schemas/';
const MAX_DEPTH = 16;

/** Kind of sensitive value a field holds, from the operation's `sensitive` paths. */
export type SensitiveKind = 'cardNumber' | 'securityCode' | 'secret';

/** A set of fields of which exactly one (`oneOf`) or at least one (`anyOf`) must be present. */
export interface RequiredChoice {
  kind: 'oneOf' | 'anyOf';
  /** The schema's own description of the rule, when it has one. */
  description?: string;
  /** Each option: the property names it requires. */
  options: string[][];
}

/** One field of a request or response body, as `datamap providers` shows it. */
export interface FieldDescription {
  /** Property name; `[]` for the elements of an array; `''` for the body itself. */
  name: string;
  /** Dotted path from the body, `[]` for any array element (e.g. `invoice.invoiceLineItems[].name`); `''` for the body. */
  path: string;
  /** JSON types accepted (`null` included when nullable); empty when any value is accepted. */
  types: string[];
  /** The parent object lists this field in `required`. */
  required: boolean;
  /** `null` is accepted. */
  nullable: boolean;
  description?: string;
  /** The allowed values. */
  enum?: unknown[];
  /** The only allowed value. */
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  /** `x-maxDecimals`: at most this many decimal places. */
  maxDecimals?: number;
  examples?: unknown[];
  /** Card number, security code or other secret (masked in every output of the engine). */
  sensitive?: SensitiveKind;
  /** Where the definition was found when reached through `$ref`, e.g. `revolv3/common.json#/$defs/amount`. */
  ref?: string;
  /** Object properties, in schema order. */
  properties?: FieldDescription[];
  /** For objects: whether properties other than the listed ones are accepted (`undefined`: not said). */
  additionalProperties?: boolean;
  /** For arrays: the element. */
  items?: FieldDescription;
  /** anyOf/oneOf alternatives that are not plain types (each a full description). */
  alternatives?: { kind: 'anyOf' | 'oneOf'; options: FieldDescription[] };
  /** Presence rules between properties (e.g. exactly one of creditCard, ach, googlePay, applePay). */
  choices?: RequiredChoice[];
  /** Other rules, in words (conditionals, recursion cut short). */
  notes?: string[];
}

type Json = Record<string, unknown>;
interface Located { schema: unknown; base: string }

interface Gathered {
  kw: Json;
  types: Set<string>;
  typeSeen: boolean;
  nullable: boolean;
  properties: Map<string, Located>;
  required: Set<string>;
  items?: Located;
  choices: RequiredChoice[];
  alternatives?: { kind: 'anyOf' | 'oneOf'; options: Located[] };
  notes: string[];
  ref?: string;
}

const SCALAR_KEYWORDS = [
  'description', 'enum', 'const', 'default', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'x-maxDecimals', 'examples', 'additionalProperties',
] as const;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The raw schema document shipped at `schemas/<relativePath>`, or undefined. */
export function loadShippedSchema(relativePath: string): Located | undefined {
  const schema = shippedSchema(relativePath);
  if (schema === undefined) return undefined;
  return { schema, base: SCHEMA_BASE + relativePath };
}

/** `https://datamap.dev/schemas/revolv3/common.json#/$defs/x` → `revolv3/common.json#/$defs/x`. */
function displayRef(abs: string): string {
  return abs.startsWith(SCHEMA_BASE) ? abs.slice(SCHEMA_BASE.length) : abs;
}

function resolve(ref: string, base: string): { located?: Located; abs: string } {
  let abs: string;
  try {
    abs = new URL(ref, base).toString();
  } catch {
    return { abs: ref };
  }
  const [docUrl = '', fragment = ''] = abs.split('#');
  if (!docUrl.startsWith(SCHEMA_BASE)) return { abs };
  let node: unknown = shippedSchema(docUrl.slice(SCHEMA_BASE.length));
  if (node === undefined) return { abs };
  const pointer = decodeURIComponent(fragment);
  if (pointer !== '' && pointer !== '/') {
    for (const raw of pointer.replace(/^\//, '').split('/')) {
      const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(node)) node = node[Number(seg)];
      else if (isObj(node)) node = node[seg];
      else node = undefined;
      if (node === undefined) return { abs };
    }
  }
  return { located: { schema: node, base: docUrl }, abs };
}

function newGathered(): Gathered {
  return { kw: {}, types: new Set(), typeSeen: false, nullable: false, properties: new Map(), required: new Set(), choices: [], notes: [] };
}

/** Only `{ type: 'null' }` (with an optional description). */
function isNullOnly(s: unknown): boolean {
  return isObj(s) && s.type === 'null' && Object.keys(s).every((k) => k === 'type' || k === 'description');
}

/** Only `{ type: X }` (with an optional description). */
function isTypeOnly(s: unknown): boolean {
  return isObj(s) && (typeof s.type === 'string' || Array.isArray(s.type)) && Object.keys(s).every((k) => k === 'type' || k === 'description');
}

/** `{ required: [...], properties?: { x: { type } } }`: a presence rule, not a shape. */
function isRequiredOnly(s: unknown): s is { required: string[] } {
  if (!isObj(s) || !Array.isArray(s.required)) return false;
  if (!Object.keys(s).every((k) => k === 'required' || k === 'properties' || k === 'description')) return false;
  if (s.properties === undefined) return true;
  return isObj(s.properties) && Object.values(s.properties).every((p) => isObj(p) && Object.keys(p).every((k) => k === 'type' || k === 'const'));
}

function gather(loc: Located, acc: Gathered, chain: string[]): void {
  const s = loc.schema;
  if (s === false) {
    acc.notes.push('no value is allowed');
    return;
  }
  if (!isObj(s)) return;
  for (const k of SCALAR_KEYWORDS) {
    if (s[k] !== undefined && acc.kw[k] === undefined) acc.kw[k] = s[k];
  }
  if (s.type !== undefined) {
    const list = Array.isArray(s.type) ? s.type.map(String) : [String(s.type)];
    if (!acc.typeSeen) {
      for (const t of list) acc.types.add(t);
      acc.typeSeen = true;
    } else {
      // both apply: keep what both allow (integer counts as a number)
      const both = [...acc.types].filter((t) => list.includes(t) || (t === 'integer' && list.includes('number')));
      acc.types = new Set(both.length ? both : list);
    }
  }
  if (isObj(s.properties)) {
    for (const [name, sub] of Object.entries(s.properties)) {
      if (!acc.properties.has(name)) acc.properties.set(name, { schema: sub, base: loc.base });
    }
  }
  if (Array.isArray(s.required)) for (const r of s.required) acc.required.add(String(r));
  if (s.items !== undefined && acc.items === undefined) acc.items = { schema: s.items, base: loc.base };
  if (isObj(s.if) && isObj(s.then)) acc.notes.push(conditionText(s.if, s.then));

  if (typeof s.$ref === 'string') {
    const { located, abs } = resolve(s.$ref, loc.base);
    const shown = displayRef(abs);
    acc.ref ??= shown;
    if (!located) {
      acc.notes.push(`unresolved reference ${s.$ref}`);
    } else if (chain.includes(shown) || chain.length > MAX_DEPTH) {
      acc.notes.push(`recursive: see ${shown}`);
    } else {
      gather(located, acc, [...chain, shown]);
    }
  }
  if (Array.isArray(s.allOf)) {
    for (const member of s.allOf) gather({ schema: member, base: loc.base }, acc, chain);
  }
  for (const kind of ['oneOf', 'anyOf'] as const) {
    const list = s[kind];
    if (!Array.isArray(list) || list.length === 0) continue;
    if (list.every(isRequiredOnly)) {
      const choice: RequiredChoice = { kind, options: list.map((o) => (o as { required: string[] }).required.map(String)) };
      if (typeof s.description === 'string' && Object.keys(s).every((k) => k === 'description' || k === kind)) choice.description = s.description;
      acc.choices.push(choice);
      continue;
    }
    const options = list.map((o) => ({ schema: o as unknown, base: loc.base }));
    const nonNull = options.filter((o) => !isNullOnly(o.schema));
    if (nonNull.length < options.length) acc.nullable = true;
    if (nonNull.length === 1) {
      gather(nonNull[0]!, acc, chain);
    } else if (nonNull.every((o) => isTypeOnly(o.schema))) {
      const union = nonNull.flatMap((o) => {
        const t = (o.schema as Json).type;
        return Array.isArray(t) ? t.map(String) : [String(t)];
      });
      if (!acc.typeSeen) {
        for (const t of union) acc.types.add(t);
        acc.typeSeen = true;
      }
    } else if (!acc.alternatives) {
      acc.alternatives = { kind, options: nonNull };
    }
  }
}

/** `if {valueType: const X} then {value: {maximum: 100}}` → `when valueType = "X": value maximum 100`. */
function conditionText(ifS: Json, thenS: Json): string {
  const conds: string[] = [];
  if (isObj(ifS.properties)) {
    for (const [name, p] of Object.entries(ifS.properties)) {
      if (isObj(p) && p.const !== undefined) conds.push(`${name} = ${JSON.stringify(p.const)}`);
      else if (isObj(p) && Array.isArray(p.enum)) conds.push(`${name} in ${JSON.stringify(p.enum)}`);
    }
  }
  const cond = conds.length ? conds.join(' and ') : JSON.stringify(ifS);
  const effects: string[] = [];
  if (isObj(thenS.properties)) {
    for (const [name, p] of Object.entries(thenS.properties)) {
      if (!isObj(p)) continue;
      const rules = Object.entries(p).filter(([k]) => k !== 'type' && k !== 'description').map(([k, v]) => `${k} ${JSON.stringify(v)}`);
      effects.push(`${name} ${rules.join(', ') || JSON.stringify(p)}`);
    }
  }
  if (Array.isArray(thenS.required)) effects.push(`requires ${thenS.required.join(', ')}`);
  return `when ${cond}: ${effects.length ? effects.join('; ') : JSON.stringify(thenS)}`;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The sensitive kind of a field path (the path itself or an ancestor listed). */
function sensitiveOf(path: string, spec: SensitiveSpec | undefined): SensitiveKind | undefined {
  if (!spec) return undefined;
  const hit = (list: string[] | undefined) => (list ?? []).some((p) => path === p || path.startsWith(p + '.') || path.startsWith(p + '[]'));
  if (hit(spec.cardNumber)) return 'cardNumber';
  if (hit(spec.securityCode)) return 'securityCode';
  if (hit(spec.secret)) return 'secret';
  return undefined;
}

function join(path: string, name: string): string {
  if (name === '[]') return path + '[]';
  return path ? `${path}.${name}` : name;
}

/** Describes the schema at `loc` as a field tree. */
export function describeSchema(loc: Located, sensitive?: SensitiveSpec): FieldDescription {
  return describeAt(loc, '', '', false, sensitive, [], 0);
}

function describeAt(loc: Located, name: string, path: string, required: boolean, sensitive: SensitiveSpec | undefined, chain: string[], depth: number): FieldDescription {
  const acc = newGathered();
  gather(loc, acc, chain);
  const f: FieldDescription = { name, path, types: [], required, nullable: false };
  const kw = acc.kw;
  if (typeof kw.description === 'string') f.description = kw.description;
  if (Array.isArray(kw.enum)) f.enum = kw.enum;
  if (kw.const !== undefined) f.const = kw.const;
  if (kw.default !== undefined) f.default = kw.default;
  if (typeof kw.format === 'string') f.format = kw.format;
  if (typeof kw.pattern === 'string') f.pattern = kw.pattern;
  for (const k of ['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems'] as const) {
    if (typeof kw[k] === 'number') f[k] = kw[k];
  }
  if (typeof kw['x-maxDecimals'] === 'number') f.maxDecimals = kw['x-maxDecimals'];
  if (Array.isArray(kw.examples)) f.examples = kw.examples;
  if (acc.ref) f.ref = acc.ref;

  let types = [...acc.types];
  if (types.length === 0 && f.enum) types = [...new Set(f.enum.map(jsonType))];
  if (types.length === 0 && f.const !== undefined) types = [jsonType(f.const)];
  if (types.length === 0 && (acc.properties.size > 0 || acc.required.size > 0)) types = ['object'];
  if (types.length === 0 && acc.items) types = ['array'];
  if (acc.nullable && types.length > 0 && !types.includes('null')) types.push('null');
  if (f.enum?.includes(null) && types.length > 0 && !types.includes('null')) types.push('null');
  f.types = types;
  f.nullable = types.includes('null') || acc.nullable || (f.enum?.includes(null) ?? false);

  const kind = sensitiveOf(path, sensitive);
  if (kind) f.sensitive = kind;
  if (acc.choices.length) f.choices = acc.choices;
  if (acc.notes.length) f.notes = [...new Set(acc.notes)];
  if (typeof kw.additionalProperties === 'boolean') f.additionalProperties = kw.additionalProperties;
  else if (isObj(kw.additionalProperties)) f.additionalProperties = true;

  if (depth >= MAX_DEPTH) {
    if (acc.properties.size || acc.items) (f.notes ??= []).push('nested deeper than shown');
    return f;
  }
  const nextChain = acc.ref ? [...chain, acc.ref] : chain;
  if (acc.properties.size > 0) {
    f.properties = [...acc.properties].map(([pname, sub]) => describeAt(sub, pname, join(path, pname), acc.required.has(pname), sensitive, nextChain, depth + 1));
  }
  // required names without a declared property are still required
  for (const r of acc.required) {
    if (!acc.properties.has(r)) (f.properties ??= []).push({ name: r, path: join(path, r), types: [], required: true, nullable: false });
  }
  if (acc.items) f.items = describeAt(acc.items, '[]', join(path, '[]'), false, sensitive, nextChain, depth + 1);
  if (acc.alternatives) {
    f.alternatives = {
      kind: acc.alternatives.kind,
      options: acc.alternatives.options.map((o) => describeAt(o, name, path, required, sensitive, nextChain, depth + 1)),
    };
  }
  return f;
}
