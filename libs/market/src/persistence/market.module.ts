import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketCandleEntity } from './market-candle.entity';
import { MarketCandlesRepository } from './market-candles.repository';
import { CandleImportService } from './candle-import.service';

/**
 * Candle storage for the apps. Needs the DataSource from DatabaseModule (@tb/database) in the application.
 */
@Module({
  imports: [TypeOrmModule.forFeature([MarketCandleEntity])],
  providers: [MarketCandlesRepository, CandleImportService],
  exports: [MarketCandlesRepository, CandleImportService],
})
export class MarketModule {}
