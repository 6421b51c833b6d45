import { describe, expect, it } from 'vitest';
import { grantedScopes } from './user-role';

describe('grantedScopes', () => {
  it('keeps only the requested scopes the role allows, in canonical order, without duplicates', () => {
    expect(grantedScopes('trader', ['trade', 'admin', 'read', 'trade'])).toEqual(['read', 'trade']);
    expect(grantedScopes('admin', ['admin', 'read'])).toEqual(['read', 'admin']);
    expect(grantedScopes('trader', ['admin'])).toEqual([]);
    expect(grantedScopes('admin', ['root'])).toEqual([]);
  });
});
