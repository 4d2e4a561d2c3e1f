import { it } from 'vitest';
import { describeOperation, describeProviders } from '/work/main/src/index.js';
it('x', () => {
  console.log(JSON.stringify(describeOperation('revolv3','payments.sale').request, null, 1).slice(0, 6000));
  console.log(JSON.stringify(describeOperation('revolv3','invoices.payment').request?.choices));
  console.log(JSON.stringify(describeProviders()[0]?.auth));
});
