import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@tb/config';
import { OrdersReconciler } from '@tb/orders';
import { EventRelayService } from '@tb/events';

/**
 * The worker's trading schedules (@nestjs/schedule): the order reconciler at start and every
 * OMS_RECONCILE_INTERVAL_MS, and the event outbox relay every 500 ms. Runs never overlap themselves.
 */
@Injectable()
export class TradingScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TradingScheduler.name);
  private readonly running = new Set<string>();
  private stopping = false;

  constructor(
    private readonly reconciler: OrdersReconciler,
    private readonly relay: EventRelayService,
    private readonly schedules: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.once('reconcile', () => this.reconciler.reconcile());
    this.every('reconcile', this.config.oms.reconcileIntervalMs, () => this.reconciler.reconcile());
    this.every('event-relay', 500, () => this.relay.flush());
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    for (const name of ['reconcile', 'event-relay']) if (this.schedules.doesExist('interval', name)) this.schedules.deleteInterval(name);
  }

  private every(name: string, ms: number, fn: () => Promise<unknown>): void {
    const handle = setInterval(() => void this.once(name, fn), ms);
    this.schedules.addInterval(name, handle);
  }

  private async once(name: string, fn: () => Promise<unknown>): Promise<void> {
    if (this.stopping || this.running.has(name)) return;
    this.running.add(name);
    try {
      await fn();
    } catch (e) {
      this.logger.warn({ msg: 'scheduled run failed', schedule: name, error: (e as Error).message });
    } finally {
      this.running.delete(name);
    }
  }
}
