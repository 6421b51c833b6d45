import { describe, expect, it } from 'vitest';
import { ALL_JOBS, JOBS, type QueueName } from './job-contract';
import { ContractWorker, assertEveryJobHandled, type JobHandlers } from './contract-worker';

const done = async (): Promise<void> => undefined;

/** A processor of `queue` with these handlers, registered as a subclass's onModuleInit does. */
function worker<Q extends QueueName>(queue: Q, handlers: JobHandlers<Q>): ContractWorker<Q> {
  class TestWorker extends ContractWorker<Q> {
    protected readonly queueName = queue;
    protected readonly handlers = handlers;
    init(): this {
      this.registerHandlers();
      return this;
    }
  }
  return new TestWorker().init();
}
const maintenance = () => worker('maintenance', { 'maintenance.prune-finished-jobs': done });
const backtests = () => worker('backtests', { 'backtests.run': done });
const bots = () => worker('bots', { 'bots.evaluate': done, 'bots.evaluateMany': done, 'bots.send': done, 'bots.replay': done });

describe('queue contract', () => {
  it('a worker without handlers refuses to boot, naming every unhandled job', () => {
    expect(() => assertEveryJobHandled([])).toThrow(new RegExp(`no handler for job\\(s\\): ${ALL_JOBS.join(', ')}$`));
  });

  it('the check counts only the processors it is given: two applications in one process do not share handlers', () => {
    // application 1 boots complete; application 2 (same process, after it) lacks the bots processor
    const app1 = [maintenance(), backtests(), bots()];
    const app2 = [maintenance(), backtests()];
    // interleaved: app 1 checked, app 2 checked, app 1 checked again — each gets its own verdict
    expect(() => assertEveryJobHandled(app1)).not.toThrow();
    expect(() => assertEveryJobHandled(app2)).toThrow('no handler for job(s): bots.evaluate, bots.evaluateMany, bots.send, bots.replay');
    expect(() => assertEveryJobHandled(app1)).not.toThrow();
  });

  it('a handler for a job of another queue fails registration', () => {
    // the type system forbids it; a cast gets past it
    expect(() => worker('bots', { 'backtests.run': done } as unknown as JobHandlers<'bots'>)).toThrow('job backtests.run does not belong to queue bots');
  });

  it('every job has a queue and retry options', () => {
    for (const name of ALL_JOBS) {
      expect(JOBS[name].queue).toMatch(/^[a-z-]+$/);
      expect(JOBS[name].options.attempts).toBeGreaterThanOrEqual(1);
    }
  });
});
