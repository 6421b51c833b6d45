import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { HttpApp } from '@tb/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { createUserAndLogin, type TestUser } from './support/auth';

/**
 * Hostile requests for EVERY operation of both APIs' OpenAPI specs (read from /docs-json at run time, so a new route
 * is covered without touching this file), unauthenticated and authenticated. Fails on any 5xx, and on any 4xx whose
 * body is not exactly {"error":{"request_id","code","message","details","path","timestamp"}}.
 * Deterministic: the generator is seeded (FUZZ_SEED below), so a failure reproduces run after run.
 */
const FUZZ_SEED = 0x5eed_1313;
const PER_OPERATION = 21;

interface Operation {
  readonly app: string;
  readonly method: string;
  readonly path: string;
  readonly params: Array<{ name: string; in: string; schema?: Schema }>;
  readonly body?: Schema;
}
interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  example?: unknown;
}
interface Spec {
  paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}
interface FuzzRequest {
  readonly label: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUL = '\u0000';
const LONE_SURROGATE = '\ud800';
/** Values that have broken parsers, validators, numeric columns and PostgreSQL text in real services. */
const HOSTILE_VALUES: unknown[] = [
  null, '', ' ', NUL, `a${NUL}b`, LONE_SURROGATE, `x${LONE_SURROGATE}@example.com`, '\udc00\ud800', 'a'.repeat(10_000),
  -1, 0, 1e308, -1e308, 1e-30, 5e-324, 1e20, Number.MAX_SAFE_INTEGER + 2, 1.5, true, false,
  '1e308', '-1', 'NaN', 'Infinity', '99999999999999999999', '0x10', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>',
  '%00', '$ne', [], [1, 2, 3], {}, { $gt: '' }, { __proto__: { admin: true } }, { constructor: { prototype: { x: 1 } } },
  Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`C${i}`, '1'])), { '': '1' }, { [`A${NUL}`]: '1' }, { USDT: '1e308' },
];
const HOSTILE_QUERY = [
  '99999999999999999999', '-1', '1e308', 'NaN', '%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '', '1.5', `${'9'.repeat(400)}`, 'x&limit=0',
];
const HOSTILE_PATH = [
  '00000000-0000-0000-0000-000000000000', 'not-a-uuid', '%00', '%ED%A0%80', '%E0%A4%A', '..%2F..%2Fetc', '9'.repeat(300), '-1', '1e308',
];

function resolveRef(spec: Spec, s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > 8) return s;
  if (s.$ref) return resolveRef(spec, spec.components?.schemas?.[s.$ref.split('/').pop()!], depth + 1);
  if (s.allOf?.length) return resolveRef(spec, s.allOf[0], depth + 1);
  return s;
}

/** A plausible (valid-looking) value for a schema: the fuzzer then breaks one field at a time. */
function plausible(spec: Spec, schema: Schema | undefined, depth = 0): unknown {
  const s = resolveRef(spec, schema);
  if (!s || depth > 4) return 'x';
  if (s.example !== undefined) return s.example;
  if (s.enum?.length) return s.enum[0];
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausible(spec, v, depth + 1)]));
    case 'array':
      return [plausible(spec, s.items, depth + 1)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case undefined:
    default:
      return s.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : s.format === 'email' ? 'fuzz@example.com' : 'x';
  }
}

function operations(app: string, spec: Spec): Operation[] {
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      const body = content['application/json']?.schema;
      ops.push({ app, method: method.toUpperCase(), path, params: op.parameters ?? [], body });
    }
  }
  return ops;
}

function deepNesting(levels: number): string {
  return `{"a":${'['.repeat(levels)}1${']'.repeat(levels)}}`;
}

/** PER_OPERATION hostile requests for one operation, drawn deterministically from the generator. */
function hostileRequests(spec: Spec, op: Operation, next: () => number, authHeaders: Array<Record<string, string>>): FuzzRequest[] {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const out: FuzzRequest[] = [];
  const hasBody = op.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(op.method);
  for (let i = 0; i < PER_OPERATION; i++) {
    const auth = authHeaders[i % authHeaders.length];
    let path = op.path;
    for (const p of op.params.filter((x) => x.in === 'path')) {
      path = path.replace(`{${p.name}}`, i % 3 === 0 ? '00000000-0000-4000-8000-000000000000' : pick(HOSTILE_PATH));
    }
    const query = op.params
      .filter((x) => x.in === 'query')
      .map((p) => `${encodeURIComponent(p.name)}=${i % 2 === 0 ? pick(HOSTILE_QUERY) : encodeURIComponent(String(plausible(spec, p.schema)))}`);
    if (i === PER_OPERATION - 1) query.push('offset=99999999999999999999', 'limit=99999999999999999999');
    const url = `${path}${query.length ? `?${query.join('&')}` : ''}`;
    if (!hasBody) {
      out.push({ label: 'params', method: op.method, url, headers: { ...auth } });
      continue;
    }
    const json = { ...auth, 'content-type': 'application/json' };
    const base = plausible(spec, op.body);
    const kind = i % 7;
    if (kind === 0) {
      out.push({ label: 'deep-nesting', method: op.method, url, headers: json, body: deepNesting(pick([3_000, 5_000, 20_000])) });
    } else if (kind === 1) {
      const encoding = pick(['gzip', 'deflate', 'br']);
      const garbage = Buffer.from(Array.from({ length: 64 }, () => Math.floor(next() * 256)));
      out.push({ label: `garbage-${encoding}`, method: op.method, url, headers: { ...json, 'content-encoding': encoding }, body: garbage });
    } else if (kind === 2) {
      out.push({ label: 'gzip-of-hostile', method: op.method, url, headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(deepNesting(5_000)) });
    } else if (kind === 3) {
      out.push({ label: 'malformed', method: op.method, url, headers: json, body: pick(['{', '{"a":}', 'null', '"str"', '[]', '1e308', '{"a":1,"a":2}', '\u0000']) });
    } else {
      // one field (or the whole body) replaced by a hostile value
      const fields = base && typeof base === 'object' && !Array.isArray(base) ? Object.keys(base) : [];
      const value = pick(HOSTILE_VALUES);
      const body = fields.length > 0 ? { ...(base as object), [pick(fields)]: value } : value;
      out.push({ label: 'hostile-field', method: op.method, url, headers: json, body: JSON.stringify(body) });
    }
  }
  return out;
}

const ERROR_KEYS = ['code', 'details', 'message', 'path', 'request_id', 'timestamp'];

function hasStandardShape(text: string): boolean {
  try {
    const b = JSON.parse(text) as { error?: Record<string, unknown> };
    if (!b || typeof b !== 'object' || Object.keys(b).join() !== 'error' || !b.error) return false;
    const e = b.error;
    return (
      Object.keys(e).sort().join() === ERROR_KEYS.join() &&
      typeof e.code === 'string' && typeof e.message === 'string' && typeof e.request_id === 'string' &&
      typeof e.path === 'string' && typeof e.timestamp === 'string'
    );
  } catch {
    return false;
  }
}

describe('API fuzz: hostile requests for every operation of both OpenAPI specs', () => {
  const apps: Array<{ name: string; app: HttpApp; base: string; spec: Spec }> = [];
  let user: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    const env = testEnv({ THROTTLE_LOGIN_PER_MIN: '10000', THROTTLE_ORDERS_PER_MIN: '100000', BACKTEST_SYNC_MAX_CANDLES: '2000' });
    for (const [name, module] of [
      ['hyperrsi-api', HyperrsiApiModule.forRoot({ env })],
      ['grid-api', GridApiModule.forRoot({ env })],
    ] as const) {
      const app = await createHttpTestApp(module);
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      const spec = (await (await fetch(`${base}/docs-json`)).json()) as Spec;
      apps.push({ name, app, base, spec });
    }
    user = await createUserAndLogin(apps[0].app);
    admin = await createUserAndLogin(apps[0].app, { role: 'admin' });
  });

  afterAll(async () => {
    for (const a of apps) await a.app.close();
  });

  it('answers >= 1,000 hostile requests with no 5xx and every 4xx in the standard error shape', async () => {
    const next = rng(FUZZ_SEED);
    const jwt: Record<string, string> = { authorization: `Bearer ${user.accessToken}` };
    const adminJwt: Record<string, string> = { authorization: `Bearer ${admin.accessToken}` };
    const auths: Array<Record<string, string>> = [jwt, {}, adminJwt, { authorization: 'Bearer not.a.jwt' }, jwt, { 'x-api-key': `tb_${'A'.repeat(40)}` }, adminJwt];
    const counts = new Map<number, number>();
    const failures: string[] = [];
    let total = 0;
    let operationCount = 0;
    for (const { name, base, spec } of apps) {
      const ops = operations(name, spec);
      operationCount += ops.length;
      for (const op of ops) {
        for (const r of hostileRequests(spec, op, next, auths)) {
          const res = await fetch(`${base}${r.url}`, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual' });
          const text = await res.text();
          total++;
          counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
          const bad = res.status >= 500 || (res.status >= 400 && !hasStandardShape(text));
          if (bad) failures.push(`${name} ${r.method} ${op.path} [${r.label}] -> ${res.status} ${text.slice(0, 200)}`);
        }
      }
    }
    const summary = [...counts.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
    process.stdout.write(`api fuzz: ${total} requests over ${operationCount} operations (seed ${FUZZ_SEED.toString(16)}) -> ${summary}\n`);
    expect(failures.length, [...new Set(failures.map((f) => f.replace(/"request_id":"[^"]*"|"timestamp":"[^"]*"/g, '')))].slice(0, 60).join('\n')).toBe(0);
    expect(operationCount).toBeGreaterThan(30);
    expect(total).toBeGreaterThanOrEqual(1000);
  });
});
