export * from './domain-event';
export * from './event-outbox.entity';
export * from './event-outbox.repository';
export * from './event-stream';
export * from './event-relay.service';
export * from './events.module';
