/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_reauth.c - reauthentication (RFC 7296 2.8.3): every reauth_time seconds
 * (less up to the peer's jitter) an IKE SA the hub can reach is replaced by a new one, made from
 * scratch with IKE_SA_INIT and IKE_AUTH, so that both ends prove their credentials again (a
 * revoked certificate or a changed key then ends the peer's access); its Child SAs are
 * negotiated anew, not rekeyed.
 *
 * Make-before-break: the new IKE SA carries the old one's first child in IKE_AUTH and asks for
 * the others with CREATE_CHILD_SA; each new child takes its VTI or crypto map entry over as it
 * is installed, exactly as when the peer is new. Only when the new IKE SA has as many children
 * as the old one had (or IKE_REAUTH_WAIT_S has passed) is the old IKE SA deleted with the peer,
 * its children with it. A reauthentication that fails leaves the old IKE SA as it was, and is
 * tried again IKE_REAUTH_RETRY_S later. The hub reauthenticates the peers it can start an
 * exchange with: those with a configured remote address. Control lcore only.
 */
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_hash.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

#define IKE_REAUTH_WAIT_S  30 /* the new IKE SA's children: the old one goes after this anyway */
#define IKE_REAUTH_RETRY_S 60
#define IKE_REAUTH_BURST   16 /* reauthentications started per tick at most */

/* The SA whose our SPI is spi, when it is still there. */
static struct ike_sa *by_spi(struct ike *ike, const uint8_t spi[8])
{
	static const uint8_t zero[8];
	return memcmp(spi, zero, 8) != 0 ? ike_sa_by_spi(ike, spi) : NULL;
}

static unsigned int active(const struct ike_sa *sa)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < sa->n_child; i++)
		n += sa->child[i].state == IKE_CH_ACTIVE;
	return n;
}

static unsigned int child_index(const struct ike_sa *sa, const struct cfg_ike_child *cc)
{
	return (unsigned int)(cc - sa->peer->children);
}

/* When sa is due: reauth_time after it was established, less up to jitter percent. */
static uint64_t due(const struct ike_sa *sa)
{
	uint32_t r = 0;
	uint64_t ms = sa->peer->reauth_time * 1000ull;
	RAND_bytes((uint8_t *)&r, sizeof(r));
	if (sa->peer->jitter != 0)
		ms -= ms * (r % (sa->peer->jitter + 1)) / 100;
	return sa->established_tsc + ms * rte_get_timer_hz() / 1000;
}

static void start(struct ike *ike, struct ike_sa *old, uint64_t now)
{
	unsigned int first = 0;
	for (unsigned int i = 0; i < old->n_child; i++) {
		if (old->child[i].state == IKE_CH_ACTIVE) {
			first = child_index(old, old->child[i].cfg);
			break;
		}
	}
	struct ike_sa *n = ike_initiate(ike, old->peer, first);
	old->reauth_tsc = now + IKE_REAUTH_RETRY_S * rte_get_timer_hz();
	if (n == NULL)
		return;
	memcpy(n->reauth_of, ike_sa_our_spi(old), 8);
	n->reauth_start_tsc = now;
	ike->st.reauths_started++;
	IKE_LOG(INFO, "peer %s: reauthentication (RFC 7296 2.8.3): a new IKE SA", old->peer->name);
}

void ike_reauth_established(struct ike_sa *n)
{
	struct ike_sa *old = by_spi(n->ike, n->reauth_of);
	if (old == NULL || old->state != IKE_S_ESTABLISHED)
		return;
	for (unsigned int i = 0; i < old->n_child; i++) {
		const struct cfg_ike_child *cc = old->child[i].cfg;
		bool has = false;
		if (old->child[i].state != IKE_CH_ACTIVE)
			continue;
		for (unsigned int k = 0; k < n->n_child; k++)
			has |= n->child[k].cfg == cc;
		if (!has)
			ike_task_queue(n, IKE_T_CHILD_NEW, child_index(old, cc));
	}
}

void ike_reauth_tick(struct ike *ike, uint64_t now)
{
	static const uint8_t zero[8];
	struct ike_sa *go[IKE_REAUTH_BURST];
	unsigned int n_go = 0;
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->state != IKE_S_ESTABLISHED || sa->peer == NULL || sa->superseded ||
		    sa->v1 != NULL)
			continue;
		if (memcmp(sa->reauth_of, zero, 8) != 0) { /* a new SA: is the old one done? */
			struct ike_sa *old = by_spi(ike, sa->reauth_of);
			if (old != NULL && old->state == IKE_S_ESTABLISHED &&
			    active(sa) < active(old) &&
			    now - sa->reauth_start_tsc < IKE_REAUTH_WAIT_S * rte_get_timer_hz())
				continue;
			memset(sa->reauth_of, 0, 8);
			if (old == NULL || old->state != IKE_S_ESTABLISHED)
				continue;
			old->superseded = true; /* a rekey of its own must not start now */
			ike_task_queue(old, IKE_T_DELETE_IKE, 0);
			ike->st.reauths++;
			IKE_LOG(INFO, "peer %s reauthenticated: %u child SA%s on the new IKE SA",
				sa->peer->name, active(sa), active(sa) == 1 ? "" : "s");
			continue;
		}
		if (sa->peer->reauth_time == 0 || sa->peer->remote.family == 0)
			continue;
		if (sa->reauth_tsc == 0)
			sa->reauth_tsc = due(sa);
		if (now >= sa->reauth_tsc && n_go < IKE_REAUTH_BURST)
			go[n_go++] = sa;
	}
	for (unsigned int i = 0; i < n_go; i++) /* new SAs enter the table: not while iterating */
		start(ike, go[i], now);
}
