/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_frag.c - IKE fragmentation (RFC 7383): encrypted messages split into
 * Encrypted Fragment (SKF) payloads on the way out, and put together again on the way in.
 *
 * Out (2.5): once both ends sent IKE_FRAGMENTATION_SUPPORTED in IKE_SA_INIT (sa->frag, set by
 * ike_init.c), an encrypted message whose IP datagram would pass the peer's fragment_size is
 * sent as fragments 1..N of one message ID. Each carries a slice of the inner payloads and is
 * sealed on its own with the SA's keys; the first one's Next Payload names the first inner
 * payload, the others' are 0. The set of fragments is the unit of the caches: the messages sit
 * back to back in one buffer, each ending where its IKE Length says, and a retransmission sends
 * all of them again, bit for bit (2.6). A message the limits below cannot split (more than
 * IKE_FRAG_MAX fragments) goes whole, left to IP fragmentation, as to a peer without RFC 7383.
 *
 * In (2.6.1): a fragment is verified (ICV, or the AEAD tag) before anything is kept; it is then
 * kept as plaintext in the slot of its SA and direction (the peer's requests, the peer's
 * responses: one message ID each, as the window is 1). A duplicate is dropped; a higher Total
 * Fragments than the kept one discards what was kept and starts over, a lower one is dropped.
 * Bounds: IKE_FRAG_MAX fragments, IKE_FRAG_REASM_MAX octets of inner payloads per message,
 * IKE_FRAG_MEM_MAX octets over all partial messages of the engine, IKE_FRAG_TTL_S seconds per
 * partial message (polled by the tick). Each refusal has its counter in IKE_DROPS. A whole
 * message is handed back as the plaintext an SK payload would have given.
 *
 * Fragment Number 0, a number above the total (total 0 included) and a Next Payload in a later
 * fragment are refused by the codec (ike_msg.c). Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "ctrlplane/ike/ike_int.h"

/* One message being put together. */
struct ike_frag_rx {
	uint32_t msg_id;
	uint16_t total; /* its Total Fragments */
	uint16_t have;	/* fragments kept */
	uint8_t first;	/* the first inner payload (fragment 1's Next Payload) */
	size_t bytes;	/* plaintext octets kept */
	uint64_t start_tsc;
	uint8_t *part[IKE_FRAG_MAX];
	uint16_t part_len[IKE_FRAG_MAX];
};

/* ---------------------------------------------------------------- out */

/* Octets of IP, UDP and the non-ESP marker (RFC 3948 2.2) around a message along p. */
static size_t wrap_len(const struct ike_path *p)
{
	return (p->family == AF_INET ? 20u : 40u) + 8u + (p->lport == IKE_PORT_NATT ? 4u : 0u);
}

/* The most inner octets a fragment takes so that its datagram fits size; 0: none fit. */
static size_t chunk_max(const struct ike_sa *sa, size_t size)
{
	size_t fixed = wrap_len(&sa->path) + IKE_HDR_LEN + IKE_SKF_HDR_LEN;
	size_t empty = ike_sk_body_len(&sa->sk_out, 0);
	if (size < fixed + empty + 1)
		return 0;
	size_t room = size - fixed, c = room - empty + 1;
	while (c > 0 && ike_sk_body_len(&sa->sk_out, c) > room)
		c--; /* padding to the block (CBC) takes up to a block less */
	return c;
}

int ike_frag_seal(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *plain,
		  size_t plain_len, uint8_t first, uint8_t *out, size_t cap, size_t *len)
{
	size_t whole = IKE_HDR_LEN + IKE_SK_HDR_LEN + ike_sk_body_len(&sa->sk_out, plain_len);
	size_t size = sa->peer != NULL ? sa->peer->fragment_size : 0;
	if (!sa->frag || size == 0 || whole + wrap_len(&sa->path) <= size)
		return ike_seal(sa, h, plain, plain_len, first, out, cap, len);
	size_t c = chunk_max(sa, size);
	size_t total = c > 0 ? (plain_len + c - 1) / c : 0;
	if (total < 2 || total > IKE_FRAG_MAX)
		return ike_seal(sa, h, plain, plain_len, first, out, cap, len);
	struct ike_hdr fh = *h;
	size_t off = 0;
	fh.next = IKE_PL_SKF;
	ike_trace_plain(h, first, plain, plain_len);
	for (size_t k = 0; k < total; k++) {
		struct ike_wr w;
		size_t pl, n = RTE_MIN(c, plain_len - k * c), flen = 0;
		int rc = ike_wr_init(&w, out + off, cap - off, &fh);
		if (rc == 0)
			rc = ike_wr_skf(&w, first, (uint16_t)(k + 1), (uint16_t)total, &pl);
		if (rc == 0)
			rc = ike_sk_protect(&sa->sk_out, out + off, cap - off, pl, IKE_SKF_HDR_LEN,
					    plain + k * c, n, &flen);
		if (rc != 0)
			return rc;
		off += flen;
	}
	*len = off;
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ike_send_set(struct ike *ike, const struct ike_path *p, const uint8_t *set, size_t len)
{
	size_t off = 0;
	int rc = 0;
	while (off < len) {
		uint32_t n = len - off >= IKE_HDR_LEN ? be32(set + off + IKE_HDR_LEN_OFF) : 0;
		if (n < IKE_HDR_LEN || n > len - off)
			return -EINVAL;			 /* not a set ike_frag_seal wrote */
		bool frag = set[off + 16] == IKE_PL_SKF; /* the header's Next Payload (3.1) */
		int r = ike_send(ike, p, set + off, n);
		if (r == 0 && frag)
			ike->st.frags_tx++;
		if (rc == 0)
			rc = r;
		off += n;
	}
	return rc;
}

/* ---------------------------------------------------------------- in */

static void drop_rx(struct ike_sa *sa, unsigned int dir)
{
	struct ike_frag_rx *r = sa->frag_rx[dir];
	if (r == NULL)
		return;
	for (unsigned int i = 0; i < IKE_FRAG_MAX; i++)
		OPENSSL_clear_free(r->part[i], r->part_len[i]);
	sa->ike->frag_mem -= r->bytes;
	OPENSSL_clear_free(r, sizeof(*r));
	sa->frag_rx[dir] = NULL;
}

void ike_frag_forget(struct ike_sa *sa)
{
	drop_rx(sa, 0);
	drop_rx(sa, 1);
}

void ike_frag_tick(struct ike_sa *sa, uint64_t now)
{
	for (unsigned int dir = 0; dir < 2; dir++) {
		const struct ike_frag_rx *r = sa->frag_rx[dir];
		if (r != NULL && now - r->start_tsc >= IKE_FRAG_TTL_S * rte_get_timer_hz()) {
			ike_count(sa->ike, IKE_DROP_FRAG_TIMEOUT);
			drop_rx(sa, dir);
		}
	}
}

void ike_frag_free_plain(uint8_t *plain, size_t len)
{
	OPENSSL_clear_free(plain, len);
}

/* The kept fragments of slot dir in order, into a new buffer; the slot goes. */
static int join(struct ike_sa *sa, unsigned int dir, uint8_t **plain, size_t *plain_len,
		uint8_t *first)
{
	struct ike_frag_rx *r = sa->frag_rx[dir];
	uint8_t *all = OPENSSL_malloc(r->bytes > 0 ? r->bytes : 1);
	size_t off = 0;
	if (all == NULL) {
		ike_count(sa->ike, IKE_DROP_NOMEM);
		drop_rx(sa, dir);
		return 0;
	}
	for (unsigned int i = 0; i < r->total; i++) {
		memcpy(all + off, r->part[i], r->part_len[i]);
		off += r->part_len[i];
	}
	*plain = all;
	*plain_len = off;
	*first = r->first;
	sa->ike->st.frags_reassembled++;
	drop_rx(sa, dir);
	return 1;
}

/*
 * Whether fragment num of total for msg_id may be kept in slot dir (the slot made ready for
 * it), or the reason it is dropped (-1: keep). n: its plaintext octets.
 */
static int admit(struct ike_sa *sa, unsigned int dir, uint32_t msg_id, uint16_t num, uint16_t total,
		 size_t n)
{
	struct ike_frag_rx *r = sa->frag_rx[dir];
	if (r != NULL && (r->msg_id != msg_id || total > r->total)) {
		ike_count(sa->ike, IKE_DROP_FRAG_RESTART); /* 2.6.1: start over; not a drop of m */
		drop_rx(sa, dir);
		r = NULL;
	}
	if (r != NULL && total < r->total)
		return IKE_DROP_FRAG_STALE;
	if (r != NULL && r->part[num - 1] != NULL)
		return IKE_DROP_FRAG_DUP;
	if ((r != NULL ? r->bytes : 0) + n > IKE_FRAG_REASM_MAX) {
		drop_rx(sa, dir); /* it can never be whole */
		return IKE_DROP_FRAG_OVERSIZE;
	}
	if (sa->ike->frag_mem + n > IKE_FRAG_MEM_MAX)
		return IKE_DROP_FRAG_FULL;
	if (r == NULL) {
		r = OPENSSL_zalloc(sizeof(*r));
		if (r == NULL)
			return IKE_DROP_NOMEM;
		r->msg_id = msg_id;
		r->total = total;
		r->start_tsc = ike_now(sa->ike);
		sa->frag_rx[dir] = r;
	}
	return -1;
}

int ike_frag_input(struct ike_sa *sa, const struct ike_msg *m, bool resp, uint8_t **plain,
		   size_t *plain_len, uint8_t *first)
{
	static uint8_t buf[IKE_MSG_MAX]; /* one fragment's plaintext; wiped after use */
	const struct ike_payload *f = &m->pl[m->sk];
	uint16_t num = f->u.sk.number, total = f->u.sk.total; /* 1 <= num <= total (ike_msg.c) */
	unsigned int dir = resp ? 1 : 0;
	size_t n = 0;
	int why;
	if (total > IKE_FRAG_MAX) {
		ike_count(sa->ike, IKE_DROP_FRAG_TOTAL);
		return 0;
	}
	/* 2.6.1: the integrity check comes before the fragment is looked at any further */
	if (ike_sk_unprotect(&sa->sk_in, m->buf, m->len, f->off, IKE_SKF_HDR_LEN, buf, sizeof(buf),
			     &n) != 0) {
		ike_count(sa->ike, IKE_DROP_FRAG_DECRYPT);
		return 0;
	}
	why = admit(sa, dir, m->hdr.msg_id, num, total, n);
	if (why < 0) {
		struct ike_frag_rx *r = sa->frag_rx[dir];
		r->part[num - 1] = OPENSSL_memdup(buf, n > 0 ? n : 1);
		why = r->part[num - 1] == NULL ? IKE_DROP_NOMEM : -1;
	}
	if (why >= 0) {
		OPENSSL_cleanse(buf, n);
		ike_count(sa->ike, (enum ike_drop)why);
		return 0;
	}
	struct ike_frag_rx *r = sa->frag_rx[dir];
	r->part_len[num - 1] = (uint16_t)n;
	r->bytes += n;
	r->have++;
	if (num == 1)
		r->first = m->sk_next;
	sa->ike->frag_mem += n;
	sa->ike->st.frags_rx++;
	OPENSSL_cleanse(buf, n);
	return r->have == r->total ? join(sa, dir, plain, plain_len, first) : 0;
}
