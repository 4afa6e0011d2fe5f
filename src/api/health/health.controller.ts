import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { HealthService, type Liveness, type Readiness } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process is up and serving. */
  @Get()
  @ApiOkResponse({ description: 'the process is up' })
  live(): Liveness {
    return this.health.liveness();
  }

  /**
   * Readiness: Temporal and the database answer, and at least one worker polls the task
   * queue. Without a worker, messages would be accepted and then wait unseen, so a load
   * balancer (or compose's healthcheck) should not send traffic yet.
   */
  @Get('ready')
  @ApiOkResponse({ description: 'Temporal and the database answer and a worker polls the task queue' })
  @ApiServiceUnavailableResponse({ description: 'a dependency does not answer or no worker polls; see `checks`' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const readiness = await this.health.readiness();
    res.status(readiness.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
