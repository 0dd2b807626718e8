import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.FLEETBAN_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A Redis key and channel prefix no other test file uses, and a function that deletes its keys. */
export function uniqueRedisPrefix(label: string): { prefix: string; cleanup: () => Promise<void> } {
  const prefix = `fbtest:${label}:${randomBytes(4).toString('hex')}`;
  const cleanup = async (): Promise<void> => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  };
  return { prefix, cleanup };
}
