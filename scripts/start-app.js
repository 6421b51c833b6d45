#!/usr/bin/env node
// Container entry point: runs one of the three apps from the built output, chosen by argument or APP.
const path = require('path');
const APPS = ['hyperrsi-api', 'grid-api', 'worker'];
const app = process.argv[2] || process.env.APP || 'hyperrsi-api';
if (!APPS.includes(app)) {
  process.stderr.write(`unknown app "${app}" (expected one of ${APPS.join(', ')})\n`);
  process.exit(2);
}
require(path.join(__dirname, '..', 'dist', 'apps', app, 'src', 'main.js'));
