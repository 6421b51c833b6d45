/**
 * Shared helpers for the indicator modules. Internal: not exported from the lib's index.
 */

/** Throws a RangeError unless `value` is an integer >= `min` (a programming error, not a domain error). */
export function assertInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Throws a RangeError unless `value` is a finite number. */
export function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
}

/** True for every number except NaN and ±Infinity (faster than Number.isFinite in hot loops). */
export function isValid(x: number): boolean {
  return x - x === 0;
}

/** A zero-filled plain array (JSON-serialisable ring buffer). */
export function zeros(n: number): number[] {
  const a: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = 0;
  return a;
}

/** Throws unless the parallel high/low/close columns have the same length. */
export function assertSameLength(...cols: ArrayLike<number>[]): number {
  const n = cols[0].length;
  for (let i = 1; i < cols.length; i++) {
    if (cols[i].length !== n) throw new RangeError(`input columns differ in length: ${n} vs ${cols[i].length}`);
  }
  return n;
}
