import type { LinePosition } from '../../apps/agent/src/follower/file-identity';
import { LogFollower } from '../../apps/agent/src/follower/log.follower';
import { EventSpool, type SpoolBatch } from '../../apps/agent/src/spool/event.spool';
import { LinePump } from '../../apps/agent/src/spool/line.pump';
import { lineNumber } from './follower.helpers';

/** The test's stand-in for a SecurityEvent: which numbered line, read from which inode. */
export interface LineEvent {
  n: number;
  ino: string;
}

export interface PipelineConfig {
  paths: string[];
  cursorFile: string;
  spoolDir: string;
  fromStart?: boolean;
  pollMs?: number;
  drainQuietMs?: number;
  /** Acknowledge batches once `deliver` returned (a server that stored them); false: never ack. */
  ack: boolean;
  maxInFlight?: number;
}

export interface RunningPipeline {
  spool: EventSpool<LineEvent, LinePosition>;
  follower: LogFollower;
  /** Graceful stop: close the follower, finish the pump and the sender, close the spool. */
  stop(): Promise<void>;
}

/** follower -> pump -> spool -> sender loop, as `fleetban-agent run` will wire them, with `deliver` as the server. */
export async function startPipeline(config: PipelineConfig, deliver: (batch: SpoolBatch<LineEvent>) => void | Promise<void>): Promise<RunningPipeline> {
  const spool = await EventSpool.open<LineEvent, LinePosition>({ dir: config.spoolDir, maxInFlight: config.maxInFlight ?? 2 });
  const follower = await LogFollower.open({
    paths: config.paths,
    cursorFile: config.cursorFile,
    fromStart: config.fromStart,
    pollMs: config.pollMs ?? 50,
    drainQuietMs: config.drainQuietMs ?? 500,
    checkpoints: [...spool.checkpoints().values()],
  });
  const pump = new LinePump<LineEvent>(follower, spool, (line) => [{ n: lineNumber(line.text), ino: line.position.ino }]);
  const pumping = pump.run();
  let sending = true;
  const sender = (async () => {
    while (sending) {
      const batch = await spool.nextBatch(500, 256 * 1024);
      if (!batch) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      await deliver(batch);
      if (config.ack) await spool.ack(batch.id);
    }
  })();
  return {
    spool,
    follower,
    async stop() {
      await follower.close();
      await pumping;
      sending = false;
      await sender;
      await spool.close();
    },
  };
}
