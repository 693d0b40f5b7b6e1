/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_info.c - INFORMATIONAL, the responder's half (RFC 7296 1.4, 2.4).
 *
 * An empty request is a liveness check and gets an empty answer. Delete payloads: for the IKE
 * SA, the answer is empty and the SA goes with all its Child SAs once it is sent (1.4.1); for
 * ESP SPIs (the peer's inbound ones, our outbound), each child found is removed and the answer
 * lists our inbound SPI of each (1.4.1: the pair is deleted together). SPIs we do not know are
 * ignored, as is a second delete of the same SA. Other notifications are ignored (3.10.1).
 *
 * Collisions (2.25.1, 2.25.2): a Delete for a child we are rekeying is answered as usual, with
 * a Delete payload; our rekey's answer then finds the child gone and deletes what it made
 * (ike_create.c). A Delete for a child we are closing (rekeyed: only its inbound SA is left for
 * the overlap) is answered without one. A Delete of an IKE SA we are rekeying is answered as
 * usual and our rekey is forgotten, with the half-made new IKE SA.
 * Control lcore only.
 */
#include <string.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"

/*
 * The peer deletes the child whose outbound SPI is spi (1.4.1); our inbound SPI of it goes into
 * out (network order). A child that was rekeyed hands its VTI to its successor and keeps its
 * inbound SA for the overlap (2.8); any other is removed at once, and when it was a rekey's
 * result not yet in use, the child it was to replace keeps the VTI. An unknown SPI, or a second
 * delete of the same child, changes nothing.
 */
static bool delete_child(struct ike_sa *sa, const uint8_t *spi, uint8_t *out)
{
	uint32_t v =
		(uint32_t)spi[0] << 24 | (uint32_t)spi[1] << 16 | (uint32_t)spi[2] << 8 | spi[3];
	int i = ike_child_by_spi_out(sa, v);
	if (i < 0)
		return false;
	struct ike_child *c = &sa->child[i];
	out[0] = (uint8_t)(c->spi_in >> 24);
	out[1] = (uint8_t)(c->spi_in >> 16);
	out[2] = (uint8_t)(c->spi_in >> 8);
	out[3] = (uint8_t)c->spi_in;
	if (c->successor != 0) {
		ike_child_flip(sa, (unsigned int)i);
		return true;
	}
	/* a rekey's result (2.8.1: the loser of a collision): the child it was to replace stays */
	for (unsigned int k = 0; k < sa->n_child; k++)
		if (sa->child[k].successor == c->spi_in)
			sa->child[k].successor = 0;
	IKE_LOG(INFO, "child %s of %s deleted by the peer (SPI in 0x%08x)", c->cfg->name,
		sa->peer->name, c->spi_in);
	ike_child_remove(sa, c);
	ike_child_forget(sa, (unsigned int)i);
	return true;
}

void ike_info_respond(struct ike_sa *sa, struct ike_msg *m, uint8_t *plain, size_t plain_len)
{
	uint8_t buf[IKE_MSG_MAX], spis[IKE_CHILD_MAX * 4];
	uint16_t n = 0;
	bool ike_gone = false;
	struct ike_wr w;
	RTE_SET_USED(plain);
	RTE_SET_USED(plain_len);
	if (ike_wr_init_inner(&w, buf, sizeof(buf)) != 0)
		return;
	for (const struct ike_payload *d = NULL; (d = ike_msg_find(m, IKE_PL_DELETE, d)) != NULL;) {
		if (d->u.del.proto == IKE_PROTO_IKE)
			ike_gone = true;
		for (uint16_t i = 0; d->u.del.proto == IKE_PROTO_ESP && i < d->u.del.n_spi; i++)
			if (n < IKE_CHILD_MAX &&
			    delete_child(sa, d->u.del.spis + 4 * i, spis + 4 * n))
				n++;
	}
	if (!ike_gone && n > 0)
		ike_wr_delete(&w, IKE_PROTO_ESP, 4, spis, n);
	ike_respond(sa, m, &w);
	if (ike_gone) {
		IKE_LOG(INFO, "IKE SA with %s deleted by the peer", sa->peer->name);
		ike_task_sa_gone(sa);
	}
}
