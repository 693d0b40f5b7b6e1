/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_ts.c - traffic selector narrowing (RFC 7296 2.9) and selectors for the
 * data plane.
 *
 * The responder answers with the intersection of what the initiator proposed and what the
 * config allows: every (proposed, configured) pair of the same family that overlaps in
 * addresses, protocol and ports gives one selector of the answer. An empty intersection is
 * TS_UNACCEPTABLE. Control lcore only.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_ts.h"

static size_t alen(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

/* The address range of a configured prefix. */
static void range_of(const struct cfg_addr *p, uint8_t *start, uint8_t *end)
{
	size_t n = p->family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		unsigned int bits = p->plen > i * 8 ? p->plen - (unsigned int)i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		start[i] = p->bytes[i] & mask;
		end[i] = (uint8_t)(p->bytes[i] | (uint8_t)~mask);
	}
}

void ike_ts_meet(const struct ike_ts *a, const struct cfg_ike_ts *c, struct ike_ts_set *out)
{
	uint8_t cs[16], ce[16];
	size_t n = alen(a->type);
	if ((c->prefix.family == AF_INET) != (a->type == IKE_TS_IPV4_ADDR_RANGE) ||
	    out->n == IKE_MSG_TS_MAX)
		return;
	if (c->proto != 0 && a->ip_proto != 0 && c->proto != a->ip_proto)
		return;
	range_of(&c->prefix, cs, ce);
	uint16_t lo = a->start_port > c->port_lo ? a->start_port : c->port_lo;
	uint16_t hi = a->end_port < c->port_hi ? a->end_port : c->port_hi;
	const uint8_t *s = memcmp(a->start, cs, n) > 0 ? a->start : cs;
	const uint8_t *e = memcmp(a->end, ce, n) < 0 ? a->end : ce;
	if (memcmp(s, e, n) > 0 || lo > hi)
		return;
	uint8_t *st = out->addr[out->n][0], *en = out->addr[out->n][1];
	memcpy(st, s, n);
	memcpy(en, e, n);
	out->ts[out->n] = (struct ike_ts){
		.type = a->type,
		.ip_proto = a->ip_proto ? a->ip_proto : c->proto,
		.start_port = lo,
		.end_port = hi,
		.start = st,
		.end = en,
	};
	out->n++;
}

unsigned int ike_ts_narrow(const struct ike_msg *m, const struct ike_payload *pl,
			   const struct cfg_ike_ts *cfg, unsigned int n_cfg, struct ike_ts_set *out)
{
	out->n = 0;
	if (pl == NULL)
		return 0;
	for (uint8_t i = 0; i < pl->u.ts.n_ts; i++)
		for (unsigned int j = 0; j < n_cfg; j++)
			ike_ts_meet(&m->ts[pl->u.ts.first_ts + i], &cfg[j], out);
	return out->n;
}

/* The prefix length p for which [s, e] is exactly s/p, or -1 when the range is no prefix. */
static int plen_of(const uint8_t *s, const uint8_t *e, size_t n)
{
	for (unsigned int p = 0; p <= n * 8; p++) {
		bool ok = true;
		for (size_t i = 0; i < n && ok; i++) {
			unsigned int bits = p > i * 8 ? p - (unsigned int)i * 8 : 0;
			uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
			ok = (s[i] & mask) == (e[i] & mask) && (s[i] & (uint8_t)~mask) == 0 &&
			     (uint8_t)(e[i] | mask) == 0xff;
		}
		if (ok)
			return (int)p;
	}
	return -1;
}

int ike_ts_to_sel(const struct ike_ts_set *src, const struct ike_ts_set *dst, struct sa_sel *sel,
		  unsigned int cap)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < src->n; i++) {
		for (unsigned int j = 0; j < dst->n; j++) {
			const struct ike_ts *a = &src->ts[i], *b = &dst->ts[j];
			size_t l = alen(a->type);
			int ps = plen_of(a->start, a->end, l), pd = plen_of(b->start, b->end, l);
			if (a->type != b->type)
				continue;
			if (ps < 0 || pd < 0 || n == cap)
				return -1; /* a range that is not a prefix: not expressible */
			struct sa_sel *s = &sel[n++];
			memset(s, 0, sizeof(*s));
			s->family = a->type == IKE_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
			s->proto = a->ip_proto ? a->ip_proto : b->ip_proto;
			s->src_plen = (uint8_t)ps;
			s->dst_plen = (uint8_t)pd;
			memcpy(s->src, a->start, l);
			memcpy(s->dst, b->start, l);
			s->sport_lo = a->start_port;
			s->sport_hi = a->end_port;
			s->dport_lo = b->start_port;
			s->dport_hi = b->end_port;
		}
	}
	return (int)n;
}

void ike_ts_from_cfg(const struct cfg_ike_ts *cfg, unsigned int n, struct ike_ts_set *out)
{
	static const struct cfg_ike_ts any[] = {
		{.prefix = {.family = AF_INET}, .port_hi = 65535},
		{.prefix = {.family = AF_INET6}, .port_hi = 65535},
	};
	if (n == 0) {
		cfg = any;
		n = RTE_DIM(any);
	}
	out->n = 0;
	for (unsigned int i = 0; i < n && out->n < IKE_MSG_TS_MAX; i++) {
		const struct cfg_ike_ts *c = &cfg[i];
		uint8_t *st = out->addr[out->n][0], *en = out->addr[out->n][1];
		range_of(&c->prefix, st, en);
		out->ts[out->n++] = (struct ike_ts){
			.type = c->prefix.family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE
							    : IKE_TS_IPV6_ADDR_RANGE,
			.ip_proto = c->proto,
			.start_port = c->port_lo,
			.end_port = c->port_hi,
			.start = st,
			.end = en,
		};
	}
}

unsigned int ike_ts_rri(const struct ike_ts_set *set, struct ike_rri *out, unsigned int max)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < set->n && n < max; i++) {
		const struct ike_ts *t = &set->ts[i];
		size_t l = alen(t->type);
		int p = plen_of(t->start, t->end, l);
		if (p < 0)
			continue; /* a range that is no prefix is not routed (its traffic still passes) */
		out[n].family = t->type == IKE_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
		out[n].plen = (uint8_t)p;
		memset(out[n].addr, 0, sizeof(out[n].addr));
		memcpy(out[n].addr, t->start, l);
		n++;
	}
	return n;
}

unsigned int ike_ts_vip(const struct ike_sa *sa, struct cfg_ike_ts out[2])
{
	unsigned int n = 0;
	if (sa->vip_pool >= 0) {
		out[n] = (struct cfg_ike_ts){.prefix = {.family = AF_INET, .plen = 32},
					     .port_hi = 65535};
		memcpy(out[n++].prefix.bytes, sa->vip, 4);
	}
	if (sa->vip6_set) {
		out[n] = (struct cfg_ike_ts){.prefix = {.family = AF_INET6, .plen = 128},
					     .port_hi = 65535};
		memcpy(out[n++].prefix.bytes, sa->vip6, 16);
	}
	return n;
}
