/**
 * A run writes its journal rows with the `plain` hint (WriteBatch): rows it built for the write,
 * JSON data only, never changed afterwards. Checked here from the outside: every batch marked
 * plain holds the same data when the run has ended as when it was written, and a journal whose
 * store honours the hint reads back exactly what one that ignores it does — after a first run
 * and after a re-run that replays.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, openJournal, runRecords, recordItems, type JournalStore, type WriteBatch } from '../../src/index.js';
import { fakeClock, revolv3SaleMap, samples, TOKEN } from './helpers.js';

// a transport answering the pre-flight lookup (nothing found) and approving every sale
function transport() {
  let invoice = 1000;
  return async (req: { method: string; body?: string }) => {
    if (req.method === 'GET') return { status: 200, headers: {}, body: [] };
    const body = JSON.parse(req.body!);
    return { status: 200, headers: {}, body: { invoiceId: ++invoice, merchantInvoiceRefId: body.invoice.merchantInvoiceRefId, invoiceStatus: 'Paid', invoiceAttemptStatus: 'Success', message: 'Approved', paymentMethodId: 7, amount: body.invoice.amount, paymentMethodCreditCardDetails: { binNumber: '411111', paymentLast4Digit: '1111' } } };
  };
}

/** The memory store, noting each batch (and its JSON text as written); `honour: false` drops the hint. */
function watched(honour: boolean) {
  const inner = createMemoryStore();
  const written: Array<{ batch: WriteBatch; text: string }> = [];
  const runs: string[] = [];
  const store: JournalStore = Object.create(inner);
  store.createRun = async (run) => {
    runs.push(run.runId);
    return inner.createRun(run);
  };
  store.write = async (batch: WriteBatch) => {
    written.push({ batch, text: JSON.stringify(batch) });
    if (honour) return inner.write(batch);
    const copy = { ...batch };
    delete copy.plain;
    return inner.write(copy);
  };
  return { store, written, runs };
}

async function runAll(store: JournalStore, records: unknown[]) {
  const journal = openJournal({ store });
  const out = [];
  for await (const r of runRecords(revolv3SaleMap(), recordItems(records), { journal, transport: transport(), credentials: { REVOLV3_TOKEN: TOKEN }, env: {}, clock: fakeClock(), random: () => 0.5, rateLimit: 0 })) out.push(r);
  return out;
}

/** Everything the journal holds, with the run ids (random) numbered. */
async function contents({ store, runs }: { store: JournalStore; runs: string[] }) {
  const rows = { runs: (await store.listRuns()).sort((x, y) => runs.indexOf(x.runId) - runs.indexOf(y.runId)), records: await store.listRecords(), steps: [] as unknown[], events: [] as unknown[], runRecords: [] as unknown[] };
  for (const r of rows.records) {
    rows.steps.push((await store.getRecord(r.scope, r.key))!.steps);
    rows.events.push(await store.listEvents(r.scope, r.key));
  }
  for (const id of runs) rows.runRecords.push(await store.listRunRecords(id));
  let text = JSON.stringify(rows);
  runs.forEach((id, i) => { text = text.split(id).join(`run-${i}`); });
  return JSON.parse(text.replace(/"(pid|heartbeatAt|startedAt|endedAt)":\d+/g, '"$1":0'));
}

describe('journal rows written plain', () => {
  it('are not changed by the run after they are written, and read back as rows written without the hint', async () => {
    const records = samples().filter((r) => r.status === 'open').slice(0, 4);
    expect(records.length).toBeGreaterThan(1);
    const a = watched(true);
    const b = watched(false);
    for (const w of [a, b]) {
      const first = await runAll(w.store, records);
      expect(first.map((r) => r.outcome)).toContain('succeeded');
      // a re-run replays from what the first wrote, charging nothing again
      const again = await runAll(w.store, records);
      expect(again.every((r) => r.replayed === true || r.outcome !== 'succeeded')).toBe(true);
    }
    // the run marks its rows plain...
    const plain = a.written.filter((w) => w.batch.plain);
    expect(plain.length).toBeGreaterThan(records.length * 2);
    expect(plain.some((w) => w.batch.steps?.some((s) => s.lookup && s.state === 'in-flight'))).toBe(true);
    expect(plain.some((w) => w.batch.steps?.some((s) => s.output !== undefined))).toBe(true);
    // ...and leaves them as they were written
    for (const w of plain) expect(JSON.stringify(w.batch)).toBe(w.text);
    expect(await contents(a)).toStrictEqual(await contents(b));
  });
});
