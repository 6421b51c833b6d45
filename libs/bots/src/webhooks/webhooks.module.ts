import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BotsModule } from '../bots.module';
import { BotWebhookAlertEntity, BotWebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Signal webhooks without HTTP. */
@Module({
  imports: [TypeOrmModule.forFeature([BotWebhookEntity, BotWebhookAlertEntity]), BotsModule],
  providers: [WebhooksRepository, WebhooksService],
  exports: [WebhooksService],
})
export class WebhooksModule {}
