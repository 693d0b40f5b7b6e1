#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/run.sh - build vpnhub and run it.
#
# Default: the demo. Builds the namespace topology of scripts/netns.sh with prefix "vh" (a LAN
# host and a WAN host on either side of the hub), starts vpnhub with its embedded default config
# (conf/vpnhub.yaml) inside vh-hub, pings across it once, prints what to try, and stays in the
# foreground until Ctrl-C, which stops the hub cleanly and removes the namespaces.
#
# Usage: scripts/run.sh [--keep] [--no-build]                 the demo
#        scripts/run.sh [--no-build] --no-demo [VPNHUB-ARGS...]  just vpnhub (-c FILE -- EAL-ARGS)
# Binaries come from build/ (or $VPNHUB_BUILD).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
# shellcheck source-path=SCRIPTDIR source=netns.sh disable=SC1091
source "$ROOT/scripts/netns.sh"

readonly PREFIX=vh        # the names conf/vpnhub.yaml expects: vh-lan0, vh-wan0
readonly INSTANCE=vpnhub  # system.name in conf/vpnhub.yaml
BUILD=${VPNHUB_BUILD:-$ROOT/build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
readonly BUILD
readonly VPNHUB=$BUILD/app/vpnhub
readonly VPNHUBCTL=$BUILD/app/vpnhubctl
readonly READY_TIMEOUT=30

HUB_PID=
KEEP=0
DO_BUILD=1

log() { printf 'run: %s\n' "$*"; }
die() { printf 'run: error: %s\n' "$*" >&2; exit 1; }

usage() {
	cat <<EOF
Usage: scripts/run.sh [--keep] [--no-build]     run the demo (namespaces + embedded config)
       scripts/run.sh [--no-build] --no-demo [VPNHUB-ARGS...]
                        run vpnhub with these arguments and nothing else,
                        e.g. --no-demo -c conf/examples/pci-nic.yaml -- -a 0000:3b:00.0
  --keep       leave the vh-* namespaces in place when the demo ends
  --no-build   skip scripts/bootstrap.sh and ninja (use the binaries as they are)
Binaries come from build/, or from \$VPNHUB_BUILD when set.
EOF
}

build() {
	((DO_BUILD)) || return 0
	bash "$ROOT/scripts/bootstrap.sh" --no-asan
	log "building (ninja -C ${BUILD#"$ROOT"/})"
	ninja -C "$BUILD" >/dev/null || {
		ninja -C "$BUILD" >&2 || true
		die "build failed"
	}
}

hub_alive() {
	[[ -n $HUB_PID ]] && kill -0 "$HUB_PID" 2>/dev/null
}

# stop_hub: SIGTERM, then up to 10 s for a clean exit, then SIGKILL.
stop_hub() {
	local i
	hub_alive || return 0
	log "stopping vpnhub (pid $HUB_PID)"
	kill -TERM "$HUB_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		hub_alive || break
		sleep 0.1
	done
	if hub_alive; then
		log "vpnhub did not exit within 10 s; killing it"
		kill -KILL "$HUB_PID" 2>/dev/null || true
	fi
	wait "$HUB_PID" 2>/dev/null || true
	HUB_PID=
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Tear down even when the terminal or a pipe reading our output is already gone.
	trap '' PIPE
	set +e
	stop_hub
	if ((KEEP)); then
		log "namespaces kept: $PREFIX-hub $PREFIX-lan $PREFIX-wan (remove: scripts/netns.sh down $PREFIX)"
	else
		netns_down "$PREFIX"
		log "namespaces removed"
	fi
	exit "$rc"
}

wait_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT))
	while ((SECONDS < deadline)); do
		hub_alive || return 1
		"$VPNHUBCTL" --instance "$INSTANCE" show version >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

try_ping() {
	local out
	log "ping lan-host -> wan-host's 198.51.100.1 through the hub:"
	if out=$(ip netns exec "$PREFIX-lan" ping -n -c1 -W2 198.51.100.1 2>&1); then
		printf '%s\n' "$out" | sed -n '/bytes from/p;/packet loss/p' | sed 's/^/    /'
	else
		printf '%s\n' "$out" | sed 's/^/    /'
		log "no reply (the hub may still be resolving neighbors: try the command below again)"
	fi
}

print_help() {
	local ctl=${VPNHUBCTL#"$ROOT"/} stops=" and removes the namespaces"
	((KEEP)) && stops=""
	cat <<EOF

vpnhub is running in namespace $PREFIX-hub (pid $HUB_PID). From another terminal, try:

  Traffic through the hub (lan-host 10.10.1.2 <-> hub <-> wan-host 203.0.113.2):
    ip netns exec $PREFIX-lan ping 198.51.100.1        # routed via 203.0.113.2
    ip netns exec $PREFIX-lan ping fd00:10:99::1       # IPv6, routed via fd00:10:2::2
    ip netns exec $PREFIX-wan ping 10.10.1.2
    ip netns exec $PREFIX-lan ping 10.10.1.1           # the hub itself answers
    ip netns exec $PREFIX-lan ping -t1 203.0.113.2     # TTL expires at the hub
    ip netns exec $PREFIX-wan tshark -i eth0           # watch the WAN side

  The hub's state (run from the repository root):
    $ctl show version
    $ctl show interfaces
    $ctl show ip route
    $ctl show ipv6 route
    $ctl show arp
    $ctl show ipv6 neighbors
    $ctl show stats
    $ctl --json show stats
    $ctl raw /vpnhub/stats

  DPDK's own telemetry client (type /vpnhub/stats, /ethdev/list, ... at its prompt):
    dpdk-telemetry.py -f $INSTANCE

Ctrl-C stops the hub$stops.
EOF
}

run_demo() {
	((EUID == 0)) || die "the demo needs root (network namespaces); try: sudo $0"
	if "$VPNHUBCTL" --instance "$INSTANCE" show version >/dev/null 2>&1; then
		die "an instance named '$INSTANCE' is already running; stop it first"
	fi
	if netns_exists "$PREFIX"; then
		log "removing namespaces left from an earlier run"
		netns_down "$PREFIX"
	fi
	trap cleanup EXIT
	trap 'exit 0' INT TERM
	log "creating namespaces $PREFIX-hub, $PREFIX-lan, $PREFIX-wan"
	netns_up "$PREFIX" || die "could not create the namespaces"

	log "starting vpnhub (embedded conf/vpnhub.yaml) in $PREFIX-hub"
	ip netns exec "$PREFIX-hub" "$VPNHUB" &
	HUB_PID=$!
	if ! wait_ready; then
		hub_alive || { wait "$HUB_PID" || true; HUB_PID=; die "vpnhub exited during start-up"; }
		die "vpnhub did not answer on its telemetry socket within $READY_TIMEOUT s"
	fi
	try_ping
	print_help

	local rc=0
	wait "$HUB_PID" || rc=$?
	HUB_PID=
	log "vpnhub exited with status $rc"
	return "$rc"
}

main() {
	while (($# > 0)); do
		case $1 in
		--keep) KEEP=1 ;;
		--no-build) DO_BUILD=0 ;;
		--no-demo)
			shift
			build
			exec "$VPNHUB" "$@"
			;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown option: $1 (try --help)" ;;
		esac
		shift
	done
	build
	run_demo
}

main "$@"
