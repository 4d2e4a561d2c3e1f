import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { PACKAGE_ROOT } from '../paths.js';
import { AJV_CONFIG_ID } from './ajv-config.js';

/** Where `npm run build` writes the validators it generates (AJV standalone code). */
export const GENERATED_DIR = join(PACKAGE_ROOT, 'dist', 'validators');

/**
 * dist/validators/shipped-schemas.txt: the text that identifies the shipped schemas the
 * validators were generated from (`shippedSchemasIdentity()`: the AJV configuration and every
 * schema's path and text). A start compares it with the text of now (a native string compare,
 * well under 1 ms) instead of hashing some 230 KB (loading node:crypto alone costs ~5 ms).
 */
export const SHIPPED_IDENTITY_FILE = 'shipped-schemas.txt';

/** dist/validators/index.json: which file holds which validator. */
export interface GeneratedIndex {
  /** sha256 of the shipped schemas' identity (shipped-schemas.txt) the validators were generated from. */
  shippedHash: string;
  /** The AJV configuration (`AJV_CONFIG_ID`) every validator was generated with. */
  ajvConfigId: string;
  /** `shipped:<path under schemas/>` → file name. */
  files: Record<string, string>;
  /** A stand-alone schema's JSON text (`JSON.stringify`) → file name. */
  standalone: Record<string, string>;
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

/**
 * The hash the build computed of the shipped schemas, when their identity now is exactly the
 * build's; undefined when it is not (or nothing was built): then the caller hashes it.
 */
export function builtShippedHash(identity: string): string | undefined {
  const idx = readIndex();
  if (!idx) return undefined;
  let built: string;
  try {
    built = readFileSync(join(GENERATED_DIR, SHIPPED_IDENTITY_FILE), 'utf8');
  } catch {
    return undefined;
  }
  return built === identity ? idx.shippedHash : undefined;
}

/**
 * The validator generated at build time for a stand-alone schema, by its exact JSON text, if
 * there is one and it was generated with the AJV configuration of now.
 */
export function generatedStandaloneValidator(json: string): ValidateFunction | undefined {
  const idx = readIndex();
  if (!idx || idx.ajvConfigId !== AJV_CONFIG_ID || !idx.standalone || !Object.hasOwn(idx.standalone, json)) return undefined;
  return loadValidator(idx.standalone[json]!);
}

/**
 * The validator generated at build time of a shipped schema (`shipped:<path>`), if there is one
 * and it was generated from the schemas on disk now (`shippedHash`). Undefined means: compile it.
 */
export function generatedValidator(key: string, shippedHash: string): ValidateFunction | undefined {
  const idx = readIndex();
  const file = idx?.files[key];
  if (!idx || !file || idx.shippedHash !== shippedHash) return undefined;
  return loadValidator(file);
}

function loadValidator(file: string): ValidateFunction | undefined {
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
