import { Injectable } from '@nestjs/common';
import type { Candle, Timeframe } from '@tb/strategies';
import { readCandleCsv, type CandleBatch } from '../candles/candle-csv.reader';
import type { CandleGap } from '../candles/candle-gap.detector';
import type { MarketKey } from '../candles/market-key';
import { MarketCandlesRepository, type UpsertCounts } from './market-candles.repository';

export interface CandleImportProgress {
  /** Rows read and validated so far. */
  readonly rows: number;
  /** Bytes of the file consumed so far. */
  readonly bytesRead: number;
  readonly gaps: number;
  readonly written: Readonly<UpsertCounts>;
}

export interface CandleImportSummary extends UpsertCounts {
  readonly key: MarketKey;
  readonly file: string;
  readonly timeframe: Timeframe;
  /** Rows read from the file (every one validated). */
  readonly rows: number;
  readonly first: number | null;
  readonly last: number | null;
  readonly gaps: readonly CandleGap[];
  readonly missing: number;
}

/**
 * Streams a candle CSV into `market_candles`: validated batch by batch against the key's timeframe and
 * upserted in one transaction, so a bad line leaves the table as it was and a re-import changes nothing.
 */
@Injectable()
export class CandleImportService {
  constructor(private readonly candles: MarketCandlesRepository) {}

  async importFile(key: MarketKey, file: string, onProgress?: (p: CandleImportProgress) => void): Promise<CandleImportSummary> {
    let rows = 0;
    let bytesRead = 0;
    let first: number | null = null;
    let last: number | null = null;
    let missing = 0;
    const gaps: CandleGap[] = [];
    const stream = readCandleCsv(file, { timeframe: key.timeframe });
    async function* batches(): AsyncGenerator<readonly Candle[]> {
      for await (const b of stream as AsyncIterable<CandleBatch>) {
        if (first === null) first = b.candles[0].time;
        last = b.candles[b.candles.length - 1].time;
        rows += b.candles.length;
        bytesRead = b.bytesRead;
        for (const g of b.gaps) {
          gaps.push(g);
          missing += g.missing;
        }
        yield b.candles;
      }
    }
    const written = await this.candles.upsertStream(key.exchange, key.symbol, key.timeframe, batches(), (totals) =>
      onProgress?.({ rows, bytesRead, gaps: gaps.length, written: totals }),
    );
    return { key, file, timeframe: key.timeframe, rows, first, last, gaps, missing, ...written };
  }
}
