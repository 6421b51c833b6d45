/**
 * Runs the fake Binance server as its own process (for chaos tests that kill the trading process):
 *
 *   node -r ./scripts/register.js test/support/fake-exchange/main.ts --port 18080 --state /tmp/fake-binance.json \
 *     [--resume] [--balances USDT=10000,BTC=0.5] [--prices BTCUSDT=60000] [--api-key K --secret S] [--latency 5]
 *
 * Prints one JSON line `{"url":..., "port":...}` on stdout when listening. The state file is rewritten after
 * every mutation; `--resume` starts from it. Drive it over HTTP: GET /__control/state, POST /__control/price
 * {symbol,price}, /__control/fill {clientOrderId,amount?,price?}, /__control/fault {kind,endpoint?,times?},
 * /__control/random-faults {probability,kinds,endpoint?,seed?}, /__control/clear-faults, /__control/balance.
 */
import { existsSync, readFileSync } from 'node:fs';
import { startFakeBinance, type FakeBinanceSnapshot } from './fake-binance.server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function numberMap(s: string | undefined): Record<string, number> | undefined {
  if (!s) return undefined;
  return Object.fromEntries(s.split(',').map((kv) => {
    const [k, v] = kv.split('=');
    return [k, Number(v)];
  }));
}

async function main(): Promise<void> {
  const stateFile = arg('state');
  const resume = process.argv.includes('--resume');
  const initialState = resume && stateFile && existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as FakeBinanceSnapshot) : undefined;
  const fake = await startFakeBinance({
    port: Number(arg('port') ?? 0),
    stateFile,
    initialState,
    balances: numberMap(arg('balances')),
    prices: numberMap(arg('prices')),
    apiKey: arg('api-key'),
    secret: arg('secret'),
    latencyMs: arg('latency') ? Number(arg('latency')) : undefined,
  });
  process.stdout.write(`${JSON.stringify({ url: fake.url, port: fake.port })}\n`);
  const stop = (): void => {
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-binance failed: ${String(e)}\n`);
  process.exit(1);
});
