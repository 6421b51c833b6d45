/**
 * Exact money for the paper ledger: every stored quantity (balances, amounts, prices, costs, fees, PnL) is an
 * integer number of 1e-8 units held in a bigint, and goes to/from PostgreSQL `numeric` as decimal text.
 *
 * The matching engine computes in doubles. Each value it produces is ROUNDED ONCE, half away from zero, to
 * 1e-8 (the quote precision; every amount step and tick of PAPER_MARKETS is a multiple of 1e-8, so amounts and
 * limit prices pass through unchanged) and from then on the ledger only adds and subtracts exact integers:
 * a balance is exactly its initial value plus the sum of the stored deltas of its trades.
 */
export const DECIMALS = 8;
const SCALE = 10n ** BigInt(DECIMALS);

export type Units = bigint;

/** A double (engine output) -> 1e-8 units, correctly rounded (toFixed rounds the exact binary value). */
export function toUnits(x: number): Units {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return parseUnits(x.toFixed(DECIMALS));
}

/** Decimal text ('123.45', '-0.5', '1e-8' is not accepted) -> units; more than 8 decimals are rounded half away from zero. */
export function parseUnits(text: string): Units {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal: "${text}"`);
  const [, sign, int, frac = ''] = m;
  let units = BigInt(int) * SCALE + BigInt((frac.slice(0, DECIMALS) + '0'.repeat(DECIMALS)).slice(0, DECIMALS));
  if (frac.length > DECIMALS && frac.charCodeAt(DECIMALS) >= 53 /* '5' */) units += 1n;
  return sign === '-' ? -units : units;
}

/** Units -> canonical decimal text without trailing zeros ('0', '12.5', '-0.00000001'). */
export function formatUnits(u: Units): string {
  const neg = u < 0n;
  const a = neg ? -u : u;
  const int = a / SCALE;
  const frac = (a % SCALE).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

export function unitsToNumber(u: Units): number {
  return Number(formatUnits(u));
}

/** Round a double to 1e-8 and return it as a number (what gets stored, as a number). */
export function round8(x: number): number {
  return unitsToNumber(toUnits(x));
}
