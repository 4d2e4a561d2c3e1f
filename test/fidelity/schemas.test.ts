/** The provider schemas take each documented request case as the real API would (cases.ts). */
import { describe, expect, it } from 'vitest';
import { getProvider } from '../../src/index.js';
import { shippedValidator } from '../../src/schemas/ajv.js';
import { INVOISS_CASES, OTHER_REVOLV3_CASES, SALE_CASES, type FidelityCase } from './cases.js';

function check(provider: string, c: FidelityCase): void {
  const op = getProvider(provider)!.operations[c.operation]!;
  const validate = shippedValidator(op.request!);
  const ok = validate(c.body);
  expect(ok, `${c.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(c.valid);
}

describe('Revolv3 request schemas', () => {
  for (const c of [...SALE_CASES, ...OTHER_REVOLV3_CASES]) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.name} (${c.rule})`, () => check('revolv3', c));
  }
});

describe('Invoiss request schemas', () => {
  for (const c of INVOISS_CASES) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.name} (${c.rule})`, () => check('invoiss', c));
  }
});
