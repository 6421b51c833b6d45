import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { Candle } from '@tb/strategies';
import type { StatsFill } from './stats.calculator';

/** Which fills a statistic covers: all of a user's, one bot's, one symbol's (or both). */
export interface StatsScope {
  readonly userId: string;
  readonly botId?: string;
  readonly symbol?: string;
}

interface FillRow {
  symbol: string;
  account_id: string;
  bot_id: string | null;
  strategy: string | null;
  side: 'buy' | 'sell';
  position_side: 'long' | 'short';
  amount: string;
  price: string;
  fee_quote: string;
  executed_at: Date;
}

/** Reads for the statistics: fills (numeric as decimal strings), funding, marks, a bot's candles. Scoped by user id. */
@Injectable()
export class StatsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private where(scope: StatsScope, alias: string, botColumn: string, params: unknown[]): string {
    params.push(scope.userId);
    let sql = `${alias}.user_id = $${params.length}`;
    if (scope.botId !== undefined) {
      params.push(scope.botId);
      sql += ` AND ${alias}.${botColumn} = $${params.length}`;
    }
    if (scope.symbol !== undefined) {
      params.push(scope.symbol);
      sql += ` AND ${alias}.symbol = $${params.length}`;
    }
    return sql;
  }

  /** The scope's fills in execution order; a fill of a GRID bot counts one trade per reducing fill. */
  async fills(scope: StatsScope): Promise<StatsFill[]> {
    const params: unknown[] = [];
    const rows = (await this.txHost.tx.query(
      `SELECT f.symbol, f.account_id, f.bot_id, b.strategy, f.side, f.position_side, f.amount::text AS amount, f.price::text AS price,
              f.fee_quote::text AS fee_quote, f.executed_at
         FROM fills f LEFT JOIN bots b ON b.id::text = f.bot_id
        WHERE ${this.where(scope, 'f', 'bot_id', params)}
        ORDER BY f.executed_at, f.seq`,
      params,
    )) as FillRow[];
    return rows.map((r) => ({
      symbol: r.symbol,
      accountId: r.account_id,
      botId: r.bot_id,
      perFill: r.strategy === 'grid',
      side: r.side,
      positionSide: r.position_side,
      amount: r.amount,
      price: r.price,
      feeQuote: r.fee_quote,
      time: r.executed_at.getTime(),
    }));
  }

  /** Funding charged to the scope's positions, per symbol (decimal strings). */
  async funding(scope: StatsScope): Promise<Record<string, string>> {
    const params: unknown[] = [];
    const rows = (await this.txHost.tx.query(
      `SELECT p.symbol, sum(p.funding)::text AS funding FROM positions p WHERE ${this.where(scope, 'p', 'bot_key', params)} GROUP BY p.symbol`,
      params,
    )) as Array<{ symbol: string; funding: string }>;
    return Object.fromEntries(rows.filter((r) => r.funding !== '0').map((r) => [r.symbol, r.funding]));
  }

  /** Last price per symbol: the close of the newest candle any of the scope's bots decided on. */
  async marks(scope: StatsScope): Promise<Record<string, string>> {
    const params: unknown[] = [];
    const rows = (await this.txHost.tx.query(
      `SELECT DISTINCT ON (b.symbol) b.symbol, d.input->'candle'->>'close' AS close
         FROM bots b
         JOIN LATERAL (SELECT input FROM bot_decisions WHERE bot_id = b.id AND kind = 'candle' ORDER BY seq DESC LIMIT 1) d ON true
        WHERE ${this.where(scope, 'b', 'id', params)}
        ORDER BY b.symbol, (d.input->'candle'->>'time')::bigint DESC`,
      params,
    )) as Array<{ symbol: string; close: string }>;
    return Object.fromEntries(rows.map((r) => [r.symbol, r.close]));
  }

  /** The candles a bot decided on (warm-up candles left out: they have no equity snapshot), in order. */
  async botCandles(botId: string): Promise<Candle[]> {
    const rows = (await this.txHost.tx.query(
      `SELECT input->'candle' AS c FROM bot_decisions WHERE bot_id = $1 AND kind = 'candle' AND coalesce(input->>'expire', '') <> 'warmup' ORDER BY seq`,
      [botId],
    )) as Array<{ c: Candle }>;
    return rows.map((r) => r.c);
  }
}
