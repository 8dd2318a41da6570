// Shared vitest configuration for every Strachey package.
// Workspace packages export their TypeScript source under the custom
// "@strachey/source" condition, so tests run against src/ without a build step.
import { defineConfig, mergeConfig } from 'vitest/config';

const conditions = ['@strachey/source', 'module', 'node', 'import', 'default'];

/** @param {import('vitest/config').UserConfig} [overrides] */
export function strachey(overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions },
      ssr: { resolve: { conditions, externalConditions: ['@strachey/source'] } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        environment: 'node',
        testTimeout: 60_000,
        hookTimeout: 60_000,
        pool: 'threads',
      },
    }),
    overrides,
  );
}
