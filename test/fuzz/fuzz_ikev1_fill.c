/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_ikev1_fill.c - what a real IKEv1 initiator would know, filled into a record of
 * fuzz_ike_resp flagged IKE_RESP_F_V1 (fuzz_ike_resp.h), from the hub's ISAKMP SA for the
 * record's CKY-I (ctrlplane/ike/ikev1_int.h). In this order:
 *
 * - SPI: CKY-R := the hub's cookie, in the header and in the ISAKMP SPIs (CKY-I | CKY-R) of
 *   Notify and Delete payloads that start with the record's CKY-I.
 * - MSGID: the message ID := that of the exchange the hub started and waits on (its XAUTH
 *   request or SET, its Mode Config push), which the peer can only learn from the ciphertext.
 * - AUTH: the HASH payload of the clear chain := what the hub checks: in Phase 1 (message ID 0)
 *   HASH_I over the record's ID (Main Mode message 5) or over message 1's (Aggressive Mode
 *   message 3) (RFC 2409 5); for the third message of a Quick Mode the hub answers, HASH(3) =
 *   prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) (5.5); else, when HASH leads, prf(SKEYID_a, M-ID |
 *   the payloads after it), as HASH(1) of Quick Mode, informational (5.7) and transaction
 *   exchanges (mode-cfg 3.2).
 * - SEAL: the chain after the header padded (5.3) and encrypted with the IV the hub expects
 *   (Appendix B): Phase 1's chain; the exchange's own for a message ID the hub keeps; else the
 *   first IV of a new exchange, hash(last Phase 1 block | M-ID). E set, Length patched.
 *
 * The hub's functions compute each value; the hub's state is only read (IVs are copied).
 * Nothing is filled in before the hub has the keys it needs (a hash or cipher length of 0).
 * The payload chain walker here serves the IKEv2 fill-in of fuzz_ike_resp.c too.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <rte_byteorder.h>

#include "ctrlplane/ike/ikev1_int.h"
#include "fuzz_ike_resp.h"

void ike_resp_walk(uint8_t first, const uint8_t *c, size_t n, struct ike_resp_chain *ch)
{
	uint8_t type = first;
	size_t o = 0;
	ch->n = 0;
	ch->end = 0;
	while (ch->n < IKE_RESP_CHAIN_MAX && type != 0 && n - o >= IKEV1_PL_HDR_LEN) {
		size_t pl = (size_t)c[o + 2] << 8 | c[o + 3];
		if (pl < IKEV1_PL_HDR_LEN || pl > n - o)
			break;
		ch->pl[ch->n].type = type;
		ch->pl[ch->n].at = o + IKEV1_PL_HDR_LEN;
		ch->pl[ch->n++].len = pl - IKEV1_PL_HDR_LEN;
		type = c[o];
		o += pl;
		ch->end = o;
	}
}

unsigned int ike_resp_find(const struct ike_resp_chain *ch, uint8_t type)
{
	unsigned int i = 0;
	while (i < ch->n && ch->pl[i].type != type)
		i++;
	return i;
}

/*
 * SPI: the ISAKMP SPIs (CKY-I | CKY-R, RFC 2408 3.14, 3.15) of the Notify and Delete payloads
 * whose CKY-I is the record's get the hub's CKY-R, as a peer names the SA it deletes or asks
 * R-U-THERE about (RFC 3706 5).
 */
static void fill_spis(const struct ike_sa *sa, const uint8_t *hdr, uint8_t *c, size_t n)
{
	struct ike_resp_chain ch;
	ike_resp_walk(hdr[16], c, n, &ch);
	for (unsigned int i = 0; i < ch.n; i++) {
		uint8_t *b = c + ch.pl[i].at;
		size_t len = ch.pl[i].len, count = 1;
		if ((ch.pl[i].type != IKEV1_PL_N && ch.pl[i].type != IKEV1_PL_D) || len < 8 ||
		    b[4] != IKEV1_PROTO_ISAKMP || b[5] != 16)
			continue;
		if (ch.pl[i].type == IKEV1_PL_D)
			count = (size_t)b[6] << 8 | b[7];
		for (size_t k = 0; k < count && 8 + 16 * (k + 1) <= len; k++)
			if (memcmp(b + 8 + 16 * k, sa->spi_i, 8) == 0)
				memcpy(b + 8 + 16 * k + 8, sa->spi_r, 8);
	}
}

/* The exchange the hub started on sa and waits to have answered, or NULL. */
static const struct ikev1_x *waiting(const struct ikev1_sa *v)
{
	for (unsigned int i = 0; i < IKEV1_X_MAX; i++)
		if (v->x[i].kind == IKEV1_X_TR_I || v->x[i].kind == IKEV1_X_QM_I)
			return &v->x[i];
	return NULL;
}

/* Phase 1: HASH_I (RFC 2409 5) into hash over IDii_b, which Aggressive Mode's message 1 had. */
static void hash_i(struct ike_sa *sa, uint8_t *c, const struct ike_resp_chain *ch, uint8_t *hash)
{
	const struct ikev1_sa *v = sa->v1;
	bool aggr = v->exch == IKEV1_EXCH_AGGRESSIVE;
	unsigned int k = ike_resp_find(ch, IKEV1_PL_ID);
	const uint8_t *id = aggr ? v->idr_b : k < ch->n ? c + ch->pl[k].at : NULL;
	size_t id_len = aggr ? v->idr_len : k < ch->n ? ch->pl[k].len : 0;
	uint8_t out[IKE_PRF_MAX];
	if (id == NULL || v->sai_b == NULL || v->gxi == NULL || v->gxr == NULL)
		return;
	if (ikev1_p1_auth_hash(sa, true, id, id_len, out) == 0)
		memcpy(hash, out, v->hash_len);
	OPENSSL_cleanse(out, sizeof(out));
}

/* HASH(3) of the Quick Mode x the hub answered (5.5) into hash. */
static void hash_3(const struct ike_sa *sa, const struct ikev1_x *x, uint8_t *hash)
{
	static const uint8_t zero;
	const struct ikev1_sa *v = sa->v1;
	rte_be32_t idb = rte_cpu_to_be_32(x->msg_id);
	const struct ike_chunk h3[] = {
		{&zero, 1}, {(const uint8_t *)&idb, 4}, {x->ni, x->ni_len}, {x->nr, x->nr_len}};
	uint8_t out[IKE_PRF_MAX];
	if (ike_prf(v->p1c.prf, v->skeyid_a, v->hash_len, h3, 4, out) == 0)
		memcpy(hash, out, v->hash_len);
	OPENSSL_cleanse(out, sizeof(out));
}

/* AUTH: the HASH payload of the clear chain c[0..n) of a message with header hdr. */
static void fill_hash(struct ike_sa *sa, const uint8_t *hdr, uint8_t *c, size_t n)
{
	const struct ikev1_sa *v = sa->v1;
	uint32_t msg_id = ike_resp_get32(hdr + 20);
	struct ike_resp_chain ch;
	ike_resp_walk(hdr[16], c, n, &ch);
	unsigned int k = ike_resp_find(&ch, IKEV1_PL_HASH);
	if (k == ch.n || v->hash_len == 0 || ch.pl[k].len != v->hash_len)
		return;
	uint8_t *hash = c + ch.pl[k].at;
	if (msg_id == 0) {
		hash_i(sa, c, &ch, hash);
		return;
	}
	const struct ikev1_x *x = ikev1_x_find(sa, msg_id);
	if (x != NULL && x->kind == IKEV1_X_QM_R && hdr[18] == IKEV1_EXCH_QUICK) {
		hash_3(sa, x, hash);
		return;
	}
	rte_be32_t idb = rte_cpu_to_be_32(msg_id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	if (k == 0) /* HASH(1) and its kind lead their message */
		ikev1_hash_fill(sa, c, ch.end, ch.pl[0].at, &pre, 1);
}

/* SEAL: msg[IKEV1_HDR_LEN..len) padded and encrypted in place; the new length. */
static size_t seal(struct ike_sa *sa, uint8_t *msg, size_t len, size_t cap)
{
	const struct ikev1_sa *v = sa->v1;
	uint32_t msg_id = ike_resp_get32(msg + 20);
	uint8_t iv[IKEV1_BLOCK_MAX];
	if (v->block == 0 || v->key_len == 0)
		return len;
	const struct ikev1_x *x = msg_id != 0 ? ikev1_x_find(sa, msg_id) : &v->p1x;
	if (x != NULL)
		memcpy(iv, x->iv, v->block);
	else if (ikev1_x_iv(sa, msg_id, iv) != 0)
		return len;
	size_t plain = len - IKEV1_HDR_LEN, pad = v->block - plain % v->block;
	if (len + pad > cap)
		return len;
	memset(msg + len, 0, pad);
	msg[len + pad - 1] = (uint8_t)(pad - 1);
	if (ikev1_cbc(v->p1c.encr, v->key, v->key_len, iv, msg + IKEV1_HDR_LEN, plain + pad,
		      true) != 0)
		return len;
	msg[19] |= IKEV1_FLAG_E;
	ike_resp_put32(msg + 24, (uint32_t)(len + pad));
	return len + pad;
}

size_t fuzz_ikev1_fill(struct ike_sa *sa, uint8_t flags, uint8_t *msg, size_t len, size_t cap)
{
	if (sa == NULL || sa->v1 == NULL || len < IKEV1_HDR_LEN)
		return len;
	if (flags & IKE_RESP_F_SPI) {
		memcpy(msg + 8, sa->spi_r, 8);
		fill_spis(sa, msg, msg + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN);
	}
	const struct ikev1_x *x = waiting(sa->v1);
	if ((flags & IKE_RESP_F_MSGID) && x != NULL)
		ike_resp_put32(msg + 20, x->msg_id);
	if (flags & IKE_RESP_F_AUTH)
		fill_hash(sa, msg, msg + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN);
	if (flags & IKE_RESP_F_SEAL)
		return seal(sa, msg, len, cap);
	return len;
}
