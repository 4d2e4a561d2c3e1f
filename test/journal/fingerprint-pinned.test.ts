/**
 * Fingerprints are stored in existing journals, and a re-run compares today's request's
 * fingerprint with the stored one (a difference is reported as a changed request, and a
 * reconciled call is checked against it). So the canonical JSON text is pinned here, exactly as
 * the code before the faster canonicalJson computed it, for a fixed set of hostile values:
 * key order (UTF-16 code unit order, unicode, empty and numeric-looking keys), undefined
 * (left out in objects, null in arrays and holes), -0, large and tiny numbers, non-finite
 * numbers, escapes and lone surrogates, deep nesting, and objects that are not plain (their own
 * enumerable keys; a function or symbol value as null; toJSON not called).
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from '../../src/journal/fingerprint.js';

const values = (): Record<string, unknown> => {
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.b = 1;
  nullProto.a = [null];
  class Point { y = 2; x = 1; get sum(): number { return 3; } }
  return {
    scalars: [null, true, false, 0, -0, 1, -1.5, 0.1 + 0.2, 1e21, 1e-7, 123456789012345680000, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, -Number.MAX_VALUE, NaN, Infinity, -Infinity, '', 'plain', 'quote " backslash \\ slash /', 'tab\tnl\ncr\r\u0000\u001f\u007f\u2028\u2029', 'caf\u00e9 \ud83d\ude00 \u4e2d\u6587', 'lone \ud800 and \udfff', undefined],
    keyOrder: { b: 1, a: 2, B: 3, A: 4, _: 5, '10': 6, '9': 7, '': 8, 'é': 9, 'e\u0301': 10, '\ud83d\ude00': 11, '\uffff': 12, 'a b': 13, 'a"b': 14, 'new\nline': 15, '-1': 16, '1.5': 17, '01': 18 },
    // 16 keys or fewer (sorted by insertion) and more (by sort()): the same order
    keyOrderSmall: { '\u00e9': 1, 'e\u0301': 2, '\ud83d\ude00': 3, '\uffff': 4, B: 5, a: 6, '10': 7, '9': 8, '': 9, _: 10, Z: 11, aa: 12 },
    undefinedValues: { a: undefined, b: 1, c: undefined, d: [undefined, null, undefined], e: { f: undefined } },
    arrays: [[], [[]], [undefined], sparse, new Array(3), [1, [2, [3, [4, [5]]]]], [{ z: 1, y: [{ x: undefined, w: -0 }] }]],
    nested: { z: { y: { x: { w: { v: { u: [{ t: 's', s: { r: [1, { q: 'p' }] } }] } } } } }, a: { b: { c: {} } } },
    odd: { fn: () => 1, sym: Symbol('s'), date: new Date(0), map: new Map([['k', 1]]), set: new Set([1]), point: new Point(), nullProto, boxed: new String('ab'), num: new Number(5), re: /x/g, withJson: { toJSON: () => 'replaced', k: 1 } },
    // eslint-disable-next-line no-loss-of-precision -- a literal past 2^53 on purpose
    numbers: { big: 1e300, small: 5e-324, neg0: -0, negArr: [-0, 0, -0.0], int: 9007199254740993, frac: 1.0000000000000002, exp: 1.5e-10, round: 100, hundredth: 0.01 },
    request: { operation: 'payments.sale', method: 'POST', url: 'https://api.revolv3.com/api/payments/sale', body: { paymentMethod: { creditCard: { paymentAccountNumber: '411111******1111', securityCode: '[redacted]', expirationDate: '1228' }, billingAddress: { name: 'Zoë O\'Brien', addressLine1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' } }, invoice: { merchantInvoiceRefId: 'INV-1001', amount: { currency: 'USD', value: 1234.5 }, lines: [{ sku: 'A', qty: 2, unitPrice: 10 }, { sku: 'B', qty: 1, unitPrice: 0.1 }] } } },
  };
};

// computed by canonicalJson/fingerprint as of b5a3b1b (before this file existed)
const expected: Record<string, { text: string; fp: string }> = {
  scalars: {
    text: "[null,true,false,0,0,1,-1.5,0.30000000000000004,1e+21,1e-7,123456789012345680000,9007199254740992,5e-324,-1.7976931348623157e+308,null,null,null,\"\",\"plain\",\"quote \\\" backslash \\\\ slash /\",\"tab\\tnl\\ncr\\r\\u0000\\u001f\u007f\u2028\u2029\",\"caf\u00e9 \ud83d\ude00 \u4e2d\u6587\",\"lone \\ud800 and \\udfff\",null]",
    fp: '1244508506b99de30069d89beaf443b8a168230759f2ea31d35ea589cd43495d',
  },
  keyOrder: {
    text: "{\"\":8,\"-1\":16,\"01\":18,\"1.5\":17,\"10\":6,\"9\":7,\"A\":4,\"B\":3,\"_\":5,\"a\":2,\"a b\":13,\"a\\\"b\":14,\"b\":1,\"e\u0301\":10,\"new\\nline\":15,\"\u00e9\":9,\"\ud83d\ude00\":11,\"\uffff\":12}",
    fp: '12ef39ac4c2735843aa67a7c6666e39243d3dc3edd22771a43ae529c5dcfaff5',
  },
  keyOrderSmall: {
    text: "{\"\":9,\"10\":7,\"9\":8,\"B\":5,\"Z\":11,\"_\":10,\"a\":6,\"aa\":12,\"e\u0301\":2,\"\u00e9\":1,\"\ud83d\ude00\":3,\"\uffff\":4}",
    fp: 'a303806e6822b9dcad23bb54b4cfb83958f6904c12176a41c0e72e71b232cc84',
  },
  undefinedValues: {
    text: "{\"b\":1,\"d\":[null,null,null],\"e\":{}}",
    fp: 'ec8b1949efe0d329323f89c85944bd5dc8952c410f426cf33be49e5e29933e85',
  },
  arrays: {
    text: "[[],[[]],[null],[1,null,3],[null,null,null],[1,[2,[3,[4,[5]]]]],[{\"y\":[{\"w\":0}],\"z\":1}]]",
    fp: '187bf0e98e0650d37a3f558cea60e528964f7caad31a06e67849b5aaae59d84d',
  },
  nested: {
    text: "{\"a\":{\"b\":{\"c\":{}}},\"z\":{\"y\":{\"x\":{\"w\":{\"v\":{\"u\":[{\"s\":{\"r\":[1,{\"q\":\"p\"}]},\"t\":\"s\"}]}}}}}}",
    fp: '1af5850c1208413eedaa44c2761f601b7909124b5466ffdf3ac0ea6a56f69108',
  },
  odd: {
    text: "{\"boxed\":{\"0\":\"a\",\"1\":\"b\"},\"date\":{},\"fn\":null,\"map\":{},\"nullProto\":{\"a\":[null],\"b\":1},\"num\":{},\"point\":{\"x\":1,\"y\":2},\"re\":{},\"set\":{},\"sym\":null,\"withJson\":{\"k\":1,\"toJSON\":null}}",
    fp: '2a88e68997ae655978b2fa6528ce0271d9e8aab7afdee932595e13bda0839a09',
  },
  numbers: {
    text: "{\"big\":1e+300,\"exp\":1.5e-10,\"frac\":1.0000000000000002,\"hundredth\":0.01,\"int\":9007199254740992,\"neg0\":0,\"negArr\":[0,0,0],\"round\":100,\"small\":5e-324}",
    fp: '216521406e42dfdbe8d70ae732d13fbe1a7b01c731aba52bbc6f8e7345c34977',
  },
  request: {
    text: "{\"body\":{\"invoice\":{\"amount\":{\"currency\":\"USD\",\"value\":1234.5},\"lines\":[{\"qty\":2,\"sku\":\"A\",\"unitPrice\":10},{\"qty\":1,\"sku\":\"B\",\"unitPrice\":0.1}],\"merchantInvoiceRefId\":\"INV-1001\"},\"paymentMethod\":{\"billingAddress\":{\"addressLine1\":\"1 Main St\",\"city\":\"Austin\",\"country\":\"US\",\"name\":\"Zo\u00eb O'Brien\",\"postalCode\":\"78701\",\"state\":\"TX\"},\"creditCard\":{\"expirationDate\":\"1228\",\"paymentAccountNumber\":\"411111******1111\",\"securityCode\":\"[redacted]\"}}},\"method\":\"POST\",\"operation\":\"payments.sale\",\"url\":\"https://api.revolv3.com/api/payments/sale\"}",
    fp: '3d4a76ef06a1d063999dee52e10f709af21a527dc208ae5c1c3114d1aaa352d1',
  },
};

describe('canonicalJson and fingerprint are pinned', () => {
  it.each(Object.keys(expected))('%s: the same text and sha256 as before', (name) => {
    const v = values()[name];
    expect(canonicalJson(v)).toBe(expected[name]!.text);
    expect(fingerprint(v)).toBe(expected[name]!.fp);
  });

  it('each scalar on its own', () => {
    expect((values().scalars as unknown[]).map((s) => canonicalJson(s))).toEqual([
    "null",
    "true",
    "false",
    "0",
    "0",
    "1",
    "-1.5",
    "0.30000000000000004",
    "1e+21",
    "1e-7",
    "123456789012345680000",
    "9007199254740992",
    "5e-324",
    "-1.7976931348623157e+308",
    "null",
    "null",
    "null",
    "\"\"",
    "\"plain\"",
    "\"quote \\\" backslash \\\\ slash /\"",
    "\"tab\\tnl\\ncr\\r\\u0000\\u001f\u007f\u2028\u2029\"",
    "\"caf\u00e9 \ud83d\ude00 \u4e2d\u6587\"",
    "\"lone \\ud800 and \\udfff\"",
    "null",
    ]);
  });

  it('the same text for the same value built in another key order', () => {
    const a = { x: 1, y: { b: [1, { d: 1, c: 2 }], a: 'z' } };
    const b = { y: { a: 'z', b: [1, { c: 2, d: 1 }] }, x: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"x":1,"y":{"a":"z","b":[1,{"c":2,"d":1}]}}');
  });

  it('a value JSON cannot write throws as before (BigInt)', () => {
    expect(() => canonicalJson({ a: 10n })).toThrow(TypeError);
    expect(() => canonicalJson([1n])).toThrow(TypeError);
  });
});
