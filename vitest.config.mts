import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';

// One alias per lib, read from tsconfig.json so the two never drift apart.
const tsconfig = JSON.parse(readFileSync(resolve(import.meta.dirname, 'tsconfig.json'), 'utf8'));
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths as Record<string, string[]>).map(([k, v]) => [k, resolve(import.meta.dirname, v[0])]),
);

const plugins = [
  swc.vite({
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2022',
    },
  }),
];

const shared = { resolve: { alias }, plugins };

export default defineConfig({
  ...shared,
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    // Vitest's default is one worker fewer than the CPUs: one on a 2-core machine, so every file ran in turn (~1,050 s).
    // The int/e2e files spend most of their time waiting (replay pacing, timers, child processes) and each has its own
    // database and Redis prefix (test/support/test-env.ts): two at a time, the run takes ~600 s on 2 cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts'],
          setupFiles: ['test/setup/unit.setup.ts'],
          pool: 'threads',
        },
      },
      {
        ...shared,
        test: {
          name: 'int',
          include: ['libs/**/*.int-spec.ts', 'apps/**/*.int-spec.ts', 'test/**/*.e2e-spec.ts'],
          setupFiles: ['test/setup/int.setup.ts'],
          globalSetup: ['test/setup/global-db.setup.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'chaos',
          include: ['test/**/*.chaos-spec.ts'],
          setupFiles: ['test/setup/int.setup.ts'],
          globalSetup: ['test/setup/global-db.setup.ts'],
          pool: 'forks',
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
