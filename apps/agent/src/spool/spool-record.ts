import { crc32 } from 'node:zlib';

/** Header: payload length (u32 LE) then CRC-32 of the payload (u32 LE). */
export const RECORD_HEADER_BYTES = 8;
/** A length field beyond this is garbage, not a record (events are a few hundred bytes). */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * One append: events numbered s, s+1, ... and the source checkpoints they reach. One record per append makes the
 * events and their checkpoint durable together or not at all (a torn record is cut off whole), see README.md.
 */
export interface SpoolRecord<T, C> {
  s: number;
  e: T[];
  c?: Record<string, CheckpointEntry<C>>;
}

/** A checkpoint value tagged with a spool-wide counter, so the newest wins whichever file it was read from. */
export interface CheckpointEntry<C> {
  n: number;
  v: C;
}

export function encodeRecord<T, C>(record: SpoolRecord<T, C>): Buffer {
  const body = Buffer.from(JSON.stringify(record), 'utf8');
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  body.copy(out, RECORD_HEADER_BYTES);
  return out;
}

export interface DecodedRecord<T, C> {
  record: SpoolRecord<T, C>;
  /** Offsets in the segment file. */
  start: number;
  end: number;
}

export interface DecodeResult<T, C> {
  records: DecodedRecord<T, C>[];
  /** Offset in the file just after the last whole, valid record. */
  end: number;
  /** 'incomplete': the buffer ends inside a record (read more, or a torn write at the file's end). */
  stop: 'clean' | 'incomplete' | 'corrupt';
}

/** Decodes the records of `buf`, which starts at file offset `base`, stopping at the first torn or damaged one. */
export function decodeRecords<T, C>(buf: Buffer, base: number): DecodeResult<T, C> {
  const records: DecodedRecord<T, C>[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < RECORD_HEADER_BYTES) return { records, end: base + pos, stop: 'incomplete' };
    const length = buf.readUInt32LE(pos);
    if (length === 0 || length > MAX_RECORD_BYTES) return { records, end: base + pos, stop: 'corrupt' };
    const bodyEnd = pos + RECORD_HEADER_BYTES + length;
    if (bodyEnd > buf.length) return { records, end: base + pos, stop: 'incomplete' };
    const body = buf.subarray(pos + RECORD_HEADER_BYTES, bodyEnd);
    const record = crc32(body) !== buf.readUInt32LE(pos + 4) ? undefined : parse<T, C>(body);
    if (!record) return { records, end: base + pos, stop: 'corrupt' };
    records.push({ record, start: base + pos, end: base + bodyEnd });
    pos = bodyEnd;
  }
  return { records, end: base + pos, stop: 'clean' };
}

function parse<T, C>(body: Buffer): SpoolRecord<T, C> | undefined {
  try {
    const r = JSON.parse(body.toString('utf8')) as SpoolRecord<T, C>;
    return typeof r === 'object' && r !== null && Number.isSafeInteger(r.s) && Array.isArray(r.e) ? r : undefined;
  } catch {
    return undefined;
  }
}
