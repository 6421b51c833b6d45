import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HyperrsiPresetEntity } from './preset.entity';
import { PresetsRepository } from './presets.repository';
import { PresetsService } from './presets.service';

/** HYPERRSI presets without HTTP (the API and Telegram use PresetsService). */
@Module({
  imports: [TypeOrmModule.forFeature([HyperrsiPresetEntity])],
  providers: [PresetsRepository, PresetsService],
  exports: [PresetsService],
})
export class PresetsModule {}
