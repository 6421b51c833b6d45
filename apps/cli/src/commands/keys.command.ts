import type { Command } from 'commander';

export function registerKeysCommand(program: Command): void {
  void program; // placeholder: the command is being written
}
