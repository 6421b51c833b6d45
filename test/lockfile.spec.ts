import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The check .ci/run runs before `npm ci`: the committed lockfile matches package.json, and a drift is caught.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lockfileProblems } = require('../scripts/check-lockfile.js') as {
  lockfileProblems: (pkg: Record<string, unknown>, lock: Record<string, unknown>) => string[];
};

const ROOT = resolve(__dirname, '..');
const read = (f: string) => JSON.parse(readFileSync(resolve(ROOT, f), 'utf8')) as Record<string, unknown> & { devDependencies: Record<string, string> };

describe('package-lock.json', () => {
  it('is in sync with package.json', () => {
    expect(lockfileProblems(read('package.json'), read('package-lock.json'))).toEqual([]);
  });

  it('a dependency added, changed or removed in package.json without updating the lockfile is reported', () => {
    const pkg = read('package.json');
    const lock = read('package-lock.json');
    const [name, range] = Object.entries(pkg.devDependencies)[0];
    expect(lockfileProblems({ ...pkg, devDependencies: { ...pkg.devDependencies, 'left-pad': '^1.3.0' } }, lock)).toEqual([
      'devDependencies: left-pad@^1.3.0 is missing from the lockfile',
    ]);
    expect(lockfileProblems({ ...pkg, devDependencies: { ...pkg.devDependencies, [name]: `${range}-changed` } }, lock)).toEqual([
      `devDependencies: ${name} is "${range}-changed" in package.json but "${range}" in the lockfile`,
    ]);
    const { [name]: _removed, ...rest } = pkg.devDependencies;
    expect(lockfileProblems({ ...pkg, devDependencies: rest }, lock)).toEqual([`devDependencies: ${name} is in the lockfile but no longer in package.json`]);
  });
});
