import { Module } from '@nestjs/common';
import { AgentLogsController, TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({ controllers: [AgentLogsController, TasksController], providers: [TasksService] })
export class TasksModule {}
