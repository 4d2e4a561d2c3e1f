import type { Diagnostic } from '../errors/diagnostic.js';
import type { NamedValues } from '../redact/record-values.js';

/** An HTTP request as the plan (or the executor) would send it, before auth and redaction. */
export interface PlannedRequest {
  method: string;
  url: string;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
}

/** What happened to one step when it was evaluated for one record. */
export interface StepEvaluation {
  id: string;
  operation: string;
  /** run: its `when` held (or it has none); skip: `when` was false; deferred: `when` depends on earlier outputs. */
  decision: 'run' | 'skip' | 'deferred';
  request?: PlannedRequest;
  /** Errors and warnings for this step (payload violations, expression failures). */
  diagnostics: Diagnostic[];
  /** True when the payload satisfies the provider schema and every expression evaluated. */
  valid: boolean;
}

/** One record's evaluation up to (not including) its steps. */
export interface RecordContext {
  index: number;
  line?: number;
  record: unknown;
  key?: string;
  /** Bindings every expression sees: lets, $key, $record, $steps, clock. */
  bindings: Record<string, unknown>;
  steps: Record<string, unknown>;
  diagnostics: Diagnostic[];
  ok: boolean;
  /** The values under sensitively named fields, noted by the forbidden-key walk when it ran here (the plan view uses them). */
  named?: NamedValues;
}
