import { fileURLToPath } from 'node:url';

// src/paths.ts and dist/paths.js both sit one level below the package root.
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The package root (holds providers/, schemas/, mappings/). */
export const PACKAGE_ROOT = ROOT;
export const SCHEMAS_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));
export const PROVIDERS_DIR = fileURLToPath(new URL('../providers/', import.meta.url));
