import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '@tb/common';
import { Transactional } from '@tb/database';
import { StrategySettingsError } from '@tb/strategies';
import { botStrategy, storedSettings } from '../bot-strategies';
import { InvalidBotSettingsError } from '../bots.errors';
import type { HyperrsiPresetEntity } from './preset.entity';
import { PresetsRepository } from './presets.repository';

export interface PresetInput {
  readonly name?: string;
  readonly settings?: Record<string, unknown>;
  readonly isDefault?: boolean;
}

const isUniqueViolation = (e: unknown): boolean => (e as { driverError?: { code?: string } }).driverError?.code === '23505';

/**
 * HYPERRSI presets (docs/adr/0018-trader-commands.md): per user, named, at most one default. Settings are validated
 * by the HYPERRSI parser (per-symbol investments, dual-side hedge settings included) and stored as given. A bot
 * created from a preset copies them: editing the preset never changes a bot; applying a preset to a bot is an
 * explicit settings change of that bot (journaled).
 */
@Injectable()
export class PresetsService {
  constructor(private readonly presets: PresetsRepository) {}

  list(userId: string): Promise<HyperrsiPresetEntity[]> {
    return this.presets.list(userId);
  }

  async get(userId: string, id: string): Promise<HyperrsiPresetEntity> {
    const p = await this.presets.find(userId, id);
    if (!p) throw new NotFoundError('preset', id);
    return p;
  }

  async getDefault(userId: string): Promise<HyperrsiPresetEntity> {
    const p = await this.presets.findDefault(userId);
    if (!p) throw new NotFoundError('preset', 'default');
    return p;
  }

  /** Raises 400 STRATEGY_SETTINGS_INVALID (one detail per settings.<field>) for settings HYPERRSI refuses. */
  validate(settings: Record<string, unknown>): void {
    try {
      botStrategy('hyperrsi').parseSettings(settings);
    } catch (e) {
      if (e instanceof StrategySettingsError) throw new InvalidBotSettingsError(e);
      throw e;
    }
  }

  @Transactional()
  async create(userId: string, input: Required<Pick<PresetInput, 'name' | 'settings'>> & PresetInput): Promise<HyperrsiPresetEntity> {
    const settings = storedSettings('hyperrsi', input.settings);
    this.validate(settings);
    const id = randomUUID();
    if (input.isDefault) await this.presets.clearDefault(userId);
    await this.unique(input.name, () => this.presets.insert({ id, userId, name: input.name, settings, isDefault: input.isDefault ?? false }));
    return (await this.presets.find(userId, id))!;
  }

  @Transactional()
  async update(userId: string, id: string, input: PresetInput): Promise<HyperrsiPresetEntity> {
    await this.get(userId, id);
    const settings = input.settings ? storedSettings('hyperrsi', input.settings) : undefined;
    if (settings) this.validate(settings);
    if (input.isDefault) await this.presets.clearDefault(userId);
    await this.unique(input.name, () => this.presets.update(userId, id, { ...(input.name !== undefined ? { name: input.name } : {}), ...(settings ? { settings } : {}), ...(input.isDefault !== undefined ? { isDefault: input.isDefault } : {}) }));
    return (await this.presets.find(userId, id))!;
  }

  setDefault(userId: string, id: string): Promise<HyperrsiPresetEntity> {
    return this.update(userId, id, { isDefault: true });
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.presets.delete(userId, id))) throw new NotFoundError('preset', id);
  }

  private async unique(name: string | undefined, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`you already have a preset named ${JSON.stringify(name)}`, { field: 'name' });
      throw e;
    }
  }
}
