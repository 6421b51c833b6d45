import type { BacktestMetrics } from './backtest.types';

export type SweepValue = number | string | boolean;

export interface SweepParam {
  readonly name: string;
  readonly values: readonly SweepValue[];
}

export class SweepSpecError extends Error {
  readonly code = 'SWEEP_SPEC_INVALID';
}

function decimals(x: string): number {
  const i = x.indexOf('.');
  return i < 0 ? 0 : x.length - i - 1;
}

function scalar(s: string): SweepValue {
  if (s === 'true') return true;
  if (s === 'false') return false;
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : s;
}

/**
 * Parses a sweep spec: comma-separated `name=from..to[:step]` ranges (inclusive, step default 1) or
 * `name=v1|v2|v3` lists. Example: `rsi_oversold=20..35:5,pyramiding_limit=2..5,entry_mode=cross_into|in_zone`.
 */
export function parseSweepSpec(spec: string, maxCombinations = 10_000): SweepParam[] {
  const params: SweepParam[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SweepSpecError(`bad sweep item "${part}" (expected name=from..to[:step] or name=a|b|c)`);
    const name = part.slice(0, eq).trim();
    const rhs = part.slice(eq + 1).trim();
    if (params.some((p) => p.name === name)) throw new SweepSpecError(`"${name}" is swept twice`);
    const m = /^(-?[\d.]+)\.\.(-?[\d.]+)(?::([\d.]+))?$/.exec(rhs);
    let values: SweepValue[];
    if (m) {
      const [from, to, step] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
      if (![from, to, step].every(Number.isFinite) || !(step > 0) || to < from) throw new SweepSpecError(`bad range "${rhs}" for ${name}`);
      const d = Math.max(decimals(m[1]), decimals(m[2]), decimals(m[3] ?? '1'));
      values = [];
      for (let k = 0; ; k++) {
        const v = Number((from + k * step).toFixed(d));
        if (v > to + 1e-12) break;
        values.push(v);
        if (values.length > maxCombinations) throw new SweepSpecError(`range for ${name} is too long`);
      }
    } else values = rhs.split('|').map((s) => scalar(s.trim()));
    if (!values.length || values.some((v) => v === '')) throw new SweepSpecError(`no values for ${name}`);
    params.push({ name, values });
  }
  if (!params.length) throw new SweepSpecError('empty sweep');
  const total = params.reduce((a, p) => a * p.values.length, 1);
  if (total > maxCombinations) throw new SweepSpecError(`${total} combinations exceed the limit of ${maxCombinations}`);
  return params;
}

/** Cartesian product, the first parameter varying slowest; each combination merged over `base`. */
export function expandSweep(params: readonly SweepParam[], base: Record<string, unknown> = {}): Array<Record<string, unknown>> {
  let out: Array<Record<string, unknown>> = [{}];
  for (const p of params) out = out.flatMap((o) => p.values.map((v) => ({ ...o, [p.name]: v })));
  return out.map((o) => ({ ...base, ...o }));
}

/** Metric names usable with --rank-by (numeric metrics). Lower is better for the drawdown ones. */
export const RANKABLE_METRICS = [
  'sharpe',
  'sortino',
  'calmar',
  'totalReturnPct',
  'cagrPct',
  'profitFactor',
  'expectancy',
  'winRatePct',
  'maxDrawdownPct',
  'maxDrawdownAbs',
  'trades',
  'feesPaid',
  'exposurePct',
] as const;
export type RankMetric = (typeof RANKABLE_METRICS)[number];

export function isRankMetric(s: string): s is RankMetric {
  return (RANKABLE_METRICS as readonly string[]).includes(s);
}

const LOWER_IS_BETTER = new Set<RankMetric>(['maxDrawdownPct', 'maxDrawdownAbs', 'feesPaid']);

/** Sort best first by `metric` (null / failed runs last), ties broken by total return. */
export function rankResults<T extends { metrics?: Pick<BacktestMetrics, RankMetric> | null }>(rows: readonly T[], metric: RankMetric): T[] {
  const sign = LOWER_IS_BETTER.has(metric) ? 1 : -1;
  const key = (r: T) => {
    const v = r.metrics ? r.metrics[metric] : null;
    return v === null || v === undefined || !Number.isFinite(v) ? null : v;
  };
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    if (x !== y) return sign * (x - y);
    return (b.metrics?.totalReturnPct ?? 0) - (a.metrics?.totalReturnPct ?? 0);
  });
}
