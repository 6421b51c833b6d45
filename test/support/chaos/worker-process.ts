import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, cleanEnv } from '../processes';

/** The BUILT worker (`node dist/apps/worker/src/main.js`) as a child process, for crash tests that SIGKILL it. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the tail of its stdout and stderr (for a failure message) */
  output(): string;
  hasExited(): boolean;
  /** true once an output line matched `pattern` (kept even after the tail moved on) */
  saw(pattern: RegExp): boolean;
}

/** Starts the built worker with `env` (on top of this process's environment minus our configuration). */
export function startWorker(env: Record<string, string | undefined>, watch: RegExp[] = []): WorkerProcess {
  const child = spawn(process.execPath, ['dist/apps/worker/src/main.js'], { cwd: ROOT, env: { ...cleanEnv(), ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let done = false;
  const seen = new Set<RegExp>();
  const take = (d: Buffer): void => {
    const text = d.toString();
    for (const p of watch) if (p.test(text)) seen.add(p);
    out = (out + text).slice(-20_000);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => {
      done = true;
      res({ code, signal });
    }),
  );
  return { child, exited, output: () => out, hasExited: () => done, saw: (p) => seen.has(p) || p.test(out) };
}
