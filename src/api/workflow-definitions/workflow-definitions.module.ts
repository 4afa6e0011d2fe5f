import { Module } from '@nestjs/common';
import { DefinitionExecutionsController, WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowDefinitionsService } from './workflow-definitions.service';

@Module({ controllers: [WorkflowDefinitionsController, DefinitionExecutionsController], providers: [WorkflowDefinitionsService] })
export class WorkflowDefinitionsModule {}
