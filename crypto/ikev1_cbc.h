/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ikev1_cbc.h - the encryption of IKEv1 messages (RFC 2409 Appendix B, RFC 2408 3.1
 * E bit): CBC without padding of its own over a payload chain the caller padded, the IV chained
 * from message to message (the last ciphertext block of one is the IV of the next).
 *
 * Ciphers by their IKEv2 IDs (crypto/ike_sk.h): AES-CBC with 128, 192 or 256-bit keys; 3DES
 * (ID 3, legacy: only when the config allows it, which is for the caller to decide). The plain
 * hash NAT-D uses is ikev1_hash (crypto/ikev1_kdf.h).
 * Errors: 0 or a negative errno (-ENOTSUP, -EINVAL, -EIO). Threads: any; no state.
 */
#ifndef VPNHUB_CRYPTO_IKEV1_CBC_H
#define VPNHUB_CRYPTO_IKEV1_CBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/ike_prf.h"

#define IKEV1_ENCR_3DES	  3 /* the IKEv2 ID of 3DES; IKEv1 says 5 (RFC 2409 Appendix A) */
#define IKEV1_BLOCK_MAX	  16
#define IKEV1_ENC_KEY_MAX 32

/* The cipher's block (and IV) size, 0 when not implemented. */
size_t ikev1_cbc_block(uint16_t encr);
/* The cipher's key length in octets for key_bits (0: its fixed size), 0 when not implemented. */
size_t ikev1_cbc_key_len(uint16_t encr, uint16_t key_bits);
/*
 * buf[0..len) in place, len a multiple of the block; iv (block octets) goes in and comes out as
 * the last ciphertext block (the next message's IV).
 */
int ikev1_cbc(uint16_t encr, const uint8_t *key, size_t key_len, uint8_t *iv, uint8_t *buf,
	      size_t len, bool encrypt);

#endif
