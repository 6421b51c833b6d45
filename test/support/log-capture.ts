import { Global, Module } from '@nestjs/common';
import { Writable } from 'node:stream';
import { LOG_DESTINATION } from '@tb/common';

/** Collects every JSON log line an app writes (the app's real pino logger, redaction included). */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, cb) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line);
      cb();
    },
  });

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
    class LogCaptureModule {}
    return LogCaptureModule;
  }
}
