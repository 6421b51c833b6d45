#!/usr/bin/env node
// Docker HEALTHCHECK: GET /health/live on the port of the app this container runs (no I/O beyond loopback HTTP).
const app = process.argv[2] || process.env.APP || 'hyperrsi-api';
const port = { 'hyperrsi-api': process.env.HYPERRSI_PORT || 8000, 'grid-api': process.env.GRID_PORT || 8012, worker: process.env.WORKER_PORT || 8020 }[app];
fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2500) })
  .then((r) => process.exit(r.ok ? 0 : 1))
  .catch(() => process.exit(1));
