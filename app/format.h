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

#include <stdio.h>

#include "app/json.h"

/* Which routes or neighbors to list; a ':' in the address decides the family. */
enum format_family {
	FORMAT_AF_ANY,
	FORMAT_AF_INET,
	FORMAT_AF_INET6,
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

#endif
