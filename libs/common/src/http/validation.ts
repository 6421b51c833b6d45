import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { ErrorCode } from '../errors/error-code';

export interface FieldIssue {
  readonly field: string;
  readonly messages: string[];
}

function collect(errors: ValidationError[], parent = ''): FieldIssue[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...collect(e.children ?? [], field)];
  });
}

/** Thrown by the global ValidationPipe; the exception filter turns it into 400 with per-field details. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly fields: FieldIssue[]) {
    super({ code: ErrorCode.ValidationFailed, message: 'Request validation failed', details: fields });
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new RequestValidationException(collect(errors)),
  });
}
