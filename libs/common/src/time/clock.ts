import { Injectable, type Provider } from '@nestjs/common';

/**
 * Where "now" comes from (epoch ms). An abstract class so it is both the type and the Nest injection token:
 * inject `Clock`; live code gets `SystemClock`, replays and tests pass a `ManualClock`.
 */
export abstract class Clock {
  abstract now(): number;
}

/** Wall time. */
@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to (replay time, tests). */
export class ManualClock extends Clock {
  constructor(private time: number) {
    super();
  }

  now(): number {
    return this.time;
  }

  set(time: number): void {
    this.time = time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

/** Binds `Clock` to wall time; add it to a module's providers (and exports) where live code needs a clock. */
export const SYSTEM_CLOCK_PROVIDER: Provider = { provide: Clock, useClass: SystemClock };
