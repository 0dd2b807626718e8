import { join } from 'node:path';
import { type BinResult, ROOT, runProcess } from '../support/server-instance';

export const INSTALL_SCRIPT = join(ROOT, 'packaging', 'install-agent.sh');
export const UNINSTALL_SCRIPT = join(ROOT, 'packaging', 'uninstall-agent.sh');

/** Where install-agent.sh puts each file, all under `root` so that a test never writes to the host's /etc or /usr. */
export interface InstallPaths {
  lib: string;
  bin: string;
  config: string;
  state: string;
  unitDir: string;
  logrotateDir: string;
}

export function installPaths(root: string): InstallPaths {
  return {
    lib: join(root, 'usr', 'local', 'lib', 'fleetban'),
    bin: join(root, 'usr', 'local', 'bin'),
    config: join(root, 'etc', 'fleetban', 'agent.yaml'),
    state: join(root, 'var', 'lib', 'fleetban-agent'),
    unitDir: join(root, 'etc', 'systemd', 'system'),
    logrotateDir: join(root, 'etc', 'logrotate.d'),
  };
}

/** The environment variables both scripts read for their paths. */
export function installEnv(paths: InstallPaths): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FLEETBAN_LIB_DIR: paths.lib,
    FLEETBAN_BIN_DIR: paths.bin,
    FLEETBAN_CONFIG: paths.config,
    FLEETBAN_STATE_DIR: paths.state,
    FLEETBAN_UNIT_DIR: paths.unitDir,
    FLEETBAN_LOGROTATE_DIR: paths.logrotateDir,
  };
}

/** Runs one of the packaging scripts with bash, as an admin would, to completion, `input` on its stdin. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<BinResult> {
  return runProcess('bash', [script, ...args], env, input);
}
