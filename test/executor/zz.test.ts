import { it } from 'vitest';
import { run, revolv3SaleMap, samples } from './helpers.js';
it('x', async () => {
  const [first] = samples();
  const badExpiry = { ...structuredClone(first), invoiceNumber: 'BAD-EXP', payment: { method: 'card', card: { number: '4111111111111111', expMonth: 13, expYear: 2028, cvv: '123' } } };
  const r = await run(revolv3SaleMap(), [badExpiry]);
  console.log(JSON.stringify(r, null, 1));
});
