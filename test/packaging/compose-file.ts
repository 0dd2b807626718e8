import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/server-instance';

export const DOCKER_DIR = join(ROOT, 'docker');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
  restart?: string;
  networks?: Record<string, { ipv4_address?: string }>;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: Array<{ subnet?: string }> } }>;
}

/** docker/compose.yaml as Compose reads it: YAML merge keys (`<<: *server`) applied. */
export function loadCompose(): ComposeFile {
  return parse(readFileSync(join(DOCKER_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** The services built from docker/server.Dockerfile, by name. */
export function serverServices(compose: ComposeFile): Array<[string, ComposeService]> {
  return Object.entries(compose.services).filter(([, s]) => s.build?.dockerfile === 'docker/server.Dockerfile');
}

/**
 * A service's environment with Compose's interpolation done: `${X:-default}` takes X from `vars` or the
 * default, `${X:?message}` takes X from `vars` or fails with the message, as `docker compose up` would.
 */
export function interpolate(environment: Record<string, string>, vars: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    resolved[name] = String(value).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, variable: string, kind: string | undefined, rest: string | undefined) => {
      const given = vars[variable];
      if (given !== undefined && given !== '') return given;
      if (kind === '?') throw new Error(`${name}: ${rest ?? `${variable} is required`}`);
      return kind === '-' ? (rest ?? '') : '';
    });
  }
  return resolved;
}
