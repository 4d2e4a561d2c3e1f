import type jsonata from 'jsonata';

/** A `$steps.<id>` reference found in an expression, at a character offset. */
export interface StepReference {
  stepId: string;
  /** Field path after the step id, e.g. `['invoiceId']`. */
  fields: string[];
  offset: number;
}

/** A variable reference (`$name`) found in an expression. */
export interface VariableReference {
  name: string;
  offset: number;
}

/** What an expression reads, found by walking its AST once at compile time. */
export interface ExpressionFacts {
  stepRefs: StepReference[];
  variables: VariableReference[];
  /** Variables the expression defines itself (`:=` and lambda parameters). */
  defined: Set<string>;
  /** Top-level field names read from the input record (`$` context). */
  rootFields: Set<string>;
  /** Regular-expression literals, with their offsets. */
  regexes: Array<{ source: string; offset: number }>;
}

type Node = { type: string; value?: unknown; position?: number } & Record<string, unknown>;

/** Walks a JSONata AST iteratively and collects references. */
export function analyzeAst(ast: jsonata.ExprNode): ExpressionFacts {
  const facts: ExpressionFacts = { stepRefs: [], variables: [], defined: new Set(), rootFields: new Set(), regexes: [] };
  const stack: Array<{ node: unknown; root: boolean }> = [{ node: ast, root: true }];
  while (stack.length > 0) {
    const { node, root } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const n of node) stack.push({ node: n, root });
      continue;
    }
    const n = node as Node;
    if (n.type === 'path' && Array.isArray(n.steps)) {
      const steps = n.steps as Node[];
      const first = steps[0];
      if (first?.type === 'variable' && first.value === 'steps' && steps[1]?.type === 'name') {
        const fields: string[] = [];
        for (const s of steps.slice(2)) {
          if (s.type === 'name') fields.push(String(s.value)); else break;
        }
        facts.stepRefs.push({ stepId: String(steps[1].value), fields, offset: offsetOf(steps[1]) });
      }
      if (root && first?.type === 'name') facts.rootFields.add(String(first.value));
      steps.forEach((s, i) => stack.push({ node: s, root: root && i === 0 }));
      continue;
    }
    if (n.type === 'name' && root) facts.rootFields.add(String(n.value));
    if (n.type === 'regex' && n.value instanceof RegExp) {
      facts.regexes.push({ source: n.value.source, offset: Math.max(0, (n.position ?? 0) - n.value.source.length - 2) });
    }
    if (n.type === 'variable' && typeof n.value === 'string' && n.value !== '') {
      facts.variables.push({ name: n.value, offset: offsetOf(n) });
    }
    if (n.type === 'bind' && (n.lhs as Node | undefined)?.type === 'variable') {
      facts.defined.add(String((n.lhs as Node).value));
    }
    if (n.type === 'lambda' && Array.isArray(n.arguments)) {
      for (const a of n.arguments as Node[]) if (a.type === 'variable') facts.defined.add(String(a.value));
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === 'position' || k === 'value' || k === 'type') continue;
      // predicates, lambda bodies and group expressions are evaluated in another context
      const childRoot = root && (k === 'lhs' || k === 'rhs' || k === 'expressions' || k === 'arguments' || k === 'condition' || k === 'then' || k === 'else' || k === 'expression');
      stack.push({ node: v, root: childRoot });
    }
  }
  return facts;
}

/** JSONata positions are 1-based end offsets; this gives the 0-based start of the token. */
function offsetOf(n: Node): number {
  const end = typeof n.position === 'number' ? n.position : 0;
  const len = n.type === 'variable' ? String(n.value).length + 1 : String(n.value ?? '').length;
  return Math.max(0, end - len);
}
