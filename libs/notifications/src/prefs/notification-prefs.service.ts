import { Injectable } from '@nestjs/common';
import type { NotificationMode } from '../telegram.entity';
import { NotificationPrefsRepository } from './notification-prefs.repository';

/** The event types a user is notified of (the list; `order.canceled` is not sent). */
export const NOTIFIED_EVENTS = ['order.filled', 'position.opened', 'position.closed', 'bot.started', 'bot.stopped', 'bot.paused', 'bot.error'] as const;
export type NotifiedEvent = (typeof NOTIFIED_EVENTS)[number];

/** Per user and event type: on, silent (sent without sound) or off. No row = on. */
@Injectable()
export class NotificationPrefsService {
  constructor(private readonly repo: NotificationPrefsRepository) {}

  async all(userId: string): Promise<Record<NotifiedEvent, NotificationMode>> {
    const rows = await this.repo.forUser(userId);
    const out = Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, 'on'])) as Record<NotifiedEvent, NotificationMode>;
    for (const r of rows) if ((NOTIFIED_EVENTS as readonly string[]).includes(r.eventType)) out[r.eventType as NotifiedEvent] = r.mode;
    return out;
  }

  async modeOf(userId: string, eventType: string): Promise<NotificationMode> {
    if (!(NOTIFIED_EVENTS as readonly string[]).includes(eventType)) return 'off';
    return (await this.repo.one(userId, eventType)) ?? 'on';
  }

  async set(userId: string, eventType: NotifiedEvent, mode: NotificationMode): Promise<void> {
    await this.repo.upsert(userId, eventType, mode);
  }
}
