import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AgentLogQueryDto, CreateTaskDto, TaskIdParamDto, TaskListQueryDto, UpdateTaskDto } from './tasks.dto';
import { Roles } from '../auth/roles.decorator';
import { toTaskHttpError, TasksService } from './tasks.service';
import { agentLogView, taskView } from './task-view';

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toTaskHttpError(err);
  }
}

@ApiTags('tasks')
@Roles('operator')
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOkResponse({ description: 'tasks, newest first, filtered and paginated' })
  @ApiBadRequestResponse({ description: 'a filter is malformed' })
  async list(@Query() q: TaskListQueryDto) {
    const page = await this.tasks.list({ status: q.status, type: q.type, agent: q.agent, chatId: q.chatId, from: q.from, to: q.to, page: q.page, limit: q.limit });
    return { ...page, items: page.items.map(taskView) };
  }

  @Get('stats')
  @ApiOkResponse({ description: 'counts by status, average completion time and queue size' })
  stats() {
    return this.tasks.stats();
  }

  @Get(':id')
  @ApiOkResponse({ description: 'the task with its agent log and subtasks' })
  @ApiNotFoundResponse()
  get(@Param() p: TaskIdParamDto) {
    return mapped(async () => {
      const { task, logs, subtasks } = await this.tasks.get(p.id);
      return { ...taskView(task), logs: logs.map(agentLogView), subtasks: subtasks.map(taskView) };
    });
  }

  @Post()
  @ApiCreatedResponse({ description: 'the task, written pending, with its workflow started' })
  create(@Body() b: CreateTaskDto) {
    return mapped(async () =>
      taskView(await this.tasks.create({ type: b.type, body: b.body, chatId: b.chatId, channel: b.channel, priority: b.priority, metadata: b.metadata, maxRetries: b.max_retries, reply: b.reply })),
    );
  }

  @Put(':id')
  @ApiOkResponse()
  @ApiConflictResponse({ description: 'the status change is not a legal transition' })
  update(@Param() p: TaskIdParamDto, @Body() b: UpdateTaskDto) {
    return mapped(async () => taskView(await this.tasks.update(p.id, b)));
  }

  @Delete(':id')
  @ApiOkResponse({ description: 'the workflow is cancelled and the task marked cancelled' })
  @ApiConflictResponse({ description: 'the task has already finished' })
  cancel(@Param() p: TaskIdParamDto) {
    return mapped(async () => taskView(await this.tasks.cancel(p.id)));
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOkResponse({ description: 'a new attempt was started' })
  @ApiConflictResponse({ description: 'the task is not failed, or has no retries left' })
  retry(@Param() p: TaskIdParamDto) {
    return mapped(async () => taskView(await this.tasks.retry(p.id)));
  }
}

@ApiTags('agents')
@Roles('operator')
@Controller('api/agents/logs')
export class AgentLogsController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOkResponse({ description: 'agent log entries, newest first, filtered and paginated' })
  async list(@Query() q: AgentLogQueryDto) {
    const page = await this.tasks.logs({ agent: q.agent, action: q.action, taskId: q.task, workflowId: q.workflowId, page: q.page, limit: q.limit });
    return { ...page, items: page.items.map(agentLogView) };
  }
}
