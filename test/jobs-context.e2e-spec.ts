import 'reflect-metadata';
import type { HttpApp } from '@tb/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithRequestId } from '@tb/common';
import { isCcxtLoaded } from '@tb/exchange';
import { JobsProducer } from '@tb/jobs';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { LogCapture } from './support/log-capture';

describe('worker: job logs carry the id of the request that enqueued the job', () => {
  let app: HttpApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    app = await createHttpTestApp({ module: class Root {}, imports: [logs.module(), WorkerModule.forRoot({ env: testEnv({ LOG_LEVEL: 'info' }) })] }, false);
  });
  afterAll(async () => app?.close());

  it('a maintenance job enqueued inside request "req-job-42" logs with request_id req-job-42, and completes', async () => {
    const producer = app.get(JobsProducer);
    const job = await runWithRequestId('req-job-42', () => producer.enqueue('maintenance.prune-finished-jobs', { retentionS: 3600 }));
    expect(job.data.requestId).toBe('req-job-42');
    const deadline = Date.now() + 20_000;
    let state = await job.getState();
    while (state !== 'completed' && state !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = await job.getState();
    }
    expect(state).toBe('completed');
    const mine = logs.records().filter((r) => r.request_id === 'req-job-42');
    const msgs = mine.map((r) => r.msg);
    expect(msgs).toEqual(expect.arrayContaining(['job started', 'pruned finished jobs', 'job completed']));
  });

  it('the hourly prune job is registered as a BullMQ job scheduler', async () => {
    const schedulers = await app.get(JobsProducer).queue('maintenance').getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('prune-finished-jobs-hourly');
  });

  it('an idle worker loads ccxt after boot, before any candle close or order needs it', async () => {
    // nothing in this worker trades: before the preload, ccxt stayed unloaded until the first order or feed poll
    const deadline = Date.now() + 20_000;
    while (!isCcxtLoaded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isCcxtLoaded()).toBe(true);
    const loaded = logs.records().find((r) => r.msg === 'ccxt loaded');
    expect(loaded?.context).toBe('CcxtPreload');
    expect(typeof loaded?.ms).toBe('number');
  });
});
