/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/crypto.h - ESP suites of the crypto-only reference rows and the independent (OpenSSL)
 * computation that checks each suite's intel-ipsec-mb job set-up before it is measured.
 *
 * Packets are laid out as ESP in tunnel mode (RFC 4303): header (SPI, sequence) | IV |
 * ciphertext (inner packet + padding + pad length + next header) | ICV. AEAD suites use the
 * 8-byte header as AAD and salt || IV as the 12-byte nonce (RFC 4106, RFC 7634); CBC suites
 * authenticate header, IV and ciphertext with HMAC truncated to the ICV (RFC 2404, RFC 4868).
 */
#ifndef VPNHUB_PERF_CRYPTO_H
#define VPNHUB_PERF_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "crypto/imb.h"

#define ESP_HDR_LEN   8
#define ESP_SALT_LEN  4
#define ESP_NONCE_LEN 12

struct crypto_suite {
	const char *name; /* strongSwan ESP proposal keyword */
	IMB_CIPHER_MODE cipher;
	IMB_HASH_ALG hash;
	uint8_t key_len;
	uint8_t auth_key_len; /* HMAC key; 0 for AEAD */
	uint8_t iv_len;	      /* IV carried in the packet */
	uint8_t icv_len;
	uint8_t align; /* the ciphertext is a multiple of this */
};

/* Keys of one suite, expanded on the lcore that runs it. */
struct crypto_keys {
	struct gcm_key_data gcm __rte_aligned(64);
	uint32_t enc[60] __rte_aligned(16); /* AES round keys, up to AES-256 */
	uint32_t dec[60] __rte_aligned(16);
	uint8_t ipad[64] __rte_aligned(16); /* HMAC inner and outer digests after one block */
	uint8_t opad[64] __rte_aligned(16);
	uint8_t key[32];
	uint8_t auth_key[32];
	uint8_t salt[ESP_SALT_LEN];
};

extern const struct crypto_suite crypto_suites[];

static inline bool crypto_suite_aead(const struct crypto_suite *s)
{
	return s->auth_key_len == 0;
}

/*
 * Encrypt and authenticate pkt in place with OpenSSL: ct_len bytes after header and IV, ICV
 * written after them. 0, or -1 when OpenSSL fails.
 */
int crypto_ref_seal(const struct crypto_suite *s, const struct crypto_keys *k, uint8_t *pkt,
		    uint32_t ct_len);

/*
 * The reverse, for packets made elsewhere (the hub's ESP output, a peer's packets): verify the
 * ICV after ct_len bytes of ciphertext and decrypt them in place with OpenSSL. 0, or -1 when the
 * ICV is wrong or OpenSSL fails (pkt is then undefined).
 */
int crypto_ref_open(const struct crypto_suite *s, const struct crypto_keys *k, uint8_t *pkt,
		    uint32_t ct_len);

#endif
