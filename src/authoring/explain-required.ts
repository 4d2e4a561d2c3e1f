import {
  itemsOf, objectBranch, propertySchema, requiredOf, shippedResolver, shippedRoot, type SchemaAt,
} from '../analysis/schema-nav.js';
import { fieldName } from '../analysis/map-reads.js';

/**
 * Payload paths a provider request schema requires that a request body does not have: the
 * `required` keys of every object of the body (through `$ref`, nullable `anyOf` wrappers, plain
 * `allOf` members and array items), and, under a missing required object, the keys it would
 * require in turn (`invoice.amount`, `invoice.amount.value`).
 */
export function missingRequiredFields(schemaPath: string, body: unknown): string[] {
  const root = shippedRoot(schemaPath);
  const out: string[] = [];
  if (root) walk(root, body, '', out, 0);
  return out;
}

function walk(schema: SchemaAt | undefined, value: unknown, path: string, out: string[], depth: number): void {
  if (!schema || depth > 40) return;
  if (Array.isArray(value)) {
    const items = itemsOf(schema, shippedResolver);
    value.forEach((v, i) => walk(items, v, `${path}[${i}]`, out, depth + 1));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = objectBranch(schema, shippedResolver);
  if (!obj) return;
  const record = value as Record<string, unknown>;
  for (const r of requiredOf(obj, shippedResolver)) {
    if (record[r] !== undefined) continue;
    const p = join(path, r);
    out.push(p);
    nested(propertySchema(obj, r, shippedResolver), p, out, depth + 1);
  }
  for (const [k, v] of Object.entries(record)) walk(propertySchema(obj, k, shippedResolver), v, join(path, k), out, depth + 1);
}

/** The required keys under a missing required object, recursively. */
function nested(schema: SchemaAt | undefined, path: string, out: string[], depth: number): void {
  if (!schema || depth > 40) return;
  const obj = objectBranch(schema, shippedResolver);
  if (!obj) return;
  for (const r of requiredOf(obj, shippedResolver)) {
    const p = join(path, r);
    out.push(p);
    nested(propertySchema(obj, r, shippedResolver), p, out, depth + 1);
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${fieldName(key)}` : fieldName(key);
}

