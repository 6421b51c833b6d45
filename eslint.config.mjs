// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const LIBS = ['accounts', 'config', 'database', 'common', 'redis', 'health', 'jobs', 'platform', 'market', 'strategies', 'matching', 'exchange', 'orders', 'positions', 'events', 'backtest', 'notifications', 'users', 'bots'];
const APPS = ['hyperrsi-api', 'grid-api', 'worker', 'cli'];

/** Import boundaries: apps never import other apps, libs never import apps, libs go through @tb/<lib> (no deep paths). */
const boundaries = [
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: APPS.filter((a) => a !== app).flatMap((a) => [`**/apps/${a}/**`, `apps/${a}/**`]), message: 'An app never imports another app.' },
          { group: ['@tb/*/*', '**/libs/*/src/**'], message: 'Import libs through @tb/<lib> only (no deep imports).' },
        ],
      }],
    },
  })),
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/apps/**', 'apps/**'], message: 'Libs never import apps.' },
          { group: ['@tb/*/*'], message: 'Import libs through @tb/<lib> only (no deep imports).' },
        ],
      }],
    },
  },
  {
    // the strategy lib is pure: no Nest, no I/O, no other lib
    files: ['libs/strategies/src/**/*.ts', 'libs/matching/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.bench.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@nestjs/*', 'typeorm', 'pg', 'ioredis', 'bullmq', 'ccxt', 'node:fs', 'fs', 'node:http', 'http', 'node:net'], message: 'Strategies and the matching engine are pure: no framework, no I/O.' },
          { group: LIBS.filter((l) => l !== 'strategies').map((l) => `@tb/${l}`), message: 'Pure libs depend on nothing above them.' },
          { group: ['**/apps/**', '@tb/*/*'], message: 'No app or deep imports.' },
        ],
      }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scripts/**', '**/*.mjs', '**/*.mts', '**/*.js', 'data/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through @tb/config only.' }],
    },
  },
  {
    files: ['libs/config/src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'vitest.config.mts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.chaos-spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  ...boundaries,
);
