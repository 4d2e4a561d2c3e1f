import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { PACKAGE_ROOT } from '../paths.js';
import { AJV_CONFIG_ID } from './ajv-config.js';

/** Where `npm run build` writes the validators it generates (AJV standalone code). */
export const GENERATED_DIR = join(PACKAGE_ROOT, 'dist', 'validators');

/** dist/validators/index.json: which file holds which validator. */
export interface GeneratedIndex {
  /** Hash of the shipped schemas and the AJV configuration they were generated from. */
  shippedHash: string;
  /** `shipped:<path under schemas/>` or `schema:<content hash>` → file name. */
  files: Record<string, string>;
}

let index: GeneratedIndex | null | undefined;

function readIndex(): GeneratedIndex | null {
  if (index === undefined) {
    try {
      index = JSON.parse(readFileSync(join(GENERATED_DIR, 'index.json'), 'utf8')) as GeneratedIndex;
    } catch {
      index = null;
    }
  }
  return index;
}

/** The key of a stand-alone schema: its text and the AJV configuration. */
export function schemaKey(json: string): string {
  return `schema:${createHash('sha256').update(AJV_CONFIG_ID).update('\0').update(json).digest('hex')}`;
}

/**
 * A validator generated at build time, if there is one for `key` and (for the shipped schemas)
 * it was generated from the schemas on disk now. Undefined means: compile it.
 */
export function generatedValidator(key: string, shippedHash?: string): ValidateFunction | undefined {
  const idx = readIndex();
  const file = idx?.files[key];
  if (!idx || !file) return undefined;
  if (shippedHash !== undefined && idx.shippedHash !== shippedHash) return undefined;
  try {
    const mod = loadCommonJs(join(GENERATED_DIR, file)).exports as ValidateFunction | { default: ValidateFunction };
    return typeof mod === 'function' ? mod : mod.default;
  } catch {
    return undefined;
  }
}

/**
 * Runs a generated CommonJS file as `require` would (its own `require` resolves from its folder),
 * compiled from V8's code cache beside it (`<file>.cache`, written at build time by
 * `writeCodeCaches`) when V8 accepts it (the same Node and flags), else compiled as usual.
 */
export function loadCommonJs(file: string): { exports: unknown; script: Script } {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script };
}
