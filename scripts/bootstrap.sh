#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/bootstrap.sh - prepare a Debian 12 machine to build, run and test vpnhub.
#
# Idempotent: installs only the Debian packages that are missing (apt-get update runs only then),
# reserves 2 MB hugepages when it can, and runs `meson setup` for build directories that do not
# exist yet (existing ones are left alone; ninja re-runs meson itself when meson.build changes).
#
# Usage: scripts/bootstrap.sh [--no-asan] [-h]
#   --no-asan   do not set up build-asan/ (the sanitizer build the unit tests run from)
set -euo pipefail

# Every Debian package the project needs to build, run and test. Keep this the only list.
readonly PACKAGES=(
	build-essential meson ninja-build pkg-config
	dpdk-dev libdpdk-dev libipsec-mb-dev libssl-dev libyaml-dev libcunit1-dev libpcap-dev
	libnuma-dev python3-pyelftools
	iproute2 iputils-ping ethtool tshark procps
	clang-format shellcheck clang libclang-rt-14-dev
	python3-cryptography python3-cryptography-vectors python3-scapy
	strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins
	libstrongswan-extra-plugins libcharon-extauth-plugins
	openssl
)

readonly HUGEPAGES_WANTED=512

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT

log() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

usage() {
	cat <<EOF
Usage: scripts/bootstrap.sh [--no-asan] [-h]
  --no-asan   do not set up build-asan/ (the sanitizer build the unit tests run from)
EOF
}

is_installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

install_packages() {
	local missing=() pkg
	for pkg in "${PACKAGES[@]}"; do
		is_installed "$pkg" || missing+=("$pkg")
	done
	if ((${#missing[@]} == 0)); then
		log "Debian packages: all ${#PACKAGES[@]} present"
		return 0
	fi
	((EUID == 0)) || die "missing packages (${missing[*]}); run as root to install them"
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer "no" up front.
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	for pkg in "${missing[@]}"; do
		is_installed "$pkg" || die "package $pkg did not install"
	done
	log "installed ${#missing[@]} package(s)"
}

reserve_hugepages() {
	local free
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
	if ((${free:-0} >= HUGEPAGES_WANTED)); then
		log "hugepages: $free x 2 MB free"
		return 0
	fi
	if { echo "$HUGEPAGES_WANTED" >/proc/sys/vm/nr_hugepages; } 2>/dev/null; then
		free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	fi
	if ((${free:-0} > 0)); then
		log "hugepages: $free x 2 MB free"
	else
		log "hugepages: none could be reserved; vpnhub will run with --no-huge"
	fi
}

# meson_setup DIR [OPTIONS...]: configure DIR unless it already is a meson build directory.
meson_setup() {
	local dir=$1
	shift
	if [[ -f $ROOT/$dir/meson-private/coredata.dat ]]; then
		log "$dir/: already configured"
		return 0
	fi
	log "$dir/: meson setup $*"
	local out
	out=$(mktemp)
	if ! (cd "$ROOT" && meson setup "$dir" "$@") >"$out" 2>&1; then
		tail -n 40 "$out" >&2
		rm -f "$out"
		die "meson setup $dir failed"
	fi
	rm -f "$out"
}

main() {
	local asan=1
	while (($# > 0)); do
		case $1 in
		--no-asan) asan=0 ;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown option: $1 (try --help)" ;;
		esac
		shift
	done

	install_packages
	reserve_hugepages
	meson_setup build -Dbuildtype=debugoptimized
	if ((asan)); then
		meson_setup build-asan -Dbuildtype=debugoptimized \
			-Db_sanitize=address,undefined -Db_lundef=false
	fi
}

main "$@"
