import { Logger } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { currentRequestId } from '@tb/common';

export { Propagation };
export type { IsolationLevel };

/** PostgreSQL SQLSTATEs worth retrying the whole unit for: deadlock_detected, serialization_failure. */
export const RETRYABLE_SQLSTATES = ['40P01', '40001'] as const;

export interface TransactionalOptions {
  /** Default READ COMMITTED (PostgreSQL's default). */
  readonly isolationLevel?: IsolationLevel;
  /**
   * Required (default): join the caller's transaction or open one.
   * Nested: inside a transaction, a SAVEPOINT whose failure rolls back only itself; otherwise a new transaction.
   * RequiresNew: an independent transaction.
   */
  readonly propagation?: Propagation.Required | Propagation.Nested | Propagation.RequiresNew;
  /** Attempts of the whole unit on deadlock/serialization failure (default from DB_TX_MAX_ATTEMPTS). */
  readonly maxAttempts?: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
}

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200 };
const logger = new Logger('Transactional');

/** Set once by DatabaseModule from the validated config. */
export function configureTransactionRetry(next: Partial<RetryPolicy>): void {
  Object.assign(policy, next);
}

export function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryableTransactionError(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== undefined && (RETRYABLE_SQLSTATES as readonly string[]).includes(state);
}

/** Exponential backoff with ±20% jitter: 0.2 s, 0.4 s, 0.8 s, ... for the default base. */
export function retryDelayMs(attempt: number, baseDelayMs = policy.baseDelayMs, random: () => number = Math.random): number {
  const nominal = baseDelayMs * 2 ** (attempt - 1);
  return Math.round(nominal * (0.8 + 0.4 * random()));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `fn` as one transactional unit with the options above. The OUTERMOST unit (no transaction active when it
 * starts, or RequiresNew) is retried as a whole on 40P01/40001; a unit that joins an outer transaction or runs as a
 * savepoint is never retried alone (its failure propagates to the outer unit, which retries everything).
 */
export async function runTransactional<T>(options: TransactionalOptions, fn: () => Promise<T>, label = 'unit'): Promise<T> {
  const host = TransactionHost.getInstance<TransactionalAdapterTypeOrm>();
  const propagation = options.propagation ?? Propagation.Required;
  const txOptions = options.isolationLevel ? { isolationLevel: options.isolationLevel } : undefined;
  const run = () =>
    txOptions ? host.withTransaction(propagation, txOptions as never, fn) : host.withTransaction(propagation, fn);

  const outermost = !host.isTransactionActive() || propagation === Propagation.RequiresNew;
  if (!outermost) return run();

  const maxAttempts = options.maxAttempts ?? policy.maxAttempts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isRetryableTransactionError(err) || attempt >= maxAttempts) throw err;
      const delay = retryDelayMs(attempt);
      logger.warn({
        msg: 'transaction aborted by the database; retrying the whole unit',
        unit: label,
        sqlstate: sqlStateOf(err),
        attempt,
        maxAttempts,
        delayMs: delay,
        request_id: currentRequestId(),
      });
      await sleep(delay);
    }
  }
}

/**
 * Method decorator: the method runs as a transactional unit (see runTransactional). Repositories reach the
 * current transaction through TransactionHost (`txHost.tx`), so nested calls share it.
 */
export function Transactional(options: TransactionalOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => Promise<unknown>;
    const label = `${(target as { constructor: { name: string } }).constructor.name}.${String(propertyKey)}`;
    descriptor.value = function (this: unknown, ...args: unknown[]) {
      return runTransactional(options, () => original.apply(this, args), label);
    };
    Object.defineProperty(descriptor.value, 'name', { value: original.name });
    // keep metadata (e.g. Swagger/route decorators applied before) on the wrapped method
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), descriptor.value as object);
    }
    return descriptor;
  };
}
