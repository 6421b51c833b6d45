import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationException, type FieldIssue } from './validation';

const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string can never be stored (PostgreSQL refuses NUL in text; a lone UTF-16 surrogate is not Unicode). */
export function unsafeStringReason(s: string): string | null {
  if (s.includes(NUL)) return 'must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (no lone surrogates)';
  return null;
}

function collect(value: unknown, path: string, out: FieldIssue[], depth: number): void {
  if (out.length >= 20 || depth > 64) return;
  if (typeof value === 'string') {
    const reason = unsafeStringReason(value);
    if (reason) out.push({ field: path || 'value', messages: [`${path || 'value'} ${reason}`] });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [k, v] of entries) {
    const field = path ? `${path}.${k}` : k;
    const keyReason = unsafeStringReason(k);
    if (keyReason) out.push({ field, messages: [`key of ${path || 'body'} ${keyReason}`] });
    collect(v, field, out, depth + 1);
  }
}

/**
 * Global pipe, before validation: every string a handler receives (body, query, path parameters, and object keys)
 * is free of NUL characters and lone surrogates, so no such value can reach PostgreSQL, Redis or a log line.
 * A violation is the same 400 VALIDATION_FAILED, with per-field details, as any other invalid field.
 */
@Injectable()
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const issues: FieldIssue[] = [];
    collect(value, metadata.type === 'body' ? '' : (metadata.data ?? ''), issues, 0);
    if (issues.length > 0) throw new RequestValidationException(issues);
    return value;
  }
}
