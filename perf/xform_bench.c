/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/xform_bench.c - vpnhub-xform-bench: what the ESP burst layer costs per packet on its own,
 * with no packet I/O and the packets in cache: esp_burst_crypto (dataplane/esp_burst.h over
 * crypto/esp_xform.c, called as esp_in and esp_out call it) over bursts of BURST_MAX ops, from
 * writing the ops (and, encrypting, the IVs) to the last status, with 1..N SAs behind each burst. Beside the
 * crypto-only rows of vpnhub-bench (the library alone) it shows what the job set-up and the
 * grouping add, and how the cost moves with the number of SAs a burst mixes; being one lcore
 * and cache-resident it repeats to a cycle or two, unlike the two-lcore rows.
 *
 * SAs are installed as the data plane installs them (one direction each, the transform behind a
 * struct sa sized by esp_xform_size), with fixed test keys. Each burst takes its SAs from a fixed
 * pseudo-random sequence over the N SAs. Decryption bursts are sealed first by a peer transform
 * of each SA and copied back before each timed burst (not timed); every status must be 0.
 *
 * Usage: vpnhub-xform-bench [--sas LIST] [--bursts N] [--cpu N]
 * Exit status: 0, 1 a burst failed, 2 usage, 3 start-up failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "crypto/imb.h"
#include "dataplane/esp_burst.h"

#define PKT_ROOM  2048
#define SAS_MAX	  8192
#define LISTS_MAX 8
#define WARMUP	  200 /* bursts before timing, and at least WARMUP_MS */
#define WARMUP_MS 50

struct suite {
	const char *name; /* strongSwan proposal keyword, as vpnhub-bench names them */
	enum esp_enc enc;
	uint8_t enc_key_len; /* salt included */
	enum esp_auth auth;
	uint8_t auth_key_len;
};

static const struct suite suites[] = {
	{"aes128gcm16", ESP_ENC_AES_GCM, 20, ESP_AUTH_NONE, 0},
	{"aes256gcm16", ESP_ENC_AES_GCM, 36, ESP_AUTH_NONE, 0},
	{"aes128-sha1", ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 20},
	{"aes256-sha256", ESP_ENC_AES_CBC, 32, ESP_AUTH_HMAC_SHA256_128, 32},
	{"chacha20poly1305", ESP_ENC_CHACHA20_POLY1305, 36, ESP_AUTH_NONE, 0},
};

/* Frame sizes as vpnhub-bench's rows: the inner IPv4 packet is the frame less 18 bytes. */
static const uint16_t frames[] = {64, 1420};

struct run {
	const struct suite *s;
	bool dec;
	uint32_t len; /* encrypted region: inner packet + trailer, aligned */
	uint32_t n_sa;
	struct sa **sa;	  /* as the data plane has them */
	struct sa **peer; /* decryption: the other side's transform, sealing */
	uint8_t *pkt;	  /* BURST_MAX packets of PKT_ROOM */
	uint8_t *sealed;  /* decryption: what each burst is copied back from */
	uint16_t *pick;	  /* SA of each op of every distinct burst */
	uint32_t n_pick;  /* bursts in pick */
	uint64_t *cyc;	  /* per timed burst */
};

static unsigned int opt_sas[LISTS_MAX] = {1, 32, 1024};
static unsigned int opt_n_sas = 3;
static unsigned int opt_bursts = 4000;
static unsigned int opt_cpu;

static struct sa *sa_make(const struct suite *s, uint32_t i, enum esp_xform_dir dir)
{
	uint8_t ek[36], ak[32];
	char err[128];
	struct esp_xform_conf c = {s->enc, ek, s->enc_key_len, s->auth, ak, s->auth_key_len,
				   false,  dir};
	size_t size = sizeof(struct sa) - sizeof(struct esp_xform) + esp_xform_size(&c);
	struct sa *sa = rte_zmalloc("xform_bench_sa", size, RTE_CACHE_LINE_SIZE);

	for (unsigned int k = 0; k < sizeof(ek); k++)
		ek[k] = (uint8_t)(k * 7 + i * 13 + 1);
	for (unsigned int k = 0; k < sizeof(ak); k++)
		ak[k] = (uint8_t)(k * 3 + i * 5 + 2);
	if (sa != NULL && esp_xform_init(&sa->xf, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "vpnhub-xform-bench: %s: %s\n", s->name, err);
		rte_free(sa);
		sa = NULL;
	}
	if (sa != NULL) {
		sa->id = (uint32_t)(i + 1);
		sa->spi_be = rte_cpu_to_be_32(0x10000 + i);
	}
	return sa;
}

/* Op i of a burst under sa, laid out as the ESP layer lays it out; the IV written encrypting. */
static void op_make(struct esp_burst *b, uint16_t i, struct sa *sa, uint8_t *p, uint32_t len,
		    uint64_t seq, bool iv)
{
	uint32_t ivl = (uint32_t)esp_xform_iv_len(&sa->xf),
		 seq_lo = rte_cpu_to_be_32((uint32_t)seq);

	memcpy(p, &sa->spi_be, 4);
	memcpy(p + 4, &seq_lo, 4);
	if (iv)
		esp_xform_iv(&sa->xf, seq, p + ESP_HDR_LEN);
	b->op[i] = (struct esp_crypto_op){.esp = p,
					  .iv = p + ESP_HDR_LEN,
					  .payload = p + ESP_HDR_LEN + ivl,
					  .len = len,
					  .icv = p + ESP_HDR_LEN + ivl + len,
					  .seq_hi = 0,
					  .status = 0};
	b->sa[i] = sa;
	b->seq[i] = seq;
}

/* Burst k is distinct burst k mod n_pick, sequence numbers included (decryption replays them). */
static void burst_make(struct run *r, struct esp_burst *b, uint32_t k, struct sa **sas, bool iv)
{
	uint32_t d = k % r->n_pick;
	const uint16_t *pick = r->pick + (size_t)d * BURST_MAX;

	b->n = BURST_MAX;
	for (uint16_t i = 0; i < BURST_MAX; i++)
		op_make(b, i, sas[pick[i]], r->pkt + (size_t)i * PKT_ROOM, r->len,
			(uint64_t)d * BURST_MAX + i + 1, iv);
}

/* Decryption: every distinct burst sealed once by the peers, kept to be copied back. */
static int seal_all(struct run *r, IMB_MGR *mgr)
{
	struct esp_burst b;

	for (uint32_t k = 0; k < r->n_pick; k++) {
		uint8_t *dst = r->sealed + (size_t)k * BURST_MAX * PKT_ROOM;

		burst_make(r, &b, k, r->peer, true);
		esp_burst_crypto(&b, mgr, esp_xform_encrypt);
		for (uint16_t i = 0; i < b.n; i++)
			if (b.op[i].status != 0)
				return -EIO;
		memcpy(dst, r->pkt, (size_t)BURST_MAX * PKT_ROOM);
	}
	return 0;
}

/* One timed burst; the statuses must all be 0. */
static int timed(struct run *r, IMB_MGR *mgr, uint32_t k, uint64_t *cyc)
{
	struct esp_burst b;
	uint64_t t0;

	if (r->dec)
		memcpy(r->pkt, r->sealed + (size_t)(k % r->n_pick) * BURST_MAX * PKT_ROOM,
		       (size_t)BURST_MAX * PKT_ROOM);
	t0 = rte_rdtsc_precise();
	burst_make(r, &b, k, r->sa, !r->dec);
	esp_burst_crypto(&b, mgr, r->dec ? esp_xform_decrypt : esp_xform_encrypt);
	*cyc = rte_rdtsc_precise() - t0;
	for (uint16_t i = 0; i < b.n; i++)
		if (b.op[i].status != 0)
			return -EIO;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The SAs of every burst: a fixed xorshift sequence over n_sa (all the same SA when n_sa is 1). */
static void picks(struct run *r)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < (size_t)r->n_pick * BURST_MAX; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r->pick[i] = (uint16_t)(x % r->n_sa);
	}
}

static void run_free(struct run *r)
{
	for (uint32_t i = 0; i < r->n_sa; i++) {
		if (r->sa != NULL && r->sa[i] != NULL)
			esp_xform_wipe(&r->sa[i]->xf);
		if (r->peer != NULL && r->peer[i] != NULL)
			esp_xform_wipe(&r->peer[i]->xf);
		rte_free(r->sa != NULL ? r->sa[i] : NULL);
		rte_free(r->peer != NULL ? r->peer[i] : NULL);
	}
	free(r->sa);
	free(r->peer);
	rte_free(r->pkt);
	free(r->sealed);
	free(r->pick);
	free(r->cyc);
}

static int run_setup(struct run *r, IMB_MGR *mgr)
{
	enum esp_xform_dir dir = r->dec ? ESP_XFORM_DEC : ESP_XFORM_ENC;

	r->n_pick = r->dec ? 64 : opt_bursts;
	r->sa = calloc(r->n_sa, sizeof(*r->sa));
	r->peer = calloc(r->n_sa, sizeof(*r->peer));
	r->pkt = rte_zmalloc("xform_bench_pkt", (size_t)BURST_MAX * PKT_ROOM, RTE_CACHE_LINE_SIZE);
	r->pick = malloc((size_t)r->n_pick * BURST_MAX * sizeof(*r->pick));
	r->cyc = malloc(opt_bursts * sizeof(*r->cyc));
	r->sealed = r->dec ? malloc((size_t)r->n_pick * BURST_MAX * PKT_ROOM) : NULL;
	if (r->sa == NULL || r->peer == NULL || r->pkt == NULL || r->pick == NULL ||
	    r->cyc == NULL || (r->dec && r->sealed == NULL))
		return -ENOMEM;
	for (uint32_t i = 0; i < r->n_sa; i++) {
		r->sa[i] = sa_make(r->s, i, dir);
		r->peer[i] = r->dec ? sa_make(r->s, i, ESP_XFORM_ENC) : NULL;
		if (r->sa[i] == NULL || (r->dec && r->peer[i] == NULL))
			return -ENOMEM;
	}
	picks(r);
	return r->dec ? seal_all(r, mgr) : 0;
}

/* Median and least cycles per packet over opt_bursts bursts after the warm-up. */
static int measure(const struct suite *s, bool dec, uint16_t frame, uint32_t n_sa, IMB_MGR *mgr)
{
	uint32_t align = s->enc == ESP_ENC_AES_CBC ? 16 : 4;
	struct run r = {.s = s,
			.dec = dec,
			.len = RTE_ALIGN_CEIL((uint32_t)frame - 18u + ESP_TRAILER_MIN, align),
			.n_sa = n_sa};
	int rc = run_setup(&r, mgr);
	uint64_t until = rte_rdtsc() + rte_get_tsc_hz() / 1000 * WARMUP_MS;
	uint32_t k = 0;

	for (; rc == 0 && (k < WARMUP || rte_rdtsc() < until); k++)
		rc = timed(&r, mgr, k, &r.cyc[0]);
	for (uint32_t t = 0; t < opt_bursts && rc == 0; t++, k++)
		rc = timed(&r, mgr, k, &r.cyc[t]);
	if (rc == 0) {
		qsort(r.cyc, opt_bursts, sizeof(*r.cyc), cmp_u64);
		printf("%-18s %-3s %5u %6u %10.1f %10.1f\n", s->name, dec ? "dec" : "enc", frame,
		       n_sa, (double)r.cyc[opt_bursts / 2] / BURST_MAX,
		       (double)r.cyc[0] / BURST_MAX);
		fflush(stdout);
	} else {
		fprintf(stderr, "vpnhub-xform-bench: %s %s %u SAs: %s\n", s->name,
			dec ? "dec" : "enc", n_sa, strerror(-rc));
	}
	run_free(&r);
	return rc;
}

static int parse(int argc, char **argv)
{
	static const struct option longs[] = {{"sas", required_argument, NULL, 's'},
					      {"bursts", required_argument, NULL, 'b'},
					      {"cpu", required_argument, NULL, 'c'},
					      {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		char *end, *tok, *save = NULL;

		if (c == 's') {
			opt_n_sas = 0;
			for (tok = strtok_r(optarg, ",", &save); tok != NULL;
			     tok = strtok_r(NULL, ",", &save)) {
				unsigned long v = strtoul(tok, &end, 10);
				if (*end != '\0' || v == 0 || v > SAS_MAX || opt_n_sas == LISTS_MAX)
					return -EINVAL;
				opt_sas[opt_n_sas++] = (unsigned int)v;
			}
		} else if (c == 'b' || c == 'c') {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end != '\0' || (c == 'b' && (v < 10 || v > 1000000)) || v > 4095)
				return -EINVAL;
			*(c == 'b' ? &opt_bursts : &opt_cpu) = (unsigned int)v;
		} else {
			return -EINVAL;
		}
	}
	return optind == argc && opt_n_sas > 0 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	char prefix[48], lcores[16];
	char *eal[] = {argv[0], "-l",  lcores, "--no-pci",    "--no-huge",  "--no-shconf",
		       "-m",	"512", prefix, "--log-level", "lib.*:error"};
	IMB_MGR *mgr;
	int rc = 0;

	if (parse(argc, argv) != 0) {
		fprintf(stderr, "usage: %s [--sas 1,32,1024] [--bursts 4000] [--cpu N]\n", argv[0]);
		return 2;
	}
	snprintf(lcores, sizeof(lcores), "%u", opt_cpu);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhxform%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0 || (mgr = crypto_imb_mgr_create()) == NULL) {
		fprintf(stderr, "vpnhub-xform-bench: EAL or intel-ipsec-mb manager failed\n");
		return 3;
	}
	printf("vpnhub-xform-bench %s: ESP burst layer alone, one lcore (cpu %u), packets in "
	       "cache\n"
	       "intel-ipsec-mb %s, arch %s; build %s; %u bursts of %u ops per row, TSC cycles\n",
	       VPNHUB_VERSION, opt_cpu, crypto_imb_version(), crypto_imb_arch(), VPNHUB_BUILDTYPE,
	       opt_bursts, BURST_MAX);
	printf("%-18s %-3s %5s %6s %10s %10s\n", "suite", "dir", "frame", "SAs", "cyc/pkt med",
	       "cyc/pkt min");
	for (size_t s = 0; s < RTE_DIM(suites); s++)
		for (int dec = 0; dec < 2; dec++)
			for (size_t f = 0; f < RTE_DIM(frames); f++)
				for (unsigned int n = 0; n < opt_n_sas; n++)
					rc |= measure(&suites[s], dec, frames[f], opt_sas[n], mgr);
	crypto_imb_mgr_free(mgr);
	rte_eal_cleanup();
	return rc != 0;
}
