import { describe, expect, it } from 'vitest';
import { ALL_JOBS, JOBS } from './job-contract';
import { assertEveryJobHandled, registeredJobHandlers } from './contract-worker';

describe('queue contract', () => {
  it('a worker without handlers refuses to boot, naming every unhandled job', () => {
    expect(registeredJobHandlers()).toEqual([]);
    expect(() => assertEveryJobHandled()).toThrow(new RegExp(`no handler for job\\(s\\): ${ALL_JOBS.join(', ')}`));
  });

  it('every job has a queue and retry options', () => {
    for (const name of ALL_JOBS) {
      expect(JOBS[name].queue).toMatch(/^[a-z-]+$/);
      expect(JOBS[name].options.attempts).toBeGreaterThanOrEqual(1);
    }
  });
});
