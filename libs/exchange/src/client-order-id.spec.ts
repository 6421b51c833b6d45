import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PORTABLE_CLIENT_ORDER_ID, dialectFor } from './ccxt/ccxt.dialects';
import { clientOrderIdFromKey } from './client-order-id';
import { SUPPORTED_EXCHANGE_IDS } from './exchange.types';

describe('clientOrderIdFromKey', () => {
  it('is deterministic, 32 alphanumerics, and accepted by every supported exchange', () => {
    const key = 'bot-7:1704067200000:entry:0';
    const id = clientOrderIdFromKey(key);
    expect(id).toBe(`tb${createHash('sha256').update(key).digest('hex').slice(0, 30)}`);
    expect(clientOrderIdFromKey(key)).toBe(id);
    expect(clientOrderIdFromKey('bot-7:1704067200000:entry:1')).not.toBe(id);
    expect(id).toMatch(PORTABLE_CLIENT_ORDER_ID);
    for (const ex of SUPPORTED_EXCHANGE_IDS) expect(id).toMatch(dialectFor(ex).clientOrderIdPattern);
  });

  it('rejects a prefix that would break portability', () => {
    expect(() => clientOrderIdFromKey('k', 'tb-')).toThrow(RangeError);
  });
});
