import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMIT, splitMessage } from './split-message';

describe('splitMessage', () => {
  it('keeps a short text whole (and an empty one as one empty part)', () => {
    expect(splitMessage('hello\nworld')).toEqual(['hello\nworld']);
    expect(splitMessage('')).toEqual(['']);
  });

  it('stays below Telegram\'s 4,096 characters by default', () => {
    expect(MESSAGE_LIMIT).toBeLessThan(4096);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(20)}`); // 29 chars each
    const parts = splitMessage(lines.join('\n'));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    // no line is cut: joining the parts with newlines gives back the text
    expect(parts.join('\n')).toBe(lines.join('\n'));
    // 500 × 29 + 499 newlines = 14,999 characters: 4 parts of ≤ 4,000
    expect(parts).toHaveLength(4);
  });

  it('prefers a blank line (between blocks) to a line end, and a line end to a space', () => {
    // limit 20: "aaaa\nbbbb\n\ncccc dddd" — the blank line at 9 is preferred to the newline at 4
    expect(splitMessage('aaaa\nbbbb\n\ncccc dddd eeee', 20)).toEqual(['aaaa\nbbbb', 'cccc dddd eeee']);
    // no blank line: cut at the last line end within the limit
    expect(splitMessage('aaaa bbbb\ncccc dddd eeee', 12)).toEqual(['aaaa bbbb', 'cccc dddd', 'eeee']);
  });

  it('cuts a line longer than the limit at a space, a word longer than the limit hard', () => {
    expect(splitMessage('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(splitMessage('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('an entity-like token on one line (a bot id, a price) is never split when the line fits', () => {
    const line = 'bot 0123abcd · BTC/USDT:USDT @ 41500.5';
    const text = Array.from({ length: 10 }, () => line).join('\n');
    for (const p of splitMessage(text, line.length * 3 + 2)) for (const l of p.split('\n')) expect(l).toBe(line);
  });
});
