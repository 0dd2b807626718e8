// The server's own view of batch latency (read off the socket to ack sent), from its Prometheus histogram:
// unlike the load generator's figure it excludes the generator's event loop and the client side of the network.

export type Buckets = Map<number, number>;

/** Cumulative bucket counts of fleetban_ingest_duration_seconds, by upper bound in seconds. */
export async function ingestBuckets(baseUrl: string): Promise<Buckets> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets: Buckets = new Map();
  for (const match of text.matchAll(/^fleetban_ingest_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The bucket bound (ms) under which `p` percent of the batches between two readings fell: an upper estimate. */
export function percentileBound(before: Buckets, after: Buckets, p: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return null;
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count >= (p / 100) * total) return bound === Infinity ? null : bound * 1000;
  }
  return null;
}
