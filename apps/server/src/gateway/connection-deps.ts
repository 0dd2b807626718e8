import type { Logger } from 'pino';
import type { AgentRepository } from '../agents/agent.repository';
import type { ServerTunables } from '../app/server-tunables';
import type { BanFeedService } from '../fleet/ban-feed.service';
import type { IngestService } from '../ingest/ingest.service';
import type { ServerMetrics } from '../metrics/server-metrics';

/** What every connection of the gateway uses, passed explicitly (connections are not Nest providers). */
export interface ConnectionDeps {
  ingest: IngestService;
  feed: BanFeedService;
  agents: AgentRepository;
  metrics: ServerMetrics;
  tunables: ServerTunables;
  log: Logger;
}
