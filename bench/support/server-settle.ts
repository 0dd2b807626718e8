// Between two phases of a bench, the server may still be storing batches of agents that already left (a queue
// of batches read before they closed). Measuring the next phase then would count that work against it.

/** One sample of a server metric from /metrics (the sum over its labels); NaN when absent. */
export async function metricValue(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = NaN;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) total = (Number.isNaN(total) ? 0 : total) + Number(match[1]);
  return total;
}

/** Waits (at most `timeoutMs`) until no agent is connected and the stored-events counter stays still for 1 s. */
export async function waitForIdleServer(baseUrl: string, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last = await metricValue(baseUrl, 'fleetban_events_stored_total');
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [stored, connected] = await Promise.all([metricValue(baseUrl, 'fleetban_events_stored_total'), metricValue(baseUrl, 'fleetban_agents_connected')]);
    if (stored === last && !(connected > 0)) return true;
    last = stored;
  }
  return false;
}
