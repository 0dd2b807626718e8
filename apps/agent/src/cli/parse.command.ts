import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { AsteriskLogParser, DEFAULT_MAX_LINE_LENGTH, type ParseOutcome } from '@fleetban/asterisk-log';
import { EXIT_FAILURE, EXIT_OK, UsageError, type AgentCommand } from './agent-command';
import { ParseReport } from './parse-report';
import { ByteLines, type LineSink } from './byte-lines';

const USAGE = `usage: fleetban-agent parse <file|-> [--json] [--timezone <IANA zone>]

Reads an Asterisk log (security log, messages or full; syslog and journald exports too) and reports the security
events fleetban would send: a summary by default, or with --json one JSON object per event on stdout (the summary,
as JSON, on stderr). --timezone is the PBX's zone for the local times in line prefixes (default UTC).`;

const FLUSH_AT = 1 << 16;

interface ParseArgs {
  source: string;
  json: boolean;
  timeZone: string;
}

function readArgs(args: string[]): ParseArgs | null {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, timezone: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help === true) return null;
  if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'missing <file|-> (use - for stdin)' : `one input only, got ${parsed.positionals.length}`);
  return { source: parsed.positionals[0] as string, json: parsed.values.json === true, timeZone: parsed.values.timezone ?? 'UTC' };
}

function newParser(timeZone: string, now: number): AsteriskLogParser {
  try {
    return new AsteriskLogParser({ timeZone, now });
  } catch {
    throw new UsageError(`unknown time zone '${timeZone}' (use an IANA name such as Europe/Paris)`);
  }
}

/** The JSON line of one event: what the agent would send, plus the line number. */
const eventJson = (o: Extract<ParseOutcome, { kind: 'event' }>): string => {
  const e = o.event;
  return JSON.stringify({ line: o.line, time: new Date(e.time).toISOString(), type: e.type, failure: e.failure, ip: e.ip, port: e.port, transport: e.transport, service: e.service, account: e.account, session: e.session, localAddress: e.localAddress, source: e.source });
};

/** Writes with backpressure, in batches: one write per line would cost more than the parsing. */
class BufferedOut {
  private buf = '';
  constructor(private readonly out: Writable) {}
  add(text: string): void {
    this.buf += text;
  }
  get size(): number {
    return this.buf.length;
  }
  async flush(): Promise<void> {
    if (this.buf === '') return;
    const ok = this.out.write(this.buf);
    this.buf = '';
    if (!ok) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
}

/** A UTF-16 code unit takes at most 3 bytes of UTF-8: a line over this many bytes is over the parser's cap. */
const MAX_LINE_BYTES = 3 * DEFAULT_MAX_LINE_LENGTH;

/**
 * Feeds the parser synchronously within a chunk (an await per line would cost more than the parsing), whole
 * lines as blocks of the chunk's bytes. Line numbers follow the parser's count: every physical line is counted once.
 */
class Feeder implements LineSink {
  private readonly lines = new ByteLines(MAX_LINE_BYTES);

  constructor(private readonly parser: AsteriskLogParser, private readonly report: ParseReport, private readonly json: BufferedOut | null) {}

  chunk(chunk: Buffer): void {
    this.report.bytes += chunk.length;
    this.lines.push(chunk, this);
  }

  end(): void {
    this.lines.end(this);
    this.take(this.parser.flush());
  }

  line(bytes: Buffer | null): void {
    const n = this.parser.stats.lines + 1;
    const text = bytes?.toString('utf8') ?? null;
    this.take(text === null || text.length > DEFAULT_MAX_LINE_LENGTH ? this.parser.pushOversized(n) : this.parser.push(text, n));
  }

  block(bytes: Buffer, start: number, end: number): void {
    this.take(this.parser.pushBytes(bytes, start, end, this.parser.stats.lines + 1));
  }

  private take(outcomes: ParseOutcome[]): void {
    for (const o of outcomes) {
      if (o.kind !== 'event') continue;
      this.report.add(o.event);
      this.json?.add(`${eventJson(o)}\n`);
    }
  }
}

async function consume(input: AsyncIterable<Buffer>, feeder: Feeder, json: BufferedOut | null): Promise<void> {
  for await (const chunk of input) {
    feeder.chunk(chunk);
    if (json !== null && json.size >= FLUSH_AT) await json.flush();
  }
  feeder.end();
}

const READ_BYTES = 1 << 19;

/**
 * A file's bytes, read into one buffer used again for every read: each chunk is consumed before the next read
 * (ByteLines copies the line it holds over), and fresh buffers would cost a page fault per 4 KB read.
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

/** `fleetban-agent parse`: the fail2ban-regex of fleetban. Streams the input; never loads it whole. */
export const parseCommand: AgentCommand = {
  name: 'parse',
  summary: 'parse an Asterisk log and report the security events found (--json: one event per line)',
  usage: USAGE,
  async run(args, io) {
    const opts = readArgs(args);
    if (opts === null) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    const started = performance.now();
    const parser = newParser(opts.timeZone, io.now());
    const report = new ParseReport();
    const json = opts.json ? new BufferedOut(io.stdout) : null;
    try {
      await consume(opts.source === '-' ? io.stdin : fileChunks(opts.source), new Feeder(parser, report, json), json);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      io.stderr.write(`fleetban-agent parse: cannot read ${opts.source}: ${code ?? (err instanceof Error ? err.message : String(err))}. Check the path and its permissions.\n`);
      return EXIT_FAILURE;
    }
    await json?.flush();
    const seconds = (performance.now() - started) / 1000;
    if (opts.json) io.stderr.write(`${report.toJson(parser.stats, seconds)}\n`);
    else io.stdout.write(report.toText(opts.source === '-' ? 'stdin' : opts.source, opts.timeZone, parser.stats, seconds));
    return EXIT_OK;
  },
};
