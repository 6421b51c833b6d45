// Linted by test/lint-boundaries.spec.ts: a module may register entities (@nestjs/typeorm) but not use TypeORM itself.
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export const fixture = [TypeOrmModule, DataSource];
