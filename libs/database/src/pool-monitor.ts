import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface PoolMetrics {
  size: number; // configured maximum
  total: number; // open connections
  inUse: number;
  idle: number;
  waiting: number; // callers queued for a connection
  utilisation: number; // inUse / size, 0..1
}

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/** Samples the pg pool every few seconds; utilisation ≥ 80% logs a warning (once per episode). */
@Injectable()
export class PoolMonitor implements OnModuleInit, OnModuleDestroy {
  static readonly WARN_AT = 0.8;
  private readonly logger = new Logger(PoolMonitor.name);
  private timer?: NodeJS.Timeout;
  private warned = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.sample(), 5000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  metrics(): PoolMetrics {
    const pool = (this.dataSource.driver as unknown as { master?: PgPoolLike }).master;
    const size = pool?.options?.max ?? 0;
    const total = pool?.totalCount ?? 0;
    const idle = pool?.idleCount ?? 0;
    const inUse = Math.max(0, total - idle);
    return { size, total, inUse, idle, waiting: pool?.waitingCount ?? 0, utilisation: size > 0 ? inUse / size : 0 };
  }

  /** Checks the thresholds now; returns the metrics it saw. */
  sample(): PoolMetrics {
    const m = this.metrics();
    if (m.utilisation >= PoolMonitor.WARN_AT || m.waiting > 0) {
      if (!this.warned) this.logger.warn({ msg: 'database pool under pressure', ...m });
      this.warned = true;
    } else {
      this.warned = false;
    }
    return m;
  }
}
