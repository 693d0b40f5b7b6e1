# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/lib.sh - helpers shared by the netns end-to-end tests.
#
# Source it from a test script that runs under `set -euo pipefail`. It provides:
#   t_*      TAP-style result lines ("ok N - desc" / "not ok N - desc") and the closing tally
#   hub_*    start, wait for, query and stop a vpnhub inside a namespace
#   hubs_*   the same for several hubs at once, each under a key of the caller's choice
#   json_*   small JSON queries through Debian's python3 (the one at /usr/bin/python3)
# and everything from scripts/netns.sh (netns_*).
#
# Binaries come from $VPNHUB_BUILD (default: build/ at the repo root), so
# `VPNHUB_BUILD=build-asan test/integration/basic.sh` runs the same test on the sanitizer build.

VH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/netns.sh disable=SC1091
source "$VH_ROOT/scripts/netns.sh"

VH_BUILD=${VPNHUB_BUILD:-$VH_ROOT/build}
[[ $VH_BUILD == /* ]] || VH_BUILD=$VH_ROOT/$VH_BUILD
VPNHUB=$VH_BUILD/app/vpnhub
VPNHUBCTL=$VH_BUILD/app/vpnhubctl
PY=/usr/bin/python3

T_NAME="test"
T_N=0
T_PASS=0
T_FAIL=0
HUB_PID=
HUB_LOG=
HUB_STATUS=

# ---- results ----

# t_init NAME: name used in the closing line "NAME: N passed, N failed".
t_init() {
	T_NAME=$1
}

# t_ok DESC...: a passed assertion (the words are joined by spaces).
t_ok() {
	T_N=$((T_N + 1))
	T_PASS=$((T_PASS + 1))
	echo "ok $T_N - $*"
}

# t_not_ok DESC [DETAIL...]: a failed assertion; details and the hub log's tail follow as
# "#" comment lines.
t_not_ok() {
	T_N=$((T_N + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - $1"
	shift
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
	hub_log_tail
	hubs_log_tail
}

# t_check DESC CMD...: ok if CMD exits 0; its output is shown only on failure.
t_check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		t_ok "$desc"
	else
		t_not_ok "$desc" "command: $*" "exit status: $rc" "$out"
	fi
}

# t_done: print the plan and the tally; returns non-zero if anything failed or nothing ran.
t_done() {
	echo "1..$T_N"
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	((T_FAIL == 0 && T_N > 0))
}

t_diag() {
	printf '# %s\n' "$@"
}

# ---- json ----

# json_get KEY.PATH < JSON: print one value. A telemetry reply {"/cmd": {...}} is unwrapped
# first. Strings print bare, anything else as JSON. Fails if the path does not exist.
json_get() {
	"$PY" -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, dict) and len(d) == 1 and next(iter(d)).startswith("/"):
    d = next(iter(d.values()))
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d if isinstance(d, str) else json.dumps(d))
' "$1"
}

# json_neighbor ADDRESS < /vpnhub/neighbors reply: print "state mac interface" of that entry.
json_neighbor() {
	"$PY" -c '
import ipaddress, json, sys
d = json.load(sys.stdin)
if isinstance(d, dict) and len(d) == 1 and next(iter(d)).startswith("/"):
    d = next(iter(d.values()))
want = ipaddress.ip_address(sys.argv[1])
for e in d.values():
    if not isinstance(e, dict) or "address" not in e:
        continue
    if ipaddress.ip_address(e["address"]) == want:
        print(str(e.get("state", "?")).lower(), str(e.get("mac", "?")).lower(),
              e.get("interface", "?"))
        sys.exit(0)
sys.exit(1)
' "$1"
}

# ---- the hub ----

# ctl INSTANCE ARGS...: vpnhubctl against one instance.
ctl() {
	local inst=$1
	shift
	"$VPNHUBCTL" --instance "$inst" "$@"
}

# ctl_raw INSTANCE COMMAND: the raw telemetry JSON reply of COMMAND.
ctl_raw() {
	"$VPNHUBCTL" --instance "$1" raw "$2"
}

# hub_start NS LOG ARGS...: start vpnhub in namespace NS in the background, output to LOG.
# `ip netns exec` execs the program, so HUB_PID is vpnhub's own pid.
hub_start() {
	local ns=$1
	HUB_LOG=$2
	shift 2
	ip netns exec "$ns" "$VPNHUB" "$@" >"$HUB_LOG" 2>&1 &
	HUB_PID=$!
	HUB_STATUS=
}

hub_alive() {
	[[ -n $HUB_PID ]] && kill -0 "$HUB_PID" 2>/dev/null
}

# hub_wait_ready INSTANCE SECONDS: wait until the hub printed "ready" and its telemetry
# answers. Fails early if the hub exits.
hub_wait_ready() {
	local inst=$1 deadline=$((SECONDS + $2))
	while ((SECONDS < deadline)); do
		if ! hub_alive; then
			hub_reap
			echo "vpnhub exited during start-up (status $HUB_STATUS)" >&2
			return 1
		fi
		if grep -q ready "$HUB_LOG" 2>/dev/null && ctl "$inst" show version >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	if ctl "$inst" show version >/dev/null 2>&1; then
		echo "vpnhub answers telemetry but printed no 'ready' line in $2 s" \
			"(is stdout flushed after it?)" >&2
	else
		echo "vpnhub not ready after $2 s" >&2
	fi
	return 1
}

# hub_reap: collect the exit status of a hub that has exited into HUB_STATUS.
hub_reap() {
	[[ -n $HUB_PID ]] || return 0
	local rc=0
	wait "$HUB_PID" 2>/dev/null || rc=$?
	HUB_STATUS=$rc
	HUB_PID=
}

# hub_stop SECONDS: SIGTERM the hub and wait for it to exit; HUB_STATUS gets its exit status.
# Returns non-zero if it had to be killed.
hub_stop() {
	local deadline=$((SECONDS + $1))
	[[ -n $HUB_PID ]] || return 0
	kill -TERM "$HUB_PID" 2>/dev/null || true
	while hub_alive && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if hub_alive; then
		kill -KILL "$HUB_PID" 2>/dev/null || true
		hub_reap
		return 1
	fi
	hub_reap
}

hub_log_tail() {
	[[ -n $HUB_LOG && -s $HUB_LOG ]] || return 0
	echo "#   --- last lines of the hub log ($HUB_LOG) ---"
	tail -n 25 "$HUB_LOG" | sed 's/^/#   | /'
}

# ---- traffic ----

# ping_ok NS ADDRESS [PING-ARGS...]: true once three echoes are answered within 6 s (echoes lost
# to address resolution are sent again).
ping_ok() {
	local ns=$1 addr=$2
	shift 2
	ip netns exec "$ns" ping -n -c3 -i0.2 -w6 "$@" "$addr"
}

# ---- several hubs ----
#
# The hubs_* functions manage any number of hubs at once, each under a short key of the
# caller's choice ("a", "b"): arrays keyed by it hold the pid, log, instance name and exit
# status. They leave HUB_PID/HUB_LOG (the single hub of hub_*) alone; t_not_ok shows the tail
# of every log started here.

declare -A HUBS_PID=() HUBS_LOG=() HUBS_INST=() HUBS_STATUS=()

# hubs_start KEY INSTANCE NS LOG ARGS...: start vpnhub in namespace NS in the background, output
# to LOG, known from now on as KEY. INSTANCE is the system.name of its config (for telemetry).
hubs_start() {
	local key=$1 inst=$2 ns=$3 log=$4
	shift 4
	ip netns exec "$ns" "$VPNHUB" "$@" >"$log" 2>&1 &
	HUBS_PID[$key]=$!
	HUBS_LOG[$key]=$log
	HUBS_INST[$key]=$inst
	HUBS_STATUS[$key]=
}

# hubs_alive KEY
hubs_alive() {
	[[ -n ${HUBS_PID[$1]:-} ]] && kill -0 "${HUBS_PID[$1]}" 2>/dev/null
}

# hubs_reap KEY: collect the exit status of hub KEY (which has exited) into HUBS_STATUS[KEY].
hubs_reap() {
	[[ -n ${HUBS_PID[$1]:-} ]] || return 0
	local rc=0
	wait "${HUBS_PID[$1]}" 2>/dev/null || rc=$?
	HUBS_STATUS[$1]=$rc
	HUBS_PID[$1]=
}

# hubs_wait_ready SECONDS KEY...: wait until every hub named printed "ready" and answers
# telemetry, all within one deadline. Fails early when one exits; the reason goes to stderr.
hubs_wait_ready() {
	local secs=$1 deadline=$((SECONDS + $1)) key pending
	shift
	while ((SECONDS < deadline)); do
		pending=0
		for key in "$@"; do
			if ! hubs_alive "$key"; then
				hubs_reap "$key"
				echo "hub $key (${HUBS_INST[$key]:-?}) exited during start-up" \
					"(status ${HUBS_STATUS[$key]:-?})" >&2
				return 1
			fi
			if ! grep -q ready "${HUBS_LOG[$key]}" 2>/dev/null ||
				! ctl "${HUBS_INST[$key]}" show version >/dev/null 2>&1; then
				pending=1
			fi
		done
		((pending == 0)) && return 0
		sleep 0.2
	done
	for key in "$@"; do
		if ! grep -q ready "${HUBS_LOG[$key]}" 2>/dev/null ||
			! ctl "${HUBS_INST[$key]}" show version >/dev/null 2>&1; then
			echo "hub $key (${HUBS_INST[$key]}) not ready after $secs s" >&2
		fi
	done
	return 1
}

# hubs_stop SECONDS KEY: SIGTERM hub KEY and wait for it to exit; HUBS_STATUS[KEY] gets its exit
# status. Returns non-zero if it had to be killed.
hubs_stop() {
	local deadline=$((SECONDS + $1)) key=$2
	[[ -n ${HUBS_PID[$key]:-} ]] || return 0
	kill -TERM "${HUBS_PID[$key]}" 2>/dev/null || true
	while hubs_alive "$key" && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if hubs_alive "$key"; then
		kill -KILL "${HUBS_PID[$key]}" 2>/dev/null || true
		hubs_reap "$key"
		return 1
	fi
	hubs_reap "$key"
}

# hubs_stop_all SECONDS: hubs_stop every hub still running; non-zero if one had to be killed.
hubs_stop_all() {
	local key rc=0
	for key in "${!HUBS_PID[@]}"; do
		hubs_stop "$1" "$key" || rc=1
	done
	return "$rc"
}

# hubs_log_tail: the end of the log of every hub that hubs_start started (and the caller has not
# unset from HUBS_LOG), as "#" comment lines.
hubs_log_tail() {
	local key
	for key in "${!HUBS_LOG[@]}"; do
		[[ -s ${HUBS_LOG[$key]} ]] || continue
		echo "#   --- last lines of hub $key's log (${HUBS_LOG[$key]}) ---"
		tail -n 10 "${HUBS_LOG[$key]}" | sed 's/^/#   | /'
	done
}
