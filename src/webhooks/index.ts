/**
 * Provider webhooks, read by the pack's `webhooks` rules: signature check, decoding,
 * de-duplication, a handler for any Node HTTP server, and applying reported statuses to the
 * run journal (src/status).
 */
export { webhookSignature, verifyWebhookSignature } from './verify.js';
export { decodeWebhook, statusReport, WebhookDecodeError, type WebhookEvent, type StatusReport } from './decode.js';
export { createWebhookHandler, webhookProvider, type WebhookHandler, type WebhookHandlerOptions, type WebhookDelivery } from './handler.js';
