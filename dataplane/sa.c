/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/sa.c - SA install/replace/remove and inbound lookup (see sa.h).
 *
 * An SA is built completely (keys expanded, outer header prebuilt, replay window allocated)
 * before its pointer is published with a release store; an SA taken out of the table is wiped
 * and freed only after a grace period, so no worker can hold it.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "dataplane/sa.h"

#define SA_NAME(e, n, d) [SA_ERR_##e] = n,
const char *const sa_err_name[SA_ERR_MAX] = {SA_ERRORS(SA_NAME)};
#undef SA_NAME

#define IP4_TTL 64

struct sa_table *sa_table_create(const char *name, uint32_t cap, struct rte_rcu_qsbr *qsbr,
				 int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	if (cap < SA_CAP_MIN || cap > SA_CAP_MAX)
		return NULL;
	snprintf(hname, sizeof(hname), "%s_sa_in", name);
	struct rte_hash_parameters p = {
		.name = hname,
		.entries = cap,
		.key_len = sizeof(struct sa_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct sa_table *t =
		rte_zmalloc_socket("sa_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	t->cap = cap;
	t->qsbr = qsbr;
	t->slot =
		rte_zmalloc_socket("sa_slots", cap * sizeof(*t->slot), RTE_CACHE_LINE_SIZE, socket);
	t->free_ids = rte_malloc_socket("sa_free_ids", (cap - 1) * sizeof(*t->free_ids), 0, socket);
	t->in = rte_hash_create(&p);
	if (t->slot == NULL || t->free_ids == NULL || t->in == NULL) {
		rte_hash_free(t->in);
		rte_free(t->free_ids);
		rte_free(t->slot);
		rte_free(t);
		return NULL;
	}
	for (uint32_t id = 1; id < cap; id++)
		t->free_ids[id - 1] = id;
	t->free_n = cap - 1;
	return t;
}

static void sa_free(struct sa *sa)
{
	if (sa == NULL)
		return;
	esp_xform_wipe(&sa->xf);
	if (sa->outer != NULL && sa->outer->heap)
		rte_free(sa->outer);
	explicit_bzero(sa, sizeof(*sa));
	rte_free(sa); /* the window, the selectors and the first outer header with it */
}

void sa_table_destroy(struct sa_table *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < t->cap; i++)
		sa_free(t->slot[i]);
	rte_hash_free(t->in);
	rte_free(t->free_ids);
	rte_free(t->slot);
	rte_free(t);
}

/* The template's partial IPv4 checksum (struct sa_outer). */
static void outer_sum(struct sa_outer *o, uint8_t family)
{
	o->sum = family == AF_INET ? rte_raw_cksum(o->hdr, sizeof(struct rte_ipv4_hdr)) : 0;
}

/*
 * Outer IPv4/IPv6 (+UDP) header for tunnel mode, written to o; lengths and checksums are
 * filled per packet.
 */
static void outer_build(const struct sa_conf *c, struct sa_outer *o)
{
	uint8_t proto = (c->flags & SA_F_UDP) ? IPPROTO_UDP : IPPROTO_ESP;
	memset(o, 0, sizeof(*o));
	uint8_t *p = o->hdr;
	if (c->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->time_to_live = IP4_TTL;
		ip->next_proto_id = proto;
		memcpy(&ip->src_addr, c->local, 4);
		memcpy(&ip->dst_addr, c->remote, 4);
		p += sizeof(*ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;
		ip->vtc_flow = RTE_BE32(6u << 28);
		ip->proto = proto;
		ip->hop_limits = IP4_TTL;
		memcpy(ip->src_addr, c->local, 16);
		memcpy(ip->dst_addr, c->remote, 16);
		p += sizeof(*ip);
	}
	if (c->flags & SA_F_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)p;
		u->src_port = rte_cpu_to_be_16(c->udp_sport);
		u->dst_port = rte_cpu_to_be_16(c->udp_dport);
		p += sizeof(*u);
	}
	o->len = (uint8_t)(p - o->hdr);
	outer_sum(o, c->family);
}

/*
 * One allocation per SA, so that an SA pair costs two allocator elements, not five:
 *   struct sa | its transform (esp_xform_size) | pad to a cache line |
 *   outbound: its outer header (struct sa_outer)
 *   inbound:  its replay window (replay_size) | its selectors (n_sel struct sa_sel)
 */
struct sa_layout {
	size_t tail; /* offset of the outer header or the window */
	size_t sel;  /* offset of the selectors */
	size_t size;
};

static void layout_of(const struct sa_conf *c, const struct esp_xform_conf *xc, uint32_t w,
		      struct sa_layout *l)
{
	l->tail = RTE_ALIGN_CEIL(sizeof(struct sa) - sizeof(struct esp_xform) + esp_xform_size(xc),
				 RTE_CACHE_LINE_SIZE);
	if (c->dir == SA_OUT) {
		l->sel = l->size = l->tail + sizeof(struct sa_outer);
		return;
	}
	l->sel = RTE_ALIGN_CEIL(l->tail + replay_size(w), alignof(struct sa_sel));
	l->size = l->sel + sizeof(struct sa_sel) * c->n_sel;
}

static struct sa *sa_build(const struct sa_conf *c, uint32_t id, char *err, size_t errlen)
{
	if (c->spi < 256 || (c->family != AF_INET && c->family != AF_INET6) ||
	    (c->dir != SA_IN && c->dir != SA_OUT)) {
		snprintf(err, errlen, "SA %u: invalid SPI, family or direction", c->spi);
		return NULL;
	}
	if (c->dir == SA_IN && c->n_sel > SA_SEL_MAX) {
		snprintf(err, errlen, "SA %u: %u selectors (at most %u)", c->spi, c->n_sel,
			 SA_SEL_MAX);
		return NULL;
	}
	uint32_t w = c->window ? c->window : REPLAY_WIN_DEFAULT; /* replay_init checks it */
	/* the transform keeps one direction's keys only, right behind the struct */
	struct esp_xform_conf xc = c->xf;
	xc.dir = c->dir == SA_OUT ? ESP_XFORM_ENC : ESP_XFORM_DEC;
	struct sa_layout l;
	layout_of(c, &xc, w, &l);
	struct sa *sa = rte_zmalloc("sa", l.size, RTE_CACHE_LINE_SIZE);
	if (sa == NULL) {
		snprintf(err, errlen, "SA %u: out of memory", c->spi);
		return NULL;
	}
	if (esp_xform_init(&sa->xf, &xc, err, errlen) != 0) {
		rte_free(sa);
		return NULL;
	}
	sa->spi_be = rte_cpu_to_be_32(c->spi);
	sa->id = id;
	sa->owner = c->owner;
	sa->ifindex = c->ifindex;
	sa->dir = c->dir;
	sa->flags =
		c->flags | (c->xf.esn ? SA_F_ESN : 0) | (c->family == AF_INET6 ? SA_F_OUTER6 : 0);
	sa->family = c->family;
	sa->udp_sport_be = rte_cpu_to_be_16(c->udp_sport);
	sa->udp_dport_be = rte_cpu_to_be_16(c->udp_dport);
	memcpy(sa->local, c->local, 16);
	memcpy(sa->remote, c->remote, 16);
	sa->life = c->life;
	sa->mode = (c->flags & SA_F_TUNNEL) ? &esp_mode_tunnel : &esp_mode_transport;
	memcpy(sa->peer_addr, c->remote, 16);
	sa->peer_port_be = sa->udp_sport_be;
	if (c->dir == SA_OUT) {
		sa->outer = (struct sa_outer *)((char *)sa + l.tail);
		outer_build(c, sa->outer);
		/* transport mode keeps the packet's IP header: only a UDP header goes in front */
		sa->outer_len = (c->flags & SA_F_TUNNEL) ? sa->outer->len
				: (c->flags & SA_F_UDP)	 ? (uint8_t)sizeof(struct rte_udp_hdr)
							 : 0;
		return sa;
	}
	if (c->n_sel > 0) {
		struct sa_sel *sel = (struct sa_sel *)((char *)sa + l.sel);
		memcpy(sel, c->sel, sizeof(*sel) * c->n_sel);
		sa->sel = sel;
		sa->n_sel = c->n_sel;
	}
	sa->win = (struct replay_win *)((char *)sa + l.tail);
	if (replay_init(sa->win, w) != 0) {
		snprintf(err, errlen, "SA %u: bad replay window %u", c->spi, w);
		sa_free(sa);
		return NULL;
	}
	return sa;
}

static void grace(struct sa_table *t)
{
	if (t->qsbr != NULL)
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
}

static void key_of(const struct sa *sa, struct sa_key *k)
{
	sa_key_make(k, sa->spi_be, sa->family, sa->local);
}

/* The id at the head of the free FIFO is in use now. */
static void id_take(struct sa_table *t)
{
	t->free_head = t->free_head + 1 == t->cap - 1 ? 0 : t->free_head + 1;
	t->free_n--;
}

/* id is free again, after its grace period: to the tail of the FIFO. */
static void id_put(struct sa_table *t, uint32_t id)
{
	uint32_t tail = t->free_head + t->free_n;
	t->free_ids[tail >= t->cap - 1 ? tail - (t->cap - 1) : tail] = id;
	t->free_n++;
}

int sa_install(struct sa_table *t, const struct sa_conf *c, char *err, size_t errlen)
{
	if (t->free_n == 0) {
		snprintf(err, errlen, "SA table full (%u SAs: raise ipsec.sa_max)", t->cap - 1);
		return -ENOSPC;
	}
	uint32_t id = t->free_ids[t->free_head];
	struct sa *sa = sa_build(c, id, err, errlen);
	if (sa == NULL)
		return -EINVAL;
	if (sa->dir == SA_IN) {
		struct sa_key k;
		key_of(sa, &k);
		if (rte_hash_lookup(t->in, &k) >= 0) {
			snprintf(err, errlen,
				 "SA %u: an inbound SA with this SPI and address exists", c->spi);
			sa_free(sa);
			return -EEXIST;
		}
		__atomic_store_n(&t->slot[id], sa, __ATOMIC_RELEASE);
		int rc = rte_hash_add_key_data(t->in, &k, (void *)(uintptr_t)id);
		if (rc != 0) {
			__atomic_store_n(&t->slot[id], NULL, __ATOMIC_RELEASE);
			grace(t);
			sa_free(sa);
			snprintf(err, errlen, "SA %u: inbound table: %s", c->spi, strerror(-rc));
			return rc;
		}
		id_take(t);
		return (int)id;
	}
	__atomic_store_n(&t->slot[id], sa, __ATOMIC_RELEASE);
	id_take(t);
	return (int)id;
}

int sa_replace(struct sa_table *t, uint32_t id, const struct sa_conf *c, char *err, size_t errlen)
{
	struct sa *old = sa_get(t, id);
	if (old == NULL || old->dir != c->dir) {
		snprintf(err, errlen, "SA id %u: nothing to replace in that direction", id);
		return -ENOENT;
	}
	struct sa *sa = sa_build(c, id, err, errlen);
	if (sa == NULL)
		return -EINVAL;
	if (sa->dir == SA_IN && (sa->spi_be != old->spi_be || sa->family != old->family ||
				 memcmp(sa->local, old->local, 16) != 0)) {
		snprintf(err, errlen, "SA id %u: an inbound replacement keeps SPI and address", id);
		sa_free(sa);
		return -EINVAL;
	}
	__atomic_store_n(&t->slot[id], sa, __ATOMIC_RELEASE);
	grace(t);
	sa_free(old);
	return 0;
}

int sa_remove(struct sa_table *t, uint32_t id)
{
	struct sa *sa = sa_get(t, id);
	if (sa == NULL)
		return -ENOENT;
	if (sa->dir == SA_IN) {
		struct sa_key k;
		key_of(sa, &k);
		int32_t pos = rte_hash_del_key(t->in, &k);
		if (pos >= 0) {
			grace(t);
			rte_hash_free_key_with_position(t->in, pos);
		}
	}
	__atomic_store_n(&t->slot[id], NULL, __ATOMIC_RELEASE);
	grace(t);
	sa_free(sa);
	id_put(t, id);
	return 0;
}

int sa_set_peer(struct sa_table *t, uint32_t id, const uint8_t *remote, uint16_t dport_be)
{
	struct sa *sa = sa_get(t, id);
	if (sa == NULL || sa->dir != SA_OUT)
		return -ENOENT;
	struct sa_outer *old = sa->outer;
	struct sa_outer *o = rte_malloc("sa_outer", sizeof(*o), RTE_CACHE_LINE_SIZE);
	if (o == NULL)
		return -ENOMEM;
	*o = *old;
	o->heap = true;
	if (sa->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)o->hdr;
		memcpy(&ip->dst_addr, remote, 4);
		if (sa->flags & SA_F_UDP)
			((struct rte_udp_hdr *)(ip + 1))->dst_port = dport_be;
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)o->hdr;
		memcpy(ip->dst_addr, remote, 16);
		if (sa->flags & SA_F_UDP)
			((struct rte_udp_hdr *)(ip + 1))->dst_port = dport_be;
	}
	outer_sum(o, sa->family);
	__atomic_store_n(&sa->outer, o, __ATOMIC_RELEASE);
	memcpy(sa->remote, remote, sa->family == AF_INET ? 4 : 16); /* shown by telemetry only */
	sa->udp_dport_be = dport_be;
	grace(t);
	if (old->heap)
		rte_free(old);
	return 0;
}

void sa_lookup_in(const struct sa_table *t, const struct sa_key **keys, unsigned int n,
		  uint32_t *ids)
{
	void *data[64];
	uint64_t hits = 0;
	if (n > 64)
		n = 64;
	if (n == 0 || rte_hash_lookup_bulk_data(t->in, (const void **)keys, n, &hits, data) < 0)
		hits = 0;
	for (unsigned int i = 0; i < n; i++)
		ids[i] = (hits & (1ULL << i)) ? (uint32_t)(uintptr_t)data[i] : 0;
}

static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void sa_stats_read(const struct sa *sa, struct sa_stats *out)
{
	out->pkts = rd(&sa->st.pkts);
	out->bytes = rd(&sa->st.bytes);
	for (unsigned int i = 0; i < SA_ERR_MAX; i++)
		out->err[i] = rd(&sa->st.err[i]);
}
