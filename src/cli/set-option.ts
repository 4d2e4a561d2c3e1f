import { CATALOGUE } from '../errors/catalogue.js';
import { DatamapError } from '../errors/diagnostic.js';

/** Collects repeated `--set name=value` options (commander reducer). */
export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `['invoiss.companyId=c_1']` → `{ 'invoiss.companyId': 'c_1' }`; a malformed one is a usage error. */
export function parseSets(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new DatamapError({ code: 'usage/invalid-argument', severity: 'error', message: `--set ${v}: expected <name>=<value>, e.g. --set invoiss.companyId=comp_123`, hint: CATALOGUE['usage/invalid-argument'].hint });
    out[v.slice(0, i).trim()] = v.slice(i + 1);
  }
  return out;
}
