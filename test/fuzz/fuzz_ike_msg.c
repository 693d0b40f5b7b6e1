/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_ike_msg.c - libFuzzer harness for the IKEv2 message codec
 * (ctrlplane/ike/ike_msg.h).
 *
 * Each input is:
 * 1. parsed as a datagram; when that works and the message ends in SK or SKF, the encrypted
 *    payload's octets are parsed as if they were the decrypted inner payloads, starting with
 *    the type its Next Payload names (the inner chain of a real message, minus the crypto);
 * 2. parsed as an inner chain on its own, the first octet naming the first payload;
 * 3. written back by the builder from what step 1 parsed, payload by payload, which must give
 *    a message that parses to the same payloads; and written once more into a buffer too
 *    small by an amount the input picks, where the builder must refuse with -ENOBUFS and leave
 *    every octet past its capacity alone.
 * What parses must keep the header's promises: 0 or -EBADMSG, a reason exactly when parsing
 * failed, the failure's offset inside the buffer, every payload body and selector inside the
 * buffer it came from, and the tables within their bounds. Any breach aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrlplane/ike/ike_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LEN_MAX 65535
#define CANARY	0xa5
#define SLACK	64

static struct ike_msg m, again;
static uint8_t out[LEN_MAX + SLACK];

static void check(int ok)
{
	if (!ok)
		abort();
}

static int inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

/* The parser's promises about m after parsing buf[0..len) (payloads from index from on). */
static void check_parsed(const struct ike_msg *pm, int rc, const uint8_t *buf, size_t len,
			 size_t from)
{
	check(rc == 0 || rc == -EBADMSG);
	check((rc == 0) == (pm->err == IKE_MSG_ERR_NONE));
	check(pm->err < IKE_MSG_ERR_MAX);
	check(pm->n <= IKE_MSG_PAYLOADS_MAX && pm->n_props <= IKE_MSG_PROPS_MAX);
	check(pm->n_xforms <= IKE_MSG_XFORMS_MAX && pm->n_ts <= IKE_MSG_TS_MAX);
	check(pm->n_cp <= IKE_MSG_CP_ATTRS_MAX);
	if (rc != 0) {
		check(pm->err_off <= len);
		return;
	}
	for (size_t i = from; i < pm->n; i++) {
		const struct ike_payload *p = &pm->pl[i];
		check(inside(p->body, p->len, buf, len) && p->off + 4u + p->len <= len);
		if (p->type == IKE_PL_TSI || p->type == IKE_PL_TSR)
			for (unsigned int t = 0; t < p->u.ts.n_ts; t++) {
				const struct ike_ts *ts = &pm->ts[p->u.ts.first_ts + t];
				size_t alen = ts->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
				check(inside(ts->start, alen, buf, len) &&
				      inside(ts->end, alen, buf, len));
			}
		if (p->type == IKE_PL_SK || p->type == IKE_PL_SKF)
			check(inside(p->u.sk.data, p->u.sk.len, buf, len));
	}
}

/* Write the outer payloads of m again into out[0..cap); the builder's return code. */
static int rebuild(size_t cap, size_t *len)
{
	struct ike_wr w;

	ike_wr_init(&w, out, cap, &m.hdr);
	for (size_t i = 0; i < m.n_outer; i++)
		ike_wr_payload(&w, m.pl[i].type, m.pl[i].critical, m.pl[i].body, m.pl[i].len);
	return ike_wr_finish(&w, len);
}

static void round_trip(const uint8_t *data, size_t size)
{
	size_t len = 0, len2 = 777, cap;

	check(rebuild(sizeof(out), &len) == 0 && len == size);
	check(ike_msg_parse(&again, out, len) == 0);
	check(again.n == m.n_outer);
	for (size_t i = 0; i < again.n; i++)
		check(again.pl[i].type == m.pl[i].type && again.pl[i].len == m.pl[i].len &&
		      memcmp(again.pl[i].body, m.pl[i].body, m.pl[i].len) == 0);
	cap = len - 1 - (size_t)data[size - 1] % len;
	memset(out, CANARY, sizeof(out));
	check(rebuild(cap, &len2) == -ENOBUFS && len2 == 777);
	for (size_t i = cap; i < cap + SLACK && i < sizeof(out); i++)
		check(out[i] == CANARY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc;

	if (size > LEN_MAX)
		return 0;
	rc = ike_msg_parse(&m, data, size);
	check_parsed(&m, rc, data, size, 0);
	if (rc == 0) {
		if (m.sk >= 0) {
			const struct ike_payload *sk = &m.pl[m.sk];
			size_t n = m.n;
			rc = ike_msg_parse_inner(&m, m.sk_next, sk->u.sk.data, sk->u.sk.len);
			check_parsed(&m, rc, sk->u.sk.data, sk->u.sk.len, n);
		}
		round_trip(data, size);
	}
	if (size > 0) {
		memset(&again, 0, sizeof(again));
		again.sk = -1;
		rc = ike_msg_parse_inner(&again, data[0], data + 1, size - 1);
		check_parsed(&again, rc, data + 1, size - 1, 0);
	}
	return 0;
}
