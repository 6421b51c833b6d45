import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventOutboxEntity } from './event-outbox.entity';
import { EventOutboxRepository } from './event-outbox.repository';
import { EventRelayService } from './event-relay.service';

@Module({
  imports: [TypeOrmModule.forFeature([EventOutboxEntity])],
  providers: [EventOutboxRepository, EventRelayService],
  exports: [EventOutboxRepository, EventRelayService],
})
export class EventsModule {}
