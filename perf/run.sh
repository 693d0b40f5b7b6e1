#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# perf/run.sh - build the release benchmark and run it (see perf/README.md).
#
# Builds build-release/ (meson setup -Dbuildtype=release -Dtests=disabled when it does not exist,
# after scripts/bootstrap.sh --no-asan has installed the packages), then runs
# build-release/perf/vpnhub-bench, which prints the table. The JSON of the run goes to
# perf/results/<YYYY-MM-DD>-<host>.json; with --smoke to a temporary file instead, so that test
# runs leave the tree clean. The exit status is the benchmark's (see perf/README.md).
#
# Usage: perf/run.sh [--quick] [--smoke] [--rt] [BENCH-OPTION...] [PATH...]
#   every argument is passed to vpnhub-bench; --json is added by this script
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BUILD=$ROOT/build-release
readonly BENCH=$BUILD/perf/vpnhub-bench
TMP_JSON= # the --smoke result file, removed on exit

log() { printf 'perf/run.sh: %s\n' "$*" >&2; }
die() { printf 'perf/run.sh: error: %s\n' "$*" >&2; exit 3; }

setup_build() {
	[[ -f $BUILD/meson-private/coredata.dat ]] && return 0
	if [[ -f $ROOT/scripts/bootstrap.sh ]]; then
		log "bootstrap (packages, hugepages)"
		bash "$ROOT/scripts/bootstrap.sh" --no-asan >&2 || die "scripts/bootstrap.sh failed"
	elif ! command -v meson >/dev/null || ! pkg-config --exists libdpdk; then
		die "meson and libdpdk-dev are needed (run scripts/bootstrap.sh)"
	fi
	log "meson setup build-release"
	(cd "$ROOT" && meson setup build-release -Dbuildtype=release -Dtests=disabled) >&2 ||
		die "meson setup build-release failed"
}

main() {
	local smoke=0 arg json rc=0
	for arg in "$@"; do
		case $arg in
		--smoke) smoke=1 ;;
		--json | --json=*) die "--json is chosen by this script" ;;
		-h | --help)
			sed -n '4,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
			exit 0
			;;
		esac
	done
	setup_build
	log "ninja -C build-release perf/vpnhub-bench perf/vpnhub-ike-bench perf/vpnhub-mem-floor"
	ninja -C "$BUILD" perf/vpnhub-bench perf/vpnhub-ike-bench perf/vpnhub-mem-floor >&2 ||
		die "build failed"
	if ((smoke)); then
		TMP_JSON=$(mktemp /tmp/vpnhub-bench.XXXXXX.json)
		trap 'rm -f "$TMP_JSON"' EXIT
		json=$TMP_JSON
	else
		mkdir -p "$ROOT/perf/results"
		json=$ROOT/perf/results/$(date -u +%Y-%m-%d)-$(hostname -s).json
	fi
	"$BENCH" --json "$json" "$@" || rc=$?
	((smoke)) || log "results: ${json#"$ROOT"/}"
	# the memory floor of per-SA state at 100 000 SAs, on the worker's CPU (not in quick runs)
	if ! ((smoke)) && [[ " $* " != *" --quick "* ]]; then
		"$BUILD/perf/vpnhub-mem-floor" --cpu 1 || rc=$?
	fi
	# the control core's table: IKE establishments per second (a row that fails fails the run)
	local ike_args=()
	[[ " $* " == *" --quick "* ]] && ike_args=(--quick)
	if ((smoke || ${#ike_args[@]} || $# == 0)); then
		"$BUILD/perf/vpnhub-ike-bench" "${ike_args[@]}" || rc=$?
		# ike-hold: 1000 IKE SAs through 5 minutes of liveness checks, ESP on 100 of them,
		# none lost (a full run holds 10 000); ike-flood: 30 s of forged IKE_SA_INIT while 100
		# legitimate initiators get in
		local hold=10000
		((smoke || ${#ike_args[@]})) && hold=1000
		"$BUILD/perf/vpnhub-ike-bench" --hold "$hold" || rc=$?
		"$BUILD/perf/vpnhub-ike-bench" --flood 30 || rc=$?
	fi
	return "$rc"
}

main "$@"
