import { expect } from 'vitest';
import type request from 'supertest';

/** The response is `status` with the standard error body `{"error":{code, message, request_id, details, path, timestamp}}` of `code`. */
export function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error).toEqual(expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }));
  expect(res.body.error).toHaveProperty('details');
}
