import { DomainError, ErrorCode } from '@tb/common';
import type { StrategySettingsError } from '@tb/strategies';

/** 400 with one detail per bad setting, as `settings.<field>` (the shape of every per-field 400). */
export class InvalidBotSettingsError extends DomainError {
  constructor(err: StrategySettingsError) {
    super(
      ErrorCode.StrategySettingsInvalid,
      err.message,
      err.issues.map((i) => ({ field: `settings.${i.field}`, messages: [i.message] })),
    );
  }
}
