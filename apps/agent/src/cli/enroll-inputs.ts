import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from './agent-command';

/** A token is one line of a few dozen characters: more than this on stdin or in a file is not a token file. */
const MAX_TOKEN_BYTES = 4096;

async function readBounded(stream: Readable, what: string): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > MAX_TOKEN_BYTES) throw new UsageError(`${what} holds more than ${MAX_TOKEN_BYTES} bytes: it should hold only the token`);
  }
  return text;
}

async function readFileNamed(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${flag} ${file}: no such file` : `${flag} ${file}: cannot read it (${code ?? String(error)})`);
  }
}

function onlyToken(text: string, what: string): string {
  const token = text.trim();
  if (token === '') throw new UsageError(`${what} is empty: it should hold the token printed by \`fleetban-server agent add\``);
  if (/\s/.test(token)) throw new UsageError(`${what} holds more than one word: it should hold only the token`);
  return token;
}

/**
 * The enrollment token, from `--token T`, `--token -` (stdin) or `--token-file FILE`: the last two keep it out of
 * the process list, which any local user can read while enroll runs.
 */
export async function readToken(token: string | undefined, tokenFile: string | undefined, stdin: Readable): Promise<string> {
  if (token !== undefined && tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
  if (tokenFile !== undefined) {
    const content = await readFileNamed(tokenFile, '--token-file');
    if (content.length > MAX_TOKEN_BYTES) throw new UsageError(`--token-file ${tokenFile} holds more than ${MAX_TOKEN_BYTES} bytes: it should hold only the token`);
    return onlyToken(content.toString('utf8'), `--token-file ${tokenFile}`);
  }
  if (token === '-') return onlyToken(await readBounded(stdin, 'stdin (--token -)'), 'stdin (--token -)');
  if (token === undefined || token === '') throw new UsageError('--token is required (or --token-file FILE, or --token - to read it from stdin)');
  return token;
}

/** The private CA of `--ca FILE`: its absolute path (the config is read from another directory), PEM and subject. */
export async function readCa(file: string): Promise<{ path: string; pem: Buffer; subject: string }> {
  const pem = await readFileNamed(file, '--ca');
  try {
    if (!pem.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new Error('no BEGIN CERTIFICATE line');
    return { path: resolve(file), pem, subject: new X509Certificate(pem).subject.replace(/\n/g, ', ') };
  } catch (error) {
    throw new UsageError(`--ca ${file}: not a PEM certificate (${error instanceof Error ? error.message : String(error)}): give the CA's certificate, the file that starts with -----BEGIN CERTIFICATE-----`);
  }
}
