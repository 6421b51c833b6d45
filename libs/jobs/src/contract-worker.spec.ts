import { describe, expect, it } from 'vitest';
import { ALL_JOBS, JOBS, QueueName } from './job-contract';
import { ContractWorker, assertEveryJobHandled, type JobHandlers } from './contract-worker';

const done = async (): Promise<void> => undefined;

class MaintenanceWorker extends ContractWorker<'maintenance'> {
  protected readonly queueName = QueueName.Maintenance;
  protected readonly handlers: JobHandlers<'maintenance'> = { 'maintenance.prune-finished-jobs': done };
  init(): this {
    this.registerHandlers();
    return this;
  }
}
class BacktestsWorker extends ContractWorker<'backtests'> {
  protected readonly queueName = QueueName.Backtests;
  protected readonly handlers: JobHandlers<'backtests'> = { 'backtests.run': done };
  init(): this {
    this.registerHandlers();
    return this;
  }
}
class BotsWorker extends ContractWorker<'bots'> {
  protected readonly queueName = QueueName.Bots;
  protected readonly handlers: JobHandlers<'bots'> = { 'bots.evaluate': done, 'bots.evaluateMany': done, 'bots.send': done, 'bots.replay': done };
  init(): this {
    this.registerHandlers();
    return this;
  }
}
/** A processor whose handler map names a job of another queue (the type system forbids it; a cast gets past it). */
class MisfiledWorker extends ContractWorker<'bots'> {
  protected readonly queueName = QueueName.Bots;
  protected readonly handlers = { 'backtests.run': done } as unknown as JobHandlers<'bots'>;
  init(): this {
    this.registerHandlers();
    return this;
  }
}

describe('queue contract', () => {
  it('a worker without handlers refuses to boot, naming every unhandled job', () => {
    expect(() => assertEveryJobHandled([])).toThrow(new RegExp(`no handler for job\\(s\\): ${ALL_JOBS.join(', ')}$`));
  });

  it('the check counts only the processors it is given: two applications in one process do not share handlers', () => {
    // application 1 boots complete; application 2 (same process, after it) lacks the bots processor
    const app1 = [new MaintenanceWorker().init(), new BacktestsWorker().init(), new BotsWorker().init()];
    const app2 = [new MaintenanceWorker().init(), new BacktestsWorker().init()];
    // interleaved: app 1 checked, app 2 checked, app 1 checked again — each gets its own verdict
    expect(() => assertEveryJobHandled(app1)).not.toThrow();
    expect(() => assertEveryJobHandled(app2)).toThrow('no handler for job(s): bots.evaluate, bots.evaluateMany, bots.send, bots.replay');
    expect(() => assertEveryJobHandled(app1)).not.toThrow();
  });

  it('a handler for a job of another queue fails registration', () => {
    expect(() => new MisfiledWorker().init()).toThrow('job backtests.run does not belong to queue bots');
  });

  it('every job has a queue and retry options', () => {
    for (const name of ALL_JOBS) {
      expect(JOBS[name].queue).toMatch(/^[a-z-]+$/);
      expect(JOBS[name].options.attempts).toBeGreaterThanOrEqual(1);
    }
  });
});
