import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// the engine and CSV modules only, as the backtest bench (no Nest/TypeORM modules)
import { runBacktest } from '../libs/backtest/src/engine/backtest.runner';
import { readFundingCsv } from '../libs/backtest/src/engine/funding.csv';
import { getStrategy } from '../libs/backtest/src/engine/strategy.registry';
import { toResultJson } from '../libs/backtest/src/report/report.output';
import { parseCandleColumns } from '../libs/market/src/candles/candle-csv.reader';
import type { CandleColumns, MarketSpec, Timeframe } from '@tb/strategies';
import { HYPERRSI_FULL_SETTINGS as HYPERRSI_FULL, synthesiseCandles } from './backtest.bench';

/**
 * Golden backtests: a fixed set of HYPERRSI and GRID runs on the bundled candles (data/) and on the backtest bench's
 * synthesised series, each printed with the sha-256 of its full result.json text (settings, metrics, every trade,
 * the equity curve) as `tb backtest` writes it. A speed change to the strategies, the matching engine or the runner
 * must leave every hash unchanged:
 *
 *   node -r ./scripts/register.js bench/golden.ts            # print the hashes
 *   node -r ./scripts/register.js bench/golden.ts --check    # compare with bench/golden.expected.txt (exit 1 on a change)
 *
 * bench/golden.expected.txt holds the hashes recorded at main before the backtest-speed work (issue 11 item 7); a
 * change of behaviour on purpose re-records it (and says so in its commit).
 */
const DATA = resolve(__dirname, '..', 'data');

interface GoldenCase {
  readonly name: string;
  readonly strategy: 'hyperrsi' | 'grid';
  /** a data/ file, or `synth:<n>` for the bench's synthesised 1h series of n candles */
  readonly data: string;
  readonly timeframe: Timeframe;
  readonly type: 'spot' | 'perp';
  readonly symbol: string;
  readonly settings: Record<string, unknown>;
  readonly funding?: string;
  readonly marginMode?: 'isolated' | 'cross';
  readonly limitFill?: 'through' | 'touch';
}


export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'hyperrsi-full-perp-1h-funding', strategy: 'hyperrsi', data: 'binanceusdm_BTC-USDT_1h_2024-2025.csv', timeframe: '1h', type: 'perp', symbol: 'BTC/USDT:USDT', settings: HYPERRSI_FULL, funding: 'binanceusdm_BTC-USDT_funding_2024-2025.csv' },
  { name: 'hyperrsi-defaults-perp-1h-funding', strategy: 'hyperrsi', data: 'binanceusdm_BTC-USDT_1h_2024-2025.csv', timeframe: '1h', type: 'perp', symbol: 'BTC/USDT:USDT', settings: {}, funding: 'binanceusdm_BTC-USDT_funding_2024-2025.csv' },
  { name: 'hyperrsi-full-perp-5m-isolated', strategy: 'hyperrsi', data: 'bybitlinear_BTC-USDT_5m_2025-05.csv', timeframe: '5m', type: 'perp', symbol: 'BTC/USDT:USDT', settings: { ...HYPERRSI_FULL, tp_option: 'atr', sl_option: 'atr', pyramiding_entry_type: 'atr', entry_criterion: 'last_entry' }, funding: 'bybitlinear_BTC-USDT_funding_2025-05.csv', marginMode: 'isolated' },
  { name: 'hyperrsi-full-spot-1h', strategy: 'hyperrsi', data: 'binance_ETH-USDT_1h_2024-2025.csv', timeframe: '1h', type: 'spot', symbol: 'ETH/USDT', settings: { ...HYPERRSI_FULL, direction: 'long', use_dual_side_entry: false } },
  { name: 'hyperrsi-defaults-spot-5m-gaps-touch', strategy: 'hyperrsi', data: 'binance_BTC-USDT_5m_2020-12.csv', timeframe: '5m', type: 'spot', symbol: 'BTC/USDT', settings: { direction: 'long' }, limitFill: 'touch' },
  { name: 'hyperrsi-full-perp-synth-200k', strategy: 'hyperrsi', data: 'synth:200000', timeframe: '1h', type: 'perp', symbol: 'BTC/USDT:USDT', settings: HYPERRSI_FULL },
  { name: 'grid-adaptive-defaults-spot-1h', strategy: 'grid', data: 'binance_BTC-USDT_1h_2024-2025.csv', timeframe: '1h', type: 'spot', symbol: 'BTC/USDT', settings: {} },
  { name: 'grid-adaptive-long-short-perp-1h-funding', strategy: 'grid', data: 'binanceusdm_BTC-USDT_1h_2024-2025.csv', timeframe: '1h', type: 'perp', symbol: 'BTC/USDT:USDT', settings: { direction: 'long-short', gridNum: 30, investment: 300, leverage: 3 }, funding: 'binanceusdm_BTC-USDT_funding_2024-2025.csv' },
  { name: 'grid-adaptive-short-perp-5m-opts', strategy: 'grid', data: 'bybitlinear_BTC-USDT_5m_2025-05.csv', timeframe: '5m', type: 'perp', symbol: 'BTC/USDT:USDT', settings: { direction: 'short', nearestLevels: null, maxOpenOrders: 12, stopLossPct: 25, customStopMinutes: 20_000, investment: 300, leverage: 3 }, funding: 'bybitlinear_BTC-USDT_funding_2025-05.csv', marginMode: 'cross' },
  { name: 'grid-range-long-spot-1h-geometric', strategy: 'grid', data: 'binance_ETH-USDT_1h_2024-2025.csv', timeframe: '1h', type: 'spot', symbol: 'ETH/USDT', settings: { mode: 'range', direction: 'long', lowerPrice: 1800, upperPrice: 4200, gridNum: 40, spacing: 'geometric', investment: 5000 } },
  { name: 'grid-range-neutral-perp-5m-trailing', strategy: 'grid', data: 'bybitlinear_BTC-USDT_5m_2025-05.csv', timeframe: '5m', type: 'perp', symbol: 'BTC/USDT:USDT', settings: { mode: 'range', direction: 'neutral', lowerPrice: 93000, upperPrice: 100000, gridNum: 25, investment: 2000, leverage: 5, trailingUp: true, trailingDown: true }, funding: 'bybitlinear_BTC-USDT_funding_2025-05.csv' },
  { name: 'grid-range-long-spot-5m-sl-tp-trigger', strategy: 'grid', data: 'binance_BTC-USDT_5m_2020-12.csv', timeframe: '5m', type: 'spot', symbol: 'BTC/USDT', settings: { mode: 'range', direction: 'long', lowerPrice: 17000, upperPrice: 21000, gridNum: 30, triggerPrice: 18500, stopLossPrice: 16000, takeProfitPrice: 24000, investment: 3000 } },
  { name: 'grid-adaptive-long-short-perp-cross-synth-200k', strategy: 'grid', data: 'synth:200000', timeframe: '1h', type: 'perp', symbol: 'BTC/USDT:USDT', settings: { direction: 'long-short', investment: 200, leverage: 2 }, marginMode: 'cross' },
  { name: 'grid-adaptive-defaults-spot-synth-200k', strategy: 'grid', data: 'synth:200000', timeframe: '1h', type: 'spot', symbol: 'BTC/USDT', settings: {} },
];

function candlesFor(data: string): CandleColumns {
  if (data.startsWith('synth:')) return synthesiseCandles(Number(data.slice(6)));
  const file = resolve(DATA, data);
  return parseCandleColumns(readFileSync(file, 'utf8'), { source: file });
}

export interface GoldenRow {
  readonly name: string;
  readonly sha256: string;
  readonly trades: number;
  readonly finalBalance: number;
}

export function runGoldenCase(c: GoldenCase): GoldenRow {
  const strategy = getStrategy(c.strategy);
  const market: MarketSpec = { symbol: c.symbol, type: c.type, tickSize: 0.01, amountStep: 0.0001, minAmount: 0.0001, minNotional: 5 };
  const parsed = strategy.parseSettings(c.settings) as { leverage?: unknown };
  const r = runBacktest({
    strategy,
    settings: c.settings,
    candles: candlesFor(c.data),
    market,
    timeframe: c.timeframe,
    initialBalance: 10_000,
    feeMaker: 0.0002,
    feeTaker: 0.0005,
    slippage: 0.0005,
    leverage: c.type === 'perp' && typeof parsed.leverage === 'number' ? parsed.leverage : 1,
    maintenanceMarginRate: 0.005,
    marginMode: c.marginMode,
    funding: c.funding !== undefined ? readFundingCsv(resolve(DATA, c.funding)) : undefined,
    limitFill: c.limitFill ?? 'through',
  });
  const text = JSON.stringify(toResultJson(r), null, 1);
  return { name: c.name, sha256: createHash('sha256').update(text).digest('hex'), trades: r.trades.length, finalBalance: r.finalBalance };
}

const EXPECTED = resolve(__dirname, 'golden.expected.txt');

if (require.main === module) {
  const check = process.argv.includes('--check');
  const only = process.argv.slice(2).filter((a) => a !== '--check');
  const expected = new Map<string, string>();
  if (check) for (const line of readFileSync(EXPECTED, 'utf8').split('\n')) if (line.trim()) expected.set(line.split(/\s+/)[1], line.split(/\s+/)[0]);
  const all = createHash('sha256');
  let changed = 0;
  for (const c of GOLDEN_CASES) {
    if (only.length > 0 && !only.some((o) => c.name.includes(o))) continue;
    const row = runGoldenCase(c);
    all.update(row.sha256);
    const verdict = !check ? '' : expected.get(c.name) === row.sha256 ? '  ok' : '  CHANGED';
    if (verdict === '  CHANGED') changed++;
    process.stdout.write(`${row.sha256}  ${row.name}  trades=${row.trades} final=${row.finalBalance}${verdict}\n`);
  }
  if (only.length === 0) process.stdout.write(`${all.digest('hex')}  ALL\n`);
  if (check) {
    process.stdout.write(changed === 0 ? 'golden: every hash unchanged\n' : `golden: ${changed} hash(es) CHANGED\n`);
    if (changed > 0) process.exitCode = 1;
  }
}
