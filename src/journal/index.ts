/**
 * The run journal: what every run did, per record and step, in a durable store, so that a
 * re-run is a resume and no call that may have moved money is ever repeated.
 */
export { openJournal, openMemoryJournal, DEFAULT_JOURNAL_PATH } from './journal.js';
export type { Journal, RunSummary, RunRecordView } from './journal.js';
export { createSqliteStore } from './sqlite-store.js';
export { createMemoryStore } from './memory-store.js';
export { transition, resumeAction, recordState, isFinal, IllegalTransition } from './states.js';
export type { StepEvent, ResumeAction } from './states.js';
export { fingerprint, canonicalJson, hashText } from './fingerprint.js';
export { STEP_STATES } from './types.js';
export type { JournalStore, RunRow, RecordRow, StepRow, RunRecordRow, EventRow, WriteBatch, ClaimResult, StepState, RecordState, ReviewInfo, LookupContext } from './types.js';
