import { Injectable, Logger } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { BadRequestError, ConflictError, NotFoundError } from '@tb/common';
import { PasswordHasher } from '../crypto/password-hasher';
import { UsersRepository, type UserRecord } from './users.repository';
import type { UserRole } from './user-role';

/** Emails compare case-insensitively; we store them trimmed and lowercase. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The password rule, for every way in (API DTO, CLI, password changes): length only, as NIST SP 800-63B advises. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Why `password` breaks the password rule, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `the password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `the password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

export const EMAIL_MAX_LENGTH = 254;

/** Why `email` is not an address the API accepts (the DTO's @IsEmail() and @MaxLength), or null when it is fine. */
export function emailProblem(email: string): string | null {
  const e = email.trim();
  if (e.length > EMAIL_MAX_LENGTH) return `the email must be at most ${EMAIL_MAX_LENGTH} characters`;
  if (!isEmail(e)) return 'email must be an email';
  return null;
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

  /** Throws a 400 BAD_REQUEST when `email` is not one the API accepts. */
  checkEmail(email: string): void {
    const problem = emailProblem(email);
    if (problem) throw new BadRequestError(problem, { field: 'email' });
  }

  /** Throws a 400 BAD_REQUEST naming the rule when `password` breaks it. */
  checkPassword(password: string): void {
    const problem = passwordProblem(password);
    if (problem) throw new BadRequestError(problem, { field: 'password' });
  }

  /** Creates an account (admin route, seeds, tests). Throws a 409 CONFLICT when the email is taken, 400 on a weak password. */
  async createUser(input: CreateUserInput): Promise<UserRecord> {
    this.checkEmail(input.email);
    this.checkPassword(input.password);
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
    this.checkEmail(email);
    this.checkPassword(password);
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
