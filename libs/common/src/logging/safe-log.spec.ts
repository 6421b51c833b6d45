import { describe, expect, it } from 'vitest';
import { sanitizeLogObject, scrubLogString } from './safe-log';

describe('safe-log: signal webhook tokens never reach a log line', () => {
  const token = 'tbwh_' + 'A1b2_C3d4-'.repeat(4) + 'xyz';

  it('a token in a request path is replaced, the rest of the path kept', () => {
    expect(scrubLogString(`/api/hyperrsi/webhooks/${token}`)).toBe('/api/hyperrsi/webhooks/tbwh_[REDACTED]');
    expect(scrubLogString('/api/hyperrsi/bots')).toBe('/api/hyperrsi/bots');
  });

  it('a token anywhere in a log object (an error path, a message) is replaced', () => {
    const out = sanitizeLogObject({ path: `/api/grid/webhooks/${token}?x=1`, msg: `bad ${token}`, nested: { list: [token] } });
    expect(JSON.stringify(out)).not.toContain(token.slice(5));
    expect(out).toEqual({ path: '/api/grid/webhooks/tbwh_[REDACTED]?x=1', msg: 'bad tbwh_[REDACTED]', nested: { list: ['tbwh_[REDACTED]'] } });
  });
});
