import type { Telegram } from 'telegraf';
import { pause, type SendPacer } from './send-pacer';

export type SendOutcome = { kind: 'sent'; messageId: number } | { kind: 'blocked' } | { kind: 'rejected'; reason: string } | { kind: 'stopped' };

export interface SendPolicy {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** a request without an answer after this long is a network error (telegraf's own limit is 500 s) */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_SEND_POLICY: SendPolicy = { backoffBaseMs: 500, backoffMaxMs: 30_000, requestTimeoutMs: 20_000 };

interface ApiError {
  code?: unknown;
  response?: { error_code?: number; parameters?: { retry_after?: number } };
}

type CallSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];
/** Node's AbortSignal (telegraf's node-fetch accepts it; its types name the abort-controller package's). */
const timeoutSignal = (ms: number): CallSignal => AbortSignal.timeout(ms) as unknown as CallSignal;

/**
 * One message to one chat, paced, until Telegram accepts it: 429 waits Telegram's retry_after (and holds the chat),
 * 5xx and network errors (timeouts included) back off exponentially and retry, 403 (the user blocked the bot) is
 * `blocked`, any other 4xx is `rejected` (retrying cannot help). `stopped` when `signal` aborted before a request
 * went out; a request in flight is never aborted by it (Telegram may accept it: its answer is what we record).
 */
export async function sendPaced(
  telegram: Telegram,
  pacer: SendPacer,
  chatId: string,
  text: string,
  silent: boolean,
  policy: SendPolicy = DEFAULT_SEND_POLICY,
  signal?: AbortSignal,
): Promise<SendOutcome> {
  let failures = 0;
  for (;;) {
    if (!(await pacer.waitTurn(chatId, signal))) return { kind: 'stopped' };
    try {
      const m = await telegram.callApi('sendMessage', { chat_id: chatId, text, disable_notification: silent }, { signal: timeoutSignal(policy.requestTimeoutMs) });
      return { kind: 'sent', messageId: m.message_id };
    } catch (e) {
      const err = e as ApiError;
      const code = err.response?.error_code ?? err.code;
      if (code === 429) {
        await pacer.holdChat(chatId, (err.response?.parameters?.retry_after ?? 1) * 1000);
        continue;
      }
      if (code === 403) return { kind: 'blocked' };
      if (typeof code === 'number' && code >= 400 && code < 500) return { kind: 'rejected', reason: (e as Error).message };
      failures++;
      await pause(Math.min(policy.backoffBaseMs * 2 ** (failures - 1), policy.backoffMaxMs), signal);
    }
  }
}
