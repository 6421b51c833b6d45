import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
const RE = /^ *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *$/;
async function main() {
  const f = '/tmp/tbm/big_1m.csv';
  let t = performance.now(); let n = 0;
  const rl = createInterface({ input: createReadStream(f, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  const lines: string[] = [];
  for await (const line of rl) { n++; lines.push(line); }
  console.log('readline for-await', ((performance.now() - t) / 1000).toFixed(2));
  t = performance.now(); let k = 0;
  for (const l of lines) { const f = l.split(','); k += f.length; }
  console.log('split', ((performance.now() - t) / 1000).toFixed(2));
  t = performance.now();
  for (const l of lines) { const f = l.split(','); for (let i = 0; i < 6; i++) if (!RE.test(f[i])) k++; }
  console.log('split+regex', ((performance.now() - t) / 1000).toFixed(2));
  t = performance.now(); let sum = 0;
  for (const l of lines) { const f = l.split(','); for (let i = 0; i < 6; i++) sum += Number(f[i]); }
  console.log('split+Number', ((performance.now() - t) / 1000).toFixed(2));
}
main();
