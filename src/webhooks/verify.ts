import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookSignatureSpec } from '../providers/pack-types.js';

/**
 * The signature a pack's webhooks carry: an HMAC of the signed message (the pack's `message`
 * template, whose `{url}` is the full webhook URL and `{body}` the raw body), keyed by the
 * webhook key (UTF-8), encoded as the pack says (Revolv3: Base64 HMAC-SHA256 of url + "$" + body).
 */
export function webhookSignature(spec: WebhookSignatureSpec, key: string, url: string, rawBody: string | Buffer): string {
  const h = createHmac(spec.algorithm === 'hmac-sha256' ? 'sha256' : spec.algorithm, Buffer.from(key, 'utf8'));
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  // the template is split around {body} so the raw bytes are signed exactly as received
  const [before, after = ''] = spec.message.split('{body}');
  h.update(Buffer.from(before!.replaceAll('{url}', url), 'utf8'));
  if (spec.message.includes('{body}')) h.update(body);
  h.update(Buffer.from(after.replaceAll('{url}', url), 'utf8'));
  return h.digest(spec.encoding);
}

/** True when `signature` (the header's value) is right for this URL and body; compared in constant time. */
export function verifyWebhookSignature(spec: WebhookSignatureSpec, key: string, url: string, rawBody: string | Buffer, signature: string | undefined): boolean {
  if (!signature || !key) return false;
  const want = Buffer.from(webhookSignature(spec, key, url, rawBody), 'utf8');
  const got = Buffer.from(signature.trim(), 'utf8');
  return want.length === got.length && timingSafeEqual(want, got);
}
