/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike.c - IKE's lifetime on the control lcore (ike.h): the SA tables, teardown,
 * and what telemetry shows of it. Control lcore, except the telemetry readers (under c->lock).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ipsec.h"
#include "ctrlplane/log.h"

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
	struct ike *ike = arg;
	const void *key;
	void *data;
	uint32_t next = 0;
	uint64_t now = rte_get_timer_cycles();
	RTE_SET_USED(t);
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->state == IKE_S_ESTABLISHED)
			ike_child_tick(sa, now);
	}
	ike_task_tick(ike, now);
	ike_acq_tick(ike, now);
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
	if (ike_pools_create(ike) != 0 || ike_acq_init(ike) != 0) {
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
	for (int i = 0; i < IKE_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, ike_drop_name[i], ike->st.drop[i]);
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

/* One IKE SA: SPIs, state, peer, addresses, algorithms, Child SA SPIs (never keys). */
static struct rte_tel_data *sa_dict(const struct ike_sa *sa)
{
	char buf[RTE_TEL_MAX_STRING_LEN], a[INET6_ADDRSTRLEN];
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	hex(sa->spi_i, 8, buf);
	rte_tel_data_add_dict_string(d, "spi_i", buf);
	hex(sa->spi_r, 8, buf);
	rte_tel_data_add_dict_string(d, "spi_r", buf);
	rte_tel_data_add_dict_string(d, "state", state_name(sa->state));
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
	rte_tel_data_add_dict_u64(d, "age_s",
				  (rte_get_timer_cycles() - sa->created_tsc) / rte_get_timer_hz());
	size_t off = 0;
	buf[0] = '\0';
	for (unsigned int i = 0; i < sa->n_child && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s:%08x/%08x",
					i ? " " : "", sa->child[i].cfg->name, sa->child[i].spi_in,
					sa->child[i].spi_out);
	rte_tel_data_add_dict_string(d, "children", buf);
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
