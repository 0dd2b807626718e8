import { readFileSync } from 'node:fs';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { importFail2ban } from '@fleetban/policy';
import { AllowlistModule } from '../allowlist/allowlist.module';
import { AllowlistService } from '../allowlist/allowlist.service';
import { infrastructure } from '../app/app.module';
import { DEFAULT_TUNABLES } from '../app/server-tunables';
import { loadServerConfig, type ServerConfig } from '../config/server-config';
import { DatabaseModule } from '../database/database.module';
import { applyMigrations } from '../database/migrator';
import { JailsModule } from '../jails/jails.module';
import { JailsService } from '../jails/jails.service';
import { createLogger } from '../logging/logger';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisModule } from '../redis/redis.module';
import { UsageError } from './agent.command';
import type { Logger } from 'pino';

const IMPORT_USAGE = 'usage: fleetban-server import-fail2ban FILE [--dry-run] [--json]';

@Module({})
class ImportModule {
  static forRoot(config: ServerConfig, logger: Logger): DynamicModule {
    return { module: ImportModule, imports: [...infrastructure(config, DEFAULT_TUNABLES, logger), DatabaseModule, RedisModule, MetricsModule, JailsModule, AllowlistModule] };
  }
}

/**
 * `fleetban-server import-fail2ban jail.local`: fail2ban's asterisk jails become fleetban jails (created or
 * replaced by name), [DEFAULT] ignoreip becomes global allowlist entries, and whatever has no equivalent is listed.
 */
export async function importFail2banCommand(args: string[]): Promise<void> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file || args.some((a) => a.startsWith('--') && a !== '--dry-run' && a !== '--json')) throw new UsageError(IMPORT_USAGE);
  const imported = importFail2ban(readFileSync(file, 'utf8'));
  const report: string[] = [];
  if (!args.includes('--dry-run')) {
    const config = loadServerConfig();
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
    await applyMigrations(config.databaseUrl, { log: logger });
    const context = await NestFactory.createApplicationContext(ImportModule.forRoot(config, logger), { logger: false, abortOnError: false });
    try {
      for (const jail of imported.jails) await context.get(JailsService).save(jail);
      const allowlist = context.get(AllowlistService);
      const existing = new Set((await allowlist.list()).filter((e) => e.agentId === null).map((e) => e.cidr));
      for (const entry of imported.allowlist) {
        if (existing.has(entry.cidr)) continue;
        await allowlist.add({ cidr: entry.cidr, agentId: null, note: entry.note }, 'import-fail2ban');
      }
    } finally {
      await context.close();
    }
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(imported)}\n`);
    return;
  }
  report.push(`${args.includes('--dry-run') ? 'would import' : 'imported'} ${imported.jails.length} jail(s): ${imported.jails.map((j) => `${j.name} (maxretry ${j.maxretry}, findtime ${j.findtime}s, bantime ${j.bantime}s${j.enabled ? '' : ', disabled'})`).join('; ') || 'none'}`);
  report.push(`allowlist: ${imported.allowlist.map((e) => e.cidr).join(', ') || 'nothing'}`);
  if (imported.unmapped.length > 0) report.push('not imported:', ...imported.unmapped.map((u) => `  [${u.section}] ${u.key}${u.value ? ` = ${u.value}` : ''}: ${u.why}`));
  process.stdout.write(`${report.join('\n')}\n`);
}
