/**
 * ccxt unified symbols: a perpetual swap carries its settle currency after ':' (`BTC/USDT:USDT`), a spot pair
 * does not (`BTC/USDT`). The one place that tells them apart.
 */
export function isPerpSymbol(symbol: string): boolean {
  return symbol.includes(':');
}

/** The symbol of the pair's market of `type`: `BTC/USDT` → `BTC/USDT:USDT` for perp, `BTC/USDT:USDT` → `BTC/USDT` for spot. */
export function symbolForMarket(symbol: string, type: 'spot' | 'perp'): string {
  const base = symbol.split(':')[0];
  if (type === 'spot') return base;
  return isPerpSymbol(symbol) ? symbol : `${base}:${base.split('/')[1] ?? 'USDT'}`;
}
