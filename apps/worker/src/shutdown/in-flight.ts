/**
 * The runs a scheduler has started and not finished. At shutdown the scheduler stops starting runs, then awaits
 * `drain()` in `beforeApplicationShutdown`, which Nest calls before any `onApplicationShutdown` (where the
 * database pool, Redis and BullMQ close): a run never sees its connections closed under it. SHUTDOWN_TIMEOUT_MS
 * bounds the whole shutdown (see enableGracefulShutdown in @tb/common).
 */
export class InFlight {
  private readonly runs = new Set<Promise<unknown>>();

  get size(): number {
    return this.runs.size;
  }

  track<T>(run: Promise<T>): Promise<T> {
    this.runs.add(run);
    const forget = () => this.runs.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** Resolves once every tracked run has settled (runs started while draining included). */
  async drain(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }
}
