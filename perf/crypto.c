/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/crypto.c - crypto-only rows: the rate of intel-ipsec-mb on the worker lcore for the ESP
 * suites, with no packet I/O, as the reference for later esp-* rows.
 *
 * Each row runs on the worker lcore: it creates that lcore's IMB_MGR, expands the keys, checks
 * one packet of the suite against OpenSSL, then times bursts of BURST_MAX jobs (fill, submit,
 * flush until every job is back, as a data-plane burst would) over a ring of packet buffers in
 * tunnel-mode ESP layout (crypto.h). Sizes are those of the inner IPv4 packets of the frame
 * sizes of the forward rows, plus the ESP trailer and padding. Keys are fixed test values.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_malloc.h>

#include "perf/bench.h"
#include "perf/crypto.h"

#define NBUF	       256 /* packet buffers in rotation */
#define BUF_SIZE       2048
#define FRAME_OVERHEAD 18  /* Ethernet header + FCS around the inner IPv4 packet */
#define CHECK_L3       552 /* inner packet size of the OpenSSL check */

const char *const bench_imb_api_name[] = {"best", "burst", "job"};

const struct crypto_suite crypto_suites[] = {
	{"aes128gcm16", IMB_CIPHER_GCM, IMB_AUTH_AES_GMAC, 16, 0, 8, 16, 4},
	{"aes256gcm16", IMB_CIPHER_GCM, IMB_AUTH_AES_GMAC, 32, 0, 8, 16, 4},
	{"aes128-sha1", IMB_CIPHER_CBC, IMB_AUTH_HMAC_SHA_1, 16, 20, 16, 12, 16},
	{"aes256-sha256", IMB_CIPHER_CBC, IMB_AUTH_HMAC_SHA_256, 32, 32, 16, 16, 16},
	{"chacha20poly1305", IMB_CIPHER_CHACHA20_POLY1305, IMB_AUTH_CHACHA20_POLY1305, 32, 0, 8, 16,
	 4},
};

struct csz {
	uint16_t l3; /* inner packet */
	uint16_t ct; /* ciphertext: inner packet + ESP trailer, aligned */
};

struct crun;
typedef void (*fill_fn)(const struct crun *c, IMB_JOB *j, uint8_t *pkt, const uint8_t *nonce,
			const struct csz *z, IMB_CIPHER_DIRECTION dir);

/* One path's state; the worker lcore uses it while a row runs, the main lcore otherwise. */
struct crun {
	struct crypto_keys k;
	const struct crypto_suite *s;
	const struct bench *b;
	IMB_MGR *mgr;
	fill_fn fill;
	unsigned int (*burst)(struct crun *c, unsigned int n);
	IMB_CIPHER_DIRECTION dir;
	uint8_t *buf;
	uint8_t nonce[NBUF][16];
	struct csz sz[BENCH_IMIX_LEN];
	unsigned int n_sz;
	unsigned int bi, si;
	uint64_t pkts, l3, errors;
	struct bench_sample win[BENCH_WINDOWS_MAX];
	unsigned int n_win;
	int rc;
	char note[96];
};

/* Fields every suite sets: modes, direction, where cipher and ICV are. */
static inline void fill_common(const struct crun *c, IMB_JOB *j, uint8_t *pkt, const struct csz *z,
			       IMB_CIPHER_DIRECTION dir)
{
	uint32_t off = ESP_HDR_LEN + c->s->iv_len;
	j->cipher_mode = c->s->cipher;
	j->hash_alg = c->s->hash;
	j->cipher_direction = dir;
	j->chain_order = dir == IMB_DIR_ENCRYPT ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->key_len_in_bytes = c->s->key_len;
	j->src = pkt;
	j->dst = pkt + off;
	j->cipher_start_src_offset_in_bytes = off;
	j->msg_len_to_cipher_in_bytes = z->ct;
	j->auth_tag_output = pkt + off + z->ct;
	j->auth_tag_output_len_in_bytes = c->s->icv_len;
}

static void fill_gcm(const struct crun *c, IMB_JOB *j, uint8_t *pkt, const uint8_t *nonce,
		     const struct csz *z, IMB_CIPHER_DIRECTION dir)
{
	fill_common(c, j, pkt, z, dir);
	j->enc_keys = &c->k.gcm;
	j->dec_keys = &c->k.gcm;
	j->iv = nonce;
	j->iv_len_in_bytes = ESP_NONCE_LEN;
	j->hash_start_src_offset_in_bytes = j->cipher_start_src_offset_in_bytes;
	j->msg_len_to_hash_in_bytes = z->ct;
	j->u.GCM.aad = pkt;
	j->u.GCM.aad_len_in_bytes = ESP_HDR_LEN;
}

static void fill_chacha(const struct crun *c, IMB_JOB *j, uint8_t *pkt, const uint8_t *nonce,
			const struct csz *z, IMB_CIPHER_DIRECTION dir)
{
	fill_common(c, j, pkt, z, dir);
	j->enc_keys = c->k.key;
	j->dec_keys = c->k.key;
	j->iv = nonce;
	j->iv_len_in_bytes = ESP_NONCE_LEN;
	j->hash_start_src_offset_in_bytes = j->cipher_start_src_offset_in_bytes;
	j->msg_len_to_hash_in_bytes = z->ct;
	j->u.CHACHA20_POLY1305.aad = pkt;
	j->u.CHACHA20_POLY1305.aad_len_in_bytes = ESP_HDR_LEN;
}

static void fill_cbc_hmac(const struct crun *c, IMB_JOB *j, uint8_t *pkt, const uint8_t *nonce,
			  const struct csz *z, IMB_CIPHER_DIRECTION dir)
{
	(void)nonce;
	fill_common(c, j, pkt, z, dir);
	j->enc_keys = c->k.enc;
	j->dec_keys = c->k.dec;
	j->iv = pkt + ESP_HDR_LEN;
	j->iv_len_in_bytes = c->s->iv_len;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = ESP_HDR_LEN + c->s->iv_len + z->ct;
	j->u.HMAC._hashed_auth_key_xor_ipad = c->k.ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = c->k.opad;
}

/* The next packet of the rotation: its buffer and nonce (returned), its sizes in *z. */
static inline uint8_t *next_pkt(struct crun *c, const uint8_t **nonce, const struct csz **z)
{
	uint8_t *pkt = c->buf + (size_t)c->bi * BUF_SIZE;
	*nonce = c->nonce[c->bi];
	*z = &c->sz[c->si];
	c->l3 += (*z)->l3;
	if (++c->bi == NBUF)
		c->bi = 0;
	if (++c->si == c->n_sz)
		c->si = 0;
	return pkt;
}

/* Fill j with the next packet of the rotation. */
static inline void fill_next(struct crun *c, IMB_JOB *j)
{
	const uint8_t *nonce;
	const struct csz *z;
	uint8_t *pkt = next_pkt(c, &nonce, &z);
	c->fill(c, j, pkt, nonce, z, c->dir);
}

static inline unsigned int failed(IMB_JOB **jobs, unsigned int n)
{
	unsigned int bad = 0;
	for (unsigned int i = 0; i < n; i++)
		bad += jobs[i]->status != IMB_STATUS_COMPLETED;
	return bad;
}

/* The burst API: get n jobs, fill, submit, flush until every one is back. */
static unsigned int burst_api(struct crun *c, unsigned int n)
{
	IMB_JOB *jobs[BURST_MAX];
	unsigned int got = IMB_GET_NEXT_BURST(c->mgr, n, jobs);
	for (unsigned int i = 0; i < got; i++)
		fill_next(c, jobs[i]);
	unsigned int done = IMB_SUBMIT_BURST(c->mgr, got, jobs);
	unsigned int bad = failed(jobs, done);
	while (done < got) {
		unsigned int f = IMB_FLUSH_BURST(c->mgr, got - done, jobs);
		if (f == 0)
			break;
		bad += failed(jobs, f);
		done += f;
	}
	c->errors += bad + (got - done);
	return got;
}

/* The job API: one job at a time, completed jobs collected as they come, then flushed. */
static unsigned int job_api(struct crun *c, unsigned int n)
{
	unsigned int done = 0, bad = 0;
	IMB_JOB *j;
	for (unsigned int i = 0; i < n; i++) {
		fill_next(c, IMB_GET_NEXT_JOB(c->mgr));
		for (j = IMB_SUBMIT_JOB(c->mgr); j != NULL; j = IMB_GET_COMPLETED_JOB(c->mgr)) {
			bad += j->status != IMB_STATUS_COMPLETED;
			done++;
		}
	}
	while (done < n && (j = IMB_FLUSH_JOB(c->mgr)) != NULL) {
		bad += j->status != IMB_STATUS_COMPLETED;
		done++;
	}
	c->errors += bad + (n - done);
	return n;
}

/*
 * AES-GCM through the library's direct functions, one call per packet as the data plane makes
 * it (crypto/esp_xform.c gcm_call): the fastest way intel-ipsec-mb offers for this suite.
 */
static inline void gcm_direct(const struct crun *c, uint8_t *pkt, const uint8_t *nonce,
			      const struct csz *z, IMB_CIPHER_DIRECTION dir)
{
	uint32_t off = ESP_HDR_LEN + c->s->iv_len;
	bool enc = dir == IMB_DIR_ENCRYPT, k128 = c->s->key_len == 16;
	aes_gcm_enc_dec_t fn = enc ? (k128 ? c->mgr->gcm128_enc : c->mgr->gcm256_enc)
				   : (k128 ? c->mgr->gcm128_dec : c->mgr->gcm256_dec);
	uint8_t tag[16];
	struct gcm_context_data ctx;
	fn(&c->k.gcm, &ctx, pkt + off, pkt + off, z->ct, nonce, pkt, ESP_HDR_LEN,
	   enc ? pkt + off + z->ct : tag, c->s->icv_len);
	if (!enc)
		memcpy(pkt + off + z->ct, tag, c->s->icv_len); /* as the job API leaves it */
}

static unsigned int direct_api(struct crun *c, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *nonce;
		const struct csz *z;
		uint8_t *pkt = next_pkt(c, &nonce, &z);
		gcm_direct(c, pkt, nonce, z, c->dir);
	}
	return n;
}

/* HMAC precomputation: the digest state after one block of key ^ ipad (or opad). */
static void hmac_pads(IMB_MGR *m, const struct crypto_suite *s, struct crypto_keys *k)
{
	uint8_t blk[2][64];
	memset(blk, 0, sizeof(blk));
	for (unsigned int i = 0; i < 64; i++) {
		uint8_t b = i < s->auth_key_len ? k->auth_key[i] : 0;
		blk[0][i] = b ^ 0x36;
		blk[1][i] = b ^ 0x5c;
	}
	if (s->hash == IMB_AUTH_HMAC_SHA_1) {
		IMB_SHA1_ONE_BLOCK(m, blk[0], k->ipad);
		IMB_SHA1_ONE_BLOCK(m, blk[1], k->opad);
	} else {
		IMB_SHA256_ONE_BLOCK(m, blk[0], k->ipad);
		IMB_SHA256_ONE_BLOCK(m, blk[1], k->opad);
	}
}

static void keys_init(struct crun *c)
{
	struct crypto_keys *k = &c->k;
	for (unsigned int i = 0; i < sizeof(k->key); i++) {
		k->key[i] = (uint8_t)(0x10 + i);
		k->auth_key[i] = (uint8_t)(0x80 + i);
	}
	memcpy(k->salt, "\xca\xfe\xba\xbe", ESP_SALT_LEN);
	if (c->s->cipher == IMB_CIPHER_GCM && c->s->key_len == 16)
		IMB_AES128_GCM_PRE(c->mgr, k->key, &k->gcm);
	else if (c->s->cipher == IMB_CIPHER_GCM)
		IMB_AES256_GCM_PRE(c->mgr, k->key, &k->gcm);
	if (c->s->cipher == IMB_CIPHER_CBC && c->s->key_len == 16)
		IMB_AES_KEYEXP_128(c->mgr, k->key, k->enc, k->dec);
	else if (c->s->cipher == IMB_CIPHER_CBC)
		IMB_AES_KEYEXP_256(c->mgr, k->key, k->enc, k->dec);
	if (!crypto_suite_aead(c->s))
		hmac_pads(c->mgr, c->s, k);
}

/* Plain ESP packets: SPI, sequence, IV, payload pattern; AEAD nonces = salt || IV. */
static void packets_init(struct crun *c)
{
	for (unsigned int i = 0; i < NBUF; i++) {
		uint8_t *p = c->buf + (size_t)i * BUF_SIZE;
		uint32_t spi = rte_cpu_to_be_32(0x1000), seq = rte_cpu_to_be_32(i + 1);
		memcpy(p, &spi, 4);
		memcpy(p + 4, &seq, 4);
		for (unsigned int k = ESP_HDR_LEN; k < BUF_SIZE; k++)
			p[k] = (uint8_t)(k * 13 + i);
		memcpy(c->nonce[i], c->k.salt, ESP_SALT_LEN);
		memcpy(c->nonce[i] + ESP_SALT_LEN, p + ESP_HDR_LEN, 8);
	}
}

/* One job through the job API, waited for. */
static int one(struct crun *c, uint8_t *pkt, const uint8_t *nonce, const struct csz *z,
	       IMB_CIPHER_DIRECTION dir)
{
	if (c->burst == direct_api) { /* the calls the row times */
		gcm_direct(c, pkt, nonce, z, dir);
		return 0;
	}
	IMB_JOB *j = IMB_GET_NEXT_JOB(c->mgr);
	c->fill(c, j, pkt, nonce, z, dir);
	j = IMB_SUBMIT_JOB(c->mgr);
	if (j == NULL)
		j = IMB_FLUSH_JOB(c->mgr);
	return j != NULL && j->status == IMB_STATUS_COMPLETED ? 0 : -EIO;
}

/* Seal a packet with intel-ipsec-mb and OpenSSL and compare; then open it again. */
static int check(struct crun *c)
{
	uint8_t pkt[BUF_SIZE], ref[BUF_SIZE], tag[16];
	const struct csz z = {CHECK_L3, (uint16_t)RTE_ALIGN_CEIL(CHECK_L3 + 2, c->s->align)};
	uint32_t off = ESP_HDR_LEN + c->s->iv_len, end = off + z.ct + c->s->icv_len;
	memcpy(pkt, c->buf, BUF_SIZE);
	memcpy(ref, c->buf, BUF_SIZE);
	if (crypto_ref_seal(c->s, &c->k, ref, z.ct) != 0)
		return -ENOTSUP;
	if (one(c, pkt, c->nonce[0], &z, IMB_DIR_ENCRYPT) != 0 || memcmp(pkt, ref, end) != 0)
		return -EBADMSG;
	memcpy(tag, pkt + off + z.ct, c->s->icv_len);
	if (one(c, pkt, c->nonce[0], &z, IMB_DIR_DECRYPT) != 0 ||
	    memcmp(pkt + off, c->buf + off, z.ct) != 0 ||
	    memcmp(pkt + off + z.ct, tag, c->s->icv_len) != 0)
		return -EBADMSG;
	return 0;
}

static void sample(void *arg, struct bench_sample *s)
{
	const struct crun *c = arg;
	s->tsc = rte_rdtsc();
	s->pkts = c->pkts;
	s->l3_bytes = c->l3;
	s->busy_cycles = s->tsc; /* the loop never idles */
	s->busy_pkts = c->pkts;
	s->total_cycles = s->tsc;
	s->core_cycles = bench_core_cycles(c->b);
	bench_sample_cpu(c->b, s);
	/* the main lcore only waits: its CPU share does not matter here */
	s->gen_cpu_ns = (uint64_t)((double)s->tsc * 1e9 / (double)c->b->env.tsc_hz);
}

static void spin(void *arg, uint64_t until)
{
	struct crun *c = arg;
	while (rte_rdtsc() < until && !bench_quit)
		c->pkts += c->burst(c, BURST_MAX);
}

/* Worker lcore: manager, keys, OpenSSL check, timed bursts. */
static int crypto_main(void *arg)
{
	struct crun *c = arg;
	c->mgr = crypto_imb_mgr_create();
	if (c->mgr == NULL) {
		c->rc = -ENOMEM;
		snprintf(c->note, sizeof(c->note), "no intel-ipsec-mb manager");
		return 0;
	}
	keys_init(c);
	packets_init(c);
	c->rc = check(c);
	if (c->rc != 0)
		snprintf(c->note, sizeof(c->note), "%s",
			 c->rc == -ENOTSUP ? "OpenSSL failed"
					   : "intel-ipsec-mb differs from OpenSSL");
	else
		c->n_win = bench_measure(c->b, spin, sample, c, c->win);
	crypto_imb_mgr_free(c->mgr);
	c->mgr = NULL;
	return 0;
}

int crypto_setup(struct bench *b, const struct bench_path *p, void **state)
{
	const struct crypto_arg *a = p->arg;
	struct crun *c = rte_zmalloc("crun", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL)
		return -ENOMEM;
	c->buf = rte_zmalloc("crun_buf", (size_t)NBUF * BUF_SIZE, RTE_CACHE_LINE_SIZE);
	if (c->buf == NULL) {
		rte_free(c);
		return -ENOMEM;
	}
	c->s = a->suite;
	c->b = b;
	c->dir = a->decrypt ? IMB_DIR_DECRYPT : IMB_DIR_ENCRYPT;
	c->burst = b->o.imb_api == BENCH_IMB_JOB ? job_api : burst_api;
	if (b->o.imb_api == BENCH_IMB_BEST && c->s->cipher == IMB_CIPHER_GCM)
		c->burst = direct_api;
	if (c->s->cipher == IMB_CIPHER_GCM)
		c->fill = fill_gcm;
	else if (c->s->cipher == IMB_CIPHER_CBC)
		c->fill = fill_cbc_hmac;
	else
		c->fill = fill_chacha;
	*state = c;
	return 0;
}

void crypto_teardown(struct bench *b, void *state)
{
	struct crun *c = state;
	(void)b;
	if (c == NULL)
		return;
	explicit_bzero(&c->k, sizeof(c->k)); /* wiped as real keys are */
	rte_free(c->buf);
	rte_free(c);
}

/* Sizes of the row: the inner IPv4 packets of the size class's frames. */
static void sizes(struct crun *c, struct bench_row *row)
{
	const uint16_t *frames;
	double fsum = 0, lsum = 0;
	c->n_sz = bench_size_frames(row->size, &frames);
	for (unsigned int i = 0; i < c->n_sz; i++) {
		c->sz[i].l3 = (uint16_t)(frames[i] - FRAME_OVERHEAD);
		c->sz[i].ct = (uint16_t)RTE_ALIGN_CEIL(c->sz[i].l3 + 2u, c->s->align);
		fsum += frames[i];
		lsum += c->sz[i].l3;
	}
	row->frame_bytes = fsum / c->n_sz;
	row->l3_bytes = lsum / c->n_sz;
}

int crypto_run(struct bench *b, void *state, struct bench_row *row)
{
	struct crun *c = state;
	sizes(c, row);
	c->bi = c->si = 0;
	c->pkts = c->l3 = c->errors = 0;
	c->rc = 0;
	c->n_win = 0;
	c->note[0] = '\0';
	int rc = rte_eal_remote_launch(crypto_main, c, b->wlcore);
	if (rc != 0)
		return rc;
	rte_eal_wait_lcore(b->wlcore);
	row->errors = c->errors;
	if (c->errors > 0)
		snprintf(row->note, sizeof(row->note), "%" PRIu64 " jobs failed", c->errors);
	if (c->rc != 0) {
		snprintf(row->note, sizeof(row->note), "%s", c->note);
		return c->rc;
	}
	if (c->n_win > 0)
		bench_reduce(b, c->win, c->n_win, row);
	return 0;
}
