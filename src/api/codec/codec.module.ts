import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { CodecCorsMiddleware } from './codec-cors.middleware';
import { CodecController } from './codec.controller';
import { CodecService } from './codec.service';

/** `/codec/encode` and `/codec/decode`: the codec server for encrypted histories. */
@Module({ controllers: [CodecController], providers: [CodecService] })
export class CodecModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CodecCorsMiddleware).forRoutes({ path: 'codec/*path', method: RequestMethod.ALL });
  }
}
