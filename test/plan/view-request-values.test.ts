/**
 * The plan view hides a value the request holds at a sensitive path (a security code, a card
 * number) wherever else the view shows it, also when the value is computed by the map (so no
 * record path or field name gives it away) and copied into a free-text field. The view's quick
 * check finds such values as its body walk passes the sensitive paths.
 */
import { describe, expect, it } from 'vitest';
import { checkDataMap, planRecord, type CompiledMap } from '../../src/index.js';

function compile(request: string): CompiledMap {
  const text = [
    'version: 1',
    'name: computed sensitive values',
    'provider:',
    '  name: revolv3',
    '  environment: sandbox',
    'key: ref',
    'steps:',
    '  - id: sale',
    '    operation: payments.sale',
    '    request: |',
    ...request.split('\n').map((l) => `      ${l}`),
  ].join('\n');
  const { map, diagnostics } = checkDataMap({ text, file: 'computed.yaml' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return map!;
}

const body = (code: string, line2: string, pan = '"4111111111111111"'): string => `{
  "invoice": { "merchantInvoiceRefId": ref, "orderProcessingChannel": "Moto", "amount": { "currency": "USD", "value": 10 } },
  "paymentMethod": {
    "billingFirstName": "Dana", "billingLastName": "Reyes",
    "billingAddress": { "addressLine1": "1 Main St", "addressLine2": ${line2}, "city": "Irvine", "state": "CA", "postalCode": "92618", "country": "US" },
    "creditCard": { "paymentAccountNumber": ${pan}, "expirationDate": "1028", "securityCode": ${code} }
  }
}`;

describe('plan view: values at sensitive request paths', () => {
  it('a computed security code copied into a free-text field is hidden there too', async () => {
    const map = compile(body('$substring(ref, 3)', '"code " & $substring(ref, 3)'));
    const view = await planRecord(map, { ref: 'INV9876' }, { clock: () => 0 });
    expect(view.ok).toBe(true);
    const text = JSON.stringify(view);
    expect(text).not.toContain('9876');
    const bm = (view.steps[0]!.request!.body as { paymentMethod: { creditCard: { securityCode: string }; billingAddress: { addressLine2: string } } }).paymentMethod;
    expect(bm.creditCard.securityCode).toBe('[redacted]');
    expect(bm.billingAddress.addressLine2).not.toContain('9876');
  });

  it('a security code read through a computed field name, copied with other text, is hidden there', async () => {
    const map = compile(body('$lookup($, "p" & "in")', '"see " & $lookup($, "p" & "in") & " at the desk"'));
    const view = await planRecord(map, { ref: 'INV2', pin: '4321' }, { clock: () => 0 });
    expect(view.ok).toBe(true);
    const text = JSON.stringify(view);
    expect(text).not.toContain('4321');
    expect(text).toContain('at the desk');
  });

  it('nothing sensitive copied: the free text is shown as it is', async () => {
    const map = compile(body('$substring(ref, 3)', '"suite 4"'));
    const view = await planRecord(map, { ref: 'INV12345' }, { clock: () => 0 });
    const bm = (view.steps[0]!.request!.body as { paymentMethod: { billingAddress: { addressLine2: string } } }).paymentMethod;
    expect(bm.billingAddress.addressLine2).toBe('suite 4');
  });
});
