#!/usr/bin/env node
// Fails when package-lock.json is out of date with package.json: every dependency of package.json must be in the
// lockfile's root entry with the same range, and installed in the lockfile's tree (what `npm ci` insists on).
// Runs without the network and before any install (.ci/run, test/lockfile.spec.ts).
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const KINDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/** The ways `lock` disagrees with `pkg` (empty when in sync). */
function lockfileProblems(pkg, lock) {
  const problems = [];
  if (!lock || lock.lockfileVersion < 2 || !lock.packages || !lock.packages['']) {
    return ['package-lock.json has no "packages" section (lockfileVersion >= 2): regenerate it with npm install'];
  }
  const root = lock.packages[''];
  if (lock.name !== pkg.name || root.name !== pkg.name) problems.push(`name: package.json "${pkg.name}", lockfile "${root.name}"`);
  if (root.version !== pkg.version) problems.push(`version: package.json "${pkg.version}", lockfile "${root.version}"`);
  for (const kind of KINDS) {
    const want = pkg[kind] || {};
    const have = root[kind] || {};
    for (const [name, range] of Object.entries(want)) {
      if (!(name in have)) problems.push(`${kind}: ${name}@${range} is missing from the lockfile`);
      else if (have[name] !== range) problems.push(`${kind}: ${name} is "${range}" in package.json but "${have[name]}" in the lockfile`);
      else if (kind !== 'peerDependencies' && !lock.packages[`node_modules/${name}`]) problems.push(`${kind}: ${name} has no resolved entry in the lockfile`);
    }
    for (const name of Object.keys(have)) {
      if (!(name in want)) problems.push(`${kind}: ${name} is in the lockfile but no longer in package.json`);
    }
  }
  return problems;
}

module.exports = { lockfileProblems };

if (require.main === module) {
  const dir = process.argv[2] || join(__dirname, '..');
  const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const problems = lockfileProblems(read('package.json'), read('package-lock.json'));
  if (problems.length) {
    process.stderr.write(`package-lock.json is out of date with package.json (run npm install and commit the lockfile):\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write('package-lock.json is in sync with package.json\n');
}
