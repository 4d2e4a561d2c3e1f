import type { ValidateFunction } from '../schemas/ajv.js';

/**
 * A non-secret setting a Data Map declares under `settings:` (e.g. an Invoiss company id, a
 * gateway id, a descriptor). Its value comes from `--set <name>=<value>` (or
 * `--set <provider>.<name>=<value>`), else from the environment variable `env`, else from
 * `default`. Expressions read it as `$settings.<name>`.
 */
export interface SettingSpec {
  description?: string;
  /** Environment variable that holds the value, e.g. `INVOISS_COMPANY_ID`. */
  env?: string;
  /** JSON Schema of the value (default: a non-empty string). */
  schema?: Record<string, unknown>;
  /** Used when neither `--set` nor the environment gives a value. */
  default?: unknown;
  /** Shown by a dry run (`plan`) when the setting is not set; a real run still refuses. */
  example?: unknown;
  /** Masked by value in every output (e.g. a signature); it still comes from `env` or `--set`. */
  secret?: boolean;
}

/** A declared setting with its value validator compiled once. */
export interface CompiledSetting {
  name: string;
  spec: SettingSpec;
  validate: ValidateFunction;
}

/** Where setting values come from when a map is planned or run. */
export interface SettingsInput {
  /** `--set` values: `name` or `<provider>.name` → text (or any JSON value from a library caller). */
  set?: Record<string, unknown>;
  /** Environment variables; defaults to process.env. */
  env?: Record<string, string | undefined>;
}
