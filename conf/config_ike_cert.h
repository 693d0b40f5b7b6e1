/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike_cert.h - loader internals for certificate authentication of IKE peers
 * (config_ike_cert.c), shared with config_ike.c and config_ike_prop.c.
 *
 * Not part of the API: nothing outside conf/ includes it. The rules of config_int.h hold: the
 * first error only, 0 or its negative errno, untrusted text only through cfgi_show(), never a
 * key. Called on the main lcore during cfg_load_*(); no global state.
 */
#ifndef VPNHUB_CONF_CONFIG_IKE_CERT_H
#define VPNHUB_CONF_CONFIG_IKE_CERT_H

#include "conf/config_int.h"

/* The value nodes of a peer's mapping that authentication reads; NULL when a key is absent. */
struct cfgi_auth_nodes {
	const struct node *psk, *psk_file;		   /* auth: psk */
	const struct node *cert, *key, *ca, *send_certreq; /* auth: pubkey */
	const struct node *local_id, *remote_id;
};

/*
 * auth: pubkey for peer p, whose identities are set (local_id to its default when the node is
 * absent): cert, key and ca read and checked, local_id made the certificate's subject when it
 * was not given, or checked against the certificate when it was. map and where place the error
 * of a missing key.
 */
int cfgi_ike_pubkey(struct ld *ld, const struct node *map, const char *where,
		    const struct cfgi_auth_nodes *n, struct cfg_ike_peer *p);

/* auth: psk: the keys of pubkey are refused (psk and psk_file are config_ike.c's to load). */
int cfgi_ike_psk_only(struct ld *ld, const struct cfgi_auth_nodes *n);

/* An identity "dn:C=CH, O=Example, CN=hub" (v's text, key names it) as ID_DER_ASN1_DN. */
int cfgi_ike_dn(struct ld *ld, const struct node *v, const char *key, struct cfg_ike_id *id);

#endif /* VPNHUB_CONF_CONFIG_IKE_CERT_H */
