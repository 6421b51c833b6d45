import { describe, expect, it } from 'vitest';
import { isInfrastructurePath } from './auth.guard';

describe('isInfrastructurePath', () => {
  it.each(['/health', '/health/', '/health/db', '/health/ready', '/metrics', '/metrics/', '/docs', '/docs/swagger-ui.css', '/docs-json'])(
    '%s is public',
    (path) => expect(isInfrastructurePath(path)).toBe(true),
  );

  it.each(['/', '/api/auth/me', '/healthz', '/health-admin', '/metricsx', '/api/health', '/docsy', '/docs-json/x', '/api/metrics'])(
    '%s is protected',
    (path) => expect(isInfrastructurePath(path)).toBe(false),
  );
});
