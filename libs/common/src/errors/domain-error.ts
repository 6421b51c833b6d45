import { ErrorCode } from './error-code';

/**
 * Base class for every error a lib throws on purpose. Libs never throw HTTP exceptions: the HTTP layer maps
 * `code` to a status in one place (the global exception filter).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, id: string) {
    super(ErrorCode.NotFound, `${resource} ${id} not found`, { resource, id });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.Conflict, message, details);
  }
}

export class IllegalStateTransitionError extends DomainError {
  constructor(entity: string, from: string, to: string) {
    super(ErrorCode.IllegalStateTransition, `${entity} cannot move from ${from} to ${to}`, { entity, from, to });
  }
}

export class BadRequestError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(ErrorCode.BadRequest, message, details);
  }
}
