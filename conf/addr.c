/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/addr.c - address helpers shared by the config loader and the rest of the program.
 *
 * Text forms are the ones inet_pton(3) accepts, nothing more: no "1.2.3" shorthand, no
 * surrounding whitespace, no scope ids. A prefix length is plain decimal without leading zeros,
 * so "/024" never means something other than what the reader sees.
 * A parsed struct cfg_addr has every byte past the address zeroed, so two addresses can be
 * compared with memcmp over bytes[].
 * Pure functions: any lcore may call them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/config.h"

int cfg_iface_find(const struct config *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		if (strcmp(cfg->ifaces[i].name, name) == 0)
			return (int)i;
	}
	return -ENOENT;
}

int cfg_tunnel_find(const struct config *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->n_tunnels; i++) {
		if (strcmp(cfg->tunnels[i].name, name) == 0)
			return (int)i;
	}
	return -ENOENT;
}

const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return buf;
	buf[0] = '\0';
	if (a == NULL || (a->family != AF_INET && a->family != AF_INET6))
		return buf;
	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		buf[0] = '\0';
	return buf;
}

/* "0".."max" in plain decimal; "", "+1", "024", "1 " are refused. */
static int parse_plen(const char *s, unsigned int max, uint8_t *plen)
{
	unsigned int v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*plen = (uint8_t)v;
	return 0;
}

int cfg_addr_parse(const char *s, bool allow_plen, struct cfg_addr *out)
{
	char host[INET6_ADDRSTRLEN];
	struct cfg_addr a;
	const char *slash;
	size_t hlen;

	if (s == NULL || out == NULL)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash != NULL && !allow_plen)
		return -EINVAL;
	hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';

	memset(&a, 0, sizeof(a));
	a.family = memchr(host, ':', hlen) != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(a.family, host, a.bytes) != 1)
		return -EINVAL;
	a.plen = a.family == AF_INET ? 32 : 128;
	if (slash != NULL && parse_plen(slash + 1, a.plen, &a.plen) < 0)
		return -EINVAL;
	*out = a;
	return 0;
}

bool cfg_addr_in_prefix(const struct cfg_addr *a, const struct cfg_addr *p)
{
	unsigned int full, rest;

	if (a == NULL || p == NULL || a->family != p->family)
		return false;
	if (p->family != AF_INET && p->family != AF_INET6)
		return false;
	if (p->plen > (p->family == AF_INET ? 32 : 128))
		return false;
	full = p->plen / 8;
	rest = p->plen % 8;
	if (memcmp(a->bytes, p->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (a->bytes[full] & mask) == (p->bytes[full] & mask);
}
