/**
 * Later statuses of calls that were not final (an ACH payment, a refund, an answer held for
 * review): where to look them up (follow-up parameters stored in the journal) and how a reported
 * status moves the journal, shared by `datamap runs sync` and webhooks.
 */
export { followUpIds, storedFollowUp, FOLLOW_UP_PREFIX } from './follow-up.js';
export { syncStatuses, type SyncOptions, type SyncReport, type SyncFailure, type SyncSkipped } from './sync.js';
export { applyReportedStatus, applyStatusToStep, followUpSteps, isChange, OPEN_FOR_STATUS, type StatusApplied, type StatusChange, type StatusUnchanged, type FollowUpStep } from './apply.js';
