import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** One instruction of a Dockerfile: its keyword (upper case), its flags (`--from=build`) and the rest of the line. */
export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string;
}

/** A build stage: its instructions and, for convenience, its name and final WORKDIR, USER, ENTRYPOINT and CMD. */
export interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
  workdir: string;
  user: string | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
}

/** Only the subset of the Dockerfile syntax our two Dockerfiles use; anything else makes the test fail loudly. */
const KNOWN = new Set(['FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD', 'VOLUME']);

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (pending === '' && /^\s*(#|$)/.test(raw)) continue;
    const continued = raw.endsWith('\\');
    pending += continued ? `${raw.slice(0, -1)} ` : raw;
    if (!continued) {
      lines.push(pending.trim());
      pending = '';
    }
  }
  return lines;
}

function parseInstruction(line: string): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(line);
  const keyword = (match?.[1] ?? '').toUpperCase();
  if (!KNOWN.has(keyword)) throw new Error(`unsupported Dockerfile instruction: ${line}`);
  let rest = match?.[2] ?? '';
  const flags: Record<string, string> = {};
  for (let flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest); flag; flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
    flags[flag[1] as string] = flag[2] as string;
    rest = rest.slice(flag[0].length);
  }
  return { keyword, flags, args: rest };
}

/** The exec form (`["node", "x.js"]`) of ENTRYPOINT and CMD; the shell form would need a shell we do not use. */
function execForm(instruction: Instruction): string[] {
  const parsed: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${instruction.keyword} is not in exec form: ${instruction.args}`);
  return parsed;
}

export function parseDockerfile(file: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of logicalLines(readFileSync(file, 'utf8')).map(parseInstruction)) {
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = instruction.args.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base: base ?? '', instructions: [], workdir: '/', user: undefined, entrypoint: undefined, cmd: undefined });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${file}: ${instruction.keyword} before FROM`);
    stage.instructions.push(instruction);
    if (instruction.keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, instruction.args);
    if (instruction.keyword === 'USER') stage.user = instruction.args;
    if (instruction.keyword === 'ENTRYPOINT') stage.entrypoint = execForm(instruction);
    if (instruction.keyword === 'CMD') stage.cmd = execForm(instruction);
  }
  return stages;
}

/** A COPY: its sources (paths in the build context, or in stage `from`) and its destination in the image. */
export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const parts = i.args.split(/\s+/);
      return { from: i.flags.from, sources: parts.slice(0, -1), destination: parts.at(-1) ?? '' };
    });
}

/** ENV instructions of a stage as variables (`ENV A=1 B=2` form). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const pair of i.args.split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      if (name && value.length > 0) env[name] = value.join('=');
    }
  }
  return env;
}

/** The command of `HEALTHCHECK [options] CMD <shell command>`, or undefined when the stage has none. */
export function healthcheckOf(stage: Stage): string | undefined {
  const instruction = stage.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  return instruction ? /(?:^|\s)CMD\s+(.*)$/.exec(instruction.args)?.[1] : undefined;
}
