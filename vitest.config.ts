import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // the examples import the package by its name, as a consumer would; in the tests that is src/
  resolve: { alias: [{ find: /^datamap-engine$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
