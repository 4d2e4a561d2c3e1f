/** Limits that keep hostile input from hanging or exhausting the engine. */
export interface SourceLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Deepest nesting of maps and sequences accepted. */
  maxDepth: number;
}

/** The default limits: 5 MiB per file, nesting depth 64. */
export const DEFAULT_LIMITS: SourceLimits = { maxBytes: 5 * 1024 * 1024, maxDepth: 64 };

/** Keys that could pollute prototypes when a document is turned into objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
