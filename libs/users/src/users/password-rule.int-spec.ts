import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { BadRequestError } from '@tb/common';
import { TbConfigModule } from '@tb/config';
import { DatabaseModule } from '@tb/database';
import { UsersModule } from '../users.module';
import { UsersService, passwordProblem } from './users.service';
import { testEnv } from '../../../../test/support/test-env';

describe('password rule (one, in UsersService)', () => {
  it('is length only: 12 to 128 characters', () => {
    expect(passwordProblem('a'.repeat(11))).toBe('the password must be at least 12 characters');
    expect(passwordProblem('a'.repeat(12))).toBeNull();
    expect(passwordProblem('a'.repeat(128))).toBeNull();
    expect(passwordProblem('a'.repeat(129))).toBe('the password must be at most 128 characters');
  });

  describe('enforced by the service whatever the caller', () => {
    let moduleRef: TestingModule;
    beforeAll(async () => {
      moduleRef = await Test.createTestingModule({ imports: [TbConfigModule.forRoot({ env: testEnv() }), DatabaseModule, UsersModule] }).compile();
    });
    afterAll(async () => {
      await moduleRef?.close();
    });

    it('createUser and ensureAdmin refuse a short password with a 400; a long enough one is stored', async () => {
      const users = moduleRef.get(UsersService);
      const email = `pw-${randomUUID()}@test.example`;
      await expect(users.createUser({ email, password: 'elevenchars' })).rejects.toBeInstanceOf(BadRequestError);
      await expect(users.ensureAdmin(email, 'elevenchars')).rejects.toThrow(/at least 12 characters/);
      const user = await users.createUser({ email, password: 'twelve-chars' });
      expect(user.email).toBe(email);
    });
  });
});
