/** Telegram refuses a message text longer than 4,096 characters; we stay a little below. */
export const MESSAGE_LIMIT = 4000;

/**
 * Splits a long answer into messages of at most `limit` characters. Cuts are made, by preference, at a blank line
 * (between blocks), then at a line end, then at a space; a single word longer than the limit is cut hard. Our
 * answers are plain text (no parse_mode), so a line is the unit an entity (a bot id, a price) lives in: it is cut
 * only when one line alone is longer than the limit. Never returns an empty part; `''` gives `['']`.
 */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): string[] {
  if (limit < 1) throw new RangeError('limit must be >= 1');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = lastBreak(window, '\n\n', limit);
    if (cut <= 0) cut = lastBreak(window, '\n', limit);
    if (cut <= 0) cut = lastBreak(window, ' ', limit);
    if (cut <= 0) cut = limit;
    const head = rest.slice(0, cut).replace(/\s+$/, '');
    if (head) parts.push(head);
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest || parts.length === 0) parts.push(rest);
  return parts;
}

/** The index where the text may be cut so that the head (before the separator) fits in `limit`. */
function lastBreak(window: string, sep: string, limit: number): number {
  const at = window.lastIndexOf(sep, limit);
  return at;
}
