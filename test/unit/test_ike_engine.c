/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_engine.c - the "ike_engine" suite: two vpnhub IKEv2 engines, A and B, in
 * one process, talking to each other through an in-memory wire (RFC 7296).
 *
 * How an engine is built. Each is a real struct ctrl brought up by ctrl_init() from its own
 * YAML config (cfg_load_buffer): a WAN interface, a static VTI towards the other, and one IKE
 * peer (PSK, the other engine's address and identity) with one child keying the VTI. ctrl_init
 * runs the unmodified path of the hub: ipsec_load publishes the VTI, tables_routes_load the
 * connected routes, ike_init the IKE state. Only what lies under ctrl_init is made here, as
 * app/hub.c does: a data plane (dp_create with one worker, never launched, and its interface,
 * FIB, neighbor and SA tables) and the Ethernet interface, published from the config without a
 * DPDK port (nothing is transmitted on it). That keeps every exchange, every data plane install
 * (sa_install, VTI binds, removals) and every counter real, and needs no NIC, no network
 * namespace and no thread.
 *
 * The wire. struct ike has two hooks, both NULL in the hub: xmit, which ike_send calls with
 * the bare IKE message instead of building a datagram for ctrl_ip_output, and clock, which
 * ike_now() reads instead of rte_get_timer_cycles(). Here xmit queues the message (from, to,
 * path, bytes) and the test decides what becomes of it: delivered in order, dropped, delivered
 * twice or out of order. Delivery wraps it in IPv4 + UDP (+ the non-ESP marker on 4500) in an
 * mbuf of the receiver's pool and calls ike_input(), the function the punt path calls.
 *
 * Time. The clock is a counter the test advances in 100 ms steps; each step runs ike_tick()
 * on every engine (what the 100 ms rte_timer of ike.c runs; that timer and ipsec's lifetime
 * poll are stopped, so nothing here depends on the real time). Retransmissions (ike_task.c
 * polls their deadline from the tick), DPD, rekey retries and rekey overlaps all follow the
 * test's clock, so a 25 s DPD timeout takes a few milliseconds.
 *
 * After every delivered message the invariants are checked on both engines: every data plane
 * SA belongs to a child and every child's SAs are in the data plane (no leak, no stray); and
 * make-before-break: the outbound SA bound to an engine's VTI has an inbound SA with its SPI
 * in the other engine's data plane, so nothing an engine sends is lost, at any point of a
 * rekey or collision.
 *
 * Teardown order matters with two control planes in one process: ctrl_fini finalizes the timer
 * subsystem, so IKE and ipsec (whose timers were stopped) go first on every engine, then each
 * control plane, then the data planes.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "conf/config.h"
#include "ctrlplane/ctrl.h"
#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/ipsec.h"
#include "dataplane/dp.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"
#include "test/ike_pair.h"
#include "tests.h"

#define ENG_MAX	 2
#define WIRE_MAX 64
#define HIST_MAX 256
#define L2	 14

/* One IKE message on the wire. */
struct wire {
	int from, to;
	struct ike_path p;
	size_t len;
	uint8_t buf[IKE_MSG_MAX];
};

static struct ike_pair_eng eng[ENG_MAX];
static struct wire q[WIRE_MAX]; /* sent, not yet delivered (FIFO) */
static unsigned int qn;
static struct wire hist[HIST_MAX]; /* everything sent, in order */
static unsigned int hn;
static uint64_t clk; /* IKE's time in every engine */
static uint64_t hz;
static unsigned int checks_failed; /* invariant violations (each also a failed assertion) */
static bool mbb = true; /* check make-before-break (off where a delete breaks on purpose) */

#define A (&eng[0])
#define B (&eng[1])

/* ---- the engines ---- */

static const char *const addr[ENG_MAX] = {"192.0.2.1", "192.0.2.2"};

/* What differs between the engines' configs (yaml_peer); NULL: nothing, or the default. */
struct peer_yaml {
	const char *peer_keys;	/* more peer keys, each line indented 6 */
	const char *psk, *ike;	/* the pre-shared key, the IKE (Phase 1) proposal */
	const char *child_keys; /* more keys of child net, each line indented 10 */
	const char *esp;
};

/*
 * The config of engine i: WAN address, a VTI towards the other, one peer with one child net on
 * the VTI. A initiates.
 */
static void yaml_peer(int i, const struct peer_yaml *y, char *out, size_t size)
{
	int o = 1 - i;
	snprintf(out, size,
		 "system:\n"
		 "  name: ike%c\n"
		 "interfaces:\n"
		 "  - name: wan0\n"
		 "    port: net_null%d\n"
		 "    ipv4: %s/24\n"
		 "tunnels:\n"
		 "  - name: vti1\n"
		 "    type: vti\n"
		 "    local: %s\n"
		 "    remote: %s\n"
		 "    ipv4: 172.16.0.%d/30\n"
		 "ike:\n"
		 "  peers:\n"
		 "    - name: peer%c\n"
		 "      local: %s\n"
		 "      remote: %s\n"
		 "      local_id: fqdn:%c.example.net\n"
		 "      remote_id: fqdn:%c.example.net\n"
		 "      psk: \"%s\"\n"
		 "      ike: [%s]\n"
		 "      initiate: %s\n"
		 "      dpd_delay: 10\n"
		 "      jitter: 0\n"
		 "      retransmit_ms: 1000\n"
		 "      retransmit_tries: 3\n"
		 "%s"
		 "      children:\n"
		 "        - name: net\n"
		 "          tunnel: vti1\n"
		 "%s"
		 "          esp: [%s]\n",
		 'a' + i, i, addr[i], addr[i], addr[o], i + 1, 'a' + o, addr[i], addr[o], 'a' + i,
		 'a' + o, y->psk != NULL ? y->psk : "engine test pre-shared key, not secret",
		 y->ike, i == 0 ? "true" : "false", y->peer_keys != NULL ? y->peer_keys : "",
		 y->child_keys != NULL ? y->child_keys : "", y->esp);
}

/* The IKEv2 config of engine i; extra: more peer keys (indented 6). */
static void yaml_of(int i, const char *extra, char *out, size_t size)
{
	static char keys[1024];
	snprintf(keys, sizeof(keys), "      rekey_time: 0\n%s", extra != NULL ? extra : "");
	const struct peer_yaml y = {.peer_keys = keys,
				    .ike = "aes128gcm16-prfsha256-x25519",
				    .esp = "aes128gcm16-x25519"};
	yaml_peer(i, &y, out, size);
}

static uint64_t clock_now(const struct ike *ike)
{
	RTE_SET_USED(ike);
	return clk;
}

static int engine_of(const struct ike *ike)
{
	for (int i = 0; i < ENG_MAX; i++)
		if (eng[i].up && eng[i].c.ike == ike)
			return i;
	return -1;
}

/* An address no engine holds that the wire still carries to engine alias_to (-1: none). */
static uint8_t alias_ip[4];
static int alias_to = -1;

/* The engine holding address a (4 octets) on one of its interfaces, or -1. */
static int engine_at(const uint8_t *a)
{
	if (alias_to >= 0 && memcmp(a, alias_ip, 4) == 0)
		return alias_to;
	for (int i = 0; i < ENG_MAX; i++)
		for (unsigned int k = 0; eng[i].up && k < eng[i].cfg->n_ifaces; k++)
			for (unsigned int j = 0; j < eng[i].cfg->ifaces[k].n_v4; j++)
				if (memcmp(eng[i].cfg->ifaces[k].v4[j].bytes, a, 4) == 0)
					return i;
	return -1;
}

/* ike_send's replacement: the message goes on the wire (and into the history). */
static int capture(struct ike *ike, const struct ike_path *p, const uint8_t *msg, size_t len)
{
	int from = engine_of(ike), to = engine_at(p->remote);
	if (from < 0 || to < 0 || len > IKE_MSG_MAX || qn == WIRE_MAX || hn == HIST_MAX) {
		CU_FAIL("message to nowhere, too large, or the wire is full");
		return -ENOBUFS;
	}
	struct wire *w = &q[qn++];
	w->from = from;
	w->to = to;
	w->p = *p;
	w->len = len;
	memcpy(w->buf, msg, len);
	hist[hn++] = *w;
	return 0;
}

static int engine_up(int i, const char *yaml)
{
	return ike_pair_up(&eng[i], i, yaml, capture, clock_now);
}

static void engines_down(void)
{
	ike_pair_down(eng, ENG_MAX);
	qn = hn = 0;
}

/* Both engines from their configs; 0 or -1 (then already torn down). */
static int engines_up_yaml(const char *yaml_a, const char *yaml_b)
{
	engines_down(); /* what a test that stopped on a fatal assertion left */
	hz = rte_get_timer_hz();
	clk = rte_get_timer_cycles();
	qn = hn = 0;
	checks_failed = 0;
	mbb = true;
	alias_to = -1;
	if (engine_up(0, yaml_a) != 0 || engine_up(1, yaml_b) != 0) {
		engines_down();
		return -1;
	}
	return 0;
}

/* Both engines with the configs of yaml_of, A configured to initiate. */
static int engines_up(const char *extra_a, const char *extra_b)
{
	static char ya[4096], yb[4096];
	yaml_of(0, extra_a, ya, sizeof(ya));
	yaml_of(1, extra_b, yb, sizeof(yb));
	return engines_up_yaml(ya, yb);
}

/* ---- what an engine holds ---- */

/* The current IKE SA of e: established, children not moved away; NULL if none. */
static struct ike_sa *cur(struct ike_pair_eng *e)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(e->c.ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->state == IKE_S_ESTABLISHED && !sa->superseded)
			return sa;
	}
	return NULL;
}

static unsigned int live_sas(struct ike_pair_eng *e)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	unsigned int n = 0;
	while (rte_hash_iterate(e->c.ike->by_spi, &key, &data, &next) >= 0)
		n += ((struct ike_sa *)data)->state == IKE_S_ESTABLISHED &&
		     !((struct ike_sa *)data)->superseded;
	return n;
}

static unsigned int dp_count(const struct ike_pair_eng *e)
{
	unsigned int n = 0;
	for (uint32_t id = 1; id < e->dp->sas->cap; id++)
		n += sa_get(e->dp->sas, id) != NULL;
	return n;
}

/* e's inbound data plane SA with SPI spi (host order), or NULL. */
static const struct sa *dp_in(const struct ike_pair_eng *e, uint32_t spi)
{
	for (uint32_t id = 1; id < e->dp->sas->cap; id++) {
		const struct sa *s = sa_get(e->dp->sas, id);
		if (s != NULL && s->dir == SA_IN && s->spi_be == rte_cpu_to_be_32(spi))
			return s;
	}
	return NULL;
}

static const struct iface *vti(const struct ike_pair_eng *e)
{
	return iface_by_name(e->dp->ifaces, "vti1");
}

/* The children of e that are ACTIVE (bound or bindable), over all its IKE SAs. */
static unsigned int active_children(struct ike_pair_eng *e, struct ike_child **last)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	unsigned int n = 0;
	while (rte_hash_iterate(e->c.ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		for (unsigned int i = 0; i < sa->n_child; i++) {
			if (sa->child[i].state != IKE_CH_ACTIVE)
				continue;
			n++;
			if (last != NULL)
				*last = &sa->child[i];
		}
	}
	return n;
}

static void check(bool ok, const char *what, const struct ike_pair_eng *e)
{
	if (ok)
		return;
	if (checks_failed++ < 10)
		fprintf(stderr, "\n  invariant broken on %s: %s\n", e->name, what);
	CU_FAIL(what);
}

/* Every data plane SA belongs to a child; every child's SAs are there; VTI keyed by a child. */
static void invariants_of(struct ike_pair_eng *e, struct ike_pair_eng *peer)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	unsigned int want = 0;
	const struct iface *t = vti(e);
	bool bound_ok = t == NULL || t->sa_out == 0;
	while (rte_hash_iterate(e->c.ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *sa = data;
		for (unsigned int i = 0; i < sa->n_child; i++) {
			const struct ike_child *ch = &sa->child[i];
			const struct sa *in = sa_get(e->dp->sas, ch->sa_in);
			const struct sa *out = sa_get(e->dp->sas, ch->sa_out);
			want += (ch->sa_in != 0) + (ch->sa_out != 0);
			check(ch->sa_in == 0 || (in != NULL && in->dir == SA_IN &&
						 in->spi_be == rte_cpu_to_be_32(ch->spi_in)),
			      "a child's inbound SA is not in the data plane", e);
			check(ch->sa_out == 0 || (out != NULL && out->dir == SA_OUT &&
						  out->spi_be == rte_cpu_to_be_32(ch->spi_out)),
			      "a child's outbound SA is not in the data plane", e);
			check(ch->state == IKE_CH_OLD || ch->sa_in != 0,
			      "a live child without an inbound SA", e);
			if (t != NULL && t->sa_out != 0 && t->sa_out == ch->sa_out)
				bound_ok = ch->state == IKE_CH_ACTIVE;
		}
	}
	check(dp_count(e) == want, "data plane SAs that belong to no child (or missing)", e);
	check(bound_ok, "the VTI is bound to an SA no ACTIVE child owns", e);
	/*
	 * make-before-break (2.8): what e sends, peer can open; from the moment both ends have
	 * the IKE SA (the responder of IKE_AUTH binds its child before the initiator has seen
	 * the answer: that is the initial exchange, not a rekey)
	 */
	const struct sa *out = t != NULL ? sa_get(e->dp->sas, t->sa_out) : NULL;
	if (mbb && out != NULL && peer != NULL && peer->up && cur(e) != NULL && cur(peer) != NULL)
		check(dp_in(peer, rte_be_to_cpu_32(out->spi_be)) != NULL,
		      "the VTI sends on an SPI the peer has no inbound SA for", e);
}

static void invariants(void)
{
	invariants_of(A, B);
	invariants_of(B, A);
}

/* ---- the wire and the clock ---- */

/* Hand message w to its receiver as the data plane punts it: Ethernet, IPv4, UDP (+ marker). */
static void deliver(const struct wire *w)
{
	struct ike_pair_eng *e = &eng[w->to];
	struct rte_mbuf *mb = ike_pair_datagram(e->dp->pool, &w->p, w->buf, w->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	ike_input(&e->c, mb, AF_INET);
	invariants();
}

/* Take message i off the wire (into out). */
static void take(unsigned int i, struct wire *out)
{
	*out = q[i];
	memmove(&q[i], &q[i + 1], (qn - i - 1) * sizeof(q[0]));
	qn--;
}

static struct wire cur_msg; /* the one being delivered (q may change meanwhile) */

/* Deliver everything, in order, until the wire is quiet; drop: messages not delivered. */
static void pump_filtered(bool (*drop)(const struct wire *w))
{
	for (unsigned int n = 0; qn > 0 && n < 1000; n++) {
		take(0, &cur_msg);
		if (drop == NULL || !drop(&cur_msg))
			deliver(&cur_msg);
	}
	CU_ASSERT_EQUAL(qn, 0);
}

static void pump(void)
{
	pump_filtered(NULL);
}

/* Advance IKE's clock by ms (100 ms ticks), delivering what is sent after each tick. */
static void run_filtered(unsigned int ms, bool (*drop)(const struct wire *w))
{
	for (unsigned int t = 0; t < ms; t += 100) {
		clk += hz / 10;
		for (int i = 0; i < ENG_MAX; i++)
			if (eng[i].up)
				ike_tick(eng[i].c.ike);
		pump_filtered(drop);
	}
}

static void run(unsigned int ms)
{
	run_filtered(ms, NULL);
}

/* Ticks only: what is sent stays on the wire. */
static void tick_only(unsigned int ms)
{
	for (unsigned int t = 0; t < ms; t += 100) {
		clk += hz / 10;
		for (int i = 0; i < ENG_MAX; i++)
			if (eng[i].up)
				ike_tick(eng[i].c.ike);
	}
}

/* Header fields of a wire message (3.1). */
static uint8_t w_exch(const struct wire *w)
{
	return w->buf[18];
}

static bool w_resp(const struct wire *w)
{
	return (w->buf[19] & IKE_FLAG_R) != 0;
}

/*
 * The inner payloads of encrypted message w, opened with its receiver's keys (an independent
 * read of what went over the wire); false if it cannot be opened. plain must outlive m.
 */
static bool w_open(const struct wire *w, struct ike_msg *m, uint8_t *plain, size_t cap)
{
	size_t plain_len = 0;
	if (ike_msg_parse(m, w->buf, w->len) != 0 || m->sk < 0)
		return false;
	bool from_init = (m->hdr.flags & IKE_FLAG_I) != 0;
	struct ike_sa *sa =
		ike_sa_by_spi(eng[w->to].c.ike, from_init ? m->hdr.spi_r : m->hdr.spi_i);
	if (sa == NULL)
		return false;
	const struct ike_payload *sk = &m->pl[m->sk];
	return ike_sk_unprotect(&sa->sk_in, m->buf, m->len, sk->off, IKE_SK_HDR_LEN, plain, cap,
				&plain_len) == 0 &&
	       ike_msg_parse_inner(m, m->sk_next, plain, plain_len) == 0;
}

/* The Nonce payload of encrypted message w, into n (up to IKE_NONCE_MAX); its length or 0. */
static size_t w_nonce(const struct wire *w, uint8_t *n)
{
	static struct ike_msg m;
	uint8_t plain[IKE_MSG_MAX];
	if (!w_open(w, &m, plain, sizeof(plain)))
		return 0;
	const struct ike_payload *p = ike_msg_find(&m, IKE_PL_NONCE, NULL);
	if (p == NULL || p->len > IKE_NONCE_MAX)
		return 0;
	memcpy(n, p->body, p->len);
	return p->len;
}

/* The first notify type of encrypted message w, 0 if none. */
static uint16_t w_notify(const struct wire *w)
{
	static struct ike_msg m;
	uint8_t plain[IKE_MSG_MAX];
	if (!w_open(w, &m, plain, sizeof(plain)))
		return 0;
	const struct ike_payload *p = ike_msg_find(&m, IKE_PL_NOTIFY, NULL);
	return p != NULL ? p->u.notify.type : 0;
}

/* ---- establishment ---- */

/* Both engines established with one child, SPIs and keys equal across them. */
static void check_established(void)
{
	struct ike_sa *a = cur(A), *b = cur(B);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(live_sas(A), 1);
	CU_ASSERT_EQUAL(live_sas(B), 1);
	CU_ASSERT_EQUAL(memcmp(a->spi_i, b->spi_i, 8), 0);
	CU_ASSERT_EQUAL(memcmp(a->spi_r, b->spi_r, 8), 0);
	CU_ASSERT_NOT_EQUAL(a->initiator, b->initiator);
	/* 2.14: both derived the same SK_d, SK_a, SK_e and SK_p */
	CU_ASSERT_EQUAL(a->keys.d_len, b->keys.d_len);
	CU_ASSERT_EQUAL(a->keys.e_len, b->keys.e_len);
	CU_ASSERT_EQUAL(memcmp(a->keys.sk_d, b->keys.sk_d, a->keys.d_len), 0);
	CU_ASSERT_EQUAL(memcmp(a->keys.sk_ei, b->keys.sk_ei, a->keys.e_len), 0);
	CU_ASSERT_EQUAL(memcmp(a->keys.sk_er, b->keys.sk_er, a->keys.e_len), 0);
	CU_ASSERT_EQUAL(memcmp(a->keys.sk_pi, b->keys.sk_pi, a->keys.d_len), 0);
	CU_ASSERT_EQUAL(memcmp(a->keys.sk_pr, b->keys.sk_pr, a->keys.d_len), 0);
	struct ike_child *ca = NULL, *cb = NULL;
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	CU_ASSERT_EQUAL(ca->spi_in, cb->spi_out);
	CU_ASSERT_EQUAL(ca->spi_out, cb->spi_in);
	/* the VTIs send on the child; 2.17: what A seals B opens with the same key and salt */
	const struct iface *ta = vti(A), *tb = vti(B);
	CU_ASSERT_FATAL(ta != NULL && tb != NULL);
	CU_ASSERT_EQUAL(ta->sa_out, ca->sa_out);
	CU_ASSERT_EQUAL(tb->sa_out, cb->sa_out);
	const struct sa *ao = sa_get(A->dp->sas, ca->sa_out), *bi = sa_get(B->dp->sas, cb->sa_in);
	const struct sa *bo = sa_get(B->dp->sas, cb->sa_out), *ai = sa_get(A->dp->sas, ca->sa_in);
	CU_ASSERT_FATAL(ao != NULL && bi != NULL && bo != NULL && ai != NULL);
	CU_ASSERT_EQUAL(memcmp(ao->xf.salt, bi->xf.salt, sizeof(ao->xf.salt)), 0);
	CU_ASSERT_EQUAL(memcmp(bo->xf.salt, ai->xf.salt, sizeof(bo->xf.salt)), 0);
	CU_ASSERT_EQUAL(memcmp(ao->xf.keys + ao->xf.off_enc, bi->xf.keys + bi->xf.off_enc, 16), 0);
	CU_ASSERT_EQUAL(memcmp(bo->xf.keys + bo->xf.off_enc, ai->xf.keys + ai->xf.off_enc, 16), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(ao->xf.salt, bo->xf.salt, sizeof(ao->xf.salt)), 0);
	CU_ASSERT_EQUAL(dp_count(A), 2);
	CU_ASSERT_EQUAL(dp_count(B), 2);
}

/* Up and established (in order, nothing lost); 0 or -1. */
static int establish(void)
{
	if (engines_up(NULL, NULL) != 0)
		return -1;
	run(200);
	struct ike_sa *a = cur(A), *b = cur(B);
	return a != NULL && b != NULL && a->n_child == 1 && b->n_child == 1 ? 0 : -1;
}

static void test_establish(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
	tick_only(100); /* A's first tick starts it (initiate: true) */
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	CU_ASSERT_EQUAL(w_exch(&q[0]), IKE_EXCH_SA_INIT);
	CU_ASSERT_FALSE(w_resp(&q[0]));
	CU_ASSERT_EQUAL(q[0].from, 0);
	/* IKE_SA_INIT request: B holds a half-open SA */
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(cur(B), NULL);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	CU_ASSERT_TRUE(w_resp(&q[0]) && w_exch(&q[0]) == IKE_EXCH_SA_INIT);
	/* response: A has B's SPI and sends IKE_AUTH */
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	CU_ASSERT_TRUE(!w_resp(&q[0]) && w_exch(&q[0]) == IKE_EXCH_AUTH);
	CU_ASSERT_EQUAL(cur(A), NULL);
	/* IKE_AUTH request: B established, its child installed and bound */
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_PTR_NOT_NULL(cur(B));
	CU_ASSERT_EQUAL(active_children(B, NULL), 1);
	CU_ASSERT_EQUAL(dp_count(B), 2);
	CU_ASSERT_EQUAL(dp_count(A), 0);
	/* IKE_AUTH response: A established */
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(qn, 0);
	check_established();
	CU_ASSERT_EQUAL(A->c.ike->st.established, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.established, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 0);
	engines_down();
}

/* ---- lost and duplicated messages ---- */

static int drop_nth; /* the message of the establishment to lose once (0..3), -1 none */
static unsigned int seen;

static bool drop_once(const struct wire *w)
{
	RTE_SET_USED(w);
	return (int)(seen++) == drop_nth;
}

/*
 * 2.1: each of the four messages of the establishment lost once in turn. The initiator sends
 * its request again after retransmit_ms, bit for bit; a responder that saw the request answers
 * the retransmission from its cache, bit for bit, without processing it again.
 */
static void test_lost(void)
{
	for (drop_nth = 0; drop_nth < 4; drop_nth++) {
		CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
		seen = 0;
		run_filtered(900, drop_once);
		CU_ASSERT_EQUAL(cur(A), NULL); /* before the first wait ends: stuck */
		CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 0);
		run_filtered(300, drop_once); /* the wait (1 s) ends within this */
		CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 1);
		check_established();
		/* a lost request is sent again; after a lost response the request is sent again
		 * and the response with it: the same bytes each time */
		bool resp = drop_nth % 2 == 1;
		CU_ASSERT_EQUAL(hn, resp ? 6u : 5u);
		const struct wire *lost = &hist[drop_nth], *again = &hist[drop_nth + 1 + resp];
		CU_ASSERT_EQUAL(lost->from, again->from);
		CU_ASSERT_EQUAL(lost->len, again->len);
		CU_ASSERT_EQUAL(memcmp(lost->buf, again->buf, lost->len), 0);
		if (resp)
			CU_ASSERT(hist[drop_nth - 1].len == hist[drop_nth + 1].len &&
				  memcmp(hist[drop_nth - 1].buf, hist[drop_nth + 1].buf,
					 hist[drop_nth - 1].len) == 0);
		/* a lost response: the request came twice, the answer from the cache */
		CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_RETRANSMIT], drop_nth % 2 == 1 ? 1 : 0);
		CU_ASSERT_EQUAL(B->c.ike->st.established, 1);
		CU_ASSERT_EQUAL(B->c.ike->st.children_installed, 1);
		CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
		engines_down();
	}
}

/*
 * Every message delivered twice: the responder answers each duplicate request from its cache
 * (ike_retransmit) and creates nothing; the initiator drops every response beyond the first
 * (ike_unexpected_response): 2 requests x 2 deliveries = 2 cached answers; 2 x 4 copies of
 * answers, 3 of each dropped.
 */
static void test_duplicated(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
	tick_only(100);
	for (unsigned int n = 0; qn > 0 && n < 100; n++) {
		take(0, &cur_msg);
		struct wire copy = cur_msg;
		deliver(&cur_msg);
		unsigned int b_sas = B->c.ike->n_sa, a_sas = A->c.ike->n_sa;
		uint64_t b_est = B->c.ike->st.established, a_est = A->c.ike->st.established;
		deliver(&copy);
		CU_ASSERT_EQUAL(B->c.ike->n_sa, b_sas); /* the duplicate changed nothing */
		CU_ASSERT_EQUAL(A->c.ike->n_sa, a_sas);
		CU_ASSERT_EQUAL(B->c.ike->st.established, b_est);
		CU_ASSERT_EQUAL(A->c.ike->st.established, a_est);
	}
	check_established();
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_RETRANSMIT], 2);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_RESPONSE], 6);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_RETRANSMIT], 0);
	CU_ASSERT_EQUAL(B->c.ike->st.children_installed, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.children_installed, 1);
	/* the cached answers were the very bytes of the first ones */
	unsigned int resp = 0;
	for (unsigned int i = 0; i + 1 < hn; i++) {
		if (hist[i].from != 1 || hist[i + 1].from != 1)
			continue;
		CU_ASSERT_EQUAL(hist[i].len, hist[i + 1].len);
		CU_ASSERT_EQUAL(memcmp(hist[i].buf, hist[i + 1].buf, hist[i].len), 0);
		resp++;
		i++;
	}
	CU_ASSERT_EQUAL(resp, 2);
	engines_down();
}

static bool drop_to_b(const struct wire *w)
{
	return w->to == 1;
}

/*
 * 2.4: the responder never answers. retransmit_tries 3 and retransmit_ms 1000: the request
 * goes at 0, then again at 1, 3 and 7 s (waits of 1, 2, 4 s), the same bytes each time, and
 * 8 s after the last one the peer is dead: the SA goes, and it is started again 10 s later.
 */
static void test_give_up(void)
{
	unsigned int at[8], n = 0;
	CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
	for (unsigned int t = 100; t <= 16000; t += 100) {
		unsigned int before = hn;
		run_filtered(100, drop_to_b);
		if (hn > before && n < RTE_DIM(at))
			at[n++] = t;
	}
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_EQUAL(at[1] - at[0], 1000);
	CU_ASSERT_EQUAL(at[2] - at[1], 2000);
	CU_ASSERT_EQUAL(at[3] - at[2], 4000);
	for (unsigned int i = 1; i < 4; i++)
		CU_ASSERT(hist[i].len == hist[0].len &&
			  memcmp(hist[i].buf, hist[0].buf, hist[0].len) == 0);
	CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 3);
	CU_ASSERT_EQUAL(A->c.ike->st.peers_dead, 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(dp_count(A), 0);
	/* dead at 7 + 8 = 15 s; started again IKE_RESTART_S (10 s) later */
	run_filtered(9000, drop_to_b);
	CU_ASSERT_EQUAL(hn, 4);
	run_filtered(1000, drop_to_b);
	CU_ASSERT_EQUAL(hn, 5);
	CU_ASSERT_EQUAL(A->c.ike->st.initiated, 2);
	engines_down();
}

/* ---- rekey collisions (2.8.1, 2.8.2, 2.25) ---- */

/* Nonces compare as unsigned big-endian strings, the shorter lower on a common prefix. */
static int ncmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c != 0 ? c : (al > bl) - (al < bl);
}

struct nonce {
	uint8_t b[IKE_NONCE_MAX];
	size_t len;
};

static const struct nonce *nmin(const struct nonce *x, const struct nonce *y)
{
	return ncmp(x->b, x->len, y->b, y->len) <= 0 ? x : y;
}

/*
 * Both requests on the wire (q[0] from A, q[1] from B): each engine gets the other's request
 * before its own answer. The four nonces are read off the wire; true when A's exchange holds
 * the lowest of them (2.8.1: A's result is the redundant one).
 */
static bool cross(void)
{
	struct nonce ni_a, ni_b, nr_b, nr_a;
	CU_ASSERT_EQUAL_FATAL(qn, 2);
	CU_ASSERT_FATAL(q[0].from == 0 && q[1].from == 1 && !w_resp(&q[0]) && !w_resp(&q[1]));
	ni_a.len = w_nonce(&q[0], ni_a.b);
	ni_b.len = w_nonce(&q[1], ni_b.b);
	take(0, &cur_msg);
	deliver(&cur_msg); /* A's request: B answers (q: B's request, B's answer) */
	take(0, &cur_msg);
	deliver(&cur_msg); /* B's request: A answers */
	CU_ASSERT_FATAL(qn == 2 && w_resp(&q[0]) && w_resp(&q[1]) && q[0].from == 1);
	nr_b.len = w_nonce(&q[0], nr_b.b);
	nr_a.len = w_nonce(&q[1], nr_a.b);
	CU_ASSERT_FATAL(ni_a.len >= 16 && ni_b.len >= 16 && nr_a.len >= 16 && nr_b.len >= 16);
	const struct nonce *la = nmin(&ni_a, &nr_b), *lb = nmin(&ni_b, &nr_a);
	pump();
	return ncmp(la->b, la->len, lb->b, lb->len) < 0;
}

/*
 * Both ends rekey the child at once (each one's soft lifetime fired). Both exchanges complete;
 * the one holding the lowest nonce made the redundant child, which its initiator deletes; the
 * other one's child carries the traffic on both ends, and no packet is lost on the way
 * (checked after every message). Returns true when A's exchange lost.
 */
static bool child_collision(void)
{
	struct ike_child *ca = NULL, *cb = NULL;
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	uint64_t ra = A->c.ike->st.child_rekeys, rb = B->c.ike->st.child_rekeys;
	ike_on_expiry(&A->c, ca->sa_in, false);
	ike_on_expiry(&B->c, cb->sa_in, false);
	uint32_t offer_a = cur(A)->offer_spi, offer_b = cur(B)->offer_spi;
	bool a_lost = cross();
	run(IKE_REKEY_OVERLAP_S * 1000 + 200); /* the old inbound SAs' overlap ends */
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(cur(A)->n_child, 1);
	CU_ASSERT_EQUAL(cur(B)->n_child, 1);
	/* the winner's child survived: its SPI is the one the winner offered */
	if (a_lost) {
		CU_ASSERT_EQUAL(cb->spi_in, offer_b);
		CU_ASSERT_EQUAL(ca->spi_out, offer_b);
	} else {
		CU_ASSERT_EQUAL(ca->spi_in, offer_a);
		CU_ASSERT_EQUAL(cb->spi_out, offer_a);
	}
	/* each end made two children (its own and the peer's) */
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys - ra, 2);
	CU_ASSERT_EQUAL(B->c.ike->st.child_rekeys - rb, 2);
	check_established();
	return a_lost;
}

static void test_child_collision(void)
{
	bool seen_a = false, seen_b = false;
	CU_ASSERT_EQUAL_FATAL(establish(), 0);
	/* the nonces are random: go on until each end has lost once (P(40 alike) = 2^-39) */
	for (int round = 0; round < 40 && !(seen_a && seen_b) && checks_failed == 0; round++) {
		if (child_collision())
			seen_a = true;
		else
			seen_b = true;
	}
	CU_ASSERT_TRUE(seen_a);
	CU_ASSERT_TRUE(seen_b);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_DECRYPT] + B->c.ike->st.drop[IKE_DROP_DECRYPT],
			0);
	engines_down();
}

/*
 * Both ends rekey the IKE SA at once (2.8.2): the same rule. Each end ends with one IKE SA,
 * the winner's, with the child on it; the old SA and the redundant new one are deleted on both
 * ends. A liveness check and a child rekey on the survivor prove its keys agree.
 */
static bool ike_collision(void)
{
	struct ike_sa *a = cur(A), *b = cur(B);
	uint64_t ra = A->c.ike->st.ike_rekeys, rb = B->c.ike->st.ike_rekeys;
	ike_task_queue(a, IKE_T_IKE_REKEY, 0);
	ike_task_queue(b, IKE_T_IKE_REKEY, 0);
	struct nonce ni_a, ni_b;
	ni_a.len = w_nonce(&q[0], ni_a.b);
	ni_b.len = w_nonce(&q[1], ni_b.b);
	bool a_lost = cross();
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	a = cur(A);
	b = cur(B);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	const struct nonce *won = a_lost ? &ni_b : &ni_a;
	CU_ASSERT(a->ni_len == won->len && memcmp(a->ni, won->b, won->len) == 0);
	CU_ASSERT_EQUAL(a->initiator, !a_lost); /* the rekey's initiator is the new SA's (2.18) */
	CU_ASSERT_EQUAL(A->c.ike->st.ike_rekeys - ra, 2);
	CU_ASSERT_EQUAL(B->c.ike->st.ike_rekeys - rb, 2);
	check_established();
	ike_task_queue(a, IKE_T_DPD, 0);
	pump();
	CU_ASSERT_PTR_NULL(a->req); /* answered */
	child_collision();
	return a_lost;
}

static void test_ike_collision(void)
{
	bool seen_a = false, seen_b = false;
	CU_ASSERT_EQUAL_FATAL(establish(), 0);
	for (int round = 0; round < 40 && !(seen_a && seen_b) && checks_failed == 0; round++) {
		if (ike_collision())
			seen_a = true;
		else
			seen_b = true;
	}
	CU_ASSERT_TRUE(seen_a);
	CU_ASSERT_TRUE(seen_b);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_DECRYPT] + B->c.ike->st.drop[IKE_DROP_DECRYPT],
			0);
	engines_down();
}

/* The last message on the wire history from engine from of exchange exch that is a response. */
static const struct wire *last_resp(int from, uint8_t exch)
{
	for (unsigned int i = hn; i-- > 0;)
		if (hist[i].from == from && w_exch(&hist[i]) == exch && w_resp(&hist[i]))
			return &hist[i];
	return NULL;
}

/*
 * 2.25.1: A rekeys the child while B deletes it (B's hard lifetime). B no longer knows the
 * child: CHILD_SA_NOT_FOUND; A answers B's Delete as usual. The child is gone on both ends,
 * nothing is left in the data planes, and the IKE SA lives on.
 */
static void test_rekey_vs_delete(void)
{
	struct ike_child *ca = NULL, *cb = NULL;
	CU_ASSERT_EQUAL_FATAL(establish(), 0);
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	ike_on_expiry(&A->c, ca->sa_in, false);
	mbb = false; /* a hard lifetime ends the child at once: A's packets until the Delete go */
	ike_on_expiry(&B->c, cb->sa_in, true);
	CU_ASSERT_EQUAL_FATAL(qn, 2);
	pump();
	const struct wire *r = last_resp(1, IKE_EXCH_CREATE_CHILD_SA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(w_notify(r), IKE_N_CHILD_SA_NOT_FOUND);
	CU_ASSERT_EQUAL(active_children(A, NULL), 0);
	CU_ASSERT_EQUAL(active_children(B, NULL), 0);
	CU_ASSERT_EQUAL(dp_count(A), 0);
	CU_ASSERT_EQUAL(dp_count(B), 0);
	CU_ASSERT_EQUAL(vti(A)->sa_out, 0);
	CU_ASSERT_EQUAL(vti(B)->sa_out, 0);
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys, 0);
	ike_task_queue(cur(A), IKE_T_DPD, 0);
	pump();
	CU_ASSERT_PTR_NULL(cur(A)->req);
	CU_ASSERT_EQUAL(live_sas(A), 1);
	CU_ASSERT_EQUAL(live_sas(B), 1);
	engines_down();
}

/*
 * 2.25.1 with reordering: B answers A's rekey, and A gets that answer before B's own rekey
 * request. A has switched to its new child and is deleting the old one when B's request for
 * it arrives: TEMPORARY_FAILURE. B takes A's child when A's Delete comes and does not retry.
 */
static void test_rekey_temporary_failure(void)
{
	struct ike_child *ca = NULL, *cb = NULL;
	CU_ASSERT_EQUAL_FATAL(establish(), 0);
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	ike_on_expiry(&A->c, ca->sa_in, false);
	ike_on_expiry(&B->c, cb->sa_in, false);
	uint32_t offer_a = cur(A)->offer_spi;
	CU_ASSERT_EQUAL_FATAL(qn, 2);
	take(0, &cur_msg);
	deliver(&cur_msg); /* A's request to B: answered (q: B's request, the answer) */
	CU_ASSERT_FATAL(qn == 2 && w_resp(&q[1]));
	take(1, &cur_msg);
	deliver(&cur_msg); /* the answer overtakes B's request: A flips and deletes the old */
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys, 1);
	take(0, &cur_msg);
	deliver(&cur_msg); /* B's request for the child A is deleting */
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_COLLISION], 1);
	const struct wire *r = last_resp(0, IKE_EXCH_CREATE_CHILD_SA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(w_notify(r), IKE_N_TEMPORARY_FAILURE);
	pump();
	run(10000); /* no retry: the child was rekeyed by A */
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.child_rekeys, 1);
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	CU_ASSERT_EQUAL(ca->spi_in, offer_a);
	check_established();
	engines_down();
}

/*
 * 2.25.2: B rekeys the IKE SA; A's child rekey reaches B meanwhile and is answered
 * TEMPORARY_FAILURE. The IKE SA rekey completes, the child moves to the new IKE SA, and A asks
 * again a few seconds later (not at once), on the new IKE SA, successfully.
 */
static void test_child_during_ike_rekey(void)
{
	struct ike_child *ca = NULL;
	CU_ASSERT_EQUAL_FATAL(establish(), 0);
	ike_task_queue(cur(B), IKE_T_IKE_REKEY, 0);
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	ike_on_expiry(&A->c, ca->sa_in, false);
	CU_ASSERT_EQUAL_FATAL(qn, 2);
	take(1, &cur_msg);
	deliver(&cur_msg); /* A's child rekey reaches B, whose IKE SA rekey is outstanding */
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_COLLISION], 1);
	CU_ASSERT_FATAL(qn == 2 && w_resp(&q[1]));
	CU_ASSERT_EQUAL(w_notify(&q[1]), IKE_N_TEMPORARY_FAILURE);
	take(1, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys, 0);
	pump(); /* B's IKE SA rekey: A answers it, the child moves */
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.ike_rekeys, 1);
	check_established();
	run(1500); /* 2.25: not at once */
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys, 0);
	run(4000);
	CU_ASSERT_EQUAL(A->c.ike->st.child_rekeys, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.child_rekeys, 1);
	run(IKE_REKEY_OVERLAP_S * 1000 + 200);
	check_established();
	engines_down();
}

/* ---- liveness ---- */

static bool drop_from_b(const struct wire *w)
{
	return w->from == 1;
}

/*
 * 2.4: B goes silent. After dpd_delay (10 s) without a word A asks if B is alive, retransmits
 * 3 times (1, 2, 4 s) and 8 s after the last one removes the IKE SA, its child and the child's
 * data plane SAs, and unbinds the VTI.
 */
static void test_dpd_timeout(void)
{
	CU_ASSERT_EQUAL_FATAL(establish(), 0); /* last heard from B at 0.1 s; now 0.2 s */
	run_filtered(24800, drop_from_b);      /* DPD at 10.2 s; dead at 25.2 s */
	CU_ASSERT_EQUAL(A->c.ike->st.dpd_sent, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 3);
	CU_ASSERT_PTR_NOT_NULL(cur(A));
	CU_ASSERT_EQUAL(dp_count(A), 2);
	run_filtered(500, drop_from_b);
	CU_ASSERT_EQUAL(A->c.ike->st.peers_dead, 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(dp_count(A), 0);
	CU_ASSERT_EQUAL(vti(A)->sa_out, 0);
	engines_down();
}

/* ---- configuration payload pool ---- */

/*
 * Remote access (3.15): B serves any peer with ID fqdn:road.example.net and hands each an
 * address of pool ra, 10.99.0.0/30 (two addresses). A plays three road warriors: one peer per
 * address of its WAN interface, each initiating.
 */
static const char pool_hub[] = "system:\n"
			       "  name: ikeb\n"
			       "interfaces:\n"
			       "  - name: wan0\n"
			       "    port: net_null1\n"
			       "    ipv4: 192.0.2.2/24\n"
			       "ike:\n"
			       "  pools:\n"
			       "    - name: ra\n"
			       "      prefix: 10.99.0.0/30\n"
			       "  peers:\n"
			       "    - name: road\n"
			       "      local: 192.0.2.2\n"
			       "      remote: any\n"
			       "      local_id: fqdn:b.example.net\n"
			       "      remote_id: fqdn:road.example.net\n"
			       "      psk: \"engine test pre-shared key, not secret\"\n"
			       "      ike: [aes128gcm16-prfsha256-x25519]\n"
			       "      pool: ra\n"
			       "      dpd_delay: 0\n"
			       "      children:\n"
			       "        - name: lan\n"
			       "          local_ts: [0.0.0.0/0]\n"
			       "          remote_ts: dynamic\n"
			       "          esp: [aes128gcm16]\n";

#define ROADS 3

static void pool_roads(char *out, size_t size)
{
	size_t o = (size_t)snprintf(out, size,
				    "system:\n"
				    "  name: ikea\n"
				    "interfaces:\n"
				    "  - name: wan0\n"
				    "    port: net_null0\n"
				    "    ipv4: [192.0.2.11/24, 192.0.2.12/24, 192.0.2.13/24]\n"
				    "ike:\n"
				    "  peers:\n");
	for (int i = 0; i < ROADS && o < size; i++)
		o += (size_t)snprintf(out + o, size - o,
				      "    - name: road%d\n"
				      "      local: 192.0.2.%d\n"
				      "      remote: 192.0.2.2\n"
				      "      local_id: fqdn:road.example.net\n"
				      "      remote_id: fqdn:b.example.net\n"
				      "      psk: \"engine test pre-shared key, not secret\"\n"
				      "      ike: [aes128gcm16-prfsha256-x25519]\n"
				      "      initiate: true\n"
				      "      dpd_delay: 0\n"
				      "      children:\n"
				      "        - name: c%d\n"
				      "          esp: [aes128gcm16]\n",
				      i, 11 + i, i);
}

/*
 * The hub never asks for an address as an initiator, so the road warriors' IKE_AUTH requests
 * get one on the wire: a CP(CFG_REQUEST) with an empty INTERNAL_IP4_ADDRESS (3.15.1) appended
 * to the inner payloads, sealed again with the sender's keys. AUTH does not cover IKE_AUTH's
 * own payloads (2.15), so the request stays valid.
 */
static bool add_cp_request(const struct wire *in)
{
	static struct ike_msg m;
	static const uint8_t cp[] = {
		0, 0, 0, 12, IKE_CFG_REQUEST, 0, 0, 0, 0, IKE_CFG_INTERNAL_IP4_ADDRESS, 0, 0};
	uint8_t plain[IKE_MSG_MAX];
	size_t plain_len = 0, last = SIZE_MAX;
	struct wire *w = (struct wire *)(uintptr_t)in;
	if (w_resp(w) || w_exch(w) != IKE_EXCH_AUTH || ike_msg_parse(&m, w->buf, w->len) != 0)
		return false;
	struct ike_sa *to = ike_sa_by_spi(eng[w->to].c.ike, m.hdr.spi_r);
	struct ike_sa *from = ike_sa_by_spi(eng[w->from].c.ike, m.hdr.spi_i);
	CU_ASSERT_FATAL(to != NULL && from != NULL && m.sk >= 0);
	const struct ike_payload *sk = &m.pl[m.sk];
	CU_ASSERT_EQUAL_FATAL(ike_sk_unprotect(&to->sk_in, m.buf, m.len, sk->off, IKE_SK_HDR_LEN,
					       plain, sizeof(plain), &plain_len),
			      0);
	for (size_t off = 0; off + 4 <= plain_len;) {
		size_t len = (size_t)plain[off + 2] << 8 | plain[off + 3];
		if (len < 4)
			break;
		if (plain[off] == 0)
			last = off;
		off += len;
	}
	CU_ASSERT_FATAL(last != SIZE_MAX && plain_len + sizeof(cp) <= sizeof(plain));
	plain[last] = IKE_PL_CP;
	memcpy(plain + plain_len, cp, sizeof(cp));
	struct ike_hdr h = m.hdr;
	uint8_t first = m.sk_next;
	CU_ASSERT_EQUAL_FATAL(ike_seal(from, &h, plain, plain_len + sizeof(cp), first, w->buf,
				       sizeof(w->buf), &w->len),
			      0);
	return false; /* deliver it, changed */
}

/* The IKE SA of A whose local address is 192.0.2.<host>, or NULL. */
static struct ike_sa *road(unsigned int host)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(A->c.ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->path.local[3] == host)
			return sa;
	}
	return NULL;
}

/* B's IKE_AUTH answers since hist[from] carrying INTERNAL_ADDRESS_FAILURE (A's SA still up). */
static unsigned int address_failures(unsigned int from)
{
	unsigned int n = 0;
	for (unsigned int i = from; i < hn; i++)
		if (hist[i].from == 1 && w_resp(&hist[i]) && w_exch(&hist[i]) == IKE_EXCH_AUTH &&
		    w_notify(&hist[i]) == IKE_N_INTERNAL_ADDRESS_FAILURE)
			n++;
	return n;
}

/*
 * A pool of two serves two road warriors and refuses the third with INTERNAL_ADDRESS_FAILURE
 * (3.15.4: its IKE SA stands, without a child); when one leaves, its address is free again
 * and the third, starting over, gets it.
 */
static void test_pool_exhaustion(void)
{
	static char roads[4096];
	pool_roads(roads, sizeof(roads));
	CU_ASSERT_EQUAL_FATAL(engines_up_yaml(roads, pool_hub), 0);
	mbb = false; /* three IKE SAs: the pairwise VTI check does not apply (no VTIs here) */
	run_filtered(200, add_cp_request);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, ROADS);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, ROADS);
	CU_ASSERT_EQUAL(ike_pool_used(B->c.ike, 0), 2);
	CU_ASSERT_EQUAL(address_failures(0), 1);
	CU_ASSERT_EQUAL(active_children(A, NULL), 2);
	CU_ASSERT_EQUAL(active_children(B, NULL), 2);
	CU_ASSERT_EQUAL(dp_count(B), 4);
	/* the two addresses given are the pool's two, one each */
	const void *key;
	void *data;
	uint32_t next = 0, given = 0;
	while (rte_hash_iterate(B->c.ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *sa = data;
		if (sa->vip_pool < 0)
			continue;
		CU_ASSERT(sa->vip[0] == 10 && sa->vip[1] == 99 && sa->vip[2] == 0 &&
			  (sa->vip[3] == 1 || sa->vip[3] == 2));
		given |= 1u << sa->vip[3];
	}
	CU_ASSERT_EQUAL(given, (1u << 1) | (1u << 2));
	/* which road warrior was refused: the one without a child */
	int refused = -1, leaver = -1;
	for (int i = 0; i < ROADS; i++) {
		struct ike_sa *sa = road(11 + (unsigned int)i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
		if (sa->n_child == 0)
			refused = i;
		else
			leaver = i;
	}
	CU_ASSERT_FATAL(refused >= 0 && leaver >= 0);
	/* one leaves: its address goes back to the pool */
	ike_task_queue(road(11 + (unsigned int)leaver), IKE_T_DELETE_IKE, 0);
	pump_filtered(add_cp_request);
	CU_ASSERT_EQUAL(ike_pool_used(B->c.ike, 0), 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, ROADS - 1);
	/* the refused one starts over and gets in */
	ike_task_queue(road(11 + (unsigned int)refused), IKE_T_DELETE_IKE, 0);
	pump_filtered(add_cp_request);
	unsigned int mark = hn;
	A->c.ike->reinit_tsc[refused] = 1;
	run_filtered(200, add_cp_request);
	CU_ASSERT_EQUAL(ike_pool_used(B->c.ike, 0), 2);
	CU_ASSERT_EQUAL(hn - mark, 4); /* IKE_SA_INIT and IKE_AUTH, answered */
	CU_ASSERT_EQUAL(address_failures(mark), 0);
	CU_ASSERT_PTR_NOT_NULL(road(11 + (unsigned int)refused));
	if (road(11 + (unsigned int)refused) != NULL)
		CU_ASSERT_EQUAL(road(11 + (unsigned int)refused)->n_child, 1);
	CU_ASSERT_EQUAL(active_children(A, NULL), 2);
	CU_ASSERT_EQUAL(active_children(B, NULL), 2);
	engines_down();
}

/* ---- admission (ike_guard.c) and NAT traversal (ike_natt.c) ---- */

/* The engine configs of yaml_of, with B's ike section starting with ike_b (indented 2). */
static int engines_up_ike(const char *ike_b)
{
	static char ya[4096], yb[4096], yb2[4096];
	yaml_of(0, NULL, ya, sizeof(ya));
	yaml_of(1, NULL, yb, sizeof(yb));
	const char *at = strstr(yb, "ike:\n");
	if (at == NULL)
		return -1;
	size_t head = (size_t)(at - yb) + strlen("ike:\n");
	snprintf(yb2, sizeof(yb2), "%.*s%s%s", (int)head, yb, ike_b, yb + head);
	return engines_up_yaml(ya, yb2);
}

/* The first payload of an IKE_SA_INIT request on the wire, or 0. */
static uint16_t first_notify(const struct wire *w)
{
	static struct ike_msg m;
	if (ike_msg_parse(&m, w->buf, w->len) != 0 || m.n == 0 || m.pl[0].type != IKE_PL_NOTIFY)
		return 0;
	return m.pl[0].u.notify.type;
}

static unsigned int forged; /* cookies spoiled by spoil_cookie */

/* The first IKE_SA_INIT that carries a cookie gets it spoiled on the way. */
static bool spoil_cookie(const struct wire *w)
{
	if (forged == 0 && w->from == 0 && !w_resp(w) && w_exch(w) == IKE_EXCH_SA_INIT &&
	    first_notify(w) == IKE_N_COOKIE) {
		cur_msg.buf[28 + 8 + 4] ^= 0x5a; /* header, notify header, first cookie octets */
		forged++;
	}
	return false;
}

/*
 * 2.6: with cookie_threshold 0 every IKE_SA_INIT needs a cookie. A's first request gets only a
 * COOKIE and leaves no state on B; the second carries the cookie first, but spoiled on the way,
 * and gets a fresh COOKIE (ike_cookie_bad); the third gets in.
 */
static void test_cookies(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  limits: {cookie_threshold: 0}\n"), 0);
	forged = 0;
	tick_only(100);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	CU_ASSERT_EQUAL(first_notify(&q[0]), 0); /* no cookie yet */
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0); /* nothing kept */
	CU_ASSERT_EQUAL(B->c.ike->st.cookies_sent, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_COOKIE_SENT], 1);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	CU_ASSERT_TRUE(w_resp(&q[0]) && first_notify(&q[0]) == IKE_N_COOKIE);
	run_filtered(300, spoil_cookie);
	CU_ASSERT_EQUAL(forged, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_COOKIE_BAD], 1);
	CU_ASSERT_EQUAL(B->c.ike->st.cookies_sent, 2);
	CU_ASSERT_EQUAL(B->c.ike->st.cookies_ok, 1);
	check_established();
	unsigned int inits = 0, with_cookie = 0;
	for (unsigned int i = 0; i < hn; i++) {
		if (hist[i].from != 0 || w_resp(&hist[i]) || w_exch(&hist[i]) != IKE_EXCH_SA_INIT)
			continue;
		inits++;
		with_cookie += first_notify(&hist[i]) == IKE_N_COOKIE;
	}
	CU_ASSERT_EQUAL(inits, 3);
	CU_ASSERT_EQUAL(with_cookie, 2);
	engines_down();
}

/* The cap per source address: A's second IKE SA from the same address is refused. */
static void test_source_cap(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  limits: {per_source_max: 1}\n"), 0);
	run(300);
	check_established();
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_SOURCE_FULL], 0);
	ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0); /* a second IKE SA */
	run(100);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_SOURCE_FULL], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	engines_down();
}

/* IKE_AUTH from A never reaches B: B's SAs stay half-open. */
static bool drop_auth_to_b(const struct wire *w)
{
	return w->to == 1 && w_exch(w) == IKE_EXCH_AUTH;
}

/*
 * The half-open cap: B takes 2 half-open SAs at most (and asks no cookie below that). A starts
 * three IKE SAs (its configured one, then two more) whose IKE_AUTH never arrives: the third
 * IKE_SA_INIT finds the cap and gets no answer (ike_half_open_full).
 */
static void test_half_open_cap(void)
{
	CU_ASSERT_EQUAL_FATAL(
		engines_up_ike(
			"  limits: {half_open_max: 2, cookie_threshold: 2, per_source_max: 0}\n"),
		0);
	run_filtered(100, drop_auth_to_b); /* A's first tick starts the configured one */
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(rte_hash_count(B->c.ike->by_init), (int32_t)i + 1);
		ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0);
		run_filtered(100, drop_auth_to_b);
	}
	CU_ASSERT_EQUAL(rte_hash_count(B->c.ike->by_init), 2);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_HALF_OPEN_FULL], 1);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_COOKIE_SENT], 0);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 2);
	engines_down();
	/* the global cap: 1 IKE SA in all; A's second gets nothing (ike_table_full) */
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  limits: {sa_max: 1, per_source_max: 0}\n"), 0);
	run(300);
	check_established();
	ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0);
	run(100);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_FULL], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	engines_down();
}

/*
 * The per-source rate: 2 IKE_SA_INITs a second, 4 in a burst. A starts six IKE SAs at once
 * (its configured one and five more): four are answered, two dropped (ike_source_rate); a
 * second later the bucket is full again and the next one is answered.
 */
static void test_source_rate(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  limits: {per_source_rate: 2, per_source_max: 0, "
					     "half_open_max: 64, cookie_threshold: 64}\n"),
			      0);
	tick_only(100); /* the configured one, on the wire */
	for (int i = 0; i < 5; i++)
		ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0);
	pump_filtered(drop_auth_to_b);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_SOURCE_RATE], 2);
	CU_ASSERT_EQUAL(rte_hash_count(B->c.ike->by_init), 4);
	run_filtered(1000, drop_auth_to_b);
	unsigned int before = (unsigned int)rte_hash_count(B->c.ike->by_init);
	ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0);
	pump_filtered(drop_auth_to_b);
	CU_ASSERT_EQUAL(rte_hash_count(B->c.ike->by_init), before + 1);
	engines_down();
}

/*
 * A NAT in front of A maps its ports 500 and 4500 to nat500 and nat4500, and back for what B
 * sends. NAT detection (2.23) then has A behind a NAT and B not.
 */
static uint16_t nat500 = 1500, nat4500 = 14500;
static unsigned int keepalives;

static bool nat(const struct wire *w)
{
	if (w->len == 1 && w->from == 0) { /* a NAT-keepalive: the data plane counts those */
		keepalives++;
		return true;
	}
	if (w->from == 0)
		cur_msg.p.lport = cur_msg.p.lport == IKE_PORT ? nat500 : nat4500;
	else
		cur_msg.p.rport = cur_msg.p.rport == nat500 ? IKE_PORT : IKE_PORT_NATT;
	return false;
}

/*
 * RFC 3948 2.3 and RFC 7296 2.23: A, behind the NAT, sends a NAT-keepalive every 20 s on its
 * UDP-encapsulated SA, B none. When the NAT maps A to another port, B follows with the IKE SA
 * and its child's outbound ESP on the first new verified message (A's liveness check).
 */
static void test_nat(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
	keepalives = 0;
	nat4500 = 14500;
	run_filtered(300, nat);
	check_established();
	struct ike_sa *a = cur(A), *b = cur(B);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(a->natt && a->nat_local && !a->nat_remote);
	CU_ASSERT_TRUE(b->natt && b->nat_remote && !b->nat_local);
	CU_ASSERT_EQUAL(b->path.rport, 14500);
	run_filtered(41000, nat);
	CU_ASSERT_EQUAL(keepalives, 2); /* at 20 and 40 s */
	CU_ASSERT_EQUAL(A->c.ike->st.keepalives_sent, 2);
	CU_ASSERT_EQUAL(B->c.ike->st.keepalives_sent, 0);
	nat4500 = 14600; /* the NAT forgot A and maps it anew */
	ike_task_queue(a, IKE_T_DPD, 0);
	run_filtered(200, nat);
	CU_ASSERT_EQUAL(B->c.ike->st.peer_moves, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.peer_moves, 0); /* behind the NAT: it does not move */
	CU_ASSERT_EQUAL(cur(B)->path.rport, 14600);
	const struct sa *out = sa_get(B->dp->sas, cur(B)->child[0].sa_out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(out->udp_dport_be), 14600);
	CU_ASSERT_EQUAL(live_sas(A), 1);
	CU_ASSERT_EQUAL(live_sas(B), 1);
	engines_down();
}

/*
 * 2.8.3: A reauthenticates after reauth_time (30 s, no jitter): a new IKE SA from IKE_SA_INIT
 * on, its child installed (taking the VTI over on both ends, checked after every message), and
 * only then the old IKE SA deleted with its child. One IKE SA and one child pair each after.
 */
static void test_reauth(void)
{
	uint8_t old_a[8], old_b[8];
	CU_ASSERT_EQUAL_FATAL(engines_up("      reauth_time: 30\n", NULL), 0);
	run(300);
	check_established();
	memcpy(old_a, ike_sa_our_spi(cur(A)), 8);
	memcpy(old_b, ike_sa_our_spi(cur(B)), 8);
	unsigned int h0 = hn;
	run(29000);
	CU_ASSERT_EQUAL(A->c.ike->st.reauths_started, 0);
	run(2000);
	CU_ASSERT_EQUAL(A->c.ike->st.reauths_started, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.reauths, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.reauths, 0);
	CU_ASSERT_EQUAL(live_sas(A), 1);
	CU_ASSERT_EQUAL(live_sas(B), 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur(A));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur(B));
	CU_ASSERT_NOT_EQUAL(memcmp(ike_sa_our_spi(cur(A)), old_a, 8), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(ike_sa_our_spi(cur(B)), old_b, 8), 0);
	check_established();
	/* from scratch: IKE_SA_INIT and IKE_AUTH again, then the old SA's Delete */
	unsigned int init = 0, auth = 0, info = 0;
	for (unsigned int i = h0; i < hn; i++) {
		if (hist[i].from != 0 || w_resp(&hist[i]))
			continue;
		init += w_exch(&hist[i]) == IKE_EXCH_SA_INIT;
		auth += w_exch(&hist[i]) == IKE_EXCH_AUTH;
		info += w_exch(&hist[i]) == IKE_EXCH_INFORMATIONAL;
	}
	CU_ASSERT_EQUAL(init, 1);
	CU_ASSERT_EQUAL(auth, 1);
	static struct ike_msg m;
	uint8_t plain[IKE_MSG_MAX];
	for (unsigned int i = h0; i < hn; i++)
		if (hist[i].from == 0 && !w_resp(&hist[i]) && w_exch(&hist[i]) == IKE_EXCH_AUTH &&
		    w_open(&hist[i], &m, plain, sizeof(plain)))
			CU_ASSERT_PTR_NULL(ike_msg_notify(&m, IKE_N_INITIAL_CONTACT));
	CU_ASSERT_TRUE(info >= 1);
	CU_ASSERT_EQUAL(checks_failed, 0);
	engines_down();
}

/*
 * 2.4: A loses its state (a restart) and comes back; its IKE_AUTH carries INITIAL_CONTACT, so
 * B deletes the stale IKE SA with its child at once rather than after DPD, and the new child
 * keys the VTI straight away. A reauthentication, in contrast, sends no INITIAL_CONTACT.
 */
static void test_initial_contact(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
	run(300);
	check_established();
	ike_sa_delete(cur(A)); /* forgotten without a word */
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	unsigned int h0 = hn;
	ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(live_sas(B), 1);
	check_established();
	static struct ike_msg m;
	uint8_t plain[IKE_MSG_MAX];
	unsigned int ic = 0;
	for (unsigned int i = h0; i < hn; i++)
		if (hist[i].from == 0 && !w_resp(&hist[i]) && w_exch(&hist[i]) == IKE_EXCH_AUTH &&
		    w_open(&hist[i], &m, plain, sizeof(plain)))
			ic += ike_msg_notify(&m, IKE_N_INITIAL_CONTACT) != NULL;
	CU_ASSERT_EQUAL(ic, 1);
	engines_down();
}

/* ---- IKE fragmentation (RFC 7383) ---- */

#define FRAG_PEER "      fragment_size: 256\n" /* splits even a PSK IKE_AUTH (2.5.1) */

/* Fragment fields of wire message w (RFC 7383 2.5): 0, 0 when it is not an SKF message. */
static uint16_t w_frag_num(const struct wire *w)
{
	return w->len >= 36 && w->buf[16] == IKE_PL_SKF ? (uint16_t)(w->buf[32] << 8 | w->buf[33])
							: 0;
}

static uint16_t w_frag_total(const struct wire *w)
{
	return w->len >= 36 && w->buf[16] == IKE_PL_SKF ? (uint16_t)(w->buf[34] << 8 | w->buf[35])
							: 0;
}

/* SKF messages in hist[h0..hn) from engine `from` (resp: responses), and their largest size. */
static unsigned int frags_in_hist(unsigned int h0, int from, bool resp, uint8_t exch,
				  size_t *largest)
{
	unsigned int n = 0;
	for (unsigned int i = h0; i < hn; i++) {
		const struct wire *w = &hist[i];
		if (w->from != from || w_resp(w) != resp || w_exch(w) != exch || w_frag_num(w) == 0)
			continue;
		n++;
		if (largest != NULL && w->len > *largest)
			*largest = w->len;
	}
	return n;
}

/*
 * An independent reassembly: the fragments of the first message of (from, resp, exch) in hist,
 * each opened with the receiver's keys, joined in fragment order and parsed. false if any is
 * missing or does not open.
 */
static bool reassemble_hist(int from, bool resp, uint8_t exch, struct ike_msg *m, uint8_t *plain,
			    size_t cap)
{
	static uint8_t part[IKE_MSG_MAX];
	size_t off = 0, n;
	uint16_t total = 0, next = 1;
	uint8_t first = IKE_PL_NONE;
	for (unsigned int i = 0; i < hn; i++) {
		const struct wire *w = &hist[i];
		if (w->from != from || w_resp(w) != resp || w_exch(w) != exch ||
		    w_frag_num(w) != next)
			continue;
		if (ike_msg_parse(m, w->buf, w->len) != 0 || m->sk < 0)
			return false;
		bool from_init = (m->hdr.flags & IKE_FLAG_I) != 0;
		struct ike_sa *sa =
			ike_sa_by_spi(eng[w->to].c.ike, from_init ? m->hdr.spi_r : m->hdr.spi_i);
		const struct ike_payload *f = &m->pl[m->sk];
		if (sa == NULL ||
		    ike_sk_unprotect(&sa->sk_in, w->buf, w->len, f->off, IKE_SKF_HDR_LEN, part,
				     sizeof(part), &n) != 0 ||
		    off + n > cap)
			return false;
		if (next == 1)
			first = m->sk_next;
		total = f->u.sk.total;
		memcpy(plain + off, part, n);
		off += n;
		if (next++ == total)
			return ike_msg_parse_inner(m, first, plain, off) == 0;
	}
	return false;
}

/*
 * RFC 7383 2.3-2.5: both ends offer IKE_FRAGMENTATION_SUPPORTED in IKE_SA_INIT; IKE_AUTH, too
 * large for a 256-octet datagram, goes as Encrypted Fragments both ways, each within the size,
 * each sealed on its own; put together with the receiver's keys, the fragments are the
 * IKE_AUTH messages (IDi, AUTH; IDr, AUTH) and the SA is up as without fragmentation.
 */
static void test_frag_auth(void)
{
	static struct ike_msg m;
	static uint8_t plain[IKE_FRAG_REASM_MAX];
	CU_ASSERT_EQUAL_FATAL(engines_up(FRAG_PEER, FRAG_PEER), 0);
	run(300);
	check_established();
	CU_ASSERT_TRUE(cur(A)->frag && cur(B)->frag);
	/* the notify in both IKE_SA_INIT messages, empty (2.3) */
	for (unsigned int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, hist[i].buf, hist[i].len), 0);
		CU_ASSERT_EQUAL(w_exch(&hist[i]), IKE_EXCH_SA_INIT);
		const struct ike_payload *n = ike_msg_notify(&m, IKE_N_FRAGMENTATION_SUPPORTED);
		CU_ASSERT(n != NULL && n->u.notify.len == 0 && n->u.notify.proto == 0);
	}
	size_t big = 0;
	unsigned int req = frags_in_hist(0, 0, false, IKE_EXCH_AUTH, &big);
	unsigned int resp = frags_in_hist(0, 1, true, IKE_EXCH_AUTH, &big);
	CU_ASSERT(req >= 2 && resp >= 2);
	CU_ASSERT(big + 20 + 8 <= 256);	     /* IPv4 and UDP around it: within fragment_size */
	CU_ASSERT_EQUAL(hn, 2 + req + resp); /* nothing else, nothing twice */
	CU_ASSERT_EQUAL(A->c.ike->st.frags_tx, req);
	CU_ASSERT_EQUAL(B->c.ike->st.frags_rx, req);
	CU_ASSERT_EQUAL(B->c.ike->st.frags_tx, resp);
	CU_ASSERT_EQUAL(A->c.ike->st.frags_rx, resp);
	CU_ASSERT_EQUAL(A->c.ike->st.frags_reassembled, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.frags_reassembled, 1);
	/* fragment 1 names the first inner payload, the others none (2.5) */
	for (unsigned int i = 2; i < hn; i++) {
		CU_ASSERT_EQUAL(hist[i].buf[28] == IKE_PL_NONE, w_frag_num(&hist[i]) != 1);
		CU_ASSERT_EQUAL(w_frag_total(&hist[i]), hist[i].from == 0 ? req : resp);
	}
	CU_ASSERT_TRUE_FATAL(reassemble_hist(0, false, IKE_EXCH_AUTH, &m, plain, sizeof(plain)));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_find(&m, IKE_PL_IDI, NULL));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_find(&m, IKE_PL_AUTH, NULL));
	CU_ASSERT_TRUE_FATAL(reassemble_hist(1, true, IKE_EXCH_AUTH, &m, plain, sizeof(plain)));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_find(&m, IKE_PL_IDR, NULL));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_find(&m, IKE_PL_AUTH, NULL));
	/* later exchanges small enough go whole: a liveness check is one SK message each way */
	unsigned int h0 = hn;
	ike_task_queue(cur(A), IKE_T_DPD, 0);
	pump();
	CU_ASSERT_EQUAL(hn, h0 + 2);
	CU_ASSERT_EQUAL(frags_in_hist(h0, 0, false, IKE_EXCH_INFORMATIONAL, NULL), 0);
	CU_ASSERT_EQUAL(A->c.ike->frag_mem, 0);
	CU_ASSERT_EQUAL(B->c.ike->frag_mem, 0);
	/* an IKE SA rekey (no IKE_SA_INIT) keeps what IKE_SA_INIT negotiated, both ends */
	const uint8_t *old_spi = ike_sa_our_spi(cur(A));
	uint8_t old_a[8];
	memcpy(old_a, old_spi, 8);
	ike_task_queue(cur(A), IKE_T_IKE_REKEY, 0);
	run(300);
	CU_ASSERT_EQUAL(A->c.ike->st.ike_rekeys, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur(A));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur(B));
	CU_ASSERT_NOT_EQUAL(memcmp(ike_sa_our_spi(cur(A)), old_a, 8), 0);
	CU_ASSERT_TRUE(cur(A)->frag && cur(B)->frag);
	engines_down();
}

/*
 * 2.3: a peer that does not offer it gets no IKE_FRAGMENTATION_SUPPORTED back and no fragments;
 * the same with the hub's side switched off (fragmentation: false).
 */
static void test_frag_not_negotiated(void)
{
	static struct ike_msg m;
	for (int off = 0; off < 2; off++) {
		CU_ASSERT_EQUAL_FATAL(
			engines_up(off == 0 ? "      fragmentation: false\n" FRAG_PEER : FRAG_PEER,
				   off == 1 ? "      fragmentation: false\n" FRAG_PEER : FRAG_PEER),
			0);
		run(300);
		check_established();
		CU_ASSERT_FALSE(cur(A)->frag || cur(B)->frag);
		CU_ASSERT_EQUAL(ike_msg_parse(&m, hist[0].buf, hist[0].len), 0);
		CU_ASSERT_EQUAL(ike_msg_notify(&m, IKE_N_FRAGMENTATION_SUPPORTED) != NULL,
				off == 1);
		CU_ASSERT_EQUAL(ike_msg_parse(&m, hist[1].buf, hist[1].len), 0);
		CU_ASSERT_PTR_NULL(ike_msg_notify(&m, IKE_N_FRAGMENTATION_SUPPORTED));
		CU_ASSERT_EQUAL(frags_in_hist(0, 0, false, IKE_EXCH_AUTH, NULL), 0);
		CU_ASSERT_EQUAL(frags_in_hist(0, 1, true, IKE_EXCH_AUTH, NULL), 0);
		CU_ASSERT_EQUAL(hn, 4);
		engines_down();
	}
}

static int frag_drop_from; /* lose fragment 2 of the IKE_AUTH message this engine sends, once */
static bool frag_dropped;

static bool drop_frag2(const struct wire *w)
{
	if (frag_dropped || w->from != frag_drop_from || w_exch(w) != IKE_EXCH_AUTH ||
	    w_frag_num(w) != 2)
		return false;
	frag_dropped = true;
	return true;
}

/*
 * 2.6: a lost fragment is recovered by retransmission of the whole set, bit for bit. Request
 * lost: B keeps what came, drops the copies it has (ike_frag_duplicate), completes with the
 * missing one. Response lost: B answers the retransmitted request once, on its fragment 1
 * (2.6.1), with every fragment of the cached response, the same bytes.
 */
static void test_frag_lost(void)
{
	for (frag_drop_from = 0; frag_drop_from < 2; frag_drop_from++) {
		CU_ASSERT_EQUAL_FATAL(engines_up(FRAG_PEER, FRAG_PEER), 0);
		frag_dropped = false;
		run_filtered(900, drop_frag2);
		CU_ASSERT_TRUE(frag_dropped);
		CU_ASSERT_EQUAL(cur(A), NULL);
		/* the partial message is held: on B (request) or A (response) */
		struct ike_pair_eng *holder = frag_drop_from == 0 ? B : A;
		CU_ASSERT_NOT_EQUAL(holder->c.ike->frag_mem, 0);
		run_filtered(300, drop_frag2);
		CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 1);
		check_established();
		unsigned int req = frags_in_hist(0, 0, false, IKE_EXCH_AUTH, NULL) / 2;
		unsigned int resp = frags_in_hist(0, 1, true, IKE_EXCH_AUTH, NULL);
		CU_ASSERT(req >= 2);
		if (frag_drop_from == 0) {
			CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_FRAG_DUP], req - 1);
			CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_RETRANSMIT], 0);
		} else {
			resp /= 2; /* sent twice */
			CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_RETRANSMIT], req);
			CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_FRAG_DUP], resp - 1);
		}
		CU_ASSERT_EQUAL(hn, 2 + 2 * req + (frag_drop_from == 0 ? resp : 2 * resp));
		/* the second set is the first one again, fragment by fragment */
		unsigned int first_set = frag_drop_from == 0 ? 2 : 2 + req;
		unsigned int again = frag_drop_from == 0 ? 2 + req : 2 + 2 * req + resp;
		unsigned int n = frag_drop_from == 0 ? req : resp;
		for (unsigned int i = 0; i < n; i++) {
			const struct wire *x = &hist[first_set + i], *y = &hist[again + i];
			CU_ASSERT(x->len == y->len && memcmp(x->buf, y->buf, x->len) == 0);
		}
		CU_ASSERT_EQUAL(B->c.ike->st.established, 1);
		CU_ASSERT_EQUAL(B->c.ike->st.children_installed, 1);
		CU_ASSERT_EQUAL(A->c.ike->frag_mem, 0);
		CU_ASSERT_EQUAL(B->c.ike->frag_mem, 0);
		engines_down();
	}
}

/*
 * A fragment of an INFORMATIONAL request A's IKE SA seals towards B (its real keys), inner
 * octets data[0..n): message ID id, number/total as given (even where the codec must refuse
 * them), next: fragment 1's Next Payload. corrupt: one ICV bit flipped. Delivered to B.
 */
static void frag_to_b(uint8_t exch, uint32_t id, uint16_t num, uint16_t total, uint8_t next,
		      const uint8_t *data, size_t n, bool corrupt)
{
	static struct wire w;
	struct ike_sa *a = cur(A);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	struct ike_hdr h = {.next = IKE_PL_SKF,
			    .major = 2,
			    .exchange = exch,
			    .flags = a->initiator ? IKE_FLAG_I : 0,
			    .msg_id = id};
	struct ike_wr wr;
	size_t off = 0, len = 0;
	memcpy(h.spi_i, a->spi_i, 8);
	memcpy(h.spi_r, a->spi_r, 8);
	if (exch == IKE_EXCH_SA_INIT)
		memset(h.spi_r, 0, 8);
	memset(&w, 0, sizeof(w));
	w.from = 0;
	w.to = 1;
	w.p = a->path;
	CU_ASSERT_EQUAL_FATAL(ike_wr_init(&wr, w.buf, sizeof(w.buf), &h), 0);
	CU_ASSERT_EQUAL_FATAL(ike_wr_skf(&wr, next, num, total, &off), 0);
	CU_ASSERT_EQUAL_FATAL(ike_sk_protect(&a->sk_out, w.buf, sizeof(w.buf), off, IKE_SKF_HDR_LEN,
					     data, n, &len),
			      0);
	if (corrupt)
		w.buf[len - 1] ^= 1;
	w.len = len;
	deliver(&w);
}

/* An inner chain for those: one Notify of a private status type carrying pad octets. */
static size_t frag_inner(uint8_t *buf, size_t cap, size_t pad)
{
	static uint8_t data[IKE_MSG_MAX];
	struct ike_wr w;
	size_t len = 0;
	memset(data, 0x5a, sizeof(data));
	CU_ASSERT_EQUAL_FATAL(ike_wr_init_inner(&w, buf, cap), 0);
	CU_ASSERT_EQUAL_FATAL(ike_wr_notify(&w, 0, NULL, 0, 40960, data, pad), 0);
	CU_ASSERT_EQUAL_FATAL(ike_wr_finish(&w, &len), 0);
	return len;
}

/* B's drop counters other than `why` are what they were in before[], and why moved by one. */
static void one_drop(const uint64_t *before, enum ike_drop why)
{
	for (int i = 0; i < IKE_DROP_MAX; i++)
		if (B->c.ike->st.drop[i] != before[i] + (i == (int)why))
			fprintf(stderr, "\n  %s: %" PRIu64 " -> %" PRIu64 "\n", ike_drop_name[i],
				before[i], B->c.ike->st.drop[i]);
	for (int i = 0; i < IKE_DROP_MAX; i++)
		CU_ASSERT_EQUAL(B->c.ike->st.drop[i], before[i] + (i == (int)why));
}

#define EXPECT_DROP(why, stmt)                                       \
	do {                                                         \
		uint64_t before_[IKE_DROP_MAX];                      \
		memcpy(before_, B->c.ike->st.drop, sizeof(before_)); \
		stmt;                                                \
		one_drop(before_, why);                              \
	} while (0)

/*
 * ROBUSTNESS.md, IKE fragments, each class against B with exact counters: number 0, number
 * above total, total 0 (the codec: ike_malformed), total above IKE_FRAG_MAX, a fragment that
 * fails integrity, a duplicate, a lower total (dropped) and a higher one (restart, 2.6.1),
 * another message ID (the window), the global memory cap, a message past IKE_FRAG_REASM_MAX,
 * an SKF in IKE_SA_INIT. None leaves state; then a message sent in three fragments out of
 * order is put together and answered, and B holds nothing.
 */
static void test_frag_malformed(void)
{
	static uint8_t inner[IKE_MSG_MAX];
	CU_ASSERT_EQUAL_FATAL(engines_up(FRAG_PEER, FRAG_PEER), 0);
	run(300);
	check_established();
	struct ike_sa *b = cur(B);
	uint32_t id = b->recv_next;
	size_t n = frag_inner(inner, sizeof(inner), 600), third = n / 3;
	struct ike *ib = B->c.ike;
	uint64_t kept = ib->st.frags_rx; /* IKE_AUTH's */
	EXPECT_DROP(IKE_DROP_PARSE,
		    frag_to_b(IKE_EXCH_INFORMATIONAL, id, 0, 3, 0, inner, third, false));
	EXPECT_DROP(IKE_DROP_PARSE,
		    frag_to_b(IKE_EXCH_INFORMATIONAL, id, 4, 3, 0, inner, third, false));
	EXPECT_DROP(IKE_DROP_PARSE,
		    frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, 0, 0, inner, third, false));
	EXPECT_DROP(IKE_DROP_FRAG_TOTAL, frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, IKE_FRAG_MAX + 1,
						   IKE_PL_NOTIFY, inner, third, false));
	EXPECT_DROP(IKE_DROP_FRAG_DECRYPT,
		    frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, 3, IKE_PL_NOTIFY, inner, third, true));
	CU_ASSERT_PTR_NULL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(ib->frag_mem, 0);
	CU_ASSERT_EQUAL(ib->st.frags_rx, kept); /* nothing kept so far */
	/* fragment 2 of 3 kept; again: a duplicate */
	frag_to_b(IKE_EXCH_INFORMATIONAL, id, 2, 3, 0, inner + third, third, false);
	CU_ASSERT_EQUAL(ib->st.frags_rx, kept + 1);
	CU_ASSERT_EQUAL(ib->frag_mem, third);
	EXPECT_DROP(IKE_DROP_FRAG_DUP,
		    frag_to_b(IKE_EXCH_INFORMATIONAL, id, 2, 3, 0, inner + third, third, false));
	CU_ASSERT_EQUAL(ib->frag_mem, third);
	/* total 2 < 3: dropped; another message ID: the window (2.3) */
	EXPECT_DROP(IKE_DROP_FRAG_STALE, frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, 2, IKE_PL_NOTIFY,
						   inner, third, false));
	EXPECT_DROP(IKE_DROP_MSGID, frag_to_b(IKE_EXCH_INFORMATIONAL, id + 1, 1, 3, IKE_PL_NOTIFY,
					      inner, third, false));
	CU_ASSERT_EQUAL(ib->frag_mem, third);
	/* the cap over all partial messages */
	ib->frag_mem += IKE_FRAG_MEM_MAX - third;
	EXPECT_DROP(IKE_DROP_FRAG_FULL, frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, 3, IKE_PL_NOTIFY,
						  inner, third, false));
	ib->frag_mem -= IKE_FRAG_MEM_MAX - third;
	/* total 4 > 3: what was kept goes, this one starts the message again (2.6.1) */
	EXPECT_DROP(IKE_DROP_FRAG_RESTART, frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, 4,
						     IKE_PL_NOTIFY, inner, third, false));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(ib->frag_mem, third);
	/* past IKE_FRAG_REASM_MAX: 32 fragments of 1500 octets would make 48000 */
	uint64_t over = 0;
	for (uint16_t k = 1; k <= IKE_FRAG_MAX && over == 0; k++) {
		frag_to_b(IKE_EXCH_INFORMATIONAL, id, k, IKE_FRAG_MAX, k == 1 ? IKE_PL_NOTIFY : 0,
			  inner, 1500, false);
		over = ib->st.drop[IKE_DROP_FRAG_OVERSIZE];
		CU_ASSERT(over != 0 || ib->frag_mem == 1500u * k);
	}
	CU_ASSERT_EQUAL(over, 1);
	CU_ASSERT_PTR_NULL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(ib->frag_mem, 0);
	EXPECT_DROP(IKE_DROP_FRAG_UNEXPECTED,
		    frag_to_b(IKE_EXCH_SA_INIT, 0, 1, 1, IKE_PL_NOTIFY, inner, third, false));
	CU_ASSERT_EQUAL(ib->n_sa, 1);
	CU_ASSERT_EQUAL(b->recv_next, id);
	/* whole, out of order: 3, 1, 2; answered (A expects nothing: its window is apart) */
	uint64_t reasm = ib->st.frags_reassembled;
	frag_to_b(IKE_EXCH_INFORMATIONAL, id, 3, 3, 0, inner + 2 * third, n - 2 * third, false);
	frag_to_b(IKE_EXCH_INFORMATIONAL, id, 1, 3, IKE_PL_NOTIFY, inner, third, false);
	CU_ASSERT_EQUAL(b->recv_next, id);
	CU_ASSERT_EQUAL(qn, 0);
	frag_to_b(IKE_EXCH_INFORMATIONAL, id, 2, 3, 0, inner + third, third, false);
	CU_ASSERT_EQUAL(ib->st.frags_reassembled, reasm + 1);
	CU_ASSERT_EQUAL(b->recv_next, id + 1);
	CU_ASSERT_EQUAL(qn, 1); /* the answer */
	CU_ASSERT_PTR_NULL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(ib->frag_mem, 0);
	cur(A)->send_next = id + 1; /* that request was A's, in A's name */
	qn = 0;
	CU_ASSERT_EQUAL(checks_failed, 0);
	engines_down();
}

/*
 * Bounded in time: a partial message is dropped IKE_FRAG_TTL_S after its first fragment, and
 * its memory with it; and an SKF on an SA that did not negotiate fragmentation is refused.
 */
static void test_frag_timeout(void)
{
	static uint8_t inner[IKE_MSG_MAX];
	CU_ASSERT_EQUAL_FATAL(engines_up(FRAG_PEER, FRAG_PEER), 0);
	run(300);
	check_established();
	struct ike_sa *b = cur(B);
	size_t n = frag_inner(inner, sizeof(inner), 300);
	frag_to_b(IKE_EXCH_INFORMATIONAL, b->recv_next, 1, 2, IKE_PL_NOTIFY, inner, n / 2, false);
	CU_ASSERT_PTR_NOT_NULL(b->frag_rx[0]);
	run((IKE_FRAG_TTL_S - 1) * 1000);
	CU_ASSERT_PTR_NOT_NULL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_FRAG_TIMEOUT], 0);
	run(1100);
	CU_ASSERT_PTR_NULL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_FRAG_TIMEOUT], 1);
	CU_ASSERT_EQUAL(B->c.ike->frag_mem, 0);
	check_established();
	engines_down();

	CU_ASSERT_EQUAL_FATAL(engines_up(FRAG_PEER, "      fragmentation: false\n"), 0);
	run(300);
	check_established();
	b = cur(B);
	EXPECT_DROP(IKE_DROP_FRAG_UNEXPECTED, frag_to_b(IKE_EXCH_INFORMATIONAL, b->recv_next, 1, 2,
							IKE_PL_NOTIFY, inner, n / 2, false));
	CU_ASSERT_PTR_NULL(b->frag_rx[0]);
	CU_ASSERT_EQUAL(B->c.ike->frag_mem, 0);
	engines_down();
}

/* ---- redirect (RFC 5685) and the rate of error notifies (RFC 7296 2.21.4) ---- */

#define GW_ELSEWHERE "192.0.2.9" /* no engine's: the gateway B sends initiators to */

/* Notify type of plain (unencrypted) message w, parsed into *m; NULL if absent. */
static const struct ike_payload *w_plain_notify(const struct wire *w, uint16_t type,
						struct ike_msg *m)
{
	return ike_msg_parse(m, w->buf, w->len) == 0 ? ike_msg_notify(m, type) : NULL;
}

/* The last IKE_SA_INIT request A put on the wire (history), or NULL. */
static const struct wire *last_init_of_a(void)
{
	for (unsigned int i = hn; i-- > 0;)
		if (hist[i].from == 0 && !w_resp(&hist[i]) && w_exch(&hist[i]) == IKE_EXCH_SA_INIT)
			return &hist[i];
	return NULL;
}

/* What a REDIRECT of B must hold: GW Ident IPv4, 4, the address, then the request's Ni. */
static void check_redirect(const struct wire *resp, const struct wire *req, const char *gw)
{
	static struct ike_msg mr, mq;
	uint8_t want[2 + 4 + IKE_NONCE_MAX], zero[8] = {0};
	CU_ASSERT_FATAL(w_resp(resp) && w_exch(resp) == IKE_EXCH_SA_INIT);
	const struct ike_payload *n = w_plain_notify(resp, IKE_N_REDIRECT, &mr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(mr.n, 1); /* the REDIRECT and nothing else (3.1) */
	CU_ASSERT_EQUAL(memcmp(mr.hdr.spi_r, zero, 8), 0);
	CU_ASSERT_EQUAL(mr.hdr.flags, IKE_FLAG_R);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&mq, req->buf, req->len), 0);
	CU_ASSERT_EQUAL(memcmp(mr.hdr.spi_i, mq.hdr.spi_i, 8), 0);
	const struct ike_payload *ni = ike_msg_find(&mq, IKE_PL_NONCE, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ni);
	want[0] = 1;
	want[1] = 4;
	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, gw, want + 2), 1);
	memcpy(want + 6, ni->body, ni->len);
	CU_ASSERT_EQUAL_FATAL(n->u.notify.len, 6 + ni->len);
	CU_ASSERT_EQUAL(memcmp(n->u.notify.data, want, 6u + ni->len), 0);
}

/*
 * B redirects every initiator that can follow (when: always). A's IKE_SA_INIT announces
 * REDIRECT_SUPPORTED; B answers with the REDIRECT alone and keeps nothing; A starts over
 * towards the new gateway, with the same SPIi, a fresh Ni, and REDIRECTED_FROM naming B.
 */
static void test_redirect(void)
{
	static struct ike_msg m;
	uint8_t b_addr[4], gw[4];
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  redirect: {to: " GW_ELSEWHERE ", peers: peera}\n"),
			      0);
	inet_pton(AF_INET, addr[1], b_addr);
	inet_pton(AF_INET, GW_ELSEWHERE, gw);
	memcpy(alias_ip, gw, 4); /* what goes there lands on B, which has no peer at it */
	alias_to = 1;
	tick_only(100);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	struct wire req = q[0];
	CU_ASSERT_PTR_NOT_NULL(w_plain_notify(&req, IKE_N_REDIRECT_SUPPORTED, &m));
	CU_ASSERT_PTR_NULL(w_plain_notify(&req, IKE_N_REDIRECTED_FROM, &m));
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, 1);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	check_redirect(&q[0], &req, GW_ELSEWHERE);
	take(0, &cur_msg);
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(A->c.ike->st.redirects_followed, 1);
	CU_ASSERT_EQUAL_FATAL(qn, 1); /* A's IKE_SA_INIT again, to the new gateway */
	const struct wire *again = &q[0];
	CU_ASSERT_TRUE(!w_resp(again) && w_exch(again) == IKE_EXCH_SA_INIT);
	CU_ASSERT_EQUAL(memcmp(again->p.remote, gw, 4), 0);
	CU_ASSERT_EQUAL(again->p.rport, IKE_PORT);
	CU_ASSERT_EQUAL(memcmp(again->buf, req.buf, 8), 0); /* SPIi */
	CU_ASSERT_PTR_NULL(w_plain_notify(again, IKE_N_REDIRECT_SUPPORTED, &m));
	const struct ike_payload *from = w_plain_notify(again, IKE_N_REDIRECTED_FROM, &m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(from);
	CU_ASSERT_EQUAL(from->u.notify.len, 6);
	CU_ASSERT_TRUE(from->u.notify.data[0] == 1 && from->u.notify.data[1] == 4 &&
		       memcmp(from->u.notify.data + 2, b_addr, 4) == 0);
	const struct ike_payload *n2 = ike_msg_find(&m, IKE_PL_NONCE, NULL);
	static struct ike_msg m1;
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m1, req.buf, req.len), 0);
	const struct ike_payload *n1 = ike_msg_find(&m1, IKE_PL_NONCE, NULL);
	CU_ASSERT_FATAL(n1 != NULL && n2 != NULL);
	CU_ASSERT_FALSE(n1->len == n2->len && memcmp(n1->body, n2->body, n1->len) == 0);
	pump(); /* B has no peer at the new address */
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_NO_PEER], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	engines_down();
}

/* REDIRECT_SUPPORTED turned into an unassigned status type on the way (3.10.1: ignored). */
static bool hide_support(const struct wire *w)
{
	static struct ike_msg m;
	const struct ike_payload *n =
		w->from == 0 && !w_resp(w) ? w_plain_notify(&cur_msg, IKE_N_REDIRECT_SUPPORTED, &m)
					   : NULL;
	if (n != NULL) {
		cur_msg.buf[n->off + 6] = 0xa0; /* 40961, in the private status range */
		cur_msg.buf[n->off + 7] = 0x01;
	}
	return false;
}

/*
 * An initiator that did not say it can follow a REDIRECT is served as usual: B answers with SA,
 * KE and Nr and keeps a half-open SA. (The changed request cannot go further: IKE_AUTH signs
 * the IKE_SA_INIT as sent, 2.15, so B would refuse A's AUTH.)
 */
static void test_redirect_unsupported(void)
{
	static struct ike_msg m;
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  redirect: {to: " GW_ELSEWHERE "}\n"), 0);
	tick_only(100);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	take(0, &cur_msg);
	hide_support(&cur_msg);
	CU_ASSERT_PTR_NULL(w_plain_notify(&cur_msg, IKE_N_REDIRECT_SUPPORTED, &m));
	deliver(&cur_msg);
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, 0);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	CU_ASSERT_TRUE(w_resp(&q[0]) && w_exch(&q[0]) == IKE_EXCH_SA_INIT);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, q[0].buf, q[0].len), 0);
	CU_ASSERT_PTR_NOT_NULL(ike_msg_find(&m, IKE_PL_SA, NULL));
	CU_ASSERT_PTR_NOT_NULL(ike_msg_find(&m, IKE_PL_KE, NULL));
	CU_ASSERT_PTR_NULL(ike_msg_notify(&m, IKE_N_REDIRECT));
	engines_down();
}

static unsigned int spoiled; /* REDIRECTs whose Nonce Data spoil_redirect changed */

/* The first REDIRECT's last octet (the end of its Nonce Data) changes on the way. */
static bool spoil_redirect(const struct wire *w)
{
	static struct ike_msg m;
	if (spoiled == 0 && w->from == 1 && w_plain_notify(w, IKE_N_REDIRECT, &m) != NULL) {
		cur_msg.buf[cur_msg.len - 1] ^= 0x01;
		spoiled++;
	}
	return false;
}

/*
 * 3.1: a REDIRECT whose Nonce Data is not our Ni is not for our request: A drops it
 * (ike_redirect_bad), keeps waiting, retransmits to B, and follows the genuine one that answers
 * the retransmission.
 */
static void test_redirect_nonce(void)
{
	uint8_t b_addr[4], gw[4];
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  redirect: {to: " GW_ELSEWHERE "}\n"), 0);
	inet_pton(AF_INET, addr[1], b_addr);
	inet_pton(AF_INET, GW_ELSEWHERE, gw);
	memcpy(alias_ip, gw, 4);
	alias_to = 1;
	spoiled = 0;
	run_filtered(100, spoil_redirect);
	CU_ASSERT_EQUAL(spoiled, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_REDIRECT_BAD], 1);
	CU_ASSERT_EQUAL(A->c.ike->st.redirects_followed, 0);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	const struct wire *w = last_init_of_a();
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(memcmp(w->p.remote, b_addr, 4), 0);
	unsigned int h0 = hn;
	run_filtered(1100, spoil_redirect); /* the retransmission after retransmit_ms */
	CU_ASSERT_EQUAL(A->c.ike->st.retransmits, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.redirects_followed, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, 2);
	w = last_init_of_a();
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_TRUE(w >= &hist[h0] && memcmp(w->p.remote, gw, 4) == 0);
	engines_down();
}

/* B, behind the alias, answers for the new gateway too: what goes there reaches B as itself. */
static bool gw_is_b(const struct wire *w)
{
	uint8_t gw[4];
	inet_pton(AF_INET, GW_ELSEWHERE, gw);
	if (w->to == 1 && memcmp(w->p.remote, gw, 4) == 0)
		inet_pton(AF_INET, addr[1], cur_msg.p.remote);
	return false;
}

/*
 * RFC 5685 6: gateways that keep redirecting. A follows IKE_REDIRECT_MAX REDIRECTs in a row,
 * gives the next one up (ike_redirect_loop) with its IKE SA, and starts over from its
 * configured peer later.
 */
static void test_redirect_loop(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  redirect: {to: " GW_ELSEWHERE "}\n"), 0);
	inet_pton(AF_INET, GW_ELSEWHERE, alias_ip);
	alias_to = 1;
	run_filtered(100, gw_is_b);
	CU_ASSERT_EQUAL(A->c.ike->st.redirects_followed, IKE_REDIRECT_MAX);
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, IKE_REDIRECT_MAX + 1);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_REDIRECT_LOOP], 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	run_filtered(10100, gw_is_b); /* IKE_RESTART_S later: once more, and given up again */
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_REDIRECT_LOOP], 2);
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, 2 * (IKE_REDIRECT_MAX + 1));
	engines_down();
}

/* when: load: B serves A's first IKE SA; with one IKE SA held, A's second one goes elsewhere. */
static void test_redirect_load(void)
{
	CU_ASSERT_EQUAL_FATAL(engines_up_ike("  redirect: {to: " GW_ELSEWHERE
					     ", when: load, load_threshold: 1}\n"),
			      0);
	inet_pton(AF_INET, GW_ELSEWHERE, alias_ip);
	alias_to = 1;
	run(300);
	check_established();
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, 0);
	ike_initiate(A->c.ike, &A->cfg->ike_peers[0], 0);
	run(100);
	CU_ASSERT_EQUAL(B->c.ike->st.redirects, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.redirects_followed, 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_NO_PEER], 1);
	engines_down();
}

/* n requests on an SA B does not know: the copies of req delivered at once. */
static void unknown_spi(const struct wire *req, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		cur_msg = *req;
		deliver(&cur_msg);
	}
}

/*
 * RFC 7296 1.5 and 2.21.4: a request for an IKE SA B does not hold gets INVALID_IKE_SPI, at
 * most IKE_ERR_RATE (20) a second, the rest counted; a response never gets one.
 */
static void test_invalid_spi_rate(void)
{
	static struct ike_msg mq, mr;
	CU_ASSERT_EQUAL_FATAL(engines_up(NULL, NULL), 0);
	run(300);
	check_established();
	ike_sa_delete(cur(B)); /* B forgets the IKE SA (a restart) */
	ike_task_queue(cur(A), IKE_T_DPD, 0);
	CU_ASSERT_EQUAL_FATAL(qn, 1);
	struct wire req;
	take(0, &req);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&mq, req.buf, req.len), 0);
	unknown_spi(&req, 25);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_NO_SA], 25);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies, 20);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies_limited, 5);
	CU_ASSERT_EQUAL_FATAL(qn, 20);
	/* 1.5: unprotected, SPIs, exchange and message ID copied, R set, I clear (B responded) */
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&mr, q[0].buf, q[0].len), 0);
	CU_ASSERT_EQUAL(mr.n, 1);
	CU_ASSERT_EQUAL(mr.sk, -1);
	CU_ASSERT_EQUAL(mr.pl[0].type, IKE_PL_NOTIFY);
	CU_ASSERT_EQUAL(mr.pl[0].u.notify.type, IKE_N_INVALID_IKE_SPI);
	CU_ASSERT_EQUAL(mr.hdr.flags, IKE_FLAG_R);
	CU_ASSERT_EQUAL(mr.hdr.exchange, IKE_EXCH_INFORMATIONAL);
	CU_ASSERT_EQUAL(mr.hdr.msg_id, mq.hdr.msg_id);
	CU_ASSERT_EQUAL(memcmp(mr.hdr.spi_i, mq.hdr.spi_i, 8), 0);
	CU_ASSERT_EQUAL(memcmp(mr.hdr.spi_r, mq.hdr.spi_r, 8), 0);
	qn = 0;
	clk += hz; /* a second later: the bucket is full again, and no fuller */
	unknown_spi(&req, 25);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies, 40);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies_limited, 10);
	qn = 0;
	struct wire resp = req; /* the same, marked a response: never answered */
	resp.buf[19] |= IKE_FLAG_R;
	unknown_spi(&resp, 3);
	CU_ASSERT_EQUAL(qn, 0);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_RESPONSE], 3);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies, 40);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies_limited, 10);
	clk += hz / 10; /* 100 ms: two more */
	unknown_spi(&req, 5);
	CU_ASSERT_EQUAL(qn, 2);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies, 42);
	CU_ASSERT_EQUAL(B->c.ike->st.error_notifies_limited, 13);
	qn = 0;
	engines_down();
}

static int suite_cleanup(void)
{
	engines_down();
	return 0;
}

int test_ike_engine_register(void)
{
	CU_pSuite s = CU_add_suite("ike_engine", NULL, suite_cleanup);
	if (s == NULL || CU_add_test(s, "establish", test_establish) == NULL ||
	    CU_add_test(s, "lost messages", test_lost) == NULL ||
	    CU_add_test(s, "duplicated messages", test_duplicated) == NULL ||
	    CU_add_test(s, "give up", test_give_up) == NULL ||
	    CU_add_test(s, "child rekey collision", test_child_collision) == NULL ||
	    CU_add_test(s, "IKE SA rekey collision", test_ike_collision) == NULL ||
	    CU_add_test(s, "rekey vs delete", test_rekey_vs_delete) == NULL ||
	    CU_add_test(s, "rekey TEMPORARY_FAILURE", test_rekey_temporary_failure) == NULL ||
	    CU_add_test(s, "child rekey during IKE rekey", test_child_during_ike_rekey) == NULL ||
	    CU_add_test(s, "DPD timeout", test_dpd_timeout) == NULL ||
	    CU_add_test(s, "CP pool exhaustion", test_pool_exhaustion) == NULL ||
	    CU_add_test(s, "cookies", test_cookies) == NULL ||
	    CU_add_test(s, "cap per source address", test_source_cap) == NULL ||
	    CU_add_test(s, "half-open and global caps", test_half_open_cap) == NULL ||
	    CU_add_test(s, "rate per source address", test_source_rate) == NULL ||
	    CU_add_test(s, "NAT keepalives and rebinding", test_nat) == NULL ||
	    CU_add_test(s, "reauthentication", test_reauth) == NULL ||
	    CU_add_test(s, "INITIAL_CONTACT", test_initial_contact) == NULL ||
	    CU_add_test(s, "fragmented IKE_AUTH", test_frag_auth) == NULL ||
	    CU_add_test(s, "fragmentation not negotiated", test_frag_not_negotiated) == NULL ||
	    CU_add_test(s, "lost fragments", test_frag_lost) == NULL ||
	    CU_add_test(s, "malformed fragments", test_frag_malformed) == NULL ||
	    CU_add_test(s, "fragment reassembly timeout", test_frag_timeout) == NULL)
		return CU_get_error();
	if (CU_add_test(s, "redirect", test_redirect) == NULL ||
	    CU_add_test(s, "redirect: initiator without support", test_redirect_unsupported) ==
		    NULL ||
	    CU_add_test(s, "redirect: nonce data", test_redirect_nonce) == NULL ||
	    CU_add_test(s, "redirect: loop", test_redirect_loop) == NULL ||
	    CU_add_test(s, "redirect: when load", test_redirect_load) == NULL ||
	    CU_add_test(s, "INVALID_IKE_SPI rate", test_invalid_spi_rate) == NULL)
		return CU_get_error();
	return CUE_SUCCESS;
}

/* ==== IKEv1 (RFC 2409): the "ikev1_engine" suite, on the same wire and clock ==== */

/*
 * The IKEv1 config of engine i: as yaml_of, with version 1, Phase 1 aes128-sha256-modp2048 and
 * Phase 2 esp (pfs: with modp2048). A initiates. psk: NULL = the shared one.
 */
static const char *v1_extra[ENG_MAX];	    /* more peer keys of engine i (indented 6) */
static const char *v1_child_extra[ENG_MAX]; /* more keys of its child (indented 10) */

static void yaml_v1(int i, const char *esp, const char *ike, const char *psk, char *out,
		    size_t size)
{
	static char keys[1024], child[512];
	snprintf(keys, sizeof(keys), "      version: 1\n%s",
		 v1_extra[i] != NULL ? v1_extra[i] : "");
	snprintf(child, sizeof(child), "          rekey_time: 0\n%s",
		 v1_child_extra[i] != NULL ? v1_child_extra[i] : "");
	const struct peer_yaml y = {.peer_keys = keys,
				    .psk = psk,
				    .ike = ike != NULL ? ike : "aes128-sha256-modp2048",
				    .child_keys = child,
				    .esp = esp != NULL ? esp : "aes128-sha256"};
	yaml_peer(i, &y, out, size);
}

static int v1_up(const char *esp_a, const char *esp_b, const char *ike_b, const char *psk_b)
{
	static char ya[4096], yb[4096];
	yaml_v1(0, esp_a, NULL, NULL, ya, sizeof(ya));
	yaml_v1(1, esp_b, ike_b, psk_b, yb, sizeof(yb));
	return engines_up_yaml(ya, yb);
}

static uint8_t v1_exch(const struct wire *w)
{
	return w->len >= IKEV1_HDR_LEN ? w->buf[18] : 0;
}

/* Established on both ends: QM_IDLE, one ACTIVE child each, their SPIs crossed, VTIs bound. */
static void v1_check_up(void)
{
	struct ike_child *ca = NULL, *cb = NULL;
	struct ike_sa *a = cur(A), *b = cur(B);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->v1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->v1);
	CU_ASSERT_EQUAL(a->v1->p1, IKEV1_QM_IDLE);
	CU_ASSERT_EQUAL(b->v1->p1, IKEV1_QM_IDLE);
	CU_ASSERT_EQUAL(memcmp(a->spi_i, b->spi_i, 8), 0);
	CU_ASSERT_EQUAL(memcmp(a->spi_r, b->spi_r, 8), 0);
	CU_ASSERT_EQUAL_FATAL(active_children(A, &ca), 1);
	CU_ASSERT_EQUAL_FATAL(active_children(B, &cb), 1);
	CU_ASSERT_EQUAL(ca->spi_out, cb->spi_in);
	CU_ASSERT_EQUAL(ca->spi_in, cb->spi_out);
	CU_ASSERT(vti(A)->sa_out != 0 && vti(A)->sa_out == ca->sa_out);
	CU_ASSERT(vti(B)->sa_out != 0 && vti(B)->sa_out == cb->sa_out);
	/* both ends derived the same keys: the inbound SA of one has the other's outbound key */
	const struct sa *ao = sa_get(A->dp->sas, ca->sa_out), *bi = sa_get(B->dp->sas, cb->sa_in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ao);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bi);
	CU_ASSERT_EQUAL(ao->xf.key_len, bi->xf.key_len);
	CU_ASSERT_EQUAL(memcmp(ao->xf.keys + ao->xf.off_ipad, bi->xf.keys + bi->xf.off_ipad, 32),
			0);
	CU_ASSERT_EQUAL(memcmp(ao->xf.keys + ao->xf.off_opad, bi->xf.keys + bi->xf.off_opad, 32),
			0);
}

/* RFC 2409 5.4 and 5.5: Main Mode (6 messages) then Quick Mode (3), A initiating. */
static void test_v1_establish(void)
{
	static const uint8_t exch[] = {2, 2, 2, 2, 2, 2, 32, 32, 32};
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL_FATAL(hn, RTE_DIM(exch));
	for (unsigned int i = 0; i < hn; i++) {
		CU_ASSERT_EQUAL(v1_exch(&hist[i]), exch[i]);
		CU_ASSERT_EQUAL(hist[i].from, (int)(i % 2)); /* strictly alternating */
		CU_ASSERT_EQUAL(hist[i].buf[17], IKEV1_VERSION);
		CU_ASSERT_EQUAL(!!(hist[i].buf[19] & IKEV1_FLAG_E), i >= 4);
	}
	v1_check_up();
	CU_ASSERT_EQUAL(A->c.ike->st.v1_established, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_established, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_quick_modes, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_quick_modes, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.retransmits + B->c.ike->st.retransmits, 0);
	for (int i = 0; i < IKEV1_DROP_MAX; i++)
		CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[i] + B->c.ike->st.v1_drop[i], 0);
	engines_down();
}

/* Quick Mode with PFS (RFC 2409 5.5: KE in messages 1 and 2). */
static void test_v1_pfs(void)
{
	CU_ASSERT_EQUAL_FATAL(v1_up("aes256-sha256-modp2048", "aes256-sha256-modp2048", NULL, NULL),
			      0);
	run(300);
	CU_ASSERT_EQUAL(hn, 9);
	v1_check_up();
	struct ike_child *ca = NULL;
	active_children(A, &ca);
	CU_ASSERT_EQUAL(ca->encr_bits, 256);
	/* PFS offered but not configured on B: refused, nothing installed on either */
	CU_ASSERT_EQUAL_FATAL(v1_up("aes256-sha256-modp2048", "aes256-sha256", NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL(active_children(A, NULL), 0);
	CU_ASSERT_EQUAL(active_children(B, NULL), 0);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_NO_P2_PROPOSAL], 1);
	engines_down();
}

/* Each of the nine messages lost once: retransmissions (never answers to nothing) recover. */
static void test_v1_lost(void)
{
	for (drop_nth = 0; drop_nth < 9; drop_nth++) {
		CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
		seen = 0;
		run_filtered(8000, drop_once);
		v1_check_up();
		/* Quick Mode message 2 is awaited by both: the initiator's 1 and the responder's
		 * own 2 (it waits for 3) go again; every other loss costs one retransmission */
		CU_ASSERT_EQUAL(A->c.ike->st.retransmits + B->c.ike->st.retransmits,
				drop_nth == 7 ? 2u : 1u);
		engines_down();
	}
	drop_nth = -1;
}

static bool dup_all(const struct wire *w)
{
	if (qn < WIRE_MAX)
		deliver(w); /* a copy first; the original follows */
	return false;
}

/* Every message delivered twice: each copy answered from what was sent, nothing done twice. */
static void test_v1_duplicated(void)
{
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	tick_only(100);
	pump_filtered(dup_all);
	v1_check_up();
	CU_ASSERT_EQUAL(A->c.ike->st.v1_quick_modes, 1);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_quick_modes, 1);
	/* 9 messages, each seen twice; the answers to copies are copies, seen twice too */
	CU_ASSERT(A->c.ike->st.v1_drop[IKEV1_DROP_RETRANSMIT] > 0);
	CU_ASSERT(B->c.ike->st.v1_drop[IKEV1_DROP_RETRANSMIT] > 0);
	CU_ASSERT_EQUAL(
		A->c.ike->st.v1_drop[IKEV1_DROP_HASH] + B->c.ike->st.v1_drop[IKEV1_DROP_HASH], 0);
	engines_down();
}

/* A Phase 2 rekey either side starts: the new SAs take over, the old ones are deleted. */
static void test_v1_rekey(void)
{
	for (int side = 0; side < 2; side++) {
		struct ike_pair_eng *e = &eng[side];
		struct ike_child *old = NULL, *now = NULL;
		CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
		run(300);
		v1_check_up();
		active_children(e, &old);
		uint32_t old_in = old->spi_in;
		ike_on_expiry(&e->c, old->sa_in, false); /* the soft lifetime */
		run(300);
		CU_ASSERT_EQUAL(e->c.ike->st.child_rekeys, 1);
		CU_ASSERT_EQUAL(eng[1 - side].c.ike->st.child_rekeys, 1);
		v1_check_up();
		active_children(e, &now);
		CU_ASSERT_NOT_EQUAL(now->spi_in, old_in);
		CU_ASSERT_EQUAL(cur(A)->n_child, 2); /* the old inbound SA overlaps */
		CU_ASSERT_EQUAL(cur(B)->n_child, 2);
		run((IKE_REKEY_OVERLAP_S + 1) * 1000);
		CU_ASSERT_EQUAL(cur(A)->n_child, 1);
		CU_ASSERT_EQUAL(cur(B)->n_child, 1);
		CU_ASSERT_EQUAL(dp_count(A), 2);
		CU_ASSERT_EQUAL(dp_count(B), 2);
		engines_down();
	}
}

static bool drop_from_a(const struct wire *w)
{
	return w->from == 0;
}

/* RFC 3706: R-U-THERE after dpd_delay of silence, answered; unanswered, the peer is dead. */
static void test_v1_dpd(void)
{
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	run(300);
	v1_check_up();
	run(12000); /* no traffic: both ask after 10 s, both are answered */

	CU_ASSERT(A->c.ike->st.v1_dpd_acks >= 1);
	CU_ASSERT(B->c.ike->st.v1_dpd_acks >= 1);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_dpd_answered, B->c.ike->st.v1_dpd_acks);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_dpd_answered, A->c.ike->st.v1_dpd_acks);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[IKEV1_DROP_DPD_SEQ] +
				B->c.ike->st.v1_drop[IKEV1_DROP_DPD_SEQ],
			0);
	v1_check_up();
	run_filtered(30000, drop_from_a); /* A silent: B gives up, its SAs go */
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(dp_count(B), 0);
	CU_ASSERT_EQUAL(B->c.ike->st.peers_dead, 1);
	engines_down();
}

/*
 * A new ISAKMP SA at 9/10 of a 20 s lifetime, make-before-break: its Quick Mode takes the VTI
 * over (the invariants check every message), then the old SA and its Phase 2 SAs are deleted
 * with the peer; twice in a row.
 */
static void test_v1_p1_rekey(void)
{
	v1_extra[0] = "      rekey_time: 20\n";
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	run(300);
	v1_check_up();
	struct ike_sa *first = cur(A);
	CU_ASSERT_EQUAL(first->v1->p1c.life_s, 20);
	run(18500); /* 9/10 of 20 s: a second SA, its child, the first one gone on both ends */
	CU_ASSERT_EQUAL(A->c.ike->st.v1_established, 2);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_established, 2);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	v1_check_up();
	CU_ASSERT_EQUAL(dp_count(A), 2);
	CU_ASSERT_EQUAL(dp_count(B), 2);
	run(20000); /* and again, from the second one */
	CU_ASSERT_EQUAL(A->c.ike->st.v1_established, 3);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 1);
	v1_check_up();
	CU_ASSERT_EQUAL(A->c.ike->st.peers_dead + B->c.ike->st.peers_dead, 0);
	v1_extra[0] = NULL;
	engines_down();
}

/*
 * RFC 2407 4.5: a lifetime in kilobytes (rekey_bytes 900000: 977 kB offered) is what both data
 * planes enforce; a responder allowing less answers RESPONDER-LIFETIME (4.6.3.1) and both keep
 * the lower value.
 */
static void test_v1_life_kb(void)
{
	struct ike_child *ca = NULL, *cb = NULL;
	const char *const keys[] = {"          rekey_bytes: 900000\n",
				    "          rekey_bytes: 450000\n"};
	for (int k = 0; k < 2; k++) {
		v1_child_extra[0] = keys[0];
		v1_child_extra[1] = k == 0 ? NULL : keys[1];
		CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
		run(300);
		v1_check_up();
		active_children(A, &ca);
		active_children(B, &cb);
		uint64_t want = k == 0 ? 977 * 1024 : 489 * 1024; /* B's own: 450000 / 0.9 */
		const struct sa *sa_a = sa_get(A->dp->sas, ca->sa_out);
		const struct sa *sa_b = sa_get(B->dp->sas, cb->sa_in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa_a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa_b);
		CU_ASSERT_EQUAL(sa_a->life.hard_bytes, want);
		CU_ASSERT_EQUAL(sa_b->life.hard_bytes, want);
		CU_ASSERT(sa_a->life.soft_bytes > 0 && sa_a->life.soft_bytes <= want / 10 * 9);
		engines_down();
	}
	v1_child_extra[0] = v1_child_extra[1] = NULL;
}

/* RFC 2409 5.4: Aggressive Mode, only with a peer that allows it. */
static void test_v1_aggressive(void)
{
	static const uint8_t exch[] = {4, 4, 4, 32, 32, 32};
	v1_extra[0] = v1_extra[1] = "      aggressive: true\n";
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL_FATAL(hn, RTE_DIM(exch));
	for (unsigned int i = 0; i < hn; i++) {
		CU_ASSERT_EQUAL(v1_exch(&hist[i]), exch[i]);
		CU_ASSERT_EQUAL(!!(hist[i].buf[19] & IKEV1_FLAG_E), i >= 2);
	}
	v1_check_up();
	CU_ASSERT_EQUAL(cur(A)->v1->exch, IKEV1_EXCH_AGGRESSIVE);
	CU_ASSERT_EQUAL(cur(B)->v1->exch, IKEV1_EXCH_AGGRESSIVE);
	/* message 3 lost: B answers 1 again only on its own timer; A's 3 is the copy it resends */
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	drop_nth = 2;
	seen = 0;
	run_filtered(8000, drop_once);
	drop_nth = -1;
	v1_check_up();
	/* a wrong key: message 2's HASH_R does not verify at A; nothing kept on either side */
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, "not the key the other engine has"), 0);
	run(300);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[IKEV1_DROP_AUTH], 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	run(40000); /* B's half-open SA times out */
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	/* B does not allow it: refused before any DH work, counted, nothing kept */
	v1_extra[1] = NULL;
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, NULL), 0);
	run(300);
	CU_ASSERT(B->c.ike->st.v1_drop[IKEV1_DROP_AGGRESSIVE] >= 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(cur(A), NULL);
	v1_extra[0] = NULL;
	engines_down();
}

/* The three refusals operators meet, each counted once, nothing kept. */
static void test_v1_refusals(void)
{
	/* a wrong pre-shared key: message 5 does not decrypt or verify */
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, NULL, "not the key the other engine has"), 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_AUTH], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(cur(A), NULL);
	/* Phase 1 proposals that do not meet */
	CU_ASSERT_EQUAL_FATAL(v1_up(NULL, NULL, "aes256-sha512-modp4096", NULL), 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_NO_PROPOSAL], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	/* Phase 2 transforms that do not meet: Phase 1 stays, no child */
	CU_ASSERT_EQUAL_FATAL(v1_up("aes128-sha1", "aes128-sha256", NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_NO_P2_PROPOSAL], 1);
	CU_ASSERT_PTR_NOT_NULL(cur(B));
	CU_ASSERT_EQUAL(dp_count(A) + dp_count(B), 0);
	engines_down();
}

/* ---- Main Mode with certificates (RFC 2409 5.1) ---- */

/*
 * A test PKI made now with OpenSSL's API, in a scratch directory the engines' configs name (no
 * key is ever committed): a root CA (P-256) with an intermediate CA under it; for each engine an
 * RSA-2048 certificate from the root, a P-256 one from the intermediate (its file holds the
 * intermediate after it: sent in a second CERT payload, for the other engine has the root only)
 * and a P-384 one from the root; another root with certificates for both names of its own.
 */
enum {
	V1K_ROOT,
	V1K_IM,
	V1K_A_RSA,
	V1K_B_RSA,
	V1K_A_EC,
	V1K_B_EC,
	V1K_A_384,
	V1K_B_384,
	V1K_ROGUE_CA,
	V1K_A_ROGUE,
	V1K_B_ROGUE,
	V1K_N
};

static const struct {
	const char *file;
	int issuer; /* -1: self-signed */
	int bits;   /* RSA-2048, else the curve: 256 or 384 */
	const char *cn;
	bool ca;
} v1k_spec[V1K_N] = {
	[V1K_ROOT] = {"root", -1, 256, "vpnhub test root CA", true},
	[V1K_IM] = {"im", V1K_ROOT, 256, "vpnhub test intermediate CA", true},
	[V1K_A_RSA] = {"a-rsa", V1K_ROOT, 2048, "a.example.net", false},
	[V1K_B_RSA] = {"b-rsa", V1K_ROOT, 2048, "b.example.net", false},
	[V1K_A_EC] = {"a-ec", V1K_IM, 256, "a.example.net", false},
	[V1K_B_EC] = {"b-ec", V1K_IM, 256, "b.example.net", false},
	[V1K_A_384] = {"a-384", V1K_ROOT, 384, "a.example.net", false},
	[V1K_B_384] = {"b-384", V1K_ROOT, 384, "b.example.net", false},
	[V1K_ROGUE_CA] = {"rogue-ca", -1, 256, "another root CA", true},
	[V1K_A_ROGUE] = {"a-rogue", V1K_ROGUE_CA, 256, "a.example.net", false},
	[V1K_B_ROGUE] = {"b-rogue", V1K_ROGUE_CA, 256, "b.example.net", false},
};

static struct {
	char dir[64];
	EVP_PKEY *key[V1K_N];
	X509 *x[V1K_N];
} v1k;

/* Certificate i of the spec for its key, signed by its issuer: a day each way from now. */
static X509 *v1k_cert(int i)
{
	int up = v1k_spec[i].issuer;
	X509 *x = X509_new(), *ux = up >= 0 ? v1k.x[up] : x;
	X509_NAME *n = x != NULL ? X509_get_subject_name(x) : NULL;
	X509V3_CTX v3;
	char san[96];
	bool ok = n != NULL && X509_set_version(x, 2) == 1 &&
		  ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1) == 1 &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -86400) != NULL &&
		  X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL &&
		  X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const uint8_t *)"CH", -1, -1,
					     0) == 1 &&
		  X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const uint8_t *)"vpnhub test",
					     -1, -1, 0) == 1 &&
		  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const uint8_t *)v1k_spec[i].cn,
					     -1, -1, 0) == 1 &&
		  X509_set_issuer_name(x, X509_get_subject_name(ux)) == 1 &&
		  X509_set_pubkey(x, v1k.key[i]) == 1;
	const bool ca = v1k_spec[i].ca;
	const char *ext[][2] = {
		{"basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE"},
		{"keyUsage", ca ? "critical,keyCertSign,cRLSign" : "digitalSignature"},
		{"subjectKeyIdentifier", "hash"},
		{"subjectAltName", ca ? NULL : san},
	};
	snprintf(san, sizeof(san), "DNS:%s", v1k_spec[i].cn);
	X509V3_set_ctx(&v3, ux, x, NULL, NULL, 0);
	for (size_t k = 0; ok && k < RTE_DIM(ext); k++) {
		if (ext[k][1] == NULL)
			continue;
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, ext[k][0], ext[k][1]);
		ok = e != NULL && X509_add_ext(x, e, -1) == 1;
		X509_EXTENSION_free(e);
	}
	if (ok && X509_sign(x, v1k.key[up >= 0 ? up : i], EVP_sha256()) > 0)
		return x;
	X509_free(x);
	return NULL;
}

/* <dir>/<file>.pem (the certificate, then its issuer when that is the intermediate), .key. */
static bool v1k_write(int i)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s.pem", v1k.dir, v1k_spec[i].file);
	FILE *f = fopen(path, "w");
	bool ok = f != NULL && PEM_write_X509(f, v1k.x[i]) == 1 &&
		  (v1k_spec[i].issuer != V1K_IM || PEM_write_X509(f, v1k.x[V1K_IM]) == 1);
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	snprintf(path, sizeof(path), "%s/%s.key", v1k.dir, v1k_spec[i].file);
	f = fopen(path, "w");
	ok = ok && f != NULL && PEM_write_PrivateKey(f, v1k.key[i], NULL, NULL, 0, NULL, NULL) == 1;
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	return ok;
}

static void v1k_down(void)
{
	char path[128];
	for (int i = 0; i < V1K_N; i++) {
		for (int k = 0; k < 2 && v1k.dir[0] != '\0'; k++) {
			snprintf(path, sizeof(path), "%s/%s.%s", v1k.dir, v1k_spec[i].file,
				 k == 0 ? "pem" : "key");
			unlink(path);
		}
		X509_free(v1k.x[i]);
		EVP_PKEY_free(v1k.key[i]);
		v1k.x[i] = NULL;
		v1k.key[i] = NULL;
	}
	if (v1k.dir[0] != '\0')
		rmdir(v1k.dir);
	v1k.dir[0] = '\0';
}

static int v1k_up(void)
{
	snprintf(v1k.dir, sizeof(v1k.dir), "/tmp/vhv1cert.XXXXXX");
	if (mkdtemp(v1k.dir) == NULL) {
		v1k.dir[0] = '\0';
		return -1;
	}
	for (int i = 0; i < V1K_N; i++) {
		int bits = v1k_spec[i].bits;
		v1k.key[i] = bits == 2048  ? EVP_RSA_gen(2048)
			     : bits == 384 ? EVP_EC_gen("P-384")
					   : EVP_EC_gen("P-256");
		v1k.x[i] = v1k.key[i] != NULL ? v1k_cert(i) : NULL;
		if (v1k.x[i] == NULL || !v1k_write(i))
			return -1;
	}
	return 0;
}

/* The line of yaml (NUL-terminated, in cap octets) that starts with from: to in its place. */
static void v1k_line(char *yaml, size_t cap, const char *from, const char *to)
{
	char *at = strstr(yaml, from), *end = at != NULL ? strchr(at, '\n') : NULL;
	size_t tl = strlen(to), rest = end != NULL ? strlen(end) + 1 : 0;
	if (end == NULL || (size_t)(at - yaml) + tl + rest > cap)
		return;
	memmove(at + tl, end, rest);
	memcpy(at, to, tl);
}

/* Engine i's config of yaml_v1 with auth: pubkey, certificate and key of i, the root as CA. */
static void v1k_yaml(int i, int cert, char *out, size_t cap)
{
	char auth[512];
	yaml_v1(i, NULL, NULL, NULL, out, cap);
	snprintf(auth, sizeof(auth),
		 "      auth: pubkey\n      cert: %s/%s.pem\n      key: %s/%s.key\n"
		 "      ca: %s/root.pem",
		 v1k.dir, v1k_spec[cert].file, v1k.dir, v1k_spec[cert].file, v1k.dir);
	v1k_line(out, cap, "      psk: ", auth);
}

/* A with certificate a, B with b; B's remote_id line (NULL: as yaml_v1 has it); A initiates. */
static int v1k_engines(int a, int b, const char *a_local_id, const char *b_remote_id)
{
	static char ya[8192], yb[8192];
	v1k_yaml(0, a, ya, sizeof(ya));
	v1k_yaml(1, b, yb, sizeof(yb));
	if (a_local_id != NULL)
		v1k_line(ya, sizeof(ya), "      local_id: ", a_local_id);
	if (b_remote_id != NULL)
		v1k_line(yb, sizeof(yb), "      remote_id: ", b_remote_id);
	return engines_up_yaml(ya, yb);
}

/* The Cert Encoding and CA of each CR of plain message w (3 or 4): X.509, the root's subject. */
static unsigned int v1k_crs(const struct wire *w)
{
	static struct ikev1_msg m;
	uint8_t dn[256];
	unsigned char *p = dn;
	int dl = i2d_X509_NAME(X509_get_subject_name(v1k.x[V1K_ROOT]), NULL);
	unsigned int n = 0;
	if (dl <= 0 || dl > (int)sizeof(dn) || ikev1_msg_parse(&m, w->buf, w->len) != 0)
		return 0;
	i2d_X509_NAME(X509_get_subject_name(v1k.x[V1K_ROOT]), &p);
	for (const struct ikev1_payload *cr = ikev1_msg_find(&m, IKEV1_PL_CR, NULL); cr != NULL;
	     cr = ikev1_msg_find(&m, IKEV1_PL_CR, cr))
		n += cr->len == 1u + (unsigned int)dl && cr->body[0] == 4 &&
		     memcmp(cr->body + 1, dn, (size_t)dl) == 0;
	return n;
}

/* Main Mode with signatures established with certificates a and b: method, CRs, no drop. */
static void v1k_established(int a, int b, uint16_t method)
{
	static const uint8_t exch[] = {2, 2, 2, 2, 2, 2, 32, 32, 32};
	CU_ASSERT_EQUAL_FATAL(v1k_engines(a, b, NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL_FATAL(hn, RTE_DIM(exch));
	for (unsigned int i = 0; i < hn; i++) {
		CU_ASSERT_EQUAL(v1_exch(&hist[i]), exch[i]);
		CU_ASSERT_EQUAL(!!(hist[i].buf[19] & IKEV1_FLAG_E), i >= 4);
	}
	CU_ASSERT_EQUAL(v1k_crs(&hist[2]), 1); /* messages 3 and 4: a CR naming the root */
	CU_ASSERT_EQUAL(v1k_crs(&hist[3]), 1);
	v1_check_up();
	CU_ASSERT_EQUAL(cur(A)->v1->p1c.auth, method);
	CU_ASSERT_EQUAL(cur(B)->v1->p1c.auth, method);
	CU_ASSERT_EQUAL(cur(B)->peer_id.type, CFG_IKE_ID_FQDN);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_established + B->c.ike->st.v1_established, 2);
	for (int i = 0; i < IKEV1_DROP_MAX; i++)
		CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[i] + B->c.ike->st.v1_drop[i], 0);
	for (int i = 0; i < IKE_DROP_MAX; i++)
		CU_ASSERT_EQUAL(A->c.ike->st.drop[i] + B->c.ike->st.drop[i], 0);
	engines_down();
}

static unsigned int v1k_spoiled;

/*
 * B's message 6 (Main Mode, encrypted) with one bit of its next-to-last cipher block flipped:
 * CBC garbles that plaintext block, which lies inside SIG_R (64 octets, the last payload).
 */
static bool v1k_spoil_sig(const struct wire *w)
{
	if (v1k_spoiled == 0 && w->from == 1 && v1_exch(w) == IKEV1_EXCH_MAIN &&
	    (w->buf[19] & IKEV1_FLAG_E) != 0 && w->len > IKEV1_HDR_LEN + 32) {
		cur_msg.buf[cur_msg.len - 17] ^= 0x01;
		v1k_spoiled++;
	}
	return false;
}

/*
 * RFC 2409 5.1, RFC 4754: Main Mode authenticated with signatures, methods 3 (RSA), 9 and 10
 * (ECDSA P-256, P-384) as each end's key says, certificates chained through an intermediate
 * that is sent along; and the refusals, each counted once with nothing kept: a garbled SIG, a
 * certificate of another CA (at the responder, then at the initiator), an identity other than
 * remote_id, keys of two types (IKEv1 has one method for both ends).
 */
static void test_v1_certs(void)
{
	CU_ASSERT_EQUAL_FATAL(v1k_up(), 0);
	v1k_established(V1K_A_RSA, V1K_B_RSA, IKEV1_AUTH_RSA_SIG);
	v1k_established(V1K_A_EC, V1K_B_EC, IKEV1_AUTH_ECDSA_256);
	v1k_established(V1K_A_384, V1K_B_384, IKEV1_AUTH_ECDSA_384);
	/* identities as DNs: the subject, compared in the canonical form (RFC 5280 7.1) */
	CU_ASSERT_EQUAL_FATAL(
		v1k_engines(V1K_A_EC, V1K_B_EC,
			    "      local_id: \"dn:C=CH, O=vpnhub test, CN=a.example.net\"",
			    "      remote_id: \"dn:C=CH,O=VPNHUB TEST,CN=a.example.net\""),
		0);
	run(300);
	v1_check_up();
	CU_ASSERT_EQUAL(cur(B)->peer_id.type, CFG_IKE_ID_DN);
	/* SIG_R garbled on the way: A says the signature did not verify, keeps nothing */
	CU_ASSERT_EQUAL_FATAL(v1k_engines(V1K_A_EC, V1K_B_EC, NULL, NULL), 0);
	v1k_spoiled = 0;
	run_filtered(300, v1k_spoil_sig);
	CU_ASSERT_EQUAL(v1k_spoiled, 1);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[IKEV1_DROP_AUTH], 1);
	CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[IKEV1_DROP_DECRYPT], 0);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	/* A's certificate from another CA: B refuses message 5 */
	CU_ASSERT_EQUAL_FATAL(v1k_engines(V1K_A_ROGUE, V1K_B_EC, NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_CERT_UNTRUSTED], 1);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_AUTH], 0);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	run(20000); /* A's message 5 unanswered: it gives up */
	CU_ASSERT_EQUAL(B->c.ike->st.drop[IKE_DROP_CERT_UNTRUSTED], 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(dp_count(A) + dp_count(B), 0);
	/* B's certificate from another CA: A refuses message 6 */
	CU_ASSERT_EQUAL_FATAL(v1k_engines(V1K_A_EC, V1K_B_ROGUE, NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL(A->c.ike->st.drop[IKE_DROP_CERT_UNTRUSTED], 1);
	CU_ASSERT_EQUAL(A->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(dp_count(A) + dp_count(B), 0);
	/* A is not the remote_id B wants, though its certificate is good */
	CU_ASSERT_EQUAL_FATAL(
		v1k_engines(V1K_A_EC, V1K_B_EC, NULL, "      remote_id: fqdn:c.example.net"), 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_ID], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	/* an RSA key at A, an EC key at B: B takes no transform of A's (method 3 offered) */
	CU_ASSERT_EQUAL_FATAL(v1k_engines(V1K_A_RSA, V1K_B_EC, NULL, NULL), 0);
	run(300);
	CU_ASSERT_EQUAL(B->c.ike->st.v1_drop[IKEV1_DROP_NO_PROPOSAL], 1);
	CU_ASSERT_EQUAL(B->c.ike->n_sa, 0);
	CU_ASSERT_EQUAL(cur(A), NULL);
	engines_down();
	v1k_down();
}

/* ---- legacy Phase 1 (ipsec.legacy): an old Cisco spoke's 3DES, MD5 and group 2 or 5 ---- */

/* Both engines with yaml_v1's configs for Phase 1 ike and Phase 2 esp, and ipsec.legacy. */
static int v1_up_legacy(const char *ike, const char *esp, bool legacy)
{
	static const char sect[] = "ipsec:\n  legacy: true\n";
	static char ya[4096], yb[4096];
	yaml_v1(0, esp, ike, NULL, ya, sizeof(ya) - sizeof(sect));
	yaml_v1(1, esp, ike, NULL, yb, sizeof(yb) - sizeof(sect));
	if (legacy) {
		strcat(ya, sect);
		strcat(yb, sect);
	}
	return engines_up_yaml(ya, yb);
}

/*
 * RFC 2409 with the algorithms of its day: Main Mode with 3DES-CBC, the MD5 hash (HMAC-MD5 its
 * PRF) and MODP group 2 (RFC 2409 6.2), then group 5 (RFC 3526 2), and Quick Mode to ESP
 * 3DES with HMAC-MD5-96, keys alike on both ends. Without ipsec.legacy the config is refused.
 */
static void test_v1_legacy(void)
{
	static const struct {
		const char *ike;
		uint16_t dh;
	} g[] = {{"3des-md5-modp1024", 2}, {"3des-md5-modp1536", 5}};

	for (size_t k = 0; k < RTE_DIM(g); k++) {
		CU_ASSERT_EQUAL_FATAL(v1_up_legacy(g[k].ike, "3des-md5", true), 0);
		CU_ASSERT_TRUE(A->cfg->legacy_used && B->cfg->legacy_used);
		run(300);
		CU_ASSERT_EQUAL(hn, 9); /* Main Mode and Quick Mode, nothing retransmitted */
		v1_check_up();
		for (int e = 0; e < 2; e++) {
			const struct ike_sa *sa = cur(e == 0 ? A : B);
			struct ike_child *c = NULL;
			CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
			CU_ASSERT_EQUAL(sa->v1->p1c.encr, IKEV1_ID_ENCR_3DES);
			CU_ASSERT_EQUAL(sa->v1->p1c.prf, IKEV1_ID_PRF_MD5);
			CU_ASSERT_EQUAL(sa->v1->p1c.dh, g[k].dh);
			CU_ASSERT_EQUAL_FATAL(active_children(e == 0 ? A : B, &c), 1);
			CU_ASSERT_EQUAL(c->encr, IKEV1_ID_ENCR_3DES);
			CU_ASSERT_EQUAL(c->integ, IKEV1_ID_INTEG_MD5);
		}
		CU_ASSERT_EQUAL(A->c.ike->st.retransmits + B->c.ike->st.retransmits, 0);
		for (int i = 0; i < IKEV1_DROP_MAX; i++)
			CU_ASSERT_EQUAL(A->c.ike->st.v1_drop[i] + B->c.ike->st.v1_drop[i], 0);
	}
	/* the same configs without ipsec.legacy do not load */
	CU_ASSERT_EQUAL(v1_up_legacy(g[0].ike, "3des-md5", false), -1);
	engines_down();
}

int test_ikev1_engine_register(void)
{
	CU_pSuite s = CU_add_suite("ikev1_engine", NULL, suite_cleanup);
	if (s == NULL || CU_add_test(s, "Main and Quick Mode", test_v1_establish) == NULL ||
	    CU_add_test(s, "Quick Mode with PFS", test_v1_pfs) == NULL ||
	    CU_add_test(s, "lost messages", test_v1_lost) == NULL ||
	    CU_add_test(s, "duplicated messages", test_v1_duplicated) == NULL ||
	    CU_add_test(s, "Phase 2 rekey", test_v1_rekey) == NULL ||
	    CU_add_test(s, "DPD", test_v1_dpd) == NULL ||
	    CU_add_test(s, "refusals", test_v1_refusals) == NULL ||
	    CU_add_test(s, "Aggressive Mode", test_v1_aggressive) == NULL ||
	    CU_add_test(s, "Phase 1 rekey", test_v1_p1_rekey) == NULL ||
	    CU_add_test(s, "lifetime in kilobytes", test_v1_life_kb) == NULL ||
	    CU_add_test(s, "legacy Phase 1", test_v1_legacy) == NULL ||
	    CU_add_test(s, "Main Mode with certificates", test_v1_certs) == NULL)
		return CU_get_error();
	return CUE_SUCCESS;
}
