import 'reflect-metadata';
import { Command } from 'commander';
import { registerIndicatorsCommand } from './commands/indicators.command';
import { registerBacktestCommand } from './commands/backtest.command';
import { registerDataCommand } from './commands/data.command';
import { registerKeysCommand } from './commands/keys.command';
import { registerUsersCommand } from './commands/users.command';
import { registerBotsCommand } from './commands/bots.command';

/**
 * `tb` — the TradingBoost command line (`npm run tb -- <command>`).
 * Pure commands (indicators, backtest) need no services; `data import`, `keys rotate`, `users create-admin` and
 * `bots replay` use the database.
 */
async function main(argv: string[]): Promise<void> {
  const program = new Command('tb')
    .description('TradingBoost command line: market data, indicators, backtests, maintenance')
    .showHelpAfterError()
    .exitOverride();
  registerIndicatorsCommand(program);
  registerBacktestCommand(program);
  registerDataCommand(program);
  registerKeysCommand(program);
  registerUsersCommand(program);
  registerBotsCommand(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; exitCode?: number; message?: string };
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
  if (e.code?.startsWith('commander.')) process.exit(e.exitCode ?? 2);
  process.stderr.write(`tb: ${e.message ?? String(err)}\n`);
  process.exit(1);
});
