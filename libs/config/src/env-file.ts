import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const loaded = new Set<string>();

/**
 * The one .env loader of every entry point (the apps through TbConfigModule, the `tb` CLI, the TypeORM CLI through
 * ormconfig.ts): reads `<cwd>/.env` once into process.env with Node's own parser (process.loadEnvFile). A variable
 * already set in the process environment wins over the file. No file, nothing loaded. Returns the path it loaded.
 */
export function loadEnvFile(path: string = resolve(process.cwd(), '.env')): string | null {
  if (loaded.has(path)) return path;
  if (!existsSync(path)) return null;
  process.loadEnvFile(path);
  loaded.add(path);
  return path;
}
