import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './request-body';

const b = (s: string) => s;

describe('jsonDepthExceeds (raw text, before parsing)', () => {
  it.each([
    ['{}', 1, false],
    ['{"a":{"b":[1]}}', 3, false],
    ['{"a":{"b":[1]}}', 2, true],
    ['[[[[]]]]', 4, false],
    ['[[[[]]]]', 3, true],
  ])('%s with max %i -> %s', (json, max, exceeds) => {
    expect(jsonDepthExceeds(b(json), max)).toBe(exceeds);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(b(`{"a":"${'['.repeat(100)}","b":"\\"[[[[["}`), 1)).toBe(false);
  });

  it('sees 100,000 levels in one pass', () => {
    expect(jsonDepthExceeds(b('['.repeat(100_000) + ']'.repeat(100_000)), 32)).toBe(true);
  });
});
