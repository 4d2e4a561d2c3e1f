/**
 * `datamap init`: writes a starter Data Map for a provider pack — the pack's standard steps with
 * every required request field filled from the closest field of a sample record, or marked with
 * a `$todo("<field path> (<type>)")` placeholder that `datamap validate` reports (as
 * `datamap/unknown-let`, "$todo is not defined") until it is replaced.
 */
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DatamapError, diagnostic } from '../errors/diagnostic.js';
import { PACKAGE_ROOT } from '../paths.js';
import { pathParams, publicOperations } from '../providers/registry.js';
import type { ProviderPack } from '../providers/pack-types.js';
import { describeSchema, loadShippedSchema, type FieldDescription } from './providers-schema-walk.js';
import { packOrThrow } from './providers-suggest.js';
import { indexSample, jsonataPath, matchArray, matchField, matchKey, type FieldQuery, type SampleIndex } from './init-match.js';
import { RECIPES, type InitRecipe, type InitStepRecipe } from './init-recipes.js';

/** Options of {@link initDataMap}. */
export interface InitDataMapOptions {
  /** Provider pack name, e.g. `revolv3`. */
  provider: string;
  /** One host record (a JSON object): its fields fill the request, its top-level types give `input`. */
  sample?: unknown;
  /** A name for the sample's kind of record (e.g. the sample file's base name), used in `name`. */
  sampleName?: string;
  /** The Data Map's `name`; derived from the sample name and the provider when absent. */
  name?: string;
  /** Where the map will be written: the `$schema` modeline is relative to its folder. */
  outFile?: string;
  /** Folder the modeline is relative to when there is no `outFile` (default: the current directory). */
  cwd?: string;
}

/** A request field (or parameter) filled from the sample. */
export interface InitMappedField {
  /** Step id, or `key` for the record key. */
  step: string;
  /** Field path in the request (`params.<name>` for a parameter, `key` for the key). */
  field: string;
  /** The JSONata written. */
  expression: string;
  /** Sample field path(s) it reads. */
  from: string[];
}

/** A `$todo(...)` placeholder left in the map. */
export interface InitTodo {
  /** Step id, or `key` for the record key. */
  step: string;
  /** Field path in the request (`params.<name>` for a parameter, `key` for the key). */
  field: string;
  /** The text inside `$todo("...")`: the field path and its type. */
  label: string;
  /** 1-based line of the placeholder in `text`. */
  line: number;
}

/** What {@link initDataMap} produced. */
export interface InitDataMapResult {
  /** The Data Map as YAML text. */
  text: string;
  provider: string;
  steps: Array<{ id: string; operation: string }>;
  /** Fields filled from the sample. */
  mapped: InitMappedField[];
  /** Placeholders still to replace (each one a `datamap/unknown-let` finding of `validate`). */
  todos: InitTodo[];
}

/** JSONata being assembled for a request body. */
type Node =
  | { kind: 'expr'; text: string }
  | { kind: 'object'; entries: Array<[string, Node]> }
  | { kind: 'map'; source: string; item: Node }
  | { kind: 'list'; items: Node[] };

interface Ctx {
  step: InitStepRecipe;
  /** Parameter expressions written so far, by `<step>.params.<name>`. */
  params: Map<string, string>;
  keyIsString: boolean;
  mapped: InitMappedField[];
  todos: Array<Omit<InitTodo, 'line'>>;
}

const TODO_PREFIX = '$todo(';

function todoExpr(label: string): string {
  return `${TODO_PREFIX}${JSON.stringify(label)})`;
}

function plainValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `invoice.amount.value (number, minimum 0, at most 2 decimals)`. */
function todoLabel(f: FieldDescription, path: string): string {
  const parts: string[] = [];
  const types = f.types.filter((t) => t !== 'null');
  parts.push(types.length ? types.join(' or ') : 'any value');
  if (f.enum) parts.push(`one of ${f.enum.filter((v) => v !== null).map(plainValue).join(', ')}`);
  if (f.format) parts.push(`format ${f.format}`);
  if (f.minimum !== undefined) parts.push(`minimum ${f.minimum}`);
  if (f.exclusiveMinimum !== undefined) parts.push(`greater than ${f.exclusiveMinimum}`);
  if (f.maximum !== undefined) parts.push(`maximum ${f.maximum}`);
  if (f.maxDecimals !== undefined) parts.push(`at most ${f.maxDecimals} decimals`);
  if (f.minLength !== undefined && f.maxLength !== undefined) parts.push(`length ${f.minLength}..${f.maxLength}`);
  else if (f.minLength !== undefined) parts.push(`length >= ${f.minLength}`);
  else if (f.maxLength !== undefined) parts.push(`length <= ${f.maxLength}`);
  if (f.pattern) parts.push(`pattern ${f.pattern}`);
  if (f.examples?.length) parts.push(`e.g. ${plainValue(f.examples[0])}`);
  return `${path} (${parts.join(', ')})`;
}

function withKey(expr: string, ctx: Ctx): string {
  return ctx.keyIsString ? expr.split('$string($key)').join('$key') : expr;
}

function queryOf(f: FieldDescription, ctx: Ctx): FieldQuery {
  const q: FieldQuery = { path: f.path.replace(/\[\]/g, '').split('.').filter(Boolean), types: f.types };
  if (f.enum) q.enum = f.enum;
  if (f.pattern) q.pattern = f.pattern;
  const also = ctx.step.alsoNames?.[f.path];
  if (also) q.alsoNames = also;
  if (ctx.step.subject) q.subject = ctx.step.subject;
  return q;
}

const isObjectField = (f: FieldDescription) => f.types.includes('object') || (f.types.length === 0 && (f.properties?.length ?? 0) > 0);
const isArrayField = (f: FieldDescription) => f.types.includes('array') && !f.types.includes('object');

/** Whether a recipe path list names `path` or something below it. */
function touches(paths: readonly string[] | undefined, path: string): boolean {
  return (paths ?? []).some((p) => p === path || p.startsWith(path + '.') || p.startsWith(path + '[]'));
}

/** The value of one field, or undefined when it is optional and nothing fills it. */
function valueFor(f: FieldDescription, index: SampleIndex | undefined, ctx: Ctx, required: boolean): Node | undefined {
  const same = ctx.step.sameAs?.[f.path];
  const sameExpr = same === undefined ? undefined : ctx.params.get(same);
  if (sameExpr !== undefined) return { kind: 'expr', text: sameExpr };
  const set = ctx.step.set?.[f.path];
  if (set !== undefined) return { kind: 'expr', text: withKey(set, ctx) };
  if (f.const !== undefined && required) return { kind: 'expr', text: JSON.stringify(f.const) };
  if (isObjectField(f)) {
    // an optional object is written only when the sample fills some of it (no guessed address)
    const scratch: Ctx = { ...ctx, mapped: [], todos: [] };
    const obj = buildObject(f, index, scratch);
    if (!required && scratch.mapped.length === 0) return undefined;
    ctx.mapped.push(...scratch.mapped);
    ctx.todos.push(...scratch.todos);
    if (obj.entries.length > 0) return obj;
    return required ? { kind: 'expr', text: '{}' } : undefined;
  }
  if (isArrayField(f) && f.items && isObjectField(f.items) && f.items.properties?.length) {
    const arr = index ? matchArray(queryOf(f, ctx), index) : undefined;
    if (arr) {
      const item = buildObject(f.items, indexSample(arr.element, true), ctx);
      return { kind: 'map', source: jsonataPath(arr.path), item };
    }
    if (!required) return undefined;
    return { kind: 'list', items: [buildObject(f.items, undefined, ctx)] };
  }
  const match = index ? matchField(queryOf(f, ctx), index) : undefined;
  if (match) {
    ctx.mapped.push({ step: ctx.step.id, field: f.path, expression: match.expression, from: match.from });
    return { kind: 'expr', text: match.expression };
  }
  const fallback = ctx.step.fallback?.[f.path];
  if (fallback !== undefined) return { kind: 'expr', text: withKey(fallback, ctx) };
  if (!required) return undefined;
  const label = todoLabel(f, f.path);
  ctx.todos.push({ step: ctx.step.id, field: f.path, label });
  return { kind: 'expr', text: todoExpr(label) };
}

/** How many sample fields a trial build of `names` would use. */
function trial(f: FieldDescription, names: string[], index: SampleIndex | undefined, ctx: Ctx): number {
  const scratch: Ctx = { ...ctx, mapped: [], todos: [] };
  for (const p of f.properties ?? []) if (names.includes(p.name)) valueFor(p, index, scratch, true);
  return scratch.mapped.length;
}

function buildObject(f: FieldDescription, index: SampleIndex | undefined, ctx: Ctx): { kind: 'object'; entries: Array<[string, Node]> } {
  const props = f.properties ?? [];
  const forced = new Set(props.filter((p) => p.required).map((p) => p.name));
  for (const choice of f.choices ?? []) {
    if (choice.options.some((o) => o.every((n) => forced.has(n)))) continue;
    let best = choice.options[0] ?? [];
    let bestScore = -1;
    for (const o of choice.options) {
      const score = trial(f, o, index, ctx);
      if (score > bestScore) {
        best = o;
        bestScore = score;
      }
    }
    for (const n of best) forced.add(n);
  }
  const entries: Array<[string, Node]> = [];
  for (const p of props) {
    const required = forced.has(p.name);
    const wanted = required || touches(Object.keys(ctx.step.set ?? {}), p.path) || touches(ctx.step.optional, p.path);
    if (!wanted) continue;
    const node = valueFor(p, index, ctx, required);
    if (node) entries.push([p.name, node]);
  }
  return { kind: 'object', entries };
}

function render(node: Node, indent: string): string {
  switch (node.kind) {
    case 'expr':
      return node.text;
    case 'object': {
      if (node.entries.length === 0) return '{}';
      const inner = indent + '  ';
      return `{\n${node.entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner)}`).join(',\n')}\n${indent}}`;
    }
    case 'map':
      return `[${node.source}.${render(node.item, indent)}]`;
    case 'list': {
      const inner = indent + '  ';
      return `[\n${node.items.map((i) => inner + render(i, inner)).join(',\n')}\n${indent}]`;
    }
  }
}

// ---------------------------------------------------------------- YAML

/** A one-line expression as a YAML scalar: plain when safe, else single-quoted. */
function yamlInline(expr: string): string {
  const plain = /^[A-Za-z_$][^:#'"{}[\],&*!|>%@`]*$/.test(expr) && !/\s$/.test(expr) && !/^(true|false|null|yes|no|on|off)$/i.test(expr);
  return plain ? expr : `'${expr.replace(/'/g, "''")}'`;
}

/** `key: value` for an expression: inline, or a `|` block when it spans lines or is long. */
function yamlExpr(key: string, expr: string, indent: string): string[] {
  if (!expr.includes('\n') && expr.length <= 100) return [`${indent}${key}: ${yamlInline(expr)}`];
  return [`${indent}${key}: |`, ...expr.split('\n').map((l) => `${indent}  ${l}`)];
}

function yamlKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(name) ? name : JSON.stringify(name);
}

function jsonType(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function comment(text: string, indent: string): string[] {
  return text.split('\n').map((l) => `${indent}# ${l}`.trimEnd());
}

// ---------------------------------------------------------------- the map


/** A pack without a recipe: one step with its first money-moving operation that takes a body. */
function genericRecipe(pack: ProviderPack): InitRecipe {
  const ops = publicOperations(pack);
  const pick = ops.find(([, o]) => !o.idempotent && o.request && pathParams(o.path).length === 0)
    ?? ops.find(([, o]) => o.request) ?? ops[0];
  if (!pick) throw new DatamapError(diagnostic('datamap/unknown-operation', `${pack.name} has no operation a Data Map can use`));
  const id = (pick[0].split('.').pop() ?? 'call').replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_');
  return { steps: [{ id, operation: pick[0] }], result: `{ "key": $key, "${id}": $steps.${id} }` };
}

/**
 * Writes a starter Data Map for a provider pack: the `$schema` modeline, version, name,
 * provider, an `input` schema from the sample's top-level fields, `key`, and the pack's standard
 * steps (Revolv3: one `payments.sale`; Invoiss: find client → create client when none →
 * order → payment). Every required request field (walked through required objects, array
 * elements and `oneOf`/`anyOf` presence rules) is filled from the closest sample field by name,
 * or left as `$todo("<field path> (<type>)")`, which `datamap validate` reports until replaced.
 * Throws a `DatamapError` for an unknown provider (`datamap/unknown-provider`) or a sample that
 * is not an object (`record/not-object`).
 */
export function initDataMap(options: InitDataMapOptions): InitDataMapResult {
  const pack = packOrThrow(options.provider);
  let sample: Record<string, unknown> | undefined;
  if (options.sample !== undefined) {
    if (options.sample === null || typeof options.sample !== 'object' || Array.isArray(options.sample)) {
      throw new DatamapError(diagnostic('record/not-object', 'The sample record must be a JSON object', {
        hint: 'Give --sample a JSON object, or an array or NDJSON file whose first record is an object.',
      }));
    }
    sample = options.sample as Record<string, unknown>;
  }
  const recipe = RECIPES[pack.name] ?? genericRecipe(pack);
  const index = sample ? indexSample(sample) : undefined;
  const key = sample ? matchKey(sample) : undefined;
  const mapped: InitMappedField[] = [];
  const todos: Array<Omit<InitTodo, 'line'>> = [];
  let keyExpr: string;
  if (key) {
    keyExpr = key.expression;
    mapped.push({ step: 'key', field: 'key', expression: key.expression, from: [key.from] });
  } else {
    const label = 'key (string or number: the identity of a record, e.g. its invoice number)';
    keyExpr = todoExpr(label);
    todos.push({ step: 'key', field: 'key', label });
  }
  const keyIsString = key?.isString ?? false;

  const stepLines: string[] = [];
  const assumedOps: string[] = [];
  const paramExprs = new Map<string, string>();
  for (const step of recipe.steps) {
    const op = pack.operations[step.operation];
    if (!op) continue;
    if (op.assumed) assumedOps.push(step.operation);
    const ctx: Ctx = { step, keyIsString, mapped, todos, params: paramExprs };
    if (stepLines.length) stepLines.push('');
    if (step.comment) stepLines.push(...comment(step.comment, '  '));
    stepLines.push(`  - id: ${step.id}`, `    operation: ${step.operation}`);
    if (step.description) stepLines.push(`    description: ${JSON.stringify(step.description)}`);
    if (step.when) stepLines.push(...yamlExpr('when', step.when, '    '));
    // parameters: the recipe's, then any path parameter it does not give
    const params: Array<[string, string]> = [];
    const names = [...new Set([...Object.keys(step.params ?? {}), ...pathParams(op.path)])];
    for (const name of names) {
      const pr = step.params?.[name] ?? {};
      if (pr.expression !== undefined) {
        params.push([name, withKey(pr.expression, ctx)]);
        continue;
      }
      const q: FieldQuery = { path: [name], types: pr.types ?? ['string'] };
      if (pr.alsoNames) q.alsoNames = pr.alsoNames;
      if (step.subject) q.subject = step.subject;
      const m = index ? matchField(q, index) : undefined;
      if (m) {
        params.push([name, m.expression]);
        mapped.push({ step: step.id, field: `params.${name}`, expression: m.expression, from: m.from });
      } else {
        const label = `params.${name} (${(pr.types ?? ['string']).join(' or ')}${pr.todo ? `: ${pr.todo}` : ''})`;
        params.push([name, todoExpr(label)]);
        todos.push({ step: step.id, field: `params.${name}`, label });
      }
    }
    for (const [name, expr] of params) paramExprs.set(`${step.id}.params.${name}`, expr);
    if (params.length) {
      stepLines.push('    params:');
      for (const [name, expr] of params) stepLines.push(...yamlExpr(yamlKey(name), expr, '      '));
    }
    if (op.request) {
      const loc = loadShippedSchema(op.request);
      const body = loc ? describeSchema(loc, op.sensitive) : undefined;
      const node: Node = body ? buildObject(body, index, ctx) : { kind: 'expr', text: '{}' };
      stepLines.push(`    # fields: datamap providers ${pack.name} ${step.operation}`);
      stepLines.push('    request: |', ...render(node, '').split('\n').map((l) => `      ${l}`));
    }
    if (step.output) stepLines.push(...yamlExpr('output', step.output, '    '));
  }

  // input: the sample's top-level fields; those the map reads are required
  const inputLines: string[] = [];
  if (sample) {
    const read = new Set(mapped.flatMap((m) => m.from.map((p) => p.split(/[.[]/)[0] ?? '')));
    const fields = Object.entries(sample).filter(([k]) => !['__proto__', 'constructor', 'prototype'].includes(k));
    const required = fields.filter(([k, v]) => read.has(k) && v !== null).map(([k]) => k);
    inputLines.push('# The sample record\'s top-level fields; the ones this map reads are required.');
    inputLines.push('input:', '  type: object');
    if (required.length) inputLines.push(`  required: [${required.map(yamlKey).join(', ')}]`);
    if (fields.length) {
      inputLines.push('  properties:');
      for (const [k, v] of fields) {
        const t = jsonType(v);
        inputLines.push(`    ${yamlKey(k)}: ${t ? `{ type: ${t} }` : '{}'}`);
      }
    }
  }

  const schemaFile = join(PACKAGE_ROOT, 'schemas', 'datamap.schema.json');
  const baseDir = options.outFile ? dirname(resolve(options.outFile)) : resolve(options.cwd ?? process.cwd());
  const modeline = relative(baseDir, schemaFile).split(sep).join('/');
  const name = options.name ?? `${options.sampleName ?? 'host records'} to ${pack.title}`;
  const stepSummary = recipe.steps.map((s) => `${s.id} (${s.operation})`).join(', ');

  const lines: string[] = [
    `# yaml-language-server: $schema=${modeline}`,
    '#',
    `# Starter Data Map for ${pack.title}, written by \`datamap init\`.`,
    '#',
    '# Every $todo("...") below marks a value still to map: replace each one with a JSONata',
    '# expression over the record (the field path and its type are inside the quotes). Until then',
    '# `datamap validate` reports each as "$todo is not defined" (datamap/unknown-let) at its line.',
    `# Request fields of each operation: datamap providers ${pack.name} <operation>.`,
    'version: 1',
    `name: ${JSON.stringify(name)}`,
    `description: ${JSON.stringify(`Starter map: ${stepSummary}.`)}`,
    'provider:',
    `  name: ${pack.name}`,
  ];
  if (pack.defaultEnvironment) lines.push(`  environment: ${pack.defaultEnvironment}`);
  else {
    lines.push(...comment(`${pack.title} has no default environment: choose one (datamap providers ${pack.name}):\n` +
      Object.entries(pack.environments).map(([n, e]) => `  environment: ${n}   # ${e.baseUrl}${e.description ? ` - ${e.description}` : ''}`).join('\n'), '  '));
  }
  if (assumedOps.length) {
    lines.push(
      ...comment(`${assumedOps.join(', ')} ${assumedOps.length === 1 ? 'is an ASSUMED contract' : 'are ASSUMED contracts'} (see \`datamap providers ${pack.name}\`,\n` +
        'assumptions). Once the real routes are known, override them here, e.g.:\n' +
        `operations:\n  ${assumedOps[0]}:\n    path: /real/path\n    method: ${pack.operations[assumedOps[0]!]?.method ?? 'GET'}`, '  '),
    );
  }
  if (recipe.settings) {
    lines.push('# Values that are not in the record; give them with --set or the environment variables.');
    lines.push('settings:');
    for (const [n, s] of Object.entries(recipe.settings)) {
      lines.push(`  ${n}:`, `    description: ${JSON.stringify(s.description)}`, `    env: ${s.env}`);
      if (s.secret) lines.push('    secret: true');
      lines.push(`    example: ${JSON.stringify(s.example)}`);
    }
  }
  lines.push(...inputLines);
  lines.push('# The record\'s identity: it feeds the merchant references, so a re-run sends the same ones.');
  lines.push(...yamlExpr('key', keyExpr, ''));
  lines.push('steps:', ...stepLines);
  lines.push(...yamlExpr('result', recipe.result, ''));
  const text = lines.join('\n') + '\n';

  // locate each placeholder (in order of appearance)
  const textLines = text.split('\n');
  let from = 0;
  const located: InitTodo[] = todos.map((t) => {
    const needle = todoExpr(t.label);
    const needleYaml = needle.replace(/'/g, "''");
    let line = 0;
    for (let i = from; i < textLines.length; i++) {
      if (textLines[i]!.includes(needle) || textLines[i]!.includes(needleYaml)) {
        line = i + 1;
        from = i;
        break;
      }
    }
    return { ...t, line };
  });
  return {
    text,
    provider: pack.name,
    steps: recipe.steps.filter((s) => pack.operations[s.operation]).map((s) => ({ id: s.id, operation: s.operation })),
    mapped,
    todos: located,
  };
}
