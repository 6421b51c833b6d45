import 'reflect-metadata';
import { afterAll } from 'vitest';
import { findSecrets, suiteLogs } from '../support/log-capture';

// Every int/e2e file: after its tests, no log line any app wrote (captured at debug level, see testEnv) may hold a
// secret value or a stored-secret ciphertext. A leak fails the file.
afterAll(() => {
  const leaks = findSecrets(suiteLogs.text());
  if (leaks.length > 0) throw new Error(`secrets in the logs of this test file (${suiteLogs.lines.length} lines): ${leaks.join(', ')}`);
});
