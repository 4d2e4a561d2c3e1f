/** Limits that keep hostile input from hanging or exhausting the engine. */
export interface SourceLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Deepest nesting of maps and sequences accepted. */
  maxDepth: number;
  /** Most nodes (keys, values, items) in one document. */
  maxNodes: number;
  /** Most keys in one mapping. */
  maxKeys: number;
  /** Most items in one sequence. */
  maxItems: number;
}

/** The default limits: 5 MiB per file, nesting depth 64, 20,000 nodes, 5,000 keys per mapping, 10,000 items per sequence. */
export const DEFAULT_LIMITS: SourceLimits = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, maxNodes: 20_000, maxKeys: 5_000, maxItems: 10_000 };

/** Keys that could pollute prototypes when a document is turned into objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
