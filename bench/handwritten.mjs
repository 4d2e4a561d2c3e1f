// Hand-written JavaScript producing the same request bodies as each shipped Data Map: the
// physical limit the engine is measured against (`npm run bench`). Written once, here; the bench
// checks on sample records that these bodies equal the engine's before it times anything.

/** jsonata's $round: half to even, by shifting the decimal exponent (no float artifacts). */
export function round(arg, precision = 0) {
  if (precision) {
    const value = arg.toString().split('e');
    arg = +(value[0] + 'e' + (value[1] ? +value[1] + precision : precision));
  }
  let result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const value = result.toString().split('e');
    result = +(value[0] + 'e' + (value[1] ? +value[1] - precision : -precision));
  }
  return Object.is(result, -0) ? 0 : result;
}

const truthy = (v) => v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
const elvis = (a, b) => (truthy(a) ? a : b);
const pad2 = (n) => (String(n).length < 2 ? '0' + String(n) : String(n));
const expiry = (m, y) => pad2(m) + String(y).substring(2, 4);

export const handwritten = {
  'field-service-to-revolv3.yaml': (r) => {
    if (r.status !== 'open') return [];
    let sum = 0;
    for (const l of r.lines) sum += l.qty * l.unitPrice;
    const a = r.customer.address;
    return [{
      invoice: { merchantInvoiceRefId: r.invoiceNumber, orderProcessingChannel: 'Moto', amount: { currency: 'USD', value: round(sum, 2) } },
      paymentMethod: {
        billingAddress: { addressLine1: a.street, addressLine2: a.unit, city: a.city, state: a.state, postalCode: a.zip, country: a.country, email: r.customer.email },
        creditCard: { paymentAccountNumber: r.payment.card.number, expirationDate: expiry(r.payment.card.expMonth, r.payment.card.expYear), securityCode: r.payment.card.cvv },
        merchantPaymentMethodRefId: 'pm-' + r.invoiceNumber,
        billingFirstName: r.customer.firstName,
        billingLastName: r.customer.lastName,
      },
    }];
  },

  'field-service-to-invoiss.yaml': (r, steps, settings) => {
    if (r.status !== 'open') return [];
    let sum = 0;
    for (const l of r.lines) sum += round(l.qty * l.unitPrice, 2);
    const c = r.customer;
    const name = c.firstName + ' ' + c.lastName;
    return [
      { name, contact: name, email: c.email, phone: c.phone, externalId: c.id },
      {
        client: elvis(steps.findClient?.clientId, steps.createClient?.clientId),
        type: 'INVOICE', number: r.invoiceNumber, externalId: r.invoiceNumber, serviceDate: r.issuedAt,
        lineItems: r.lines.map((l) => ({ name: l.description, externalId: l.sku, quantity: l.qty, price: l.unitPrice })),
        metadata: { source: 'field-service', technician: r.technician },
      },
      {
        method: 'CARD', type: 'INVOICE', order: { id: steps.order.id, grandTotal: steps.order.grandTotal }, orderId: steps.order.id,
        amount: round(sum, 2), paymentId: 'pay-' + r.invoiceNumber,
        company: { id: settings.companyId }, signature: settings.signature, gateway: { id: settings.gatewayId }, status: settings.paymentStatus,
      },
    ];
  },

  'shopify-to-invoiss.yaml': (r, steps, settings) => {
    if (r.financial_status !== 'pending') return [];
    const key = 'shopify-' + String(r.id);
    const c = r.customer;
    const b = r.billing_address ?? {};
    const names = [elvis(c.first_name, b.first_name), elvis(c.last_name, b.last_name)].filter((v) => v !== null && v !== undefined);
    const clientName = elvis(names.join(' ').trim(), r.email);
    const phone = elvis(c.phone, b.phone);
    const lines = [];
    for (const li of r.line_items) {
      let offSum = 0;
      for (const d of li.discount_allocations ?? []) offSum += Number(d.amount);
      const off = round(offSum, 2);
      lines.push(off > 0
        ? { name: li.title, description: `${li.quantity} × ${li.price} less ${off.toFixed(2)} discount`, externalId: truthy(li.sku) ? li.sku : undefined, quantity: 1, price: round(li.quantity * Number(li.price) - off, 2) }
        : { name: li.title, externalId: truthy(li.sku) ? li.sku : undefined, quantity: li.quantity, price: round(Number(li.price), 2) });
    }
    for (const s of r.shipping_lines ?? []) if (Number(s.price) > 0) lines.push({ name: 'Shipping: ' + s.title, quantity: 1, price: round(Number(s.price), 2) });
    if (r.taxes_included !== true && Number(r.total_tax) > 0) lines.push({ name: 'Sales tax', quantity: 1, price: round(Number(r.total_tax), 2) });
    let sum = 0;
    for (const l of lines) sum += round(l.quantity * l.price, 2);
    const total = round(sum, 2);
    if (total !== round(Number(r.total_price), 2)) throw new Error('total mismatch');
    const email = r.email.toLowerCase();
    return [
      { name: clientName, email, phone: truthy(phone) ? phone : undefined, externalId: 'shopify-customer-' + String(c.id), metadata: { source: 'shopify', shopifyCustomerId: String(c.id) } },
      {
        client: elvis(steps.findClient?.clientId, steps.createClient?.clientId), type: 'INVOICE', number: r.name, externalId: key, lineItems: lines,
        metadata: { source: 'shopify', shopifyOrderId: String(r.id), discountCodes: (r.discount_codes ?? []).map((d) => d.code) },
      },
      { method: 'CARD', type: 'INVOICE', order: { id: steps.order.id, grandTotal: steps.order.grandTotal }, orderId: steps.order.id, amount: total, paymentId: 'pay-' + key,
        company: { id: settings.companyId }, signature: settings.signature, gateway: { id: settings.gatewayId }, status: settings.paymentStatus },
    ];
  },

  'shopify-to-revolv3.yaml': (r) => {
    if (r.financial_status !== 'pending') return [];
    const key = 'shopify-' + String(r.id);
    const tax = r.taxes_included === true ? 0 : round(Number(r.total_tax), 2);
    const discount = round(Number(r.total_discounts), 2);
    const lines = r.line_items.map((li) => ({
      name: li.title.substring(0, 100), description: (truthy(li.sku) ? li.sku + ': ' : '') + li.quantity + ' × ' + li.price,
      value: round(li.quantity * Number(li.price), 2), valueType: 'Standard',
    }));
    for (const s of r.shipping_lines ?? []) if (Number(s.price) > 0) lines.push({ name: ('Shipping: ' + s.title).substring(0, 100), value: round(Number(s.price), 2), valueType: 'Standard' });
    if (tax > 0) lines.push({ name: 'Sales tax', value: tax, valueType: 'Standard' });
    const codes = r.discount_codes ?? [];
    if (discount > 0) lines.push({ name: 'Discount', description: codes.length > 0 ? 'Codes: ' + codes.map((d) => d.code).join(', ') : 'Shopify discounts', value: discount, valueType: 'Discount' });
    let plus = 0;
    let minus = 0;
    for (const l of lines) if (l.valueType === 'Standard') plus += l.value; else minus += l.value;
    const total = round(plus - minus, 2);
    if (total !== round(Number(r.total_price), 2)) throw new Error('total mismatch');
    const c = r.customer;
    const b = r.billing_address;
    const p = r.payment_details;
    return [{
      firstName: elvis(c.first_name, b.first_name), lastName: elvis(c.last_name, b.last_name), email: r.email,
      merchantCustomerRefId: 'shopify-customer-' + String(c.id),
      invoice: { merchantInvoiceRefId: key, invoiceLineItems: lines },
      paymentMethod: {
        paymentMethodTypes: ['CreditCard'],
        billingAddress: { addressLine1: b.address1, addressLine2: b.address2, city: b.city, state: b.province_code, postalCode: b.zip, country: b.country_code, phoneNumber: b.phone, email: r.email },
        creditCard: { paymentAccountNumber: p.credit_card_number.replace(/[ -]/g, ''), expirationDate: expiry(p.credit_card_expiration_month, p.credit_card_expiration_year), securityCode: p.credit_card_cvv },
        billingFirstName: b.first_name, billingLastName: b.last_name,
      },
    }];
  },
};
