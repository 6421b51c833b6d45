import { Injectable } from '@nestjs/common';
import { Counter, Histogram, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
  return (register.getSingleMetric(name) as Histogram<string> | undefined) ?? new Histogram({ name, help, labelNames, buckets });
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Prometheus metrics of the bot runtime (registered once per process in the default registry). */
@Injectable()
export class BotMetrics {
  private readonly decisions = counter('tb_bot_decisions_total', 'Strategy decisions journaled', ['strategy']);
  private readonly errors = counter('tb_bot_errors_total', 'Bot evaluations that failed', ['strategy']);
  private readonly evaluation = histogram('tb_bot_evaluation_seconds', 'One bot evaluation: inputs read to decision committed', ['strategy'], LATENCY_BUCKETS);
  private readonly latency = histogram(
    'tb_bot_candle_latency_seconds',
    'Candle available to decision committed (stage=committed) and to orders sent (stage=sent)',
    ['stage'],
    LATENCY_BUCKETS,
  );

  decided(strategy: string, n: number, ms: number): void {
    this.decisions.inc({ strategy }, n);
    this.evaluation.observe({ strategy }, ms / 1000);
  }

  failed(strategy: string): void {
    this.errors.inc({ strategy });
  }

  candleLatency(stage: 'committed' | 'sent', ms: number): void {
    this.latency.observe({ stage }, ms / 1000);
  }
}
