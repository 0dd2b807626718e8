import { Module } from '@nestjs/common';
import { AgentPresence } from './agent-presence';
import { AgentRevocations } from './agent-revocations';
import { AgentRepository } from './agent.repository';
import { AgentsService } from './agents.service';

@Module({ providers: [AgentRepository, AgentRevocations, AgentsService, AgentPresence], exports: [AgentRepository, AgentRevocations, AgentsService, AgentPresence] })
export class AgentsModule {}
