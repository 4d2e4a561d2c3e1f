import { resolveRef, shippedSchema } from '../schemas/ajv.js';

/** What a placeholder stands for: an output of an earlier step, not known until run time. */
export interface PlaceholderInfo {
  ref: string;
  type: string;
}

const OPEN = '\u27E8';
const CLOSE = '\u27E9';
const STRING_PLACEHOLDER = /\u27E8([^\u27E9]+)\u27E9/g;
// Integers far from real ids or amounts, each standing for one placeholder.
const NUMBER_BASE = 7_770_000_000_000;
/** Every numeric placeholder is above this (a smaller number is never one). */
export const PLACEHOLDER_NUMBERS = NUMBER_BASE;

/**
 * Typed stand-ins for values only a real call would give. Strings carry their name
 * (`⟨$steps.sale.invoiceId⟩`); numbers are unique sentinels looked up here, so a later
 * payload still passes type checks and the dry run can show where each value comes from.
 */
export class Placeholders {
  private readonly numbers = new Map<number, PlaceholderInfo>();
  private readonly strings = new Map<string, PlaceholderInfo>();
  // The same reference always gets the same sentinel, so one registry serves every record.
  private readonly byRef = new Map<string, number>();

  /** A sample value of the schema's type, standing for `ref`. */
  forSchema(schema: unknown, ref: string, baseId: string, depth = 0): unknown {
    const s = resolve(schema, baseId);
    if (!s || depth > 8) return this.string(ref);
    const id = typeof s.$id === 'string' ? s.$id : baseId;
    const pick = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
    if (pick && pick.length > 0 && !s.type && !s.properties) return this.forSchema(pick[0], ref, id, depth + 1);
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v) => v !== null) ?? s.enum[0];
    const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t) => t && t !== 'null') as string[];
    const type = types[0] ?? (s.properties ? 'object' : s.items ? 'array' : 'string');
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
          out[k] = this.forSchema(sub, `${ref}.${k}`, id, depth + 1);
        }
        return out;
      }
      case 'array':
        return [this.forSchema(s.items, `${ref}[0]`, id, depth + 1)];
      case 'integer':
      case 'number':
        return this.number(ref, type);
      case 'boolean':
        return true;
      default:
        return this.string(ref);
    }
  }

  /** Re-labels every placeholder inside an output value by where it now lives (`$steps.<id>...`). */
  relabel(value: unknown, ref: string): unknown {
    if (typeof value === 'string') return this.isStringPlaceholder(value) ? this.string(ref) : value;
    if (typeof value === 'number') {
      const info = this.numbers.get(value);
      return info ? this.number(ref, info.type) : value;
    }
    if (Array.isArray(value)) {
      const n = value.length;
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v: unknown = value[i];
        // a value that is no placeholder and holds none is kept without building its ref
        out[i] = this.isPlain(v) ? v : this.relabel(v, `${ref}[${i}]`);
      }
      return out;
    }
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) {
        const v = obj[k];
        out[k] = this.isPlain(v) ? v : this.relabel(v, `${ref}.${k}`);
      }
      return out;
    }
    return value;
  }

  /** A scalar relabel leaves as it is (objects and arrays are walked). */
  private isPlain(v: unknown): boolean {
    if (typeof v === 'string') return !this.isStringPlaceholder(v);
    if (typeof v === 'number') return !this.numbers.has(v);
    return v === null || typeof v !== 'object';
  }

  private isStringPlaceholder(value: string): boolean {
    return value.startsWith(OPEN) && value.endsWith(CLOSE) && value.indexOf(OPEN, 1) === -1 && this.strings.has(value);
  }

  /** The placeholder a value stands for, if it is one. */
  lookup(value: unknown): PlaceholderInfo | undefined {
    if (typeof value === 'number') return this.numbers.get(value);
    if (typeof value === 'string') return this.strings.get(value);
    return undefined;
  }

  /** True when a string contains a placeholder (e.g. a URL built from one). */
  static containsString(value: string): boolean {
    return value.includes(OPEN);
  }

  /** Text form for display: `<$steps.sale.invoiceId: integer>`. */
  static display(info: PlaceholderInfo): string {
    return `<${info.ref}: ${info.type}>`;
  }

  /** Replaces placeholders in a value by their display text; lists where they are. */
  render(value: unknown): { value: unknown; found: Array<{ pointer: string } & PlaceholderInfo> } {
    const found: Array<{ pointer: string } & PlaceholderInfo> = [];
    const walk = (v: unknown, pointer: string): unknown => {
      const info = this.lookup(v);
      if (info) {
        found.push({ pointer, ...info });
        return Placeholders.display(info);
      }
      if (typeof v === 'string' && v.includes(OPEN)) {
        return v.replace(STRING_PLACEHOLDER, (_m, ref: string) => {
          found.push({ pointer, ref, type: 'string' });
          return `<${ref}>`;
        });
      }
      if (Array.isArray(v)) return v.map((x, i) => walk(x, `${pointer}/${i}`));
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        return out;
      }
      return v;
    };
    return { value: walk(value, ''), found };
  }

  private string(ref: string): string {
    const s = `${OPEN}${ref}${CLOSE}`;
    this.strings.set(s, { ref, type: 'string' });
    return s;
  }

  private number(ref: string, type: string): number {
    const known = this.byRef.get(ref);
    if (known !== undefined) return known;
    const n = NUMBER_BASE + this.numbers.size + 1;
    this.numbers.set(n, { ref, type });
    this.byRef.set(ref, n);
    return n;
  }
}

type SchemaNode = Record<string, unknown> & { $ref?: string; $id?: string };

function resolve(schema: unknown, baseId: string): SchemaNode | undefined {
  let s = schema as SchemaNode | undefined;
  for (let i = 0; i < 10 && s && typeof s === 'object' && typeof s.$ref === 'string'; i++) {
    s = resolveRef(s.$ref, baseId) as SchemaNode | undefined;
  }
  return s && typeof s === 'object' ? s : undefined;
}

/** The response schema of an operation as a starting node for placeholders. */
export function responseSchemaRoot(relativePath: string | undefined): { schema: unknown; baseId: string } | undefined {
  if (!relativePath) return undefined;
  const schema = shippedSchema(relativePath) as { $id?: string } | undefined;
  if (!schema) return undefined;
  return { schema, baseId: schema.$id ?? `https://datamap.dev/schemas/${relativePath}` };
}
