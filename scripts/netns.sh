# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/netns.sh - the network namespaces the demo and the integration tests run vpnhub in.
#
# Source it for the netns_* functions, or run it: scripts/netns.sh {up|down|show} [PREFIX]
# (PREFIX defaults to "vh", the demo's).
#
#  +---------------------------------------------------------------------------+
#  | lan-host                                      netns <p>-lan               |
#  |   eth0      10.10.1.2/24   fd00:10:1::2/64                                |
#  |   default   via 10.10.1.1, via fd00:10:1::1                               |
#  +-------+-------------------------------------------------------------------+
#          |
#          |  veth: lan-host eth0 <-> <p>-lan0 (hub)
#          |
#  +-------+-------------------------------------------------------------------+
#  | vpnhub                                        netns <p>-hub               |
#  |   <p>-lan0 = net_af_packet0 = lan0   10.10.1.1/24     fd00:10:1::1/64     |
#  |   <p>-wan0 = net_af_packet1 = wan0   203.0.113.1/24   fd00:10:2::1/64     |
#  |   routes    198.51.100.0/24 via 203.0.113.2                               |
#  |             fd00:10:99::/64 via fd00:10:2::2                              |
#  |   (the namespace's kernel: veths up, no addresses, IPv6 disabled)         |
#  +-------+-------------------------------------------------------------------+
#          |
#          |  veth: <p>-wan0 (hub) <-> wan-host eth0
#          |
#  +-------+-------------------------------------------------------------------+
#  | wan-host                                      netns <p>-wan               |
#  |   eth0      203.0.113.2/24   fd00:10:2::2/64                              |
#  |   lo        198.51.100.1/32  fd00:10:99::1/128                            |
#  |   routes    10.10.1.0/24 via 203.0.113.1, fd00:10:1::/64 via fd00:10:2::1 |
#  +---------------------------------------------------------------------------+
#
# The hub namespace's kernel stays silent on the wires: its veth ends are up but have no
# addresses and IPv6 disabled, so every frame on them comes from the hosts or from vpnhub.
# The hosts do not solicit routers or accept router advertisements, and their TX checksum
# offload is off: af_packet hands frames to DPDK verbatim, and a kernel-offloaded (partial)
# checksum would reach the other side wrong.

# Addresses of the topology; conf/vpnhub.yaml and test/integration/*.yaml.in use the same ones.
# The demo's netns_up vh gives the hub ports vh-lan0 and vh-wan0, the names conf/vpnhub.yaml uses.
NETNS_LAN_HUB4=10.10.1.1
NETNS_LAN_HUB6=fd00:10:1::1
NETNS_LAN_HOST4=10.10.1.2
NETNS_LAN_HOST6=fd00:10:1::2
NETNS_WAN_HUB4=203.0.113.1
NETNS_WAN_HUB6=fd00:10:2::1
NETNS_WAN_HOST4=203.0.113.2
NETNS_WAN_HOST6=fd00:10:2::2
NETNS_REMOTE4=198.51.100.1
NETNS_REMOTE6=fd00:10:99::1

# netns_check_prefix PREFIX: a lower-case name short enough that "<p>-lan0" fits IFNAMSIZ.
netns_check_prefix() {
	if [[ ! $1 =~ ^[a-z][a-z0-9]{0,9}$ ]]; then
		echo "netns: bad prefix '$1' (1-10 characters, [a-z][a-z0-9]*)" >&2
		return 1
	fi
}

# netns_exists PREFIX: true if any namespace of the topology exists.
netns_exists() {
	local ns
	for ns in "$1-hub" "$1-lan" "$1-wan"; do
		[[ -e /var/run/netns/$ns ]] && return 0
	done
	return 1
}

# netns_down PREFIX: delete the namespaces (their veths go with them). Safe to call twice.
netns_down() {
	local ns
	for ns in "$1-hub" "$1-lan" "$1-wan"; do
		if [[ -e /var/run/netns/$ns ]]; then
			ip netns del "$ns" 2>/dev/null || echo "netns: could not delete $ns" >&2
		fi
	done
}

# Every step below ends in "|| return 1": these functions are also called from conditions
# (if netns_up ...), where bash ignores set -e inside them.

# netns_host_quiet NS: settings applied to a host's eth0 before it comes up.
netns_host_quiet() {
	ip netns exec "$1" sysctl -qw \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.eth0.router_solicitations=0 \
		net.ipv6.conf.eth0.accept_ra=0 || return 1
	ip netns exec "$1" ethtool -K eth0 tx off >/dev/null || return 1
}

netns_hub_up() {
	local hub=$1-hub ifc
	ip netns add "$hub" || return 1
	ip -n "$hub" link set lo up || return 1
	ip netns exec "$hub" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$hub" link add "$1-lan0" type veth peer name eth0 netns "$1-lan" || return 1
	ip -n "$hub" link add "$1-wan0" type veth peer name eth0 netns "$1-wan" || return 1
	for ifc in "$1-lan0" "$1-wan0"; do
		ip netns exec "$hub" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" || return 1
		ip -n "$hub" link set "$ifc" up || return 1
	done
}

netns_lan_up() {
	local ns=$1-lan
	netns_host_quiet "$ns" || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" addr add "$NETNS_LAN_HOST4/24" dev eth0 || return 1
	ip -n "$ns" addr add "$NETNS_LAN_HOST6/64" dev eth0 nodad || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "$ns" route add default via "$NETNS_LAN_HUB4" || return 1
	ip -n "$ns" -6 route add default via "$NETNS_LAN_HUB6" || return 1
}

netns_wan_up() {
	local ns=$1-wan
	netns_host_quiet "$ns" || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" addr add "$NETNS_REMOTE4/32" dev lo || return 1
	ip -n "$ns" addr add "$NETNS_REMOTE6/128" dev lo || return 1
	ip -n "$ns" addr add "$NETNS_WAN_HOST4/24" dev eth0 || return 1
	ip -n "$ns" addr add "$NETNS_WAN_HOST6/64" dev eth0 nodad || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "$ns" route add 10.10.1.0/24 via "$NETNS_WAN_HUB4" || return 1
	ip -n "$ns" -6 route add fd00:10:1::/64 via "$NETNS_WAN_HUB6" || return 1
}

# netns_up PREFIX: build the topology drawn above. Fails if any part of it already exists
# (call netns_down first); on failure the caller tears down what was built.
netns_up() {
	netns_check_prefix "$1" || return 1
	if netns_exists "$1"; then
		echo "netns: namespaces $1-{hub,lan,wan} already exist" >&2
		return 1
	fi
	ip netns add "$1-lan" || return 1
	ip netns add "$1-wan" || return 1
	netns_hub_up "$1" || return 1
	netns_lan_up "$1" || return 1
	netns_wan_up "$1" || return 1
}

# netns_mac PREFIX lan|wan: MAC address of that host's eth0.
netns_mac() {
	ip -n "$1-$2" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# netns_pin_neighbors PREFIX LAN0_MAC WAN0_MAC: make the hosts' neighbor entries for the hub
# permanent: its configured addresses, and any other address (a link-local one, say) already
# resolved to the hub's MAC. The hosts then send no ARP or neighbor solicitation to the hub while
# traffic is counted.
netns_pin_neighbors() {
	netns_pin_host "$1-lan" "$2" "$NETNS_LAN_HUB4" "$NETNS_LAN_HUB6" || return 1
	netns_pin_host "$1-wan" "$3" "$NETNS_WAN_HUB4" "$NETNS_WAN_HUB6" || return 1
}

# netns_pin_host NS MAC ADDRESS...
netns_pin_host() {
	local ns=$1 mac=$2 addr
	shift 2
	local addrs=("$@")
	mapfile -t -O "${#addrs[@]}" addrs < <(ip -n "$ns" neigh show dev eth0 |
		awk -v mac="$mac" 'tolower($3) == tolower(mac) { print $1 }')
	for addr in "${addrs[@]}"; do
		ip -n "$ns" neigh replace "$addr" lladdr "$mac" dev eth0 nud permanent || return 1
	done
}

netns_show() {
	local ns
	for ns in "$1-hub" "$1-lan" "$1-wan"; do
		echo "== $ns"
		ip -n "$ns" -br addr 2>/dev/null || echo "(absent)"
	done
}

netns_main() {
	set -euo pipefail
	local cmd=${1:-} prefix=${2:-vh}
	netns_check_prefix "$prefix"
	case $cmd in
	up)
		if ! netns_up "$prefix"; then
			netns_down "$prefix"
			exit 1
		fi
		netns_show "$prefix"
		;;
	down) netns_down "$prefix" ;;
	show) netns_show "$prefix" ;;
	*)
		echo "usage: $0 {up|down|show} [PREFIX]" >&2
		exit 2
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	netns_main "$@"
fi
