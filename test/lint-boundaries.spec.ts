import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/*
 * The ownership rules of eslint.config.mjs, shown on deliberate violations: the files under test/lint-fixtures/libs/<lib>/
 * get the rules of libs/<lib> (the repository's `npm run lint` ignores them). Type-aware rules are switched off here
 * (they are not what is under test and need the whole program).
 */
const ROOT = resolve(__dirname, '..');
const FIXTURES = 'test/lint-fixtures/libs';

async function lint(file: string): Promise<Array<{ rule: string | null; line: number }>> {
  const eslint = new ESLint({ cwd: ROOT, ignore: false, overrideConfig: [tseslint.configs.disableTypeChecked] });
  const [result] = await eslint.lintFiles([`${FIXTURES}/${file}`]);
  return result.messages.map((m) => ({ rule: m.ruleId, line: m.line }));
}

describe('lint: ownership and layer rules', () => {
  it('TypeORM outside a repository, entity, migration or libs/database is an error', async () => {
    expect(await lint('exchange/src/typeorm-outside-repository.ts')).toEqual([{ rule: '@typescript-eslint/no-restricted-imports', line: 2 }]);
  });

  it('a module may import @nestjs/typeorm (forFeature) but not typeorm itself', async () => {
    expect(await lint('orders/src/orders.module.ts')).toEqual([{ rule: '@typescript-eslint/no-restricted-imports', line: 3 }]);
  });

  it('a lib importing a lib above it (exchange -> orders) is an error; a lib below (strategies) is fine', async () => {
    expect(await lint('exchange/src/upward-import.ts')).toEqual([{ rule: 'no-restricted-imports', line: 2 }]);
  });

  it('bots may import orders, backtest and market, not users outside its HTTP files', async () => {
    expect(await lint('bots/src/allowed.ts')).toEqual([]);
    expect(await lint('bots/src/not-allowed.ts')).toEqual([{ rule: 'no-restricted-imports', line: 2 }]);
  });

  it('positions: only its HTTP edge may import accounts; nothing in positions may import orders (the lib above it)', async () => {
    expect(await lint('positions/src/core-imports-accounts.ts')).toEqual([{ rule: 'no-restricted-imports', line: 2 }]);
    expect(await lint('positions/src/http/edge.controller.ts')).toEqual([{ rule: 'no-restricted-imports', line: 4 }]);
  });

  it('notifications may import bots, users and everything bots may', async () => {
    expect(await lint('notifications/src/allowed.ts')).toEqual([]);
  });
});
