// The bench's records, shared by bench/run.mjs and the A/B scripts: the open field-service
// invoices paid with the test card and the pending Shopify orders of examples/, repeated with a
// new key each.
import { readFileSync } from 'node:fs';

export const fieldServiceRecords = JSON.parse(readFileSync('examples/field-service/invoices.json', 'utf8')).filter((r) => r.status === 'open' && r.payment.card.number === '4111111111111111');
const shopify = JSON.parse(readFileSync('examples/shopify/orders.json', 'utf8')).filter((r) => r.financial_status === 'pending');

/** `n` records for the shipped map `file` (a file name under mappings/). */
export function recordsFor(file, n) {
  const sh = file.startsWith('shopify');
  const base = sh ? shopify : fieldServiceRecords;
  const out = [];
  for (let i = 0; i < n; i++) {
    const b = base[i % base.length];
    out.push(sh ? { ...b, id: 900000 + i, name: `#B${i}` } : { ...b, invoiceNumber: `BENCH-${i}` });
  }
  return out;
}

/** A shipped map loaded with the sandbox's settings bound, through one build's modules (`M`: lib, resolveSettings, withSettings). */
export function loadBenchMap(M, file) {
  const loaded = M.lib.loadDataMap({ file: `mappings/${file}` });
  const settings = loaded.settings.length ? M.resolveSettings(loaded, { env: { ...M.lib.SANDBOX_SETTINGS } }, 'plan').values : {};
  return M.withSettings(loaded, settings);
}
