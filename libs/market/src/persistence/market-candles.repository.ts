import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { Candle, Timeframe } from '@tb/strategies';

/** Outcome of an upsert: new rows, rows whose values changed, rows already stored with the same values. */
export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Rows per INSERT statement. Parameters are 9 arrays whatever the size, so this only bounds statement memory. */
export const UPSERT_CHUNK_SIZE = 5000;

// Times: ms as float8 / 1000 is within 0.25 µs of the exact second count for any date before year 2255, and
// to_timestamp rounds to whole microseconds, so milliseconds survive exactly (and 20x cheaper than numeric maths).
// Unchanged rows are not rewritten (no dead tuples, updated_at kept), so a re-import costs reads only.
// RETURNING (xmax = 0) is true for freshly inserted rows and false for updated ones.
const UPSERT_SQL = `
WITH written AS (
  INSERT INTO "market_candles" AS m ("exchange", "symbol", "timeframe", "time", "open", "high", "low", "close", "volume")
  SELECT $1, $2, $3, to_timestamp(u.t::float8 / 1000), u.o, u.h, u.l, u.c, u.v
  FROM unnest($4::bigint[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[]) AS u(t, o, h, l, c, v)
  ON CONFLICT ("exchange", "symbol", "timeframe", "time") DO UPDATE
    SET "open" = EXCLUDED."open", "high" = EXCLUDED."high", "low" = EXCLUDED."low",
        "close" = EXCLUDED."close", "volume" = EXCLUDED."volume", "updated_at" = now()
    WHERE (m."open", m."high", m."low", m."close", m."volume")
          IS DISTINCT FROM (EXCLUDED."open", EXCLUDED."high", EXCLUDED."low", EXCLUDED."close", EXCLUDED."volume")
  RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`;

const SELECT_RANGE_SQL = `
SELECT (extract(epoch FROM "time") * 1000)::float8 AS t, "open" AS o, "high" AS h, "low" AS l, "close" AS c, "volume" AS v
FROM "market_candles"
WHERE "exchange" = $1 AND "symbol" = $2 AND "timeframe" = $3 AND "time" >= to_timestamp($4::float8 / 1000) AND "time" < to_timestamp($5::float8 / 1000)
ORDER BY "time"`;

interface RangeRow {
  t: number;
  o: string;
  h: string;
  l: string;
  c: string;
  v: string;
}

const HAS_CANDLES_SQL = `
SELECT EXISTS (SELECT 1 FROM "market_candles" WHERE "exchange" = $1 AND "symbol" = $2 AND "timeframe" = $3
                 AND "time" >= to_timestamp($4::float8 / 1000) AND "time" < to_timestamp($5::float8 / 1000)) AS ok`;

/**
 * Stored candles (`market_candles`), through MarketModule. Like every repository it runs on the ambient
 * transaction (TransactionHost): reads and writes join the caller's `@Transactional()` unit when there is one;
 * the upserts open their own transaction otherwise. Times are epoch milliseconds (UTC) everywhere in its API;
 * prices go in as JS numbers (written with their shortest round-trip decimal, so '42283.58' is stored as
 * exactly 42283.58) and come back as the same numbers.
 */
@Injectable()
export class MarketCandlesRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /** True once the migration that creates `market_candles` has run. */
  async tableExists(): Promise<boolean> {
    const rows: { ok: boolean }[] = await this.db.query(`SELECT to_regclass('market_candles') IS NOT NULL AS ok`);
    return rows[0]?.ok === true;
  }

  /**
   * Inserts or updates candles (INSERT … ON CONFLICT DO UPDATE), in chunks of UPSERT_CHUNK_SIZE, all in one
   * transaction. Input need not be sorted; for a repeated time the last one wins.
   */
  async upsert(exchange: string, symbol: string, timeframe: Timeframe, candles: readonly Candle[]): Promise<UpsertCounts> {
    const rows = strictlyAscending(candles) ? candles : dedupeSorted(candles);
    return this.txHost.withTransaction(async () => {
      const em = this.db;
      const total: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
      for (let i = 0; i < rows.length; i += UPSERT_CHUNK_SIZE) {
        add(total, await upsertChunk(em, exchange, symbol, timeframe, rows, i, Math.min(rows.length, i + UPSERT_CHUNK_SIZE)));
      }
      return total;
    });
  }

  /**
   * Upserts a stream of batches (e.g. `readCandleCsv`) in ONE transaction: either the whole stream is stored,
   * or — if the source throws (a validation error at line N) or the database fails — nothing is.
   * `onBatch` is called after each batch is written, with the running totals.
   */
  async upsertStream(
    exchange: string,
    symbol: string,
    timeframe: Timeframe,
    batches: AsyncIterable<readonly Candle[]>,
    onBatch?: (totals: Readonly<UpsertCounts>) => void,
  ): Promise<UpsertCounts> {
    return this.txHost.withTransaction(async () => {
      const em = this.db;
      const total: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
      // Read-ahead: the next batch is parsed while this one is being written (the two run on different cores).
      const it = batches[Symbol.asyncIterator]();
      let next = it.next();
      next.catch(() => undefined); // a source error is rethrown where `next` is awaited, never left unhandled
      try {
        for (;;) {
          const r = await next;
          if (r.done) break;
          next = it.next();
          next.catch(() => undefined);
          const rows = strictlyAscending(r.value) ? r.value : dedupeSorted(r.value);
          for (let i = 0; i < rows.length; i += UPSERT_CHUNK_SIZE) {
            add(total, await upsertChunk(em, exchange, symbol, timeframe, rows, i, Math.min(rows.length, i + UPSERT_CHUNK_SIZE)));
          }
          onBatch?.(total);
        }
      } catch (err) {
        await it.return?.().catch(() => undefined);
        throw err;
      }
      return total;
    });
  }

  /** Candles with `from <= time < to` (ms, half-open so consecutive ranges never overlap), oldest first. */
  async findRange(exchange: string, symbol: string, timeframe: Timeframe, from: number, to: number): Promise<Candle[]> {
    const rows: RangeRow[] = await this.db.query(SELECT_RANGE_SQL, [exchange, symbol, timeframe, from, to]);
    const out = new Array<Candle>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      out[i] = { time: r.t, open: Number(r.o), high: Number(r.h), low: Number(r.l), close: Number(r.c), volume: Number(r.v) };
    }
    return out;
  }

  /** Whether at least one candle of the series has its open time in [from, to) (one index probe). */
  async hasCandles(exchange: string, symbol: string, timeframe: Timeframe, from: number, to: number): Promise<boolean> {
    const rows: { ok: boolean }[] = await this.db.query(HAS_CANDLES_SQL, [exchange, symbol, timeframe, from, to]);
    return rows[0]?.ok === true;
  }

  /** Number of stored candles of one series. */
  async count(exchange: string, symbol: string, timeframe: Timeframe): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM "market_candles" WHERE "exchange" = $1 AND "symbol" = $2 AND "timeframe" = $3`,
      [exchange, symbol, timeframe],
    );
    return rows[0].n;
  }

  /** Open time (ms) of the newest stored candle of one series, or null when there is none. */
  async latestTime(exchange: string, symbol: string, timeframe: Timeframe): Promise<number | null> {
    const rows: { t: number | null }[] = await this.db.query(
      `SELECT (extract(epoch FROM max("time")) * 1000)::float8 AS t FROM "market_candles"
       WHERE "exchange" = $1 AND "symbol" = $2 AND "timeframe" = $3`,
      [exchange, symbol, timeframe],
    );
    return rows[0]?.t ?? null;
  }
}

async function upsertChunk(
  em: EntityManager,
  exchange: string,
  symbol: string,
  timeframe: Timeframe,
  rows: readonly Candle[],
  start: number,
  end: number,
): Promise<UpsertCounts> {
  const n = end - start;
  const t = new Array<number>(n);
  const o = new Array<number>(n);
  const h = new Array<number>(n);
  const l = new Array<number>(n);
  const c = new Array<number>(n);
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[start + i];
    t[i] = r.time;
    o[i] = r.open;
    h[i] = r.high;
    l[i] = r.low;
    c[i] = r.close;
    v[i] = r.volume;
  }
  const res: { inserted: number; updated: number }[] = await em.query(UPSERT_SQL, [exchange, symbol, timeframe, t, o, h, l, c, v]);
  const inserted = res[0]?.inserted ?? 0;
  const updated = res[0]?.updated ?? 0;
  return { inserted, updated, unchanged: n - inserted - updated };
}

function add(total: UpsertCounts, part: UpsertCounts): void {
  total.inserted += part.inserted;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
}

function strictlyAscending(candles: readonly Candle[]): boolean {
  for (let i = 1; i < candles.length; i++) if (!(candles[i].time > candles[i - 1].time)) return false;
  return true;
}

/** Sorted by time, one candle per time (the last given wins): one INSERT may not touch a row twice. */
function dedupeSorted(candles: readonly Candle[]): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const c of candles) byTime.set(c.time, c);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
