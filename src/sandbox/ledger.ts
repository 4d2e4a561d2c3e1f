/**
 * The ledger: an append-only record of every money movement the sandbox committed (or
 * attempted: declines are recorded too, with `approved: false`).
 */
import type { LedgerEntry } from './types.js';

/** The data a handler supplies; `seq` and `at` are filled in by the ledger. */
export type LedgerInput = Omit<LedgerEntry, 'seq' | 'at'>;

/** In-memory ledger for one sandbox. */
export class Ledger {
  private entries: LedgerEntry[] = [];

  constructor(private readonly now: () => number) {}

  /** Appends an entry and returns it. Card fields are cut to BIN/last 4 as a last defence. */
  append(input: LedgerInput): LedgerEntry {
    const entry: LedgerEntry = { seq: this.entries.length + 1, ...input, at: new Date(this.now()).toISOString() };
    if (entry.cardBin !== undefined) entry.cardBin = entry.cardBin.slice(0, 6);
    if (entry.cardLast4 !== undefined) entry.cardLast4 = entry.cardLast4.slice(-4);
    this.entries.push(entry);
    return entry;
  }

  /**
   * A later status of the invoice an entry recorded (an ACH payment settled or returned, a
   * refund confirmed): the entry keeps its place, with the new status and whether money moved.
   */
  restate(invoiceId: number, status: string, approved: boolean): void {
    for (const e of this.entries) {
      if (e.invoiceId === invoiceId) {
        e.status = status;
        e.approved = approved;
      }
    }
  }

  /** Copies of all entries, oldest first. */
  list(): LedgerEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }
}

/** Options for {@link countChargesByReference}. */
export interface CountChargesOptions {
  /** Count declined and failed charges too; default false (only approved or pending ones). */
  includeDeclined?: boolean;
}

/**
 * Number of charges per merchant reference: the quickest way for a test to prove that a
 * record was charged exactly once. Entries without a reference are counted under `""`.
 */
export function countChargesByReference(entries: readonly LedgerEntry[], options: CountChargesOptions = {}): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of entries) {
    if (e.kind !== 'charge') continue;
    if (!e.approved && !options.includeDeclined) continue;
    const key = e.merchantReference ?? '';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
