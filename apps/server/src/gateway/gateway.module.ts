import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { FleetModule } from '../fleet/fleet.module';
import { IngestModule } from '../ingest/ingest.module';
import { AgentGateway } from './agent.gateway';

@Module({ imports: [AgentsModule, IngestModule, FleetModule], providers: [AgentGateway], exports: [AgentGateway] })
export class GatewayModule {}
