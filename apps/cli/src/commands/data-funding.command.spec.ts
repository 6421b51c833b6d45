import { describe, expect, it } from 'vitest';
import { fetchFundingHistory, type FundingPageFetcher } from './data-funding.command';

/**
 * The exchange is simulated at its boundary (ccxt's fetchFundingRateHistory page): 8-hourly rows with the
 * Binance-style few-ms jitter, served `limit` at a time from `since`.
 */
const H8 = 8 * 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const history = Array.from({ length: 10 }, (_, i) => ({ timestamp: T0 + i * H8 + (i % 2 ? 4 : 0), fundingRate: (i - 4) / 100_000 }));
const pages: number[] = [];
const fake: FundingPageFetcher = async (_symbol, since, limit) => {
  pages.push(since);
  return history.filter((r) => r.timestamp >= since).slice(0, limit);
};

describe('tb data funding: paging through fetchFundingRateHistory', () => {
  it('pages from 1 ms after each page, keeps [since, until), floors to the second', async () => {
    pages.length = 0;
    const rows = await fetchFundingHistory(fake, 'BTC/USDT:USDT', T0 + H8, T0 + 8 * H8, 3);
    // rows 1..7 (8 h apart), the odd ones floored from +4 ms
    expect(rows).toEqual(Array.from({ length: 7 }, (_, k) => ({ time: T0 + (k + 1) * H8, rate: (k + 1 - 4) / 100_000 })));
    // pages start at since, then 1 ms after the last row of each page (row 3 carries +4 ms): rows 1-3, 4-6, 7-9,
    // then the next start is past until
    expect(pages).toEqual([T0 + H8, T0 + 3 * H8 + 4 + 1, T0 + 6 * H8 + 1]);
  });

  it('stops on an empty page', async () => {
    pages.length = 0;
    const rows = await fetchFundingHistory(fake, 'BTC/USDT:USDT', T0, T0 + 100 * H8, 4);
    expect(rows).toHaveLength(10);
    expect(pages).toEqual([T0, T0 + 3 * H8 + 4 + 1, T0 + 7 * H8 + 4 + 1, T0 + 9 * H8 + 4 + 1]);
  });
});
