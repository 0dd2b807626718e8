# Where the agent's files go: read by install-agent.sh and uninstall-agent.sh, so that the uninstall removes exactly
# what the install put in place. Each path can be moved with its environment variable (the tests install under a
# temporary root this way).
# shellcheck shell=bash
lib_dir=${FLEETBAN_LIB_DIR:-/usr/local/lib/fleetban}
bin_dir=${FLEETBAN_BIN_DIR:-/usr/local/bin}
config=${FLEETBAN_CONFIG:-/etc/fleetban/agent.yaml}
state_dir=${FLEETBAN_STATE_DIR:-/var/lib/fleetban-agent}
unit_dir=${FLEETBAN_UNIT_DIR:-/etc/systemd/system}
logrotate_dir=${FLEETBAN_LOGROTATE_DIR:-/etc/logrotate.d}
