import { isNode, tokenStart, type AstNode } from './ast.js';

/**
 * Which fields of the host record an expression reads, found statically from its AST.
 *
 * JSONata evaluates names relative to a context: the record at the top, each item inside a
 * mapped step (`lines.(qty * unitPrice)` reads `lines.qty` and `lines.unitPrice`), the items of a
 * step inside its predicate, the defining context inside a lambda body. `$$` is the root input,
 * `$record` the record wherever it is used. Values computed by the expression itself (variables,
 * function results, constructed objects) are not the record: names read from them are not
 * record reads. Every record value that reaches them was read whole where it was taken, so the
 * result is conservative: a field the expression can see is always covered by some read.
 */

/** One path of the record an expression reads. */
export interface ReadPath {
  /** Field names from the record root; `[]` is the whole record. Arrays are transparent. */
  segments: string[];
  /** 0-based start offset in the expression of each segment's name token (-1 when it came from an enclosing context). */
  offsets: number[];
  /** The value at the path is used whole (compared, copied, passed on), not only navigated into. */
  whole: boolean;
  /** The path runs inside a lambda body (its context is the one the lambda was defined in). */
  inLambda: boolean;
}

/** What the expression's input is: the host record, or something else (a step's response for `output`). */
export interface ReadPathOptions {
  input: 'record' | 'other';
}

type Ctx = { known: true; segments: string[]; offsets: number[] } | { known: false };

const UNKNOWN: Ctx = { known: false };
const RECORD_ROOT: Ctx = { known: true, segments: [], offsets: [] };

/**
 * Built-in functions whose first parameter defaults to the context (`-` in their signature):
 * accepted types of that parameter, parameter count and required count. A call with too few
 * arguments, or whose first argument is a literal of another type, reads the context whole.
 */
const CONTEXT_FUNCTIONS: Record<string, [string, number, number]> = {
  string: ['x', 2, 1], substring: ['s', 3, 2], substringBefore: ['s', 2, 2], substringAfter: ['s', 2, 2],
  uppercase: ['s', 1, 1], lowercase: ['s', 1, 1], trim: ['s', 1, 1], length: ['s', 1, 1],
  base64encode: ['s', 1, 1], base64decode: ['s', 1, 1], encodeUrlComponent: ['s', 1, 1], encodeUrl: ['s', 1, 1],
  decodeUrlComponent: ['s', 1, 1], decodeUrl: ['s', 1, 1], pad: ['s', 3, 2], contains: ['s', 2, 2],
  split: ['s', 3, 2], match: ['s', 3, 2], replace: ['s', 4, 3], number: ['nsb', 1, 1],
  formatNumber: ['n', 3, 2], formatBase: ['n', 2, 1], formatInteger: ['n', 2, 2], parseInteger: ['s', 2, 2],
  abs: ['n', 1, 1], floor: ['n', 1, 1], ceil: ['n', 1, 1], sqrt: ['n', 1, 1], round: ['n', 2, 1], power: ['n', 2, 2],
  boolean: ['x', 1, 1], not: ['x', 1, 1], keys: ['x', 1, 1], spread: ['x', 1, 1], lookup: ['x', 2, 2],
  each: ['o', 2, 2], sift: ['o', 2, 1], toMillis: ['s', 2, 1], fromMillis: ['n', 3, 1], clone: ['oa', 1, 1],
};

/** Collects every record path an expression reads (see the module comment for the rules). */
export function collectReadPaths(ast: AstNode, source: string, options: ReadPathOptions): ReadPath[] {
  const out: ReadPath[] = [];
  const root: Ctx = options.input === 'record' ? RECORD_ROOT : UNKNOWN;
  const walker = new Walker(source, root, out);
  walker.visit(ast, root, false, 0);
  return out;
}

class Walker {
  constructor(private readonly source: string, private readonly root: Ctx, private readonly out: ReadPath[]) {}

  private add(ctx: Ctx, whole: boolean, inLambda: boolean): void {
    if (!ctx.known) return;
    this.out.push({ segments: [...ctx.segments], offsets: [...ctx.offsets], whole, inLambda });
  }

  visit(node: unknown, ctx: Ctx, inLambda: boolean, depth: number): void {
    if (depth > 400) return;
    if (Array.isArray(node)) {
      for (const n of node) this.visit(n, ctx, inLambda, depth + 1);
      return;
    }
    if (!isNode(node)) return;
    const d = depth + 1;
    switch (node.type) {
      case 'path':
        this.path(node, ctx, inLambda, d);
        return;
      case 'name':
        // a bare name outside a path (JSONata normally wraps them): a one-step path
        this.path({ type: 'path', steps: [node] }, ctx, inLambda, d);
        return;
      case 'variable':
        this.variable(node, ctx, inLambda);
        this.stages(node, this.variableCtx(node, ctx), inLambda, d);
        return;
      case 'lambda':
        // the body runs with the context the lambda was defined in
        this.visit(node.body, ctx, true, d);
        return;
      case 'function':
      case 'partial':
        this.call(node, ctx, inLambda, d, 0);
        return;
      case 'apply': {
        this.visit(node.lhs, ctx, inLambda, d);
        const rhs = node.rhs;
        if (isNode(rhs) && (rhs.type === 'function' || rhs.type === 'partial')) this.call(rhs, ctx, inLambda, d, 1);
        else this.visit(rhs, ctx, inLambda, d);
        return;
      }
      case 'parent':
        // `%` climbs out of the tracked context: count the whole record as read
        this.add(RECORD_ROOT, true, inLambda);
        return;
      case 'wildcard':
      case 'descendant':
        this.add(ctx, true, inLambda);
        return;
      case 'transform':
        this.visit(node.pattern, UNKNOWN, inLambda, d);
        this.visit(node.update, UNKNOWN, inLambda, d);
        this.visit(node.delete, UNKNOWN, inLambda, d);
        return;
      case 'string':
      case 'number':
      case 'value':
      case 'regex':
        return;
      default:
        for (const [k, v] of Object.entries(node)) {
          if (k === 'type' || k === 'value' || k === 'position') continue;
          // predicates on a computed value see its items, not the record
          this.visit(v, k === 'stages' || k === 'predicate' ? UNKNOWN : ctx, inLambda, d);
        }
    }
  }

  /** The context a variable's value stands for: `$` the current one, `$$` the root, `$record` the record. */
  private variableCtx(n: AstNode, ctx: Ctx): Ctx {
    if (n.value === '') return ctx;
    if (n.value === '$') return this.root;
    if (n.value === 'record') return RECORD_ROOT;
    return UNKNOWN;
  }

  private variable(n: AstNode, ctx: Ctx, inLambda: boolean): void {
    const c = this.variableCtx(n, ctx);
    if (c !== UNKNOWN) this.add(c, true, inLambda);
  }

  private stages(step: AstNode, items: Ctx, inLambda: boolean, depth: number): void {
    for (const s of Array.isArray(step.stages) ? step.stages : []) {
      if (isNode(s)) this.visit(s.expr, items, inLambda, depth);
    }
  }

  private call(n: AstNode, ctx: Ctx, inLambda: boolean, depth: number, applied: number): void {
    const proc = n.procedure;
    this.visit(proc, ctx, inLambda, depth);
    const args = Array.isArray(n.arguments) ? (n.arguments as unknown[]) : [];
    for (const a of args) this.visit(a, ctx, inLambda, depth);
    if (isNode(proc) && proc.type === 'variable' && typeof proc.value === 'string') {
      const spec = CONTEXT_FUNCTIONS[proc.value];
      if (spec && this.usesContext(spec, args, applied)) this.add(ctx, true, inLambda);
    }
  }

  private usesContext([first, params, required]: [string, number, number], args: unknown[], applied: number): boolean {
    const count = args.length + applied;
    if (count < required) return true;
    if (applied > 0 || count >= params || first.includes('x')) return false;
    const a = args[0];
    if (!isNode(a)) return false;
    const type = a.type === 'string' ? 's' : a.type === 'number' ? 'n' : a.type === 'value' ? (a.value === null ? 'l' : 'b') : undefined;
    return type !== undefined && !first.includes(type);
  }

  private path(n: AstNode, ctx: Ctx, inLambda: boolean, depth: number): void {
    const steps = (Array.isArray(n.steps) ? n.steps : []).filter(isNode);
    let cur: Ctx = ctx;
    let i = 0;
    const first = steps[0];
    if (first && first.type === 'variable') {
      cur = this.variableCtx(first, ctx);
      this.stages(first, cur, inLambda, depth);
      if (first.focus !== undefined || first.tuple) {
        this.add(cur, true, inLambda);
        cur = UNKNOWN;
      }
      i = 1;
    }
    for (; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.type === 'name') {
        if (cur.known) {
          const at = tokenStart(step, this.source) ?? -1;
          cur = { known: true, segments: [...cur.segments, String(step.value)], offsets: [...cur.offsets, at] };
        }
        this.stages(step, cur, inLambda, depth);
        if (step.focus !== undefined) {
          // `a@$x`: $x holds the items and the context stays put; count the items as read whole
          this.add(cur, true, inLambda);
          cur = UNKNOWN;
        }
        continue;
      }
      if (step.type === 'variable' && i > 0) {
        if (step.value === '') { this.stages(step, cur, inLambda, depth); continue; }
        this.variable(step, cur, inLambda);
        cur = this.variableCtx(step, cur);
        this.stages(step, cur, inLambda, depth);
        continue;
      }
      if (step.type === 'wildcard' || step.type === 'descendant') {
        this.add(cur, true, inLambda);
        cur = UNKNOWN;
        this.stages(step, cur, inLambda, depth);
        continue;
      }
      if (step.type === 'parent') {
        this.add(RECORD_ROOT, true, inLambda);
        cur = UNKNOWN;
        continue;
      }
      if (step.type === 'sort') {
        for (const t of Array.isArray(step.terms) ? step.terms : []) {
          if (t && typeof t === 'object') this.visit((t as { expression?: unknown }).expression, cur, inLambda, depth);
        }
        this.stages(step, cur, inLambda, depth);
        continue;
      }
      // a computed step (block, constructor, function, literal...) runs once per item of `cur`
      if (i > 0) this.add(cur, false, inLambda);
      this.visit(step, cur, inLambda, depth);
      cur = UNKNOWN;
      this.stages(step, cur, inLambda, depth);
    }
    if (isNode(n.group)) {
      this.visit(n.group.lhs, cur, inLambda, depth);
      this.add(cur, false, inLambda);
      return;
    }
    if (steps.length > 0) this.add(cur, true, inLambda);
  }
}
