// Writes a generated Asterisk log to stdout: npx tsx bench/generate/generate-log.ts [--lines N] [--seed S] [--prefix bsd|iso|mixed]
import { parseArgs } from 'node:util';
import { generateAsteriskLog, type PrefixStyle } from './asterisk-log.generator';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '42' }, prefix: { type: 'string', default: 'bsd' } } });
let buf = '';
for (const line of generateAsteriskLog({ lines: Number(values.lines), seed: Number(values.seed), prefix: values.prefix as PrefixStyle })) {
  buf += `${line}\n`;
  if (buf.length > 1 << 20) {
    process.stdout.write(buf);
    buf = '';
  }
}
process.stdout.write(buf);
