import { createTrendStateState, updateTrendState, type Candle, type Timeframe, timeframeMs } from '@tb/strategies';
import { readCandlesCsv } from '/work/main/test/support/candles';
const tf = (process.argv[2] ?? '5m') as Timeframe;
const file = tf === '5m' ? 'test/fixtures/candles/binance_ETH-USDT_5m_2021-01.csv' : 'test/fixtures/candles/binance_BTC-USDT_1h_2024.csv';
const src = readCandlesCsv(file);
const cs: Candle[] = []; const step = timeframeMs(tf); let t = src[0].time; let scale = 1;
while (cs.length < 1_000_000) { for (const c of src) { if (cs.length >= 1_000_000) break; cs.push({ time: t, open: c.open*scale, high: c.high*scale, low: c.low*scale, close: c.close*scale, volume: c.volume }); t += step; } scale = cs[cs.length-1].close / src[0].open; }
for (let rep = 0; rep < 5; rep++) {
  const s = createTrendStateState(tf, {});
  let acc = 0; const t0 = process.hrtime.bigint();
  for (let i = 0; i < cs.length; i++) { const v = updateTrendState(s, cs[i]); if (v !== null) acc += v; }
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(tf, `${(cs.length / dt / 1e6).toFixed(2)}M candles/s`, acc);
}
