import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '@tb/config';
import { BadRequestError, ConflictError, DomainError, ErrorCode, NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import { ExchangeError, ExchangePort, SecretCipher } from '@tb/exchange';
import { ExchangeAccountEntity } from './exchange-account.entity';
import { ExchangeAccountsRepository } from './exchange-accounts.repository';
import { ExchangeFactory } from './exchange.factory';
import type { ConnectionTestResponseDto, CreateExchangeAccountRequestDto, ExchangeAccountResponseDto } from './dto/exchange-account.dto';
import { paperBalancesIssue } from './dto/exchange-account.dto';

/**
 * Something that still uses an exchange account and forbids its removal: returns how many (0 = none). Libs above
 * accounts (orders: unresolved orders; bots: running bots) register one at module init, see
 * `ExchangeAccountsService.registerRemovalCheck`.
 */
export type AccountRemovalCheck = (userId: string, accountId: string) => Promise<number>;

/** DELETE of an account still in use: 409 ACCOUNT_IN_USE with what uses it. */
export class AccountInUseError extends DomainError {
  constructor(accountId: string, blockers: ReadonlyArray<{ kind: string; count: number }>) {
    super(
      ErrorCode.AccountInUse,
      `exchange account ${accountId} is still in use (${blockers.map((b) => `${b.count} ${b.kind}`).join(', ')}): cancel its orders and stop its bots first`,
      { accountId, blockers },
    );
  }
}

/** The OMS asked for the exchange of a removed account: nothing is ever sent with its credentials again. */
export class ExchangeAccountDeletedError extends DomainError {
  constructor(readonly accountId: string) {
    super(ErrorCode.NotFound, `exchange account ${accountId} was removed`, { resource: 'exchange account', id: accountId });
  }
}

/** The secret's AAD context binds each blob to its account and field: a blob copied elsewhere will not decrypt. */
const ctx = (accountId: string, field: string) => `exchange_account:${accountId}:${field}`;

@Injectable()
export class ExchangeAccountsService {
  private readonly logger = new Logger(ExchangeAccountsService.name);
  readonly cipher: SecretCipher;
  private readonly removalChecks = new Map<string, AccountRemovalCheck>();

  constructor(
    private readonly accounts: ExchangeAccountsRepository,
    private readonly factory: ExchangeFactory,
    config: AppConfig,
  ) {
    const keys = Object.fromEntries([...config.security.encryptionKeys.entries()]);
    this.cipher = new SecretCipher({ activeKeyId: config.security.activeKeyId, keys });
  }

  async add(userId: string, dto: CreateExchangeAccountRequestDto): Promise<ExchangeAccountResponseDto> {
    const id = randomUUID();
    const paper = dto.exchange === 'paper';
    if (!paper && (!dto.apiKey || !dto.secret)) throw new BadRequestError('apiKey and secret are required for live exchanges');
    const balancesIssue = dto.paperBalances === undefined ? null : paperBalancesIssue(dto.paperBalances);
    if (balancesIssue) throw new BadRequestError(balancesIssue, { field: 'paperBalances' });
    const entity = Object.assign(new ExchangeAccountEntity(), {
      id,
      userId,
      exchange: dto.exchange,
      label: dto.label,
      marketType: dto.marketType ?? 'spot',
      apiKeyEnc: paper ? null : this.cipher.encrypt(dto.apiKey!, ctx(id, 'api_key')),
      secretEnc: paper ? null : this.cipher.encrypt(dto.secret!, ctx(id, 'secret')),
      passphraseEnc: !paper && dto.passphrase ? this.cipher.encrypt(dto.passphrase, ctx(id, 'passphrase')) : null,
      keyId: paper ? null : this.cipher.activeKeyId,
      apiKeyHint: paper ? null : dto.apiKey!.slice(-4),
      paperBalances: paper ? (dto.paperBalances ?? { USDT: '10000' }) : null,
      deletedAt: null,
    });
    try {
      await this.accounts.insert(entity);
    } catch (e) {
      if ((e as { driverError?: { code?: string } }).driverError?.code === '23505') throw new ConflictError(`an account labelled "${dto.label}" exists`);
      throw e;
    }
    this.logger.log({ msg: 'exchange account added', accountId: id, exchange: dto.exchange, userId });
    const saved = await this.accounts.findForUser(userId, id);
    return this.toResponse(saved!);
  }

  async list(userId: string, limit: number, offset: number): Promise<{ items: ExchangeAccountResponseDto[]; total: number }> {
    const [rows, total] = await this.accounts.pageForUser(userId, limit, offset);
    return { items: rows.map((a) => this.toResponse(a)), total };
  }

  async get(userId: string, id: string): Promise<ExchangeAccountResponseDto> {
    return this.toResponse(await this.require(userId, id));
  }

  /** Register what forbids removing an account (`kind` names it in the 409's details, e.g. "unresolved orders"). */
  registerRemovalCheck(kind: string, check: AccountRemovalCheck): void {
    this.removalChecks.set(kind, check);
  }

  /**
   * Soft delete (the row stays: orders, fills and positions keep their account): refused with 409 ACCOUNT_IN_USE while
   * any registered check counts something (unresolved orders, running bots). Once removed, the account is gone from
   * every user-facing read and the OMS never sends with it again (`exchangeForAccountId` refuses it).
   */
  async remove(userId: string, id: string): Promise<void> {
    await this.require(userId, id);
    const blockers: Array<{ kind: string; count: number }> = [];
    for (const [kind, check] of this.removalChecks) {
      const count = await check(userId, id);
      if (count > 0) blockers.push({ kind, count });
    }
    if (blockers.length > 0) throw new AccountInUseError(id, blockers);
    if (!(await this.accounts.softDelete(userId, id))) throw new NotFoundError('exchange account', id);
    await this.factory.evict(id);
    this.logger.log({ msg: 'exchange account removed', accountId: id, userId });
  }

  /** "Test connection": a balance call through the real adapter. Never inside a transaction. */
  async testConnection(userId: string, id: string): Promise<ConnectionTestResponseDto> {
    const port = await this.exchangeFor(userId, id);
    const started = performance.now();
    try {
      await port.loadMarkets();
      const balance = await port.fetchBalance();
      return { ok: true, latencyMs: Math.round(performance.now() - started), code: null, message: null, assets: Object.keys(balance.assets) };
    } catch (e) {
      const err = e as ExchangeError;
      return { ok: false, latencyMs: null, code: err.code ?? 'EXCHANGE_ERROR', message: err.message, assets: [] };
    }
  }

  /** The exchange adapter of one of the user's accounts (404 for anyone else's). */
  async exchangeFor(userId: string, id: string): Promise<ExchangePort> {
    const account = await this.require(userId, id);
    return this.portOf(account);
  }

  /** For the OMS/reconciler, which already hold the account id of their own rows. */
  async exchangeForAccountId(accountId: string): Promise<{ port: ExchangePort; account: ExchangeAccountEntity }> {
    const account = await this.accounts.findByIdInternal(accountId);
    if (!account) throw new NotFoundError('exchange account', accountId);
    if (account.deletedAt) throw new ExchangeAccountDeletedError(accountId);
    return { port: this.portOf(account), account };
  }

  /** The ports of several accounts at once (a batch of bots); an account that is missing or deleted is in `refused`. */
  async exchangesForAccountIds(accountIds: readonly string[]): Promise<{ ports: Map<string, ExchangePort>; refused: Map<string, Error> }> {
    const ports = new Map<string, ExchangePort>();
    const refused = new Map<string, Error>();
    const found = new Map((await this.accounts.findByIdsInternal(accountIds)).map((a) => [a.id, a]));
    for (const id of accountIds) {
      const account = found.get(id);
      if (!account) refused.set(id, new NotFoundError('exchange account', id));
      else if (account.deletedAt) refused.set(id, new ExchangeAccountDeletedError(id));
      else ports.set(id, this.portOf(account));
    }
    return { ports, refused };
  }

  /** Re-encrypt every secret still under an older key with the active key (`tb keys rotate`). */
  @Transactional()
  async rotateKeys(batch = 500): Promise<number> {
    let rotated = 0;
    for (;;) {
      const rows = await this.accounts.findEncryptedWithOtherKey(this.cipher.activeKeyId, batch);
      if (rows.length === 0) return rotated;
      for (const a of rows) {
        await this.accounts.updateSecrets(a.id, {
          apiKeyEnc: a.apiKeyEnc && this.cipher.rotate(a.apiKeyEnc, ctx(a.id, 'api_key')),
          secretEnc: a.secretEnc && this.cipher.rotate(a.secretEnc, ctx(a.id, 'secret')),
          passphraseEnc: a.passphraseEnc && this.cipher.rotate(a.passphraseEnc, ctx(a.id, 'passphrase')),
          keyId: this.cipher.activeKeyId,
        });
        rotated++;
      }
    }
  }

  private portOf(account: ExchangeAccountEntity): ExchangePort {
    if (account.exchange === 'paper') return this.factory.get({ id: account.id, exchange: 'paper', paperBalances: account.paperBalances });
    return this.factory.get({
      id: account.id,
      exchange: account.exchange,
      credentials: {
        apiKey: this.cipher.decrypt(account.apiKeyEnc!, ctx(account.id, 'api_key')),
        secret: this.cipher.decrypt(account.secretEnc!, ctx(account.id, 'secret')),
        password: account.passphraseEnc ? this.cipher.decrypt(account.passphraseEnc, ctx(account.id, 'passphrase')) : undefined,
      },
    });
  }

  private async require(userId: string, id: string): Promise<ExchangeAccountEntity> {
    const account = await this.accounts.findForUser(userId, id);
    if (!account) throw new NotFoundError('exchange account', id);
    return account;
  }

  private toResponse(a: ExchangeAccountEntity): ExchangeAccountResponseDto {
    return {
      id: a.id,
      exchange: a.exchange,
      label: a.label,
      marketType: a.marketType,
      apiKeyHint: a.apiKeyHint ? `…${a.apiKeyHint}` : null,
      hasPassphrase: a.passphraseEnc !== null,
      createdAt: a.createdAt.toISOString(),
    };
  }
}
