import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The operator console's API: its session check. The page itself is served by `consoleMiddleware` (app.ts). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
