#!/usr/bin/env bash
# Installs the fleetban agent on an Asterisk host. Read it before you run it; --dry-run prints every step instead.
#
#   sudo ./install-agent.sh --server https://fleet.example:8420 (--token-file FILE | --token - | --token fbt_...) \
#       [--log /var/log/asterisk/security ...] [--allow 203.0.113.0/24 ...] [--ca ca.pem] \
#       [--timezone Europe/Paris] [--agent fleetban-agent.js] [--no-start] [--dry-run]
#
# --token-file FILE and --token - (stdin) keep the token out of the process list, which any local user can read;
# whichever way it arrives, the script hands it to `fleetban-agent enroll` on stdin, never as an argument.
#
# In order, it:
#   1. checks: root, Node >= 20, a working nft, and that the logs exist (warns if not);
#   2. enrolls: `fleetban-agent enroll` checks the token with the server (nothing is installed if it is refused),
#      trusting the --ca certificate (installed as ca.pem beside the config), and writes the config, mode 0600;
#   3. copies the agent (one file) to $FLEETBAN_LIB_DIR and links it as $FLEETBAN_BIN_DIR/fleetban-agent;
#   4. installs the systemd unit, and Asterisk's logrotate snippet if Asterisk has none yet;
#   5. enables and (re)starts the service when systemd runs; otherwise prints how to start the agent.
# It never touches the host's firewall: the agent adds one nftables table of its own when it runs, and
# uninstall-agent.sh removes it.
#
# Where things go (override with these environment variables):
#   FLEETBAN_LIB_DIR        /usr/local/lib/fleetban       the agent, fleetban-agent.js
#   FLEETBAN_BIN_DIR        /usr/local/bin                the fleetban-agent command (a link)
#   FLEETBAN_CONFIG         /etc/fleetban/agent.yaml      the config (and ca.pem beside it with --ca)
#   FLEETBAN_STATE_DIR      /var/lib/fleetban-agent       cursors, spool, last known bans, status
#   FLEETBAN_UNIT_DIR       /etc/systemd/system
#   FLEETBAN_LOGROTATE_DIR  /etc/logrotate.d
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=agent-paths.sh
. "$here/agent-paths.sh"

usage() { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
say() { printf 'fleetban: %s\n' "$*"; }
warn() { printf 'fleetban: warning: %s\n' "$*" >&2; }
die() { printf 'fleetban: %s\n' "$*" >&2; exit 1; }

server='' token='' token_file='' ca='' timezone='' agent='' dry_run=0 start=1
logs=() allows=()
while [ $# -gt 0 ]; do
  case $1 in
    --server) server=${2:?--server needs a URL}; shift 2 ;;
    --token) token=${2:?--token needs a value, or - to read it from stdin}; shift 2 ;;
    --token-file) token_file=${2:?--token-file needs a file}; shift 2 ;;
    --log) logs+=("${2:?--log needs a file}"); shift 2 ;;
    --allow) allows+=("${2:?--allow needs an address or CIDR}"); shift 2 ;;
    --ca) ca=${2:?--ca needs a PEM file}; shift 2 ;;
    --timezone) timezone=${2:?--timezone needs a zone}; shift 2 ;;
    --agent) agent=${2:?--agent needs the bundled fleetban-agent.js}; shift 2 ;;
    --no-start) start=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage ;;
    *) printf 'fleetban: unknown option %s\n' "$1" >&2; usage ;;
  esac
done
[ -n "$server" ] && { [ -n "$token" ] || [ -n "$token_file" ]; } || usage
if [ -n "$token_file" ]; then
  [ -z "$token" ] || die "give --token or --token-file, not both"
  [ -r "$token_file" ] || die "--token-file $token_file: no such file, or not readable"
  token=$(<"$token_file")
elif [ "$token" = - ]; then
  token=$(cat)
fi
# Trim the blanks around it; enroll refuses whitespace inside it.
token=${token#"${token%%[![:space:]]*}"}
token=${token%"${token##*[![:space:]]}"}
[ -n "$token" ] || die "the token is empty: give the one printed by fleetban-server agent add"
[ ${#logs[@]} -gt 0 ] || logs=(/var/log/asterisk/security)

# Changes to the host go through `act` (or print themselves), so that --dry-run shows what would be done.
act() {
  if [ "$dry_run" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}

# --- 1. checks -------------------------------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
  if [ "$dry_run" = 1 ]; then warn "not root: the real install needs root (nftables, /etc, systemd)"; else die "run me as root (nftables, /etc, systemd)"; fi
fi

node=$(command -v node || true)
[ -n "$node" ] || die "Node.js 20 or later is needed: none found in PATH (https://nodejs.org, or your distribution's nodejs package)"
node_major=$("$node" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20 or later is needed: $node is $("$node" --version)"
case $(readlink -f "$node") in
  /root/*|/home/*) warn "$node lives under /root or /home, which the service cannot see (ProtectHome): install Node system-wide" ;;
esac

command -v nft >/dev/null || die "nftables is needed: apt-get install nftables (or dnf install nftables)"
if ! nft list tables >/dev/null 2>&1; then
  if [ "$dry_run" = 1 ]; then warn "nft cannot read the ruleset (not root?)"; else die "nft cannot read the ruleset: is the nf_tables kernel module available?"; fi
fi

for log in "${logs[@]}"; do
  [ -e "$log" ] || warn "$log does not exist yet. The agent waits for it; for Asterisk's security log, /etc/asterisk/logger.conf needs the line 'security => security' (then: asterisk -rx 'logger reload')"
done

if [ -z "$agent" ]; then
  for candidate in "$here/fleetban-agent.js" "$here/../dist/fleetban-agent.js"; do
    [ -f "$candidate" ] && { agent=$candidate; break; }
  done
fi
[ -n "$agent" ] && [ -f "$agent" ] || die "the bundled agent is missing: pass --agent fleetban-agent.js (made by node scripts/bundle-agent.mjs)"
agent=$(readlink -f "$agent")
[ -z "$ca" ] || [ -f "$ca" ] || die "--ca $ca: no such file"
for file in fleetban-agent.service logrotate.asterisk; do
  [ -f "$here/$file" ] || die "$here/$file is missing: keep this script beside the rest of packaging/"
done
say "checks passed: Node $("$node" --version) at $node, $(nft --version), logs ${logs[*]}"

# --- 2. enroll -------------------------------------------------------------------------------------------------
# The token goes to enroll on stdin (printf is a builtin: no process ever has it in its arguments).
enroll=(enroll --server "$server" --token - --config "$config" --state-dir "$state_dir")
for log in "${logs[@]}"; do enroll+=(--log "$log"); done
for allow in "${allows[@]+"${allows[@]}"}"; do enroll+=(--allow "$allow"); done
[ -z "$timezone" ] || enroll+=(--timezone "$timezone")
config_dir=$(dirname "$config")
ca_file=$config_dir/ca.pem
[ -z "$ca" ] || enroll+=(--ca "$ca_file")

# enroll reads the CA where the agent will (it writes that path as caFile), so ca.pem is in place first; if the
# enrollment fails, the CA that was there before (or none, and no config dir) is put back.
previous_ca=''
created_dir='' # the top-most directory made for ca.pem
undo_ca() {
  if [ -n "$previous_ca" ]; then mv -f "$previous_ca" "$ca_file"; else rm -f "$ca_file"; fi
  local dir=$config_dir
  while [ -n "$created_dir" ] && rmdir "$dir" 2>/dev/null && [ "$dir" != "$created_dir" ]; do dir=$(dirname "$dir"); done
}
if [ -n "$ca" ] && [ "$dry_run" = 0 ]; then
  dir=$config_dir
  while [ ! -d "$dir" ]; do created_dir=$dir; dir=$(dirname "$dir"); done
  if [ -e "$ca_file" ]; then previous_ca=$(mktemp "$ca_file.previous.XXXXXX") && cp -p "$ca_file" "$previous_ca"; fi
  install -d -m 0755 "$config_dir"
  # A reinstall may name the installed CA itself.
  [ "$(readlink -f "$ca")" = "$(readlink -f "$ca_file")" ] || install -m 0644 "$ca" "$ca_file"
fi
if [ "$dry_run" = 1 ]; then
  [ -z "$ca" ] || printf '+ %s\n' "install -m 0644 $ca $ca_file"
  printf '+ %s\n' "printf <token> | $node $agent ${enroll[*]}"
elif printf '%s\n' "$token" | "$node" "$agent" "${enroll[@]}"; then
  [ -z "$previous_ca" ] || rm -f "$previous_ca"
else
  [ -z "$ca" ] || undo_ca
  die "enrollment failed (above): nothing was installed"
fi

# --- 3. the agent ----------------------------------------------------------------------------------------------
act install -d -m 0755 "$lib_dir" "$bin_dir"
act install -m 0755 "$agent" "$lib_dir/fleetban-agent.js"
act ln -sf "$lib_dir/fleetban-agent.js" "$bin_dir/fleetban-agent"
act install -d -m 0700 "$state_dir"
if [ "$dry_run" = 0 ]; then
  # Fails (exit 2, every bad key named) if the config written above is not one the agent accepts.
  rc=0; "$node" "$lib_dir/fleetban-agent.js" status --config "$config" >/dev/null 2>&1 || rc=$?
  [ "$rc" != 2 ] || { "$node" "$lib_dir/fleetban-agent.js" status --config "$config" || true; die "the agent refuses $config"; }
fi

# --- 4. systemd unit and logrotate -----------------------------------------------------------------------------
unit=$unit_dir/fleetban-agent.service
if [ "$dry_run" = 1 ]; then
  printf '+ %s\n' "write $unit: $here/fleetban-agent.service with this host's paths and $node"
else
  install -d -m 0755 "$unit_dir"
  sed -e "s|/usr/bin/env node|$node|" \
      -e "s|/usr/local/lib/fleetban/fleetban-agent.js|$lib_dir/fleetban-agent.js|" \
      -e "s|/etc/fleetban/agent.yaml|$config|" \
      -e "s|^ReadWritePaths=.*|ReadWritePaths=$state_dir|" \
      "$here/fleetban-agent.service" > "$unit"
  chmod 0644 "$unit"
fi
if [ -e "$logrotate_dir/asterisk" ]; then
  say "kept $logrotate_dir/asterisk (Asterisk's own): the agent follows rotation by rename and by copytruncate alike"
else
  act install -d -m 0755 "$logrotate_dir"
  act install -m 0644 "$here/logrotate.asterisk" "$logrotate_dir/asterisk"
fi

# --- 5. start --------------------------------------------------------------------------------------------------
run_cmd="$bin_dir/fleetban-agent run --config $config"
if [ "$start" = 1 ] && [ -d /run/systemd/system ]; then
  act systemctl daemon-reload
  act systemctl enable fleetban-agent.service
  # restart, not start: a reinstall (new agent, new token) must replace an agent that already runs.
  act systemctl restart fleetban-agent.service
  say "started: systemctl status fleetban-agent; $bin_dir/fleetban-agent status --config $config"
elif [ "$start" = 1 ]; then
  say "systemd is not running here: start the agent with your init system, or by hand: $run_cmd"
else
  say "installed, not started (--no-start): systemctl enable --now fleetban-agent, or: $run_cmd"
fi
[ "$dry_run" = 0 ] || say "dry run: nothing was changed"
