import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, ExchangeError, ExchangeUnavailableError, InsufficientFundsError, InvalidOrderError, NotSupportedError, OrderNotFoundError, RateLimitedError, UnknownSymbolError, redactSecrets } from '../exchange.errors';
import { errorClassChain, mapCcxtError, parseRetryAfter } from './ccxt-error.mapper';

// the real ccxt error classes (CommonJS build), as thrown by the library
const ccxt = createRequire(__filename)('ccxt') as Record<string, new (m: string) => Error>;
const ctx = { exchangeId: 'binance', secrets: ['MY-API-KEY-123', 'MY-SECRET-456'], nowMs: 1_000_000 };

describe('mapCcxtError', () => {
  it.each([
    ['RequestTimeout', ExchangeUnavailableError, true],
    ['NetworkError', ExchangeUnavailableError, true],
    ['ExchangeNotAvailable', ExchangeUnavailableError, true],
    ['OnMaintenance', ExchangeUnavailableError, true],
    ['InvalidNonce', ExchangeUnavailableError, true],
    ['OperationFailed', ExchangeUnavailableError, true],
    ['RateLimitExceeded', RateLimitedError, true],
    ['DDoSProtection', RateLimitedError, true],
    ['InsufficientFunds', InsufficientFundsError, false],
    ['InvalidOrder', InvalidOrderError, false],
    ['OrderImmediatelyFillable', InvalidOrderError, false],
    ['OrderNotFound', OrderNotFoundError, false],
    ['AuthenticationError', AuthenticationError, false],
    ['PermissionDenied', AuthenticationError, false],
    ['AccountSuspended', AuthenticationError, false],
    ['BadSymbol', UnknownSymbolError, false],
    ['NotSupported', NotSupportedError, false],
    ['ExchangeError', ExchangeError, false],
    ['BadRequest', ExchangeError, false],
  ] as const)('ccxt %s -> %s (retryable %s)', (name, cls, retryable) => {
    const mapped = mapCcxtError(new ccxt[name]('binance boom'), ctx);
    expect(mapped).toBeInstanceOf(cls);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.details).toMatchObject({ exchangeId: 'binance', source: name });
  });

  it('gives stable codes', () => {
    expect(mapCcxtError(new ccxt.RequestTimeout('x'), ctx).code).toBe('EXCHANGE_UNAVAILABLE');
    expect(mapCcxtError(new ccxt.InsufficientFunds('x'), ctx).code).toBe('EXCHANGE_INSUFFICIENT_FUNDS');
    expect(mapCcxtError(new ccxt.InvalidOrder('x'), ctx).code).toBe('EXCHANGE_INVALID_ORDER');
    expect(mapCcxtError(new ccxt.OrderNotFound('x'), ctx).code).toBe('EXCHANGE_ORDER_NOT_FOUND');
    expect(mapCcxtError(new ccxt.AuthenticationError('x'), ctx).code).toBe('EXCHANGE_AUTHENTICATION_FAILED');
    expect(mapCcxtError(new ccxt.RateLimitExceeded('x'), ctx).code).toBe('EXCHANGE_RATE_LIMITED');
  });

  it('recognises a duplicate clientOrderId and flags clock skew', () => {
    const dup = mapCcxtError(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'), ctx) as InvalidOrderError;
    expect(dup.reason).toBe('duplicate_client_order_id');
    expect(mapCcxtError(new ccxt.InvalidNonce('-1021'), ctx).details.clockSkew).toBe(true);
  });

  it('carries Retry-After, or the end of a Binance IP ban', () => {
    expect((mapCcxtError(new ccxt.DDoSProtection('429'), { ...ctx, retryAfterMs: 3_000 }) as RateLimitedError).retryAfterMs).toBe(3_000);
    const ban = mapCcxtError(new ccxt.DDoSProtection('binance 418 {"code":-1003,"msg":"Way too much request weight used; IP banned until 1000120000."}'), ctx) as RateLimitedError;
    expect(ban.retryAfterMs).toBe(1_000_120_000 - 1_000_000);
    expect((mapCcxtError(new ccxt.RateLimitExceeded('slow down'), ctx) as RateLimitedError).retryAfterMs).toBeNull();
  });

  it('scrubs secrets and signatures from messages', () => {
    const e = new ccxt.NetworkError('binance GET https://api.binance.com/api/v3/account?timestamp=1&recvWindow=5000&signature=ab12cd34ef fetch failed MY-API-KEY-123 MY-SECRET-456');
    const m = mapCcxtError(e, ctx).message;
    expect(m).not.toContain('ab12cd34ef');
    expect(m).not.toContain('MY-API-KEY-123');
    expect(m).not.toContain('MY-SECRET-456');
    expect(m).toContain('signature=***');
    expect(m).toContain('timestamp=1');
  });

  it('maps a bare socket error as unavailable, anything else as a non-retryable ExchangeError', () => {
    expect(mapCcxtError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), ctx)).toBeInstanceOf(ExchangeUnavailableError);
    const other = mapCcxtError(new TypeError('x is undefined'), ctx);
    expect(other.constructor).toBe(ExchangeError);
    expect(other.retryable).toBe(false);
  });

  it('walks the class chain by name', () => {
    expect(errorClassChain(new ccxt.RequestTimeout('x')).slice(0, 4)).toEqual(['RequestTimeout', 'NetworkError', 'OperationFailed', 'BaseError']);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', 0)).toBe(2_000);
    expect(parseRetryAfter('0.5', 0)).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27, 30))).toBe(30_000);
    expect(parseRetryAfter(undefined, 0)).toBeNull();
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

describe('redactSecrets', () => {
  it('removes literal secrets and credential-looking parameters', () => {
    expect(redactSecrets('key=abcd1234 and abcd1234', ['abcd1234'])).toBe('key=*** and ***');
    expect(redactSecrets('a?apiKey=XYZ&sign=QQ&x=1')).toBe('a?apiKey=***&sign=***&x=1');
    expect(redactSecrets('{"secret":"s3cr3t","passphrase":"pp"}')).toBe('{"secret":"***","passphrase":"***"}');
    expect(redactSecrets('short ab', ['ab'])).toBe('short ab'); // too short to be a credential: left alone
  });
});
