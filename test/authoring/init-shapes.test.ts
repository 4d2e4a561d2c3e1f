/**
 * `datamap init` on foreign host shapes: a field is filled only when its name, type and meaning
 * fit (an amount from a money field, a street from an address field); otherwise a `$todo`.
 * A QuickBooks-style invoice, a WooCommerce-style order and a flat CSV-style row.
 */
import { describe, expect, it } from 'vitest';
import { initDataMap } from '../../src/index.js';

/** QuickBooks Online Invoice (API shape): ids under *Ref objects, the e-mail under BillEmail.Address. */
const QUICKBOOKS = {
  Id: '130', DocNumber: '1037', TxnDate: '2026-11-20',
  CustomerRef: { value: '58', name: 'Dana Reyes' },
  BillEmail: { Address: 'dana.reyes@example.com' },
  BillAddr: { Id: '95', Line1: '1 Main St', City: 'Santa Ana', CountrySubDivisionCode: 'CA', PostalCode: '92701', Country: 'US' },
  Line: [{ Id: '1', LineNum: 1, Amount: 120, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '3', name: 'Repair' }, Qty: 1, UnitPrice: 120 } }],
  TotalAmt: 120, Balance: 120,
  CreditCard: { Number: '4111111111111111', ExpMonth: 10, ExpYear: 2030, Cvv: '737' },
};

/** WooCommerce REST order: billing object with address_1, line_items with product_id. */
const WOOCOMMERCE = {
  id: 727, number: '727', status: 'processing', currency: 'USD', total: '29.35', total_tax: '1.35', customer_id: 26,
  billing: { first_name: 'John', last_name: 'Doe', address_1: '969 Market', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US', email: 'john.doe@example.com', phone: '(555) 555-5555' },
  line_items: [{ id: 315, name: 'Woo Single #1', product_id: 93, quantity: 2, subtotal: '6.00', total: '6.00', price: 3 }],
  payment: { card_number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' },
};

/** A flat CSV export row: every value a string, ids next to amounts. */
const CSV_ROW = {
  invoice_no: 'INV-88', customer_id: '4410', customer_email: 'pat@example.com', street: '12 Elm St', city: 'Austin', state: 'TX', zip: '73301',
  amount_due: '45.10', card_number: '4111111111111111', card_exp: '0930', card_cvv: '321',
};

const mapped = (r: ReturnType<typeof initDataMap>) => Object.fromEntries(r.mapped.map((m) => [`${m.step}:${m.field}`, m.expression]));
const todo = (r: ReturnType<typeof initDataMap>) => r.todos.map((t) => `${t.step}:${t.field}`);

describe('init on foreign shapes', () => {
  it('QuickBooks-style invoice: the amount is never the customer id, the street never the e-mail', () => {
    const r = initDataMap({ provider: 'revolv3', sample: QUICKBOOKS });
    const m = mapped(r);
    const amount = m['sale:invoice.amount.value'];
    expect(amount === undefined ? todo(r) : [amount]).toEqual(amount === undefined ? expect.arrayContaining(['sale:invoice.amount.value']) : [expect.not.stringContaining('CustomerRef')]);
    if (amount) expect(amount).toMatch(/TotalAmt|Balance|Amount/);
    for (const [field, expr] of Object.entries(m)) {
      expect(`${field} = ${expr}`).not.toMatch(/CustomerRef|ItemRef|BillAddr\.Id/);
      if (/billingAddress/.test(field)) expect(`${field} = ${expr}`).not.toContain('BillEmail');
    }
    expect(r.text).not.toContain('$number(CustomerRef.value)');
  });

  it('WooCommerce-style order: amounts from money fields, address from billing, never from ids', () => {
    const r = initDataMap({ provider: 'revolv3', sample: WOOCOMMERCE });
    const m = mapped(r);
    for (const [field, expr] of Object.entries(m)) {
      if (/amount|value/i.test(field)) expect(`${field} = ${expr}`).not.toMatch(/\bid\b|customer_id|product_id/);
      if (/addressLine1/.test(field)) expect(expr).toBe('billing.address_1');
      if (/email/i.test(field)) expect(expr).toMatch(/email/);
    }
  });

  it('flat CSV row: the amount from amount_due, never customer_id; the street from street, never the e-mail', () => {
    const r = initDataMap({ provider: 'revolv3', sample: CSV_ROW });
    const m = mapped(r);
    const amount = m['sale:invoice.amount.value'];
    if (amount) expect(amount).toContain('amount_due');
    else expect(todo(r)).toContain('sale:invoice.amount.value');
    for (const [field, expr] of Object.entries(m)) {
      if (/amount/i.test(field)) expect(expr).not.toContain('customer_id');
      if (/billingAddress\.addressLine1/.test(field)) expect(expr).toBe('street');
      if (/billingAddress/.test(field)) expect(expr).not.toContain('customer_email');
    }
  });

  it('a field that only shares a name but not a meaning is a $todo: an e-mail wanted where the sample has a name only', () => {
    const r = initDataMap({ provider: 'revolv3', sample: { ref: 'A-1', email: 'not an address', amount: 10 } });
    expect(Object.values(mapped(r)).join(' ')).not.toContain('email');
  });

  it('names that fit but values that do not are $todos: a card token, a masked number, "on file", a numeric name, an id as a city, a numeric country, a word as a quantity', () => {
    const sample = {
      orderNumber: 'SO-7', total: 54.2,
      customer: { firstName: 4410, lastName: 'Reyes', email: 'dana@example.com', address: { street: '1 Main St', city: '92701', state: '06', zip: '92701', country: '840' } },
      payment: { card: { number: 'tok_1NsQ2b9f8e7d6c', cvv: 'on file', expiry: 'never' } },
      lines: [{ description: 'Repair', qty: 'two', unitPrice: 54.2 }],
    };
    const r = initDataMap({ provider: 'revolv3', sample });
    const m = mapped(r);
    const got = (suffix: string) => Object.entries(m).filter(([f]) => f.endsWith(suffix)).map(([, e]) => e);
    expect(got('creditCard.paymentAccountNumber')).toEqual([]);
    expect(got('creditCard.securityCode')).toEqual([]);
    expect(got('creditCard.expirationDate')).toEqual([]);
    expect(got('billingFirstName')).toEqual([]);
    expect(got('billingAddress.city')).toEqual([]);
    expect(got('billingAddress.state')).toEqual([]);
    expect(got('billingAddress.country')).toEqual([]);
    expect(todo(r)).toEqual(expect.arrayContaining(['sale:paymentMethod.creditCard.paymentAccountNumber', 'sale:paymentMethod.creditCard.expirationDate']));
    // what does fit is still matched
    expect(got('billingLastName')).toEqual(['customer.lastName']);
    expect(got('billingAddress.addressLine1')).toEqual(['customer.address.street']);
    expect(got('billingAddress.postalCode')).toEqual(['customer.address.zip']);
    // and the same names with values that fit are matched
    const fits = initDataMap({ provider: 'revolv3', sample: { ...sample, payment: { card: { number: '4111 1111 1111 1111', cvv: '737', expiry: '10/30' } }, customer: { ...sample.customer, address: { ...sample.customer.address, city: 'Santa Ana', state: 'CA', country: 'US' } } } });
    const f = mapped(fits);
    expect(Object.entries(f).filter(([k]) => k.endsWith('creditCard.paymentAccountNumber')).map(([, e]) => e)).toEqual(['payment.card.number']);
    expect(Object.entries(f).filter(([k]) => k.endsWith('creditCard.securityCode')).map(([, e]) => e)).toEqual(['payment.card.cvv']);
    expect(Object.entries(f).filter(([k]) => k.endsWith('billingAddress.city')).map(([, e]) => e)).toEqual(['customer.address.city']);
  });
});
