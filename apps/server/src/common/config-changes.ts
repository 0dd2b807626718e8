import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

const CHANNEL = 'config:changed';

export type ConfigTopic = 'jails' | 'allowlist';

/** Tells every instance and worker that jails or the allowlist changed, so their caches reload at once. */
@Injectable()
export class ConfigChanges {
  constructor(private readonly redis: RedisService) {}

  async announce(topic: ConfigTopic): Promise<void> {
    await this.redis.publish(CHANNEL, topic).catch(() => undefined); // the caches' age bound covers a lost message
  }

  async onChange(topic: ConfigTopic, handler: () => void): Promise<void> {
    await this.redis.subscribe(CHANNEL, (message) => {
      if (message === topic) handler();
    });
  }
}
