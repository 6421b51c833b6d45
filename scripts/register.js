// Runs TypeScript sources directly (CLI, benchmarks, TypeORM CLI) with swc: fast, with decorator
// metadata (Nest DI needs it) and the @tb/* path aliases from tsconfig.json.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
