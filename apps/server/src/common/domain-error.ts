/**
 * An expected failure with a stable `code`. Services throw these; the HTTP exception filter, the gateway
 * and the CLI each map them once (never HttpException in a service: jobs and the gateway call services too).
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
