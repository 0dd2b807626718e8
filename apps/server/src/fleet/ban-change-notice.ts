import type { ActiveBanRow, BanChangeRow } from './ban-change.repository';
import type { PublishedBanChange } from './ban-subscriber';

/** Pages of more rows than this go as a bare seq: every instance then reads them from the log, in pages. */
const MAX_ROWS_PER_NOTICE = 1000;

type WireDate = number | null;
const toWire = (date: Date | null): WireDate => (date === null ? null : date.getTime());
const fromWire = (ms: WireDate): Date | null => (ms === null ? null : new Date(ms));

/**
 * The Redis message that tells every instance of a committed ban change: its seq, and the writer's page when it has
 * one (dates as epoch ms). Instances that only read `seq` (older versions) stay correct: they read the log.
 */
export function encodeNotice(change: PublishedBanChange): string {
  const page = change.page && change.page.rows.length <= MAX_ROWS_PER_NOTICE ? change.page : undefined;
  if (page === undefined) return JSON.stringify({ seq: Number(change.seq) });
  return JSON.stringify({
    seq: Number(change.seq),
    page: {
      prevSeq: page.prevSeq,
      rows: page.rows.map((row) => ({ ...row, expiresAt: toWire(row.expiresAt) })),
      active: page.active.map((ban) => ({ ...ban, expiresAt: toWire(ban.expiresAt) })),
    },
  });
}

interface WireNotice {
  seq?: unknown;
  page?: { prevSeq: number; rows: Array<Omit<BanChangeRow, 'expiresAt'> & { expiresAt: WireDate }>; active: Array<Omit<ActiveBanRow, 'expiresAt'> & { expiresAt: WireDate }> };
}

/** The notice of `encodeNotice`; null when it is not one (then the log is read, as for a lost notice). */
export function decodeNotice(message: string): PublishedBanChange | null {
  try {
    const notice = JSON.parse(message) as WireNotice;
    const seq = Number(notice.seq);
    if (!Number.isSafeInteger(seq)) return null;
    const page = notice.page;
    if (page === undefined || !Number.isSafeInteger(page.prevSeq) || !Array.isArray(page.rows) || !Array.isArray(page.active)) return { seq };
    return {
      seq,
      page: {
        prevSeq: page.prevSeq,
        rows: page.rows.map((row) => ({ ...row, expiresAt: fromWire(row.expiresAt) })),
        active: page.active.map((ban) => ({ ...ban, expiresAt: fromWire(ban.expiresAt) })),
      },
    };
  } catch {
    return null;
  }
}
