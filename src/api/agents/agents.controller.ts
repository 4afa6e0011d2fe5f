import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AGENTS, type AgentDefinition } from '../../domain/agent-registry';
import { Roles } from '../auth/roles.decorator';

@ApiTags('agents')
@Roles('operator')
@Controller('api/agents')
export class AgentsController {
  /** The agent registry: who handles which intents, with what capabilities. */
  @Get()
  @ApiOkResponse({ description: 'every agent with its intents, description, capabilities and activity' })
  list(): { agents: readonly AgentDefinition[] } {
    return { agents: AGENTS };
  }
}
