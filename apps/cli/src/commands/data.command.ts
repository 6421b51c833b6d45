import type { Command } from 'commander';

export function registerDataCommand(program: Command): void {
  void program; // placeholder: the command is being written
}
