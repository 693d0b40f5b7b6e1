/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ikev1_cbc.c - see ikev1_cbc.h. OpenSSL 3 EVP with its padding off: IKEv1 pads the
 * payload chain itself (RFC 2409 5.3), and the receiver reads past the padding by the payload
 * lengths. Every context is freed and every copy of a key wiped on every exit.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/ike_sk.h"
#include "crypto/ikev1_cbc.h"

size_t ikev1_cbc_block(uint16_t encr)
{
	return encr == IKE_ENCR_AES_CBC ? 16 : encr == IKEV1_ENCR_3DES ? 8 : 0;
}

size_t ikev1_cbc_key_len(uint16_t encr, uint16_t key_bits)
{
	if (encr == IKEV1_ENCR_3DES)
		return 24;
	if (encr == IKE_ENCR_AES_CBC && (key_bits == 128 || key_bits == 192 || key_bits == 256))
		return key_bits / 8u;
	return 0;
}

static const EVP_CIPHER *cipher_of(uint16_t encr, size_t key_len)
{
	if (encr == IKEV1_ENCR_3DES)
		return key_len == 24 ? EVP_des_ede3_cbc() : NULL;
	if (encr != IKE_ENCR_AES_CBC)
		return NULL;
	return key_len == 16   ? EVP_aes_128_cbc()
	       : key_len == 24 ? EVP_aes_192_cbc()
	       : key_len == 32 ? EVP_aes_256_cbc()
			       : NULL;
}

int ikev1_cbc(uint16_t encr, const uint8_t *key, size_t key_len, uint8_t *iv, uint8_t *buf,
	      size_t len, bool encrypt)
{
	const EVP_CIPHER *ci = cipher_of(encr, key_len);
	size_t bl = ikev1_cbc_block(encr);
	uint8_t last[IKEV1_BLOCK_MAX];
	int out = 0, fin = 0;
	if (ci == NULL)
		return -ENOTSUP;
	if (len == 0 || len % bl != 0 || len > INT32_MAX)
		return -EINVAL;
	if (!encrypt) /* the IV of the next message is this one's last ciphertext block */
		memcpy(last, buf + len - bl, bl);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ok = c != NULL && EVP_CipherInit_ex(c, ci, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
		 EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
		 EVP_CipherUpdate(c, buf, &out, buf, (int)len) == 1 &&
		 EVP_CipherFinal_ex(c, buf + out, &fin) == 1 && (size_t)(out + fin) == len;
	EVP_CIPHER_CTX_free(c);
	if (ok)
		memcpy(iv, encrypt ? buf + len - bl : last, bl);
	return ok ? 0 : -EIO;
}
