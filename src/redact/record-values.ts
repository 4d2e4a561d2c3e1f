import { collectReadPaths } from '../analysis/read-paths.js';
import { constructorEntries, forEachNode, isArrayConstructor, isNode, isObjectConstructor, parseAst, unwrap, type AstNode } from '../analysis/ast.js';
import type { CompiledMap } from '../datamap/types.js';
import type { OperationSpec } from '../providers/pack-types.js';
import { operationPaths, type SensitivePaths } from './redact-value.js';
import type { Scrubber, ScrubKind } from './scrubber.js';

/** A record path (field names, arrays transparent) whose values are sensitive. */
export interface SensitiveRecordPath {
  segments: string[];
  kind: ScrubKind;
}

/** What a Data Map's records carry that must never be shown; built once per map. */
export interface RedactionPlan {
  /** Record paths that feed a sensitive request field (found statically from the map's expressions). */
  paths: SensitiveRecordPath[];
}

const plans = new WeakMap<CompiledMap, RedactionPlan>();

/**
 * The map's redaction plan: every record path whose value flows into a field the provider pack
 * lists as sensitive (card number, security code, account number, token, secret), following
 * `let` variables and `$key`. Computed once per map from the expressions' syntax trees.
 */
export function redactionPlan(map: CompiledMap): RedactionPlan {
  let plan = plans.get(map);
  if (plan) return plan;
  const found = new Map<string, SensitiveRecordPath>();
  const lets = new Map<string, string>();
  for (const l of map.lets) lets.set(l.name, l.expression.source);
  lets.set('key', map.key.source);
  const addReads = (source: string, node: AstNode, kind: ScrubKind, suffixes: string[][], seen: Set<string>): void => {
    const reads = collectReadPaths(node, source, { input: 'record' });
    for (const r of reads) {
      if (!r.whole || r.segments.length === 0) continue;
      for (const suffix of suffixes) {
        const segments = [...r.segments, ...suffix];
        const id = segments.join('\u0000');
        const prev = found.get(id);
        if (!prev || (prev.kind === 'card' && kind === 'secret')) found.set(id, { segments, kind });
      }
    }
    // values bound by `let` (and `$key`) reach the field through a variable
    forEachNode(node, (n) => {
      if (n.type !== 'variable' || typeof n.value !== 'string') return;
      const letSource = lets.get(n.value);
      if (letSource === undefined || seen.has(n.value)) return;
      seen.add(n.value);
      const ast = parseAst(letSource);
      if (ast) addReads(letSource, ast, kind, suffixes, seen);
    });
  };
  for (const step of map.steps) {
    if (!step.request) continue;
    const paths = operationPaths(step.operation.spec);
    if (paths.card.size === 0 && paths.secret.size === 0) continue;
    const source = step.request.source;
    const ast = parseAst(source);
    if (ast) visitBody(ast, '', paths, (node, kind, suffixes) => addReads(source, node, kind, suffixes, new Set()));
  }
  plan = { paths: [...found.values()] };
  plans.set(map, plan);
  return plan;
}

type OnSensitive = (node: AstNode, kind: ScrubKind, suffixes: string[][]) => void;

/** Walks a request expression's object and array constructors along the body paths they build. */
function visitBody(node: AstNode, path: string, paths: SensitivePaths, on: OnSensitive, depth = 0): void {
  if (depth > 64) return;
  const n = unwrap(node);
  if (isObjectConstructor(n)) {
    for (const e of constructorEntries(n)) {
      if (e.key === undefined) continue;
      visitBody(e.value, path ? `${path}.${e.key}` : e.key, paths, on, depth + 1);
    }
    return;
  }
  if (isArrayConstructor(n)) {
    for (const x of n.expressions as unknown[]) if (isNode(x)) visitBody(x, `${path}[]`, paths, on, depth + 1);
    return;
  }
  if (paths.card.has(path)) { on(n, 'card', [[]]); return; }
  if (paths.secret.has(path)) { on(n, 'secret', [[]]); return; }
  // a value copied whole into a parent of sensitive fields: the record holds them below it
  const below = (set: Set<string>) => [...set].filter((p) => path === '' || p.startsWith(`${path}.`) || p.startsWith(`${path}[]`));
  const rest = (p: string) => (path === '' ? p : p.slice(path.length)).replace(/\[\]/g, '').split('.').filter(Boolean);
  const cards = below(paths.card);
  const secrets = below(paths.secret);
  if (cards.length > 0) on(n, 'card', cards.map(rest));
  if (secrets.length > 0) on(n, 'secret', secrets.map(rest));
}

// Record fields sensitive by their name alone, wherever they are.
const CARD_NAME = /^(card_?number|cardnumber|credit_?card_?number|pan|payment_?account_?number|primary_?account_?number)$/i;
const SECRET_NAME = /^(cvv2?|cvc2?|cid|csc|security_?code|card_?code|credit_card_cvv|card_?cvv|account_?number|routing_?number|iban|password|passwd|secret|client_?secret|api_?key|token|access_?token|refresh_?token|network_?token|cavv)$/i;

/**
 * A child of `parent` that also knows the sensitive values of one record: those at the map's
 * sensitive record paths and those under sensitively named fields. Cheap: the plan is built
 * once per map; the record is walked once.
 */
export function recordScrubber(map: CompiledMap, record: unknown, parent: Scrubber): Scrubber {
  const s = parent.child();
  addRecordValues(s, redactionPlan(map), record);
  return s;
}

/** Adds a record's sensitive values (by plan and by field name) to a scrubber. */
export function addRecordValues(s: Scrubber, plan: RedactionPlan, record: unknown): void {
  someRecordValue(plan, record, new Adder(s));
}

/**
 * The values under a record's sensitively named fields, noted while another walk (the
 * forbidden-key check) passes each key: every value `collectRecordValues`' own walk would find
 * there, and possibly more (that walk stops at depth 64, at 10,000 values, and below a named
 * field) — a superset, for checks that may say "maybe" but never miss one.
 */
export class NamedValues {
  readonly values: Array<string | number> = [];
  readonly kinds: ScrubKind[] = [];
  private readonly collector = new Collector(this.values, this.kinds);

  key(name: string, value: unknown): void {
    const c = nameClass(name);
    if (c === NAME_CARD) someLeaf(value, 'card', 0, this.collector);
    else if (c === NAME_SECRET) someLeaf(value, 'secret', 0, this.collector);
  }
}

/**
 * Is told the sensitive values a walk finds, one at a time, with their kinds; `found` returning
 * true stops the walk (its answer is then true). For checks that need a yes or no, not the
 * values themselves (the plan view's skip-the-scrub check).
 */
export interface ValueProbe {
  found(value: string | number, kind: ScrubKind): boolean;
}

/** A probe that collects every value it is told of (and never stops the walk). */
class Collector implements ValueProbe {
  constructor(
    private readonly out: Array<string | number>,
    private readonly kinds: ScrubKind[],
  ) {}

  found(value: string | number, kind: ScrubKind): boolean {
    this.out.push(value);
    this.kinds.push(kind);
    return false;
  }
}

/** A probe that adds every value it is told of to a scrubber. */
class Adder implements ValueProbe {
  constructor(private readonly s: Scrubber) {}

  found(value: string | number, kind: ScrubKind): boolean {
    this.s.add(value, kind);
    return false;
  }
}

/**
 * The values `addRecordValues` adds, in the order it adds them, with their kinds: those at the
 * plan's record paths, then those under sensitively named fields (or, when `named` is given,
 * the values it noted: at least those, in another order).
 */
export function collectRecordValues(plan: RedactionPlan, record: unknown, out: Array<string | number>, kinds: ScrubKind[], named?: NamedValues): void {
  someRecordValue(plan, record, new Collector(out, kinds), named);
}

/**
 * {@link collectRecordValues}' values told to `probe` one by one, in the same order, as they
 * are found (no arrays built); true as soon as the probe says so, false when every value was
 * told and it never did.
 */
export function someRecordValue(plan: RedactionPlan, record: unknown, probe: ValueProbe, named?: NamedValues): boolean {
  if (record === null || typeof record !== 'object') return false;
  for (const p of plan.paths) if (someAt(record, p.segments, 0, p.kind, probe)) return true;
  if (named) {
    for (let i = 0; i < named.values.length; i++) if (probe.found(named.values[i]!, named.kinds[i]!)) return true;
    return false;
  }
  // values, their depths and their places in the name skeleton, as a stack (three arrays: no
  // object per entry); each object's names in Object.keys order (for…in with an own-property
  // guard gives the same names in the same order, without building the array)
  const values: unknown[] = [record];
  const depths: number[] = [0];
  const places: NamePlace[] = [NAMES];
  let budget = 10_000;
  while (values.length > 0 && budget-- > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    const place = places.pop()!;
    if (v === null || typeof v !== 'object' || depth > 64) continue;
    if (Array.isArray(v)) {
      const item = itemPlace(place);
      for (const x of v) {
        values.push(x);
        depths.push(depth + 1);
        places.push(item);
      }
      continue;
    }
    let at = 0;
    for (const k in v) {
      if (!hasOwn.call(v, k)) continue;
      const c = childPlace(place, k, at++);
      const x = (v as Record<string, unknown>)[k];
      if (c.cls === NAME_CARD) {
        if (someLeaf(x, 'card', 0, probe)) return true;
      } else if (c.cls === NAME_SECRET) {
        if (someLeaf(x, 'secret', 0, probe)) return true;
      } else if (x !== null && typeof x === 'object') {
        values.push(x);
        depths.push(depth + 1);
        places.push(c);
      }
    }
  }
  return false;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A place in the records' field names (a key path, arrays transparent) with its name's class:
 * records mostly give the same names in the same order, so the name met at a place's n-th
 * position last time is one comparison of (usually the same, interned) strings, where a name's
 * class would otherwise be a hash lookup per field. Shared by all records; at most
 * MAX_NAME_PLACES places are kept (beyond them the class is looked up each time).
 */
class NamePlace {
  children: Map<string, NamePlace> | undefined;
  /** The child last met at each position (0, 1, …) of an object's names. */
  order: Array<NamePlace | undefined> | undefined;
  item: NamePlace | undefined;
  constructor(
    readonly name: string,
    readonly cls: number,
  ) {}
}

const MAX_NAME_PLACES = 4000;
const NAME_POSITIONS = 64;
const NAMES = new NamePlace('', 0);
let namePlaces = 0;

function childPlace(place: NamePlace, name: string, at: number): NamePlace {
  const last = place.order?.[at];
  if (last !== undefined && last.name === name) return last;
  let c = place.children?.get(name);
  if (c === undefined) {
    c = new NamePlace(name, nameClass(name));
    if (namePlaces >= MAX_NAME_PLACES || name.length > 256) return c;
    namePlaces++;
    (place.children ??= new Map()).set(name, c);
  }
  if (at < NAME_POSITIONS) (place.order ??= [])[at] = c;
  return c;
}

function itemPlace(place: NamePlace): NamePlace {
  if (place.item) return place.item;
  const item = new NamePlace('', 0);
  if (namePlaces < MAX_NAME_PLACES) {
    namePlaces++;
    place.item = item;
  }
  return item;
}

const NAME_PLAIN = 0;
const NAME_CARD = 1;
const NAME_SECRET = 2;
const nameClasses = new Map<string, number>();

/** CARD_NAME / SECRET_NAME of a record field name, memoised (records repeat the same names). */
function nameClass(k: string): number {
  let c = nameClasses.get(k);
  if (c === undefined) {
    c = CARD_NAME.test(k) ? NAME_CARD : SECRET_NAME.test(k) ? NAME_SECRET : NAME_PLAIN;
    if (nameClasses.size >= 10_000) nameClasses.clear();
    nameClasses.set(k, c);
  }
  return c;
}

/** Adds the values a request body carries at its operation's sensitive paths. */
export function addRequestValues(s: Scrubber, op: OperationSpec, body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const paths = operationPaths(op);
  const adder = new Adder(s);
  for (const p of paths.card) someAt(body, splitPath(p), 0, 'card', adder);
  for (const p of paths.secret) someAt(body, splitPath(p), 0, 'secret', adder);
}

const splitCache = new Map<string, string[]>();
function splitPath(p: string): string[] {
  let segs = splitCache.get(p);
  if (!segs) {
    segs = p.replace(/\[\]/g, '').split('.').filter(Boolean);
    if (splitCache.size < 10_000) splitCache.set(p, segs);
  }
  return segs;
}

/**
 * The leaves of a value found at one of an operation's sensitive paths, as addRequestValues
 * adds them (arrays transparent, then the string and number leaves), told to `probe`.
 */
export function someAtLeaves(v: unknown, kind: ScrubKind, probe: ValueProbe): boolean {
  return someAt(v, NO_SEGMENTS, 0, kind, probe);
}

const NO_SEGMENTS: readonly string[] = [];

/** The values at a path (arrays transparent at every level, holes giving nothing, arrays over 1000 items skipped), the leaves of each told to `probe`. */
function someAt(v: unknown, segments: readonly string[], i: number, kind: ScrubKind, probe: ValueProbe): boolean {
  if (Array.isArray(v)) {
    // as flatMap over the items (holes give nothing)
    if (v.length <= 1000) for (let k = 0; k < v.length; k++) if (k in v && someAt(v[k], segments, i, kind, probe)) return true;
    return false;
  }
  if (i === segments.length) return v !== undefined && someLeaf(v, kind, 0, probe);
  if (v === null || typeof v !== 'object') return false;
  const next = (v as Record<string, unknown>)[segments[i]!];
  return next !== undefined && someAt(next, segments, i + 1, kind, probe);
}

/** The string and number leaves of a value (16 levels down at most) told to `probe`, in order. */
function someLeaf(v: unknown, kind: ScrubKind, depth: number, probe: ValueProbe): boolean {
  if (typeof v === 'string' || typeof v === 'number') return probe.found(v, kind);
  if (v === null || typeof v !== 'object' || depth > 16) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) if (someLeaf(x, kind, depth + 1, probe)) return true;
  return false;
}
