import type { CompiledMap } from '../datamap/types.js';
import { compileExpression, type CompiledExpression } from '../expressions/compile-expression.js';
import { truthy } from '../plan/evaluate-step.js';
import {
  constructorEntries, firstTokenOffset, isArrayConstructor, isLiteral, isNode, isObjectConstructor, mappingConstructor, nodeSpan, parseAst, unwrap, type AstNode,
} from '../analysis/ast.js';

/**
 * Where each field of a request body is written in the Data Map: the request expression is
 * read as nested object constructors (`{ "invoice": { "amount": { "value": $total } } }`),
 * through array constructors and per-item mappings (`[lines.{ "name": description }]`) and
 * through `$name` references to a `let`, as deep as the payload path can be followed.
 */

/** A position in a request expression (or in a let it refers to). */
export interface FieldCursor {
  node: AstNode;
  expression: CompiledExpression;
  /** The node in the request expression itself (before following a let). */
  requestNode: AstNode;
  /** The let followed, when the field's value is written in a let. */
  letName?: string;
  /** Set once a path segment could not be followed: the cursor stays on the enclosing expression. */
  stuck: boolean;
  /** Inside a per-item mapping (`lines.{...}`): sub-expressions cannot be evaluated on their own. */
  mapped?: boolean;
}

/** Source text and offset of a node. */
export interface NodeSource {
  text: string;
  offset: number;
  literal: boolean;
}

/** The cursor at the root of a request expression, when it parses. */
export function rootCursor(expression: CompiledExpression): FieldCursor | undefined {
  const ast = parseAst(expression.source);
  if (!ast) return undefined;
  return { node: ast, expression, requestNode: ast, stuck: false };
}

/** The record and bindings a request is evaluated with, to tell which array element gives which item. */
export interface FieldScope {
  record: unknown;
  bindings: Record<string, unknown>;
}

/**
 * Moves a cursor to a child field (string) or item (number); stays put (stuck) when it cannot.
 * An item of an array constructor with several elements (`[lines.{...}, $tax > 0 ? {...}]`) is
 * traced to its element by evaluating the elements in order (outside per-item mappings only),
 * and a condition outside a mapping by evaluating it.
 */
export async function descend(map: CompiledMap, cur: FieldCursor, seg: string | number, scope: FieldScope): Promise<FieldCursor> {
  if (cur.stuck) return cur;
  let at = resolveLet(map, { ...cur, node: unwrap(cur.node) });
  // a condition outside any mapping: follow the branch it takes for this record
  for (let i = 0; i < 10 && at.node.type === 'condition' && !at.mapped; i++) {
    const taken = await evaluate(at.node.condition, at.expression, scope);
    if (taken === failed) break;
    const branch = truthy(taken) ? at.node.then : at.node.else;
    if (!isNode(branch)) return { ...at, stuck: true };
    at = resolveLet(map, { ...moveTo(at, branch), node: unwrap(branch) });
  }
  const n = at.node;
  if (typeof seg === 'string') {
    const target = isObjectConstructor(n) ? undefined : mappedTarget(n);
    const mapped = target !== undefined || at.mapped === true;
    const shape = target ?? n;
    let value: AstNode | undefined;
    if (isObjectConstructor(shape)) value = constructorEntries(shape).find((e) => e.key === seg)?.value;
    else if (shape.type === 'condition' && mapped) value = branchValue(shape, seg, at.expression.source);
    if (!value) return { ...at, stuck: true };
    const next = moveTo(at, value);
    if (mapped) next.mapped = true;
    return next;
  }
  if (isArrayConstructor(n)) {
    const items = (n.expressions as unknown[]).filter(isNode);
    if (items.length === 1) return moveTo(at, items[0]!);
    if (items.every((x) => isObjectConstructor(unwrap(x)) || isLiteral(x)) && items[seg]) return moveTo(at, items[seg]!);
    if (!at.mapped) {
      // count what each element contributes (undefined: nothing; a sequence: flattened)
      let first = 0;
      for (const el of items) {
        const v = await evaluate(el, at.expression, scope);
        if (v === failed) break;
        const count = v === undefined ? 0 : Array.isArray(v) && !isArrayConstructor(unwrap(el)) ? v.length : 1;
        if (seg < first + count) return moveTo(at, el);
        first += count;
      }
    }
    return { ...at, stuck: true };
  }
  if (mappingConstructor(n)) return at;
  return { ...at, stuck: true };
}

const failed = Symbol('failed');

/** What a mapping path builds per item: its last step, when that is an object constructor or a condition. */
function mappedTarget(n: AstNode): AstNode | undefined {
  if (n.type !== 'path' || !Array.isArray(n.steps) || n.steps.length < 2) return undefined;
  const last = n.steps[n.steps.length - 1];
  if (!isNode(last) || last.group !== undefined || (Array.isArray(last.stages) && last.stages.length > 0)) return undefined;
  const target = unwrap(last);
  return isObjectConstructor(target) || target.type === 'condition' ? target : undefined;
}

/**
 * Inside a mapping, where a condition cannot be evaluated on its own: the value of `key` when
 * only one branch writes it, or every branch writes it the same way.
 */
function branchValue(cond: AstNode, key: string, source: string): AstNode | undefined {
  const ctors: AstNode[] = [];
  const collect = (x: unknown, depth: number) => {
    if (!isNode(x) || depth > 10) return;
    const u = unwrap(x);
    if (u.type === 'condition') { collect(u.then, depth + 1); collect(u.else, depth + 1); } else if (isObjectConstructor(u)) ctors.push(u);
  };
  collect(cond, 0);
  const values = ctors.map((c) => constructorEntries(c).find((e) => e.key === key)?.value).filter((v): v is AstNode => v !== undefined);
  if (values.length === 0) return undefined;
  const texts = new Set(values.map((v) => { const sp = nodeSpan(v, source); return source.slice(sp.start, sp.end); }));
  return values.length === 1 || texts.size === 1 ? values[0] : undefined;
}

/** Evaluates a sub-expression of a request or let with the record's scope; `failed` when it cannot. */
async function evaluate(node: unknown, expression: CompiledExpression, scope: FieldScope): Promise<unknown> {
  if (!isNode(node)) return failed;
  const { start, end } = nodeSpan(node, expression.source);
  const { expression: compiled } = compileExpression(expression.source.slice(start, end), () => ({ file: '', line: 1, column: 1 }), { repeatable: true });
  if (!compiled) return failed;
  try {
    return await compiled.evaluate(scope.record, scope.bindings);
  } catch {
    return failed;
  }
}

function moveTo(cur: FieldCursor, node: AstNode): FieldCursor {
  const next: FieldCursor = { ...cur, node };
  if (cur.letName === undefined) next.requestNode = node;
  return next;
}

/** Follows `$name` of a let of the map (not a variable the expression binds itself). */
function resolveLet(map: CompiledMap, cur: FieldCursor): FieldCursor {
  let c = cur;
  for (let i = 0; i < 10; i++) {
    const n = c.node;
    if (n.type !== 'variable' || typeof n.value !== 'string' || c.expression.facts.defined.has(n.value)) return c;
    const l = map.lets.find((x) => x.name === n.value);
    const ast = l ? parseAst(l.expression.source) : undefined;
    if (!l || !ast) return c;
    c = { node: unwrap(ast), expression: l.expression, requestNode: c.requestNode, letName: l.name, stuck: false };
    if (cur.mapped) c.mapped = true;
  }
  return c;
}

/** A leaf's cursor: when its expression is just `$name` of a let, on that let's expression. */
export function leafCursor(map: CompiledMap, cur: FieldCursor): FieldCursor {
  if (cur.stuck) return cur;
  const at = resolveLet(map, { ...cur, node: unwrap(cur.node) });
  return at.letName === cur.letName && at.node === unwrap(cur.node) ? cur : at;
}

/** The keys (in source order) of the object constructor a cursor is on, if it is on one. */
export function constructorKeys(map: CompiledMap, cur: FieldCursor | undefined): string[] {
  if (!cur || cur.stuck) return [];
  const n = resolveLet(map, { ...cur, node: unwrap(cur.node) }).node;
  const ctor = isObjectConstructor(n) ? n : mappingConstructor(n);
  return ctor ? constructorEntries(ctor).map((e) => e.key).filter((k): k is string => k !== undefined) : [];
}

/** The source of a node in its expression. */
export function sourceOf(node: AstNode, expression: CompiledExpression): NodeSource {
  const { start, end } = nodeSpan(node, expression.source);
  return { text: expression.source.slice(start, end), offset: start, literal: isLiteral(node) };
}

/** The whole expression (trimmed) and where it starts. */
export function wholeSource(expression: CompiledExpression): NodeSource {
  return { text: expression.source.trim(), offset: firstTokenOffset(expression.source), literal: false };
}
