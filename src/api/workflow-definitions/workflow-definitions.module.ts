import { Module } from '@nestjs/common';
import { PendingCallbacksController, PendingCallbacksService } from './pending-callbacks';
import { DefinitionExecutionsController, WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowDefinitionsService } from './workflow-definitions.service';

@Module({ controllers: [WorkflowDefinitionsController, DefinitionExecutionsController, PendingCallbacksController], providers: [WorkflowDefinitionsService, PendingCallbacksService] })
export class WorkflowDefinitionsModule {}
