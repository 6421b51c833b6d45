import { DomainError, ErrorCode } from '@tb/common';
import { apiSettingsErrorParts, type StrategyCommandError, type StrategySettingsError } from '@tb/strategies';

/** 400 with one detail per bad setting, as `settings.<field>` under API names (the shape of every per-field 400). */
export class InvalidBotSettingsError extends DomainError {
  constructor(err: StrategySettingsError) {
    super(
      ErrorCode.StrategySettingsInvalid,
      ...apiSettingsErrorParts(err),
    );
  }
}

/** 400 STRATEGY_COMMAND_INVALID: a malformed command, or one the bot's strategy does not accept; one detail per field. */
export class InvalidBotCommandError extends DomainError {
  constructor(err: StrategyCommandError) {
    super(
      ErrorCode.StrategyCommandInvalid,
      err.message,
      err.issues.map((i) => ({ field: i.field === 'command' ? 'command' : `command.${i.field}`, messages: [i.message] })),
    );
  }
}
