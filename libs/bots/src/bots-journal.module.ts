import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BotDecisionEntity, BotEntity, BotEquityEntity, BotInputEntity } from './bot.entity';
import { BotsRepository } from './bots.repository';

/**
 * The bot tables and their repository only — no OMS, queue or exchange: what `tb bots replay` needs to read a
 * bot and its decision journal. Needs DatabaseModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([BotEntity, BotInputEntity, BotDecisionEntity, BotEquityEntity])],
  providers: [BotsRepository],
  exports: [BotsRepository],
})
export class BotsJournalModule {}
