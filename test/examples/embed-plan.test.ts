/**
 * The embedding example (examples/embed-plan.ts) runs as documented: it loads the shipped
 * Shopify → Revolv3 map, plans the sample orders with a fixed clock and returns one line per
 * record.
 */
import { describe, it, expect, vi } from 'vitest';
import { findCardNumbers } from '../../src/index.js';
import { main, summarize } from '../../examples/embed-plan.js';

describe('examples/embed-plan.ts', () => {
  it('returns one summary line per sample order: key, steps, verdict', async () => {
    const lines = await main();
    expect(lines).toEqual([
      'shopify-5871234567893  payment:run/valid  VALID',
      'shopify-5871234567904  payment:run/valid  VALID',
      'shopify-5871234567915  payment:run/valid  VALID',
    ]);
  });

  it('is repeatable and prints nothing when imported', async () => {
    const log = vi.spyOn(console, 'log');
    try {
      expect(await main()).toEqual(await main());
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it('leaks no card number in its lines', async () => {
    expect(findCardNumbers((await main()).join('\n'))).toEqual([]);
  });

  it('summarizes an invalid record with its first diagnostic', () => {
    const line = summarize({
      index: 4,
      ok: false,
      diagnostics: [{ code: 'record/invalid', severity: 'error', message: 'Record 5: /currency must be equal to constant', hint: 'Fix the record.' }],
      steps: [],
    });
    expect(line).toBe('record 5  -  INVALID  (Record 5: /currency must be equal to constant)');
  });
});
