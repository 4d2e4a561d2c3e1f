import type { CompiledMap, CompiledStep } from '../datamap/types.js';
import { diagnostic, type Diagnostic, type Severity } from '../errors/diagnostic.js';
import type { CompiledExpression } from '../expressions/compile-expression.js';
import {
  constructorEntries, isArrayConstructor, type ConstructorEntry, isLiteral, isNode, isObjectConstructor, parseAst, tokenStart, unwrap, type AstNode,
} from './ast.js';
import { fieldName, mapReadPaths } from './map-reads.js';
import {
  allowedValues, arrayBranch, deref, isSchema, itemsOf, localResolver, objectBranch, propertyNames, propertySchema,
  requiredOf, sameValue, shippedResolver, shippedRoot, similarNames, typesOf, child, type SchemaAt, type RefResolver,
} from './schema-nav.js';

/**
 * Static checks run by `validate` after a Data Map compiles, without any record:
 *
 * - `check/unknown-input-field`: an expression reads a record path that cannot exist in the
 *   declared `input` schema. Records are validated against that schema before mapping, so a
 *   name missing from an object that allows no other properties (`additionalProperties: false`),
 *   or a field read from a string or number, is certain (error). A name missing from an open
 *   object that is close to a declared one is a likely typo (warning).
 * - `check/missing-required-field`: the request is an object constructor (also through nested
 *   constructors, array items and `let` values) and a key the provider schema requires at that
 *   level is absent. Error when that level is written out completely; warning when it is one
 *   branch of a condition, part of a `$merge`, or has computed keys.
 * - `check/enum-mismatch`: a literal string/number/boolean written for a field whose schema
 *   allows only some constants (`enum`/`const`), and the literal is not one of them (error;
 *   warning inside a conditional branch), with a did-you-mean.
 * - `check/unknown-request-key`: a key written in a request object that the provider schema
 *   does not define at that level, with a did-you-mean. Error where the schema allows no other
 *   keys (`additionalProperties: false`: every payload would be refused), warning otherwise
 *   (the provider would most likely ignore it).
 * - `check/type-mismatch`: a constant (string, number, boolean, null, object or array written
 *   out) whose JSON type the provider schema does not allow there, e.g. `"12.50"` where a number
 *   is wanted (error; warning inside a conditional branch).
 *
 * Every finding points at the offending name, key or literal in the expression.
 */
export function staticChecks(map: CompiledMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic) => {
    const l = d.location;
    const id = `${d.code}|${l ? `${l.file}:${l.line}:${l.column}` : ''}|${String(d.data?.path ?? d.message)}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push(d);
  };
  try {
    checkInputPaths(map, push);
    for (const step of map.steps) checkRequest(map, step, push);
  } catch (err) {
    // a bug in an optional check must not make a valid Data Map unusable
    out.push(diagnostic('internal/error', `Static checks stopped: ${(err as Error)?.message ?? String(err)}`, { severity: 'warning' }));
  }
  return out;
}

type Push = (d: Diagnostic) => void;

// ---------------------------------------------------------------- input paths

interface InputFinding {
  index: number;
  kind: 'closed' | 'scalar' | 'typo';
  /** Declared names at that level (closed), close names (typo). */
  names: string[];
  suggestions: string[];
  type?: string;
}

const COMPOSITION = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'patternProperties', 'unevaluatedProperties', 'dependentSchemas', 'propertyNames'];

function checkInputPaths(map: CompiledMap, push: Push): void {
  const input = map.spec.input;
  if (!isSchema(input)) return;
  const resolve = localResolver(input);
  const root: SchemaAt = { schema: input, base: 'input:' };
  for (const read of mapReadPaths(map)) {
    if (read.segments.length === 0) continue;
    const f = walkInput(root, read.segments, resolve);
    if (!f) continue;
    const offset = read.offsets[f.index];
    if (offset === undefined || offset < 0) continue; // reported where that name is written
    const name = fieldName(read.segments[f.index]!);
    const parent = read.segments.slice(0, f.index).map(fieldName).join('.');
    const full = read.segments.slice(0, f.index + 1).map(fieldName).join('.');
    const where = parent ? parent : 'the record';
    const didYouMean = f.suggestions.length > 0 ? `Did you mean ${f.suggestions.slice(0, 3).map((s) => (parent ? `${parent}.${fieldName(s)}` : fieldName(s))).join(' or ')}?` : undefined;
    let severity: Severity = f.kind === 'typo' || read.inLambda ? 'warning' : 'error';
    let message: string;
    let hint: string | undefined;
    if (f.kind === 'scalar') {
      message = `${full} can never exist: ${where} is ${article(f.type ?? 'scalar')} in the input schema, so it has no field ${name}`;
      hint = 'Read the value itself, or fix the input schema if the record holds an object here.';
    } else if (f.kind === 'closed') {
      message = `${full} is not in the input schema: ${where} allows only ${f.names.length ? f.names.map(fieldName).join(', ') : 'no fields'}`;
      hint = didYouMean ?? `Declare ${name} under input, or fix the name.`;
    } else {
      message = `${full} is not declared in the input schema (${where} declares ${f.names.map(fieldName).join(', ')})`;
      hint = `${didYouMean ?? ''} The schema allows undeclared fields, so this may be intended: declare ${name} under input to silence this.`.trim();
      severity = 'warning';
    }
    push(diagnostic('check/unknown-input-field', message, {
      severity,
      hint,
      location: read.source.expression.locate(offset),
      data: { path: full, expression: read.source.what },
    }));
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Walks a record path through the input schema; the first segment that cannot exist, if any. */
function walkInput(root: SchemaAt, segments: readonly string[], resolve: ReturnType<typeof localResolver>): InputFinding | undefined {
  let cur = deref(root, resolve);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    // JSONata maps over arrays: a name applies to the items
    for (let k = 0; k < 8 && cur; k++) {
      const t = typesOf(cur.schema);
      const arrayOnly = t ? t.includes('array') && !t.includes('object') : cur.schema.items !== undefined && cur.schema.properties === undefined;
      if (!arrayOnly) break;
      cur = isSchema(cur.schema.items) ? deref(child(cur, cur.schema.items), resolve) : undefined;
    }
    if (!cur) return undefined;
    const s = cur.schema;
    const types = typesOf(s);
    if (types && types.length > 0 && !types.includes('object') && !types.includes('array')) {
      return { index: i, kind: 'scalar', names: [], suggestions: [], type: types.filter((t) => t !== 'null').join(' or ') || 'null' };
    }
    const declared = propertyNames(cur);
    const props = isSchema(s.properties) ? s.properties : {};
    if (Object.prototype.hasOwnProperty.call(props, seg)) {
      cur = deref(child(cur, props[seg]), resolve);
      if (!cur) return undefined;
      continue;
    }
    if (COMPOSITION.some((k) => s[k] !== undefined) || typeof s.$ref === 'string') return undefined;
    if (s.additionalProperties === false) {
      return { index: i, kind: 'closed', names: declared, suggestions: similarNames(seg, declared) };
    }
    if (isSchema(s.additionalProperties)) {
      cur = deref(child(cur, s.additionalProperties), resolve);
      if (!cur) return undefined;
      continue;
    }
    if (declared.length > 0) {
      const close = similarNames(seg, declared);
      if (close.length > 0) return { index: i, kind: 'typo', names: declared, suggestions: close };
    }
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------- requests

interface Where {
  map: CompiledMap;
  step: CompiledStep;
  expression: CompiledExpression;
  /** False below a conditional branch or a `$merge`: the shape may not always be produced. */
  certain: boolean;
  depth: number;
  /** Let names followed on the way (guards against cycles). */
  lets: string[];
}

function checkRequest(map: CompiledMap, step: CompiledStep, push: Push): void {
  const request = step.request;
  const schemaPath = step.operation.spec.request;
  if (!request || !schemaPath) return;
  const root = shippedRoot(schemaPath);
  const ast = parseAst(request.source);
  if (!root || !ast) return;
  const w: Where = { map, step, expression: request, certain: true, depth: 0, lets: [] };
  new RequestChecker(push).value(ast, root, '', w);
}

class RequestChecker {
  constructor(private readonly push: Push) {}

  /** A value expression that must satisfy `schema`. */
  value(node: AstNode, schema: SchemaAt | undefined, path: string, w: Where): void {
    if (!schema || w.depth > 40) return;
    const n = unwrap(node);
    const d = { ...w, depth: w.depth + 1 };
    const followed = followLet(n, d);
    if (followed) {
      this.value(followed.node, schema, path, followed.where);
      return;
    }
    if (this.typeMismatch(n, schema, path, d)) return;
    if (isObjectConstructor(n)) {
      this.object(n, schema, path, d);
    } else if (isArrayConstructor(n)) {
      const items = itemsOf(schema, shippedResolver);
      if (!items) return;
      for (const e of n.expressions as unknown[]) if (isNode(e)) this.element(e, items, `${path}[]`, d);
    } else if (n.type === 'condition') {
      for (const branch of [n.then, n.else]) if (isNode(branch)) this.value(branch, schema, path, { ...d, certain: false });
    } else if (n.type === 'path') {
      const mapped = mappedStep(n);
      if (!mapped) return;
      // `lines.{...}` gives one object per item: check it against the items when an array is expected
      const items = arrayBranch(schema, shippedResolver) && !objectBranch(schema, shippedResolver) ? itemsOf(schema, shippedResolver) : schema;
      this.element(mapped, items, arrayBranch(schema, shippedResolver) ? `${path}[]` : path, d);
    } else if (isLiteral(n)) {
      this.literal(n, schema, path, d);
    } else if (isMerge(n)) {
      this.merge(n, schema, path, d);
    }
  }

  /** One element of an array constructor (or one item a mapping produces), against the items schema. */
  element(node: AstNode, items: SchemaAt | undefined, path: string, w: Where): void {
    if (!items || w.depth > 40) return;
    const n = unwrap(node);
    const d = { ...w, depth: w.depth + 1 };
    const followed = followLet(n, d);
    if (followed) {
      // a let inside an array constructor may hold one item or a list of them
      const target = unwrap(followed.node);
      if (isArrayConstructor(target)) {
        for (const e of target.expressions as unknown[]) if (isNode(e)) this.element(e, items, path, followed.where);
      } else {
        this.element(target, items, path, followed.where);
      }
      return;
    }
    if (n.type === 'path') {
      const mapped = mappedStep(n);
      if (mapped) this.element(mapped, items, path, d);
      return;
    }
    if (n.type === 'condition') {
      for (const branch of [n.then, n.else]) if (isNode(branch)) this.element(branch, items, path, { ...d, certain: false });
      return;
    }
    if (isArrayConstructor(n)) {
      // nested array constructors are flattened into the outer one when they come from paths; keep it simple
      return;
    }
    this.value(n, items, path, d);
  }

  object(n: AstNode, schema: SchemaAt, path: string, w: Where, skipRequired = false): void {
    const obj = objectBranch(schema, shippedResolver);
    if (!obj) return;
    const entries = constructorEntries(n);
    const dynamic = entries.some((e) => e.key === undefined);
    const keys = new Set(entries.map((e) => e.key).filter((k): k is string => k !== undefined));
    if (!skipRequired) {
      for (const r of requiredOf(obj, shippedResolver)) {
        if (keys.has(r)) continue;
        this.missing(n, join(path, r), w, w.certain && !dynamic);
      }
    }
    const open = openness(obj);
    for (const e of entries) {
      if (e.key === undefined) continue;
      const sub = propertySchema(obj, e.key, shippedResolver);
      if (!sub && open !== 'unknown') this.unknownKey(e, obj, join(path, e.key), w, open === 'closed');
      this.value(e.value, sub, join(path, e.key), w);
    }
  }

  private unknownKey(e: ConstructorEntry, obj: SchemaAt, path: string, w: Where, closed: boolean): void {
    const declared = declaredNames(obj);
    const close = similarNames(e.key!, declared);
    const op = w.step.operation.id;
    const where = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : 'the request';
    const message = closed
      ? `Step "${w.step.id}": ${path} is not a field of ${op} (${where} allows only ${declared.map(fieldName).join(', ') || 'no fields'})`
      : `Step "${w.step.id}": ${path} is not defined by ${op}; the provider will most likely ignore it`;
    const didYouMean = close.length > 0 ? `Did you mean "${close[0]}"? ` : '';
    this.push(diagnostic('check/unknown-request-key', message, {
      severity: closed ? 'error' : 'warning',
      hint: closed
        ? `${didYouMean}The schema allows no other fields, so every payload with "${e.key}" is refused.`.trim()
        : `${didYouMean}Remove it, or check the provider's field names with datamap providers ${w.map.provider.pack.name} ${op}.`.trim(),
      location: w.expression.locate(tokenStart(e.keyNode, w.expression.source) ?? 0),
      data: { step: w.step.id, operation: op, path, key: e.key, suggestions: close },
    }));
  }

  /** A constant (literal or constructor) whose JSON type the schema does not allow; true when flagged. */
  private typeMismatch(n: AstNode, schema: SchemaAt, path: string, w: Where): boolean {
    const actual = constantType(n);
    // the request itself not being an object is expression/not-object, reported when planning
    if (!actual || path === '') return false;
    const allowed = allowedTypes(schema, shippedResolver);
    if (!allowed || allowed.length === 0) return false;
    if (allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'))) return false;
    if (actual === 'number' && allowed.includes('integer') && Number.isInteger(n.value)) return false;
    const op = w.step.operation.id;
    const shown = n.type === 'string' || n.type === 'number' || n.type === 'value' ? JSON.stringify(n.value) : actual === 'object' ? 'an object' : 'an array';
    const wanted = allowed.filter((t) => t !== 'null').join(' or ') + (allowed.includes('null') ? ' (or null)' : '');
    let hint = `Write ${article(wanted)} here: ${op} refuses ${article(actual === 'integer' ? 'number' : actual)}.`;
    if (n.type === 'string' && typeof n.value === 'string') {
      const text = n.value.trim();
      if ((allowed.includes('number') || allowed.includes('integer')) && text !== '' && Number.isFinite(Number(text))) hint = `Drop the quotes: write ${text}, a number, not the string "${n.value}".`;
      else if (allowed.includes('boolean') && (text === 'true' || text === 'false')) hint = `Drop the quotes: write ${text}, a boolean, not the string "${n.value}".`;
    } else if (n.type === 'number' && allowed.includes('string')) {
      hint = `Quote it: write "${String(n.value)}", a string, not the number ${String(n.value)}.`;
    }
    this.push(diagnostic('check/type-mismatch', `Step "${w.step.id}": ${path} is ${shown}, ${actual === 'object' || actual === 'array' ? '' : `${article(actual === 'integer' ? 'number' : actual)}, `}but ${op} wants ${article(wanted)}`, {
      severity: w.certain ? 'error' : 'warning',
      hint,
      location: w.expression.locate((isLiteral(n) ? tokenStart(n, w.expression.source) : openingToken(n)) ?? 0),
      data: { step: w.step.id, operation: op, path, type: actual, allowed },
    }));
    return true;
  }

  private missing(ctor: AstNode, path: string, w: Where, certain: boolean): void {
    const op = w.step.operation.id;
    const offset = typeof ctor.position === 'number' ? Math.max(0, ctor.position - 1) : 0;
    this.push(diagnostic('check/missing-required-field', `Step "${w.step.id}": the request never produces ${path}, which ${op} requires`, {
      severity: certain ? 'error' : 'warning',
      hint: certain
        ? `Add "${lastKey(path)}" to this object: every ${op} payload without it is refused.`
        : `Add "${lastKey(path)}" to this object (it is built conditionally or merged, so another part may provide it).`,
      location: w.expression.locate(offset),
      data: { step: w.step.id, operation: op, path },
    }));
  }

  private literal(n: AstNode, schema: SchemaAt, path: string, w: Where): void {
    const allowed = allowedValues(schema, shippedResolver);
    if (!allowed || allowed.length === 0) return;
    const v = n.value;
    if (allowed.some((a) => sameValue(a, v))) return;
    const strings = allowed.filter((a): a is string => typeof a === 'string');
    const close = typeof v === 'string' ? similarNames(v, strings) : [];
    const op = w.step.operation.id;
    const shown = allowed.map((a) => JSON.stringify(a)).join(', ');
    this.push(diagnostic('check/enum-mismatch', `Step "${w.step.id}": ${path} is ${JSON.stringify(v)}, which ${op} does not allow (allowed: ${shown})`, {
      severity: w.certain ? 'error' : 'warning',
      hint: close.length > 0 ? `Did you mean ${JSON.stringify(close[0])}? Values are case-sensitive.` : `Use one of ${shown}.`,
      location: w.expression.locate(tokenStart(n, w.expression.source) ?? 0),
      data: { step: w.step.id, operation: op, path, value: v, allowed },
    }));
  }

  /** `$merge([{...}, {...}])`: check each written object, and the required keys of their union. */
  private merge(n: AstNode, schema: SchemaAt, path: string, w: Where): void {
    const arg = (n.arguments as unknown[])[0];
    if (!isNode(arg) || !isArrayConstructor(unwrap(arg))) return;
    const parts = (unwrap(arg).expressions as unknown[]).filter(isNode).map(unwrap);
    const d = { ...w, certain: false };
    const ctors = parts.filter(isObjectConstructor);
    for (const c of ctors) this.object(c, schema, path, d, true);
    if (ctors.length !== parts.length || ctors.length === 0) return; // another part may give any key
    const obj = objectBranch(schema, shippedResolver);
    if (!obj) return;
    const keys = new Set<string>();
    let dynamic = false;
    for (const c of ctors) for (const e of constructorEntries(c)) { if (e.key === undefined) dynamic = true; else keys.add(e.key); }
    if (dynamic) return;
    for (const r of requiredOf(obj, shippedResolver)) if (!keys.has(r)) this.missing(ctors[0]!, join(path, r), d, false);
  }
}

/** The step a mapping path builds per item (`lines.{...}`, `lines.(...; {...})`, `x.(c ? {...} : {...})`). */
function mappedStep(n: AstNode): AstNode | undefined {
  const steps = Array.isArray(n.steps) ? (n.steps as unknown[]).filter(isNode) : [];
  if (steps.length < 2) return undefined;
  const last = steps[steps.length - 1]!;
  if (last.group !== undefined || (Array.isArray(last.stages) && last.stages.length > 0)) return undefined;
  const target = unwrap(last);
  return isObjectConstructor(target) || target.type === 'condition' ? target : undefined;
}

function isMerge(n: AstNode): boolean {
  const proc = n.procedure;
  return n.type === 'function' && isNode(proc) && proc.type === 'variable' && proc.value === 'merge' && Array.isArray(n.arguments) && n.arguments.length === 1;
}

/** A `$name` that refers to a `let` of the map (not one the expression binds itself): its AST. */
function followLet(n: AstNode, w: Where): { node: AstNode; where: Where } | undefined {
  if (n.type !== 'variable' || typeof n.value !== 'string' || w.lets.includes(n.value)) return undefined;
  if (w.expression.facts.defined.has(n.value)) return undefined;
  const index = w.map.lets.findIndex((l) => l.name === n.value);
  if (index === -1) return undefined;
  const expression = w.map.lets[index]!.expression;
  const ast = parseAst(expression.source);
  if (!ast) return undefined;
  return { node: ast, where: { ...w, expression, lets: [...w.lets, n.value] } };
}

function join(path: string, key: string): string {
  return path ? `${path}.${fieldName(key)}` : fieldName(key);
}

function lastKey(path: string): string {
  const i = path.lastIndexOf('.');
  return (i === -1 ? path : path.slice(i + 1)).replace(/\[\]$/, '');
}


/**
 * Whether an object schema allows keys it does not declare: `closed` (additionalProperties or
 * unevaluatedProperties false), `open` (nothing said), `unknown` (patterns, a schema for
 * extra keys, or composition that may declare more).
 */
function openness(obj: SchemaAt): 'closed' | 'open' | 'unknown' {
  const s = obj.schema;
  if (s.patternProperties !== undefined || isSchema(s.additionalProperties)) return 'unknown';
  if (s.anyOf !== undefined || s.oneOf !== undefined || s.if !== undefined || s.dependentSchemas !== undefined || typeof s.$ref === 'string') return 'unknown';
  if (s.additionalProperties === false || s.unevaluatedProperties === false) return 'closed';
  // a free-form object (no declared fields, e.g. metadata) takes any key
  return declaredNames(obj).length > 0 ? 'open' : 'unknown';
}

/** The declared property names of an object schema, with those of its plain `allOf` members. */
function declaredNames(obj: SchemaAt): string[] {
  const out = new Set(propertyNames(obj));
  for (const m of Array.isArray(obj.schema.allOf) ? obj.schema.allOf : []) {
    const d = deref(child(obj, m), shippedResolver);
    if (d) for (const n of propertyNames(d)) out.add(n);
  }
  return [...out];
}

/** The JSON type of a constant written in an expression; undefined for anything computed. */
function constantType(n: AstNode): string | undefined {
  if (n.type === 'string') return 'string';
  if (n.type === 'number') return Number.isInteger(n.value) ? 'integer' : 'number';
  if (n.type === 'value') return n.value === null ? 'null' : typeof n.value === 'boolean' ? 'boolean' : undefined;
  if (isObjectConstructor(n)) return 'object';
  if (isArrayConstructor(n)) return 'array';
  return undefined;
}

/** Offset of the `{` or `[` opening a constructor (JSONata records its position). */
function openingToken(n: AstNode): number | undefined {
  return typeof n.position === 'number' ? Math.max(0, n.position - 1) : undefined;
}

/**
 * The JSON types a schema allows (`type`, through `$ref` and every `anyOf`/`oneOf` branch), or
 * undefined when it does not say for certain (a branch without a type, `const`/`enum`, which
 * the enum check covers).
 */
function allowedTypes(s: SchemaAt | undefined, resolve: RefResolver, depth = 0): string[] | undefined {
  const d = deref(s, resolve);
  if (!d || depth > 10) return undefined;
  if (d.schema.const !== undefined || d.schema.enum !== undefined) return undefined;
  const own = typesOf(d.schema);
  const branches = (d.schema.anyOf ?? d.schema.oneOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) {
    const out = new Set<string>();
    for (const b of branches) {
      const t = allowedTypes(child(d, b), resolve, depth + 1);
      if (!t) return own;
      for (const x of t) out.add(x);
    }
    return own ? own.filter((t) => out.has(t) || (t === 'number' && out.has('integer'))) : [...out];
  }
  return own;
}
