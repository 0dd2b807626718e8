import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Injection token of the process's root pino logger. Components take `logger.child({ component })`. */
export const LOGGER = Symbol('Logger');

/** JSON lines on stdout (or on `destination`, e.g. stderr for CLI commands whose stdout is their output). */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino({ level, base: { service: 'fleetban-server', pid: process.pid } }, destination);
}

/** Routes Nest's own log lines (bootstrap, route mapping, uncaught errors) into the same pino stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, message instanceof Error ? message.message : String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
