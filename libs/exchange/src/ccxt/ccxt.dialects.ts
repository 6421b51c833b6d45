/**
 * What differs per exchange behind ccxt's unified API (read from node_modules/ccxt/js/src/<id>.js, 4.5.84):
 * - the unified `clientOrderId` param is mapped by every supported class (binance newClientOrderId,
 *   okx clOrdId, bybit orderLinkId, bitget clientOid, upbit identifier); their accepted formats differ;
 * - looking an order up by client id: binance/okx/bitget fetchOrder(undefined, symbol, {clientOrderId}),
 *   upbit fetchOrder(undefined, symbol, {identifier}); bybit's fetchOrder needs an order id, so open and
 *   closed order lists are filtered by orderLinkId;
 * - trigger (stop) orders live apart on binanceusdm (algo orders), okx (algo orders) and bybit (StopOrder
 *   filter): the lookup retries with {trigger: true};
 * - bybit contract trigger orders need a triggerDirection.
 */
import type { PositionSide } from '@tb/strategies';
import type { ExchangeId } from '../exchange.types';
import type { CcxtClient } from './ccxt.loader';
import type { CcxtOrderLike } from './ccxt.mappers';

export interface CcxtDialect {
  readonly id: ExchangeId;
  /** accepted clientOrderId format */
  readonly clientOrderIdPattern: RegExp;
  /** merged into the ccxt instance's `options` (the caller's options win) */
  readonly defaultOptions: Readonly<Record<string, unknown>>;
  /** whether the account can hold derivative positions */
  readonly hasPositions: boolean;
  /** the signed-request validity window the exchange enforces, ms (null = unknown) */
  readonly recvWindowMs: number | null;
  /** look up by clientOrderId; resolves undefined when the exchange does not know it */
  fetchByClientId(client: CcxtClient, symbol: string, clientOrderId: string, trigger: boolean): Promise<CcxtOrderLike | undefined>;
  /** extra create params for a trigger (stop-market) order */
  triggerParams(triggerPrice: number, side: 'buy' | 'sell', isContract: boolean): Record<string, unknown>;
  /** hedge-mode params for a derivative order */
  positionSideParams(positionSide: PositionSide): Record<string, unknown>;
}

/** Every supported exchange accepts this: use it to build portable client order ids. */
export const PORTABLE_CLIENT_ORDER_ID = /^[A-Za-z0-9]{1,32}$/;

function isNotFound(e: unknown): boolean {
  let proto: unknown = e !== null && typeof e === 'object' ? Object.getPrototypeOf(e) : null;
  while (proto && proto !== Object.prototype) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'OrderNotFound') return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

async function viaFetchOrder(client: CcxtClient, symbol: string, params: Record<string, unknown>): Promise<CcxtOrderLike | undefined> {
  try {
    return (await client.fetchOrder(undefined as unknown as string, symbol, params)) as CcxtOrderLike;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const standardTrigger = (triggerPrice: number): Record<string, unknown> => ({ triggerPrice });

const binanceFamily = (id: 'binance' | 'binanceusdm'): CcxtDialect => ({
  id,
  clientOrderIdPattern: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  defaultOptions: {
    recvWindow: 5_000,
    fetchCurrencies: false, // a private sapi call per loadMarkets; markets carry all we need
    fetchMargins: false,
    fetchOpenOrders: { warnWithoutSymbol: false },
    ...(id === 'binance' ? { fetchMarkets: { types: ['spot'] }, defaultType: 'spot' } : {}),
  },
  hasPositions: id === 'binanceusdm',
  recvWindowMs: 5_000,
  fetchByClientId: (client, symbol, clientOrderId, trigger) => viaFetchOrder(client, symbol, trigger ? { clientOrderId, trigger: true } : { clientOrderId }),
  triggerParams: standardTrigger,
  positionSideParams: (ps) => ({ positionSide: ps === 'long' ? 'LONG' : 'SHORT' }),
});

const DIALECTS: Record<ExchangeId, CcxtDialect> = {
  binance: binanceFamily('binance'),
  binanceusdm: binanceFamily('binanceusdm'),
  okx: {
    id: 'okx',
    clientOrderIdPattern: /^[A-Za-z0-9]{1,32}$/,
    defaultOptions: {},
    hasPositions: true,
    recvWindowMs: null,
    fetchByClientId: (client, symbol, clientOrderId, trigger) => viaFetchOrder(client, symbol, trigger ? { clientOrderId, trigger: true } : { clientOrderId }),
    triggerParams: standardTrigger,
    positionSideParams: (ps) => ({ posSide: ps }),
  },
  bybit: {
    id: 'bybit',
    clientOrderIdPattern: /^[A-Za-z0-9_-]{1,36}$/,
    defaultOptions: {},
    hasPositions: true,
    recvWindowMs: 5_000,
    async fetchByClientId(client, symbol, clientOrderId, trigger) {
      const params: Record<string, unknown> = trigger ? { orderLinkId: clientOrderId, trigger: true } : { orderLinkId: clientOrderId };
      const match = (list: unknown[]): CcxtOrderLike | undefined => (list as CcxtOrderLike[]).find((o) => o.clientOrderId === clientOrderId);
      return match(await client.fetchOpenOrders(symbol, undefined, undefined, params)) ?? match(await client.fetchClosedOrders(symbol, undefined, undefined, params));
    },
    triggerParams: (triggerPrice, side, isContract) => (isContract ? { triggerPrice, triggerDirection: side === 'buy' ? 'ascending' : 'descending' } : { triggerPrice }),
    positionSideParams: (ps) => ({ positionIdx: ps === 'long' ? 1 : 2 }),
  },
  bitget: {
    id: 'bitget',
    clientOrderIdPattern: /^[A-Za-z0-9_-]{1,40}$/,
    defaultOptions: {},
    hasPositions: true,
    recvWindowMs: null,
    fetchByClientId: (client, symbol, clientOrderId, trigger) => viaFetchOrder(client, symbol, trigger ? { clientOrderId, trigger: true } : { clientOrderId }),
    triggerParams: standardTrigger,
    positionSideParams: () => ({ hedged: true }),
  },
  upbit: {
    id: 'upbit',
    clientOrderIdPattern: /^[A-Za-z0-9_-]{1,36}$/,
    defaultOptions: {},
    hasPositions: false,
    recvWindowMs: null,
    fetchByClientId: (client, symbol, clientOrderId) => viaFetchOrder(client, symbol, { identifier: clientOrderId }),
    triggerParams: standardTrigger,
    positionSideParams: () => ({}),
  },
};

export function dialectFor(id: ExchangeId): CcxtDialect {
  return DIALECTS[id];
}
