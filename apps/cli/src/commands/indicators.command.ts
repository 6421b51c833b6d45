import type { Command } from 'commander';

export function registerIndicatorsCommand(program: Command): void {
  void program; // placeholder: the command is being written
}
