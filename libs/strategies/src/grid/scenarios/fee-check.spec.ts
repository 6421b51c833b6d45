import { describe, expect, it } from 'vitest';
import { StrategySettingsError } from '../../core/contract';
import { gridStrategy } from '../grid.strategy';

// Scenario: the range grid refuses a step that does not beat a round trip's fees (2 × feeRate).
function issues(input: Record<string, unknown>): { field: string; message: string }[] {
  try {
    gridStrategy.parseSettings(input);
  } catch (e) {
    expect(e).toBeInstanceOf(StrategySettingsError);
    return [...(e as StrategySettingsError).issues];
  }
  return [];
}

describe('range grid fee check', () => {
  const base = { mode: 'range', lowerPrice: 100, upperPrice: 101, feeRate: 0.001 };

  it('arithmetic: tightest step is at the top; 100..101 needs step/101 > 0.2%, so at most 4 grids', () => {
    // 5 grids: step 0.2, 0.2/101 = 0.198% ≤ 0.2%: refused. 4 grids: 0.25/101 = 0.2475%: accepted.
    const bad = issues({ ...base, gridNum: 5 });
    expect(bad).toHaveLength(1);
    expect(bad[0].field).toBe('gridNum');
    expect(bad[0].message).toContain('use at most 4 grids');
    expect(bad[0].message).toContain('0.198');
    expect(bad[0].message).toContain('0.202 (quote)'); // minimum step = 2 × 0.001 × 101
    expect(issues({ ...base, gridNum: 4 })).toEqual([]);
  });

  it('geometric: one ratio everywhere; (101/100)^(1/N) − 1 > 0.2% allows at most 4 grids', () => {
    // N = 4: 1.01^(1/4) − 1 = 0.2491%; N = 5: 0.1992%
    expect(issues({ ...base, spacing: 'geometric', gridNum: 4 })).toEqual([]);
    const bad = issues({ ...base, spacing: 'geometric', gridNum: 5 });
    expect(bad[0].message).toContain('use at most 4 grids');
    expect(bad[0].message).toContain('0.2%');
  });

  it('a range too narrow for even 2 grids says to widen it', () => {
    const bad = issues({ mode: 'range', lowerPrice: 100, upperPrice: 100.3, feeRate: 0.001, gridNum: 2 });
    expect(bad[0].message).toContain('widen the range');
  });
});
