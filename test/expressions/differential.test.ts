import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileJsonata } from '../../src/index.js';
import { canonical, genExpr, genObject, plainOracle, rng } from './generator.js';

/**
 * Differential testing: the compiled backend against jsonata 2.2.2 itself, on expressions from a
 * seeded grammar over the compiled subset and random JSON inputs. Values (with undefined and
 * singleton/array distinctions) must be equal, or both must fail with the same error code; and
 * evaluatePlain must give the plain JSON of jsonata's value (or fail with the same code).
 * A failure prints the seed and the case; DIFF_SEED=<n> DIFF_CASES=<n> replay or widen a run.
 */
const SEEDS = process.env.DIFF_SEED ? [Number(process.env.DIFF_SEED)] : [1, 2, 3];
const CASES = Number(process.env.DIFF_CASES ?? 1500);

/** True when an array or object constructor has two or more items (jsonata evaluates them concurrently). */
function hasConcurrentItems(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasConcurrentItems);
  const n = node as { type?: string; value?: unknown; expressions?: unknown[]; lhs?: unknown[] };
  if (n.type === 'unary' && ((n.value === '[' && (n.expressions?.length ?? 0) > 1) || (n.value === '{' && (n.lhs?.length ?? 0) > 1))) return true;
  return Object.values(n).some(hasConcurrentItems);
}

type Outcome = { ok: true; value: string; plain?: string } | { ok: false; code: string };


async function reference(source: string, input: unknown, bindings: Record<string, unknown>): Promise<Outcome> {
  try {
    const v: unknown = await jsonata(source).evaluate(input, bindings);
    return { ok: true, value: canonical(v), plain: canonical(plainOracle(v)) };
  } catch (err) {
    return { ok: false, code: String((err as { code?: string }).code ?? (err as Error).name) };
  }
}

async function compiled(source: string, input: unknown, bindings: Record<string, unknown>): Promise<Outcome & { backend: string; plainOutcome: string }> {
  const p = compileJsonata(source);
  // evaluatePlain: the plain JSON of the value, or the same error code
  let plainOutcome: string;
  try {
    plainOutcome = canonical(await p.evaluatePlain(input, bindings));
  } catch (err) {
    plainOutcome = `error ${String((err as { code?: string }).code ?? (err as Error).name)}`;
  }
  try {
    return { ok: true, value: canonical(await p.evaluate(input, bindings)), backend: p.backend, plainOutcome };
  } catch (err) {
    return { ok: false, code: String((err as { code?: string }).code ?? (err as Error).name), backend: p.backend, plainOutcome };
  }
}

describe('compiled backend = jsonata 2.2.2 on generated expressions', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${CASES} expressions`, async () => {
      const r = rng(seed);
      let compiledCount = 0;
      let concurrentErrors = 0;
      const mismatches: string[] = [];
      for (let i = 0; i < CASES; i++) {
        const source = genExpr(r);
        const input = genObject(r);
        const bindings = { key: 'K-1', record: input };
        try {
          jsonata(source);
        } catch {
          continue; // the grammar can build text jsonata does not parse (e.g. a path step that is a number)
        }
        const ref = await reference(source, input, bindings);
        const got = await compiled(source, input, bindings);
        if (got.backend === 'compiled') compiledCount++;
        let same = ref.ok ? got.ok && got.value === ref.value && got.plainOutcome === ref.plain : !got.ok && got.code === ref.code && got.plainOutcome === `error ${ref.code}`;
        // jsonata evaluates the items of an array or object constructor concurrently
        // (Promise.all): when several items fail, which error surfaces depends on its promise
        // scheduling. Both failing is then agreement; every other case must match exactly.
        if (!same && !ref.ok && !got.ok && hasConcurrentItems(jsonata(source).ast())) {
          concurrentErrors++;
          same = true;
        }
        if (!same) mismatches.push(`case ${i}: ${source}\n  input ${JSON.stringify(input)}\n  jsonata ${JSON.stringify(ref)}\n  compiled ${JSON.stringify(got)}`);
      }
      if (mismatches.length > 0) {
        throw new Error(`seed ${seed} (replay: DIFF_SEED=${seed} DIFF_CASES=${CASES}): ${mismatches.length} of ${CASES} differ\n${mismatches.slice(0, 5).join('\n')}`);
      }
      // the generator stays inside the compiled subset
      expect(compiledCount).toBeGreaterThan(CASES * 0.9);
      expect(concurrentErrors).toBeLessThan(CASES * 0.01);
    }, 120_000);
  }
});
