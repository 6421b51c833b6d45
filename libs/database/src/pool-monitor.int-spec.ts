import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TbConfigModule } from '@tb/config';
import { RequestContextModule } from '@tb/common';
import { DatabaseModule, PoolMonitor } from '@tb/database';
import { testEnv } from '../../../test/support/test-env';

describe('database pool monitoring', () => {
  let app: INestApplicationContext;
  beforeAll(async () => {
    const ref = await Test.createTestingModule({
      imports: [TbConfigModule.forRoot({ env: testEnv({ DB_POOL_SIZE: '5' }) }), RequestContextModule, DatabaseModule],
    }).compile();
    app = await ref.init();
  });
  afterAll(async () => app?.close());

  it('reports size, in use, idle and waiting, and warns once utilisation reaches 80%', async () => {
    const monitor = app.get(PoolMonitor);
    const ds = app.get(DataSource);
    const warn = vi.spyOn(Logger.prototype, 'warn');
    const idle = monitor.sample();
    expect(idle.size).toBe(5);
    expect(idle.inUse).toBe(0);
    expect(warn).not.toHaveBeenCalled();

    const held: QueryRunner[] = [];
    for (let i = 0; i < 4; i++) {
      const qr = ds.createQueryRunner();
      await qr.connect();
      await qr.query('SELECT 1');
      held.push(qr);
    }
    const busy = monitor.sample();
    expect(busy.inUse).toBe(4);
    expect(busy.utilisation).toBeCloseTo(0.8, 10);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls[0][0])).toContain('database pool under pressure');
    monitor.sample(); // same episode: no second warning
    expect(warn).toHaveBeenCalledTimes(1);

    for (const qr of held) await qr.release();
    expect(monitor.sample().inUse).toBe(0);
    warn.mockRestore();
  });
});
