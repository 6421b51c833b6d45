import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCommands } from './backtest.command';

describe('tb backtest --commands <file>', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-commands-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads {time, id?, command} entries; a time is epoch ms or ISO-8601 (2024-01-01T05:00:00Z = 1,704,085,200,000 ms)', () => {
    const p = file('ok.json', JSON.stringify([{ time: 1704085200000, id: 'sl-1', command: { type: 'set_stop_loss', side: 'long', price: 41000 } }, { time: '2024-01-01T05:00:00Z', command: { type: 'skip_next_entry' } }]));
    expect(loadCommands(p)).toEqual([
      { time: 1_704_085_200_000, id: 'sl-1', command: { type: 'set_stop_loss', side: 'long', price: 41000 } },
      { time: 1_704_085_200_000, command: { type: 'skip_next_entry' } },
    ]);
    expect(loadCommands(undefined)).toBeUndefined();
  });

  it('refuses a missing file, a non-array, an entry without time or command', () => {
    expect(() => loadCommands(join(dir, 'none.json'))).toThrow(/no such file/);
    expect(() => loadCommands(file('obj.json', '{"time":1}'))).toThrow(/JSON array/);
    expect(() => loadCommands(file('bad.json', '[{"command":{"type":"skip_next_entry"}}]'))).toThrow(/--commands\[0\]/);
    expect(() => loadCommands(file('id.json', '[{"time":1,"id":5,"command":{}}]'))).toThrow(/id must be a string/);
  });
});
