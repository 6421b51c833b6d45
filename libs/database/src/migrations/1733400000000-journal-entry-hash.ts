import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `bot_decisions.entry_hash`: sha-256 of the entry itself (its input, its intents and the state hash), so that a
 * journal edited by hand is caught at the edited entry even when the edit leaves the strategy's state unchanged
 * (`tb bots replay`). Entries written before it have none and are checked by replay alone.
 */
export class JournalEntryHash1733400000000 implements MigrationInterface {
  name = 'JournalEntryHash1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "bot_decisions" ADD COLUMN "entry_hash" char(64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "bot_decisions" DROP COLUMN "entry_hash"`);
  }
}
