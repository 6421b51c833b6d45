import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@tb/config';
import { ExchangeAccountDeletedError, ExchangeAccountsService } from '@tb/accounts';
import type { ExchangePort } from '@tb/exchange';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

export interface ReconcileReport {
  examined: number;
  adopted: number;
  resent: number;
  rejected: number;
  expired: number;
  /** orders of a removed exchange account, closed locally (see closeOrphan) */
  orphaned: number;
  errors: number;
}

/**
 * Resolves every unresolved order against the exchange by clientOrderId (docs/architecture.md §4.4): found → adopt its state and
 * fills; unknown after the grace period → resend with the same clientOrderId or reject, by policy; an OPEN order the
 * exchange no longer knows → EXPIRED. Runs at worker start and on a schedule; safe to run concurrently with itself
 * (every write is a guarded status move in a transaction).
 */
@Injectable()
export class OrdersReconciler {
  private readonly logger = new Logger(OrdersReconciler.name);

  constructor(
    private readonly orders: OrdersRepository,
    private readonly oms: OrdersService,
    private readonly accounts: ExchangeAccountsService,
    private readonly config: AppConfig,
  ) {}

  /** `shouldStop` is asked between orders (worker shutdown): the run ends early, the rest waits for the next one. */
  async reconcile(limit = 500, now = Date.now(), shouldStop: () => boolean = () => false): Promise<ReconcileReport> {
    const report: ReconcileReport = { examined: 0, adopted: 0, resent: 0, rejected: 0, expired: 0, orphaned: 0, errors: 0 };
    const grace = this.config.oms.pendingGraceMs;
    const candidates = await this.orders.findUnresolved(new Date(now - grace), limit);
    // one account lookup and market load per account per run, not per order
    const ports = new Map<string, Promise<ExchangePort>>();
    const portOf = (accountId: string): Promise<ExchangePort> => {
      let p = ports.get(accountId);
      if (!p) {
        p = this.accounts.exchangeForAccountId(accountId).then(async ({ port }) => (await port.loadMarkets(), port));
        ports.set(accountId, p);
      }
      return p;
    };
    for (const order of candidates) {
      if (shouldStop()) break;
      report.examined++;
      try {
        const port = await portOf(order.accountId);
        const market = this.oms.marketOf(port, order.symbol);
        const ex = await port.fetchOrderByClientId(order.symbol, order.clientOrderId);
        if (ex) {
          await this.oms.record(order.id, { order: ex, trades: await this.oms.tradesFor(port, order, ex) }, market);
          report.adopted++;
        } else if (order.status === 'PENDING') {
          if (this.config.oms.unknownOrderPolicy === 'resend') {
            await this.oms.send(order, port, market);
            report.resent++;
          } else {
            await this.oms.markRejected(order.id, 'not received by the exchange');
            report.rejected++;
          }
        } else {
          await this.oms.closeLocally(order.id, 'EXPIRED', 'the exchange no longer knows this order');
          report.expired++;
        }
      } catch (e) {
        if (e instanceof ExchangeAccountDeletedError) {
          // removed before this fix refused it (or raced the removal): never send or ask with its credentials again
          await this.closeOrphan(order.id, order.status);
          report.orphaned++;
          continue;
        }
        report.errors++;
        this.logger.warn({ msg: 'reconcile failed for order', orderId: order.id, error: (e as Error).message });
      }
    }
    if (report.examined > 0) this.logger.log({ msg: 'reconciled orders', ...report });
    return report;
  }

  private async closeOrphan(orderId: string, status: string): Promise<void> {
    this.logger.warn({ msg: 'order of a removed exchange account closed without contacting the exchange', orderId, status });
    if (status === 'PENDING') await this.oms.markRejected(orderId, 'the exchange account was removed; the order was not sent again');
    else await this.oms.closeLocally(orderId, 'EXPIRED', 'the exchange account was removed; the order is no longer tracked');
  }
}
