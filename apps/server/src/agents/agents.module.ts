import { Module } from '@nestjs/common';
import { AgentRevocations } from './agent-revocations';
import { AgentRepository } from './agent.repository';
import { AgentsService } from './agents.service';

@Module({ providers: [AgentRepository, AgentRevocations, AgentsService], exports: [AgentRepository, AgentRevocations, AgentsService] })
export class AgentsModule {}
