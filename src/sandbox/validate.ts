/**
 * A small accumulating validator for untrusted JSON bodies. Every check records an error
 * message (`path: problem`) instead of throwing, so a 400 lists every problem at once.
 * `null` counts as absent, as the providers' examples send nulls for unused fields.
 */
import { badRequest } from './errors.js';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when the number has at most two decimal places. */
export function hasAtMostTwoDecimals(value: number): boolean {
  return Math.abs(Math.round(value * 100) - value * 100) < 1e-6;
}

/** Rounds to cents. */
export function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  hint?: string;
}

interface MoneyRule {
  required?: boolean;
  /** Allow 0 (authorizations); otherwise the amount must be positive. */
  allowZero?: boolean;
}

/** Collects validation errors for one request. */
export class Checker {
  readonly errors: string[] = [];

  add(message: string): void {
    this.errors.push(message);
  }

  /** A nested object; records an error when required and absent, or not an object. */
  object(parent: JsonObject | undefined, key: string, path: string, required = false): JsonObject | undefined {
    const v = parent?.[key];
    if (v === undefined || v === null) {
      if (required) this.add(`${path}: The ${path} field is required.`);
      return undefined;
    }
    if (!isObject(v)) {
      this.add(`${path}: must be an object.`);
      return undefined;
    }
    return v;
  }

  /** An array; records an error when required and absent, or not an array. */
  array(parent: JsonObject | undefined, key: string, path: string, required = false): unknown[] | undefined {
    const v = parent?.[key];
    if (v === undefined || v === null) {
      if (required) this.add(`${path}: The ${path} field is required.`);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(`${path}: must be an array.`);
      return undefined;
    }
    return v as unknown[];
  }

  /** A string with optional length and pattern rules. */
  string(parent: JsonObject | undefined, key: string, path: string, rule: StringRule = {}): string | undefined {
    const v = parent?.[key];
    if (v === undefined || v === null) {
      if (rule.required) this.add(`${path}: The ${path} field is required.`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(`${path}: must be a string.`);
      return undefined;
    }
    if (rule.required && v.trim() === '') {
      this.add(`${path}: must not be empty.`);
      return undefined;
    }
    if (rule.min !== undefined && v.length < rule.min) this.add(`${path}: must be at least ${rule.min} characters.`);
    else if (rule.max !== undefined && v.length > rule.max) this.add(`${path}: must be at most ${rule.max} characters.`);
    else if (rule.pattern && !rule.pattern.test(v)) this.add(`${path}: ${rule.hint ?? 'has an invalid format.'}`);
    else return v;
    return undefined;
  }

  /** A money amount: a JSON number, not negative, at most two decimals, positive unless allowZero. */
  money(parent: JsonObject | undefined, key: string, path: string, rule: MoneyRule = {}): number | undefined {
    const v = parent?.[key];
    if (v === undefined || v === null) {
      if (rule.required) this.add(`${path}: The ${path} field is required.`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(`${path}: must be a number.`);
      return undefined;
    }
    if (v < 0) this.add(`${path}: must not be negative.`);
    else if (!hasAtMostTwoDecimals(v)) this.add(`${path}: must have at most 2 decimal places.`);
    else if (v === 0 && !rule.allowZero) this.add(`${path}: must be greater than 0.`);
    else return v;
    return undefined;
  }

  /** A positive number (quantities, percentages). */
  number(parent: JsonObject | undefined, key: string, path: string, required = false): number | undefined {
    const v = parent?.[key];
    if (v === undefined || v === null) {
      if (required) this.add(`${path}: The ${path} field is required.`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(`${path}: must be a number.`);
      return undefined;
    }
    return v;
  }

  /** An integer id given as a number or a numeric string (Revolv3 ids are int64). */
  id(parent: JsonObject | undefined, key: string, path: string, required = false): number | undefined {
    const v = parent?.[key];
    if (v === undefined || v === null) {
      if (required) this.add(`${path}: The ${path} field is required.`);
      return undefined;
    }
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      this.add(`${path}: must be an integer id.`);
      return undefined;
    }
    return n;
  }

  /** Throws a 400 ApiError listing every recorded problem. */
  done(message?: string): void {
    if (this.errors.length > 0) throw badRequest([...this.errors], message);
  }
}

/** Parses a path parameter as an integer id; undefined when it is not one. */
export function parseIdParam(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
