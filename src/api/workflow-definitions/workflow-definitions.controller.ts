import { BadRequestException, Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/roles.decorator';
import {
  CallbackBodyDto,
  CallbackParamDto,
  DefinitionBodyDocDto,
  DefinitionGetQueryDto,
  DefinitionListQueryDto,
  ExecuteBodyDto,
  ExecutionIdParamDto,
  ExecutionListQueryDto,
  WorkflowIdParamDto,
} from './workflow-definitions.dto';
import { WorkflowDefinitionsService } from './workflow-definitions.service';

/** `If-Match: 3` or `If-Match: "3"`: the version an edit was based on. */
function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '' || ifMatch.trim() === '*') return undefined;
  const m = ifMatch.trim().match(/^(?:W\/)?"?(\d{1,7})"?$/);
  if (!m) throw new BadRequestException('If-Match: must be the version number the edit is based on, e.g. "2"');
  return Number(m[1]);
}

/**
 * Definitions (seed 004) are admin business: they decide what the workers call. Running
 * them and following their executions is operator work.
 */
@ApiTags('workflow definitions')
@Controller('api/v1/workflows')
export class WorkflowDefinitionsController {
  constructor(private readonly definitions: WorkflowDefinitionsService) {}

  @Post()
  @Roles()
  @ApiBody({ type: DefinitionBodyDocDto })
  @ApiCreatedResponse({ description: 'version 1 of the new definition' })
  @ApiBadRequestResponse({ description: 'the definition is invalid; `errors` lists every problem with its step and field' })
  create(@Body() body: unknown) {
    return this.definitions.create(body);
  }

  @Get()
  @Roles()
  @ApiOkResponse({ description: 'the latest version of each live definition, paginated' })
  list(@Query() q: DefinitionListQueryDto) {
    return this.definitions.list(q.page, q.limit);
  }

  @Get(':id')
  @Roles()
  @ApiOkResponse({ description: 'the latest version, or the one `version` names' })
  @ApiNotFoundResponse()
  get(@Param() p: WorkflowIdParamDto, @Query() q: DefinitionGetQueryDto) {
    return this.definitions.get(p.id, q.version);
  }

  @Put(':id')
  @Roles()
  @ApiBody({ type: DefinitionBodyDocDto })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the version this edit is based on; refused with 412 when it is no longer the latest' })
  @ApiOkResponse({ description: 'the new version' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'another edit wrote the same version first' })
  update(@Param() p: WorkflowIdParamDto, @Body() body: unknown, @Headers('if-match') ifMatch?: string) {
    return this.definitions.update(p.id, body, expectedVersion(ifMatch));
  }

  @Delete(':id')
  @Roles()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted; running executions continue' })
  @ApiNotFoundResponse()
  async remove(@Param() p: WorkflowIdParamDto): Promise<void> {
    await this.definitions.remove(p.id);
  }

  @Post(':id/execute')
  @Roles('operator')
  @ApiOkResponse({ description: 'synchronous run that finished in time: the execution state' })
  @ApiAcceptedResponse({ description: 'asynchronous run, or one still going when the wait ran out' })
  @ApiNotFoundResponse()
  async execute(@Param() p: WorkflowIdParamDto, @Body() b: ExecuteBodyDto, @Res({ passthrough: true }) res: Response) {
    const answer = await this.definitions.execute(p.id, { input_data: b.input_data, async_execution: b.async_execution });
    res.status(answer.status);
    return answer.body;
  }

  @Get(':id/executions')
  @Roles('operator')
  @ApiOkResponse({ description: 'executions of this definition, newest first' })
  @ApiNotFoundResponse()
  executions(@Param() p: WorkflowIdParamDto, @Query() q: ExecutionListQueryDto) {
    return this.definitions.listExecutions(p.id, { page: q.page, limit: q.limit, status: q.status });
  }
}

@ApiTags('workflow definitions')
@Roles('operator')
@Controller('api/v1/executions')
export class DefinitionExecutionsController {
  constructor(private readonly definitions: WorkflowDefinitionsService) {}

  @Get(':executionId')
  @ApiOkResponse({ description: 'the execution state: status, every step, outputs, error' })
  @ApiNotFoundResponse()
  get(@Param() p: ExecutionIdParamDto) {
    return this.definitions.state(p.executionId);
  }

  @Post(':executionId/cancel')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'cancellation requested' })
  @ApiConflictResponse({ description: 'the execution has already finished' })
  cancel(@Param() p: ExecutionIdParamDto) {
    return this.definitions.cancel(p.executionId);
  }

  @Post(':executionId/callbacks/:stepId')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the callback step, done (or failed when not approved)' })
  @ApiConflictResponse({ description: 'the step is not a callback waiting now, or the execution has finished' })
  callback(@Param() p: CallbackParamDto, @Body() b: CallbackBodyDto) {
    return this.definitions.callback(p.executionId, p.stepId, { data: b.data, approved: b.approved, by: b.by });
  }
}
