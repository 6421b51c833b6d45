import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '@tb/users';
import { testEnv } from '../../../../test/support/test-env';
import { ROOT, cleanEnv } from '../../../../test/support/processes';


function tb(args: string[], stdin: string, env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn('node', ['-r', './scripts/register.js', 'apps/cli/src/main.ts', ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env } as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => res({ code, out }));
    child.stdin.end(stdin);
  });
}

describe('tb users create-admin', () => {
  it('creates the first admin from a password on stdin, idempotently; the password is stored hashed', async () => {
    const env = testEnv();
    const email = `admin-${randomBytes(4).toString('hex')}@ops.example`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const first = await tb(['users', 'create-admin', '--email', email, '--password-stdin'], `${password}\n`, env);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain(`created admin ${email}`);
    expect(first.out).not.toContain(password);

    const again = await tb(['users', 'create-admin', '--email', email, '--password-stdin'], `${password}\n`, env);
    expect(again.code).toBe(0);
    expect(again.out).toContain('already exists');

    const ds = new DataSource({ type: 'postgres', url: env.DATABASE_URL });
    await ds.initialize();
    const rows: Array<{ role: string; password_hash: string }> = await ds.query('SELECT role, password_hash FROM users WHERE email = $1', [email]);
    await ds.destroy();
    expect(rows).toHaveLength(1);
    expect(rows[0].role).toBe('admin');
    expect(rows[0].password_hash).not.toContain(password);
    expect(await new PasswordHasher().verify(password, rows[0].password_hash)).toBe(true);
  });

  it('refuses a short password', async () => {
    const res = await tb(['users', 'create-admin', '--email', 'x@ops.example', '--password-stdin'], 'short\n', testEnv());
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/at least 12 characters/);
  });

  it('refuses an email the API would refuse, before touching the database', async () => {
    for (const email of ['not-an-email', 'a@b', `${'x'.repeat(250)}@ops.example`]) {
      const res = await tb(['users', 'create-admin', '--email', email, '--password-stdin'], 'a-long-enough-password\n', testEnv());
      expect(res.code, email).toBe(1);
      expect(res.out).toMatch(/email/);
    }
  });

  it('reads .env from the working directory like the apps; the process environment wins over the file', async () => {
    const env = testEnv();
    const dir = mkdtempSync(join(tmpdir(), 'tb-dotenv-'));
    try {
      const run = (args: string[], stdin: string, extra: Record<string, string>) =>
        new Promise<{ code: number | null; out: string }>((res) => {
          const base = cleanEnv();
          delete base.DATABASE_URL;
          const child = spawn('node', ['-r', join(ROOT, 'scripts/register.js'), join(ROOT, 'apps/cli/src/main.ts'), ...args], { cwd: dir, env: { ...base, NODE_ENV: 'test', ...extra } });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (code) => res({ code, out }));
          child.stdin.end(stdin);
        });
      const email = `dotenv-${randomBytes(4).toString('hex')}@ops.example`;
      // only the file names the database
      writeFileSync(join(dir, '.env'), `DATABASE_URL=${env.DATABASE_URL}\nLOG_LEVEL=silent\n`);
      const fromFile = await run(['users', 'create-admin', '--email', email, '--password-stdin'], 'a-long-enough-password\n', {});
      expect(fromFile.code, fromFile.out).toBe(0);
      expect(fromFile.out).toContain(`created admin ${email}`);
      // the file names a database that does not exist; the process environment's value is used
      writeFileSync(join(dir, '.env'), `DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_no_such_db_${randomBytes(3).toString('hex')}\n`);
      const envWins = await run(['users', 'create-admin', '--email', email, '--password-stdin'], 'a-long-enough-password\n', { DATABASE_URL: env.DATABASE_URL! });
      expect(envWins.code, envWins.out).toBe(0);
      expect(envWins.out).toContain('already exists');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
