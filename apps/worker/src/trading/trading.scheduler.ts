import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@tb/config';
import { OrdersReconciler } from '@tb/orders';
import { EventRelayService } from '@tb/events';
import { InFlight } from '../shutdown/in-flight';

/**
 * The worker's trading schedules (@nestjs/schedule): the order reconciler at start and every
 * OMS_RECONCILE_INTERVAL_MS, and the event outbox relay every 500 ms. Runs never overlap themselves. At shutdown
 * the schedules stop, a running reconcile stops after its current order, and both are awaited before the pools close.
 */
@Injectable()
export class TradingScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TradingScheduler.name);
  private readonly running = new Set<string>();
  private stopping = false;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly reconciler: OrdersReconciler,
    private readonly relay: EventRelayService,
    private readonly schedules: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const reconcile = () => this.reconciler.reconcile(undefined, undefined, () => this.stopping);
    void this.once('reconcile', reconcile);
    this.every('reconcile', this.config.oms.reconcileIntervalMs, reconcile);
    this.every('event-relay', 500, () => this.relay.flush());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const name of ['reconcile', 'event-relay']) if (this.schedules.doesExist('interval', name)) this.schedules.deleteInterval(name);
    if (this.inFlight.size > 0) this.logger.log({ msg: 'waiting for in-flight runs', runs: [...this.running] });
    await this.inFlight.drain();
  }

  private every(name: string, ms: number, fn: () => Promise<unknown>): void {
    const handle = setInterval(() => void this.once(name, fn), ms);
    this.schedules.addInterval(name, handle);
  }

  private async once(name: string, fn: () => Promise<unknown>): Promise<void> {
    if (this.stopping || this.running.has(name)) return;
    this.running.add(name);
    try {
      await this.inFlight.track(fn());
    } catch (e) {
      this.logger.warn({ msg: 'scheduled run failed', schedule: name, error: (e as Error).message });
    } finally {
      this.running.delete(name);
    }
  }
}
