/**
 * Authoring toolkit: Data Map tests, field-level explain, scaffolding and the provider reference.
 * Each feature lives in its own file and is re-exported here.
 */
export * from './providers-reference.js';
export * from './init-map.js';
export * from './test-runner.js';
export * from './explain.js';
