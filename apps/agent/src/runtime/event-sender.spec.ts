import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecurityEvent } from '@fleetban/asterisk-log';
import type { AgentMessage } from '@fleetban/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinePosition } from '../follower/file-identity';
import { EventSpool } from '../spool/event.spool';
import { type EventLink, EventSender } from './event-sender';

const failure = (n: number): SecurityEvent => ({
  time: 1_764_000_000_000 + n,
  type: 'InvalidAccountID',
  failure: true,
  ip: '203.0.113.9',
  port: 5060,
  transport: 'UDP',
  service: 'PJSIP',
  account: `ext${n}`,
  session: `call-${n}`,
  localAddress: null,
  source: 'security',
});

/** The link's far end, in memory: records what was sent. */
function recordingLink(): EventLink & { sent: Extract<AgentMessage, { type: 'events' }>[] } {
  const sent: Extract<AgentMessage, { type: 'events' }>[] = [];
  return {
    sent,
    connected: true,
    send: (message: AgentMessage) => {
      if (message.type === 'events') sent.push(message);
      return true;
    },
  };
}

const until = async (done: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return done();
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function senderWith(delayMs: number) {
  const spool = await EventSpool.open<SecurityEvent, LinePosition>({ dir: mkdtempSync(join(tmpdir(), 'fleetban-sender-')) });
  const link = recordingLink();
  const sender = new EventSender(spool, link, { maxEvents: 500, delayMs });
  cleanup.push(async () => {
    sender.stop();
    await spool.close();
  });
  sender.start();
  return { spool, link, sender };
}

describe('EventSender', () => {
  it('sends the first event after a quiet spell at once, without waiting for the batch delay', async () => {
    const { spool, link } = await senderWith(60_000);
    await spool.append([failure(1)]);
    // With the old fill-the-batch wait this would take 60 s; generous bound for a loaded machine.
    expect(await until(() => link.sent.length === 1, 10_000)).toBe(true);
    expect(link.sent[0]!.events.map((e) => e.account)).toEqual(['ext1']);
  });

  it('gathers what arrives within the batch delay of the last batch into one batch', async () => {
    const { spool, link, sender } = await senderWith(5_000);
    await spool.append([failure(1)]);
    expect(await until(() => link.sent.length === 1, 10_000)).toBe(true);
    await sender.acknowledged(link.sent[0]!.batchId);
    await spool.append([failure(2), failure(3)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(link.sent).toHaveLength(1); // held: the last batch left less than 5 s ago
    expect(await until(() => link.sent.length === 2, 15_000)).toBe(true);
    expect(link.sent[1]!.events.map((e) => e.account)).toEqual(['ext2', 'ext3']);
  });
});
