import type { Command } from 'commander';
import type { JournalEntry, JournalInput, ReplayVerdict } from '@tb/bots';
// Nest and the libs are loaded when the command runs, never for `tb --help`.
import type { Intent } from '@tb/strategies';

/** Where the command writes: process streams by default, replaceable in tests. */
export interface BotsCommandIo {
  readonly stdout: NodeJS.WritableStream;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `tb bots replay <botId>` — re-run a bot's decision journal through its pure strategy from the initial state and
 * compare every decision (intents and state hash). Prints `identical: N decisions` (exit 0) or the first
 * divergence `diverged at decision S: <reason>` (exit 1).
 */
export function registerBotsCommand(program: Command, io: BotsCommandIo = { stdout: process.stdout }): void {
  const bots = program.command('bots').description('bot runtime tools');
  bots
    .command('replay')
    .description("re-run a bot's decision journal through the pure strategy; exit 0 when identical, 1 at the first divergence")
    .argument('<botId>', 'the bot id (uuid)')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL from the environment)')
    .action(async (botId: string, opts: { databaseUrl?: string }) => {
      const { processEnv } = await import('../lazy/config');
      const env = processEnv();
      const verdict = await replayBotJournal(opts.databaseUrl ? { ...env, DATABASE_URL: opts.databaseUrl } : env, botId);
      io.stdout.write(formatVerdict(verdict));
      if (!verdict.identical) process.exitCode = 1;
    });
}

export function formatVerdict(v: ReplayVerdict): string {
  return v.identical ? `identical: ${v.decisions} decisions\n` : `diverged at decision ${v.seq}: ${v.reason}\n`;
}

/** Load the bot's journal page by page and replay it. Exported for tests. */
export async function replayBotJournal(env: Record<string, string | undefined>, botId: string, pageSize = 5_000): Promise<ReplayVerdict> {
  if (!UUID.test(botId)) throw new Error(`botId must be a uuid, got ${JSON.stringify(botId)}`);
  const [{ Module }, { NestFactory }, { TbConfigModule }, { RequestContextModule }, { DatabaseModule }, { BotsJournalModule, BotsRepository, botStrategy, replayJournal }] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('../lazy/config'),
    import('../lazy/common'),
    import('../lazy/database'),
    import('../lazy/bots'),
  ]);
  class BotsReplayModule {}
  Module({ imports: [TbConfigModule.forRoot({ env }), RequestContextModule, DatabaseModule, BotsJournalModule] })(BotsReplayModule);
  const app = await NestFactory.createApplicationContext(BotsReplayModule, { logger: ['error', 'warn'] });
  try {
    const repo = app.get(BotsRepository);
    const bot = await repo.findById(botId);
    if (!bot) throw new Error(`no bot ${botId}`);
    const entries: JournalEntry[] = [];
    for (let after = 0; ; ) {
      const page = await repo.listDecisions(botId, after, pageSize);
      for (const d of page) entries.push({ seq: Number(d.seq), input: d.input as JournalInput, intents: d.intents as Intent[], stateHash: d.stateHash, entryHash: d.entryHash });
      if (page.length < pageSize) break;
      after = Number(page[page.length - 1].seq);
    }
    if (entries.length === 0) throw new Error(`bot ${botId} has no decisions yet`);
    return replayJournal(botStrategy(bot.strategy), entries);
  } finally {
    await app.close();
  }
}
