import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { BacktestMetrics, EquityPoint, TradeRecord } from '@tb/backtest';
import type { BacktestRunMode, BacktestRunStatus } from './backtest-run.entity';
import type { BacktestRunRequest } from './backtest-run.request';

/** A stored run as the services see it (times of the candle range in epoch ms). */
export interface BacktestRunRecord {
  readonly id: string;
  readonly userId: string;
  readonly strategy: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly from: number;
  readonly to: number;
  readonly settings: Record<string, unknown>;
  readonly request: BacktestRunRequest;
  readonly mode: BacktestRunMode;
  readonly status: BacktestRunStatus;
  readonly progress: number;
  readonly cancelRequested: boolean;
  readonly attempts: number;
  readonly error: string | null;
  readonly errorCode: string | null;
  readonly queuedAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly candles: number | null;
  readonly finalBalance: number | null;
  readonly metrics: BacktestMetrics | null;
}

/** What a finished run writes, in one transaction. */
export interface BacktestRunResults {
  readonly candles: number;
  readonly finalBalance: number;
  readonly metrics: BacktestMetrics;
  readonly trades: readonly TradeRecord[];
  /** Downsampled curve (see the migration). */
  readonly equity: readonly EquityPoint[];
  readonly reportHtml: string;
}

export interface BacktestRunFilter {
  readonly status?: BacktestRunStatus;
  readonly strategy?: string;
  readonly exchange?: string;
  readonly symbol?: string;
  readonly timeframe?: string;
}

interface RunRow {
  id: string;
  user_id: string;
  strategy: string;
  exchange: string;
  symbol: string;
  timeframe: string;
  from_ms: number;
  to_ms: number;
  settings: Record<string, unknown>;
  request: BacktestRunRequest;
  mode: BacktestRunMode;
  status: BacktestRunStatus;
  progress: number;
  cancel_requested: boolean;
  attempts: number;
  error: string | null;
  error_code: string | null;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  candles: number | null;
  final_balance: string | null;
  metrics: BacktestMetrics | null;
}

const RUN_COLUMNS = `
  r."id", r."user_id", r."strategy", r."exchange", r."symbol", r."timeframe",
  (extract(epoch FROM r."range_from") * 1000)::float8 AS from_ms, (extract(epoch FROM r."range_to") * 1000)::float8 AS to_ms,
  r."settings", r."request", r."mode", r."status", r."progress"::float8 AS progress, r."cancel_requested", r."attempts",
  r."error", r."error_code", r."queued_at", r."started_at", r."finished_at", r."candles", r."final_balance"::text AS final_balance`;

function toRecord(r: RunRow): BacktestRunRecord {
  return {
    id: r.id,
    userId: r.user_id,
    strategy: r.strategy,
    exchange: r.exchange,
    symbol: r.symbol,
    timeframe: r.timeframe,
    from: r.from_ms,
    to: r.to_ms,
    settings: r.settings,
    request: r.request,
    mode: r.mode,
    status: r.status,
    progress: r.progress,
    cancelRequested: r.cancel_requested,
    attempts: r.attempts,
    error: r.error,
    errorCode: r.error_code,
    queuedAt: r.queued_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    candles: r.candles,
    finalBalance: r.final_balance === null ? null : Number(r.final_balance),
    metrics: r.metrics ?? null,
  };
}

/** TypeORM answers UPDATE/DELETE with [rows, count] and everything else with rows. */
function recordsOf<T>(res: unknown): T[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}

const TRADE_CHUNK = 5000;

/**
 * `backtest_runs` and its children. Reads made for a user take the user id (another user's run does not exist for
 * them); the worker's methods take the run id and, once a run is claimed, the claim id: a worker whose lease was
 * taken over by another attempt can no longer change the run.
 */
@Injectable()
export class BacktestRunsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return recordsOf<T>(await this.txHost.tx.query(sql, params));
  }

  /** Inserts a run; `claimId` set means it is created already running (synchronous runs). */
  async insert(userId: string, request: BacktestRunRequest, mode: BacktestRunMode, claimId: string | null = null): Promise<BacktestRunRecord> {
    const rows = await this.query<RunRow>(
      `WITH r AS (
         INSERT INTO "backtest_runs" ("user_id", "strategy", "exchange", "symbol", "timeframe", "range_from", "range_to",
                                      "settings", "request", "mode", "status", "claim_id", "attempts", "started_at")
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8 / 1000), to_timestamp($7::float8 / 1000), $8::jsonb, $9::jsonb, $10,
                 CASE WHEN $11::uuid IS NULL THEN 'queued' ELSE 'running' END, $11::uuid,
                 CASE WHEN $11::uuid IS NULL THEN 0 ELSE 1 END, CASE WHEN $11::uuid IS NULL THEN NULL ELSE now() END)
         RETURNING *)
       SELECT ${RUN_COLUMNS}, NULL::jsonb AS metrics FROM r`,
      [
        userId,
        request.strategy,
        request.exchange,
        request.symbol,
        request.timeframe,
        request.from,
        request.to,
        JSON.stringify(request.settings),
        JSON.stringify(request),
        mode,
        claimId,
      ],
    );
    return toRecord(rows[0]);
  }

  /** The run with its metrics, only if it belongs to `userId`. */
  async findForUser(userId: string, id: string): Promise<BacktestRunRecord | null> {
    const rows = await this.query<RunRow>(`SELECT ${RUN_COLUMNS}, r."metrics" FROM "backtest_runs" r WHERE r."id" = $1 AND r."user_id" = $2`, [id, userId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The run by id, for the worker (no user scope: the job names the run). */
  async findById(id: string): Promise<BacktestRunRecord | null> {
    const rows = await this.query<RunRow>(`SELECT ${RUN_COLUMNS}, r."metrics" FROM "backtest_runs" r WHERE r."id" = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** One page of the user's runs, newest first, plus the number of runs matching the filter. */
  async listForUser(userId: string, filter: BacktestRunFilter, limit: number, offset: number): Promise<{ items: BacktestRunRecord[]; total: number }> {
    const where = [`r."user_id" = $1`];
    const params: unknown[] = [userId];
    for (const [column, value] of [
      ['status', filter.status],
      ['strategy', filter.strategy],
      ['exchange', filter.exchange],
      ['symbol', filter.symbol],
      ['timeframe', filter.timeframe],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`r."${column}" = $${params.length}`);
    }
    const whereSql = where.join(' AND ');
    // the list carries the headline metrics only (monthly rows and exit reasons stay in GET /:id)
    const rows = await this.query<RunRow>(
      `SELECT ${RUN_COLUMNS}, r."metrics" - 'monthly' - 'exitReasons' AS metrics FROM "backtest_runs" r
       WHERE ${whereSql} ORDER BY r."queued_at" DESC, r."id" LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    const count = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM "backtest_runs" r WHERE ${whereSql}`, params);
    return { items: rows.map(toRecord), total: count[0].n };
  }

  async findTrades(runId: string): Promise<TradeRecord[]> {
    const rows = await this.query<{
      entry_ms: number;
      exit_ms: number;
      side: 'long' | 'short';
      entry_price: string;
      exit_price: string;
      qty: string;
      dca_count: number;
      pnl: string;
      pnl_pct: string;
      fees: string;
      funding: string;
      reason: string;
      entry_tag: string;
      duration_ms: string;
    }>(
      `SELECT (extract(epoch FROM "entry_time") * 1000)::float8 AS entry_ms, (extract(epoch FROM "exit_time") * 1000)::float8 AS exit_ms,
              "side", "entry_price"::text, "exit_price"::text, "qty"::text, "dca_count", "pnl"::text, "pnl_pct"::text, "fees"::text,
              "funding"::text, "reason", "entry_tag", "duration_ms"::text
       FROM "backtest_trades" WHERE "run_id" = $1 ORDER BY "seq"`,
      [runId],
    );
    return rows.map((t) => ({
      entryTime: t.entry_ms,
      exitTime: t.exit_ms,
      side: t.side,
      entryPrice: Number(t.entry_price),
      exitPrice: Number(t.exit_price),
      qty: Number(t.qty),
      dcaCount: t.dca_count,
      pnl: Number(t.pnl),
      pnlPct: Number(t.pnl_pct),
      fees: Number(t.fees),
      funding: Number(t.funding),
      reason: t.reason,
      entryTag: t.entry_tag,
      durationMs: Number(t.duration_ms),
    }));
  }

  async findEquity(runId: string): Promise<EquityPoint[]> {
    const rows = await this.query<{ t: number; equity: string; dd: string }>(
      `SELECT (extract(epoch FROM "time") * 1000)::float8 AS t, "equity"::text AS equity, "drawdown_pct"::text AS dd
       FROM "backtest_equity" WHERE "run_id" = $1 ORDER BY "time"`,
      [runId],
    );
    return rows.map((r) => ({ time: r.t, equity: Number(r.equity), drawdownPct: Number(r.dd) }));
  }

  /** The stored report of the user's run, or null (no such run for this user, or no report yet). */
  async findReportHtml(userId: string, runId: string): Promise<string | null> {
    const rows = await this.query<{ html: string }>(
      `SELECT p."html" FROM "backtest_reports" p JOIN "backtest_runs" r ON r."id" = p."run_id" WHERE p."run_id" = $1 AND r."user_id" = $2`,
      [runId, userId],
    );
    return rows[0]?.html ?? null;
  }

  /** queued → cancelled at once (the worker will skip it). Returns false when the run is not queued any more. */
  async cancelQueued(userId: string, id: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `UPDATE "backtest_runs" SET "status" = 'cancelled', "cancel_requested" = true, "finished_at" = now(), "claim_id" = NULL
       WHERE "id" = $1 AND "user_id" = $2 AND "status" = 'queued' RETURNING "id"`,
      [id, userId],
    );
    return rows.length === 1;
  }

  /** Sets the flag a running attempt polls. Returns false when the run is not running any more. */
  async requestCancel(userId: string, id: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `UPDATE "backtest_runs" SET "cancel_requested" = true WHERE "id" = $1 AND "user_id" = $2 AND "status" = 'running' RETURNING "id"`,
      [id, userId],
    );
    return rows.length === 1;
  }

  /**
   * Claims the run for one attempt: queued → running, or running → running when a previous attempt died (stalled
   * job re-delivered). attempts + 1, a new lease, progress reset. Null when the run is finished, cancel was
   * requested, or it does not exist.
   */
  async claim(id: string, claimId: string): Promise<BacktestRunRecord | null> {
    const rows = await this.query<RunRow>(
      `WITH r AS (
         UPDATE "backtest_runs" SET "status" = 'running', "attempts" = "attempts" + 1, "claim_id" = $2, "started_at" = now(),
                "progress" = 0, "error" = NULL, "error_code" = NULL
         WHERE "id" = $1 AND "status" IN ('queued', 'running') AND NOT "cancel_requested"
         RETURNING *)
       SELECT ${RUN_COLUMNS}, NULL::jsonb AS metrics FROM r`,
      [id, claimId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * The attempt's heartbeat: stores the progress and answers whether cancel was requested. Null when the lease is
   * gone (another attempt claimed the run, or it was finished by someone else): the attempt must stop.
   */
  async heartbeat(id: string, claimId: string, progress: number): Promise<{ cancelRequested: boolean } | null> {
    const rows = await this.query<{ cancel_requested: boolean }>(
      `UPDATE "backtest_runs" SET "progress" = $3 WHERE "id" = $1 AND "claim_id" = $2 AND "status" = 'running' RETURNING "cancel_requested"`,
      [id, claimId, progress],
    );
    return rows[0] ? { cancelRequested: rows[0].cancel_requested } : null;
  }

  /** running → completed with every result, in one transaction; false (nothing written) when the lease is gone. */
  async complete(id: string, claimId: string, results: BacktestRunResults): Promise<boolean> {
    return this.txHost.withTransaction(async () => {
      const updated = await this.query<{ id: string }>(
        `UPDATE "backtest_runs" SET "status" = 'completed', "progress" = 1, "finished_at" = now(), "candles" = $3,
                "final_balance" = $4, "metrics" = $5::jsonb, "error" = NULL, "error_code" = NULL
         WHERE "id" = $1 AND "claim_id" = $2 AND "status" = 'running' RETURNING "id"`,
        [id, claimId, results.candles, results.finalBalance, JSON.stringify(results.metrics)],
      );
      if (updated.length === 0) return false;
      await this.insertTrades(id, results.trades);
      await this.insertEquity(id, results.equity);
      await this.query(`INSERT INTO "backtest_reports" ("run_id", "html") VALUES ($1, $2)`, [id, results.reportHtml]);
      return true;
    });
  }

  private async insertTrades(runId: string, trades: readonly TradeRecord[]): Promise<void> {
    for (let start = 0; start < trades.length; start += TRADE_CHUNK) {
      const chunk = trades.slice(start, start + TRADE_CHUNK);
      const col = <K extends keyof TradeRecord>(k: K) => chunk.map((t) => t[k]);
      await this.query(
        `INSERT INTO "backtest_trades" ("run_id", "seq", "entry_time", "exit_time", "side", "entry_price", "exit_price", "qty", "dca_count",
                                        "pnl", "pnl_pct", "fees", "funding", "reason", "entry_tag", "duration_ms")
         SELECT $1, u.seq, to_timestamp(u.entry_ms / 1000), to_timestamp(u.exit_ms / 1000), u.side, u.entry_price, u.exit_price, u.qty,
                u.dca_count, u.pnl, u.pnl_pct, u.fees, u.funding, u.reason, u.entry_tag, u.duration_ms
         FROM unnest($2::int[], $3::float8[], $4::float8[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[], $9::int[],
                     $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::text[], $15::text[], $16::bigint[])
           AS u(seq, entry_ms, exit_ms, side, entry_price, exit_price, qty, dca_count, pnl, pnl_pct, fees, funding, reason, entry_tag, duration_ms)`,
        [
          runId,
          chunk.map((_, i) => start + i + 1),
          col('entryTime'),
          col('exitTime'),
          col('side'),
          col('entryPrice'),
          col('exitPrice'),
          col('qty'),
          col('dcaCount'),
          col('pnl'),
          col('pnlPct'),
          col('fees'),
          col('funding'),
          col('reason'),
          col('entryTag'),
          chunk.map((t) => Math.round(t.durationMs)), // per-fill GRID trades average their entry time: whole ms are stored
        ],
      );
    }
  }

  private async insertEquity(runId: string, points: readonly EquityPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.query(
      `INSERT INTO "backtest_equity" ("run_id", "time", "equity", "drawdown_pct")
       SELECT $1, to_timestamp(u.t / 1000), u.e, u.d FROM unnest($2::float8[], $3::numeric[], $4::numeric[]) AS u(t, e, d)`,
      [runId, points.map((p) => p.time), points.map((p) => p.equity), points.map((p) => p.drawdownPct)],
    );
  }

  /**
   * Ends a claimed attempt as failed or cancelled (`claimId` null: whatever attempt holds it, used when the run is
   * not claimed, e.g. cancel requested before the attempt could claim it). False when it was already finished.
   */
  async finish(id: string, claimId: string | null, status: 'failed' | 'cancelled', error: string | null, errorCode: string | null): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `UPDATE "backtest_runs" SET "status" = $3, "error" = $4, "error_code" = $5, "finished_at" = now()
       WHERE "id" = $1 AND "status" IN ('queued', 'running') AND ($2::uuid IS NULL OR "claim_id" = $2::uuid) RETURNING "id"`,
      [id, claimId, status, error, errorCode],
    );
    return rows.length === 1;
  }

  /** A running attempt gives the run back (worker shutting down): running → queued, lease dropped. */
  async release(id: string, claimId: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `UPDATE "backtest_runs" SET "status" = 'queued', "claim_id" = NULL, "progress" = 0
       WHERE "id" = $1 AND "claim_id" = $2 AND "status" = 'running' RETURNING "id"`,
      [id, claimId],
    );
    return rows.length === 1;
  }

  /** Ids of queued/running async runs queued before `before` (candidates for the orphan sweep). */
  async findActiveQueuedBefore(before: Date, limit = 500): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      `SELECT "id" FROM "backtest_runs" WHERE "status" IN ('queued', 'running') AND "mode" = 'async' AND "queued_at" < $1
       ORDER BY "queued_at" LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }
}
