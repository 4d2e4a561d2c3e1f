/** The example records shipped for each map (examples/), as the differential tests vary them. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvRecords } from '../../src/index.js';
import type { CompiledMap } from '../../src/datamap/types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The examples a shipped map (`mappings/<file>`) reads: the QuickBooks CSV, the Shopify orders or the field-service invoices. */
export async function exampleRecords(file: string, map: CompiledMap): Promise<Record<string, unknown>[]> {
  if (file.startsWith('quickbooks')) {
    const out: Record<string, unknown>[] = [];
    const text = readFileSync(join(repoRoot, 'examples/quickbooks-csv/invoices.csv'), 'utf8');
    for await (const it of readCsvRecords([text], { schema: map.spec.input })) if (it.value) out.push(it.value as Record<string, unknown>);
    return out;
  }
  const path = file.startsWith('shopify') ? 'examples/shopify/orders.json' : 'examples/field-service/invoices.json';
  return JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as Record<string, unknown>[];
}

/** A seeded random number in [0, 1). */
export type R = () => number;

/** One of `xs`, picked with `r`. */
export const pick = <T,>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
