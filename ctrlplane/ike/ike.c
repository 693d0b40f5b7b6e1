/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike.c - IKE's lifetime on the control lcore (ike.h): the SA tables, teardown,
 * and what telemetry shows of it. Control lcore, except the telemetry readers (under c->lock).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/ipsec.h"
#include "ctrlplane/log.h"
#include "dataplane/sa.h"

RTE_LOG_REGISTER(vh_logtype_ike, vpnhub.ike, INFO);

static struct rte_hash *table(const char *what, void *owner, uint32_t key_len)
{
	char name[RTE_HASH_NAMESIZE];
	snprintf(name, sizeof(name), "ike_%s_%p", what, owner);
	struct rte_hash_parameters p = {
		.name = name,
		.entries = IKE_SA_MAX,
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};
	return rte_hash_create(&p);
}

/* Every 100 ms: Child SA rekeys to finish and overlaps that ended (ike_child.c). */
static void tick(struct rte_timer *t, void *arg)
{
	RTE_SET_USED(t);
	ike_tick(arg);
}

void ike_tick(struct ike *ike)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	uint64_t now = ike_now(ike);
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->state == IKE_S_ESTABLISHED)
			ike_child_tick(sa, now);
	}
	ike_task_tick(ike, now);
	ike_acq_tick(ike, now);
	ike_guard_tick(ike, now);
	ike_natt_tick(ike, now);
	ike_reauth_tick(ike, now);
}

int ike_init(struct ctrl *c, const struct config *cfg, char *err, size_t errlen)
{
	if (cfg->n_ike_peers == 0)
		return 0; /* no IKE: port 500 and 4500 stay unanswered */
	struct ike *ike = rte_zmalloc("ike", sizeof(*ike), RTE_CACHE_LINE_SIZE);
	if (ike == NULL) {
		snprintf(err, errlen, "IKE: out of memory");
		return -ENOMEM;
	}
	ike->c = c;
	ike->cfg = cfg;
	ike->by_spi = table("spi", ike, 8);
	ike->by_init = table("init", ike, sizeof(struct ike_init_key));
	if (ike->by_spi == NULL || ike->by_init == NULL) {
		rte_hash_free(ike->by_spi);
		rte_hash_free(ike->by_init);
		rte_free(ike);
		snprintf(err, errlen, "IKE: out of memory for %u SAs", IKE_SA_MAX);
		return -ENOMEM;
	}
	ike->reinit_tsc = rte_zmalloc("ike_reinit", sizeof(uint64_t) * cfg->n_ike_peers, 0);
	if (ike->reinit_tsc == NULL) {
		rte_hash_free(ike->by_spi);
		rte_hash_free(ike->by_init);
		rte_free(ike);
		snprintf(err, errlen, "IKE: out of memory");
		return -ENOMEM;
	}
	if (ike_pools_create(ike) != 0 || ike_acq_init(ike) != 0 || ike_guard_init(ike) != 0) {
		ike_guard_fini(ike);
		ike_acq_fini(ike);
		ike_pools_free(ike);
		rte_hash_free(ike->by_spi);
		rte_hash_free(ike->by_init);
		rte_free(ike->reinit_tsc);
		rte_free(ike);
		snprintf(err, errlen, "IKE: out of memory for the address pools or crypto maps");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cfg->n_ike_peers; i++) /* started by the first tick */
		ike->reinit_tsc[i] = cfg->ike_peers[i].initiate ? 1 : 0;
	c->ike = ike;
	ipsec_on_expiry(ike_on_expiry);
	rte_timer_init(&ike->tick);
	rte_timer_reset(&ike->tick, rte_get_timer_hz() / 10, PERIODICAL, rte_lcore_id(), tick, ike);
	return 0;
}

void ike_fini(struct ctrl *c)
{
	struct ike *ike = c->ike;
	const void *key;
	void *data;
	uint32_t next = 0;
	if (ike == NULL)
		return;
	rte_timer_stop(&ike->tick);
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		ike_sa_delete(data);
		next = 0; /* the table changed under the iterator */
	}
	rte_hash_free(ike->by_spi);
	rte_hash_free(ike->by_init);
	rte_free(ike->reinit_tsc);
	ike_acq_fini(ike);
	ike_guard_fini(ike);
	ike_pools_free(ike);
	rte_free(ike);
	c->ike = NULL;
	ipsec_on_expiry(NULL);
}

void ike_tel_stats(struct ctrl *c, struct rte_tel_data *d)
{
	const struct ike *ike = c->ike;
	rte_tel_data_start_dict(d);
	if (ike == NULL)
		return;
	rte_tel_data_add_dict_u64(d, "sas", ike->n_sa);
	rte_tel_data_add_dict_u64(d, "rx", ike->st.rx);
	rte_tel_data_add_dict_u64(d, "tx", ike->st.tx);
	rte_tel_data_add_dict_u64(d, "established", ike->st.established);
	rte_tel_data_add_dict_u64(d, "deleted", ike->st.deleted);
	rte_tel_data_add_dict_u64(d, "children_installed", ike->st.children_installed);
	rte_tel_data_add_dict_u64(d, "child_rekeys", ike->st.child_rekeys);
	rte_tel_data_add_dict_u64(d, "ike_rekeys", ike->st.ike_rekeys);
	rte_tel_data_add_dict_u64(d, "initiated", ike->st.initiated);
	rte_tel_data_add_dict_u64(d, "retransmits", ike->st.retransmits);
	rte_tel_data_add_dict_u64(d, "dpd_sent", ike->st.dpd_sent);
	rte_tel_data_add_dict_u64(d, "peers_dead", ike->st.peers_dead);
	rte_tel_data_add_dict_u64(d, "acquires", ike->st.acquires);
	rte_tel_data_add_dict_u64(d, "acquire_held", ike->st.acquire_held);
	rte_tel_data_add_dict_u64(d, "acquire_sent", ike->st.acquire_sent);
	rte_tel_data_add_dict_u64(d, "acquire_dropped", ike->st.acquire_dropped);
	rte_tel_data_add_dict_u64(d, "acquire_failed", ike->st.acquire_failed);
	rte_tel_data_add_dict_u64(d, "cookies_sent", ike->st.cookies_sent);
	rte_tel_data_add_dict_u64(d, "cookies_ok", ike->st.cookies_ok);
	rte_tel_data_add_dict_u64(d, "peer_moves", ike->st.peer_moves);
	rte_tel_data_add_dict_u64(d, "keepalives_sent", ike->st.keepalives_sent);
	rte_tel_data_add_dict_u64(d, "reauths_started", ike->st.reauths_started);
	rte_tel_data_add_dict_u64(d, "reauths", ike->st.reauths);
	rte_tel_data_add_dict_u64(d, "frags_tx", ike->st.frags_tx);
	rte_tel_data_add_dict_u64(d, "frags_rx", ike->st.frags_rx);
	rte_tel_data_add_dict_u64(d, "frags_reassembled", ike->st.frags_reassembled);
	rte_tel_data_add_dict_u64(d, "redirects", ike->st.redirects);
	rte_tel_data_add_dict_u64(d, "redirects_followed", ike->st.redirects_followed);
	rte_tel_data_add_dict_u64(d, "error_notifies", ike->st.error_notifies);
	rte_tel_data_add_dict_u64(d, "error_notifies_limited", ike->st.error_notifies_limited);
	rte_tel_data_add_dict_u64(d, "half_open", rte_hash_count(ike->by_init));
	for (int i = 0; i < IKE_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, ike_drop_name[i], ike->st.drop[i]);
	rte_tel_data_add_dict_u64(d, "v1_rx", ike->st.v1_rx);
	rte_tel_data_add_dict_u64(d, "v1_established", ike->st.v1_established);
	rte_tel_data_add_dict_u64(d, "v1_quick_modes", ike->st.v1_quick_modes);
	rte_tel_data_add_dict_u64(d, "v1_dpd_acks", ike->st.v1_dpd_acks);
	rte_tel_data_add_dict_u64(d, "v1_dpd_answered", ike->st.v1_dpd_answered);
	rte_tel_data_add_dict_u64(d, "v1_deletes", ike->st.v1_deletes);
	for (int i = 0; i < IKEV1_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, ikev1_drop_name[i], ike->st.v1_drop[i]);
}

static const char *state_name(uint8_t s)
{
	return s == IKE_S_HALF_OPEN	? "half-open"
	       : s == IKE_S_ESTABLISHED ? "established"
					: "deleted";
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* One IKE SA into the dict d: SPIs, state, peer, addresses, algorithms, Child SA SPIs. */
static void sa_fill(const struct ike_sa *sa, struct rte_tel_data *d)
{
	char buf[RTE_TEL_MAX_STRING_LEN], a[INET6_ADDRSTRLEN];
	hex(ike_sa_our_spi(sa), 8, buf); /* what /vpnhub/ike/sa,<id> takes */
	rte_tel_data_add_dict_string(d, "id", buf);
	hex(sa->spi_i, 8, buf);
	rte_tel_data_add_dict_string(d, "spi_i", buf);
	hex(sa->spi_r, 8, buf);
	rte_tel_data_add_dict_string(d, "spi_r", buf);
	rte_tel_data_add_dict_string(d, "state", state_name(sa->state));
	rte_tel_data_add_dict_u64(d, "version", sa->v1 != NULL ? 1 : 2);
	/* IKEv1: the Phase 1 state as `show crypto isakmp sa` names it */
	rte_tel_data_add_dict_string(d, "isakmp_state",
				     sa->v1 != NULL ? ikev1_p1_state_name[sa->v1->p1] : "");
	rte_tel_data_add_dict_string(d, "role", sa->initiator ? "initiator" : "responder");
	rte_tel_data_add_dict_string(d, "peer", sa->peer != NULL ? sa->peer->name : "");
	inet_ntop(sa->path.family, sa->path.remote, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s:%u", a, sa->path.rport);
	rte_tel_data_add_dict_string(d, "remote", buf);
	inet_ntop(sa->path.family, sa->path.local, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s:%u", a, sa->path.lport);
	rte_tel_data_add_dict_string(d, "local", buf);
	rte_tel_data_add_dict_u64(d, "encr", sa->encr);
	rte_tel_data_add_dict_u64(d, "encr_bits", sa->encr_bits);
	rte_tel_data_add_dict_u64(d, "integ", sa->integ);
	rte_tel_data_add_dict_u64(d, "prf", sa->prf);
	rte_tel_data_add_dict_u64(d, "dh", sa->dh);
	rte_tel_data_add_dict_string(d, "nat_t", sa->natt ? "yes" : "no");
	if (sa->vip_pool >= 0)
		inet_ntop(AF_INET, sa->vip, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "virtual_ip", sa->vip_pool >= 0 ? a : "");
	if (sa->vip6_set)
		inet_ntop(AF_INET6, sa->vip6, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "virtual_ip6", sa->vip6_set ? a : "");
	rte_tel_data_add_dict_u64(d, "age_s",
				  (rte_get_timer_cycles() - sa->created_tsc) / rte_get_timer_hz());
	size_t off = 0;
	buf[0] = '\0';
	for (unsigned int i = 0; i < sa->n_child && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s:%08x/%08x",
					i ? " " : "", sa->child[i].cfg->name, sa->child[i].spi_in,
					sa->child[i].spi_out);
	rte_tel_data_add_dict_string(d, "children", buf);
}

/* The list's entry of one IKE SA (never keys). */
static struct rte_tel_data *sa_dict(const struct ike_sa *sa)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	sa_fill(sa, d);
	return d;
}

int ike_tel_sas(struct ctrl *c, unsigned int start, struct rte_tel_data *d)
{
	const struct ike *ike = c->ike;
	const void *key;
	void *data;
	uint32_t next = 0;
	unsigned int i = 0, shown = 0;
	char name[16];
	rte_tel_data_start_dict(d);
	if (ike == NULL)
		return 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0 && shown < 64) {
		if (i++ < start)
			continue;
		struct rte_tel_data *x = sa_dict(data);
		snprintf(name, sizeof(name), "%u", i - 1);
		if (x != NULL && rte_tel_data_add_dict_container(d, name, x, 0) != 0)
			rte_tel_data_free(x);
		shown++;
	}
	return 0;
}

/* ---- one IKE SA in detail: /vpnhub/ike/sa,<id> ---- */

bool ike_tel_is_sa_id(const char *params)
{
	return params != NULL && strlen(params) == 16 &&
	       strspn(params, "0123456789abcdefABCDEF") == 16;
}

/* An identity as "type:value" (RFC 7296 3.5); a DN in its one-line text form. */
static void id_str(const struct cfg_ike_id *id, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	int len = id->len > CFG_IKE_ID_MAX ? CFG_IKE_ID_MAX : id->len;
	switch (id->type) {
	case CFG_IKE_ID_IPV4:
	case CFG_IKE_ID_IPV6:
		if (id->len == (id->type == CFG_IKE_ID_IPV4 ? 4 : 16))
			inet_ntop(id->type == CFG_IKE_ID_IPV4 ? AF_INET : AF_INET6, id->data, a,
				  sizeof(a));
		else
			snprintf(a, sizeof(a), "?");
		snprintf(out, size, "%s:%s", id->type == CFG_IKE_ID_IPV4 ? "ipv4" : "ipv6", a);
		return;
	case CFG_IKE_ID_FQDN:
	case CFG_IKE_ID_EMAIL:
		snprintf(out, size, "%s:%.*s", id->type == CFG_IKE_ID_FQDN ? "fqdn" : "email", len,
			 (const char *)id->data);
		break;
	case CFG_IKE_ID_DN: {
		const unsigned char *p = id->data;
		X509_NAME *n = d2i_X509_NAME(NULL, &p, len);
		char text[RTE_TEL_MAX_STRING_LEN] = "?";
		if (n != NULL)
			X509_NAME_oneline(n, text, sizeof(text));
		X509_NAME_free(n);
		ERR_clear_error();
		snprintf(out, size, "dn:%s", text);
		break;
	}
	case CFG_IKE_ID_NONE:
		snprintf(out, size, "%s", "");
		return;
	default: { /* KEY_ID and the rest: hex, as much as fits */
		size_t off = (size_t)snprintf(
			out, size, "%s:", id->type == CFG_IKE_ID_KEY_ID ? "keyid" : "id");
		for (int i = 0; i < len && off + 3 <= size; i++)
			off += (size_t)snprintf(out + off, size - off, "%02x", id->data[i]);
		break;
	}
	}
	for (char *c = out; *c != '\0'; c++) /* names from the wire: no control bytes out */
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '"' || *c == '\\')
			*c = '?';
}

/* The ID the hub sends (ike_auth.c): the configured one, else its address. */
static void local_id_str(const struct ike_sa *sa, char *out, size_t size)
{
	struct cfg_ike_id id = {0};
	if (sa->peer != NULL && sa->peer->local_id.type != CFG_IKE_ID_NONE) {
		id_str(&sa->peer->local_id, out, size);
		return;
	}
	id.type = sa->path.family == AF_INET ? CFG_IKE_ID_IPV4 : CFG_IKE_ID_IPV6;
	id.len = sa->path.family == AF_INET ? 4 : 16;
	memcpy(id.data, sa->path.local, id.len);
	id_str(&id, out, size);
}

/* Seconds from now to the cycle count t (0: none), or -1 when there is no such deadline. */
static int64_t secs_to(uint64_t t, uint64_t now)
{
	if (t == 0)
		return -1;
	return t <= now ? 0 : (int64_t)((t - now) / rte_get_timer_hz());
}

static void add_secs(struct rte_tel_data *d, const char *key, int64_t s)
{
	if (s >= 0)
		rte_tel_data_add_dict_u64(d, key, (uint64_t)s);
}

/* Appends the selector " prefix[proto/lo-hi]" (3.13.1) to out (proto and ports when narrowed). */
static void sel_add(char *out, size_t size, int family, const uint8_t *addr, unsigned int plen,
		    unsigned int proto, unsigned int lo, unsigned int hi)
{
	char a[INET6_ADDRSTRLEN];
	size_t off = strlen(out);
	if (off + 1 >= size)
		return;
	inet_ntop(family, addr, a, sizeof(a));
	if (proto == 0 && lo == 0 && hi == 65535)
		snprintf(out + off, size - off, "%s%s/%u", off ? " " : "", a, plen);
	else
		snprintf(out + off, size - off, "%s%s/%u[%u/%u-%u]", off ? " " : "", a, plen, proto,
			 lo, hi);
}

/* The data plane selectors of the inbound SA: src is the peer's side (TSi/TSr as narrowed). */
static void child_ts(struct rte_tel_data *d, const struct sa *in)
{
	char loc[RTE_TEL_MAX_STRING_LEN] = "", rem[RTE_TEL_MAX_STRING_LEN] = "";
	for (unsigned int i = 0; in != NULL && in->sel != NULL && i < in->n_sel; i++) {
		const struct sa_sel *s = &in->sel[i];
		sel_add(rem, sizeof(rem), s->family, s->src, s->src_plen, s->proto, s->sport_lo,
			s->sport_hi);
		sel_add(loc, sizeof(loc), s->family, s->dst, s->dst_plen, s->proto, s->dport_lo,
			s->dport_hi);
	}
	rte_tel_data_add_dict_string(d, "local_ts", in == NULL ? "" : in->sel ? loc : "any");
	rte_tel_data_add_dict_string(d, "remote_ts", in == NULL ? "" : in->sel ? rem : "any");
}

static const char *child_state(uint8_t s)
{
	return s == IKE_CH_ACTIVE ? "active" : s == IKE_CH_NEW ? "rekeyed-new" : "rekeyed-old";
}

/* One Child SA: SPIs, transform, mode, selectors, lifetimes, counters (never keys). */
static struct rte_tel_data *child_dict(const struct ike_sa *sa, const struct ike_child *ch,
				       uint64_t now)
{
	const struct sa_table *t = sa->ike->c->dp->sas;
	const struct sa *in = ch->sa_in ? sa_get(t, ch->sa_in) : NULL;
	const struct sa *out = ch->sa_out ? sa_get(t, ch->sa_out) : NULL;
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct sa_stats st;
	char buf[16];
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", ch->cfg->name);
	rte_tel_data_add_dict_string(d, "state", child_state(ch->state));
	snprintf(buf, sizeof(buf), "%08x", ch->spi_in);
	rte_tel_data_add_dict_string(d, "spi_in", buf);
	snprintf(buf, sizeof(buf), "%08x", ch->spi_out);
	rte_tel_data_add_dict_string(d, "spi_out", buf);
	rte_tel_data_add_dict_u64(d, "encr", ch->encr);
	rte_tel_data_add_dict_u64(d, "encr_bits", ch->encr_bits);
	rte_tel_data_add_dict_u64(d, "integ", ch->integ);
	rte_tel_data_add_dict_string(d, "esn", ch->esn ? "yes" : "no");
	rte_tel_data_add_dict_string(d, "mode", ch->transport ? "transport" : "tunnel");
	child_ts(d, in);
	const struct sa *life = out != NULL ? out : in; /* the outbound SA's, while there is one */
	if (life != NULL) {
		add_secs(d, "rekey_in_s", secs_to(life->life.soft_tsc, now));
		add_secs(d, "expire_in_s", secs_to(life->life.hard_tsc, now));
	}
	if (ch->state == IKE_CH_OLD)
		add_secs(d, "expire_in_s", secs_to(ch->expire_tsc, now));
	add_secs(d, "age_s",
		 secs_to(now, ch->installed_tsc) >= 0
			 ? (int64_t)((now - ch->installed_tsc) / rte_get_timer_hz())
			 : -1);
	if (in != NULL) {
		sa_stats_read(in, &st);
		rte_tel_data_add_dict_u64(d, "pkts_in", st.pkts);
		rte_tel_data_add_dict_u64(d, "bytes_in", st.bytes);
	}
	if (out != NULL) {
		sa_stats_read(out, &st);
		rte_tel_data_add_dict_u64(d, "pkts_out", st.pkts);
		rte_tel_data_add_dict_u64(d, "bytes_out", st.bytes);
	}
	return d;
}

/* DPD (2.4): off, idle (waiting for dpd_delay of silence), or a check outstanding. */
static const char *dpd_state(const struct ike_sa *sa)
{
	if (sa->peer == NULL || sa->peer->dpd_delay == 0)
		return "off";
	if (sa->req != NULL && sa->n_task > 0 && sa->task[0].type == IKE_T_DPD)
		return "probing";
	return "idle";
}

static void detail_ids(struct rte_tel_data *d, const struct ike_sa *sa)
{
	char buf[RTE_TEL_MAX_STRING_LEN];
	local_id_str(sa, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "local_id", buf);
	id_str(&sa->peer_id, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "remote_id", buf);
}

static void detail_times(struct rte_tel_data *d, const struct ike_sa *sa, uint64_t now)
{
	uint64_t hz = rte_get_timer_hz(), est = sa->established_tsc;
	if (sa->state == IKE_S_ESTABLISHED && est == 0)
		est = sa->created_tsc; /* made by a rekey: established as it was created */
	if (est != 0 && now >= est)
		rte_tel_data_add_dict_u64(d, "established_s", (now - est) / hz);
	add_secs(d, "rekey_in_s", secs_to(sa->rekey_tsc, now));
	if (est != 0 && sa->peer != NULL && sa->peer->reauth_time != 0)
		add_secs(d, "reauth_in_s", secs_to(est + sa->peer->reauth_time * hz, now));
	add_secs(d, "idle_s", now >= sa->last_rx_tsc ? (int64_t)((now - sa->last_rx_tsc) / hz) : 0);
}

static void detail_nat(struct rte_tel_data *d, const struct ike_sa *sa)
{
	rte_tel_data_add_dict_string(d, "nat_local", sa->nat_local ? "yes" : "no");
	rte_tel_data_add_dict_string(d, "nat_remote", sa->nat_remote ? "yes" : "no");
	rte_tel_data_add_dict_string(d, "nat_forced",
				     sa->peer != NULL && sa->peer->encap ? "yes" : "no");
	rte_tel_data_add_dict_string(d, "udp_4500", sa->path.lport == IKE_PORT_NATT ? "yes" : "no");
}

/* sa_dict's members and everything else an operator asks of one SA (never keys). */
static int sa_detail(const struct ike_sa *sa, struct rte_tel_data *d)
{
	uint64_t now = ike_now(sa->ike);
	char key[24];
	rte_tel_data_start_dict(d);
	sa_fill(sa, d); /* the list's members first, in the same order */
	detail_ids(d, sa);
	detail_times(d, sa, now);
	detail_nat(d, sa);
	rte_tel_data_add_dict_string(d, "dpd", dpd_state(sa));
	if (sa->peer != NULL)
		rte_tel_data_add_dict_u64(d, "dpd_delay_s", sa->peer->dpd_delay);
	rte_tel_data_add_dict_u64(d, "msgid_send_next", sa->send_next);
	rte_tel_data_add_dict_u64(d, "msgid_recv_next", sa->recv_next);
	rte_tel_data_add_dict_u64(d, "n_children", sa->n_child);
	for (unsigned int i = 0; i < sa->n_child; i++) {
		struct rte_tel_data *x = child_dict(sa, &sa->child[i], now);
		snprintf(key, sizeof(key), "child_%u", i);
		if (x != NULL && rte_tel_data_add_dict_container(d, key, x, 0) != 0)
			rte_tel_data_free(x);
	}
	return 0;
}

int ike_tel_sa(struct ctrl *c, const char *id, struct rte_tel_data *d)
{
	uint8_t spi[8];
	struct ike *ike = c->ike;
	if (!ike_tel_is_sa_id(id))
		return -EINVAL;
	for (int i = 0; i < 8; i++) {
		unsigned int v;
		if (sscanf(id + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		spi[i] = (uint8_t)v;
	}
	const struct ike_sa *sa = ike != NULL ? ike_sa_by_spi(ike, spi) : NULL;
	if (sa == NULL)
		return -ENOENT;
	return sa_detail(sa, d);
}
