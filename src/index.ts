/**
 * datamap: turn host records into validated payment-provider calls.
 *
 * The one public entry. Pipeline: load → validate → compile (`loadDataMap`/`checkDataMap`),
 * plan (`planRecord`/`planRecords`, a pure dry run), execute (`runRecords`).
 */
export { checkDataMap, loadDataMap, type DataMapSource } from './datamap/load.js';
export type { CompiledMap, CompiledStep, DataMapSpec, StepSpec, ProviderSettings, ResolvedProvider, ResolvedOperation, Expr } from './datamap/types.js';
export { DatamapError, hasErrors, type Diagnostic, type Severity, type SourceLocation } from './errors/diagnostic.js';
export type { PathSegment } from './source/pointer.js';
export { CATALOGUE, type ErrorCode } from './errors/catalogue.js';
export { planRecord, planRecords, recordItems, type PlanRunOptions, type PlanClock } from './plan/plan-stream.js';
export { compileJsonata, type JsonataProgram, type ExpressionBackend } from './expressions/backend.js';
export { EVALUATION_LIMITS } from './expressions/limits.js';
export { mapExpressions, expressionBackends, type MapExpression } from './datamap/expressions.js';
export type { RecordPlanView, StepPlanView } from './plan/view.js';
export { readRecords, type RecordItem, type ReadRecordsOptions } from './source/read-records.js';
export { readCsvRecords, type ReadCsvOptions } from './source/read-csv.js';
export { DEFAULT_LIMITS, type SourceLimits } from './source/limits.js';
export { getProvider, listProviders } from './providers/registry.js';
export type {
  ProviderPack, OperationSpec, Classification, ChargedSpec, WebhookSpec, WebhookSignatureSpec, WebhookStatusEvent, ClassifyValue, ClassifyRule, ClassifyCondition, FollowUpSpec, AuthScheme, HeaderAuthScheme, TokenExchangeAuthScheme, ClassifySpec, ReconcileSpec, SensitiveSpec, CredentialSpec, ErrorSpec,
} from './providers/pack-types.js';
export { maskCardNumber, scrubText, findCardNumbers, redactValue, luhnValid, maskCredentials, createScrubber, Scrubber, recordScrubber, redactionPlan, addRequestValues, type SensitivePaths, type ScrubKind, type RedactionPlan, type SensitiveRecordPath } from './redact/index.js';
export { runRecords, summarize } from './executor/run.js';
export { OUTCOMES } from './executor/types.js';
export { resolveSettings, withSettings, settingSecrets, type ResolvedSettings, type SettingSpec, type SettingsInput, type CompiledSetting } from './settings/index.js';
export { classifyDetail, type ClassifyDetail } from './executor/classify.js';
/** Later statuses (ACH settlement, refund confirmation) applied to the journal; provider webhooks. */
export { syncStatuses, type SyncOptions, type SyncReport, type SyncFailure, type SyncSkipped, applyReportedStatus, followUpSteps, FOLLOW_UP_PREFIX, type StatusApplied, type StatusChange, type StatusUnchanged, type FollowUpStep } from './status/index.js';
export { createWebhookHandler, webhookProvider, webhookSignature, verifyWebhookSignature, decodeWebhook, statusReport, WebhookDecodeError, type WebhookHandler, type WebhookHandlerOptions, type WebhookDelivery, type WebhookEvent, type StatusReport } from './webhooks/index.js';
export type { Outcome, RecordResult, RecordTotals, StepResult, RunOptions } from './executor/types.js';
/** The run journal: open one, list and show runs, resolve records held for review; stores. */
export { openJournal, openMemoryJournal, DEFAULT_JOURNAL_PATH, createSqliteStore, createMemoryStore, transition, resumeAction, recordState, STEP_STATES } from './journal/index.js';
export type { Journal, RunSummary, RunRecordView, JournalStore, RunRow, RecordRow, StepRow, RunRecordRow, EventRow, WriteBatch, ClaimResult, StepState, RecordState, ReviewInfo, LookupContext, StepEvent, ResumeAction } from './journal/index.js';
export type { Clock } from './executor/clock.js';
export type { RetryPolicy } from './executor/retry-policy.js';
export type { NormalizedError } from './executor/provider-error.js';
export { TransportError, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type Transport, type HttpRequest, type HttpResponse } from './transport/types.js';
export { assertHttpUrl, egressPolicy, egressFindings, PRODUCTION_ENVIRONMENT, type EgressPolicy } from './transport/egress.js';
export { createAxiosTransport } from './transport/axios-transport.js';
export { startSandbox, SANDBOX_SETTINGS, SANDBOX_WEBHOOK_KEY, ACH_RETURN_ACCOUNT, TEST_CARDS, FAULT_AMOUNTS, DECLINE_AMOUNT, countChargesByReference } from './sandbox/index.js';
export type {
  Sandbox, SandboxOptions, SandboxCredentials, SandboxSettings, SandboxWebhookOptions, SandboxStatusChange, SandboxStateSnapshot, FaultRule, FaultKind, LedgerEntry, LedgerKind, LedgerOperation, ProviderName, TestCard, CardOutcome, OutcomeSpec, CountChargesOptions,
} from './sandbox/index.js';
export { runDemo, type DemoOptions, type DemoReport, type DemoRun } from './demo/run-demo.js';
export {
  describeProviders, describeProvider, describeOperation, initDataMap, explainRecord,
  findDataMapTests, runDataMapTest, runDataMapTests, runDataMapTestCase, checkDataMapTest, defaultMapFileFor,
  isDataMapTestFile, subsetDifferences, formatTestPath, createMockTransport, DATAMAP_TEST_DEFAULT_NOW,
} from './authoring/index.js';
export type {
  ProviderSummary, ProviderDetails, ProviderEnvironmentInfo, ProviderAuthInfo, ProviderCredentialInfo, OperationSummary,
  OperationDetails, ResponseFieldInfo, FieldDescription, RequiredChoice, SensitiveKind, InitDataMapOptions, InitDataMapResult,
  InitMappedField, InitTodo, DataMapTestMismatch, DataMapTestCaseReport, DataMapTestFileReport, DataMapTestRunReport,
  DataMapTestOptions, DataMapTestCheck, DataMapTestSpec, DataMapTestCaseSpec, DataMapTestCase, DataMapTestExpect,
  DataMapTestResponse, LoadedDataMapTest, SubsetDifference, MockTransport, MockedCall, Explanation, ExplainedStep,
  ExplainedField, ExplainedSource, ExplainOptions,
} from './authoring/index.js';
export { startStudio, type Studio, type StudioOptions } from './studio/index.js';
