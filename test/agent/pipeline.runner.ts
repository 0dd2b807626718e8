// Child process for the kill -9 tests: runs follower + spool + sender; "delivers" batches by appending them to a
// file with fsync (a server that stores before it acknowledges). argv[2]: PipelineConfig plus serverFile, as JSON.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { type PipelineConfig, startPipeline } from './pipeline';

const config = JSON.parse(process.argv[2] ?? '{}') as PipelineConfig & { serverFile: string };

async function main(): Promise<void> {
  const pipeline = await startPipeline(config, (batch) => {
    const fd = openSync(config.serverFile, 'a');
    writeSync(fd, `${JSON.stringify({ id: batch.id, events: batch.events })}\n`);
    fsyncSync(fd);
    closeSync(fd);
  });
  process.on('SIGTERM', () => {
    void pipeline.stop().then(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`runner failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
