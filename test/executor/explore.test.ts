import nock from 'nock';
import { afterEach, beforeAll, it } from 'vitest';
import { api, openSample, paid, resetNock, REVOLV3, revolv3SaleMap, run, type Seen } from './helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(resetNock);

for (const kind of ['delayConnection', 'delayConnection', 'delay'] as const) {
it('timeout ' + kind, async () => {
  const seen: Seen[] = [];
  api(REVOLV3, seen).post('/api/Payments/sale')[kind](200).reply(200, paid(1001, 'FS-10042'))
    .get('/api/Invoices').query({ merchantInvoiceRefId: 'FS-10042' }).reply(200, [{ invoiceId: 1001, merchantInvoiceRefId: 'FS-10042', invoiceStatus: 'Paid', total: 159.99 }]);
  const t = Date.now();
  const res = await run(revolv3SaleMap(), [openSample()], { timeoutMs: 30 });
  console.log(kind, Date.now() - t, res[0]!.steps[0]!.reconciliation, res[0]!.outcome);
  console.log(seen.map((s) => s.method + ' ' + s.path));

});
}
