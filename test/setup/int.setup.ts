import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { findSecrets, suiteLogs } from '../support/log-capture';
import { fileDatabaseName, runDatabaseName } from '../support/test-env';
import { adminQuery } from '../support/isolated-db';

// Every int/e2e file gets a database of its own, a copy of the run's migrated one (see test/support/test-env.ts),
// dropped after the file (connections an app left open are closed by FORCE).
beforeAll(async () => {
  await adminQuery(inject('adminDatabaseUrl'), `CREATE DATABASE "${fileDatabaseName()}" TEMPLATE "${runDatabaseName()}"`);
});
afterAll(async () => {
  await adminQuery(inject('adminDatabaseUrl'), `DROP DATABASE IF EXISTS "${fileDatabaseName()}" WITH (FORCE)`);
});

// Every int/e2e file: after its tests, no log line any app wrote (captured at debug level, see testEnv) may hold a
// secret value or a stored-secret ciphertext. A leak fails the file.
afterAll(() => {
  const leaks = findSecrets(suiteLogs.text());
  if (leaks.length > 0) throw new Error(`secrets in the logs of this test file (${suiteLogs.lines.length} lines): ${leaks.join(', ')}`);
});

// Logs are captured, not printed: when a test fails, show the warnings and errors the apps logged during it.
let firstLine = 0;
beforeEach(() => {
  firstLine = suiteLogs.lines.length;
});
afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const notable = suiteLogs.lines.slice(firstLine).filter((l) => /"level":(40|50|60)/.test(l));
  if (notable.length > 0) process.stderr.write(`\n[app logs of the failed test: ${notable.length} warn/error lines]\n${notable.slice(-20).join('\n')}\n`);
});
