import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `paper_accounts.version`: every commit of a paper account's books moves it by one, and a commit made on books read
 * at another version is refused. A process that kept a paper account's books in memory while another process
 * (a second worker, the next replay step driven elsewhere) committed reloads them instead of writing over them.
 */
export class PaperBooksVersion1733650000000 implements MigrationInterface {
  name = 'PaperBooksVersion1733650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "paper_accounts" ADD COLUMN "version" bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "paper_accounts" DROP COLUMN "version"`);
  }
}
