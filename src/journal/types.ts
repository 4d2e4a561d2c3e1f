/**
 * The run journal's rows and the store interface. A store is any durable place that can hold
 * these rows and write a batch of them atomically: the embedded SQLite store ships today; a
 * PostgreSQL store for many workers must pass the same conformance suite
 * (test/journal/store-conformance.ts).
 */

/**
 * Where one step of one record stands.
 * - `planned`: known, not yet sent. `in-flight`: the intent is durable and the request may be
 *   on the wire. `succeeded` / `declined` / `pending`: the provider answered (pending: accepted,
 *   not final). `failed`: provably not applied, safe to try again. `unknown`: may have taken
 *   effect, not yet reconciled. `needs-review`: reconciliation could not tell; held for an
 *   operator, never resent automatically. `skipped`: its `when` was false.
 */
export type StepState = 'planned' | 'in-flight' | 'succeeded' | 'declined' | 'pending' | 'failed' | 'unknown' | 'needs-review' | 'skipped';

/** Every state, in display order. */
export const STEP_STATES: readonly StepState[] = ['planned', 'in-flight', 'succeeded', 'pending', 'declined', 'failed', 'unknown', 'needs-review', 'skipped'];

/** A record's state is its worst step's (see `recordState`). */
export type RecordState = StepState;

/** One `datamap run` (or one `runRecords` call). */
export interface RunRow {
  runId: string;
  /** The Data Map's `name`: the scope in which record keys are unique. */
  mapName: string;
  /** sha256 of the Data Map file's text. */
  mapHash: string;
  mapFile: string;
  provider: string;
  /** Where the records came from (file name, `-`), for display. */
  input?: string;
  startedAt: number;
  endedAt?: number;
  status: 'running' | 'finished' | 'interrupted';
  /** Who runs it: a later run may take over its records only once it is gone. */
  host: string;
  pid: number;
  heartbeatAt: number;
  /** Counts per reported outcome, written when the run ends. */
  counts?: Record<string, number>;
}

/** The journal's knowledge of one record (map name + key), across runs. */
export interface RecordRow {
  scope: string;
  key: string;
  state: RecordState;
  /** The last run that worked on it. */
  runId: string;
  mapHash: string;
  createdAt: number;
  updatedAt: number;
  /** The card as first 6 + last 4, when a request carried one. */
  card?: string;
  ids: Record<string, string | number>;
  errorCode?: string;
  errorMessage?: string;
  /** Set by `runs resolve`: how an operator settled a needs-review record. */
  resolvedAs?: 'succeeded' | 'not-charged';
  /** The run that holds the record now (a claim), or none. */
  leaseRun?: string | null;
}

/** What an operator should check at the provider for a call held for review. */
export interface ReviewInfo {
  /** The lookup parameters (merchant references) of the call. */
  reference: Record<string, unknown>;
  /** The amount the call carried, when the pack says where it is. */
  amount?: unknown;
  /** When the call was sent (ms since the epoch). */
  sentAt?: number;
  reason: string;
}

/**
 * What a status sync needs to settle a call that never answered, without the host record:
 * written with the intent, before the request leaves.
 */
export interface LookupContext {
  /** The request as redacted (card data masked), which the lookup's `found` expression compares with. */
  request?: unknown;
  /** The lookup's parameters, computed from the request (e.g. the merchant invoice reference). */
  params: Record<string, unknown>;
  /**
   * The Data Map variables (its `let`s) the step's `output` reads, as values, so the output can
   * be computed from a found answer; absent when the output reads something the journal cannot
   * keep (the whole record, a function).
   */
  vars?: Record<string, unknown>;
}

/** One step of one record. Holds no card number, security code, token or secret. */
export interface StepRow {
  scope: string;
  key: string;
  stepId: string;
  operation: string;
  state: StepState;
  /** sha256 of the canonical form of the request as redacted (never of raw card data). */
  fingerprint?: string;
  /** Sends of this step so far, across runs. */
  attempts: number;
  runId: string;
  createdAt: number;
  updatedAt: number;
  /** When the last send started, and when it can no longer land. */
  sentAt?: number;
  deadlineAt?: number;
  httpStatus?: number;
  /** Ids the step produced (from its output). */
  ids: Record<string, string | number>;
  /** The step's `output`, redacted; fed to later steps when a record resumes. */
  output?: unknown;
  /** How an unknown outcome was settled. */
  reconciliation?: 'adopted' | 'absent' | 'preflight-adopted' | 'cannot-tell';
  errorCode?: string;
  errorMessage?: string;
  review?: ReviewInfo;
  /** For a call that may move money and can be looked up: how to find it later (see {@link LookupContext}). */
  lookup?: LookupContext;
  /** What the provider's answer says it charged (the pack's `charged` fields), reported again when the step is replayed. */
  charged?: { total: number; tax?: number };
}

/** What one run reported for one record. */
export interface RunRecordRow {
  runId: string;
  scope: string;
  key: string;
  index: number;
  outcome: string;
  /** Reported from the journal without any call. */
  replayed: boolean;
  /** Index of the earlier record with the same key in the same input. */
  duplicateOf?: number;
  card?: string;
  ids: Record<string, string | number>;
  errorCode?: string;
  errorMessage?: string;
  at: number;
}

/** An audit line: a state change and why. */
export interface EventRow {
  runId: string;
  scope: string;
  key: string;
  stepId?: string;
  from?: string;
  to: string;
  at: number;
  note?: string;
}

/** Rows written together, atomically. */
export interface WriteBatch {
  records?: RecordRow[];
  steps?: StepRow[];
  runRecords?: RunRecordRow[];
  events?: EventRow[];
  /**
   * True when the batch must survive a power loss before `write` resolves: the intent written
   * before a request that may move money leaves, and an operator's resolution. Every batch,
   * durable or not, survives a crash of the process (`kill -9`) once `write` resolves, and is
   * made durable at the latest by the next durable batch (a store keeps batches in order).
   * A batch lost to a power loss is safe to lose: a step's outcome that is gone leaves the step
   * `in-flight`, and the next run reconciles it with the provider before anything is resent.
   */
  durable?: boolean;
  /**
   * A hint, never needed: true when the caller built every row of the batch for this write and
   * promises not to change any of them (nor anything they hold) afterwards, and the rows hold
   * only what JSON writes (plain objects and arrays, strings, numbers, booleans, null, undefined
   * where JSON leaves it out or writes null) — no cycle, no BigInt, no function, no class
   * instance. A store that keeps rows as objects (the memory store) may then keep them as they
   * are instead of copying them first; what it gives back is the same either way (rows as a JSON
   * round trip of what was written, never objects a reader can change the store through). A
   * store that serializes rows (SQLite, PostgreSQL) ignores it.
   */
  plain?: boolean;
}

/** The answer to a claim. */
export type ClaimResult =
  | { ok: true; record?: RecordRow; steps: StepRow[] }
  | { ok: false; heldBy: string };

/**
 * A durable home for the journal. Every method is async so that a networked store (PostgreSQL)
 * fits the same interface. `write` resolves only once the batch is committed (and, for a
 * `durable` batch, on stable storage).
 */
export interface JournalStore {
  /** `sqlite`, `memory`, ... */
  readonly kind: string;
  /** Where it lives, for messages. */
  readonly location: string;
  /** Records a new run. */
  createRun(run: RunRow): Promise<void>;
  /** Changes fields of a run (e.g. its end and counts). */
  updateRun(runId: string, patch: Partial<Omit<RunRow, 'runId'>>): Promise<void>;
  /** One run, if the journal has it. */
  getRun(runId: string): Promise<RunRow | undefined>;
  /** Newest first. */
  listRuns(options?: { limit?: number; mapName?: string }): Promise<RunRow[]>;
  /**
   * Takes a record for a run, atomically: granted when no live run holds it (a holder is gone
   * when its run has ended, its process is dead on this host, or its heartbeat is older than
   * `staleMs`). Returns what the journal knows of the record.
   */
  claimRecord(scope: string, key: string, runId: string, now: number, staleMs: number): Promise<ClaimResult>;
  /** A record and its steps, if the journal has it. */
  getRecord(scope: string, key: string): Promise<{ record: RecordRow; steps: StepRow[] } | undefined>;
  /** Applies a batch of changes in one transaction; durable as `batch.durable` says. */
  write(batch: WriteBatch): Promise<void>;
  /** The records a run touched, in order. */
  listRunRecords(runId: string): Promise<RunRecordRow[]>;
  /** Records, optionally by map, state or run. */
  listRecords(filter?: { scope?: string; states?: RecordState[]; runId?: string }): Promise<RecordRow[]>;
  /** A record's history, oldest first. */
  listEvents(scope: string, key: string): Promise<EventRow[]>;
  /**
   * Notes a delivery (e.g. a hash of a webhook's id: never card data) once, atomically: true the first time
   * the id is seen, false for every later delivery of it, across processes and restarts.
   */
  markDelivery(id: string, at: number): Promise<boolean>;
  /** Releases the store (the file stays). */
  close(): Promise<void>;
}
