/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/ike_bench.c - vpnhub-ike-bench: IKEv2 establishments per second on the control core
 * (the ike-setup benchmark of perf/README.md), beside the rate of the bare crypto operations one
 * establishment costs the responder, measured in the same run.
 *
 * Two real IKE engines run in this process, as in test/unit/test_ike_engine.c: each a struct
 * ctrl brought up by ctrl_init() from its YAML, over a data plane whose worker is never
 * launched. The hub (the responder) is configured as a hub is, one peer of `remote: any`; the
 * other engine plays initiators: it starts an IKE SA (IKE_SA_INIT, then IKE_AUTH with one
 * Child SA), and once both ends hold it established, both drop it and the next one starts. The
 * engines' ike->xmit hook hands each message to the other engine's ike_input() in a fresh
 * mbuf, as the punt path would. Only the cycles spent inside the hub's ike_input() are the
 * hub's (parsing, DH, keys, AUTH, the Child SA's data plane install); the initiator's share is
 * timed apart and reported too.
 *
 * The reference: per establishment the responder generates one key pair and derives one shared
 * secret in the chosen group (plus, with certificates, one signature and one verification);
 * those operations alone, in a loop on the same core, give the crypto-only bound. The ratio of
 * the two is what the target reads (PSK + Curve25519: at least 25 %).
 *
 * ike-hold (--hold N [--sample K]): N IKE SAs, each with its Child SA, established one after
 * the other and then kept for --minutes of IKE time (default 5) with liveness checks every 30 s
 * of silence; IKE's clock is the engines' hook, advanced in 100 ms ticks, so five minutes take
 * seconds. On K of them (default 100) ESP flows all along: every tick one datagram each way,
 * encrypted by the sender's data plane with its Child SA's outbound SA (esp_out) and decrypted
 * by the receiver's (esp_in: SPI lookup, replay window, ICV), both run on the calling thread
 * for the worker that owns them, and compared with what was sent. Traffic is a sign of life
 * (RFC 7296 2.4), so those K see no liveness check; the others all do. Reported: the hub's
 * memory per IKE SA (DPDK heap and libc heap growth while they were made, over N), the
 * liveness exchanges, the datagrams and that every SA is still there at the end.
 *
 * ike-flood (--flood SECONDS): for that long, forged IKE_SA_INIT requests (a real request of
 * the initiating engine, each copy with a random SPIi from a random source address) reach the
 * hub as fast as this core makes them, while the initiating engine establishes up to 100 IKE
 * SAs one after the other, each with the cookie round trip the flood brings on. Reported: the
 * forged rate, how many legitimate establishments succeeded and their latency, the hub's most
 * half-open SAs (never above its cap) and the growth of the process's resident memory.
 *
 * Usage: vpnhub-ike-bench [--quick] [--count N] [--hold N [--sample K] [--minutes M]]
 *                          [--flood SECONDS]
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_log.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_timer.h>
#include <rte_udp.h>

#include "conf/config.h"
#include "crypto/ike_dh.h"
#include "ctrlplane/ctrl.h"
#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ipsec.h"
#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/esp.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"
#include "test/ike_pair.h"

#define HUB	0
#define INIT	1
#define L2	14
#define QMAX	16384 /* a tick of ike-hold may send one liveness check per SA */
#define MSG_MAX 2048  /* the benchmark's messages; certificates fit */

struct msg {
	int to;
	struct ike_path p;
	size_t len;
	uint8_t buf[MSG_MAX];
};

static struct ike_pair_eng eng[2];
static struct msg q[QMAX];
static unsigned int qn;
static uint64_t hub_cycles, init_cycles;
static uint64_t hub_max; /* the longest single message the hub handled, in cycles */
static uint64_t clk;	 /* IKE's time for ike-hold (0: the TSC) */

static const char *const addr[2] = {"192.0.2.1", "192.0.2.2"};

static char pki[64]; /* the certificates' directory, when made */

/*
 * A test PKI for the certificate row: an ECDSA P-256 CA and a certificate for each engine, its
 * fqdn in the subjectAltName, made with the openssl command. 0 or -1.
 */
static int make_pki(void)
{
	char cmd[2048];
	snprintf(pki, sizeof(pki), "/tmp/vpnhub-ike-bench.XXXXXX");
	if (mkdtemp(pki) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout ca.key -out ca.pem -subj /CN=bench-ca -days 2 >/dev/null 2>&1 && "
		 "for n in hub spoke; do "
		 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key "
		 "-out $n.csr -subj /CN=$n.example.net >/dev/null 2>&1 && "
		 "printf 'subjectAltName=DNS:%%s.example.net\n' $n > $n.ext && "
		 "openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		 "-out $n.pem -days 2 -extfile $n.ext >/dev/null 2>&1 || exit 1; done",
		 pki);
	return system(cmd) == 0 ? 0 : -1;
}

static void drop_pki(void)
{
	char cmd[128];
	if (pki[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	if (system(cmd) != 0)
		fprintf(stderr, "vpnhub-ike-bench: %s left behind\n", pki);
}

static int dpd_delay; /* the peers' dpd_delay in seconds */
/* the hub's ike.limits: one establishment at a time, so the caps never bite */
static const char *limits =
	"half_open_max: 16, cookie_threshold: 16, per_source_max: 0, per_source_rate: 0";

/* The hub: one peer of remote any; the initiator: one peer, the hub. */
static void yaml_of(int i, const char *ike, const char *esp, bool certs, char *out, size_t size)
{
	char auth[512];
	const char *me = i == HUB ? "hub" : "spoke";
	if (certs)
		snprintf(auth, sizeof(auth),
			 "      auth: pubkey\n      cert: %s/%s.pem\n      key: %s/%s.key\n"
			 "      ca: %s/ca.pem\n",
			 pki, me, pki, me, pki);
	else
		snprintf(auth, sizeof(auth),
			 "      psk: \"benchmark pre-shared key, not secret\"\n");
	snprintf(out, size,
		 "system:\n  name: bench%d\n"
		 "interfaces:\n  - name: wan0\n    port: net_null%d\n    ipv4: %s/24\n"
		 "ike:\n  limits: {%s}\n"
		 "  peers:\n    - name: p\n      local: %s\n      remote: %s\n"
		 "      local_id: fqdn:%s.example.net\n      remote_id: fqdn:%s.example.net\n"
		 "%s"
		 "      ike: [%s]\n      dpd_delay: %d\n      rekey_time: 0\n"
		 "      children:\n        - name: c\n          esp: [%s]\n",
		 i, i, addr[i], limits, addr[i], i == HUB ? "any" : addr[HUB], me,
		 i == HUB ? "spoke" : "hub", auth, ike, dpd_delay, esp);
}

static uint64_t clock_now(const struct ike *ike)
{
	(void)ike;
	return clk;
}

static unsigned int to_forged; /* the hub's answers to forged sources, not delivered */
static unsigned long lost;     /* messages the queue could not take (the first is said) */

static int capture(struct ike *ike, const struct ike_path *p, const uint8_t *msg, size_t len)
{
	int from = ike == eng[HUB].c.ike ? HUB : INIT;
	if (from == HUB && memcmp(p->remote, eng[INIT].cfg->ifaces[0].v4[0].bytes, 4) != 0) {
		to_forged++; /* to an address nobody holds */
		return 0;
	}
	if (qn == QMAX || len > MSG_MAX) {
		if (lost++ == 0)
			fprintf(stderr, "vpnhub-ike-bench: message of %zu octets lost (queue %u)\n",
				len, qn);
		return -ENOBUFS;
	}
	struct msg *m = &q[qn++];
	m->to = 1 - from;
	m->p = *p;
	m->len = len;
	memcpy(m->buf, msg, len);
	return 0;
}

static int engine_up(int i, const char *yaml)
{
	return ike_pair_up(&eng[i], i, yaml, capture, clk != 0 ? clock_now : NULL);
}

static void engines_down(void)
{
	ike_pair_down(eng, 2);
	qn = 0;
}

/* Message m to its engine as the punt path hands it over: Ethernet, IPv4, UDP (+ marker). */
static void deliver(const struct msg *m)
{
	struct ike_pair_eng *e = &eng[m->to];
	struct rte_mbuf *mb = ike_pair_datagram(e->dp->pool, &m->p, m->buf, m->len);
	if (mb == NULL)
		return;
	uint64_t t0 = rte_rdtsc_precise();
	ike_input(&e->c, mb, AF_INET);
	uint64_t dt = rte_rdtsc_precise() - t0;
	if (m->to == HUB) {
		hub_cycles += dt;
		hub_max = dt > hub_max ? dt : hub_max;
	} else
		init_cycles += dt;
}

/* Deliver what is queued, and what that makes, until the wire is quiet. */
static void pump(void)
{
	static struct msg batch[QMAX];
	for (unsigned int round = 0; qn > 0 && round < 64; round++) {
		unsigned int n = qn;
		memcpy(batch, q, n * sizeof(q[0])); /* answers queue up behind */
		qn = 0;
		for (unsigned int i = 0; i < n; i++)
			deliver(&batch[i]);
	}
}

static struct ike_sa *established(struct ike_pair_eng *e)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(e->c.ike->by_spi, &key, &data, &next) >= 0)
		if (((struct ike_sa *)data)->state == IKE_S_ESTABLISHED)
			return data;
	return NULL;
}

/* n establishments; 0, or -1 when one did not complete. keep: both ends keep them. */
static int setups_keep(unsigned int n, bool keep)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t t0 = rte_rdtsc_precise();
		if (ike_initiate(eng[INIT].c.ike, &eng[INIT].cfg->ike_peers[0], 0) == NULL)
			return -1;
		init_cycles += rte_rdtsc_precise() - t0;
		pump();
		if (keep) {
			if (eng[HUB].c.ike->st.established != i + 1)
				return -1;
			continue;
		}
		struct ike_sa *h = established(&eng[HUB]), *s = established(&eng[INIT]);
		if (h == NULL || s == NULL || h->n_child != 1 || s->n_child != 1)
			return -1;
		ike_sa_delete(h); /* both forget it: the next one starts clean */
		ike_sa_delete(s);
	}
	return 0;
}

static int setups(unsigned int n)
{
	return setups_keep(n, false);
}

static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t used = 0;
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats((int)s, &st) == 0)
			used += st.heap_allocsz_bytes;
	return used;
}

static unsigned int live(struct ike_pair_eng *e)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	unsigned int n = 0;
	while (rte_hash_iterate(e->c.ike->by_spi, &key, &data, &next) >= 0)
		n += ((struct ike_sa *)data)->state == IKE_S_ESTABLISHED &&
		     ((struct ike_sa *)data)->n_child == 1;
	return n;
}

static long rss_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	if (f != NULL)
		fclose(f);
	return kb;
}

/* One forged copy of the IKE_SA_INIT request tmpl: a random SPIi from a random source. */
static void forge(const struct msg *tmpl, uint64_t *seed)
{
	static struct msg m;
	m = *tmpl;
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	memcpy(m.buf, seed, 8);							/* SPIi */
	uint32_t src = rte_cpu_to_be_32(0x0a000000u | (uint32_t)(*seed >> 40)); /* 10/8 */
	memcpy(m.p.local, &src, 4);
	deliver(&m);
}

/* ike-flood: seconds of forged IKE_SA_INIT while up to 100 legitimate ones establish. */
static int flood(unsigned int seconds)
{
	static char ya[2048], yb[2048];
	static struct msg tmpl;
	dpd_delay = 0;
	limits = "half_open_max: 1024, cookie_threshold: 64, per_source_max: 0"; /* a hub's */
	yaml_of(HUB, "aes128gcm16-prfsha256-x25519", "aes128gcm16", false, ya, sizeof(ya));
	yaml_of(INIT, "aes128gcm16-prfsha256-x25519", "aes128gcm16", false, yb, sizeof(yb));
	if (engine_up(HUB, ya) != 0 || engine_up(INIT, yb) != 0) {
		engines_down();
		return -1;
	}
	/* the template: the initiator's first request, taken off the wire */
	if (ike_initiate(eng[INIT].c.ike, &eng[INIT].cfg->ike_peers[0], 0) == NULL || qn != 1) {
		engines_down();
		return -1;
	}
	tmpl = q[0];
	qn = 0;
	engines_down(); /* a fresh pair for the run */
	if (engine_up(HUB, ya) != 0 || engine_up(INIT, yb) != 0) {
		engines_down();
		return -1;
	}
	to_forged = 0;
	uint64_t hz = rte_get_tsc_hz(), seed = 0x9e3779b97f4a7c15ull, forged = 0;
	uint64_t start = rte_rdtsc_precise(), end = start + seconds * hz, t_sa = 0;
	uint64_t lat_sum = 0, lat_max = 0;
	unsigned int ok = 0, tried = 0, half_max = 0;
	long rss0 = rss_kb();
	uint64_t every = seconds * hz / 100; /* 100 legitimate ones, spread over the run */
	while (rte_rdtsc_precise() < end) {
		if (t_sa == 0 && tried < 100 && rte_rdtsc_precise() >= start + tried * every) {
			t_sa = rte_rdtsc_precise();
			tried++;
			ike_initiate(eng[INIT].c.ike, &eng[INIT].cfg->ike_peers[0], 0);
		}
		for (int i = 0; i < 64; i++, forged++)
			forge(&tmpl, &seed);
		unsigned int h = (unsigned int)rte_hash_count(eng[HUB].c.ike->by_init);
		half_max = h > half_max ? h : half_max;
		pump();
		struct ike_sa *s = t_sa != 0 ? established(&eng[INIT]) : NULL;
		if (s != NULL) {
			uint64_t dt = rte_rdtsc_precise() - t_sa;
			lat_sum += dt;
			lat_max = dt > lat_max ? dt : lat_max;
			ok++;
			ike_sa_delete(s);
			t_sa = 0;
		} else if (t_sa != 0 && rte_rdtsc_precise() - t_sa > 5 * hz) { /* given up on */
			t_sa = 0;
		}
	}
	double secs = (double)(rte_rdtsc_precise() - start) / (double)hz;
	printf("ike-flood: %.0f forged IKE_SA_INIT a second for %.1f s (%lu cookies sent, %lu "
	       "half-open refused); legitimate: %u of %u established, latency mean %.2f ms, "
	       "max %.2f ms; half-open at most %u (cap 1024); resident memory +%ld KiB\n",
	       (double)forged / secs, secs, eng[HUB].c.ike->st.cookies_sent,
	       eng[HUB].c.ike->st.drop[IKE_DROP_HALF_OPEN_FULL], ok, tried,
	       ok ? (double)lat_sum / ok * 1e3 / (double)hz : 0, (double)lat_max * 1e3 / (double)hz,
	       half_max, rss_kb() - rss0);
	int rc = ok == tried && tried == 100 && half_max <= 1024 ? 0 : -1;
	engines_down();
	return rc;
}

/* ike-hold's traffic: an IKE SA's Child SA as each end installed it. */
struct flow {
	uint32_t out[2];   /* engine e's outbound data plane SA id */
	uint8_t spi[2][8]; /* engine e's IKE SA, by its own SPI */
	uint32_t sent[2];  /* its next request's message ID when picked (2.3) */
	uint32_t seq;	   /* datagrams sent each way so far */
};

static const uint8_t *own_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

/* Requests (liveness checks) engine e sent on flow f's IKE SA since it was picked; -1: gone. */
static long flow_requests(const struct flow *f, int e)
{
	const struct ike_sa *sa = ike_sa_by_spi(eng[e].c.ike, f->spi[e]);
	return sa == NULL ? -1 : (long)(sa->send_next - f->sent[e]);
}

static struct flow *flows;
static unsigned int n_flows;
static uint64_t esp_sent, esp_ok;

/* Pair the initiator's first k established SAs with the hub's, by Child SA SPI. */
static unsigned int flows_pick(unsigned int k)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	n_flows = 0;
	while (n_flows < k && rte_hash_iterate(eng[INIT].c.ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *s = data;
		if (s->state != IKE_S_ESTABLISHED || s->n_child != 1)
			continue;
		const void *hk;
		void *hd;
		uint32_t hn = 0;
		while (rte_hash_iterate(eng[HUB].c.ike->by_spi, &hk, &hd, &hn) >= 0) {
			const struct ike_sa *h = hd;
			if (h->state == IKE_S_ESTABLISHED && h->n_child == 1 &&
			    h->child[0].spi_in == s->child[0].spi_out) {
				struct flow *f = &flows[n_flows++];
				f->out[HUB] = h->child[0].sa_out;
				f->out[INIT] = s->child[0].sa_out;
				memcpy(f->spi[HUB], own_spi(h), 8);
				memcpy(f->spi[INIT], own_spi(s), 8);
				f->sent[HUB] = h->send_next;
				f->sent[INIT] = s->send_next;
				f->seq = 0;
				break;
			}
		}
	}
	return n_flows;
}

/*
 * One UDP datagram from engine `from` to the other on flow f: encrypted by from's data plane,
 * decrypted by the other's, compared with what was sent. true when it came out unchanged.
 */
static bool esp_one(int from, const struct flow *f)
{
	enum { L3 = L2, LEN = L3 + 20 + 8 + 32 };
	struct ike_pair_eng *s = &eng[from], *r = &eng[1 - from];
	struct ike_path p = {.family = AF_INET, .lport = 9, .rport = 9}; /* UDP discard */
	memcpy(p.local, s->cfg->ifaces[0].v4[0].bytes, 4);
	memcpy(p.remote, r->cfg->ifaces[0].v4[0].bytes, 4);
	char pay[32] = "";
	snprintf(pay, sizeof(pay), "flow %u/%u seq %u", f->out[0], f->out[1], f->seq);
	struct rte_mbuf *mb = ike_pair_datagram(s->dp->pool, &p, (const uint8_t *)pay, sizeof(pay));
	if (mb == NULL)
		return false;
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L3);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uint8_t pkt[LEN]; /* what must come out */
	memcpy(pkt, rte_pktmbuf_mtod(mb, uint8_t *), LEN);
	struct dp_meta *m = dp_meta(mb);
	memset(m, 0, sizeof(*m));
	m->family = AF_INET;
	m->l3_off = L3;
	m->in_ifindex = m->out_ifindex = 1;
	m->flags = DP_MF_SA_SET;
	m->sa_id = f->out[from];
	struct dp_vec v;
	dp_vec_reset(&v);
	v.esp_out[v.n_esp_out++] = mb;
	esp_out(&s->dp->workers[0], &v);
	if (v.n_ip4 != 1) /* dropped and counted by the sender */
		return false;
	mb = v.ip4[0];
	m = dp_meta(mb);
	memset(m, 0, sizeof(*m));
	m->family = AF_INET;
	m->l3_off = L3;
	m->in_ifindex = 1;
	dp_vec_reset(&v);
	v.esp_in[v.n_esp_in++] = mb;
	esp_in(&r->dp->workers[0], &v); /* mb's pool is the sender's: it goes back there */
	bool ok = v.n_ip4 == 1 && rte_pktmbuf_pkt_len(v.ip4[0]) == LEN &&
		  memcmp(rte_pktmbuf_mtod_offset(v.ip4[0], uint8_t *, L3), pkt + L3, LEN - L3) == 0;
	for (uint16_t i = 0; i < v.n_ip4; i++)
		rte_pktmbuf_free(v.ip4[i]);
	for (uint16_t i = 0; i < v.n_punt; i++)
		rte_pktmbuf_free(v.punt[i]);
	return ok;
}

/* A tick of traffic: one datagram each way on every flow. */
static void esp_tick(void)
{
	for (unsigned int i = 0; i < n_flows; i++) {
		esp_ok += esp_one(INIT, &flows[i]);
		esp_ok += esp_one(HUB, &flows[i]);
		esp_sent += 2;
		flows[i].seq++;
	}
}

/* ike-hold: n IKE SAs made and kept alive for minutes of IKE time; 0 when none was lost. */
static int hold(unsigned int n, unsigned int sample, unsigned int minutes)
{
	static char ya[2048], yb[2048];
	dpd_delay = 30;
	clk = rte_get_timer_cycles();
	yaml_of(HUB, "aes128gcm16-prfsha256-x25519", "aes128gcm16", false, ya, sizeof(ya));
	yaml_of(INIT, "aes128gcm16-prfsha256-x25519", "aes128gcm16", false, yb, sizeof(yb));
	if (engine_up(HUB, ya) != 0 || engine_up(INIT, yb) != 0) {
		engines_down();
		return -1;
	}
	size_t heap0 = heap_used(), libc0 = mallinfo2().uordblks;
	int rc = setups_keep(n, true);
	/* both engines allocate from these heaps: half of the growth is the hub's */
	double dpdk_per = ((double)heap_used() - (double)heap0) / 2 / n;
	double libc_per = ((double)mallinfo2().uordblks - (double)libc0) / 2 / n;
	flows = calloc(sample + 1, sizeof(*flows));
	if (rc == 0 && (flows == NULL || flows_pick(sample) != sample))
		rc = -1;
	esp_sent = esp_ok = 0;
	lost = 0;
	uint64_t dpd0[2] = {eng[HUB].c.ike->st.dpd_sent, eng[INIT].c.ike->st.dpd_sent};
	uint64_t hz = rte_get_timer_hz(), t0 = rte_rdtsc_precise(), tick_cyc = 0, ticks = 0;
	for (uint64_t t = 0; rc == 0 && t < (uint64_t)minutes * 600; t++) {
		clk += hz / 10;
		esp_tick();
		uint64_t c0 = rte_rdtsc_precise();
		ike_tick(eng[HUB].c.ike); /* up to one liveness check per SA: N messages */
		tick_cyc += rte_rdtsc_precise() - c0;
		ticks++;
		pump();
		ike_tick(eng[INIT].c.ike);
		pump();
	}
	double secs = (double)(rte_rdtsc_precise() - t0) / (double)rte_get_tsc_hz();
	unsigned int lh = live(&eng[HUB]), li = live(&eng[INIT]);
	const struct ike_stats *st = &eng[INIT].c.ike->st, *sh = &eng[HUB].c.ike->st;
	uint64_t dpd_h = sh->dpd_sent - dpd0[0], dpd_i = st->dpd_sent - dpd0[1];
	/* an idle SA is checked after every dpd_delay of silence and the check's round trip */
	uint64_t per_idle = (uint64_t)minutes * 60 / (unsigned int)dpd_delay;
	unsigned int busy_checked = 0; /* flows whose IKE SA was checked or is gone, either end */
	for (unsigned int i = 0; i < n_flows; i++)
		busy_checked +=
			flow_requests(&flows[i], HUB) != 0 || flow_requests(&flows[i], INIT) != 0;
	printf("ike-hold: %u IKE SAs with a Child SA each, %u min of IKE time in %.1f s: "
	       "%u and %u still established (hub, initiator), peers dead %lu and %lu, "
	       "liveness checks %lu and %lu (on %u idle SAs, every %d s: %lu each at most)\n",
	       n, minutes, secs, lh, li, sh->peers_dead, st->peers_dead, dpd_h, dpd_i, n - sample,
	       dpd_delay, per_idle);
	printf("ike-hold: ESP on %u of them, one datagram each way per 100 ms: %lu sent, %lu "
	       "decrypted unchanged, %lu lost; liveness checks on them: %u\n",
	       n_flows, esp_sent, esp_ok, esp_sent - esp_ok, busy_checked);
	double tick_ms =
		ticks ? (double)tick_cyc / (double)ticks * 1e3 / (double)rte_get_tsc_hz() : 0;
	printf("ike-hold: the hub's 100 ms tick over its %u IKE SAs: %.2f ms on average (%.1f %% "
	       "of the control core, liveness checks it sent included)\n",
	       n, tick_ms, tick_ms /* ms every 100 ms: per cent */);
	printf("ike-hold: hub memory per IKE SA with its Child SA: %.0f B DPDK heap "
	       "(data plane SAs included) + %.0f B libc heap\n",
	       dpdk_per, libc_per);
	engines_down();
	clk = 0;
	free(flows);
	flows = NULL;
	/*
	 * No SA lost, no datagram lost, no liveness check where traffic flowed, and every idle
	 * one checked about every dpd_delay by one end or the other (a check received is a sign
	 * of life too: the end that hears first need not ask).
	 */
	bool quiet = busy_checked == 0 &&
		     dpd_h + dpd_i >= (uint64_t)(n - sample) * (per_idle > 1 ? per_idle - 1 : 0);
	return rc == 0 && lh == n && li == n && sh->peers_dead == 0 && st->peers_dead == 0 &&
			       esp_ok == esp_sent && esp_sent > 0 && quiet && lost == 0
		       ? 0
		       : -1;
}

/* The responder's crypto per establishment, alone: key pair + shared secret, n times. */
static double crypto_rate(uint16_t group, unsigned int n)
{
	uint8_t pub[IKE_DH_KE_MAX], peer[IKE_DH_KE_MAX], secret[IKE_DH_SECRET_MAX];
	struct ike_dh *other = NULL;
	if (ike_dh_new(group, &other) != 0)
		return 0;
	int pl = ike_dh_public(other, peer, sizeof(peer));
	ike_dh_free(other);
	if (pl <= 0)
		return 0;
	uint64_t t0 = rte_rdtsc_precise();
	for (unsigned int i = 0; i < n; i++) {
		struct ike_dh *dh = NULL;
		if (ike_dh_new(group, &dh) != 0 || ike_dh_public(dh, pub, sizeof(pub)) <= 0 ||
		    ike_dh_derive(dh, peer, (size_t)pl, secret, sizeof(secret)) <= 0) {
			ike_dh_free(dh);
			return 0;
		}
		ike_dh_free(dh);
	}
	uint64_t dt = rte_rdtsc_precise() - t0;
	OPENSSL_cleanse(secret, sizeof(secret));
	return dt != 0 ? (double)n * (double)rte_get_tsc_hz() / (double)dt : 0;
}

/*
 * With certificates the responder also signs its AUTH and verifies two ECDSA P-256 signatures
 * (the peer's AUTH, and its certificate by the CA): those operations per establishment, alone.
 */
static double sig_rate(unsigned int n)
{
	uint8_t data[64] = {0}, sig[128];
	size_t sl = sizeof(sig);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = k != NULL && c != NULL;
	uint64_t t0 = rte_rdtsc_precise();
	for (unsigned int i = 0; ok && i < n; i++) {
		sl = sizeof(sig);
		ok = EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
		     EVP_DigestSign(c, sig, &sl, data, sizeof(data)) == 1;
		for (int v = 0; ok && v < 2; v++)
			ok = EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
			     EVP_DigestVerify(c, sig, sl, data, sizeof(data)) == 1;
	}
	uint64_t dt = rte_rdtsc_precise() - t0;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok && dt != 0 ? (double)n * (double)rte_get_tsc_hz() / (double)dt : 0;
}

struct suite {
	const char *name;
	const char *ike, *esp;
	uint16_t group;
	bool certs;
};

static int run_suite(const struct suite *s, unsigned int n)
{
	static char ya[2048], yb[2048];
	if (s->certs && pki[0] == '\0' && make_pki() != 0) {
		printf("%-28s failed: the openssl command did not make the test PKI\n", s->name);
		return -1;
	}
	yaml_of(HUB, s->ike, s->esp, s->certs, ya, sizeof(ya));
	yaml_of(INIT, s->ike, s->esp, s->certs, yb, sizeof(yb));
	if (engine_up(HUB, ya) != 0 || engine_up(INIT, yb) != 0) {
		engines_down();
		return -1;
	}
	hub_cycles = init_cycles = 0;
	if (setups(n / 10 + 1) != 0) { /* warm-up: caches, allocator, lazily made tables */
		engines_down();
		return -1;
	}
	hub_cycles = init_cycles = hub_max = 0;
	int rc = setups(n);
	double hz = (double)rte_get_tsc_hz();
	double hub_rate = hub_cycles != 0 ? (double)n * hz / (double)hub_cycles : 0;
	double ref = crypto_rate(s->group, n);
	if (s->certs) { /* DH and the signatures, one after the other: rates add as times */
		double sr = sig_rate(n);
		ref = ref > 0 && sr > 0 ? 1.0 / (1.0 / ref + 1.0 / sr) : 0;
	}
	if (rc == 0)
		printf("%-28s %7u %12.0f %12.1f %12.0f %12.1f %12.0f %6.3f %10.3f\n", s->name, n,
		       hub_rate, (double)hub_cycles / n / 1e3, (double)n * hz / (double)init_cycles,
		       (double)init_cycles / n / 1e3, ref, ref > 0 ? hub_rate / ref : 0,
		       (double)hub_max * 1e3 / hz);
	else
		printf("%-28s failed: an establishment did not complete\n", s->name);
	engines_down();
	return rc;
}

int main(int argc, char **argv)
{
	static const struct suite suites[] = {
		{"psk+x25519", "aes128gcm16-prfsha256-x25519", "aes128gcm16", 31, false},
		{"psk+modp2048", "aes256-sha256-modp2048", "aes256-sha256", 14, false},
		{"ecdsa-p256-certs+x25519", "aes128gcm16-prfsha256-x25519", "aes128gcm16", 31,
		 true},
	};
	char *eal[] = {argv[0], "--no-huge",	 "--no-pci", "--no-shconf", "--no-telemetry",
		       "-m",	"1024",		 "-l",	     "0",	    "--log-level",
		       "4",	"--file-prefix", "ikebench", NULL};
	unsigned int n = 2000, hold_n = 0, sample = 100, minutes = 5, flood_s = 0;
	int opt, failed = 0;
	static const struct option opts[] = {{"quick", no_argument, NULL, 'q'},
					     {"count", required_argument, NULL, 'n'},
					     {"hold", required_argument, NULL, 'h'},
					     {"minutes", required_argument, NULL, 'm'},
					     {"flood", required_argument, NULL, 'f'},
					     {"sample", required_argument, NULL, 's'},
					     {0}};
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'q')
			n = 100;
		else if (opt == 'n')
			n = (unsigned int)strtoul(optarg, NULL, 10);
		else if (opt == 'h')
			hold_n = (unsigned int)strtoul(optarg, NULL, 10);
		else if (opt == 'm')
			minutes = (unsigned int)strtoul(optarg, NULL, 10);
		else if (opt == 'f')
			flood_s = (unsigned int)strtoul(optarg, NULL, 10);
		else if (opt == 's')
			sample = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (n == 0 || rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0 ||
	    dp_meta_register() != 0) {
		fprintf(stderr, "vpnhub-ike-bench: EAL or arguments\n");
		return 2;
	}
	rte_timer_subsystem_init();
	/* one log line per establishment goes to syslog on a hub, not to this terminal */
	rte_log_set_level_pattern("vpnhub.*", RTE_LOG_NOTICE);
	printf("vpnhub-ike-bench: IKE_SA + Child SA establishments on one core (TSC %.3f GHz)\n",
	       (double)rte_get_tsc_hz() / 1e9);
	printf("%-28s %7s %12s %12s %12s %12s %12s %6s %10s\n", "suite", "count", "hub setup/s",
	       "hub kcyc/SA", "init setup/s", "init kcyc/SA", "crypto/s", "ratio", "max msg ms");
	bool table = hold_n == 0 && flood_s == 0;
	size_t rows = table ? sizeof(suites) / sizeof(suites[0]) : 0;
	for (size_t i = 0; i < rows; i++)
		failed += run_suite(&suites[i], i == 1 ? n / 4 + 1 : n) != 0;
	if (hold_n != 0)
		failed += hold(hold_n, RTE_MIN(sample, hold_n), minutes) != 0;
	if (flood_s != 0)
		failed += flood(flood_s) != 0;
	rows += (hold_n != 0) + (flood_s != 0);
	printf("vpnhub-ike-bench: %zu rows, %d failed\n", rows, failed);
	drop_pki();
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
