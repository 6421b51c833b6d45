/**
 * A local fake of the Telegram Bot API (plain node:http on 127.0.0.1) that the REAL telegraf client talks to:
 * point it at `apiRoot` (TELEGRAM_API_ROOT). Requests are POST /bot<token>/<method> with a JSON or form body;
 * answers use Telegram's envelope ({ ok, result } or { ok: false, error_code, description, parameters }).
 *
 * Served: getMe, deleteWebhook, getUpdates (long poll; a second concurrent poller gets Telegram's 409
 * "terminated by other getUpdates request" and is counted in `conflicts`), sendMessage, editMessageText,
 * editMessageReplyMarkup, answerCallbackQuery, setMyCommands, getMyCommands; anything else answers 404 like Telegram.
 *
 * Controls for tests: `sendText`/`pressButton` inject user updates; `sent` records every call the bot made;
 * `failNext(method, fault)` and `setRandomFaults` inject 429 (retry_after), 5xx, 403 and timeouts; `onCall` sees each
 * call before it is answered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeTelegramFault = { kind: '429'; retryAfter: number } | { kind: '5xx' } | { kind: '403' } | { kind: 'timeout' };

export interface RecordedCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly at: number;
  /** false when a fault was injected (Telegram did not accept the call) */
  accepted: boolean;
}

interface Poller {
  res: ServerResponse;
  timer: NodeJS.Timeout;
  offset: number;
  limit: number;
}

export class FakeTelegramServer {
  readonly calls: RecordedCall[] = [];
  conflicts = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private poller?: Poller;
  private readonly scripted = new Map<string, FakeTelegramFault[]>();
  private randomFaults?: { rate: number; kinds: FakeTelegramFault[]; methods: string[]; rng: () => number };
  /** chat id -> blocked the bot (every send answers 403) */
  readonly blockedChats = new Set<number>();
  /** called for every recorded call once its fate is decided (`accepted`), before the answer is written */
  onCall?: (call: RecordedCall) => void;

  constructor(readonly token = '123456789:AAtest-token-for-the-fake-telegram') {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on('connection', (s) => (this.sockets.add(s), s.on('close', () => this.sockets.delete(s))));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (this.poller) clearTimeout(this.poller.timer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  // ---- user side ---------------------------------------------------------------------------------------------

  /** A user writes `text` in chat `chatId`. */
  sendText(chatId: number, text: string, username = `u${chatId}`): number {
    const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0].length }] : undefined;
    const message = { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: username, username }, text, entities };
    return this.pushUpdate({ message });
  }

  /** A user presses an inline button with `data` on message `messageId`. */
  pressButton(chatId: number, messageId: number, data: string): number {
    const from = { id: chatId, is_bot: false, first_name: `u${chatId}` };
    const callback_query = { id: `cb${this.nextUpdateId}`, from, chat_instance: String(chatId), data, message: { message_id: messageId, date: 0, chat: { id: chatId, type: 'private' }, text: '' } };
    return this.pushUpdate({ callback_query });
  }

  private pushUpdate(u: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    this.updates.push({ update_id, ...u });
    this.flushPoller();
    return update_id;
  }

  // ---- observation -------------------------------------------------------------------------------------------

  /** Every call of `method` (optionally to one chat), oldest first, faulted ones included. */
  callsOf(method: string, chatId?: number): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && (chatId === undefined || Number(c.params.chat_id) === chatId));
  }

  /** The texts Telegram accepted for a chat, in order. */
  textsTo(chatId: number): string[] {
    return this.callsOf('sendMessage', chatId)
      .filter((c) => c.accepted)
      .map((c) => String(c.params.text));
  }

  /** Resolves with the first sendMessage to `chatId` after `since` calls matching `pred`. */
  async waitForMessage(chatId: number, pred: (text: string) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<RecordedCall> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.calls.slice(since).find((c) => c.accepted && c.method === 'sendMessage' && Number(c.params.chat_id) === chatId && pred(String(c.params.text)));
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no message to chat ${chatId} matching within ${timeoutMs} ms; got: ${JSON.stringify(this.textsTo(chatId))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Resolves with the first accepted sendMessage or editMessageText to `chatId` after `since` calls whose text matches
   * `pred` (the bot edits a flow's message in place when a button is pressed).
   */
  async waitForText(chatId: number, pred: (text: string) => boolean, since = 0, timeoutMs = 15_000): Promise<RecordedCall> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.calls.slice(since).find((c) => c.accepted && (c.method === 'sendMessage' || c.method === 'editMessageText') && Number(c.params.chat_id) === chatId && pred(String(c.params.text)));
      if (hit) return hit;
      if (Date.now() > end) {
        const seen = this.calls.slice(since).filter((c) => (c.method === 'sendMessage' || c.method === 'editMessageText') && Number(c.params.chat_id) === chatId).map((c) => String(c.params.text));
        throw new Error(`no text to chat ${chatId} matching within ${timeoutMs} ms; got: ${JSON.stringify(seen)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The callback_data of every inline button of a recorded call's reply_markup. */
  static buttonsOf(call: RecordedCall): Array<{ text: string; data: string }> {
    const raw = call.params.reply_markup;
    const markup = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
    return (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data }));
  }

  // ---- faults ------------------------------------------------------------------------------------------------

  failNext(method: string, fault: FakeTelegramFault): void {
    const list = this.scripted.get(method) ?? [];
    list.push(fault);
    this.scripted.set(method, list);
  }

  setRandomFaults(opts?: { rate: number; kinds: FakeTelegramFault[]; methods?: string[]; rng?: () => number }): void {
    this.randomFaults = opts ? { methods: ['sendMessage'], rng: Math.random, ...opts } : undefined;
  }

  private faultFor(method: string): FakeTelegramFault | undefined {
    const list = this.scripted.get(method);
    if (list?.length) return list.shift();
    const r = this.randomFaults;
    if (r && r.methods.includes(method) && r.rng() < r.rate) return r.kinds[Math.floor(r.rng() * r.kinds.length)];
    return undefined;
  }

  // ---- HTTP --------------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now(); // when the request arrived (its body is read next)
    const m = /^\/bot([^/]+)\/([A-Za-z]+)/.exec(req.url ?? '');
    const params = await readParams(req);
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== this.token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2];
    const call: RecordedCall = { method, params, at, accepted: true };
    this.calls.push(call);
    const fault = this.faultFor(method);
    const chatId = Number(params.chat_id);
    const blocked = (method === 'sendMessage' || method === 'editMessageText') && this.blockedChats.has(chatId);
    if (fault || blocked) call.accepted = false;
    this.onCall?.(call); // before the answer: a test can kill the client between Telegram's acceptance and its answer
    if (fault) return this.applyFault(res, fault);
    if (blocked) return send(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    switch (method) {
      case 'getMe':
        return ok(res, { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'TradingBoost', username: 'tradingboost_test_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'deleteWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
        return ok(res, true);
      case 'getMyCommands':
        return ok(res, this.callsOf('setMyCommands').at(-1)?.params.commands ?? []);
      case 'sendMessage':
        return ok(res, { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, text: params.text, reply_markup: params.reply_markup });
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return ok(res, { message_id: Number(params.message_id), date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, text: params.text, reply_markup: params.reply_markup });
      case 'getUpdates':
        return this.getUpdates(res, params);
      default:
        return send(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  private applyFault(res: ServerResponse, f: FakeTelegramFault): void {
    if (f.kind === '429') return send(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${f.retryAfter}`, parameters: { retry_after: f.retryAfter } });
    if (f.kind === '5xx') return send(res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
    if (f.kind === '403') return send(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    res.socket?.destroy(); // timeout: the connection drops without an answer
  }

  private getUpdates(res: ServerResponse, params: Record<string, unknown>): void {
    if (this.poller) {
      // Telegram's behaviour: the earlier long poll is terminated by the newer one (a conflict when its client is still there)
      if (!this.poller.res.socket?.destroyed) this.conflicts++;
      clearTimeout(this.poller.timer);
      send(this.poller.res, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
      this.poller = undefined;
    }
    const offset = Number(params.offset ?? 0);
    // confirmed updates are forgotten, as Telegram does
    while (this.updates.length && this.updates[0].update_id < offset) this.updates.shift();
    const limit = Number(params.limit ?? 100);
    const timeoutS = Math.min(Number(params.timeout ?? 0), 2);
    const poller: Poller = { res, offset, limit, timer: setTimeout(() => this.flushPoller(true), timeoutS * 1000) };
    this.poller = poller;
    res.on('close', () => {
      if (this.poller !== poller) return;
      clearTimeout(poller.timer);
      this.poller = undefined;
    });
    this.flushPoller();
  }

  private flushPoller(timedOut = false): void {
    const p = this.poller;
    if (!p) return;
    const batch = this.updates.filter((u) => u.update_id >= p.offset).slice(0, p.limit);
    if (!batch.length && !timedOut) return;
    clearTimeout(p.timer);
    this.poller = undefined;
    ok(p.res, batch);
  }
}

function ok(res: ServerResponse, result: unknown): void {
  send(res, 200, { ok: true, result });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  if (!raw) return query;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('json')) return { ...query, ...(JSON.parse(raw) as Record<string, unknown>) };
  const form = Object.fromEntries(new URLSearchParams(raw));
  return { ...query, ...form };
}
