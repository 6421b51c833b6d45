import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PoolMonitor } from './pool-monitor';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** `database` health: a SELECT 1 within the timeout, plus the pool metrics. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pool: PoolMonitor,
  ) {}

  async check(key: string, timeoutMs: number) {
    const indicator = this.health.check(key);
    const started = performance.now();
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), timeoutMs);
      const pool = this.pool.sample();
      return indicator.up({ latencyMs: Math.round(performance.now() - started), pool });
    } catch (err) {
      return indicator.down({ message: (err as Error).message, pool: this.pool.metrics() });
    }
  }
}
