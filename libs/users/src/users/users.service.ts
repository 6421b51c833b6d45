import { Injectable, Logger } from '@nestjs/common';
import { ConflictError, NotFoundError } from '@tb/common';
import { PasswordHasher } from '../crypto/password-hasher';
import { UsersRepository, type UserRecord } from './users.repository';
import type { UserRole } from './user-role';

/** Emails compare case-insensitively; we store them trimmed and lowercase. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface CreateUserInput {
  readonly email: string;
  readonly password: string;
  readonly role?: UserRole;
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates an account (admin route, seeds, tests). Throws a 409 CONFLICT when the email is taken. */
  async createUser(input: CreateUserInput): Promise<UserRecord> {
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.users.create({ email: normalizeEmail(input.email), passwordHash, role: input.role ?? 'trader' });
    this.logger.log({ msg: 'user created', userId: user.id, role: user.role });
    return user;
  }

  /**
   * Seed helper: makes sure an admin with this email exists. Creates it with `password` when absent; an existing
   * admin is left untouched (its password is NOT reset). An existing non-admin account is an error: a seed must
   * never silently promote someone.
   */
  async ensureAdmin(email: string, password: string): Promise<{ user: UserRecord; created: boolean }> {
    const existing = await this.users.findByEmail(normalizeEmail(email));
    if (existing) {
      if (existing.role !== 'admin') throw new ConflictError('A non-admin user with this email already exists', { userId: existing.id });
      return { user: existing, created: false };
    }
    return { user: await this.createUser({ email, password, role: 'admin' }), created: true };
  }

  async getById(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('user', userId);
    return user;
  }

  /** Every account (the admin route checks the caller's role). */
  listUsers(): Promise<UserRecord[]> {
    return this.users.listAll();
  }
}
