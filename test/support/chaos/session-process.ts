import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, cleanEnv } from '../processes';

/** A running trading session (test/support/chaos/trading-session.ts) with its output and markers. */
export interface SessionProcess {
  readonly child: ChildProcess;
  output(): string;
  /** resolves when a stdout line starting with `marker` was printed (false if the process exited first) */
  waitFor(marker: string): Promise<boolean>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

export function startSession(args: string[], env: Record<string, string | undefined>): SessionProcess {
  const child = spawn(process.execPath, ['-r', './scripts/register.js', 'test/support/chaos/trading-session.ts', ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(), ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let done = false;
  const waiters: Array<{ marker: string; resolve: (ok: boolean) => void }> = [];
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (out.split('\n').some((l) => l.startsWith(w.marker))) {
        waiters.splice(i, 1);
        w.resolve(true);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => {
      done = true;
      check();
      for (const w of waiters.splice(0)) w.resolve(false);
      res({ code, signal });
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    hasExited: () => done,
    waitFor: (marker) =>
      new Promise<boolean>((resolve) => {
        waiters.push({ marker, resolve });
        check();
        if (done) {
          const i = waiters.findIndex((w) => w.resolve === resolve);
          if (i >= 0) waiters.splice(i, 1);
          resolve(out.split('\n').some((l) => l.startsWith(marker)));
        }
      }),
  };
}
