import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { CreateScheduleDto, ScheduleIdParamDto, ScheduleNoteDto } from './schedules.dto';
import { SchedulesService } from './schedules.service';

/**
 * Temporal Schedules that start an allow-listed workflow (SCHEDULABLE_WORKFLOWS) once, on an
 * interval or on a cron expression, on the configured task queue.
 */
@ApiTags('schedules')
@ApiServiceUnavailableResponse({ description: 'Temporal is unreachable; retry later' })
@Controller('api/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @ApiCreatedResponse({ description: 'the schedule: id, workflow, input, spec, paused, note, nextActionTimes, recentActions, createdAt' })
  @ApiBadRequestResponse({ description: 'not exactly one of once, every, cron; a past once; a workflow not allowed; an invalid input; a spec Temporal refuses' })
  @ApiConflictResponse({ description: 'a schedule with this id exists' })
  create(@Body() b: CreateScheduleDto) {
    return this.schedules.create({
      id: b.id,
      workflow: b.workflow,
      input: b.input,
      once: b.once,
      every: b.every,
      cron: b.cron,
      timezone: b.timezone,
      paused: b.paused,
      note: b.note,
    });
  }

  @Get()
  @ApiOkResponse({ description: '{ items }: every schedule of the namespace (the list is eventually consistent)' })
  list() {
    return this.schedules.list();
  }

  @Get(':id')
  @ApiOkResponse({ description: 'the schedule with its next action times and recent actions' })
  @ApiNotFoundResponse({ description: 'no such schedule' })
  get(@Param() p: ScheduleIdParamDto) {
    return this.schedules.get(p.id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the schedule, paused' })
  @ApiNotFoundResponse({ description: 'no such schedule' })
  pause(@Param() p: ScheduleIdParamDto, @Body() b: ScheduleNoteDto) {
    return this.schedules.pause(p.id, b.note);
  }

  @Post(':id/unpause')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the schedule, running' })
  @ApiNotFoundResponse({ description: 'no such schedule' })
  unpause(@Param() p: ScheduleIdParamDto, @Body() b: ScheduleNoteDto) {
    return this.schedules.unpause(p.id, b.note);
  }

  @Post(':id/trigger')
  @HttpCode(200)
  @ApiOkResponse({ description: '{ triggered: true, ...schedule }: the workflow starts now (overlap ALLOW_ALL) and appears in recentActions shortly' })
  @ApiNotFoundResponse({ description: 'no such schedule' })
  trigger(@Param() p: ScheduleIdParamDto) {
    return this.schedules.trigger(p.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the schedule is deleted (workflows it started keep running)' })
  @ApiNotFoundResponse({ description: 'no such schedule' })
  async remove(@Param() p: ScheduleIdParamDto): Promise<void> {
    await this.schedules.delete(p.id);
  }
}
