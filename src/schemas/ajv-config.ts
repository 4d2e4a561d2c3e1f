import { createRequire } from 'node:module';
import type { Ajv2020, KeywordDefinition } from 'ajv/dist/2020.js';

// AJV is loaded only when a schema has to be compiled here and now (not for validators that
// were generated at build time), so a start-up that finds them all generated never loads it.
const require = createRequire(import.meta.url);

/** The AJV options every validator is compiled with (at build time and at run time alike). */
export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true } as const;

/**
 * Our keyword `x-maxDecimals`: a number with at most N decimal places. A float artifact such as
 * 30.990000000000002 fails: it does not survive rounding. Written as generated code (not a
 * callback) so that validators using it can be generated at build time as well.
 */
export function maxDecimalsKeyword(): KeywordDefinition {
  const { _ } = require('ajv/dist/compile/codegen/index.js') as typeof import('ajv/dist/compile/codegen/index.js');
  return {
    keyword: 'x-maxDecimals',
    type: 'number',
    schemaType: 'number',
    error: { message: (cxt) => `must have at most ${String(cxt.schema)} decimal places` },
    code(cxt) {
      cxt.fail(_`Number(${cxt.data}.toFixed(${cxt.schema})) !== ${cxt.data}`);
    },
  };
}

/**
 * What a generated validator depends on besides its schemas: bump it when the options or the
 * keyword change, so validators generated before are not used.
 */
export const AJV_CONFIG_ID = `ajv ${(require('ajv/package.json') as { version: string }).version} ${JSON.stringify(AJV_OPTIONS)} x-maxDecimals:toFixed v1`;

/** Creates an AJV instance with our keyword (`x-maxDecimals`) and formats. */
export function createAjv(extra: { code?: { source?: boolean } } = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default: (ajv: Ajv2020) => void };
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  formats.default(ajv);
  ajv.addKeyword(maxDecimalsKeyword());
  return ajv;
}
