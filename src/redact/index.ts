export { luhnValid } from './luhn.js';
export { maskCardNumber, maskCredentials, mayHoldCardNumber, mayHoldUserInfo, mayNeedMasking, maskingChangesJoined, scrubText, findCardNumbers, REDACTED } from './mask.js';
export { operationPaths, redactValue, sensitivePaths, type SensitivePaths } from './redact-value.js';
export { createScrubber, Scrubber, MIN_SENSITIVE_LENGTH, type ScrubKind } from './scrubber.js';
export { addRecordValues, addRequestValues, recordScrubber, redactionPlan, type RedactionPlan, type SensitiveRecordPath } from './record-values.js';
