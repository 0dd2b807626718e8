import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CidrSet } from '@fleetban/ip';
import { DEFAULT_TUNABLES } from '../../apps/server/src/app/server-tunables';
import { loadServerConfig } from '../../apps/server/src/config/server-config';
import { ROOT } from '../support/server-instance';
import { DOCKER_DIR, interpolate, loadCompose, serverServices } from './compose-file';
import { healthcheckOf, parseDockerfile } from './dockerfile';

// Docker cannot run here: these check what can be checked without it, docker/compose.yaml and docker/nginx.conf
// against what the server really reads and what nginx needs to carry agents' WebSockets to both instances.
const compose = loadCompose();
const servers = serverServices(compose);
const VARS = { FLEETBAN_ADMIN_TOKEN: 'compose-admin-token-0123456789' };
const roleOf = (name: string): string | undefined => compose.services[name]?.environment?.FLEETBAN_ROLE;
const apis = servers.filter(([name]) => roleOf(name) === 'api').map(([name]) => name);
const nginx = readFileSync(join(DOCKER_DIR, 'nginx.conf'), 'utf8');

describe('docker/compose.yaml', () => {
  it('has PostgreSQL, Redis, two API instances, one worker and a load balancer', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api-1', 'api-2', 'lb', 'postgres', 'redis', 'worker']);
    expect(compose.services.postgres?.image).toMatch(/^postgres:\d+/);
    expect(compose.services.redis?.image).toMatch(/^redis:\d+/);
    expect(compose.services.lb?.image).toMatch(/^nginx:\d+/);
    expect(servers.map(([name]) => [name, roleOf(name)]).sort()).toEqual([['api-1', 'api'], ['api-2', 'api'], ['worker', 'worker']]);
  });

  it('builds the servers from the repository with docker/server.Dockerfile', () => {
    for (const [, service] of servers) {
      const context = resolve(DOCKER_DIR, service.build?.context ?? '');
      expect(context).toBe(ROOT);
      expect(existsSync(join(context, service.build?.dockerfile ?? ''))).toBe(true);
    }
  });

  it('gives the servers only variables the server reads, each changing its configuration', () => {
    for (const [name, service] of servers) {
      const env = interpolate(service.environment ?? {}, VARS);
      const config = loadServerConfig(env);
      for (const variable of Object.keys(env)) {
        const without = { ...env };
        delete without[variable];
        expect(loadServerConfig(without), `${name}: ${variable} has no effect on the server`).not.toEqual(config);
      }
    }
    expect(() => interpolate(compose.services['api-1']?.environment ?? {}, {})).toThrow(/set FLEETBAN_ADMIN_TOKEN/);
  });

  it('points the servers at the postgres and redis services, with the credentials PostgreSQL is given', () => {
    const pg = compose.services.postgres?.environment ?? {};
    for (const [, service] of servers) {
      const config = loadServerConfig(interpolate(service.environment ?? {}, VARS));
      const database = new URL(config.databaseUrl);
      expect([database.hostname, database.port, database.username, database.password, database.pathname]).toEqual(['postgres', '5432', pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, `/${pg.POSTGRES_DB}`]);
      expect(new URL(config.redisUrl).hostname).toBe('redis');
    }
    // One fleet: the same database, Redis and key prefix everywhere; only the role differs.
    const shared = servers.map(([, service]) => ({ ...service.environment, FLEETBAN_ROLE: undefined }));
    for (const env of shared) expect(env).toEqual(shared[0]);
    // BullMQ loses jobs if Redis evicts its keys.
    expect(compose.services.redis?.command?.join(' ')).toContain('--maxmemory-policy noeviction');
  });

  it('starts the servers once PostgreSQL and Redis are healthy, and the balancer once both instances are', () => {
    for (const name of ['postgres', 'redis']) expect(compose.services[name]?.healthcheck?.test[0], name).toMatch(/^CMD/);
    for (const [name, service] of servers) {
      expect(service.depends_on, name).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    // service_healthy on an instance needs a healthcheck: the image's own.
    const image = parseDockerfile(join(ROOT, 'docker', 'server.Dockerfile')).at(-1);
    expect(image && healthcheckOf(image)).toContain('/health/live');
    expect(compose.services.lb?.depends_on).toEqual(Object.fromEntries(apis.map((name) => [name, { condition: 'service_healthy' }])));
    for (const [name, service] of Object.entries(compose.services)) expect(service.restart, name).toBe('unless-stopped');
  });

  it('believes X-Forwarded-For from the balancer alone: its fixed address, in the network it is given', () => {
    const balancer = compose.services.lb?.networks?.default?.ipv4_address ?? '';
    const subnet = compose.networks?.default?.ipam?.config?.[0]?.subnet ?? '';
    expect(new CidrSet([subnet]).has(balancer), `${balancer} in ${subnet}`).toBe(true);
    for (const [name, service] of servers) {
      expect(loadServerConfig(interpolate(service.environment ?? {}, VARS)).trustedProxies, name).toEqual([balancer]);
    }
    // nginx appends the address it saw to the client's header: the server takes that right-most hop.
    expect(nginx).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;/);
  });

  it('publishes the balancer on 8420 with docker/nginx.conf', () => {
    expect(compose.services.lb?.ports).toEqual(['8420:8420']);
    const [source, target] = (compose.services.lb?.volumes?.[0] ?? '').split(':');
    expect(existsSync(resolve(DOCKER_DIR, source ?? ''))).toBe(true);
    expect(target).toBe('/etc/nginx/nginx.conf');
  });
});

describe('docker/nginx.conf', () => {
  const upstreams = [...nginx.matchAll(/upstream\s+(\S+)\s*\{([^}]*)\}/g)].map((m) => ({ name: m[1], servers: [...(m[2] ?? '').matchAll(/server\s+([^\s;]+)/g)].map((s) => s[1]) }));

  it('balances over exactly the API instances, on the port they listen on', () => {
    expect(upstreams).toHaveLength(1);
    const ports = apis.map((name) => loadServerConfig(interpolate(compose.services[name]?.environment ?? {}, VARS)).port);
    expect(upstreams[0]?.servers).toEqual(apis.map((name, i) => `${name}:${ports[i]}`));
    expect(nginx).toMatch(new RegExp(`proxy_pass\\s+http://${upstreams[0]?.name};`));
    expect(nginx).toMatch(/listen\s+8420;/);
  });

  it('passes WebSocket upgrades and keeps idle agent links open well past their heartbeat', () => {
    expect(nginx).toMatch(/proxy_http_version\s+1\.1;/);
    expect(nginx).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header\s+Connection\s+\$connection_upgrade;/);
    expect(nginx).toMatch(/map\s+\$http_upgrade\s+\$connection_upgrade\s*\{\s*default\s+upgrade;/);
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const seconds = Number(new RegExp(`${directive}\\s+(\\d+)s;`).exec(nginx)?.[1]);
      expect(seconds * 1000, directive).toBeGreaterThanOrEqual(10 * DEFAULT_TUNABLES.heartbeatIntervalMs);
    }
  });

  it('re-resolves the instances through Docker DNS, which needs a shared-memory zone and nginx >= 1.27.3', () => {
    expect(nginx).toMatch(/resolver\s+127\.0\.0\.11\b/);
    expect(nginx).toMatch(/upstream\s+\S+\s*\{\s*zone\s+\S+\s+\d+k;/);
    for (const server of upstreams[0]?.servers ?? []) expect(nginx).toMatch(new RegExp(`server\\s+${server}\\s+resolve;`));
    const [major, minor, patch] = (compose.services.lb?.image?.split(':')[1] ?? '').split('.').map(Number);
    expect((major ?? 0) * 1e6 + (minor ?? 0) * 1e3 + (patch ?? 0)).toBeGreaterThanOrEqual(1_027_003);
  });
});
