import 'reflect-metadata';
import { Body, Controller, Get, Injectable, Logger, Module, Param, Post } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationConfig } from '@nestjs/core';
import { currentRequestId, IllegalStateTransitionError, NotFoundError } from '@tb/common';
import { PlatformModule } from '@tb/platform';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { LogCapture } from './support/log-capture';

class CreateThingDto {
  @ApiProperty() @IsString() name!: string;
  @ApiProperty() @IsInt() @Min(1) @Max(10) size!: number;
  @ApiProperty() @IsIn(['a', 'b']) kind!: string;
}

@Injectable()
class ThingsService {
  private readonly logger = new Logger(ThingsService.name);
  create(dto: CreateThingDto) {
    this.logger.log({ msg: 'creating thing', name: dto.name });
    return { ok: true };
  }
}

@Controller('probe')
class ProbeController {
  constructor(private readonly things: ThingsService) {}
  @Post('things') create(@Body() dto: CreateThingDto) {
    return this.things.create(dto);
  }
  @Get('missing') missing() {
    throw new NotFoundError('order', '42');
  }
  @Get('conflict') conflict() {
    throw new IllegalStateTransitionError('order', 'FILLED', 'OPEN');
  }
  @Get('context') async context() {
    await new Promise((r) => setTimeout(r, 1)); // the context survives an await
    return { requestId: currentRequestId() ?? null };
  }
  @Get('items/:id') item(@Param('id') id: string) {
    return { id };
  }
  @Get('boom') boom() {
    throw new Error('secret internal detail: connection string postgres://user:pw@db');
  }
}

@Module({ controllers: [ProbeController], providers: [ThingsService] })
class ProbeModule {}

describe('HTTP platform: request ids, error shape, logs', () => {
  let app: HttpApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    app = await createHttpTestApp({
      module: class TestRoot {},
      imports: [logs.module(), PlatformModule.forRoot({ env: testEnv({ LOG_LEVEL: 'info', METRICS_TOKEN: 'platform-e2e-metrics-token-0123456789' }) }), ProbeModule],
    });
  });
  afterAll(async () => app?.close());

  const http = () => request(app.getHttpServer());

  it('echoes a safe X-Request-ID', async () => {
    const res = await http().get('/health/live').set('X-Request-ID', 'client-req_1.2');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('client-req_1.2');
  });

  it('generates a UUID when absent', async () => {
    const res = await http().get('/health/live');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([['has spaces'], ['a'.repeat(129)], ['semi;colon'], ['<script>']])('replaces an unsafe id (%s)', async (bad) => {
    const res = await http().get('/health/live').set('X-Request-ID', bad);
    expect(res.headers['x-request-id']).not.toBe(bad);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("runs handlers in the request's context without nestjs-cls's pass-through interceptor and guard", async () => {
    const config = (app as unknown as { config: ApplicationConfig }).config;
    // none of ours is global; nestjs-cls's two pass-throughs were dropped by configureHttpApp
    expect(config.getGlobalInterceptors()).toEqual([]);
    expect(config.getGlobalGuards()).toEqual([]);
    const res = await http().get('/probe/context').set('X-Request-ID', 'ctx-req-9');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ requestId: 'ctx-req-9' });
    expect(res.headers['x-request-id']).toBe('ctx-req-9');
  });

  it('400 for validation errors, with per-field details, in the standard shape', async () => {
    const res = await http().post('/probe/things').set('X-Request-ID', 'val-1').send({ name: 5, size: 11, extra: true });
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toBe('val-1');
    const e = res.body.error;
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(Object.keys(e).sort()).toEqual(['code', 'details', 'message', 'path', 'request_id', 'timestamp']);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.request_id).toBe('val-1');
    expect(e.path).toBe('/probe/things');
    const fields = Object.fromEntries((e.details as Array<{ field: string; messages: string[] }>).map((d) => [d.field, d.messages.join(' ')]));
    expect(fields.name).toMatch(/must be a string/);
    expect(fields.size).toMatch(/must not be greater than 10/);
    expect(fields.kind).toMatch(/must be one of/);
    expect(fields.extra).toMatch(/should not exist/);
  });

  it('400 for malformed JSON', async () => {
    const res = await http().post('/probe/things').set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });

  it('a malformed URL or an over-long path parameter (refused by Fastify before routing): the standard shape', async () => {
    expect((await http().get('/probe/items/abc')).body).toEqual({ id: 'abc' }); // control
    const bad = await http().get('/probe/items/%E0%A4%A').set('X-Request-ID', 'bad-url-1');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'BAD_REQUEST', request_id: 'bad-url-1', path: '/probe/items/%E0%A4%A' });
    expect(bad.body.error.message).toMatch(/Malformed URL/);
    expect(bad.headers['x-request-id']).toBe('bad-url-1');
    const long = await http().get(`/probe/items/${'9'.repeat(101)}`);
    expect(long.status).toBe(414);
    expect(Object.keys(long.body.error).sort()).toEqual(['code', 'details', 'message', 'path', 'request_id', 'timestamp']);
    expect(long.body.error.code).toBe('BAD_REQUEST');
  });

  it('a body that is not JSON: 415 in the standard shape; an empty JSON body reads as {} and fails validation', async () => {
    const text = await http().post('/probe/things').set('Content-Type', 'text/plain').send('name=x');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await http().post('/probe/things').type('form').send({ name: 'x', size: 2, kind: 'a' });
    expect(form.status).toBe(415);
    const empty = await http().post('/probe/things').set('Content-Type', 'application/json').send('');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    const poisoned = await http().post('/probe/things').set('Content-Type', 'application/json').send('{"name":"x","size":2,"kind":"a","__proto__":{"admin":true}}');
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error.code).toBe('BAD_REQUEST');
  });

  it('a body over 1 MB, sent as is or as a small gzip that inflates past it: 413 in the standard shape', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), size: 2, kind: 'a' });
    const plain = await http().post('/probe/things').set('Content-Type', 'application/json').send(big);
    expect(plain.status, JSON.stringify(plain.body)).toBe(413);
    expect(plain.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // raw bytes through fetch: supertest would re-serialise a Buffer as JSON
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe/things`;
    const post = (body: Buffer) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    const bomb = gzipSync(Buffer.from(big));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const zipped = await post(bomb);
    const zippedBody = (await zipped.json()) as { error: { code: string } };
    expect(zipped.status, JSON.stringify(zippedBody)).toBe(413);
    expect(zippedBody.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await post(gzipSync(Buffer.from(JSON.stringify({ name: 'x', size: 2, kind: 'a' }))))).status).toBe(201);
  });

  it('a trailing slash finds the same route', async () => {
    const res = await http().get('/probe/items/abc/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'abc' });
  });

  it('404 for unknown routes', async () => {
    const res = await http().get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
  });

  it('maps domain errors to statuses by code', async () => {
    const nf = await http().get('/probe/missing');
    expect(nf.status).toBe(404);
    expect(nf.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'order 42 not found', details: { resource: 'order', id: '42' } });
    const c = await http().get('/probe/conflict');
    expect(c.status).toBe(409);
    expect(c.body.error.code).toBe('ILLEGAL_STATE_TRANSITION');
  });

  it('500 for unexpected errors without stack or internal message; logged in full server-side', async () => {
    const res = await http().get('/probe/boom').set('X-Request-ID', 'boom-1');
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'Internal server error', request_id: 'boom-1' });
    expect(JSON.stringify(res.body)).not.toMatch(/secret internal|postgres:\/\/|at .*\.ts/);
    const logged = logs.records().find((r) => r.request_id === 'boom-1' && r.level === 50);
    expect(JSON.stringify(logged)).toContain('secret internal detail');
  });

  it('puts the request id in every log line of that request', async () => {
    await http().post('/probe/things').set('X-Request-ID', 'log-req-7').send({ name: 'x', size: 2, kind: 'a' }).expect(201);
    const mine = logs.records().filter((r) => r.request_id === 'log-req-7');
    const messages = mine.map((r) => r.msg);
    expect(messages).toContain('creating thing'); // a service's log line
    expect(messages).toContain('request completed'); // the access log line
  });

  it('redacts authorization headers and secrets in logs', async () => {
    const logger = new Logger('RedactionProbe');
    logger.log({ msg: 'keys', apiKey: 'AK-visible-no', secret: 'SK-visible-no', password: 'pw-visible-no' });
    await http().post('/probe/things').set('Authorization', 'Bearer tok-visible-no').send({ name: 'x', size: 1, kind: 'b' });
    expect(logs.text()).not.toMatch(/visible-no/);
  });

  it('serves the OpenAPI spec at /docs-json and Swagger UI at /docs', async () => {
    const spec = await http().get('/docs-json');
    expect(spec.status).toBe(200);
    expect(spec.body.paths['/health/ready']).toBeDefined();
    const ui = await http().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('exposes Prometheus metrics (with the metrics token)', async () => {
    const res = await http().get('/metrics').set('Authorization', 'Bearer platform-e2e-metrics-token-0123456789');
    expect(res.status).toBe(200);
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });
});
