/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/spd.c - crypto map SPDs on rte_acl (see spd.h): building, publication, lookups, and
 * the inbound and outbound policy stages of the worker.
 *
 * Field layout: rte_acl wants a one-byte first field and the others in groups of four bytes, so
 * a lookup reads a key built from the packet (struct spd_key4 / spd_key6: protocol, source,
 * destination, both ports in one group) rather than the packet itself. That also gets IPv4
 * options and missing transport headers right: the key is where every length is checked. Rule
 * values are in host byte order and keys in network byte order, as rte_acl expects.
 *
 * Where the stages sit (ip_fwd.c): spd_input right after the FIB lookup, before anything else
 * looks at a packet received in clear (so that "local or forwarded" is known and IKE to the hub
 * can be exempted); spd_output for the packets route_one let through to an interface with an
 * SPD, never for the hub's own ESP (DP_MF_ORIGINATED): it was looked up before encryption.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "dataplane/classify.h"
#include "dataplane/fib.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/spd.h"

#define SEQ_MAX	      65535
#define PRIO_TOP      (SEQ_MAX + 1) /* priority = PRIO_TOP - seq: a lower seq wins */
#define PROTO_TCP     6
#define PROTO_UDP     17
#define PROTO_ESP     50
#define PROTO_ICMP6   58
#define PROTO_SCTP    132
#define IKE_PORT      500  /* RFC 7296 2 */
#define NATT_PORT     4500 /* RFC 3948 */
#define SLOT_ROW      (RTE_CACHE_LINE_SIZE / sizeof(uint64_t))
#define IP6_FIXED_LEN 40
#define ND_FIRST      133 /* RFC 4861 4: Router Solicitation .. */
#define ND_LAST	      137 /* .. Redirect */
#define ND_HOP_LIMIT  255 /* RFC 4861 6.1, 7.1: never forwarded */

/* ---- field layout ---- */

enum { F4_PROTO, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_N };

static const struct rte_acl_field_def defs4[F4_N] = {
	{RTE_ACL_FIELD_TYPE_BITMASK, 1, F4_PROTO, 0, offsetof(struct spd_key4, proto)},
	{RTE_ACL_FIELD_TYPE_MASK, 4, F4_SRC, 1, offsetof(struct spd_key4, src)},
	{RTE_ACL_FIELD_TYPE_MASK, 4, F4_DST, 2, offsetof(struct spd_key4, dst)},
	{RTE_ACL_FIELD_TYPE_RANGE, 2, F4_SPORT, 3, offsetof(struct spd_key4, sport)},
	{RTE_ACL_FIELD_TYPE_RANGE, 2, F4_DPORT, 3, offsetof(struct spd_key4, dport)},
};

/* IPv6 addresses are four 32-bit fields each (rte_acl fields are at most 8 bytes wide). */
enum { F6_PROTO, F6_SRC, F6_DST = F6_SRC + 4, F6_SPORT = F6_DST + 4, F6_DPORT, F6_N };

#define SRC6(i)                                                    \
	{                                                          \
		RTE_ACL_FIELD_TYPE_MASK, 4, F6_SRC + (i), 1 + (i), \
			offsetof(struct spd_key6, src[i])          \
	}
#define DST6(i)                                                    \
	{                                                          \
		RTE_ACL_FIELD_TYPE_MASK, 4, F6_DST + (i), 5 + (i), \
			offsetof(struct spd_key6, dst[i])          \
	}

static const struct rte_acl_field_def defs6[F6_N] = {
	{RTE_ACL_FIELD_TYPE_BITMASK, 1, F6_PROTO, 0, offsetof(struct spd_key6, proto)},
	SRC6(0),
	SRC6(1),
	SRC6(2),
	SRC6(3),
	DST6(0),
	DST6(1),
	DST6(2),
	DST6(3),
	{RTE_ACL_FIELD_TYPE_RANGE, 2, F6_SPORT, 9, offsetof(struct spd_key6, sport)},
	{RTE_ACL_FIELD_TYPE_RANGE, 2, F6_DPORT, 9, offsetof(struct spd_key6, dport)},
};

RTE_ACL_RULE_DEF(acl_rule6, F6_N); /* large enough for an IPv4 rule too */

static inline unsigned int fam_idx(int family)
{
	return family == AF_INET6;
}

/* ---- building ---- */

/* A prefix as the fields of one rule: n 32-bit words from f on, host order. */
static void put_prefix(struct rte_acl_field *f, const uint8_t *addr, unsigned int plen,
		       unsigned int words)
{
	for (unsigned int i = 0; i < words; i++) {
		uint32_t w;
		unsigned int bits = plen > 32 * i ? plen - 32 * i : 0;
		memcpy(&w, addr + 4 * i, 4);
		f[i].value.u32 = rte_be_to_cpu_32(w);
		f[i].mask_range.u32 = bits > 32 ? 32 : bits;
	}
}

/*
 * Rule r (entry idx + 1) the dir way round; the port fields follow the address fields in both
 * layouts.
 */
static void acl_rule(const struct spd_rule *r, uint32_t idx, enum spd_dir dir,
		     struct acl_rule6 *out)
{
	unsigned int words = r->family == AF_INET ? 1 : 4;
	bool in = dir == SPD_IN;
	struct rte_acl_field *f = out->field;
	memset(out, 0, sizeof(*out));
	out->data.category_mask = 1;
	out->data.priority = (int32_t)(PRIO_TOP - r->seq);
	out->data.userdata = idx + 1;
	f[0].value.u8 = r->proto_any ? 0 : r->proto;
	f[0].mask_range.u8 = r->proto_any ? 0 : 0xff;
	put_prefix(&f[1], in ? r->dst : r->src, in ? r->dst_plen : r->src_plen, words);
	put_prefix(&f[1 + words], in ? r->src : r->dst, in ? r->src_plen : r->dst_plen, words);
	f[1 + 2 * words].value.u16 = in ? r->dport_lo : r->sport_lo;
	f[1 + 2 * words].mask_range.u16 = in ? r->dport_hi : r->sport_hi;
	f[2 + 2 * words].value.u16 = in ? r->sport_lo : r->dport_lo;
	f[2 + 2 * words].mask_range.u16 = in ? r->sport_hi : r->dport_hi;
}

/* The context of one direction and family; NULL with *rc 0 when no rule is of that family. */
static struct rte_acl_ctx *acl_make(const struct spd *spd, enum spd_dir dir, int family, int *rc)
{
	const struct rte_acl_field_def *defs = family == AF_INET ? defs4 : defs6;
	uint32_t nf = family == AF_INET ? F4_N : F6_N, count = 0;
	struct rte_acl_config cfg = {.num_categories = 1, .num_fields = nf};
	char name[RTE_ACL_NAMESIZE];
	struct acl_rule6 rule;
	*rc = 0;
	for (uint32_t i = 0; i < spd->n; i++)
		count += spd->rule[i].family == family;
	if (count == 0)
		return NULL;
	/* the SPD's address makes the name unique while the context lives */
	snprintf(name, sizeof(name), "spd%p%c%c", (const void *)spd, "oi"[dir],
		 "46"[fam_idx(family)]);
	struct rte_acl_param p = {name, SOCKET_ID_ANY, RTE_ACL_RULE_SZ(nf), count};
	struct rte_acl_ctx *ctx = rte_acl_create(&p);
	if (ctx == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < spd->n && *rc == 0; i++) {
		if (spd->rule[i].family != family)
			continue;
		acl_rule(&spd->rule[i], i, dir, &rule);
		*rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)&rule, 1);
	}
	memcpy(cfg.defs, defs, nf * sizeof(defs[0]));
	if (*rc == 0)
		*rc = rte_acl_build(ctx, &cfg);
	if (*rc != 0) {
		rte_acl_free(ctx);
		return NULL;
	}
	return ctx;
}

/* What a rule must satisfy; NULL when it does. */
static const char *rule_bad(const struct spd_rule *r)
{
	unsigned int max = r->family == AF_INET ? 32 : 128;
	if (r->family != AF_INET && r->family != AF_INET6)
		return "not IPv4 nor IPv6";
	if (r->src_plen > max || r->dst_plen > max)
		return "prefix length too long for its family";
	if (r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi)
		return "port range runs backwards";
	if (r->seq == 0 || r->seq > SEQ_MAX)
		return "seq outside 1..65535";
	if (r->action >= SPD_ACTIONS)
		return "unknown action";
	if (r->ike && (r->action != SPD_PROTECT || r->sa_out != 0))
		return "only a protect entry without an SA is keyed by IKE";
	if (!r->ike && (r->action == SPD_PROTECT) != (r->sa_out != 0))
		return "an outbound SA is needed for protect, and only there";
	return NULL;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct spd_rule *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Rules sorted into place, checked, and their entries; -EINVAL with err on a bad rule. */
static int take_rules(struct spd *spd, struct spd_rule *rule, struct spd_entry *entry,
		      const struct spd_rule *rules, char *err, size_t errlen)
{
	if (spd->n > 0) {
		memcpy(rule, rules, spd->n * sizeof(*rule));
		qsort(rule, spd->n, sizeof(*rule), rule_cmp);
	}
	entry[0].action = SPD_BYPASS;
	for (uint32_t i = 0; i < spd->n; i++) {
		const char *why = rule_bad(&rule[i]);
		if (why == NULL && i > 0 && rule[i].seq == rule[i - 1].seq)
			why = "seq used twice";
		if (why != NULL) {
			snprintf(err, errlen, "SPD %s: entry seq %u: %s", spd->name, rule[i].seq,
				 why);
			return -EINVAL;
		}
		entry[i + 1].action = rule[i].action;
		entry[i + 1].sa_out = rule[i].sa_out;
	}
	return 0;
}

/* One allocation for the SPD, its entries and its rules; the counters are cache-aligned. */
static struct spd *spd_alloc(unsigned int n, unsigned int n_slots)
{
	size_t sz = sizeof(struct spd) + (n + 1) * sizeof(struct spd_entry) +
		    n * sizeof(struct spd_rule) + sizeof(uint32_t);
	struct spd *spd = rte_zmalloc("spd", sz, RTE_CACHE_LINE_SIZE);
	if (spd == NULL)
		return NULL;
	spd->n = n;
	spd->n_slots = n_slots;
	spd->stride = (uint32_t)RTE_ALIGN_CEIL(n + 1, SLOT_ROW);
	spd->hits =
		rte_zmalloc("spd_hits", (size_t)n_slots * SPD_DIRS * spd->stride * sizeof(uint64_t),
			    RTE_CACHE_LINE_SIZE);
	if (spd->hits == NULL) {
		rte_free(spd);
		return NULL;
	}
	return spd;
}

struct spd *spd_build(const char *name, uint16_t ifindex, const struct spd_rule *rules,
		      unsigned int n, unsigned int n_slots, char *err, size_t errlen)
{
	if (n > SPD_RULES_MAX || n_slots == 0 || ifindex >= IFACE_MAX) {
		snprintf(err, errlen, "SPD %s: %u rules, %u lcores, ifindex %u", name, n, n_slots,
			 ifindex);
		return NULL;
	}
	struct spd *spd = spd_alloc(n, n_slots);
	if (spd == NULL) {
		snprintf(err, errlen, "SPD %s: out of memory", name);
		return NULL;
	}
	struct spd_entry *entry = (struct spd_entry *)(spd + 1);
	struct spd_rule *rule = (struct spd_rule *)RTE_PTR_ALIGN(entry + n + 1, sizeof(uint32_t));
	spd->entry = entry;
	spd->rule = rule;
	spd->ifindex = ifindex;
	snprintf(spd->name, sizeof(spd->name), "%s", name);
	int rc = take_rules(spd, rule, entry, rules, err, errlen);
	if (rc != 0) {
		spd_free(spd);
		return NULL;
	}
	for (unsigned int d = 0; d < SPD_DIRS && rc == 0; d++)
		for (unsigned int f = 0; f < 2 && rc == 0; f++)
			spd->acl[d][f] = acl_make(spd, d, f ? AF_INET6 : AF_INET, &rc);
	if (rc != 0) {
		snprintf(err, errlen, "SPD %s: rte_acl: %s", name, strerror(-rc));
		spd_free(spd);
		return NULL;
	}
	return spd;
}

void spd_free(struct spd *spd)
{
	if (spd == NULL)
		return;
	for (unsigned int d = 0; d < SPD_DIRS; d++)
		for (unsigned int f = 0; f < 2; f++)
			rte_acl_free(spd->acl[d][f]);
	rte_free(spd->hits);
	rte_free(spd);
}

/* The entry index (1..n) of seq, or 0. */
static uint32_t entry_of(const struct spd *spd, uint32_t seq)
{
	uint32_t lo = 0, hi = spd->n;
	while (lo < hi) { /* rules are sorted by seq */
		uint32_t mid = lo + (hi - lo) / 2;
		if (spd->rule[mid].seq == seq)
			return mid + 1;
		if (spd->rule[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int spd_entry_sa(struct spd_table *t, uint16_t ifindex, uint32_t seq, uint32_t sa_out)
{
	struct spd *spd = t != NULL && ifindex < IFACE_MAX ? t->slot[ifindex] : NULL;
	uint32_t i = spd != NULL ? entry_of(spd, seq) : 0;
	if (i == 0 || !spd->rule[i - 1].ike)
		return -ENOENT;
	/* the entries are the SPD's own memory, written by the control lcore only */
	struct spd_entry *e = (struct spd_entry *)(uintptr_t)&spd->entry[i];
	__atomic_store_n(&e->sa_out, sa_out, __ATOMIC_RELEASE);
	return 0;
}

uint32_t spd_entry_sa_get(const struct spd *spd, uint32_t seq)
{
	uint32_t i = entry_of(spd, seq);
	return i != 0 ? __atomic_load_n(&spd->entry[i].sa_out, __ATOMIC_ACQUIRE) : 0;
}

/* ---- publication ---- */

struct spd_table *spd_table_create(struct rte_rcu_qsbr *qsbr)
{
	struct spd_table *t = rte_zmalloc("spd_table", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t != NULL)
		t->qsbr = qsbr;
	return t;
}

void spd_table_destroy(struct spd_table *t)
{
	if (t == NULL)
		return;
	for (unsigned int i = 0; i < IFACE_MAX; i++)
		spd_free(t->slot[i]);
	rte_free(t);
}

int spd_publish(struct spd_table *t, uint16_t ifindex, struct spd *spd)
{
	if (ifindex == 0 || ifindex >= IFACE_MAX)
		return -EINVAL;
	struct spd *old = t->slot[ifindex];
	unsigned int live = t->n_live + (spd != NULL) - (old != NULL);
	if (spd != NULL)
		spd->ifindex = ifindex;
	/* a new SPD is counted before it is reachable, an old one after it is not */
	if (live > t->n_live)
		__atomic_store_n(&t->n_live, live, __ATOMIC_RELEASE);
	__atomic_store_n(&t->slot[ifindex], spd, __ATOMIC_RELEASE);
	__atomic_store_n(&t->n_live, live, __ATOMIC_RELEASE);
	if (old != NULL) {
		if (t->qsbr != NULL)
			rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		spd_free(old);
	}
	return 0;
}

/* ---- lookups ---- */

static inline bool has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP;
}

/* Source and destination ports at l4 when avail bytes from there hold them; else zero. */
static inline void ports(const uint8_t *l4, int64_t avail, uint16_t *sport, uint16_t *dport)
{
	if (avail < 4) {
		*sport = *dport = 0;
		return;
	}
	memcpy(sport, l4, 2);
	memcpy(dport, l4 + 2, 2);
}

void spd_key_make(const uint8_t *l3, uint32_t len, int family, union spd_key *k)
{
	memset(k, 0, sizeof(*k));
	if (family == AF_INET && len >= sizeof(struct rte_ipv4_hdr)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		uint32_t hl = (ip->version_ihl & 0xf) * 4u;
		uint32_t end = RTE_MIN(len, (uint32_t)rte_be_to_cpu_16(ip->total_length));
		k->v4.proto = ip->next_proto_id;
		k->v4.src = ip->src_addr;
		k->v4.dst = ip->dst_addr;
		bool first = (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) == 0;
		if (first && has_ports(ip->next_proto_id))
			ports(l3 + hl, (int64_t)end - hl, &k->v4.sport, &k->v4.dport);
	} else if (family == AF_INET6 && len >= IP6_FIXED_LEN) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		uint32_t end =
			RTE_MIN(len, (uint32_t)rte_be_to_cpu_16(ip->payload_len) + IP6_FIXED_LEN);
		k->v6.proto = ip->proto;
		memcpy(k->v6.src, ip->src_addr, 16);
		memcpy(k->v6.dst, ip->dst_addr, 16);
		if (has_ports(ip->proto))
			ports(l3 + IP6_FIXED_LEN, (int64_t)end - IP6_FIXED_LEN, &k->v6.sport,
			      &k->v6.dport);
	}
}

void spd_classify(const struct spd *spd, enum spd_dir dir, int family,
		  const union spd_key *const *keys, uint32_t *res, unsigned int n)
{
	const struct rte_acl_ctx *ctx = spd->acl[dir][fam_idx(family)];
	if (ctx == NULL || rte_acl_classify(ctx, (const uint8_t **)(uintptr_t)keys, res, n, 1) != 0)
		memset(res, 0, n * sizeof(*res));
}

uint64_t spd_hits(const struct spd *spd, enum spd_dir dir, uint32_t idx)
{
	uint64_t sum = 0;
	for (unsigned int s = 0; s < spd->n_slots; s++)
		sum += __atomic_load_n(&spd->hits[((size_t)s * SPD_DIRS + dir) * spd->stride + idx],
				       __ATOMIC_RELAXED);
	return sum;
}

/* ---- the worker's stages ---- */

/* Packets of a burst to look up, each with its SPD: usually all share one. */
struct batch {
	const struct spd *spd[BURST_MAX];
	uint16_t pkt[BURST_MAX]; /* index in the caller's array */
	union spd_key key[BURST_MAX];
	uint32_t res[BURST_MAX];
	uint16_t n;
};

/* One rte_acl_classify per distinct SPD of the batch; hits counted in slot. */
static void batch_classify(struct batch *b, enum spd_dir dir, int family, unsigned int slot)
{
	const union spd_key *kp[BURST_MAX];
	uint32_t res[BURST_MAX];
	uint16_t idx[BURST_MAX];
	uint64_t done = 0;
	for (uint16_t j = 0; j < b->n; j++) {
		if (done & (1ULL << j))
			continue;
		const struct spd *s = b->spd[j];
		uint16_t k = 0;
		for (uint16_t x = j; x < b->n; x++) {
			if ((done & (1ULL << x)) || b->spd[x] != s)
				continue;
			done |= 1ULL << x;
			idx[k] = x;
			kp[k++] = &b->key[x];
		}
		spd_classify(s, dir, family, kp, res, k);
		for (uint16_t x = 0; x < k; x++) {
			b->res[idx[x]] = res[x];
			spd_hit(s, slot, dir, res[x]);
		}
	}
}

static inline const uint8_t *l3_of(struct rte_mbuf *mb, uint32_t *len)
{
	uint16_t off = dp_meta(mb)->l3_off;
	*len = rte_pktmbuf_data_len(mb) - off;
	return rte_pktmbuf_mtod_offset(mb, const uint8_t *, off);
}

/* RFC 4301's implicit bypass for the key exchange, and ESP the hub decrypts itself. */
static inline bool ike_or_esp(const union spd_key *k, int family)
{
	uint8_t proto = family == AF_INET ? k->v4.proto : k->v6.proto;
	uint16_t dport = family == AF_INET ? k->v4.dport : k->v6.dport;
	return proto == PROTO_ESP || (proto == PROTO_UDP && (dport == RTE_BE16(IKE_PORT) ||
							     dport == RTE_BE16(NATT_PORT)));
}

/*
 * IPv6 neighbor discovery to the hub: ICMPv6 133..137 with hop limit 255, which no router
 * forwarded (RFC 4861 6.1, 7.1). It bypasses the map as IKE does: the hub must resolve a peer
 * before any SA can reach it, and a peer answers a solicitation from the hub's own address to
 * that address, which an entry protecting hub <-> peer covers. The hub's own ND leaves without
 * an outbound lookup (nd.c transmits it directly).
 */
static inline bool nd_msg(const uint8_t *l3, uint32_t len, int family)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
	if (family != AF_INET6 || len <= IP6_FIXED_LEN || ip->proto != PROTO_ICMP6 ||
	    ip->hop_limits != ND_HOP_LIMIT)
		return false;
	return l3[IP6_FIXED_LEN] >= ND_FIRST && l3[IP6_FIXED_LEN] <= ND_LAST;
}

void spd_input(struct dp_worker *w, struct rte_mbuf **mb, const uint64_t *nh, uint16_t n,
	       int family)
{
	struct batch b;
	uint32_t len;
	const struct spd_table *t = w->dp->spd;
	if (t == NULL || __atomic_load_n(&t->n_live, __ATOMIC_RELAXED) == 0)
		return; /* no crypto map anywhere: one load per burst */
	b.n = 0;
	for (uint16_t i = 0; i < n; i++) {
		const struct dp_meta *m = dp_meta(mb[i]);
		if (m->flags & (DP_MF_DECRYPTED | DP_MF_ORIGINATED))
			continue;
		const struct spd *s = spd_of(w->dp, m->in_ifindex);
		if (s == NULL)
			continue;
		const uint8_t *l3 = l3_of(mb[i], &len);
		spd_key_make(l3, len, family, &b.key[b.n]);
		if (dp_fib_nh(w->dp->fib, nh[i])->type == NH_LOCAL &&
		    (ike_or_esp(&b.key[b.n], family) || nd_msg(l3, len, family)))
			continue;
		b.spd[b.n] = s;
		b.pkt[b.n++] = i;
	}
	batch_classify(&b, SPD_IN, family, w->id);
	for (uint16_t j = 0; j < b.n; j++) {
		uint8_t act = b.spd[j]->entry[b.res[j]].action;
		if (act == SPD_BYPASS)
			continue;
		/* RFC 4301 5.2: clear text that policy says must arrive protected is discarded */
		dp_drop(w->st, mb[b.pkt[j]],
			act == SPD_PROTECT ? DP_DROP_SPD_CLEARTEXT : DP_DROP_SPD_DISCARD);
		mb[b.pkt[j]] = NULL;
	}
}

/*
 * A protect entry IKE has no SA for yet: to the control lcore, which holds a few packets and
 * starts the exchange (RFC 4301 5.1, "acquire"); once it holds all it will, it marks the entry
 * SPD_SA_HELD and the workers drop what follows.
 */
static void acquire(struct dp_worker *w, struct dp_vec *v, struct rte_mbuf *mb,
		    const struct spd *spd, uint32_t idx, uint32_t sa)
{
	struct dp_meta *m = dp_meta(mb);
	if (sa == SPD_SA_HELD) {
		dp_drop(w->st, mb, DP_DROP_SPD_ACQUIRE);
		return;
	}
	if (v->n_punt == RTE_DIM(v->punt))
		dp_punt_flush(w, v);
	m->out_ifindex = spd->ifindex;
	m->sa_id = spd->rule[idx - 1].seq;
	dp_vec_punt(w->st, v, mb, DP_PUNT_ACQUIRE);
}

uint64_t spd_output(struct dp_worker *w, struct dp_vec *v, struct rte_mbuf **mb,
		    const struct spd *const *spd, uint16_t n, int family)
{
	struct batch b;
	uint64_t fwd = 0;
	uint32_t len;
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *l3 = l3_of(mb[i], &len);
		spd_key_make(l3, len, family, &b.key[i]);
		b.spd[i] = spd[i];
		b.pkt[i] = i;
	}
	b.n = n;
	batch_classify(&b, SPD_OUT, family, w->id);
	for (uint16_t i = 0; i < n; i++) {
		const struct spd_entry *e = &spd[i]->entry[b.res[i]];
		struct dp_meta *m = dp_meta(mb[i]);
		uint32_t sa = __atomic_load_n(&e->sa_out, __ATOMIC_ACQUIRE);
		if (e->action == SPD_BYPASS) {
			fwd |= 1ULL << i;
		} else if (e->action == SPD_DISCARD) {
			dp_drop(w->st, mb[i], DP_DROP_SPD_DISCARD);
		} else if (unlikely(sa == 0 || sa == SPD_SA_HELD)) {
			acquire(w, v, mb[i], spd[i], b.res[i], sa);
		} else {
			/* no tunnel interface: esp_out counts the SA, the outer packet the wire */
			m->sa_id = sa;
			m->flags |= DP_MF_SA_SET;
			m->out_ifindex = 0;
			dp_ttl_dec(mb[i]);
			v->esp_out[v->n_esp_out++] = mb[i];
		}
	}
	return fwd;
}

enum spd_action spd_decide(const struct spd *spd, unsigned int slot, const uint8_t *l3,
			   uint32_t len, int family, uint32_t *sa_id, uint32_t *seq)
{
	union spd_key k;
	const union spd_key *kp = &k;
	uint32_t res;
	spd_key_make(l3, len, family, &k);
	uint8_t proto = family == AF_INET ? k.v4.proto : k.v6.proto;
	uint16_t sport = family == AF_INET ? k.v4.sport : k.v6.sport;
	if (proto == PROTO_UDP && (sport == RTE_BE16(IKE_PORT) || sport == RTE_BE16(NATT_PORT)))
		return SPD_BYPASS;
	spd_classify(spd, SPD_OUT, family, &kp, &res, 1);
	spd_hit(spd, slot, SPD_OUT, res);
	*sa_id = __atomic_load_n(&spd->entry[res].sa_out, __ATOMIC_ACQUIRE);
	*seq = res > 0 ? spd->rule[res - 1].seq : 0;
	return (enum spd_action)spd->entry[res].action;
}

/* ---- text ---- */

const char *spd_action_name(uint8_t action)
{
	static const char *const names[SPD_ACTIONS] = {
		[SPD_BYPASS] = "bypass",
		[SPD_PROTECT] = "protect",
		[SPD_DISCARD] = "discard",
	};
	return action < SPD_ACTIONS ? names[action] : "?";
}

const char *spd_proto_str(const struct spd_rule *r, char *buf, size_t len)
{
	static const struct {
		uint8_t proto;
		const char *name;
	} known[] = {{1, "icmp"}, {6, "tcp"},	  {17, "udp"},
		     {47, "gre"}, {58, "icmpv6"}, {132, "sctp"}};
	if (r->proto_any)
		return "any";
	for (size_t i = 0; i < RTE_DIM(known); i++)
		if (known[i].proto == r->proto)
			return known[i].name;
	snprintf(buf, len, "%u", r->proto);
	return buf;
}

const char *spd_ports_str(uint16_t lo, uint16_t hi, char *buf, size_t len)
{
	if (lo == 0 && hi == UINT16_MAX)
		return "any";
	if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
	return buf;
}
