import { Injectable } from '@nestjs/common';

/** Whether this instance is shutting down: readiness fails and the gateway refuses new agents. */
@Injectable()
export class ServerState {
  draining = false;
}
