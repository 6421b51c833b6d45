import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type { HttpApp } from '@tb/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BotsRepository, BotsService } from '@tb/bots';
import { MarketCandlesRepository } from '@tb/market';
import type { Fill } from '@tb/strategies';
import { HyperrsiApiModule } from '../apps/hyperrsi-api/src/hyperrsi-api.module';
import { GridApiModule } from '../apps/grid-api/src/grid-api.module';
import { createHttpTestApp } from './support/http-app';
import { testEnv } from './support/test-env';
import { readCandlesCsv } from './support/candles';
import { bearer, createUserAndLogin, type TestUser } from './support/auth';
import { createIsolatedDatabase } from './support/isolated-db';
import { freePort } from './support/processes';
import { startWorker, type WorkerProcess } from './support/chaos/worker-process';
import { mulberry32 } from './support/fake-exchange/fake-binance.faults';
import { REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF, backtestReference, expectJournalReplays, expectSameFills, expectSameTrades, type BotStrategyName } from './support/bots';

/**
 * Crash test of the bot runtime (issue 8): the BUILT worker (`node dist/apps/worker/src/main.js`) drives a HYPERRSI
 * and a GRID paper bot on replay feeds (REST → BullMQ → PostgreSQL → OMS → paper exchange → fills → strategy) and is
 * SIGKILLed at BOTS_CHAOS_KILLS random points, then restarted at once, until both bots have stopped with "replay
 * finished". Afterwards, per bot: exactly one candle decision per candle (no input key twice), no intent and no
 * client order id twice (orders, paper_orders), every fill handed to the strategy exactly once, the strategy's
 * position (from the fills it was told about) equal to the paper exchange's, and the same fills/trades as
 * `runBacktest` on the same candles (the parity test's comparisons).
 *
 * Kill points (seeded): drawn uniformly over the run's progress (candle decisions of both bots), each a few random ms
 * after the poll that saw it reached; a kill only lands once the restarted worker is driving again (some progress
 * since it started), never during its boot. The API lives in this process and survives every kill.
 */
const KILLS = Number(process.env.BOTS_CHAOS_KILLS ?? process.env.CHAOS_KILLS ?? 12);
const SEED = Number(process.env.CHAOS_SEED ?? 20_241_204);
const N_HYPERRSI = Number(process.env.BOTS_CHAOS_HYPERRSI_CANDLES ?? 600);
const N_GRID = Number(process.env.BOTS_CHAOS_GRID_CANDLES ?? 200);
/** how long a killed worker's replay lease outlives it: short, so that the restarted worker goes on at once */
const LEASE_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a kill left behind (the runtime must resolve each on restart). */
interface KillSite {
  readonly progress: number;
  readonly pending: number; // orders committed PENDING, not yet answered by the exchange
  readonly unapplied: number; // fills recorded by the OMS, not yet handed to the strategy
  readonly unrecorded: number; // paper fills the OMS has not recorded yet
  readonly inbox: number; // candles in the inbox, not yet decided
  readonly paused: number; // replays stopped in the middle of a bar's walk (paused at a fill / closing)
}

describe(`bot runtime crash test: ${KILLS} SIGKILLs of the worker driving replay bots`, () => {
  let db: { url: string; drop: () => Promise<void> };
  let hyperrsi: HttpApp;
  let grid: HttpApp;
  let ds: DataSource;
  let env: Record<string, string | undefined>;
  let alice: TestUser;
  let worker: WorkerProcess | undefined;
  const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, Math.max(N_HYPERRSI, N_GRID));

  beforeAll(async () => {
    db = await createIsolatedDatabase(inject('adminDatabaseUrl'), 'botschaos');
    env = testEnv({
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: `${inject('redisPrefix')}:b${randomBytes(2).toString('hex')}`, // its own queues (the limit is 32 chars)
      BOTS_REPLAY_LEASE_MS: String(LEASE_MS),
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: '6',
      HOST: '127.0.0.1',
    });
    hyperrsi = await createHttpTestApp(HyperrsiApiModule.forRoot({ env }));
    grid = await createHttpTestApp(GridApiModule.forRoot({ env }));
    ds = hyperrsi.get(DataSource);
    await hyperrsi.get(MarketCandlesRepository).upsert(REPLAY_SOURCE, REPLAY_SYMBOL, REPLAY_TF, candles);
    alice = await createUserAndLogin(hyperrsi);
  }, 180_000);

  afterAll(async () => {
    if (worker && !worker.hasExited()) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await grid?.close();
    await hyperrsi?.close();
    await db?.drop();
  });

  const createBot = async (app: HttpApp, strategy: BotStrategyName, settings: Record<string, unknown>, n: number): Promise<string> => {
    const http = () => request(app.getHttpServer());
    const acc = await http().post('/api/exchange-accounts').set('Authorization', bearer(alice)).send({ exchange: 'paper', label: `chaos-${strategy}`, paperBalances: { USDT: '10000' } });
    expect(acc.status, JSON.stringify(acc.body)).toBe(201);
    const res = await http()
      .post(`/api/${strategy}/bots`)
      .set('Authorization', bearer(alice))
      .send({ accountId: acc.body.id, symbol: REPLAY_SYMBOL, timeframe: REPLAY_TF, settings, feed: { kind: 'replay', from: candles[0].time, to: candles[n - 1].time, speed: null } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('running');
    return res.body.id as string;
  };

  const progress = async (): Promise<{ candles: number; decisions: number; stopped: number; statuses: string[] }> => {
    const [c] = await ds.query(`SELECT count(*)::int AS n FROM bot_decisions WHERE kind = 'candle'`);
    const rows: Array<{ status: string; reason: string | null; decisions: string }> = await ds.query('SELECT status, status_reason AS reason, decisions FROM bots');
    return {
      candles: c.n,
      decisions: rows.reduce((a, r) => a + Number(r.decisions), 0),
      stopped: rows.filter((r) => r.status === 'stopped').length,
      statuses: rows.map((r) => `${r.status}${r.reason ? ` (${r.reason})` : ''}`),
    };
  };

  const killSite = async (p: number): Promise<KillSite> => {
    const [o] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE bot_id IS NOT NULL AND status = 'PENDING'`);
    const [f] = await ds.query('SELECT count(*)::int AS n FROM fills WHERE bot_id IS NOT NULL AND NOT bot_applied');
    const [u] = await ds.query('SELECT count(*)::int AS n FROM paper_trades t WHERE NOT EXISTS (SELECT 1 FROM fills f WHERE f.account_id::text = t.account_id::text AND f.exchange_trade_id = t.id::text)');
    const [i] = await ds.query('SELECT count(*)::int AS n FROM bot_inputs bi JOIN bots b ON b.id = bi.bot_id WHERE bi.seq > b.input_seq');
    const [w] = await ds.query(`SELECT count(*)::int AS n FROM paper_feed_progress WHERE replay->'engine'->'walk' IS NOT NULL AND replay->'engine'->'walk' <> 'null'::jsonb`);
    return { progress: p, pending: o.n, unapplied: f.n, unrecorded: u.n, inbox: i.n, paused: w.n };
  };

  it('one decision per candle, no duplicate order, every fill applied once, positions equal, trades equal the backtest', async () => {
    const started = Date.now();
    const hSettings = { leverage: 10 };
    const gSettings = { direction: 'long-short', leverage: 3, investment: 3000 };
    const hFills: Fill[] = [];
    const gFills: Fill[] = [];
    const hExpected = backtestReference('hyperrsi', hSettings, 10, candles.slice(0, N_HYPERRSI), hFills);
    backtestReference('grid', gSettings, 3, candles.slice(0, N_GRID), gFills);
    expect(hExpected.trades.length).toBeGreaterThan(2);
    expect(gFills.length).toBeGreaterThan(10);

    const botIds: Record<BotStrategyName, string> = {
      hyperrsi: await createBot(hyperrsi, 'hyperrsi', hSettings, N_HYPERRSI),
      grid: await createBot(grid, 'grid', gSettings, N_GRID),
    };
    const total = N_HYPERRSI + N_GRID;
    const rnd = mulberry32(SEED);
    // kill points uniformly over the run's progress (candle decisions of both bots)
    const points = Array.from({ length: KILLS }, () => Math.floor(rnd() * total)).sort((a, b) => a - b);

    const sites: KillSite[] = [];
    const recoveryMs: number[] = [];
    let kills = 0;
    let sessions = 0;
    for (;;) {
      const at = await progress();
      if (at.stopped === 2) break;
      if (sessions > KILLS + 5) throw new Error(`${sessions} sessions for ${kills} kills: ${JSON.stringify(at)}`);
      sessions++;
      const port = await freePort();
      const t0 = Date.now();
      worker = startWorker({ ...env, WORKER_PORT: String(port) });
      // driving again: some progress since this worker started (its boot is never a kill point)
      let now = at;
      for (;;) {
        await sleep(25);
        now = await progress();
        if (now.decisions > at.decisions || now.stopped === 2) break;
        if (worker.hasExited()) throw new Error(`worker exited on its own:\n${worker.output()}`);
        if (Date.now() - t0 > 90_000) throw new Error(`no progress within 90 s after a restart: ${JSON.stringify(now)}\n${worker.output()}`);
      }
      recoveryMs.push(Date.now() - t0);
      if (kills < KILLS) {
        const point = points[kills];
        while (now.candles < point && now.stopped < 2) {
          await sleep(20);
          now = await progress();
          if (worker.hasExited()) throw new Error(`worker exited on its own:\n${worker.output()}`);
        }
        await sleep(rnd() * 40);
        if (!worker.hasExited() && (await progress()).stopped < 2) {
          worker.child.kill('SIGKILL');
          const { signal } = await worker.exited;
          expect(signal).toBe('SIGKILL');
          kills++;
          sites.push(await killSite(now.candles));
          continue;
        }
      }
      // no kill left (or the run ended first): this worker finishes the run
      const deadline = Date.now() + 600_000;
      while ((await progress()).stopped < 2) {
        if (worker.hasExited()) throw new Error(`worker exited on its own:\n${worker.output()}`);
        if (Date.now() > deadline) throw new Error(`replay did not finish: ${JSON.stringify(await progress())}`);
        await sleep(100);
      }
    }
    const runSecs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`chaos bots: run finished after ${runSecs}s (${kills} kills, ${sessions} sessions; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
    if (worker && !worker.hasExited()) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }

    const final = await progress();
    for (const s of final.statuses) expect(s).toMatch(/^stopped \(replay finished/);

    // ---- the audit, per bot
    const repo = hyperrsi.get(BotsRepository, { strict: false });
    const service = hyperrsi.get(BotsService, { strict: false });
    const report: string[] = [];
    let totalDup = 0;
    for (const strategy of ['hyperrsi', 'grid'] as const) {
      const botId = botIds[strategy];
      const n = strategy === 'hyperrsi' ? N_HYPERRSI : N_GRID;
      const [{ accountId }] = await ds.query('SELECT account_id AS "accountId" FROM bots WHERE id = $1', [botId]);
      // one decision per candle, no input twice
      const [{ candleDecisions, distinctCandles }] = await ds.query(
        `SELECT count(*)::int AS "candleDecisions", count(DISTINCT input_key)::int AS "distinctCandles" FROM bot_decisions WHERE bot_id = $1 AND kind = 'candle'`,
        [botId],
      );
      const dupInputs = await ds.query('SELECT input_key, count(*)::int AS n FROM bot_decisions WHERE bot_id = $1 GROUP BY input_key HAVING count(*) > 1', [botId]);
      const [{ decisions }] = await ds.query('SELECT count(*)::int AS decisions FROM bot_decisions WHERE bot_id = $1', [botId]);
      // no duplicate order: one row per intent and per client order id, one exchange order per client order id
      const dupIntents = await ds.query('SELECT intent_key, count(*)::int AS n FROM orders WHERE bot_id = $1 GROUP BY intent_key HAVING count(*) > 1', [botId]);
      const dupClientIds = await ds.query('SELECT client_order_id, count(*)::int AS n FROM orders WHERE bot_id = $1 GROUP BY client_order_id HAVING count(*) > 1', [botId]);
      const dupPaper = await ds.query('SELECT client_order_id, count(*)::int AS n FROM paper_orders WHERE account_id = $1 GROUP BY client_order_id HAVING count(*) > 1', [accountId]);
      const orphanPaper = await ds.query('SELECT p.client_order_id FROM paper_orders p WHERE p.account_id = $1 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.client_order_id = p.client_order_id)', [accountId]);
      const [{ orders }] = await ds.query('SELECT count(*)::int AS orders FROM orders WHERE bot_id = $1', [botId]);
      const [{ paperOrders }] = await ds.query('SELECT count(*)::int AS "paperOrders" FROM paper_orders WHERE account_id = $1', [accountId]);
      const statusRows: Array<{ status: string; n: number }> = await ds.query('SELECT status, count(*)::int AS n FROM orders WHERE bot_id = $1 GROUP BY status ORDER BY status', [botId]);
      // every intent the strategy placed (not expired / rejected at once) is one order row, and no order without an intent
      const journal = await expectJournalReplays(repo, botId, strategy, n);
      const notSentRows: Array<{ input_key: string }> = await ds.query(`SELECT input_key FROM bot_decisions WHERE bot_id = $1 AND (input_key LIKE 'expired:%' OR input_key LIKE 'rejected:%')`, [botId]);
      const notSent = new Set(notSentRows.map((r) => r.input_key.slice(r.input_key.indexOf(':') + 1)));
      const placed = journal.flatMap((e) => e.intents.filter((i) => i.action === 'place').map((i) => i.key));
      const orderKeys: string[] = (await ds.query('SELECT intent_key FROM orders WHERE bot_id = $1', [botId])).map((r: { intent_key: string }) => r.intent_key);
      const orderKeySet = new Set(orderKeys);
      const placedMissing = placed.filter((k) => !orderKeySet.has(k) && !notSent.has(k));
      const placedSet = new Set(placed);
      const ordersWithoutIntent = orderKeys.filter((k) => !placedSet.has(k));
      // every fill recorded once, handed to the strategy exactly once (journal key fill:<id>), and applied
      const fills: Array<{ id: string; applied: boolean }> = await ds.query('SELECT id, bot_applied AS applied FROM fills WHERE bot_id = $1', [botId]);
      const [{ paperTrades }] = await ds.query('SELECT count(*)::int AS "paperTrades" FROM paper_trades WHERE account_id = $1', [accountId]);
      const journalFillKeys = journal.filter((e) => e.input.kind === 'fill').length;
      const fillKeyRows: Array<{ input_key: string; n: number }> = await ds.query(`SELECT input_key, count(*)::int AS n FROM bot_decisions WHERE bot_id = $1 AND kind = 'fill' GROUP BY input_key`, [botId]);
      const fillKeyCount = new Map(fillKeyRows.map((r) => [r.input_key, r.n]));
      const fillsNotOnce = fills.filter((f) => fillKeyCount.get(`fill:${f.id}`) !== 1).map((f) => f.id);
      const fillsUnapplied = fills.filter((f) => !f.applied).map((f) => f.id);
      // the strategy's position (the fills it was told about) equals the paper exchange's
      const view = { long: 0, short: 0 };
      for (const e of journal) {
        if (e.input.kind !== 'fill') continue;
        const f = e.input.fill;
        const side = f.positionSide === 'short' ? 'short' : 'long';
        const opens = side === 'long' ? f.side === 'buy' : f.side === 'sell';
        view[side] += opens ? f.amount : -f.amount;
      }
      const exch = { long: 0, short: 0 };
      for (const p of (await ds.query('SELECT position_side AS side, qty FROM paper_positions WHERE account_id = $1', [accountId])) as Array<{ side: string; qty: string }>) {
        exch[p.side === 'short' ? 'short' : 'long'] += Math.abs(Number(p.qty));
      }
      const positionsEqual = Math.abs(view.long - exch.long) < 1e-9 && Math.abs(view.short - exch.short) < 1e-9;
      // the same fills (and for HYPERRSI the same trades) as the backtest
      const expectedFills = strategy === 'hyperrsi' ? hFills : gFills;
      const sameFills = await expectSameFills(repo, botId, expectedFills);
      const trades = strategy === 'hyperrsi' ? await expectSameTrades(service, botId, hExpected) : (await service.tradesOf(botId)).trades.length;

      const dups = dupIntents.length + dupClientIds.length + dupPaper.length;
      totalDup += dups;
      report.push(
        `chaos bots ${strategy}: candles=${n} candle_decisions=${candleDecisions} distinct=${distinctCandles} decisions=${decisions} dup_inputs=${dupInputs.length} ` +
          `orders=${orders} paper_orders=${paperOrders} dup_orders=${dups} orphan_paper_orders=${orphanPaper.length} intents_without_order=${placedMissing.length} orders_without_intent=${ordersWithoutIntent.length} ` +
          `statuses=${statusRows.map((r) => `${r.status}:${r.n}`).join(',')} fills=${fills.length} paper_trades=${paperTrades} journal_fills=${journalFillKeys} fills_applied_once=${fills.length - fillsNotOnce.length - fillsUnapplied.length}/${fills.length} ` +
          `position strategy=long ${view.long.toFixed(6)}/short ${view.short.toFixed(6)} exchange=long ${exch.long.toFixed(6)}/short ${exch.short.toFixed(6)} ${positionsEqual ? 'equal' : 'DIFFERENT'} ` +
          `fills_equal_backtest=${sameFills} trades=${trades}`,
      );
      expect({ strategy, candleDecisions, distinctCandles, dupInputs }).toEqual({ strategy, candleDecisions: n, distinctCandles: n, dupInputs: [] });
      expect({ dupIntents, dupClientIds, dupPaper, orphanPaper }).toEqual({ dupIntents: [], dupClientIds: [], dupPaper: [], orphanPaper: [] });
      expect({ placedMissing, ordersWithoutIntent }).toEqual({ placedMissing: [], ordersWithoutIntent: [] });
      expect({ fillsNotOnce, fillsUnapplied }).toEqual({ fillsNotOnce: [], fillsUnapplied: [] });
      expect(journalFillKeys).toBe(fills.length);
      expect(paperTrades).toBe(fills.length);
      expect({ strategy, view, exch, positionsEqual }).toEqual({ strategy, view, exch: expect.anything(), positionsEqual: true });
    }

    const landed = {
      pending_orders: sites.filter((s) => s.pending > 0).length,
      fills_unapplied: sites.filter((s) => s.unapplied > 0).length,
      fills_unrecorded: sites.filter((s) => s.unrecorded > 0).length,
      inbox: sites.filter((s) => s.inbox > 0).length,
      paused_walk: sites.filter((s) => s.paused > 0).length,
    };
    const avg = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    console.log(`chaos bots kill points (candle progress of ${total}): ${sites.map((s) => s.progress).join(' ')}`);
    console.log(`chaos bots kill sites (kills leaving each kind of unfinished work): ${Object.entries(landed).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    for (const line of report) console.log(line);
    console.log(`chaos bots: seed=${SEED} kills=${kills} sessions=${sessions} duplicates=${totalDup} time=${runSecs}s restart_to_progress_avg=${avg(recoveryMs)}ms max=${Math.max(...recoveryMs)}ms`);

    expect(kills).toBe(KILLS);
    expect(totalDup).toBe(0);
  });
});
