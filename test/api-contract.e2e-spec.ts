import 'reflect-metadata';
import Ajv, { type ValidateFunction } from 'ajv';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketCandlesRepository } from '@tb/market';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';

interface Schema {
  [k: string]: unknown;
}
interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

/** OpenAPI 3.0 `nullable: true` (also beside a $ref/allOf, where ajv ignores it) as JSON Schema: `anyOf [x, null]`. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' ? v : toJsonSchema(v);
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/**
 * The OpenAPI document is the contract: real responses (success and error) of real requests are validated against
 * the schema the spec documents for that operation and status, with ajv. An undocumented status is a failure too.
 */
describe('API contract: real responses match the OpenAPI schemas', () => {
  let app: HttpApp;
  let spec: Spec;
  let trader: TestUser;
  let admin: TestUser;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  const checked: string[] = [];
  const problems: string[] = [];

  /** The spec's path template matching a concrete path (`/api/orders/{id}` for `/api/orders/<uuid>`). */
  const templateOf = (path: string): string | undefined =>
    spec.paths[path] ? path : Object.keys(spec.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));

  async function check(method: 'get' | 'post' | 'delete', path: string, opts: { user?: TestUser; body?: object } = {}): Promise<request.Response> {
    let req = request(app.getHttpServer())[method](path);
    if (opts.user) req = req.set('Authorization', bearer(opts.user));
    const res = opts.body ? await req.send(opts.body) : await req;
    const template = templateOf(path.split('?')[0]);
    const op = template ? spec.paths[template][method] : undefined;
    const label = `${method.toUpperCase()} ${template ?? path} -> ${res.status}`;
    checked.push(label);
    if (!op) return problems.push(`${label}: operation not in the spec`), res;
    const documented = op.responses[String(res.status)];
    if (!documented) return problems.push(`${label}: status not documented (documented: ${Object.keys(op.responses).join(', ')})`), res;
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) {
      if (res.status !== 204 && res.headers['content-type']?.includes('json')) problems.push(`${label}: JSON body but no schema documented`);
      return res;
    }
    const key = `${method} ${template} ${res.status}`;
    let validate = validators.get(key);
    if (!validate) {
      // component refs resolve inside the registered spec document
      validate = ajv.compile(toJsonSchema(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/'))) as Schema);
      validators.set(key, validate);
    }
    if (!validate(res.body)) problems.push(`${label}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(res.body).slice(0, 300)}`);
    return res;
  }

  beforeAll(async () => {
    app = await createHttpTestApp(HyperrsiApiModule.forRoot({ env: testEnv() }));
    spec = (await request(app.getHttpServer()).get('/docs-json')).body as Spec;
    ajv.addSchema({ $id: 'spec', components: toJsonSchema(spec.components) });
    trader = await createUserAndLogin(app);
    admin = await createUserAndLogin(app, { role: 'admin' });
    await app.get(MarketCandlesRepository).upsert('contract', 'BTC/USDT', '1h', readCandlesCsv('data/binance_BTC-USDT_1h_2024-2025.csv').slice(0, 400));
  });
  afterAll(async () => app?.close());

  it('every list operation answers the same page envelope {items, total, limit, offset}', () => {
    const unpaginated: string[] = [];
    for (const [path, ops] of Object.entries(spec.paths)) {
      const schema = ops.get?.responses['200']?.content?.['application/json']?.schema;
      if (schema?.type === 'array') unpaginated.push(path);
    }
    expect(unpaginated).toEqual([]);
  });

  it('cancel-all documents its failures as {orderId, error} objects, as it answers them', () => {
    const failed = (spec.components.schemas.CancelAllResponseDto.properties as Record<string, Schema>).failed;
    const items = failed.items as Schema;
    const ref = (items.$ref as string | undefined)?.split('/').pop();
    const item = ref ? spec.components.schemas[ref] : items;
    expect(Object.keys(item.properties as object).sort()).toEqual(['error', 'orderId']);
  });

  it('real responses of the main flows validate against their documented schemas', async () => {
    // auth
    await check('post', '/api/auth/login', { body: { email: trader.email, password: 'wrong-password-123' } });
    const login = await check('post', '/api/auth/login', { body: { email: trader.email, password: trader.password } });
    await check('post', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    await check('get', '/api/auth/me', { user: trader });
    await check('get', '/api/auth/me');
    const key = await check('post', '/api/auth/api-keys', { user: trader, body: { name: 'contract', scopes: ['read'] } });
    await check('get', '/api/auth/api-keys', { user: trader });
    await check('delete', `/api/auth/api-keys/${key.body.id}`, { user: trader });
    // users (admin)
    await check('get', '/api/users', { user: admin });
    await check('get', '/api/users', { user: trader });
    await check('post', '/api/users', { user: admin, body: { email: `c-${Date.now()}@example.com`, password: 'a-long-password-1', role: 'trader' } });
    // exchange accounts
    const acc = await check('post', '/api/exchange-accounts', { user: trader, body: { exchange: 'paper', label: 'contract paper', paperBalances: { USDT: '1000' } } });
    await check('post', '/api/exchange-accounts', { user: trader, body: { exchange: 'paper', label: 'contract paper' } });
    await check('get', '/api/exchange-accounts?limit=10', { user: trader });
    await check('get', `/api/exchange-accounts/${acc.body.id}`, { user: trader });
    await check('get', '/api/exchange-accounts/00000000-0000-4000-8000-000000000000', { user: trader });
    // orders and positions
    await check('get', '/api/orders?limit=5', { user: trader });
    await check('get', '/api/orders?offset=-1', { user: trader });
    await check('get', '/api/orders/00000000-0000-4000-8000-000000000000', { user: trader });
    await check('post', '/api/orders/cancel-all', { user: trader, body: { accountId: acc.body.id, symbol: 'BTC/USDT' } });
    await check('get', '/api/positions', { user: trader });
    // backtests
    const run = await check('post', '/api/backtests/run', {
      user: trader,
      body: { strategy: 'hyperrsi', exchange: 'contract', symbol: 'BTC/USDT', timeframe: '1h', from: '2024-01-01T00:00:00Z', to: '2024-01-10T00:00:00Z' },
    });
    await check('get', `/api/backtests/${run.body.id}`, { user: trader });
    await check('get', '/api/backtests?limit=2', { user: trader });
    await check('delete', `/api/backtests/${run.body.id}`, { user: trader });
    // every other GET without path parameters (new list routes are covered as they appear)
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (ops.get && !path.includes('{') && !checked.some((c) => c.startsWith(`GET ${path} `)) && path.startsWith('/api/')) await check('get', path, { user: trader });
    }
    await check('get', '/health/live');
    await check('get', '/health/ready');
    process.stdout.write(`api contract: ${checked.length} responses checked against the spec\n`);
    expect(problems, problems.join('\n')).toEqual([]);
    expect(checked.length).toBeGreaterThan(25);
  });
});
