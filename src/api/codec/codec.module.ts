import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { CodecAuthGuard } from './codec-auth.guard';
import { CodecCorsMiddleware } from './codec-cors.middleware';
import { CodecOidcVerifier } from './codec-oidc.verifier';
import { CodecController } from './codec.controller';
import { CodecService } from './codec.service';

/** `/codec/encode` and `/codec/decode`: the codec server for encrypted histories. */
@Module({ controllers: [CodecController], providers: [CodecService, CodecOidcVerifier, CodecAuthGuard] })
export class CodecModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CodecCorsMiddleware).forRoutes({ path: 'codec/*path', method: RequestMethod.ALL });
  }
}
