import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { HyperrsiPresetEntity } from './preset.entity';

/** The only place that touches presets; every read and write takes the user id. */
@Injectable()
export class PresetsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get presets() {
    return this.txHost.tx.getRepository(HyperrsiPresetEntity);
  }

  list(userId: string): Promise<HyperrsiPresetEntity[]> {
    return this.presets.find({ where: { userId }, order: { name: 'ASC' } });
  }

  find(userId: string, id: string): Promise<HyperrsiPresetEntity | null> {
    return this.presets.findOneBy({ userId, id });
  }

  findDefault(userId: string): Promise<HyperrsiPresetEntity | null> {
    return this.presets.findOneBy({ userId, isDefault: true });
  }

  async insert(p: Pick<HyperrsiPresetEntity, 'id' | 'userId' | 'name' | 'settings' | 'isDefault'>): Promise<void> {
    await this.presets.insert({ ...p, settings: p.settings as never });
  }

  async update(userId: string, id: string, fields: Partial<Pick<HyperrsiPresetEntity, 'name' | 'settings' | 'isDefault'>>): Promise<void> {
    const { settings, ...rest } = fields;
    await this.presets.update({ userId, id }, { ...rest, ...(settings ? { settings: settings as never } : {}), updatedAt: new Date() });
  }

  /** The user's default preset is no longer the default (before another becomes it). */
  async clearDefault(userId: string): Promise<void> {
    await this.presets.update({ userId, isDefault: true }, { isDefault: false, updatedAt: new Date() });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return ((await this.presets.delete({ userId, id })).affected ?? 0) > 0;
  }
}
