// The memory of another Node process, read through its inspector (started with --inspect=127.0.0.1:PORT):
// a full garbage collection first, so the heap figure is what is live, not what the collector has not reached.
import WebSocket from 'ws';

export interface ProcessMemory {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

async function debuggerUrl(port: number): Promise<string> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on 127.0.0.1:${port}`);
  return url;
}

/** Collects garbage twice in the process behind the inspector, then returns its process.memoryUsage(). */
export async function measureMemory(inspectorPort: number, timeoutMs = 60_000): Promise<ProcessMemory> {
  const socket = new WebSocket(await debuggerUrl(inspectorPort));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} took more than ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (data: Buffer): void => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        if (message.id !== id) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`inspector: ${method}: ${message.error.message}`));
        else resolve(message.result ?? {});
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const evaluated = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const usage = JSON.parse((evaluated.result as { value: string }).value) as { rss: number; heapUsed: number; external: number; arrayBuffers: number };
    return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external, arrayBuffersBytes: usage.arrayBuffers };
  } finally {
    socket.close();
  }
}
