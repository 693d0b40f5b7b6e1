/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format.h - the `show` tables of vpnhubctl, one function per table (STYLE rule 12).
 *
 * Each function takes the data member of a telemetry reply (already parsed, for paged replies
 * already merged into one object keyed by index) and writes aligned, human-readable text.
 * Invariants: the reply is distrusted, so a missing member prints "-", a member of an odd type
 * prints its scalar text or "?", control characters never reach the terminal, and nothing
 * aborts. Each returns 0, -EINVAL when data is not a JSON object, -ENOMEM or -EIO.
 */
#ifndef VPNHUB_APP_FORMAT_H
#define VPNHUB_APP_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/json.h"

/* Which routes or neighbors to list; a ':' in the address decides the family. */
enum format_family {
	FORMAT_AF_ANY,
	FORMAT_AF_INET,
	FORMAT_AF_INET6,
};

/*
 * Which IPsec SAs to show: the tunnels (SAs grouped by interface and peer) with the peer, or with
 * an SA of the SPI. Zeroed: every SA.
 */
struct format_sa_filter {
	int peer_family; /* AF_INET or AF_INET6; 0: any peer */
	uint8_t peer[16];
	bool by_spi;
	uint32_t spi;
};

/* /vpnhub/version */
int format_version(FILE *out, const struct json *data);
/* /vpnhub/interfaces: one row per interface, further addresses on continuation rows. */
int format_interfaces(FILE *out, const struct json *data);
/* /vpnhub/routes: a legend, then one line per route of family af. */
int format_routes(FILE *out, const struct json *data, enum format_family af);
/* /vpnhub/neighbors: one row per neighbor of family af. */
int format_neighbors(FILE *out, const struct json *data, enum format_family af);
/* /vpnhub/stats: one row per lcore, then the non-zero drop reasons and where they happened. */
int format_stats(FILE *out, const struct json *data);
/* /vpnhub/config: indented "key: value" lines. */
int format_config(FILE *out, const struct json *data);
/* /vpnhub/ipsec/sa: per tunnel, its counters, then each inbound and outbound SA (Cisco layout). */
int format_ipsec_sa(FILE *out, const struct json *data, const struct format_sa_filter *f);
/* /vpnhub/ipsec/sa: one row per SA, tunnels together. */
int format_ipsec_sa_summary(FILE *out, const struct json *data, const struct format_sa_filter *f);
/* /vpnhub/ipsec/spd: per crypto map its interface, then each entry of family af (IOS layout). */
int format_crypto_map(FILE *out, const struct json *data, enum format_family af);
/* `show crypto ikev2 sa`: the IKEv2 SAs of /vpnhub/ike/sa as a table (af is not used). */
int format_ike_sa(FILE *out, const struct json *data, enum format_family af);
/* `show crypto ikev2 sa detail`: an object of /vpnhub/ike/sa,<id> replies, one block per IKEv2
 * SA. */
int format_ike_sa_detail(FILE *out, const struct json *data);
/* `show crypto isakmp sa`: the IKEv1 SAs of /vpnhub/ike/sa in the IOS layout, a table per
 * address family that af allows. */
int format_isakmp_sa(FILE *out, const struct json *data, enum format_family af);

/*
 * Set the filter from a CLI word and its argument: "peer" with an IPv4 or IPv6 address, or "spi"
 * with a decimal or 0x-prefixed hexadecimal 32-bit number. 0 or -EINVAL (f unchanged).
 */
int format_sa_filter_set(struct format_sa_filter *f, const char *what, const char *arg);
/* Drop from data the SAs that f leaves out of the tables (for --json); other members stay, in
 * order. 0, -EINVAL when data is not an object, or -ENOMEM (data is then unchanged). */
int format_ipsec_sa_select(struct json *data, const struct format_sa_filter *f);
/* Drop from data the IKE SAs (of /vpnhub/ike/sa or its details) of another version than version
 * (1 or 2; an SA without "version" is IKEv2); other members stay, in order. 0 or -EINVAL when
 * data is not an object. */
int format_ike_sa_select(struct json *data, int version);

#endif
