import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@tb/config';
import { buildDataSourceOptions, queryPrepared } from '@tb/database';
import { testEnv } from '../../../test/support/test-env';

/** queryPrepared on the real PostgreSQL: a named statement, on the pool or on a transaction's connection. */
describe('queryPrepared', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource({ ...buildDataSourceOptions(loadConfig(testEnv()).database), poolSize: 2 } as never);
    await ds.initialize();
    await ds.query(`CREATE TABLE IF NOT EXISTS qp_items (n int PRIMARY KEY, label text NOT NULL)`);
    await ds.query(`INSERT INTO qp_items VALUES (1, 'one'), (2, 'two'), (3, 'three') ON CONFLICT DO NOTHING`);
  });

  afterAll(async () => {
    await ds?.query(`DROP TABLE IF EXISTS qp_items`);
    await ds?.destroy();
  });

  it('runs the same text with other values, again and again, and PostgreSQL keeps it prepared under one name', async () => {
    const text = `SELECT n, label FROM qp_items WHERE n >= $1 ORDER BY n`;
    for (let i = 0; i < 3; i++) {
      expect(await queryPrepared(ds.manager, text, [2])).toEqual([
        { n: 2, label: 'two' },
        { n: 3, label: 'three' },
      ]);
      expect(await queryPrepared(ds.manager, text, [3])).toEqual([{ n: 3, label: 'three' }]);
    }
    // another text gets another statement on the same connections
    expect(await queryPrepared(ds.manager, `SELECT count(*)::int AS c FROM qp_items WHERE n <= $1`, [2])).toEqual([{ c: 2 }]);
    await ds.transaction(async (em) => {
      await queryPrepared(em, text, [1]);
      const prepared = (await em.query(`SELECT name, statement FROM pg_prepared_statements WHERE statement = $1`, [text])) as { name: string }[];
      expect(prepared).toHaveLength(1);
      expect(prepared[0].name).toMatch(/^tb_prepared_\d+$/);
    });
  });

  it('inside a transaction it runs on the transaction: it sees the rows the transaction wrote and nobody else does yet', async () => {
    const text = `SELECT label FROM qp_items WHERE n = $1`;
    await ds.transaction(async (em) => {
      await em.query(`INSERT INTO qp_items VALUES (40, 'forty')`);
      expect(await queryPrepared(em, text, [40])).toEqual([{ label: 'forty' }]);
      expect(await queryPrepared(ds.manager, text, [40])).toEqual([]); // the pool's other connection
      await em.query(`DELETE FROM qp_items WHERE n = 40`);
    });
  });

  it('a failing statement rejects with PostgreSQL’s error and leaves the pool usable', async () => {
    await expect(queryPrepared(ds.manager, `SELECT n FROM qp_items WHERE n = $1::int`, ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    for (let i = 0; i < 4; i++) expect(await queryPrepared(ds.manager, `SELECT label FROM qp_items WHERE n = $1`, [1])).toEqual([{ label: 'one' }]);
  });
});
