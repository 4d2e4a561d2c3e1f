/**
 * Revolv3 accepts camelCase and PascalCase keys (its guides use both). Bodies are normalised
 * to camelCase before validation: `InvoiceLineItems` → `invoiceLineItems`, `ACH` → `ach`.
 */
import { isObject } from '../validate.js';

function camelKey(key: string): string {
  if (key === key.toUpperCase()) return key.toLowerCase();
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A deep copy of a JSON value with camelCase object keys. Unsafe keys are dropped. */
export function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[camelKey(k)] = camelize(v);
  }
  return out;
}
