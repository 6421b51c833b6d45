import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyInput, botStrategy, stateHash, type JournalInput } from '@tb/bots';
import { PAPER_MARKETS } from '@tb/exchange';
import type { MarketSpec } from '@tb/strategies';
import { testEnv } from '../../../../test/support/test-env';
import { readCandlesCsv } from '../../../../test/support/candles';
import { ROOT, cleanEnv } from '../../../../test/support/processes';
import { formatVerdict, replayBotJournal } from './bots.command';

function tb(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const child = spawn('node', ['-r', './scripts/register.js', 'apps/cli/src/main.ts', ...args], { cwd: ROOT, env: { ...cleanEnv(), ...env } as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => res({ code, out }));
  });
}

const SYMBOL = 'BTC/USDT:USDT';
const N = 300;

/**
 * `tb bots replay`: a journal written decision by decision through the pure strategy (init, then N candles), stored
 * as the runtime stores it, replays identical; a decision edited by SQL is caught at its own sequence number.
 */
describe('tb bots replay <botId>', () => {
  const env = testEnv();
  let ds: DataSource;
  let botId: string;
  const candles = readCandlesCsv('test/fixtures/candles/binance_BTC-USDT_1h_2024.csv').slice(0, N);
  const m = PAPER_MARKETS.get(SYMBOL)!;
  const market: MarketSpec = { symbol: SYMBOL, type: 'perp', tickSize: m.tickSize, amountStep: m.amountStep, minAmount: m.minAmount, minNotional: m.minNotional };

  beforeAll(async () => {
    ds = new DataSource({ type: 'postgres', url: env.DATABASE_URL });
    await ds.initialize();
    const [user] = await ds.query(`INSERT INTO users (email, password_hash, role) VALUES ($1, 'x', 'trader') RETURNING id`, [`bots-cli-${randomBytes(4).toString('hex')}@test.example`]);
    const [account] = await ds.query(`INSERT INTO exchange_accounts (id, user_id, exchange, label) VALUES (gen_random_uuid(), $1, 'paper', 'cli') RETURNING id`, [user.id]);
    botId = randomUUID();
    const strategy = botStrategy('hyperrsi');
    const settings = strategy.parseSettings({ leverage: 10 });
    await ds.query(
      `INSERT INTO bots (id, user_id, account_id, strategy, symbol, timeframe, settings, feed, market, status, decisions)
       VALUES ($1, $2, $3, 'hyperrsi', $4, '1h', '{"leverage":10}', '{"kind":"live"}', $5, 'stopped', $6)`,
      [botId, user.id, account.id, SYMBOL, JSON.stringify(market), N + 1],
    );
    // the journal as the evaluator writes it: each input, the intents the strategy answered, the new state's hash
    const inputs: JournalInput[] = [{ kind: 'init', botId, settings, market, timeframe: '1h' }, ...candles.map((c) => ({ kind: 'candle' as const, candle: c, expire: null }))];
    let state: unknown = undefined;
    let intents = 0;
    for (let i = 0; i < inputs.length; i++) {
      const r = applyInput(strategy, state, inputs[i], market);
      state = r.state;
      intents += r.intents.length;
      await ds.query(`INSERT INTO bot_decisions (bot_id, seq, input_key, kind, input, intents, state_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        botId,
        i + 1,
        `${inputs[i].kind}:${i}`,
        inputs[i].kind,
        JSON.stringify(inputs[i]),
        JSON.stringify(r.intents),
        stateHash(r.state),
      ]);
    }
    expect(intents).toBeGreaterThan(0); // the window makes the strategy act, so intents are compared too
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
  });

  it('an untouched journal replays identical, read in pages', async () => {
    const verdict = await replayBotJournal(env, botId, 64);
    expect(verdict).toEqual({ identical: true, decisions: N + 1 });
    expect(formatVerdict(verdict)).toBe(`identical: ${N + 1} decisions\n`);
  });

  it('the command prints identical and exits 0', async () => {
    const res = await tb(['bots', 'replay', botId], env);
    expect(res.code, res.out).toBe(0);
    expect(res.out).toContain(`identical: ${N + 1} decisions`);
  }, 60_000);

  it('a candle edited by SQL is caught at its decision: exit 1 with the reason', async () => {
    const seq = 151;
    await ds.query(`UPDATE bot_decisions SET input = jsonb_set(input, '{candle,close}', to_jsonb((input->'candle'->>'close')::numeric * 1.01)) WHERE bot_id = $1 AND seq = $2`, [botId, seq]);
    const verdict = await replayBotJournal(env, botId, 64);
    expect(verdict.identical).toBe(false);
    expect(verdict).toMatchObject({ seq });
    const res = await tb(['bots', 'replay', botId], env);
    expect(res.code, res.out).toBe(1);
    expect(res.out).toMatch(new RegExp(`^diverged at decision ${seq}: (state hash|intents) differ`, 'm'));
  }, 60_000);

  it('a deleted decision is a gap; an unknown bot is an error', async () => {
    await ds.query(`DELETE FROM bot_decisions WHERE bot_id = $1 AND seq = 40`, [botId]);
    expect(await replayBotJournal(env, botId)).toEqual({ identical: false, seq: 41, reason: 'journal gap: expected decision 40, found 41' });
    const unknown = randomUUID();
    await expect(replayBotJournal(env, unknown)).rejects.toThrow(`no bot ${unknown}`);
    const res = await tb(['bots', 'replay', 'nope'], env);
    expect(res.code).toBe(1);
    expect(res.out).toContain('botId must be a uuid');
  }, 60_000);
});
