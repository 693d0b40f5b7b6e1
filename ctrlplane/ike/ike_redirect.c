/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_redirect.c - the redirect mechanism of RFC 5685 in IKE_SA_INIT, both ways.
 *
 * Responder (3.1): with ike.redirect configured, an IKE_SA_INIT request from an initiator that
 * announced REDIRECT_SUPPORTED (or REDIRECTED_FROM, which only a redirected initiator sends)
 * and whose peer the rule names is answered with an IKE_SA_INIT response carrying one REDIRECT
 * notify and nothing else: SPIr zero, no state, no DH. Its data is the new gateway's identity
 * (GW Ident Type, GW Ident Len, the address) followed by the Nonce Data,
 * the initiator's Ni, which tells the initiator that the answer is for its request (3.1). It
 * runs after admission (ike_guard.c: caps and cookies), so a flood of requests gets cookies
 * before it gets redirects. Initiators that did not announce support are served as usual
 * (RFC 5685 3: a REDIRECT must not go to one that cannot follow it).
 *
 * Initiator: every IKE_SA_INIT the hub sends carries REDIRECT_SUPPORTED, or REDIRECTED_FROM
 * with the address of the gateway that redirected it (3.1). A REDIRECT in a response (SPIr
 * zero) whose Nonce Data is not our Ni is dropped unseen (the request stays outstanding, 3.1:
 * anyone on the path could have sent it). A genuine one moves the SA to the new gateway (port
 * 500, a fresh Ni, no cookie) and starts IKE_SA_INIT again; after IKE_REDIRECT_MAX of them in a
 * row the hub gives up (RFC 5685 6: two gateways that redirect to each other must not keep a
 * client forever), and the peer is tried again from its configured address later. Only address
 * identities are followed, of the family of the hub's own address.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"

/* GW Ident Types of the REDIRECT and REDIRECTED_FROM notifies (RFC 5685) */
#define GW_IPV4 1
#define GW_IPV6 2
#define GW_FQDN 3

/* GW Ident Type, GW Ident Len and the address into out (18 octets); returns the length. */
static size_t gw_ident(uint8_t family, const uint8_t *addr, uint8_t *out)
{
	uint8_t alen = family == AF_INET ? 4 : 16;
	out[0] = family == AF_INET ? GW_IPV4 : GW_IPV6;
	out[1] = alen;
	memcpy(out + 2, addr, alen);
	return 2u + alen;
}

/* Does the rule send this request elsewhere (the peer, the load, the initiator's support)? */
static bool applies(const struct ike *ike, const struct ike_msg *m, const struct cfg_ike_peer *peer)
{
	const struct cfg_ike_redirect *r = &ike->cfg->ike_redirect;
	if (r->when == CFG_IKE_REDIRECT_OFF ||
	    !cfg_ike_redirect_peer(r, (unsigned int)(peer - ike->cfg->ike_peers)))
		return false;
	if (r->when == CFG_IKE_REDIRECT_LOAD && ike->n_sa < r->load_threshold)
		return false;
	return ike_msg_notify(m, IKE_N_REDIRECT_SUPPORTED) != NULL ||
	       ike_msg_notify(m, IKE_N_REDIRECTED_FROM) != NULL;
}

static void log_redirect(struct ike *ike, const struct ike_path *p, const struct cfg_ike_peer *peer)
{
	const struct cfg_ike_redirect *r = &ike->cfg->ike_redirect;
	char from[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN];
	if (!ike_guard_log_ok(ike))
		return;
	inet_ntop(p->family, p->remote, from, sizeof(from));
	inet_ntop(r->to.family, r->to.bytes, to, sizeof(to));
	if (r->when == CFG_IKE_REDIRECT_LOAD)
		IKE_LOG(NOTICE,
			"IKE_SA_INIT from %s (peer %s) redirected to %s: %u IKE SAs, threshold %u",
			from, peer->name, to, ike->n_sa, r->load_threshold);
	else
		IKE_LOG(NOTICE, "IKE_SA_INIT from %s (peer %s) redirected to %s", from, peer->name,
			to);
}

bool ike_redirect_respond(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
			  const struct cfg_ike_peer *peer)
{
	const struct cfg_ike_redirect *r = &ike->cfg->ike_redirect;
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	uint8_t data[18 + IKE_NONCE_MAX], out[128 + sizeof(data)];
	size_t n;
	struct ike_wr w;
	struct ike_hdr h = {.major = 2, .exchange = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_R};
	if (ni == NULL || ni->len > IKE_NONCE_MAX || !applies(ike, m, peer))
		return false;		  /* without Ni the usual path drops it as malformed */
	memcpy(h.spi_i, m->hdr.spi_i, 8); /* SPIr stays zero: no state (3.1) */
	n = gw_ident(r->to.family, r->to.bytes, data);
	memcpy(data + n, ni->body, ni->len); /* Nonce Data: the initiator's Ni */
	n += ni->len;
	if (ike_wr_init(&w, out, sizeof(out), &h) != 0 ||
	    ike_wr_notify(&w, 0, NULL, 0, IKE_N_REDIRECT, data, n) != 0 ||
	    ike_wr_finish(&w, &n) != 0 || ike_send(ike, p, out, n) != 0) {
		ike_count(ike, IKE_DROP_NOMEM);
		return true; /* nothing else for this request: it was to be redirected */
	}
	ike->st.redirects++;
	log_redirect(ike, p, peer);
	return true;
}

int ike_redirect_announce(const struct ike_sa *sa, struct ike_wr *w)
{
	uint8_t d[18];
	if (sa->redirected_from_family == 0)
		return ike_wr_notify(w, 0, NULL, 0, IKE_N_REDIRECT_SUPPORTED, NULL, 0);
	return ike_wr_notify(w, 0, NULL, 0, IKE_N_REDIRECTED_FROM, d,
			     gw_ident(sa->redirected_from_family, sa->redirected_from, d));
}

/* The REDIRECT of an IKE_SA_INIT response (SPIr zero), or NULL. */
static const struct ike_payload *redirect_of(const struct ike_msg *m)
{
	static const uint8_t zero[8];
	return memcmp(m->hdr.spi_r, zero, 8) == 0 ? ike_msg_notify(m, IKE_N_REDIRECT) : NULL;
}

bool ike_redirect_genuine(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *n = redirect_of(m);
	if (n == NULL)
		return true;
	const uint8_t *d = n->u.notify.data;
	size_t len = n->u.notify.len;
	/* 3.1: GW Ident Type, GW Ident Len, the identity, then exactly our Ni */
	if (len >= 2 && len - 2 >= d[1] && len - 2 - d[1] == sa->ni_len &&
	    CRYPTO_memcmp(d + 2 + d[1], sa->ni, sa->ni_len) == 0)
		return true;
	ike_count(sa->ike, IKE_DROP_REDIRECT_BAD);
	if (ike_guard_log_ok(sa->ike))
		IKE_LOG(NOTICE, "peer %s: REDIRECT whose Nonce Data is not our Ni: ignored",
			sa->peer != NULL ? sa->peer->name : "?");
	return false;
}

int ike_redirect_follow(struct ike_sa *sa, const struct ike_msg *m)
{
	static const uint8_t zero[16];
	const struct ike_payload *n = redirect_of(m);
	const char *name = sa->peer->name;
	char to[INET6_ADDRSTRLEN] = "?", from[INET6_ADDRSTRLEN];
	uint8_t type = n->u.notify.len >= 2 ? n->u.notify.data[0] : 0;
	uint8_t glen = n->u.notify.len >= 2 ? n->u.notify.data[1] : 0;
	const uint8_t *gw = n->u.notify.data + 2; /* ike_redirect_genuine checked the lengths */
	int family = type == GW_IPV4 && glen == 4    ? AF_INET
		     : type == GW_IPV6 && glen == 16 ? AF_INET6
						     : 0;
	if (family != 0)
		inet_ntop(family, gw, to, sizeof(to));
	if (family == 0 || family != sa->path.family || memcmp(gw, zero, glen) == 0) {
		IKE_LOG(NOTICE,
			"peer %s: REDIRECT to %s (GW Ident Type %u, %u octets): not followed, "
			"only addresses of our family are",
			name, to, type, glen);
		ike_count(sa->ike, IKE_DROP_REDIRECT_BAD);
		return -ECONNRESET;
	}
	if (sa->redirects >= IKE_REDIRECT_MAX) {
		IKE_LOG(WARNING, "peer %s: redirected %u times in a row, now to %s: given up", name,
			sa->redirects + 1u, to);
		ike_count(sa->ike, IKE_DROP_REDIRECT_LOOP);
		return -ECONNRESET;
	}
	inet_ntop(sa->path.family, sa->path.remote, from, sizeof(from));
	IKE_LOG(NOTICE, "peer %s: redirected from %s to %s (RFC 5685)", name, from, to);
	sa->redirects++;
	sa->redirected_from_family = sa->path.family;
	memcpy(sa->redirected_from, sa->path.remote, sizeof(sa->redirected_from));
	memset(sa->path.remote, 0, sizeof(sa->path.remote));
	memcpy(sa->path.remote, gw, glen);
	sa->path.lport = sa->path.rport = IKE_PORT;
	sa->cookie_len = 0; /* the old gateway's cookie means nothing to the new one */
	sa->cookie_tries = 0;
	OPENSSL_cleanse(sa->ni, sizeof(sa->ni));
	sa->ni_len = 0; /* a fresh Ni for the new gateway */
	sa->ike->st.redirects_followed++;
	ike_task_queue(sa, IKE_T_INIT, 0);
	return 0;
}
