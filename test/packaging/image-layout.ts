import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { ROOT } from '../support/server-instance';
import { copiesOf, parseDockerfile, type Stage } from './dockerfile';

/**
 * The files an image's last stage would hold, laid out under a temporary root from this (built) repository,
 * by following the Dockerfile's COPY instructions: what Docker would copy, nothing more. Files are hard links,
 * so a whole node_modules costs no space. `missing` lists COPY sources that do not exist.
 */
export interface StagedImage {
  root: string;
  stage: Stage;
  missing: string[];
  /** Where a path of the image (absolute, or relative to its WORKDIR) is in the staged tree. */
  inImage(path: string): string;
  remove(): void;
}

/** Production packages only, as `npm prune --omit=dev` leaves them. */
function productionPackages(): string[] {
  // npm ls also lists when it exits 1 (a peer dependency it finds invalid, say): the list is what matters.
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (listed.error) throw listed.error;
  return listed.stdout.split('\n').filter((path) => path.startsWith(join(ROOT, 'node_modules') + '/'));
}

function link(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  if (statSync(source).isDirectory()) {
    mkdirSync(target, { recursive: true });
    execFileSync('cp', ['-al', `${source}/.`, target]);
  } else {
    execFileSync('cp', ['-al', source, target]);
  }
}

export function stageImage(dockerfile: string): StagedImage {
  const stages = parseDockerfile(dockerfile);
  const final = stages.at(-1);
  if (!final) throw new Error(`${dockerfile}: no stage`);
  const root = mkdtempSync(join(tmpdir(), `fleetban-image-${basename(dockerfile, '.Dockerfile')}-`));
  chmodSync(root, 0o755); // the image's files are readable by its non-root user
  const inImage = (path: string): string => join(root, posix.resolve(final.workdir, path));
  const missing: string[] = [];
  for (const copy of copiesOf(final)) {
    const from = copy.from === undefined ? undefined : stages.find((s) => s.name === copy.from);
    if (copy.from !== undefined && !from) throw new Error(`COPY --from=${copy.from}: no such stage`);
    // A build stage that copies the whole context into its WORKDIR has the repository's paths, built.
    if (from && !copiesOf(from).some((c) => c.from === undefined && c.sources.join() === '.' && c.destination === '.')) throw new Error(`stage ${from.name} does not COPY . .`);
    const pruned = from?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm prune --omit=dev')) ?? false;
    const toDirectory = copy.destination.endsWith('/') || copy.sources.length > 1;
    for (const source of copy.sources) {
      const inRepo = join(ROOT, from ? relative(from.workdir, posix.resolve(from.workdir, source)) : source);
      if (!existsSync(inRepo)) {
        missing.push(source);
        continue;
      }
      const target = toDirectory ? join(inImage(copy.destination), basename(inRepo)) : inImage(copy.destination);
      if (pruned && basename(inRepo) === 'node_modules') {
        for (const pkg of productionPackages()) if (!existsSync(join(target, relative(inRepo, pkg)))) link(pkg, join(target, relative(inRepo, pkg)));
      } else {
        link(inRepo, target);
      }
    }
  }
  return { root, stage: final, missing, inImage, remove: () => rmSync(root, { recursive: true, force: true }) };
}
