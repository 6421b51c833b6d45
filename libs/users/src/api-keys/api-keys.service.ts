import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@tb/common';
import { apiKeyVisiblePrefix, generateApiKey, looksLikeApiKey, sha256Hex } from '../crypto/tokens';
import { ForbiddenError, UnauthenticatedError } from '../auth/auth.errors';
import type { AuthPrincipal } from '../auth/auth-principal';
import { API_SCOPES, ROLE_SCOPES, grantedScopes, type ApiScope, type UserRole } from '../users/user-role';
import { ApiKeysRepository, LAST_USED_RESOLUTION_S, type ApiKeyRecord } from './api-keys.repository';
import { ApiKeyOwnersCache } from './api-key-owners.cache';

export interface CreatedApiKey extends ApiKeyRecord {
  /** The full key. Returned once, at creation; only its sha256 is stored. */
  readonly key: string;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly owners: ApiKeyOwnersCache,
  ) {}

  /** A new key for `userId`. Its scopes must be within the owner's role (a trader cannot mint an admin key). */
  async create(userId: string, role: UserRole, name: string, scopes: readonly ApiScope[]): Promise<CreatedApiKey> {
    const unique = API_SCOPES.filter((s) => scopes.includes(s));
    const beyondRole = unique.filter((s) => !ROLE_SCOPES[role].includes(s));
    if (beyondRole.length > 0) {
      throw new ForbiddenError(`Role ${role} cannot grant scope(s): ${beyondRole.join(', ')}`, { scopes: beyondRole });
    }
    const key = generateApiKey();
    const record = await this.keys.create(userId, { name: name.trim(), prefix: apiKeyVisiblePrefix(key), keyHash: sha256Hex(key), scopes: unique });
    this.logger.log({ msg: 'api key created', userId, apiKeyId: record.id, scopes: record.scopes });
    return { ...record, key };
  }

  list(userId: string): Promise<ApiKeyRecord[]> {
    return this.keys.listActive(userId);
  }

  /** Revokes one of the user's keys; another user's key id is a 404 like an unknown one. */
  async revoke(userId: string, keyId: string): Promise<void> {
    const revoked = await this.keys.revoke(userId, keyId);
    this.owners.forget({ keyId });
    if (!revoked) throw new NotFoundError('api key', keyId);
    this.logger.log({ msg: 'api key revoked', userId, apiKeyId: keyId });
  }

  /** The principal behind `X-API-Key`, or UnauthenticatedError (unknown, revoked, owner disabled). */
  async authenticate(rawKey: string): Promise<AuthPrincipal> {
    if (!looksLikeApiKey(rawKey)) throw new UnauthenticatedError('Invalid API key');
    const hash = sha256Hex(rawKey);
    // a lookup at most API_KEY_OWNER_TTL_MS old (ApiKeyOwnersCache: revoking or disabling here forgets it at once)
    let owner = this.owners.get(hash) ?? (await this.keys.findActiveByHash(hash));
    if (!owner || owner.userDisabled) throw new UnauthenticatedError('Invalid API key');
    if (!owner.lastUsedAt || Date.now() - owner.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_S * 1000) {
      await this.keys.touch(owner.keyId);
      owner = { ...owner, lastUsedAt: new Date() };
    }
    this.owners.set(hash, owner);
    return {
      userId: owner.userId,
      role: owner.role,
      // the key never grants more than the owner's CURRENT role (a demoted admin's keys lose `admin`)
      scopes: grantedScopes(owner.role, owner.scopes),
      via: 'api-key',
      apiKeyId: owner.keyId,
    };
  }
}
