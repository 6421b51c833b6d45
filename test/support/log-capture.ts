import 'reflect-metadata';
import { Global, Module } from '@nestjs/common';
import { Writable } from 'node:stream';
import { CIPHERTEXT_PATTERN, LOG_DESTINATION } from '@tb/common';

/** Marks the modules made by LogCapture.module(), so createHttpTestApp knows a suite brought its own capture. */
export const LOG_CAPTURE_MODULE = Symbol('LOG_CAPTURE_MODULE');

/** Collects every JSON log line an app writes (the app's real pino logger, redaction included). */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      this.push(chunk.toString('utf8'));
      cb();
    },
  });

  /** Lines also go to `tee` (by default the suite-wide capture), so a suite's own capture never hides lines from the check. */
  constructor(private readonly tee: LogCapture | null = suiteLogs) {}

  push(text: string): void {
    for (const line of text.split('\n')) if (line.trim()) this.lines.push(line);
    this.tee?.push(text);
  }

  records(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.join('\n');
  }

  module() {
    const stream = this.stream;
    @Global()
    @Module({ providers: [{ provide: LOG_DESTINATION, useValue: stream }], exports: [LOG_DESTINATION] })
    class LogCaptureModule {
      static readonly [LOG_CAPTURE_MODULE] = true;
    }
    return LogCaptureModule;
  }
}

/**
 * Every log line of the current test file: apps booted through createHttpTestApp, suites' own LogCaptures, and
 * child processes started with runScript. test/setup/int.setup.ts checks it for secrets after the file's tests.
 */
export const suiteLogs: LogCapture = new LogCapture(null);

const knownSecrets = new Set<string>();

/** A value that must never appear in any log line of this test file (passwords, tokens, exchange keys...). */
export function registerSecret(...values: Array<string | undefined | null>): void {
  for (const v of values) if (v && v.length >= 8) knownSecrets.add(v);
}

/** Shapes that are secrets whatever their value: stored-secret ciphertext, JWTs, platform API keys. */
const SECRET_SHAPES: Array<[string, RegExp]> = [
  ['stored-secret ciphertext', new RegExp(CIPHERTEXT_PATTERN.source)],
  ['JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/],
  ['platform API key', /\btb_[A-Za-z0-9]{40}\b/],
];

/** What leaked into `text`: names of the shapes found and the registered secrets found (masked). */
export function findSecrets(text: string): string[] {
  const found: string[] = [];
  for (const [name, re] of SECRET_SHAPES) {
    const m = re.exec(text);
    if (m) found.push(`${name} (${m[0].slice(0, 12)}…)`);
  }
  for (const s of knownSecrets) if (text.includes(s)) found.push(`registered secret ${s.slice(0, 3)}…(${s.length} chars)`);
  return found;
}
