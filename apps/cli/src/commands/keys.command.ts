import type { Command } from 'commander';

// Nest and the libs are loaded when the command runs, never for `tb --help`.

export interface KeysCommandIo {
  readonly stdout: NodeJS.WritableStream;
}

/**
 * `tb keys rotate`: re-encrypt every stored exchange secret with the active key.
 * Procedure: set ENCRYPTION_KEY (new key), ENCRYPTION_KEY_ID (its new id) and ENCRYPTION_KEYS_PREVIOUS="oldId:oldKey"
 * for the apps and this command; run it; once it reports 0 remaining, drop the old key from ENCRYPTION_KEYS_PREVIOUS.
 */
export function registerKeysCommand(program: Command, io: KeysCommandIo = { stdout: process.stdout }): void {
  const keys = program.command('keys').description('encryption key maintenance');
  keys
    .command('rotate')
    .description('re-encrypt every stored exchange secret with the active ENCRYPTION_KEY (old keys from ENCRYPTION_KEYS_PREVIOUS)')
    .action(async () => {
      const { loadConfig, processEnv } = await import('../lazy/config');
      const rotated = await rotateKeys(processEnv());
      io.stdout.write(`rotated ${rotated} exchange account(s) to key "${loadConfig(processEnv()).security.activeKeyId}"\n`);
    });
}

/** Boots the minimum (config, database, accounts) and rotates. Exported for tests. */
export async function rotateKeys(env: Record<string, string | undefined>): Promise<number> {
  const [{ Module }, { NestFactory }, { TbConfigModule }, { RequestContextModule }, { DatabaseModule }, { AccountsModule, ExchangeAccountsService }] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('../lazy/config'),
    import('../lazy/common'),
    import('../lazy/database'),
    import('../lazy/accounts'),
  ]);
  class KeysRotateModule {}
  Module({ imports: [TbConfigModule.forRoot({ env }), RequestContextModule, DatabaseModule, AccountsModule] })(KeysRotateModule);
  const app = await NestFactory.createApplicationContext(KeysRotateModule, { logger: ['error', 'warn'] });
  try {
    return await app.get(ExchangeAccountsService).rotateKeys();
  } finally {
    await app.close();
  }
}
