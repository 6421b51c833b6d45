import { describe, expect, it } from 'vitest';
import { loginTracker, userTracker, webhookTracker } from './throttler.options';

describe('throttler trackers', () => {
  it('login: client IP + normalised email (case and spaces do not give extra attempts)', () => {
    expect(loginTracker({ ip: '10.0.0.1', body: { email: '  Alice@Example.COM ' } })).toBe('10.0.0.1|alice@example.com');
    expect(loginTracker({ ip: '10.0.0.1', body: { email: 42 } })).toBe('10.0.0.1|');
    expect(loginTracker({ ip: '10.0.0.2' })).toBe('10.0.0.2|');
  });

  it('orders: the authenticated user, whatever the IP', () => {
    const user = { userId: 'u-1', role: 'trader', scopes: ['trade'], via: 'jwt' } as const;
    expect(userTracker({ ip: '10.0.0.1', user })).toBe('user:u-1');
    expect(userTracker({ ip: '10.0.0.9', user })).toBe('user:u-1');
    expect(userTracker({ ip: '10.0.0.9' })).toBe('ip:10.0.0.9');
  });

  it('webhook alerts: the webhook (its URL token), whoever sends them', () => {
    expect(webhookTracker({ ip: '10.0.0.1', params: { token: 'tbwh_abc' } })).toBe('hook:tbwh_abc');
    expect(webhookTracker({ ip: '10.0.0.2', params: { token: 'tbwh_abc' } })).toBe('hook:tbwh_abc');
    expect(webhookTracker({ ip: '10.0.0.1', params: { token: 'tbwh_def' } })).not.toBe(webhookTracker({ ip: '10.0.0.1', params: { token: 'tbwh_abc' } }));
  });
});
