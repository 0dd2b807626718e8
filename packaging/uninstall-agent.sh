#!/usr/bin/env bash
# Removes what install-agent.sh installed and leaves the host's firewall as it was before fleetban.
#
#   sudo ./uninstall-agent.sh [--purge] [--dry-run]
#
# In order, it:
#   1. stops the agent (systemd's service, or a process started by hand): a running agent re-creates its table;
#   2. removes the agent's nftables table with `fleetban-agent uninstall-firewall` (that table only: the host's
#      own rules were never touched);
#   3. removes the systemd unit, the agent and its command link, and the logrotate snippet if it is still the
#      one fleetban installed;
#   4. keeps the config (it holds the token) and the state (cursors, spool: a reinstall resumes where the agent
#      stopped), unless --purge, which removes both.
# The same environment variables as install-agent.sh say where things are (FLEETBAN_LIB_DIR, FLEETBAN_BIN_DIR,
# FLEETBAN_CONFIG, FLEETBAN_STATE_DIR, FLEETBAN_UNIT_DIR, FLEETBAN_LOGROTATE_DIR).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=agent-paths.sh
. "$here/agent-paths.sh"

usage() { sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
say() { printf 'fleetban: %s\n' "$*"; }
die() { printf 'fleetban: %s\n' "$*" >&2; exit 1; }

purge=0 dry_run=0
while [ $# -gt 0 ]; do
  case $1 in
    --purge) purge=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage ;;
    *) printf 'fleetban: unknown option %s\n' "$1" >&2; usage ;;
  esac
done
[ "$dry_run" = 1 ] || [ "$(id -u)" = 0 ] || die "run me as root (nftables, /etc, systemd)"

act() {
  if [ "$dry_run" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}

agent=$lib_dir/fleetban-agent.js
node=$(command -v node || true)
unit=$unit_dir/fleetban-agent.service

# --- 1. stop ---------------------------------------------------------------------------------------------------
if [ -d /run/systemd/system ] && [ -f "$unit" ]; then
  act systemctl disable --now fleetban-agent.service
fi
# The status file names the agent's pid, whoever started it.
pid=''
if [ -n "$node" ] && [ -f "$agent" ] && [ -f "$config" ]; then
  pid=$("$node" "$agent" status --config "$config" --json 2>/dev/null | "$node" -e '
    let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
      try { const s = JSON.parse(text); if (s.running && s.pid) process.stdout.write(String(s.pid)); } catch {}
    });') || true
fi
if [ -n "$pid" ]; then
  act kill -TERM "$pid"
  if [ "$dry_run" = 0 ]; then
    # It finishes in-flight work on SIGTERM; a few seconds are plenty, 30 s is the limit.
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || die "the agent (pid $pid) did not stop within 30 s: stop it, then run me again"
    say "stopped the agent (pid $pid)"
  fi
fi

# --- 2. firewall -----------------------------------------------------------------------------------------------
if [ -n "$node" ] && [ -f "$agent" ] && [ -f "$config" ]; then
  act "$node" "$agent" uninstall-firewall --config "$config"
else
  say "agent or $config already gone: skipped uninstall-firewall (if the table remains: nft delete table inet fleetban)"
fi

# --- 3. files --------------------------------------------------------------------------------------------------
if [ -f "$unit" ]; then
  act rm -f "$unit"
  [ ! -d /run/systemd/system ] || act systemctl daemon-reload
fi
[ ! -L "$bin_dir/fleetban-agent" ] || act rm -f "$bin_dir/fleetban-agent"
# Only what the install put there: a mistyped FLEETBAN_LIB_DIR must not cost a whole directory.
[ ! -e "$agent" ] || act rm -f "$agent"
[ ! -d "$lib_dir" ] || act rmdir --ignore-fail-on-non-empty "$lib_dir"
if [ -f "$logrotate_dir/asterisk" ] && cmp -s "$here/logrotate.asterisk" "$logrotate_dir/asterisk"; then
  act rm -f "$logrotate_dir/asterisk"
fi

# --- 4. config and state ---------------------------------------------------------------------------------------
if [ "$purge" = 1 ]; then
  case $state_dir in
    */fleetban*) ;;
    *) die "--purge removes $state_dir recursively, and its name does not say fleetban: remove it yourself" ;;
  esac
  act rm -rf "$state_dir"
  act rm -f "$config" "$(dirname "$config")/ca.pem"
  [ ! -d "$(dirname "$config")" ] || act rmdir --ignore-fail-on-non-empty "$(dirname "$config")"
  say "removed the config and the state"
else
  say "kept $config and $state_dir (--purge removes them)"
fi
[ "$dry_run" = 0 ] || say "dry run: nothing was changed"
