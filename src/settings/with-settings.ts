import type { CompiledMap } from '../datamap/types.js';

/** The same compiled map with its setting values bound ($settings); nothing is recompiled. */
export function withSettings(map: CompiledMap, values: Record<string, unknown>): CompiledMap {
  return { ...map, settingValues: values };
}
