import { Injectable } from '@nestjs/common';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import type { TelegramChatEntity } from '../telegram.entity';
import { TelegramChatsRepository } from './telegram-chats.repository';

/** Link codes live this long. */
export const LINK_CODE_TTL_MS = 10 * 60_000;
// no 0/O, 1/I/L: a code is typed by hand
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

export const hashLinkCode = (code: string): string => createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

/** Linking Telegram chats to users: one-time, short-lived codes (stored hashed), unlinking, the user's chats. */
@Injectable()
export class TelegramLinkingService {
  constructor(private readonly repo: TelegramChatsRepository) {}

  /** A new code; its plain text is returned once and never stored. */
  async createCode(userId: string, now = new Date()): Promise<{ code: string; expiresAt: Date }> {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
    await this.repo.insertCode(hashLinkCode(code), userId, expiresAt);
    return { code, expiresAt };
  }

  /** Redeems a code for a chat: the linked user id, or null (unknown, used or expired code: nothing changes). */
  @Transactional()
  async redeem(code: string, chatId: string, username: string | null, now = new Date()): Promise<string | null> {
    if (!/^[A-Za-z0-9]{1,32}$/.test(code.trim())) return null;
    const userId = await this.repo.consumeCode(hashLinkCode(code), now);
    if (!userId) return null;
    await this.repo.upsertChat({ id: randomUUID(), userId, chatId, username });
    return userId;
  }

  /** The user a chat is linked to (inactive chats included: writing to the bot again proves it is unblocked). */
  async userOfChat(chatId: string): Promise<string | null> {
    return (await this.repo.findByChatId(chatId))?.userId ?? null;
  }

  unlinkChat(chatId: string): Promise<boolean> {
    return this.repo.deleteByChatId(chatId);
  }

  chats(userId: string): Promise<TelegramChatEntity[]> {
    return this.repo.listForUser(userId);
  }

  async removeChat(userId: string, id: string): Promise<void> {
    if (!(await this.repo.deleteForUser(userId, id))) throw new NotFoundError('Telegram chat', id);
  }
}
