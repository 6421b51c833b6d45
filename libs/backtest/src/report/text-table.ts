/** Aligned text table (freqtrade-style box of `|` columns). Numbers are right-aligned, text left-aligned. */
export function textTable(title: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? String(c) : c)));
  const right = head.map((_, k) => rows.length > 0 && rows.every((r) => typeof r[k] === 'number' || /^[-+]?[\d.,]+ ?%?[A-Z]*$/.test(String(r[k]))));
  const w = head.map((h, k) => Math.max(h.length, ...cells.map((r) => (r[k] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, k) => (right[k] ? c.padStart(w[k]) : c.padEnd(w[k]))).join(' | ')} |`;
  const sep = `|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`;
  const total = sep.length;
  const t = ` ${title} `;
  const pad = Math.max(0, total - t.length);
  const header = `${'='.repeat(Math.floor(pad / 2))}${t}${'='.repeat(Math.ceil(pad / 2))}`;
  return [header, line(head), sep, ...cells.map(line)].join('\n');
}
