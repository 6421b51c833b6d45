import type { Command } from 'commander';

// Nest and the libs are loaded when the command runs, never for `tb --help`.

export interface UsersCommandIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * `tb users create-admin --email E --password-stdin`: the first admin of a fresh installation (idempotent: an
 * existing admin is left as it is). The password is read from standard input, never from an argument or the
 * environment, so it appears neither in the process list nor in shell history.
 */
export function registerUsersCommand(program: Command, io: UsersCommandIo = { stdin: process.stdin, stdout: process.stdout }): void {
  const users = program.command('users').description('user administration');
  users
    .command('create-admin')
    .description('create the admin account if it does not exist (password on standard input)')
    .requiredOption('--email <email>', 'admin email')
    .requiredOption('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string }) => {
      const [{ emailProblem, passwordProblem }, { processEnv }] = await Promise.all([import('../lazy/users'), import('../lazy/config')]);
      const badEmail = emailProblem(opts.email); // the API's rule (@IsEmail), also enforced by UsersService
      if (badEmail) throw new Error(badEmail);
      const password = await readAll(io.stdin);
      const problem = passwordProblem(password); // UsersService's rule, checked before connecting anywhere
      if (problem) throw new Error(problem);
      const { created, userId } = await createAdmin(processEnv(), opts.email, password);
      io.stdout.write(created ? `created admin ${opts.email} (${userId})\n` : `admin ${opts.email} already exists (${userId}); left unchanged\n`);
    });
}

/** Boots the minimum (config, database, user accounts). Exported for tests. */
export async function createAdmin(env: Record<string, string | undefined>, email: string, password: string): Promise<{ created: boolean; userId: string }> {
  const [{ Module }, { NestFactory }, { TbConfigModule }, { RequestContextModule }, { DatabaseModule }, { UsersModule, UsersService }] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('../lazy/config'),
    import('../lazy/common'),
    import('../lazy/database'),
    import('../lazy/users'),
  ]);
  class CreateAdminModule {}
  Module({ imports: [TbConfigModule.forRoot({ env }), RequestContextModule, DatabaseModule, UsersModule] })(CreateAdminModule);
  const app = await NestFactory.createApplicationContext(CreateAdminModule, { logger: ['error', 'warn'] });
  try {
    const { user, created } = await app.get(UsersService).ensureAdmin(email, password);
    return { created, userId: user.id };
  } finally {
    await app.close();
  }
}
