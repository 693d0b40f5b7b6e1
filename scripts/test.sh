#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/test.sh - everything CI runs, in order:
#   1. format check: clang-format --dry-run -Werror over the C sources
#   2. unit tests:   build-asan/test/vpnhub-unit (CUnit, under ASan + UBSan)
#   3. integration:  every test/integration/*.sh (netns end-to-end; needs root)
#   4. fuzz:         each libFuzzer harness of test/fuzz for FUZZ_SECONDS (default 30; the IKE
#                    harnesses FUZZ_IKE_SECONDS, default 60), seeded from test/fuzz/corpus/<name>
#                    and, for the config, conf/ (test/fuzz/README.md)
#   5. perf smoke:   perf/run.sh --quick --smoke, when perf/run.sh exists
#
# A stage that fails or crashes counts as failed and the next stage still runs. The last line is
# always "N passed, N failed" over all stages (unit tests and integration assertions one each,
# the format check and the perf smoke one each); the exit status is non-zero if anything failed.
#
# Usage: scripts/test.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly FORMAT_DIRS=(app conf crypto dataplane ctrlplane test perf)
readonly UNIT=$ROOT/build-asan/test/vpnhub-unit
readonly INTEGRATION_TIMEOUT=600 # seconds per integration script
readonly PERF_TIMEOUT=1200
readonly FUZZ_SECONDS=${FUZZ_SECONDS:-30}
readonly FUZZ_IKE_SECONDS=${FUZZ_IKE_SECONDS:-60} # fuzz_ike*: the parsers and the responder
readonly FUZZERS=(fuzz_config fuzz_json fuzz_packet fuzz_ike_msg fuzz_ikev1_msg fuzz_ike_resp)

PASSED=0
FAILED=0
LOGDIR=
declare -A BUILT=([app]=0 [asan]=0) # 1 once build/app/* and build-asan/ have built

section() {
	printf '\n==== %s ====\n' "$*"
}

note() {
	printf 'test: %s\n' "$*"
}

pass() { PASSED=$((PASSED + $1)); }
fail() { FAILED=$((FAILED + $1)); }

# run_logged LOG CMD...: run CMD with its output shown and saved to LOG; returns its status.
run_logged() {
	local log=$1 rc=0
	shift
	"$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
	return "$rc"
}

# ninja_step DIR [TARGET...]: build quietly; on failure show the end of the log.
ninja_step() {
	local dir=$1 log
	shift
	log=$(mktemp "$LOGDIR/ninja.XXXXXX")
	note "ninja -C $dir${*:+ $*}"
	if ninja -C "$ROOT/$dir" "$@" >"$log" 2>&1; then
		return 0
	fi
	grep -E "error|FAILED" "$log" | head -n 20
	echo "..."
	tail -n 5 "$log"
	note "ninja -C $dir${*:+ $*} failed (counted as one failure)"
	return 1
}

stage_build() {
	section "build"
	if ! bash "$ROOT/scripts/bootstrap.sh"; then
		note "bootstrap failed (counted as one failure)"
		fail 1
		return 0
	fi
	# The programs first, so a broken unit test does not keep the integration tests from running.
	if ninja_step build app/vpnhub app/vpnhubctl; then
		BUILT[app]=1
		ninja_step build || fail 1
	else
		fail 1
	fi
	if ninja_step build-asan; then
		BUILT[asan]=1
	else
		fail 1
	fi
}

# C sources of the project: tracked files plus new ones git does not ignore.
c_sources() {
	if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$ROOT" ls-files --cached --others --exclude-standard -- \
			"${FORMAT_DIRS[@]/%//*.c}" "${FORMAT_DIRS[@]/%//*.h}" | sort -u
	else
		(cd "$ROOT" && find "${FORMAT_DIRS[@]}" -name '*.[ch]' 2>/dev/null | sort)
	fi
}

stage_format() {
	section "format (clang-format --dry-run -Werror)"
	local files=()
	mapfile -t files < <(c_sources)
	if ((${#files[@]} == 0)); then
		note "no C sources: skipped"
		return 0
	fi
	if [[ ! -f $ROOT/.clang-format ]]; then
		note "no .clang-format at the repository root"
		fail 1
		return 0
	fi
	local out=$LOGDIR/format.log
	if (cd "$ROOT" && clang-format --dry-run -Werror "${files[@]}") >"$out" 2>&1; then
		note "${#files[@]} files formatted as .clang-format says"
		pass 1
		return 0
	fi
	# Where, not the whole diff: per file, the number of places and the first few.
	grep -oE '^[^: ]+:[0-9]+:[0-9]+: error' "$out" | cut -d: -f1 | uniq -c |
		awk '{ printf "  %s: %d place(s)\n", $2, $1 }'
	grep -E '^[^: ]+:[0-9]+:[0-9]+: error' "$out" | head -n 10 | sed 's/^/  /'
	grep -qE ': error' "$out" || cat "$out"
	note "formatting differs from .clang-format (fix: clang-format -i FILE...)"
	fail 1
}

stage_unit() {
	section "unit tests (build-asan/test/vpnhub-unit)"
	local log=$LOGDIR/unit.log rc=0 summary n_pass n_fail
	if ((!BUILT[asan])); then
		note "skipped: build-asan/ did not build"
		return 0
	fi
	if [[ ! -x $UNIT ]]; then
		note "$UNIT was not built"
		fail 1
		return 0
	fi
	# UBSan reports go on by default; they are caught below from the log.
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} run_logged "$log" "$UNIT" || rc=$?
	summary=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	if [[ -z $summary ]]; then
		note "the unit runner crashed or printed no summary (exit status $rc)"
		fail 1
		return 0
	fi
	read -r n_pass n_fail < <(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' <<<"$summary")
	pass "$n_pass"
	fail "$n_fail"
	if grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer' "$log"; then
		note "sanitizer reports in the unit run (counted as one failure)"
		fail 1
	elif ((rc != 0 && n_fail == 0)); then
		note "the unit runner exited with status $rc although no test failed (counted as one failure)"
		fail 1
	fi
}

stage_integration() {
	section "integration tests (test/integration)"
	local script name log rc oks not_oks
	local scripts=()
	mapfile -t scripts < <(find "$ROOT/test/integration" -maxdepth 1 -name '*.sh' ! -name lib.sh |
		sort)
	if ((${#scripts[@]} == 0)); then
		note "no integration tests"
		return 0
	fi
	if ((!BUILT[app])); then
		note "skipped: build/app/vpnhub and vpnhubctl did not build"
		return 0
	fi
	for script in "${scripts[@]}"; do
		name=$(basename "$script" .sh)
		log=$LOGDIR/integration-$name.log
		printf -- '---- %s\n' "$name"
		rc=0
		run_logged "$log" timeout --kill-after=30 "$INTEGRATION_TIMEOUT" bash "$script" || rc=$?
		oks=$(grep -cE '^ok [0-9]+' "$log" || true)
		not_oks=$(grep -cE '^not ok [0-9]+' "$log" || true)
		pass "$oks"
		fail "$not_oks"
		if ((rc == 124 || rc == 137)); then
			note "$name timed out after $INTEGRATION_TIMEOUT s (counted as one failure)"
			fail 1
		elif ((rc != 0 && not_oks == 0)); then
			note "$name exited with status $rc without a failed assertion (counted as one failure)"
			fail 1
		fi
	done
}

# One harness: a fresh corpus dir first (libFuzzer writes new inputs there), then the seeds.
fuzz_one() {
	local name=$1 bin=$ROOT/build-fuzz/test/fuzz/$1 work seeds=() secs=$FUZZ_SECONDS
	[[ $name == fuzz_ike* ]] && secs=$FUZZ_IKE_SECONDS
	work=$(mktemp -d "$LOGDIR/$name.XXXXXX")
	[[ -d $ROOT/test/fuzz/corpus/${name#fuzz_} ]] && seeds+=("$ROOT/test/fuzz/corpus/${name#fuzz_}")
	[[ $name == fuzz_config ]] && seeds+=("$ROOT/conf" "$ROOT/conf/examples")
	(cd "$work" && "$bin" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 \
		-print_final_stats=1 "$work" "${seeds[@]}") >"$LOGDIR/$name.log" 2>&1
}

stage_fuzz() {
	section "fuzz (libFuzzer, ${FUZZ_SECONDS} s per harness, ${FUZZ_IKE_SECONDS} s for IKE)"
	if [[ ! -d $ROOT/build-fuzz ]] &&
		! CC=clang meson setup "$ROOT/build-fuzz" -Dfuzz=true -Dtests=disabled >"$LOGDIR/fuzz-setup.log" 2>&1; then
		tail -n 20 "$LOGDIR/fuzz-setup.log"
		note "meson setup build-fuzz failed (counted as one failure)"
		fail 1
		return 0
	fi
	if ! ninja_step build-fuzz "${FUZZERS[@]/#/test/fuzz/}"; then
		fail 1
		return 0
	fi
	local f
	for f in "${FUZZERS[@]}"; do
		if fuzz_one "$f"; then
			note "$f: $(grep -E '^#[0-9]+.*DONE' "$LOGDIR/$f.log" | tail -n 1)"
			pass 1
		else
			grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$LOGDIR/$f.log" | head -n 20
			note "$f found a failure (counted as one failure)"
			fail 1
		fi
	done
}

stage_perf() {
	[[ -f $ROOT/perf/run.sh ]] || return 0
	section "perf smoke (perf/run.sh --quick --smoke)"
	local rc=0
	(cd "$ROOT" && timeout --kill-after=30 "$PERF_TIMEOUT" bash perf/run.sh --quick --smoke) || rc=$?
	if ((rc == 0)); then
		pass 1
	else
		note "perf smoke failed (exit status $rc)"
		fail 1
	fi
}

main() {
	(($# == 0)) || { echo "usage: scripts/test.sh" >&2; exit 2; }
	LOGDIR=$(mktemp -d /tmp/vpnhub-test.XXXXXX)
	trap 'rm -rf "$LOGDIR"' EXIT
	cd "$ROOT"

	# Each stage handles its own failures; "|| fail 1" catches a stage that breaks down itself.
	stage_build || fail 1
	stage_format || fail 1
	stage_unit || fail 1
	stage_integration || fail 1
	stage_fuzz || fail 1
	stage_perf || fail 1

	section "summary"
	echo "$PASSED passed, $FAILED failed"
	((FAILED == 0))
}

main "$@"
