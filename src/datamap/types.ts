import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { CompiledExpression } from '../expressions/compile-expression.js';
import type { OperationSpec, ProviderPack } from '../providers/pack-types.js';
import type { SourceDocument } from '../source/yaml-document.js';
import type { PathSegment } from '../source/pointer.js';
import type { CompiledSetting, SettingSpec } from '../settings/types.js';

/** A Data Map as written (after its schema check). */
export interface DataMapSpec {
  version?: 1;
  name?: string;
  description?: string;
  provider: string | ProviderSettings;
  settings?: Record<string, SettingSpec>;
  input?: Record<string, unknown>;
  key: Expr;
  let?: Record<string, Expr>;
  steps: StepSpec[];
  result?: Expr;
  /** The host's total for the record (what the customer owes), compared with what the provider reports it charged. */
  total?: Expr;
}

/** An expression: JSONata text, or a number/boolean literal. */
export type Expr = string | number | boolean;

/** The object form of a Data Map's `provider`: the pack by name, with settings. */
export interface ProviderSettings {
  name: string;
  environment?: string;
  auth?: string;
  baseUrl?: string;
  /** Hosts calls may go to besides the pack's own (egress policy). */
  allowHosts?: string[];
  credentials?: Record<string, string>;
  operations?: Record<string, { path?: string; method?: OperationSpec['method']; baseUrl?: string }>;
}

/** One step of a Data Map as written: an operation of the pack and the expressions that feed it. */
export interface StepSpec {
  id: string;
  operation: string;
  description?: string;
  when?: Expr;
  params?: Record<string, Expr>;
  request?: Expr;
  output?: Expr;
}

/** An operation with the Data Map's overrides applied. */
export interface ResolvedOperation {
  id: string;
  spec: OperationSpec;
  method: OperationSpec['method'];
  path: string;
  /** Base URL override for this operation (else the provider's). */
  baseUrl?: string;
  pathParams: string[];
  overridden: boolean;
}

/** @internal A path or query parameter with its compiled expression. */
export interface CompiledParam {
  name: string;
  in: 'path' | 'query';
  expression: CompiledExpression;
}

/** A step of a compiled map: its id, position and resolved operation (its compiled expressions are internal). */
export interface CompiledStep {
  id: string;
  index: number;
  operation: ResolvedOperation;
  description?: string;
  /** @internal */
  when?: CompiledExpression;
  /** @internal */
  params: CompiledParam[];
  /** @internal */
  request?: CompiledExpression;
  /** @internal */
  output?: CompiledExpression;
  /** @internal Path of the step in the Data Map (for locations). */
  path: PathSegment[];
}

/** Provider settings resolved against the pack. */
export interface ResolvedProvider {
  pack: ProviderPack;
  environment: string;
  baseUrl: string;
  /** True when the Data Map set the base URL explicitly. */
  baseUrlOverridden: boolean;
  auth: string;
  /** Credential name → environment variable that holds it. */
  credentialEnv: Record<string, string>;
}

/** A Data Map with every expression and validator compiled once. */
export interface CompiledMap {
  file: string;
  name: string;
  /** @internal The parsed text with positions. */
  source: SourceDocument;
  spec: DataMapSpec;
  provider: ResolvedProvider;
  inputValidator?: ValidateFunction;
  /** Declared settings (see `settings:`), in order. */
  settings: CompiledSetting[];
  /** Setting values, once resolved for a plan or a run ($settings). */
  settingValues?: Record<string, unknown>;
  /** @internal */
  key: CompiledExpression;
  /** @internal */
  lets: Array<{ name: string; expression: CompiledExpression }>;
  steps: CompiledStep[];
  /** @internal */
  result?: CompiledExpression;
  /** @internal */
  total?: CompiledExpression;
  /** Findings of loading and the static checks (loadDataMap throws when any is an error). */
  diagnostics: Diagnostic[];
}
