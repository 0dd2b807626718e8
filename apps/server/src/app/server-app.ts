import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/server-config';
import { EvaluationDispatcher } from '../ingest/evaluation-dispatcher';
import { AgentGateway } from '../gateway/agent.gateway';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { setupOpenApi } from '../api/openapi';
import { securityHeaders } from '../api/security-headers';
import { ApiTokensService } from '../tokens/api-tokens.service';
import { AppModule } from './app.module';
import { DEFAULT_TUNABLES, type ServerTunables } from './server-tunables';

export interface ServerAppOptions {
  tunables?: Partial<ServerTunables>;
  logger?: Logger;
}

/** A listening server instance. */
export interface ServerApp {
  app: INestApplication;
  /** http(s)://host:port actually bound (port 0 resolved). */
  url: string;
  port: number;
  /** The admin API token created at the very first start (no FLEETBAN_ADMIN_TOKEN, no token yet): print it once. */
  firstAdminToken: string | null;
  /** Graceful shutdown: stop accepting, finish in-flight batches and enqueues, close connections, then the app. */
  shutdown(): Promise<void>;
}

export async function createServerApp(config: ServerConfig, options: ServerAppOptions = {}): Promise<ServerApp> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const tunables = { ...DEFAULT_TUNABLES, ...options.tunables };
  const httpsOptions = config.tls ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } : undefined;
  const app = await NestFactory.create(AppModule.forRoot(config, tunables, logger), { logger: new PinoNestLogger(logger), httpsOptions, abortOnError: false });
  // Frames are decoded by @fleetban/protocol in the gateway; Nest's {event, data} routing is switched off.
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
  app.use(securityHeaders);
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins, allowedHeaders: ['authorization', 'content-type'] });
  setupOpenApi(app);
  const firstAdminToken = await app.get(ApiTokensService).bootstrap();
  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as { address(): AddressInfo | string | null; close(cb?: () => void): void };
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= (async () => {
      logger.info('shutting down: refusing new agents, finishing in-flight batches');
      server.close();
      await app.get(AgentGateway).drain();
      await app.get(EvaluationDispatcher).flush();
      await app.close();
      logger.info('shut down');
    })());
  logger.info({ url, port }, 'fleetban server listening');
  return { app, url, port, firstAdminToken, shutdown };
}
