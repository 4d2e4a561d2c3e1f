export { luhnValid } from './luhn.js';
export { maskCardNumber, scrubText, findCardNumbers, REDACTED } from './mask.js';
export { redactValue, sensitivePaths, type SensitivePaths } from './redact-value.js';
