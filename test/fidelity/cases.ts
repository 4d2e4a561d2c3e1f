/**
 * Request cases from the docs (issue 10), each valid or invalid as the real API would take it.
 * The same table runs against the provider schemas (test/fidelity/schemas.test.ts) and against
 * the sandbox over HTTP (test/fidelity/sandbox.test.ts): the two are written independently, so a
 * mistake in one is caught by the other.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

export interface FidelityCase {
  name: string;
  /** Pack operation id whose request schema applies. */
  operation: 'payments.sale' | 'payments.saleWithMethod' | 'paymentMethods.reverseAuth' | 'payments.authorize' | 'payments.process' | 'invoices.payment';
  body: Body;
  valid: boolean;
  /** Why (the doc rule); shown in the test name. */
  rule: string;
}

export const ADDRESS = { addressLine1: '2200 Mission St', city: 'San Francisco', state: 'CA', postalCode: '94110', country: 'US' };

/** A sale the docs accept: card, billing name and address, USD amount. */
export function sale(patch: (b: Body) => void = () => undefined): Body {
  const b: Body = {
    invoice: { merchantInvoiceRefId: 'FID-1', orderProcessingChannel: 'Ecommerce', amount: { currency: 'USD', value: 12.5 } },
    paymentMethod: {
      billingAddress: { ...ADDRESS },
      billingFirstName: 'Olivia',
      billingLastName: 'Chen',
      creditCard: { paymentAccountNumber: '4111111111111111', expirationDate: '1029', securityCode: '318' },
    },
  };
  patch(b);
  return b;
}

/** An Invoiss payments.process body with every attribute I1 lists (the sandbox's company and gateway). */
export function processBody(orderId: string, patch: (b: Body) => void = () => undefined): Body {
  const b: Body = {
    method: 'CARD', order: { id: orderId, grandTotal: 100 }, company: { id: 'comp_sandbox', metadata: {} }, signature: 'sig',
    type: 'INVOICE', amount: 100, status: 'COMPLETED', gateway: { id: 'gw_sandbox' }, paymentId: `pay-${orderId}`, orderId,
  };
  patch(b);
  return b;
}

const pm = (b: Body): Body => b.paymentMethod;
const addr = (b: Body): Body => b.paymentMethod.billingAddress;

export const SALE_CASES: FidelityCase[] = [
  { name: 'the base sale', operation: 'payments.sale', body: sale(), valid: true, rule: 'R6' },
  { name: 'addressLine1 + postalCode only', operation: 'payments.sale', body: sale((b) => { pm(b).billingAddress = { addressLine1: '1 Main St', postalCode: '92101' }; }), valid: true, rule: 'R5 address combinations' },
  { name: 'state + postalCode only', operation: 'payments.sale', body: sale((b) => { pm(b).billingAddress = { state: 'CA', postalCode: '92101' }; }), valid: true, rule: 'R5 address combinations' },
  { name: 'addressLine1 + city + state only', operation: 'payments.sale', body: sale((b) => { pm(b).billingAddress = { addressLine1: '1 Main St', city: 'San Diego', state: 'CA' }; }), valid: true, rule: 'R5 address combinations' },
  { name: 'an addressId only', operation: 'payments.sale', body: sale((b) => { pm(b).billingAddress = { addressId: 5001 }; }), valid: true, rule: 'R5 address combinations' },
  { name: 'no valid address combination (city + country)', operation: 'payments.sale', body: sale((b) => { pm(b).billingAddress = { city: 'San Diego', country: 'US' }; }), valid: false, rule: 'R5 address combinations' },
  { name: 'an address with a postal code alone', operation: 'payments.sale', body: sale((b) => { pm(b).billingAddress = { postalCode: '92101' }; }), valid: false, rule: 'R5 address combinations' },
  { name: 'a 3-digit US zip', operation: 'payments.sale', body: sale((b) => { addr(b).postalCode = '921'; }), valid: false, rule: 'R5 US postal code is 5 digits' },
  { name: 'a ZIP+4 US zip', operation: 'payments.sale', body: sale((b) => { addr(b).postalCode = '94110-1234'; }), valid: false, rule: 'R5 US postal code is 5 digits' },
  { name: 'a Canadian postal code', operation: 'payments.sale', body: sale((b) => { Object.assign(addr(b), { country: 'CA', state: 'ON', postalCode: 'M5V 2T6' }); }), valid: true, rule: 'R5 postal code 2-20 outside the US' },
  { name: 'country USA (alpha-3)', operation: 'payments.sale', body: sale((b) => { addr(b).country = 'USA'; }), valid: true, rule: 'ISO 3166 alpha-3' },
  { name: 'country written out', operation: 'payments.sale', body: sale((b) => { addr(b).country = 'United States'; }), valid: false, rule: 'ISO 3166 alpha-2/3' },
  { name: 'a one-letter city', operation: 'payments.sale', body: sale((b) => { addr(b).city = 'X'; }), valid: false, rule: 'R5 city 2-25' },
  { name: 'a full billing name instead of first + last', operation: 'payments.sale', body: sale((b) => { delete pm(b).billingFirstName; delete pm(b).billingLastName; pm(b).billingFullName = 'Olivia Chen'; }), valid: true, rule: 'R13 billing name' },
  { name: 'no billing name', operation: 'payments.sale', body: sale((b) => { delete pm(b).billingFirstName; delete pm(b).billingLastName; }), valid: false, rule: 'R13 billing name' },
  { name: 'a first name without a last name', operation: 'payments.sale', body: sale((b) => { delete pm(b).billingLastName; }), valid: false, rule: 'R13 billing name' },
  { name: 'a 101-character first name', operation: 'payments.sale', body: sale((b) => { pm(b).billingFirstName = 'x'.repeat(101); }), valid: false, rule: 'name at most 100' },
  { name: 'currency as the integer 1', operation: 'payments.sale', body: sale((b) => { b.invoice.amount.currency = 1; }), valid: true, rule: 'R7/R8 examples' },
  { name: 'currency EUR', operation: 'payments.sale', body: sale((b) => { b.invoice.amount.currency = 'EUR'; }), valid: false, rule: 'only USD' },
  { name: 'a numeric securityCode', operation: 'payments.sale', body: sale((b) => { pm(b).creditCard.securityCode = 737; }), valid: true, rule: 'documented numeric form' },
  { name: 'expiry written 03/2030', operation: 'payments.sale', body: sale((b) => { pm(b).creditCard.expirationDate = '03/2030'; }), valid: true, rule: 'documented MM/YYYY form' },
  { name: 'expiry written 3/30', operation: 'payments.sale', body: sale((b) => { pm(b).creditCard.expirationDate = '3/30'; }), valid: false, rule: 'MMYY' },
  { name: 'orderProcessingChannel Moto', operation: 'payments.sale', body: sale((b) => { b.invoice.orderProcessingChannel = 'Moto'; }), valid: true, rule: 'R7 channels' },
  { name: 'orderProcessingChannel Web', operation: 'payments.sale', body: sale((b) => { b.invoice.orderProcessingChannel = 'Web'; }), valid: false, rule: 'R7 channels' },
  { name: 'processingType Foo', operation: 'payments.sale', body: sale((b) => { b.networkProcessing = { processingType: 'Foo' }; }), valid: false, rule: 'R19 processing types' },
  { name: 'processingType 2 (recurring)', operation: 'payments.sale', body: sale((b) => { b.networkProcessing = { processingType: 2, originalNetworkTransactionId: '123456789012345' }; }), valid: true, rule: 'R19 processing types' },
  { name: 'paymentMethodTypes Bogus', operation: 'payments.sale', body: sale((b) => { pm(b).paymentMethodTypes = ['Bogus']; }), valid: false, rule: 'R13 payment method types' },
  { name: 'paymentMethodTypes [1]', operation: 'payments.sale', body: sale((b) => { pm(b).paymentMethodTypes = [1]; }), valid: true, rule: 'R13 CreditCard = 1' },
  { name: 'a 30-character subMerchantName', operation: 'payments.sale', body: sale((b) => { b.dynamicDescriptor = { subMerchantName: 'ACME*' + 'x'.repeat(25) }; }), valid: false, rule: 'R5/R8 descriptor at most 22' },
  { name: 'a 22-character subMerchantName', operation: 'payments.sale', body: sale((b) => { b.dynamicDescriptor = { subMerchantName: 'ACME*' + 'x'.repeat(17) }; }), valid: true, rule: 'R5/R8 descriptor at most 22' },
  { name: 'customerId 0', operation: 'payments.sale', body: sale((b) => { b.customerId = 0; }), valid: false, rule: 'ids 1..1e9' },
  { name: 'customerId above 1e9', operation: 'payments.sale', body: sale((b) => { b.customerId = 1_000_000_001; }), valid: false, rule: 'ids 1..1e9' },
];

export const OTHER_REVOLV3_CASES: FidelityCase[] = [
  { name: 'sale/{id} with paymentMethod null', operation: 'payments.saleWithMethod', body: { invoice: { merchantInvoiceRefId: 'FID-2', amount: { currency: 'USD', value: 5 } }, paymentMethod: null }, valid: true, rule: 'R6 example' },
  { name: 'reverse-auth with a string id', operation: 'paymentMethods.reverseAuth', body: { paymentMethodAuthorizationId: '123456', reason: 'customer cancelled' }, valid: true, rule: 'R9 example' },
  { name: 'reverse-auth with a non-numeric id', operation: 'paymentMethods.reverseAuth', body: { paymentMethodAuthorizationId: 'abc' }, valid: false, rule: 'R9 int64' },
  { name: 'authorize with orderProcessingChannel Web', operation: 'payments.authorize', body: { amount: { currency: 'USD', value: 5 }, orderProcessingChannel: 'Web', paymentMethod: sale().paymentMethod }, valid: false, rule: 'R7 channels' },
];

export const INVOISS_CASES: FidelityCase[] = [
  { name: 'every documented attribute', operation: 'payments.process', body: processBody('ORDER'), valid: true, rule: 'I1' },
  { name: 'without company', operation: 'payments.process', body: processBody('ORDER', (b) => { delete b.company; }), valid: false, rule: 'I1 required attributes' },
  { name: 'without signature', operation: 'payments.process', body: processBody('ORDER', (b) => { delete b.signature; }), valid: false, rule: 'I1 required attributes' },
  { name: 'without paymentId', operation: 'payments.process', body: processBody('ORDER', (b) => { delete b.paymentId; }), valid: false, rule: 'I1 required attributes' },
  { name: 'method BITCOIN', operation: 'payments.process', body: processBody('ORDER', (b) => { b.method = 'BITCOIN'; }), valid: false, rule: 'I1 methods CARD, ACH' },
  { name: 'method ACH', operation: 'payments.process', body: processBody('ORDER', (b) => { b.method = 'ACH'; }), valid: true, rule: 'I1 methods CARD, ACH' },
];
