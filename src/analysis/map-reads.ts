import type { CompiledMap } from '../datamap/types.js';
import type { CompiledExpression } from '../expressions/compile-expression.js';
import { parseAst } from './ast.js';
import { collectReadPaths, type ReadPath } from './read-paths.js';

/** An expression of a Data Map, what it is evaluated over, and where it sits. */
export interface MapExpression {
  expression: CompiledExpression;
  /** `record` for key, let, when, params, request and result; `other` for output (the response). */
  input: 'record' | 'other';
  /** Human label, e.g. `steps.sale.request`. */
  what: string;
}

/** Every expression of a compiled map, in document order. */
export function mapExpressions(map: CompiledMap): MapExpression[] {
  const out: MapExpression[] = [{ expression: map.key, input: 'record', what: 'key' }];
  for (const l of map.lets) out.push({ expression: l.expression, input: 'record', what: `let.${l.name}` });
  for (const s of map.steps) {
    if (s.when) out.push({ expression: s.when, input: 'record', what: `steps.${s.id}.when` });
    for (const p of s.params) out.push({ expression: p.expression, input: 'record', what: `steps.${s.id}.params.${p.name}` });
    if (s.request) out.push({ expression: s.request, input: 'record', what: `steps.${s.id}.request` });
    if (s.output) out.push({ expression: s.output, input: 'other', what: `steps.${s.id}.output` });
  }
  if (map.result) out.push({ expression: map.result, input: 'record', what: 'result' });
  if (map.total) out.push({ expression: map.total, input: 'record', what: 'total' });
  return out;
}

/** A record path read by one of the map's expressions. */
export interface MapRead extends ReadPath {
  source: MapExpression;
}

const readCache = new WeakMap<CompiledMap, MapRead[]>();

/** Every record path any expression of the map reads (computed once per map). */
export function mapReadPaths(map: CompiledMap): MapRead[] {
  let reads = readCache.get(map);
  if (!reads) {
    reads = [];
    for (const source of mapExpressions(map)) {
      const ast = parseAst(source.expression.source);
      if (!ast) continue;
      for (const r of collectReadPaths(ast, source.expression.source, { input: source.input })) reads.push({ ...r, source });
    }
    readCache.set(map, reads);
  }
  return reads;
}

/** A leaf of a host record: its field names (arrays transparent) and how it is shown (`lines[].sku`). */
export interface RecordLeaf {
  segments: string[];
  display: string;
}

/** The distinct leaf paths of a record; array items share one path (`lines[].qty`). */
export function recordLeaves(record: unknown): RecordLeaf[] {
  const out = new Map<string, RecordLeaf>();
  const walk = (v: unknown, segments: string[], display: string, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(v)) {
      if (v.length === 0) {
        if (segments.length > 0 && !out.has(display)) out.set(display, { segments, display });
        return;
      }
      for (const x of v) walk(x, segments, display + '[]', depth + 1);
      return;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) {
        if (segments.length > 0 && !out.has(display)) out.set(display, { segments, display });
        return;
      }
      for (const [k, x] of entries) walk(x, [...segments, k], display ? `${display}.${fieldName(k)}` : fieldName(k), depth + 1);
      return;
    }
    if (segments.length > 0 && !out.has(display)) out.set(display, { segments, display });
  };
  walk(record, [], '', 0);
  return [...out.values()];
}

/**
 * The leaves of a record that no expression of the map reads. A leaf counts as read when an
 * expression reads it, reads one of its ancestors whole, or navigates through it.
 */
export function unreadRecordFields(map: CompiledMap, record: unknown): string[] {
  const reads = mapReadPaths(map);
  return recordLeaves(record)
    .filter((leaf) => !reads.some((r) => (r.whole && isPrefix(r.segments, leaf.segments)) || isPrefix(leaf.segments, r.segments)))
    .map((l) => l.display);
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

/** A field name as written in a path: bare when it is an identifier, else in backquotes. */
export function fieldName(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : '`' + k + '`';
}
