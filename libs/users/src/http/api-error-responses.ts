import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '@tb/common';

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED / BAD_REQUEST: the request is malformed',
  401: 'UNAUTHORIZED / INVALID_CREDENTIALS / INVALID_REFRESH_TOKEN: missing or invalid credentials',
  403: 'FORBIDDEN: authenticated, but the role, scopes or credential kind do not allow this',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED: too many requests (see the Retry-After header)',
};

/** Documents the standard error body for each status. */
export const ApiErrorResponses = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, type: ErrorResponseDto, description: DESCRIPTIONS[status] ?? 'Error' })));
