import type { Command } from 'commander';

export function registerBacktestCommand(program: Command): void {
  void program; // placeholder: the command is being written
}
