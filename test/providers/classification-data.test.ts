/**
 * The packs' classification tables cover the documented status sets exactly: every documented
 * invoice status (21 names and the integer form 1-19) is listed by every operation that reads
 * invoiceStatus, nothing undocumented is listed, and every rule cites a source.
 */
import { describe, expect, it } from 'vitest';
import { getProvider } from '../../src/index.js';

const NAMES = [
  'Paid', 'Void', 'Pending', 'Recycle', 'Noncollectable', 'Failed', 'Refund', 'MerchantPaid', 'MerchantCancelled',
  'OneTimePaymentPending', 'PartialRefund', 'BatchPending', 'CapturePending', 'RefundPending', 'RefundDeclined',
  'RefundFailed', 'RetryPending', 'RecurringPending', 'MultiCardsPending', 'RefundVoid', 'PartialRefundVoid',
];
const DOCUMENTED: Array<string | number> = [...NAMES, ...NAMES.slice(0, 19).map((_, i) => i + 1)];
const CLASSES = ['succeeded', 'declined', 'pending', 'failed', 'unknown'] as const;

type Spec = { field?: string; default: string; source?: string; rules?: Array<{ source: string; reason: string }> } & Partial<Record<(typeof CLASSES)[number], Array<string | number | boolean>>>;

function listed(spec: Spec): Array<string | number | boolean> {
  return CLASSES.flatMap((c) => spec[c] ?? []);
}

describe('Revolv3 classification tables', () => {
  const pack = getProvider('revolv3')!;
  const invoiceOps = ['invoices.payment', 'payments.sale', 'payments.saleWithMethod', 'payments.capture'];
  for (const id of invoiceOps) {
    it(`${id}: every documented status (string and integer form) is classed, each once, and anything else is unknown`, () => {
      const op = pack.operations[id]!;
      for (const spec of [op.classify, op.followUp!.classify] as Spec[]) {
        const values = listed(spec);
        expect(new Set(values).size).toBe(values.length);
        expect([...values].sort()).toEqual([...DOCUMENTED].sort());
        expect(spec.default).toBe('unknown');
        expect(spec.source).toBeTruthy();
      }
      expect(op.classify.succeeded).toEqual(['Paid', 1]);
      expect(op.classify.unknown).toContain('MerchantPaid');
    });
  }

  it('integer n is the n-th documented name, in every table', () => {
    for (const op of Object.values(pack.operations)) {
      for (const spec of [op.classify, op.followUp?.classify].filter(Boolean) as Spec[]) {
        for (const cls of CLASSES) {
          for (const v of spec[cls] ?? []) {
            if (typeof v === 'number') expect(spec[cls], `${cls} lists ${v} but not ${NAMES[v - 1]}`).toContain(NAMES[v - 1]);
          }
        }
      }
    }
  });

  it('refunds are never final on the refund call itself, only when the refund invoice is confirmed', () => {
    const op = pack.operations['invoices.refund']!;
    expect(op.classify.succeeded ?? []).toEqual([]);
    expect(op.classify.pending).toEqual(expect.arrayContaining(['Refund', 'PartialRefund']));
    expect(op.followUp!.classify.succeeded).toEqual(expect.arrayContaining(['Refund', 'PartialRefund']));
    expect(op.followUp!.lookup).toBe('invoices.get');
  });

  it('every rule and every status table cites its source', () => {
    for (const pack of [getProvider('revolv3')!, getProvider('invoiss')!]) {
      for (const [id, op] of Object.entries(pack.operations)) {
        for (const spec of [op.classify, op.followUp?.classify].filter(Boolean) as Spec[]) {
          for (const r of spec.rules ?? []) expect(r.source, id).toBeTruthy();
          if (spec.field) expect(spec.source, id).toBeTruthy();
        }
      }
    }
  });
});
