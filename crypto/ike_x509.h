/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_x509.h - what crypto/ike_cert.c and crypto/ike_sig.c share, inside crypto/ only:
 * parsing a DER certificate that must fill its buffer, and writing a reason into a caller's
 * buffer. Any thread.
 */
#ifndef VPNHUB_CRYPTO_IKE_X509_H
#define VPNHUB_CRYPTO_IKE_X509_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define IKE_DER_LEN_MAX 65535 /* no object taken here is longer (no IKE payload is) */

/* A certificate that fills der[0..len) exactly, or NULL; the OpenSSL error queue is cleared. */
X509 *ike_x509_parse(const uint8_t *der, size_t len);
/* printf into why[0..len) when why is given. */
void ike_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
