// Deliberate violation (linted by test/lint-boundaries.spec.ts): TypeORM outside a repository/entity/migration.
import type { DataSource } from 'typeorm';

export type Db = DataSource;
