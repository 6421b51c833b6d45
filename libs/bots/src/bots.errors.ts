import { DomainError, ErrorCode } from '@tb/common';
import type { StrategySettingsError } from '@tb/strategies';

/** 400 with one detail per bad setting. */
export class InvalidBotSettingsError extends DomainError {
  constructor(err: StrategySettingsError) {
    super(ErrorCode.StrategySettingsInvalid, err.message, { issues: err.issues });
  }
}
