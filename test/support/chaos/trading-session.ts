/**
 * One trading session of the crash test, run as its own process so the test can SIGKILL it anywhere:
 *
 *   node -r ./scripts/register.js test/support/chaos/trading-session.ts --user <uuid> --account <uuid> \
 *     --orders 150 --seed 7 [--final]
 *
 * Configuration (database, Redis, ccxt urls of the fake exchange, grace periods) comes from the environment like
 * any app. The session boots the OMS, runs the reconciler (startup repair), then walks the deterministic plan
 * from the start: every order intent goes through OrdersService.place with its fixed intent key (already placed
 * intents are no-ops), cancels go through OrdersService.cancel, and the reconciler runs every 8th step.
 * `--final` also reconciles until nothing changes any more. Progress markers on stdout (one per line):
 * READY, RECONCILE_BEGIN, RECONCILE_END <json>, FRONTIER <step>, INTENT_ERROR <key> <code>, PLAN_DONE, STABLE <n>,
 * SESSION_DONE.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { processEnv } from '@tb/config';
import { ExchangeAccountsService } from '@tb/accounts';
import { OrdersReconciler, OrdersService } from '@tb/orders';
import { buildPlan } from './chaos-plan';
import { createOmsContext } from './oms-context';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const codeOf = (e: unknown): string => (e as { code?: string }).code ?? (e as Error).name ?? 'ERROR';

async function reconcile(app: INestApplicationContext): Promise<void> {
  say('RECONCILE_BEGIN');
  const report = await app.get(OrdersReconciler).reconcile();
  say(`RECONCILE_END ${JSON.stringify(report)}`);
}

/** Reconcile until no order is PENDING and two passes in a row leave orders and fills unchanged. */
async function reconcileUntilStable(app: INestApplicationContext, accountId: string): Promise<number> {
  const ds = app.get(DataSource);
  let previous = '';
  for (let pass = 1; pass <= 60; pass++) {
    await reconcile(app);
    const [row] = (await ds.query(
      `SELECT (SELECT count(*) FROM orders WHERE account_id = $1 AND status = 'PENDING')::int AS pending,
              (SELECT count(*) FROM fills WHERE account_id = $1)::int AS fills,
              (SELECT coalesce(string_agg(id || status || filled::text, ',' ORDER BY id), '') FROM orders WHERE account_id = $1) AS orders`,
      [accountId],
    )) as Array<{ pending: number; fills: number; orders: string }>;
    const snapshot = `${row.fills}|${row.orders}`;
    if (row.pending === 0 && snapshot === previous) return pass;
    previous = snapshot;
    await sleep(250);
  }
  throw new Error('the reconciler did not converge in 60 passes');
}

async function main(): Promise<void> {
  const userId = arg('user')!;
  const accountId = arg('account')!;
  const plan = buildPlan(Number(arg('seed') ?? 1), Number(arg('orders') ?? 60));
  const app = await createOmsContext(processEnv());
  // like a worker at startup: markets and server time loaded before any order work
  const port = await app.get(ExchangeAccountsService).exchangeFor(userId, accountId);
  await port.loadMarkets();
  say(`READY ${Math.round(process.uptime() * 1000)}`);
  const oms = app.get(OrdersService);
  const ds = app.get(DataSource);
  await reconcile(app);

  const known = new Set(((await ds.query('SELECT intent_key FROM orders WHERE account_id = $1', [accountId])) as Array<{ intent_key: string }>).map((r) => r.intent_key));
  let frontier = false;
  for (const step of plan) {
    if (step.kind === 'reconcile') {
      if (frontier) await reconcile(app);
      continue;
    }
    if (step.kind === 'cancel') {
      const [row] = (await ds.query('SELECT id, status FROM orders WHERE account_id = $1 AND intent_key = $2', [accountId, step.targetIntentKey])) as Array<{ id: string; status: string }>;
      if (!row || ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'].includes(row.status)) continue;
      try {
        await oms.cancel(userId, row.id);
      } catch (e) {
        say(`CANCEL_ERROR ${step.targetIntentKey} ${codeOf(e)}`);
      }
      continue;
    }
    if (!frontier && !known.has(step.intentKey)) {
      frontier = true;
      say(`FRONTIER ${step.index}`);
    }
    try {
      await oms.place({
        userId,
        accountId,
        intentKey: step.intentKey,
        symbol: step.symbol,
        type: step.type,
        side: step.side,
        positionSide: 'long', // spot: a sell reduces the long
        amount: step.amount,
        price: step.price,
        referencePrice: step.referencePrice,
        tag: 'chaos',
      });
    } catch (e) {
      say(`INTENT_ERROR ${step.intentKey} ${codeOf(e)}`);
    }
  }
  say('PLAN_DONE');
  if (process.argv.includes('--final')) say(`STABLE ${await reconcileUntilStable(app, accountId)}`);
  await app.close();
  say('SESSION_DONE');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`trading session failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
