import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { TelegramChatEntity, TelegramLinkCodeEntity } from '../telegram.entity';

/** The only place that touches linked chats and link codes. Trader-facing reads take the user id. */
@Injectable()
export class TelegramChatsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get chats() {
    return this.txHost.tx.getRepository(TelegramChatEntity);
  }

  private get codes() {
    return this.txHost.tx.getRepository(TelegramLinkCodeEntity);
  }

  async insertCode(codeHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.codes.insert({ codeHash, userId, expiresAt, usedAt: null });
  }

  /** Marks an unused, unexpired code used; the user it links, or null. One statement: a code works once. */
  async consumeCode(codeHash: string, now: Date): Promise<string | null> {
    const rows = (await this.txHost.tx.query(
      `UPDATE telegram_link_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`,
      [codeHash, now],
    )) as [Array<{ user_id: string }>, number];
    return rows[0][0]?.user_id ?? null;
  }

  /** Links a chat to a user (a chat linked before moves to this user and is active again). */
  async upsertChat(c: Pick<TelegramChatEntity, 'id' | 'userId' | 'chatId' | 'username'>): Promise<void> {
    await this.txHost.tx.query(
      `INSERT INTO telegram_chats (id, user_id, chat_id, username, active) VALUES ($1, $2, $3, $4, true)
       ON CONFLICT (chat_id) DO UPDATE SET user_id = EXCLUDED.user_id, username = EXCLUDED.username, active = true, linked_at = now()`,
      [c.id, c.userId, c.chatId, c.username],
    );
  }

  findByChatId(chatId: string): Promise<TelegramChatEntity | null> {
    return this.chats.findOneBy({ chatId });
  }

  listForUser(userId: string): Promise<TelegramChatEntity[]> {
    return this.chats.find({ where: { userId }, order: { linkedAt: 'ASC', id: 'ASC' } });
  }

  activeForUser(userId: string): Promise<TelegramChatEntity[]> {
    return this.chats.find({ where: { userId, active: true }, order: { linkedAt: 'ASC', id: 'ASC' } });
  }

  /** True while the chat is linked to this user and active (a queued notification is still theirs to receive). */
  async isActiveFor(chatId: string, userId: string): Promise<boolean> {
    return (await this.chats.countBy({ chatId, userId, active: true })) > 0;
  }

  async deleteForUser(userId: string, id: string): Promise<boolean> {
    const res = await this.chats.delete({ id, userId });
    return (res.affected ?? 0) > 0;
  }

  async deleteByChatId(chatId: string): Promise<boolean> {
    const res = await this.chats.delete({ chatId });
    return (res.affected ?? 0) > 0;
  }

  async markInactive(chatId: string): Promise<void> {
    await this.chats.update({ chatId }, { active: false });
  }
}
