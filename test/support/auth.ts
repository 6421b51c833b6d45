import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { UsersService, type UserRole } from '@tb/users';
import { registerSecret } from './log-capture';

export interface TestUser {
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly role: UserRole;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * Creates a user directly (UsersService) and logs it in over HTTP (POST /api/auth/login), for e2e tests of
 * protected routes: send `Authorization: Bearer ${accessToken}`. Each call makes a fresh random email, so the
 * per-(IP, email) login rate limit never trips across tests.
 */
export async function createUserAndLogin(
  app: INestApplication,
  opts: { role?: UserRole; email?: string; password?: string } = {},
): Promise<TestUser> {
  const role = opts.role ?? 'trader';
  const email = opts.email ?? `${role}-${randomBytes(6).toString('hex')}@test.example`;
  const password = opts.password ?? `pw-${randomBytes(12).toString('base64url')}`;
  const user = await app.get(UsersService).createUser({ email, password, role });
  const res = await request(app.getHttpServer()).post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login of the test user failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { accessToken: string; refreshToken: string };
  registerSecret(password, body.accessToken, body.refreshToken);
  return { userId: user.id, email: user.email, password, role, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

/** `Authorization` header value for a test user. */
export const bearer = (u: { accessToken: string }): string => `Bearer ${u.accessToken}`;
