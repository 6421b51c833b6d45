import type { Strategy } from '@tb/strategies';

/**
 * Capital defaults of a backtest.
 *
 * GRID sizes itself from `investment`, the quote the grid commits in total (before leverage). Its default is
 * the original's `initial_capital` = 10 USDT: split over the default 20 levels that is 0.5 USDT per order on
 * spot (5 USDT before the amount step on a 10x perpetual), under every exchange's minimum order value, so a
 * default grid skips every level as `below_minimums` and never trades. A live bot is always started with the
 * user's amount; a backtest has an account of its own. So when a GRID backtest's settings name no capital
 * (`investment`/`initial_capital`, `amountList`/`enter_symbol_amount_list`, or another `sizingMode`), the grid
 * commits the backtest account: the largest investment whose every level can rest at once,
 *
 *     investment = balance / (L_s × (1 / L_e + maker))
 *
 * where L_s is the leverage the grid sizes with (settings.leverage on perpetuals, 1 on spot) and L_e the
 * engine's margin leverage (a resting opening limit reserves notional / L_e + maker fee). Floored to cents.
 * Explicit settings always win. Other strategies are left untouched.
 */
export interface BacktestAccount {
  readonly initialBalance: number;
  readonly marketType: 'spot' | 'perp';
  /** Engine (margin) leverage, 1 on spot. */
  readonly leverage: number;
  readonly feeMaker: number;
}

const GRID_CAPITAL_KEYS = ['investment', 'initial_capital', 'amountList', 'enter_symbol_amount_list', 'quotePerGrid', 'basePerGrid'];

/** The settings a backtest of `strategy` runs with: `raw` plus the capital defaults above (a new object when filled). */
export function withBacktestCapital(strategy: Pick<Strategy<unknown, unknown>, 'name' | 'parseSettings'>, raw: unknown, account: BacktestAccount): unknown {
  if (strategy.name !== 'grid') return raw;
  const input = raw === null || raw === undefined ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) return raw; // parseSettings reports it
  const given = input as Record<string, unknown>;
  if (GRID_CAPITAL_KEYS.some((k) => given[k] !== undefined && given[k] !== null)) return raw;
  let parsed: { sizingMode?: unknown; leverage?: unknown };
  try {
    parsed = strategy.parseSettings(input) as { sizingMode?: unknown; leverage?: unknown };
  } catch {
    return raw; // invalid settings: let the run report them unchanged
  }
  if (parsed.sizingMode !== 'total_investment') return raw;
  const ls = account.marketType === 'perp' && typeof parsed.leverage === 'number' ? parsed.leverage : 1;
  const le = account.marketType === 'perp' ? Math.max(1, account.leverage) : 1;
  const investment = Math.floor((account.initialBalance / (ls * (1 / le + account.feeMaker))) * 100) / 100;
  return { ...given, investment };
}
