import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock, runWithRequestId } from '@tb/common';
import { GridPortfoliosService } from '@tb/bots';
import { InFlight } from '../shutdown/in-flight';

export const PORTFOLIO_TICK_MS = 60_000;

/**
 * GRID symbol selection rounds: every minute, each running portfolio whose round is due (every `intervalMinutes`,
 * 4 h by default) is claimed in the database — one worker runs it even when several tick at once — ranked and
 * rebalanced (docs/adr/0019-grid-controls-and-stats.md).
 */
@Injectable()
export class GridPortfoliosScheduler implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GridPortfoliosScheduler.name);
  private running = false;
  private stopping = false;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly portfolios: GridPortfoliosService,
    private readonly clock: Clock,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.inFlight.drain();
  }

  @Interval(PORTFOLIO_TICK_MS)
  async tick(): Promise<number> {
    if (this.running || this.stopping) return 0;
    this.running = true;
    const now = this.clock.now();
    try {
      return await this.inFlight.track(runWithRequestId(`grid-portfolios-${now}`, () => this.portfolios.runDue(now)));
    } catch (e) {
      this.logger.warn({ msg: 'grid portfolio tick failed', error: (e as Error).message });
      return 0;
    } finally {
      this.running = false;
    }
  }
}
