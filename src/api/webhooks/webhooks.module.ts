import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({ imports: [MessagesModule], controllers: [WebhooksController], providers: [WebhooksService] })
export class WebhooksModule {}
