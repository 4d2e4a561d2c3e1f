import { CATALOGUE, type ErrorCode } from './catalogue.js';

/** Where in a source file a finding points. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** JSON pointer inside the document, when known (e.g. `/steps/0/request`). */
  pointer?: string;
}

/** An error stops the map or the record; a warning is reported and work goes on. */
export type Severity = 'error' | 'warning';

/** One finding: a stable code, a message, a hint and, where it applies, a location. */
export interface Diagnostic {
  code: ErrorCode;
  severity: Severity;
  message: string;
  hint: string;
  location?: SourceLocation;
  /** Extra facts, e.g. the payload path of a schema violation. */
  data?: Record<string, unknown>;
}

/** Builds a diagnostic, taking the hint from the catalogue unless a sharper one is given. */
export function diagnostic(
  code: ErrorCode,
  message: string,
  extra: { severity?: Severity; hint?: string; location?: SourceLocation; data?: Record<string, unknown> } = {},
): Diagnostic {
  const d: Diagnostic = {
    code,
    severity: extra.severity ?? 'error',
    message,
    hint: extra.hint ?? CATALOGUE[code].hint,
  };
  if (extra.location) d.location = extra.location;
  if (extra.data) d.data = extra.data;
  return d;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** An error that stops work, carrying one or more diagnostics. */
export class DatamapError extends Error {
  readonly code: ErrorCode;
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic | Diagnostic[], options?: { cause?: unknown }) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    const first = list[0] ?? diagnostic('internal/error', 'Unknown error');
    super(first.message, options);
    this.name = 'DatamapError';
    this.code = first.code;
    this.diagnostics = list;
  }
}
