/**
 * Finds the sample-record field closest to a provider request field, by name: names are
 * normalized (lowercase, non-alphanumerics stripped) and compared on the leaf and on
 * parent + leaf, through a small synonym table, with a bonus when the surrounding objects agree
 * (a card number under `payment.card`, a client name under `customer`). A few values are derived
 * from two fields (full name, MMYY expiry, a total from line items). Internal to `datamap init`.
 */

/** Lowercase, alphanumerics only. */
export function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Groups of names that mean the same thing (normalized). */
const SYNONYM_GROUPS: string[][] = [
  ['postalcode', 'zip', 'zipcode', 'postcode', 'postal', 'zippostalcode'],
  ['paymentaccountnumber', 'cardnumber', 'creditcardnumber', 'ccnumber', 'pan', 'cardno', 'creditcardno'],
  ['expirationdate', 'expiry', 'expirydate', 'expiration', 'expdate', 'exp', 'cardexpiry', 'cardexpiration', 'expires', 'expiresat'],
  ['securitycode', 'cvv', 'cvc', 'cvv2', 'cvc2', 'csc', 'cardcode', 'cardcvv', 'creditcardcvv', 'cardsecuritycode'],
  ['firstname', 'givenname', 'fname', 'billingfirstname', 'customerfirstname'],
  ['lastname', 'surname', 'familyname', 'lname', 'billinglastname', 'customerlastname'],
  ['fullname', 'name', 'customername', 'clientname', 'billingfullname', 'contactname', 'displayname', 'companyname'],
  ['accountholdername', 'cardholder', 'holder', 'cardholdername', 'holdername', 'nameoncard'],
  ['addressline1', 'street', 'address1', 'streetaddress', 'line1', 'address', 'street1', 'streetline1'],
  ['addressline2', 'unit', 'address2', 'line2', 'apt', 'suite', 'street2', 'streetline2'],
  ['city', 'town', 'locality'],
  ['state', 'province', 'provincecode', 'statecode', 'region'],
  ['country', 'countrycode', 'countryiso'],
  ['email', 'emailaddress', 'mail'],
  ['phone', 'phonenumber', 'telephone', 'tel', 'mobile'],
  ['amountvalue', 'amount', 'total', 'totalprice', 'grandtotal', 'totalamount', 'totalamt', 'amountdue', 'totaldue', 'balance', 'balancedue', 'invoicetotal', 'ordertotal'],
  ['quantity', 'qty', 'count', 'units'],
  ['price', 'unitprice', 'unitcost', 'rate', 'priceeach', 'unitamount'],
  ['lineitemsname', 'lineitemname', 'itemname', 'description', 'title', 'productname', 'label', 'invoicelineitemsname'],
  ['lineitems', 'lines', 'items', 'lineitem', 'invoicelines', 'orderlines', 'products', 'entries', 'invoicelineitems'],
  ['externalid', 'customerid', 'clientid', 'customerexternalid', 'clientexternalid', 'customerref', 'customerreference', 'accountid'],
];
const GROUP_OF = new Map<string, number[]>();
SYNONYM_GROUPS.forEach((g, i) => {
  for (const n of g) GROUP_OF.set(n, [...(GROUP_OF.get(n) ?? []), i]);
});

/** Names that say little on their own: an exact match at the record's top level counts less. */
const GENERIC = new Set(['id', 'name', 'value', 'type', 'number', 'code', 'description', 'status', 'date', 'key']);

/** Objects that describe the same thing, for the context bonus. */
const CONTEXT_GROUPS: string[][] = [
  ['customer', 'client', 'billing', 'buyer', 'payer', 'contact', 'billto'],
  ['card', 'creditcard', 'payment', 'paymentmethod', 'paymentdetails'],
  ['address', 'billingaddress', 'location'],
];

const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** A scalar field of the sample. */
export interface SampleLeaf {
  /** Property names from the record (or from an array element). */
  path: string[];
  value: unknown;
  /** Normalized leaf name and parent + leaf. */
  keys: string[];
  /** Normalized names of the enclosing objects. */
  ancestors: string[];
}

/** An array of objects in the sample. */
export interface SampleArray {
  path: string[];
  /** Its first element. */
  element: Record<string, unknown>;
  keys: string[];
  ancestors: string[];
}

/** The fields of a sample record (or of one array element). */
export interface SampleIndex {
  leaves: SampleLeaf[];
  arrays: SampleArray[];
  /** True for an array element: expressions are relative to the element. */
  inItem: boolean;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Indexes the scalar fields and arrays of objects of a record (arrays are not descended into). */
export function indexSample(record: Record<string, unknown>, inItem = false): SampleIndex {
  const index: SampleIndex = { leaves: [], arrays: [], inItem };
  const walk = (obj: Record<string, unknown>, path: string[], depth: number) => {
    if (depth > 8) return;
    for (const [k, v] of Object.entries(obj)) {
      if (FORBIDDEN.has(k) || k.includes('`')) continue;
      const p = [...path, k];
      const parent = path.length ? norm(path[path.length - 1]!) : '';
      const keys = [...new Set([norm(k), parent + norm(k)])].filter((x) => x !== '');
      const ancestors = path.map(norm);
      if (isPlain(v)) walk(v, p, depth + 1);
      else if (Array.isArray(v)) {
        const first = v.find(isPlain);
        if (first) index.arrays.push({ path: p, element: first, keys, ancestors });
      } else index.leaves.push({ path: p, value: v, keys, ancestors });
    }
  };
  walk(record, [], 0);
  return index;
}

/** A JSONata path to a sample field (backticks where a name is not a plain identifier). */
export function jsonataPath(path: readonly string[]): string {
  return path.map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !RESERVED.has(s) ? s : '`' + s + '`')).join('.');
}

/** What the provider field looks like, for matching. */
export interface FieldQuery {
  /** Property names from the body (array elements skipped). */
  path: string[];
  /** Accepted JSON types (`null` ignored); empty: anything. */
  types: string[];
  enum?: unknown[];
  pattern?: string;
  /** Extra names (normalized) that count as synonyms for this field. */
  alsoNames?: string[];
  /** Extra context words (normalized), e.g. `customer` for a client's fields. */
  subject?: string[];
}

/** A sample field (or a derivation from two) chosen for a provider field. */
export interface FieldMatch {
  /** JSONata giving the value, relative to the record (or to the array element). */
  expression: string;
  /** The sample path(s) it reads, for reporting. */
  from: string[];
  score: number;
}

function queryKeys(q: FieldQuery): string[] {
  const leaf = q.path[q.path.length - 1] ?? '';
  const parent = q.path.length > 1 ? q.path[q.path.length - 2]! : '';
  return [...new Set([norm(leaf), norm(parent) + norm(leaf)])].filter((x) => x !== '');
}

function contextTokens(q: FieldQuery): string[] {
  const base = [...q.path.slice(0, -1).map(norm), ...(q.subject ?? [])].filter((t) => t.length >= 3);
  const out = new Set(base);
  for (const t of base) {
    for (const g of CONTEXT_GROUPS) if (g.some((m) => t.includes(m))) for (const m of g) out.add(m);
  }
  return [...out];
}

function contextBonus(tokens: string[], ancestors: string[]): number {
  let bonus = 0;
  for (const a of ancestors) {
    if (a.length >= 3 && tokens.some((t) => a.includes(t) || t.includes(a))) bonus += 2;
  }
  return bonus;
}

function nameScore(q: FieldQuery, sampleKeys: string[], inItem: boolean): number {
  const pk = queryKeys(q);
  const leafKey = pk[0] ?? '';
  let best = 0;
  for (const p of pk) {
    for (const s of sampleKeys) {
      if (p === s) {
        const generic = p === leafKey && GENERIC.has(p) && s === sampleKeys[0] && !inItem;
        best = Math.max(best, generic ? 5 : 10);
      } else if ((GROUP_OF.get(p) ?? []).some((g) => (GROUP_OF.get(s) ?? []).includes(g))) {
        best = Math.max(best, 8);
      } else if (q.alsoNames?.includes(s)) {
        best = Math.max(best, 8);
      }
    }
  }
  return best;
}

function inGroup(q: FieldQuery, first: string): boolean {
  return queryKeys(q).some((k) => SYNONYM_GROUPS.some((g) => g[0] === first && g.includes(k)));
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** The expression reading `leaf` as the types the provider wants, or undefined when it cannot. */
function coerce(q: FieldQuery, leaf: SampleLeaf): { expression: string; penalty: number } | undefined {
  const path = jsonataPath(leaf.path);
  const types = q.types.filter((t) => t !== 'null');
  const v = leaf.value;
  if (q.enum && v !== null && !q.enum.includes(v)) return undefined;
  if (v === null || types.length === 0) return { expression: path, penalty: v === null ? 1 : 0 };
  const wantsString = types.includes('string');
  const wantsNumber = types.includes('number') || types.includes('integer');
  if (typeof v === 'string') {
    if (wantsString) {
      let penalty = 0;
      if (q.pattern) {
        try {
          if (!new RegExp(q.pattern, 'u').test(v)) penalty = 3;
        } catch { /* a pattern JavaScript cannot read: no penalty */ }
      }
      return { expression: path, penalty };
    }
    if (wantsNumber && NUMERIC.test(v.trim())) return { expression: `$number(${path})`, penalty: 1 };
    return undefined;
  }
  if (typeof v === 'number') {
    if (wantsNumber) return { expression: path, penalty: types.includes('integer') && !types.includes('number') && !Number.isInteger(v) ? 2 : 0 };
    if (wantsString) return { expression: `$string(${path})`, penalty: 1 };
    return undefined;
  }
  if (typeof v === 'boolean') return types.includes('boolean') ? { expression: path, penalty: 0 } : undefined;
  return undefined;
}

const MONEY_GROUPS = ['amountvalue', 'price'];
const ADDRESS_GROUPS = ['addressline1', 'addressline2', 'city', 'state', 'country', 'postalcode'];
const isEmail = (v: unknown) => typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test(v.trim());

/** 12 to 19 digits (spaces or dashes between groups allowed) that pass the Luhn check. */
function isCardNumber(v: string): boolean {
  const d = v.trim().replace(/[ -]/g, '');
  if (!/^\d{12,19}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) { n *= 2; if (n > 9) n -= 9; }
    sum += n;
  }
  return sum % 10 === 0;
}

/**
 * Whether a sample field can mean what the provider field means, beyond its name: an amount is
 * never read from an identifier or a reference (`CustomerRef.value`), an address part never from
 * an e-mail (`BillEmail.Address`), an e-mail only from a value that is one, a phone or postal
 * code only from a short value of the right characters, a card number only from a Luhn-valid
 * number (not a token or a masked one), a security code from 3-4 digits, an expiry from a
 * month/year, a name, city, state or country from words (never a number, an id or an e-mail), a
 * quantity from a number. A field that does not fit is left to a `$todo`, never guessed.
 */
function meaningFits(q: FieldQuery, leaf: SampleLeaf): boolean {
  const v = leaf.value;
  const names = [...leaf.ancestors, norm(leaf.path[leaf.path.length - 1] ?? '')];
  if (MONEY_GROUPS.some((g) => inGroup(q, g))) {
    if (names.some((n) => /(ref|id|number|no|code|key|count|qty|quantity|percent|rate)$/.test(n) && !/^(amount|total|price|value)$/.test(n))) return false;
    if (typeof v === 'string' && !NUMERIC.test(v.trim())) return false;
    if (typeof v !== 'number' && typeof v !== 'string') return false;
  }
  if (ADDRESS_GROUPS.some((g) => inGroup(q, g))) {
    if (isEmail(v) || names.some((n) => /email|mail/.test(n))) return false;
  }
  if (inGroup(q, 'email') && v !== null && !isEmail(v)) return false;
  // card data only from values shaped like it: a token, a masked number or "on file" is not one
  if (inGroup(q, 'paymentaccountnumber') && v !== null && !(typeof v === 'string' && isCardNumber(v))) return false;
  if (inGroup(q, 'securitycode') && v !== null && !((typeof v === 'string' && /^\d{3,4}$/.test(v.trim())) || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 9999))) return false;
  if (inGroup(q, 'expirationdate') && v !== null && !(typeof v === 'string' && /^((0[1-9]|1[0-2])[/-]?(\d{2}|\d{4})|\d{4}-(0[1-9]|1[0-2]))$/.test(v.trim()))) return false;
  // names and places are words: never a number, an id or an e-mail
  const words = typeof v === 'string' && /\p{L}/u.test(v) && !isEmail(v) && !/^\d+$/.test(v.trim());
  if (['firstname', 'lastname', 'fullname', 'accountholdername', 'city'].some((g) => inGroup(q, g)) && v !== null && !words) return false;
  if (['firstname', 'lastname', 'fullname', 'accountholdername'].some((g) => inGroup(q, g)) && names.some((n) => /(id|ref|code|number|no)$/.test(n) && !/name$/.test(n))) return false;
  if (inGroup(q, 'state') && v !== null && !(typeof v === 'string' && /^[\p{L} .'-]{2,40}$/u.test(v.trim()))) return false;
  if (inGroup(q, 'country') && v !== null && !(typeof v === 'string' && /^[\p{L} .'-]{2,60}$/u.test(v.trim()))) return false;
  if (inGroup(q, 'quantity') && v !== null && !(typeof v === 'number' || (typeof v === 'string' && NUMERIC.test(v.trim())))) return false;
  if (inGroup(q, 'phone') && v !== null && !(typeof v === 'string' && /^[+()\d\s.-]{6,20}$/.test(v))) return false;
  if (inGroup(q, 'postalcode') && v !== null && !((typeof v === 'string' && /^[A-Za-z0-9 -]{2,10}$/.test(v)) || (typeof v === 'number' && Number.isInteger(v)))) return false;
  return true;
}

/** The best sample field for a provider field, or undefined when nothing is close enough. */
export function matchField(q: FieldQuery, index: SampleIndex): FieldMatch | undefined {
  const tokens = contextTokens(q);
  let best: FieldMatch | undefined;
  const consider = (m: FieldMatch) => {
    if (m.score >= 5 && (!best || m.score > best.score)) best = m;
  };
  for (const leaf of index.leaves) {
    const n = nameScore(q, leaf.keys, index.inItem);
    if (n === 0 || !meaningFits(q, leaf)) continue;
    const c = coerce(q, leaf);
    if (!c) continue;
    consider({ expression: c.expression, from: [leaf.path.join('.')], score: n + contextBonus(tokens, leaf.ancestors) - c.penalty - leaf.path.length * 0.1 });
  }
  const types = q.types.filter((t) => t !== 'null');
  const wantsString = types.length === 0 || types.includes('string');
  const wantsNumber = types.length === 0 || types.includes('number') || types.includes('integer');
  if (wantsString && (inGroup(q, 'fullname') || inGroup(q, 'accountholdername'))) {
    for (const d of fullNames(index)) consider({ ...d, score: d.score + contextBonus(tokens, d.ancestors) });
  }
  if (wantsString && inGroup(q, 'expirationdate')) {
    for (const d of expiries(index)) consider({ ...d, score: d.score + contextBonus(tokens, d.ancestors) });
  }
  if (wantsNumber && inGroup(q, 'amountvalue') && !index.inItem) {
    for (const d of lineTotals(index)) consider(d);
  }
  return best;
}

/** The best sample array of objects for a provider array field. */
export function matchArray(q: FieldQuery, index: SampleIndex): SampleArray | undefined {
  const tokens = contextTokens(q);
  let best: { a: SampleArray; score: number } | undefined;
  for (const a of index.arrays) {
    const n = nameScore(q, a.keys, true);
    if (n === 0) continue;
    const score = n + contextBonus(tokens, a.ancestors) - a.path.length * 0.1;
    if (!best || score > best.score) best = { a, score };
  }
  return best?.a;
}

interface Derived extends FieldMatch { ancestors: string[] }

function siblings(index: SampleIndex): Map<string, SampleLeaf[]> {
  const byParent = new Map<string, SampleLeaf[]>();
  for (const l of index.leaves) {
    const key = JSON.stringify(l.path.slice(0, -1));
    byParent.set(key, [...(byParent.get(key) ?? []), l]);
  }
  return byParent;
}

const leafName = (l: SampleLeaf) => norm(l.path[l.path.length - 1] ?? '');

/** `first & " " & last` from a first-name and a last-name field of one object. */
function fullNames(index: SampleIndex): Derived[] {
  const out: Derived[] = [];
  for (const group of siblings(index).values()) {
    const first = group.find((l) => typeof l.value === 'string' && ['firstname', 'givenname', 'fname'].some((n) => leafName(l).endsWith(n)));
    const last = group.find((l) => typeof l.value === 'string' && ['lastname', 'surname', 'familyname', 'lname'].some((n) => leafName(l).endsWith(n)));
    if (first && last) {
      out.push({
        expression: `${jsonataPath(first.path)} & " " & ${jsonataPath(last.path)}`,
        from: [first.path.join('.'), last.path.join('.')],
        score: 6 - first.path.length * 0.1,
        ancestors: first.ancestors,
      });
    }
  }
  return out;
}

/** MMYY from a month and a year field of one object. */
function expiries(index: SampleIndex): Derived[] {
  const out: Derived[] = [];
  for (const group of siblings(index).values()) {
    const ok = (l: SampleLeaf) => typeof l.value === 'number' || (typeof l.value === 'string' && /^\d+$/.test(l.value));
    const month = group.find((l) => ok(l) && /month$|^mm$|^expm$/.test(leafName(l)));
    const year = group.find((l) => ok(l) && /year$|^yy(yy)?$|^expy$/.test(leafName(l)));
    if (month && year) {
      const exp = /exp/.test(leafName(month)) ? 1 : 0;
      out.push({
        expression: `$pad($string(${jsonataPath(month.path)}), -2, "0") & $substring($string(${jsonataPath(year.path)}), -2)`,
        from: [month.path.join('.'), year.path.join('.')],
        score: 7 + exp - month.path.length * 0.1,
        ancestors: month.ancestors,
      });
    }
  }
  return out;
}

/** `$round($sum(lines.(qty * unitPrice)), 2)` from an array of lines with a quantity and a price. */
function lineTotals(index: SampleIndex): FieldMatch[] {
  const out: FieldMatch[] = [];
  for (const a of index.arrays) {
    const item = indexSample(a.element, true);
    const num = (l: SampleLeaf) => typeof l.value === 'number' || (typeof l.value === 'string' && NUMERIC.test(l.value));
    const qty = item.leaves.find((l) => l.path.length === 1 && num(l) && (GROUP_OF.get(leafName(l)) ?? []).some((g) => SYNONYM_GROUPS[g]![0] === 'quantity'));
    const price = item.leaves.find((l) => l.path.length === 1 && num(l) && (GROUP_OF.get(leafName(l)) ?? []).some((g) => SYNONYM_GROUPS[g]![0] === 'price'));
    if (!qty || !price) continue;
    const read = (l: SampleLeaf) => (typeof l.value === 'string' ? `$number(${jsonataPath(l.path)})` : jsonataPath(l.path));
    out.push({
      expression: `$round($sum(${jsonataPath(a.path)}.(${read(qty)} * ${read(price)})), 2)`,
      from: [`${a.path.join('.')}[].${qty.path.join('.')}`, `${a.path.join('.')}[].${price.path.join('.')}`],
      score: 6 - a.path.length * 0.1,
    });
  }
  return out;
}

/** The sample's identity field: a top-level string or number named like an invoice/order number or id. */
export function matchKey(record: Record<string, unknown>): { expression: string; from: string; isString: boolean } | undefined {
  let best: { name: string; score: number; isString: boolean } | undefined;
  for (const [name, v] of Object.entries(record)) {
    if (FORBIDDEN.has(name) || name.includes('`')) continue;
    if (!((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v)))) continue;
    const n = norm(name);
    let score = 0;
    const subject = /invoice|order|document|doc|transaction|ticket|job|workorder|sale|bill/.test(n);
    const ident = /(number|no|num|id|ref|reference|key|code)$/.test(n);
    if (subject && ident) score = 10;
    else if (n === 'id' || n === 'uuid' || n === 'key') score = 6;
    else if (/^(number|reference|ref|externalid)$/.test(n)) score = 5;
    else if (ident && !/customer|client|user|account|phone|zip|postal/.test(n)) score = 3;
    if (score > 0 && (!best || score > best.score)) best = { name, score, isString: typeof v === 'string' };
  }
  return best ? { expression: jsonataPath([best.name]), from: best.name, isString: best.isString } : undefined;
}
