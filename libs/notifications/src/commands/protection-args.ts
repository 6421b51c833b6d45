/** A parsed /sl or /tp. */
export type ProtectionRequest =
  | { readonly action: 'show'; readonly ref?: string }
  | { readonly action: 'clear'; readonly ref?: string; readonly side: 'long' | 'short' }
  | { readonly action: 'set'; readonly ref?: string; readonly side: 'long' | 'short'; readonly prices: number[]; readonly sizes: number[] }
  | { readonly action: 'error'; readonly message: string };

export const SL_USAGE = 'Usage: /sl set [bot] long|short PRICE · /sl show [bot] · /sl clear [bot] long|short ([bot] = its symbol or id; omit it with one running bot)';
export const TP_USAGE = 'Usage: /tp set [bot] long|short P1 [P2 P3] [S1 S2 S3] (sizes in % of the position; default equal) · /tp show [bot] · /tp clear [bot] long|short';

const SIDES = new Set(['long', 'short']);
/** Sizes of 1, 2 or 3 take-profits when none are given: the whole position, halves, thirds (the first takes the rest). */
const EQUAL_SIZES: Record<number, number[]> = { 1: [100], 2: [50, 50], 3: [34, 33, 33] };

/**
 * The arguments of /sl and /tp, as the original took them (`/sl set SYMBOL long 41500`, `/tp set SYMBOL long P1 P2 P3
 * S1 S2 S3`), the bot named by its symbol or id, or left out when the user runs one bot. The strategy validates the
 * numbers themselves (a stop above a long's entry, sizes over 100 %).
 */
export function parseProtectionArgs(kind: 'sl' | 'tp', args: readonly string[]): ProtectionRequest {
  const usage = kind === 'sl' ? SL_USAGE : TP_USAGE;
  const [action = 'show', ...rest] = args;
  const sideAt = rest.findIndex((a) => SIDES.has(a.toLowerCase()));
  const ref = (sideAt === -1 ? rest[0] : sideAt === 1 ? rest[0] : undefined) || undefined;
  switch (action.toLowerCase()) {
    case 'show':
      return rest.length > 1 ? { action: 'error', message: usage } : { action: 'show', ref: rest[0] };
    case 'clear':
      if (sideAt === -1 || sideAt > 1 || rest.length !== sideAt + 1) return { action: 'error', message: usage };
      return { action: 'clear', ref, side: rest[sideAt].toLowerCase() as 'long' | 'short' };
    case 'set': {
      if (sideAt === -1 || sideAt > 1) return { action: 'error', message: usage };
      const nums = rest.slice(sideAt + 1).map(Number);
      if (!nums.length || nums.some((n) => !Number.isFinite(n) || n <= 0)) return { action: 'error', message: `Prices must be positive numbers. ${usage}` };
      const side = rest[sideAt].toLowerCase() as 'long' | 'short';
      if (kind === 'sl') return nums.length === 1 ? { action: 'set', ref, side, prices: nums, sizes: [100] } : { action: 'error', message: usage };
      if (nums.length <= 3) return { action: 'set', ref, side, prices: nums, sizes: EQUAL_SIZES[nums.length] };
      if (nums.length === 4 || nums.length === 6) return { action: 'set', ref, side, prices: nums.slice(0, nums.length / 2), sizes: nums.slice(nums.length / 2) };
      return { action: 'error', message: usage };
    }
    default:
      return { action: 'error', message: usage };
  }
}
