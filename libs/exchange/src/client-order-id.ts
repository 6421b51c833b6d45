import { createHash } from 'node:crypto';

/**
 * A deterministic exchange clientOrderId for an intent key (`${botId}:${candleTime}:${kind}:${index}`):
 * `prefix` + base-62-ish hex digest, 32 characters, [A-Za-z0-9] only — accepted by every supported exchange
 * (okx is the strictest: [A-Za-z0-9]{1,32}). Same key -> same id, so a re-run decision cannot create a
 * second order.
 */
export function clientOrderIdFromKey(key: string, prefix = 'tb'): string {
  if (!/^[A-Za-z0-9]{0,8}$/.test(prefix)) throw new RangeError('clientOrderId prefix must be 0-8 alphanumerics');
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  return (prefix + digest).slice(0, 32);
}
