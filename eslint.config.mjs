// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const LIBS = ['accounts', 'config', 'database', 'common', 'redis', 'health', 'jobs', 'platform', 'market', 'strategies', 'matching', 'exchange', 'orders', 'positions', 'events', 'backtest', 'backtest-runs', 'notifications', 'users', 'bots'];
const APPS = ['hyperrsi-api', 'grid-api', 'worker', 'cli'];

/**
 * Which @tb libs each lib may import: the layer map of the README (imports point down). HTTP edge files
 * (controllers, a lib's http/ folder) may also import @tb/users for the auth decorators.
 */
const BOTS_MAY = ['common', 'config', 'database', 'redis', 'jobs', 'events', 'strategies', 'matching', 'market', 'exchange', 'accounts', 'orders', 'positions', 'backtest'];
const ALLOWED = {
  config: [],
  common: ['config'],
  database: ['common', 'config'],
  redis: ['common', 'config'],
  jobs: ['common', 'config', 'redis'],
  health: ['common', 'config', 'database', 'redis', 'jobs'],
  platform: ['common', 'config', 'database', 'redis', 'jobs', 'health'],
  strategies: [],
  matching: ['strategies'],
  exchange: ['common', 'config', 'database', 'strategies', 'matching'],
  market: ['common', 'config', 'database', 'strategies', 'exchange'],
  events: ['common', 'config', 'database', 'redis'],
  positions: ['common', 'config', 'database', 'redis', 'events', 'strategies'],
  accounts: ['common', 'config', 'database', 'strategies', 'exchange'],
  orders: ['common', 'config', 'database', 'redis', 'jobs', 'events', 'strategies', 'matching', 'market', 'exchange', 'accounts', 'positions'],
  // the engine and the report, without Nest (the CLI and the sweep workers load it); specs may read candles with @tb/market
  backtest: ['strategies', 'matching', 'market'],
  'backtest-runs': ['common', 'config', 'database', 'redis', 'jobs', 'strategies', 'matching', 'market', 'backtest'],
  users: ['common', 'config', 'database', 'redis', 'jobs', 'events'],
  bots: BOTS_MAY,
  notifications: [...BOTS_MAY, 'bots', 'users', 'backtest-runs'],
};
const HTTP_FILES = ['**/*.controller.ts', '**/http/**/*.ts'];
/** What a lib's HTTP edge may import beyond its core (and @tb/users): the position detail reads the last price through the account. */
const HTTP_ALSO = { positions: ['accounts'] };
/** Deliberate violations linted by test/lint-boundaries.spec.ts: each lib's rules also apply under test/lint-fixtures/libs/<lib>/. */
const libFiles = (lib, sub = ['**/*.ts']) => sub.flatMap((g) => [`libs/${lib}/${g}`, `test/lint-fixtures/libs/${lib}/${g}`]);

const LIB_BASE_PATTERNS = [
  { group: ['**/apps/**', 'apps/**'], message: 'Libs never import apps.' },
  { group: ['@tb/*/*'], message: 'Import libs through @tb/<lib> only (no deep imports).' },
];
const layerPattern = (lib, allowed) => ({
  group: LIBS.filter((l) => l !== lib && !allowed.includes(l)).map((l) => `@tb/${l}`),
  message: `libs/${lib} may import only ${allowed.length ? allowed.map((l) => `@tb/${l}`).join(', ') : 'no other @tb lib'} (README layer map).`,
});

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
  ...LIBS.flatMap((lib) => {
    const allowed = ALLOWED[lib] ?? [];
    const http = [...new Set([...allowed, 'users', ...(HTTP_ALSO[lib] ?? [])])];
    return [
      { files: libFiles(lib), rules: { 'no-restricted-imports': ['error', { patterns: [...LIB_BASE_PATTERNS, layerPattern(lib, allowed)] }] } },
      { files: libFiles(lib, HTTP_FILES), rules: { 'no-restricted-imports': ['error', { patterns: [...LIB_BASE_PATTERNS, layerPattern(lib, http)] }] } },
    ];
  }),
  {
    // the strategy lib is pure: no Nest, no I/O, no other lib
    files: [...libFiles('strategies'), ...libFiles('matching')],
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
  {
    // the backtest engine loads no framework and no I/O lib: `tb --help` and the sweep workers start without Nest
    files: libFiles('backtest'),
    ignores: ['**/*.spec.ts', '**/*.bench.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...LIB_BASE_PATTERNS,
          { group: ['@nestjs/*', 'typeorm', 'pg', 'ioredis', 'bullmq'], message: 'The backtest engine is Nest-free (stored runs live in @tb/backtest-runs).' },
          layerPattern('backtest', ['strategies', 'matching']),
        ],
      }],
    },
  },
  {
    // Only repositories, entities, migrations and libs/database touch TypeORM; a module may register its entities
    // (TypeOrmModule.forFeature). Tests and test support may use a DataSource to check what was stored.
    files: ['libs/**/*.ts', 'apps/**/*.ts', 'test/lint-fixtures/**/*.ts'],
    ignores: ['libs/database/**', '**/migrations/**', '**/*.entity.ts', '**/*.repository.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.chaos-spec.ts', '**/*.bench.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^typeorm(/.*)?$', message: 'Only repositories, entities, migrations and libs/database import TypeORM.' },
          { regex: '^@nestjs/typeorm$', message: 'Only repositories, entities, *.module.ts (forFeature) and libs/database import @nestjs/typeorm.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.module.ts'],
    ignores: ['libs/database/**', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^typeorm(/.*)?$', message: 'Only repositories, entities, migrations and libs/database import TypeORM.' }],
      }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scripts/**', '**/*.mjs', '**/*.mts', '**/*.js', 'data/**', 'test/lint-fixtures/**'] },
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
  {
    // nest build rewrites @tb/* only in static imports: the CLI loads a lib on use through apps/cli/src/lazy/<lib>.ts
    files: ['apps/cli/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration through @tb/config only.' },
        { selector: "ImportExpression[source.value=/^@tb\\//]", message: "The built CLI cannot resolve import('@tb/...'): use import('../lazy/<lib>')." },
      ],
    },
  },
  ...boundaries,
);
