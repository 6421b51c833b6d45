import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TbConfigModule } from '@tb/config';
import { RequestContextModule } from '@tb/common';
import { DatabaseModule } from '@tb/database';
import { RedisModule } from '@tb/redis';
import { ExchangeAccountsService } from '@tb/accounts';
import { OrdersModule } from '@tb/orders';

/**
 * The OMS without HTTP, as the worker composes it (config, request context, PostgreSQL + transactions, Redis,
 * OrdersModule = orders, fills, positions, accounts, outbox). Used by the chaos trading session (child process)
 * and by the fault test (in-process).
 */
export async function createOmsContext(env: Record<string, string | undefined>): Promise<INestApplicationContext> {
  const config: DynamicModule = await TbConfigModule.forRoot({ env });
  @Module({ imports: [config, RequestContextModule, DatabaseModule, RedisModule, OrdersModule] })
  class OmsContextModule {}
  return NestFactory.createApplicationContext(OmsContextModule, { logger: ['error'] });
}

/** A trader and one binance account holding the fake's keys (created once, before any session). */
export async function seedTrader(app: INestApplicationContext, apiKey: string, secret: string): Promise<{ userId: string; accountId: string }> {
  const ds = app.get(DataSource);
  const [user] = (await ds.query(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, 'x', 'trader') RETURNING id`,
    [`chaos-${randomUUID()}@test.example`],
  )) as Array<{ id: string }>;
  const account = await app.get(ExchangeAccountsService).add(user.id, { exchange: 'binance', label: 'chaos', apiKey, secret });
  return { userId: user.id, accountId: account.id };
}
