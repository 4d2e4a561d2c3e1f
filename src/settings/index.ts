/**
 * Settings in a Data Map: declared, non-secret values (an Invoiss company id, a gateway id, a
 * descriptor) a map takes from `--set` or the environment, validated before any call.
 */
export { resolveSettings, resolveSettingsOrThrow, type ResolvedSettings } from './resolve.js';
export { compileSettings } from './compile.js';
export { withSettings } from './with-settings.js';
export { settingSecrets } from './secrets.js';
export type { SettingSpec, CompiledSetting, SettingsInput } from './types.js';
