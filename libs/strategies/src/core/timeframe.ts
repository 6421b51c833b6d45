/** Supported candle timeframes (ccxt notation). */
export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;
const TF_MINUTES: Record<Timeframe, number> = {
  '1m': 1,
  '3m': 3,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '2h': 120,
  '4h': 240,
  '6h': 360,
  '8h': 480,
  '12h': 720,
  '1d': 1440,
};

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/** Accepts ccxt ('1h') and the original system's spellings ('1H', '4H', '60', '240'). */
export function parseTimeframe(value: string): Timeframe {
  const v = value.trim();
  if (isTimeframe(v)) return v;
  const lower = v.toLowerCase();
  if (isTimeframe(lower)) return lower;
  if (/^\d+$/.test(v)) {
    const found = timeframeFromMinutes(Number(v));
    if (found) return found;
  }
  throw new RangeError(`unknown timeframe "${value}" (expected one of ${TIMEFRAMES.join(', ')})`);
}

/**
 * TF_MINUTES[tf] as a switch: called per candle by the strategies, and a keyed read of the table by the many
 * timeframe strings of all its callers is a megamorphic lookup.
 */
export function timeframeMinutes(tf: Timeframe): number {
  switch (tf) {
    case '1m':
      return 1;
    case '3m':
      return 3;
    case '5m':
      return 5;
    case '15m':
      return 15;
    case '30m':
      return 30;
    case '1h':
      return 60;
    case '2h':
      return 120;
    case '4h':
      return 240;
    case '6h':
      return 360;
    case '8h':
      return 480;
    case '12h':
      return 720;
    case '1d':
      return 1440;
    default:
      return TF_MINUTES[tf as Timeframe]; // undefined for a string that is no timeframe, as before
  }
}

export function timeframeMs(tf: Timeframe): number {
  return timeframeMinutes(tf) * MINUTE;
}

export function timeframeFromMinutes(minutes: number): Timeframe | undefined {
  return TIMEFRAMES.find((tf) => TF_MINUTES[tf] === minutes);
}

/** Open time of the `tf` bucket containing `time` (UTC-aligned, epoch based). */
export function alignTime(time: number, tf: Timeframe): number {
  const ms = timeframeMs(tf);
  return Math.floor(time / ms) * ms;
}

/** The moment a candle opened at `openTime` closes (exclusive end). */
export function candleCloseTime(openTime: number, tf: Timeframe): number {
  return openTime + timeframeMs(tf);
}

export function isAligned(time: number, tf: Timeframe): boolean {
  return time % timeframeMs(tf) === 0;
}
