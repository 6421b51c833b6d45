import type { Telegram } from 'telegraf';
import type { SendPacer } from './send-pacer';

export type SendOutcome = { kind: 'sent'; messageId: number } | { kind: 'blocked' } | { kind: 'rejected'; reason: string };

export interface SendPolicy {
  /** attempts for 5xx / network errors before giving up (the event stays pending and is retried later) */
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export const DEFAULT_SEND_POLICY: SendPolicy = { maxAttempts: 6, backoffBaseMs: 500, backoffMaxMs: 30_000 };

interface ApiError {
  code?: number;
  response?: { error_code?: number; parameters?: { retry_after?: number } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One message to one chat, paced: 429 waits Telegram's retry_after (and holds the chat), 5xx and network errors back
 * off exponentially, 403 (the user blocked the bot) is `blocked`, any other 4xx is `rejected` (retrying cannot help).
 * Throws when 5xx/network errors outlast the policy.
 */
export async function sendPaced(
  telegram: Telegram,
  pacer: SendPacer,
  chatId: string,
  text: string,
  silent: boolean,
  policy: SendPolicy = DEFAULT_SEND_POLICY,
): Promise<SendOutcome> {
  let failures = 0;
  for (;;) {
    await pacer.waitTurn(chatId);
    try {
      const m = await telegram.sendMessage(chatId, text, { disable_notification: silent });
      return { kind: 'sent', messageId: m.message_id };
    } catch (e) {
      const err = e as ApiError;
      const code = err.response?.error_code ?? err.code;
      if (code === 429) {
        const ms = (err.response?.parameters?.retry_after ?? 1) * 1000;
        await pacer.holdChat(chatId, ms);
        continue;
      }
      if (code === 403) return { kind: 'blocked' };
      if (typeof code === 'number' && code >= 400 && code < 500) return { kind: 'rejected', reason: (e as Error).message };
      failures++;
      if (failures >= policy.maxAttempts) throw e;
      await sleep(Math.min(policy.backoffBaseMs * 2 ** (failures - 1), policy.backoffMaxMs));
    }
  }
}
