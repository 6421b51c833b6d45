import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BotsRepository } from '@tb/bots';
import { JobsProducer } from '@tb/jobs';
import { InFlight } from '../shutdown/in-flight';

/**
 * Keeps the replay bots moving: at worker start and every few seconds, every running replay bot gets a
 * `bots.replay` job (a no-op when its chain is alive: the driver's lease makes a second driver back off).
 * Recovers chains whose jobs were lost (e.g. every worker down longer than the job retention).
 */
@Injectable()
export class BotsScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BotsScheduler.name);
  private running = false;
  private stopping = false;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly bots: BotsRepository,
    private readonly jobs: JobsProducer,
    private readonly schedules: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    void this.inFlight.track(this.kick());
    this.schedules.addInterval('bots-replay-kick', setInterval(() => void this.inFlight.track(this.kick()), 5_000));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.schedules.doesExist('interval', 'bots-replay-kick')) this.schedules.deleteInterval('bots-replay-kick');
    await this.inFlight.drain();
  }

  private async kick(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    try {
      const bucket = Math.floor(Date.now() / 5_000);
      for (const b of await this.bots.listFed('replay')) {
        if (b.status !== 'running') continue;
        await this.jobs.enqueue('bots.replay', { botId: b.id }, { jobId: `${b.id}.replay.kick.${bucket}` });
      }
    } catch (e) {
      this.logger.warn({ msg: 'replay kick failed', error: (e as Error).message });
    } finally {
      this.running = false;
    }
  }
}
