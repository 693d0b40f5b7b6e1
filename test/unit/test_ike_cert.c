/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_cert.c - the "ike_cert" suite: crypto/ike_cert.{h,c}, crypto/ike_sig.{h,c}
 * and the auth: pubkey keys of the config loader (conf/config_ike_cert.c).
 *
 * The suite init makes a small PKI with OpenSSL's API, fresh every run (no private key is ever
 * committed): a root CA (P-256), an intermediate CA under it, end entities under the
 * intermediate (P-256 with fqdn, email and IPv4 subjectAltNames; RSA-2048; P-384), one that
 * expired yesterday, one not valid before tomorrow, and a second root with an end entity of
 * its own (the untrusted one). EC keys keep it fast; one RSA-2048 key is made for RSASSA-PSS and
 * PKCS#1 v1.5.
 *
 * Known answers: the AlgorithmIdentifiers in front of method-14 signatures against the bytes
 * RFC 7427 Appendix A prints (A.1.1, A.1.2, A.3.2-A.3.4, A.4.3); the CERTREQ key hash (RFC 7296
 * 3.7) against SHA-1 over i2d_PUBKEY of the key itself (a path that never looks at the
 * certificate). Signatures are checked both ways: ours verified by OpenSSL directly, and
 * signatures made by OpenSSL directly verified by ours. IKEv1's RSA SIG (RFC 2409 5.1), being
 * deterministic, is compared octet for octet with the PKCS#1 type-1 block built by hand.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conf/config.h"
#include "crypto/ike_cert.h"
#include "crypto/ike_sig.h"
#include "tests.h"

#define DER_MAX	 4096
#define DAY	 (24L * 3600)
#define YEAR	 (365 * DAY)
#define PEM_MAX	 16384
#define PATH_LEN 512

/* One certificate of the test PKI, with its key and DER. */
struct ent {
	EVP_PKEY *key;
	X509 *x;
	uint8_t der[DER_MAX];
	size_t len;
	uint8_t p8[DER_MAX]; /* the key as PKCS#8 */
	size_t p8_len;
};

static struct {
	struct ent root, im, ee, rsa, p384, expired, future, other_root, rogue;
	uint8_t cas[3 * DER_MAX]; /* root then im */
	size_t cas_len;
	char dir[64]; /* scratch directory of the config cases */
} pki;

static long serial = 1;

/* ---- the PKI ---- */

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e != NULL && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A certificate for e->key named cn, signed by issuer (NULL: itself), valid from..to (s). */
static int make(struct ent *e, const char *cn, const struct ent *issuer, bool ca, long from,
		long to, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_get_subject_name(x);
	X509 *up = issuer != NULL ? issuer->x : x;
	uint8_t *p = e->der;
	PKCS8_PRIV_KEY_INFO *p8;
	int rc = 0;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, e->key);
	X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const uint8_t *)"CH", -1, -1, 0);
	X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const uint8_t *)"vpnhub test", -1, -1,
				   0);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const uint8_t *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(up));
	rc |= add_ext(x, up, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ca)
		rc |= add_ext(x, up, NID_key_usage, "critical,keyCertSign,cRLSign");
	rc |= add_ext(x, up, NID_subject_key_identifier, "hash");
	if (issuer != NULL)
		rc |= add_ext(x, up, NID_authority_key_identifier, "keyid:always");
	if (san != NULL)
		rc |= add_ext(x, up, NID_subject_alt_name, san);
	if (X509_sign(x, issuer != NULL ? issuer->key : e->key, EVP_sha256()) <= 0)
		rc = -1;
	e->x = x;
	e->len = (size_t)i2d_X509(x, &p);
	p8 = EVP_PKEY2PKCS8(e->key);
	p = e->p8;
	e->p8_len = p8 != NULL ? (size_t)i2d_PKCS8_PRIV_KEY_INFO(p8, &p) : 0;
	PKCS8_PRIV_KEY_INFO_free(p8);
	return rc == 0 && e->len > 0 && e->p8_len > 0 ? 0 : -1;
}

static int keys_up(void)
{
	pki.root.key = EVP_EC_gen("P-256");
	pki.im.key = EVP_EC_gen("P-256");
	pki.ee.key = EVP_EC_gen("P-256");
	pki.rsa.key = EVP_RSA_gen(2048);
	pki.p384.key = EVP_EC_gen("P-384");
	pki.expired.key = EVP_EC_gen("P-256");
	pki.future.key = EVP_EC_gen("P-256");
	pki.other_root.key = EVP_EC_gen("P-256");
	pki.rogue.key = EVP_EC_gen("P-256");
	return pki.root.key && pki.im.key && pki.ee.key && pki.rsa.key && pki.p384.key &&
			       pki.expired.key && pki.future.key && pki.other_root.key &&
			       pki.rogue.key
		       ? 0
		       : -1;
}

static int suite_init(void)
{
	int rc = keys_up();

	rc |= make(&pki.root, "test root", NULL, true, -DAY, 10 * YEAR, NULL);
	rc |= make(&pki.im, "test intermediate", &pki.root, true, -DAY, 5 * YEAR, NULL);
	rc |= make(&pki.ee, "spoke", &pki.im, false, -DAY, YEAR,
		   "DNS:spoke.example.net,email:ops@Example.NET,IP:192.0.2.7");
	rc |= make(&pki.rsa, "hub", &pki.im, false, -DAY, YEAR, "DNS:hub.example.net");
	rc |= make(&pki.p384, "p384", &pki.im, false, -DAY, YEAR, "DNS:p384.example.net");
	rc |= make(&pki.expired, "old", &pki.im, false, -2 * DAY, -DAY, "DNS:old.example.net");
	rc |= make(&pki.future, "new", &pki.im, false, DAY, YEAR, "DNS:new.example.net");
	rc |= make(&pki.other_root, "other root", NULL, true, -DAY, YEAR, NULL);
	rc |= make(&pki.rogue, "spoke", &pki.other_root, false, -DAY, YEAR,
		   "DNS:spoke.example.net");
	memcpy(pki.cas, pki.root.der, pki.root.len);
	memcpy(pki.cas + pki.root.len, pki.im.der, pki.im.len);
	pki.cas_len = pki.root.len + pki.im.len;
	snprintf(pki.dir, sizeof(pki.dir), "/tmp/vhcert.XXXXXX");
	if (mkdtemp(pki.dir) == NULL)
		rc = -1;
	return rc == 0 ? 0 : -1;
}

static void ent_free(struct ent *e)
{
	X509_free(e->x);
	EVP_PKEY_free(e->key);
	OPENSSL_cleanse(e->p8, sizeof(e->p8));
}

static int suite_clean(void)
{
	char cmd[128];

	ent_free(&pki.root);
	ent_free(&pki.im);
	ent_free(&pki.ee);
	ent_free(&pki.rsa);
	ent_free(&pki.p384);
	ent_free(&pki.expired);
	ent_free(&pki.future);
	ent_free(&pki.other_root);
	ent_free(&pki.rogue);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki.dir);
	return pki.dir[0] != '\0' && system(cmd) != 0 ? -1 : 0;
}

/* ---- PEM ---- */

/* PEM text of what write() puts into a memory BIO, into out (NUL-terminated); its length. */
static size_t pem_of(int (*write)(BIO *, const void *), const void *obj, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	if (b != NULL && write(b, obj) == 1)
		n = BIO_read(b, out, (int)cap - 1);
	BIO_free(b);
	out[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

static int w_cert(BIO *b, const void *x)
{
	return PEM_write_bio_X509(b, (X509 *)x);
}

static int w_p8(BIO *b, const void *k)
{
	return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL);
}

static int w_trad(BIO *b, const void *k)
{
	return PEM_write_bio_PrivateKey_traditional(b, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL);
}

static int w_enc(BIO *b, const void *k)
{
	return PEM_write_bio_PKCS8PrivateKey(b, (EVP_PKEY *)k, EVP_aes_128_cbc(), NULL, 0, NULL,
					     "a passphrase");
}

static void test_pem(void)
{
	char pem[PEM_MAX], two[PEM_MAX];
	uint8_t der[2 * DER_MAX];
	size_t n, len = 0;
	unsigned int count = 0;

	/* two certificates with a key block between them: both, in order; the key skipped */
	n = pem_of(w_cert, pki.ee.x, two, sizeof(two));
	n += pem_of(w_p8, pki.ee.key, two + n, sizeof(two) - n);
	n += pem_of(w_cert, pki.im.x, two + n, sizeof(two) - n);
	CU_ASSERT_EQUAL(ike_cert_pem_certs(two, n, der, sizeof(der), &len, &count), 0);
	CU_ASSERT_EQUAL(count, 2);
	CU_ASSERT_EQUAL(len, pki.ee.len + pki.im.len);
	CU_ASSERT(memcmp(der, pki.ee.der, pki.ee.len) == 0);
	CU_ASSERT(memcmp(der + pki.ee.len, pki.im.der, pki.im.len) == 0);
	CU_ASSERT_EQUAL(ike_cert_pem_certs(two, n, der, pki.ee.len + 1, &len, &count), -ENOBUFS);
	/* no certificate; a corrupted one */
	CU_ASSERT_EQUAL(ike_cert_pem_certs("hello\n", 6, der, sizeof(der), &len, &count), -EBADMSG);
	n = pem_of(w_cert, pki.ee.x, pem, sizeof(pem));
	pem[40] = pem[40] == 'A' ? 'B' : 'A';
	pem[41] = '*';
	CU_ASSERT_EQUAL(ike_cert_pem_certs(pem, n, der, sizeof(der), &len, &count), -EBADMSG);

	/* keys: PKCS#8 and traditional give the same PKCS#8; encrypted and none are refused */
	n = pem_of(w_p8, pki.rsa.key, pem, sizeof(pem));
	CU_ASSERT_EQUAL(ike_cert_pem_key(pem, n, der, sizeof(der), &len), 0);
	CU_ASSERT(len == pki.rsa.p8_len && memcmp(der, pki.rsa.p8, len) == 0);
	n = pem_of(w_trad, pki.ee.key, pem, sizeof(pem));
	CU_ASSERT_PTR_NOT_NULL(strstr(pem, "BEGIN EC PRIVATE KEY"));
	CU_ASSERT_EQUAL(ike_cert_pem_key(pem, n, der, sizeof(der), &len), 0);
	CU_ASSERT(len == pki.ee.p8_len && memcmp(der, pki.ee.p8, len) == 0);
	CU_ASSERT_EQUAL(ike_cert_pem_key(pem, n, der, 10, &len), -ENOBUFS);
	n = pem_of(w_enc, pki.ee.key, pem, sizeof(pem));
	CU_ASSERT_EQUAL(ike_cert_pem_key(pem, n, der, sizeof(der), &len), -EBADMSG);
	CU_ASSERT_EQUAL(len, 0);
	n = pem_of(w_cert, pki.ee.x, pem, sizeof(pem));
	CU_ASSERT_EQUAL(ike_cert_pem_key(pem, n, der, sizeof(der), &len), -EBADMSG);
	OPENSSL_cleanse(der, sizeof(der));
	OPENSSL_cleanse(pem, sizeof(pem));
}

/* A key of another type or size, as PKCS#8. */
static size_t p8_of(EVP_PKEY *k, uint8_t *out)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
	uint8_t *p = out;
	int n = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &p) : 0;

	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_PKEY_free(k);
	return n > 0 ? (size_t)n : 0;
}

static void test_key_check(void)
{
	char why[IKE_CERT_WHY_MAX] = "";
	uint8_t p8[DER_MAX];
	size_t n;

	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len, pki.ee.p8, pki.ee.p8_len, why,
					  sizeof(why)),
			0);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.rsa.der, pki.rsa.len, pki.rsa.p8, pki.rsa.p8_len, why,
					  sizeof(why)),
			0);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.p384.der, pki.p384.len, pki.p384.p8, pki.p384.p8_len,
					  why, sizeof(why)),
			0);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len, pki.rogue.p8, pki.rogue.p8_len,
					  why, sizeof(why)),
			-EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not the private key"));
	n = p8_of(EVP_RSA_gen(1024), p8);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len, p8, n, why, sizeof(why)),
			-ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "RSA-1024"));
	n = p8_of(EVP_EC_gen("P-521"), p8);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len, p8, n, why, sizeof(why)),
			-ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "secp521r1"));
	n = p8_of(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), p8);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len, p8, n, why, sizeof(why)),
			-ENOTSUP);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len - 1, pki.ee.p8, pki.ee.p8_len, why,
					  sizeof(why)),
			-EBADMSG);
	CU_ASSERT_EQUAL(ike_sig_key_check(pki.ee.der, pki.ee.len, pki.ee.p8, pki.ee.p8_len + 1, why,
					  sizeof(why)),
			-EBADMSG);
	OPENSSL_cleanse(p8, sizeof(p8));
}

/* ---- chains ---- */

static int verify(const struct ent *e, const struct ent *im, const uint8_t *cas, size_t cas_len,
		  char *why)
{
	struct ike_chunk c = {im != NULL ? im->der : NULL, im != NULL ? im->len : 0};

	why[0] = '\0';
	return ike_cert_verify_chain(e->der, e->len, &c, im != NULL ? 1 : 0, cas, cas_len, why,
				     IKE_CERT_WHY_MAX);
}

static void test_chain_ok(void)
{
	char why[IKE_CERT_WHY_MAX];

	/* the intermediate received in a second CERT payload, only the root configured */
	CU_ASSERT_EQUAL(verify(&pki.ee, &pki.im, pki.root.der, pki.root.len, why), 0);
	CU_ASSERT_EQUAL(verify(&pki.rsa, &pki.im, pki.root.der, pki.root.len, why), 0);
	/* the intermediate configured beside the root, none received */
	CU_ASSERT_EQUAL(verify(&pki.p384, NULL, pki.cas, pki.cas_len, why), 0);
	/* a received root changes nothing: anchors come from the config only */
	CU_ASSERT_EQUAL(verify(&pki.ee, &pki.root, pki.cas, pki.cas_len, why), 0);
}

static void test_chain_refused(void)
{
	char why[IKE_CERT_WHY_MAX];
	uint8_t bad[DER_MAX];
	struct ike_chunk junk = {bad, 40};

	/* untrusted: the rogue spoke's root is not configured, even when it is sent along */
	CU_ASSERT_EQUAL(verify(&pki.rogue, NULL, pki.cas, pki.cas_len, why), -EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unable to get local issuer certificate"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "CN=spoke"));
	CU_ASSERT_EQUAL(verify(&pki.rogue, &pki.other_root, pki.cas, pki.cas_len, why),
			-EKEYREJECTED);
	/* the intermediate neither sent nor configured */
	CU_ASSERT_EQUAL(verify(&pki.ee, NULL, pki.root.der, pki.root.len, why), -EKEYREJECTED);
	/* only the intermediate configured: it is no trust anchor */
	CU_ASSERT_EQUAL(verify(&pki.ee, NULL, pki.im.der, pki.im.len, why), -EKEYREJECTED);
	/* expired and not yet valid: time errors, told apart */
	CU_ASSERT_EQUAL(verify(&pki.expired, &pki.im, pki.root.der, pki.root.len, why),
			-EKEYEXPIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "certificate has expired"));
	CU_ASSERT_EQUAL(verify(&pki.future, &pki.im, pki.root.der, pki.root.len, why),
			-EKEYEXPIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not yet valid"));
	/* malformed: truncated end entity, garbage intermediate */
	CU_ASSERT_EQUAL(ike_cert_verify_chain(pki.ee.der, pki.ee.len - 1, NULL, 0, pki.cas,
					      pki.cas_len, why, sizeof(why)),
			-EBADMSG);
	memset(bad, 0x30, sizeof(bad));
	CU_ASSERT_EQUAL(ike_cert_verify_chain(pki.ee.der, pki.ee.len, &junk, 1, pki.cas,
					      pki.cas_len, why, sizeof(why)),
			-EBADMSG);
	CU_ASSERT_EQUAL(
		ike_cert_verify_chain(NULL, 0, NULL, 0, pki.cas, pki.cas_len, why, sizeof(why)),
		-EBADMSG);
}

static void test_validity(void)
{
	char why[IKE_CERT_WHY_MAX];

	CU_ASSERT_EQUAL(ike_cert_valid_now(pki.ee.der, pki.ee.len, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(ike_cert_valid_now(pki.expired.der, pki.expired.len, why, sizeof(why)),
			-EKEYEXPIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "expired on 20"));
	CU_ASSERT_EQUAL(ike_cert_valid_now(pki.future.der, pki.future.len, why, sizeof(why)),
			-EKEYEXPIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not valid before 20"));
	CU_ASSERT_EQUAL(ike_cert_valid_now(pki.ee.der, 10, why, sizeof(why)), -EBADMSG);
}

/* ---- identities ---- */

static void test_ids(void)
{
	static const uint8_t v4[] = {192, 0, 2, 7}, v4_other[] = {192, 0, 2, 8};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	uint8_t dn[512], other[512];
	size_t dn_len = 0, other_len = 0;
	const uint8_t *d = pki.ee.der;
	size_t l = pki.ee.len;

	CU_ASSERT_EQUAL(ike_cert_subject(d, l, dn, sizeof(dn), &dn_len), 0);
	CU_ASSERT_EQUAL(
		ike_cert_subject(pki.rsa.der, pki.rsa.len, other, sizeof(other), &other_len), 0);
	CU_ASSERT_EQUAL(ike_cert_subject(d, l, dn, 10, &dn_len), -ENOBUFS);
	CU_ASSERT_EQUAL(ike_cert_subject(d, l, dn, sizeof(dn), &dn_len), 0);
	/* ID_DER_ASN1_DN (9): the subject, not another's */
	CU_ASSERT_TRUE(ike_cert_has_id(d, l, 9, dn, dn_len));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 9, other, other_len));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 9, dn, dn_len - 1));
	/* ID_FQDN (2), case-insensitive; the CN alone vouches for nothing (RFC 4945 3.1) */
	CU_ASSERT_TRUE(ike_cert_has_id(d, l, 2, (const uint8_t *)"spoke.example.net", 17));
	CU_ASSERT_TRUE(ike_cert_has_id(d, l, 2, (const uint8_t *)"SPOKE.example.NET", 17));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 2, (const uint8_t *)"hub.example.net", 15));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 2, (const uint8_t *)"spoke", 5));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 2, (const uint8_t *)"spoke.example.net\0x", 19));
	/* ID_RFC822_ADDR (3): the domain ignores case, the local part does not */
	CU_ASSERT_TRUE(ike_cert_has_id(d, l, 3, (const uint8_t *)"ops@example.net", 15));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 3, (const uint8_t *)"OPS@example.net", 15));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 3, (const uint8_t *)"spoke.example.net", 17));
	/* ID_IPV4_ADDR (1), ID_IPV6_ADDR (5); KEY_ID (11) is never vouched for */
	CU_ASSERT_TRUE(ike_cert_has_id(d, l, 1, v4, 4));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 1, v4_other, 4));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 1, v4, 3));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 5, v6, 16));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 11, v4, 4));
	CU_ASSERT_FALSE(ike_cert_has_id(d, l, 2, NULL, 0));
}

static void test_dn_text(void)
{
	uint8_t a[512], b[512];
	size_t al = 0, bl = 0;
	char why[IKE_CERT_WHY_MAX], s[128];
	static const char *const bad[] = {
		"", "CN", "=x", "CN=", "CN=a,", "CN=a+O=b", "CN=a\\", "XX=a", "C=CHE", "CN=a,,O=b",
	};

	/* the subject of the spoke, written as text, is the same name */
	CU_ASSERT_EQUAL(ike_cert_dn_parse("C=CH, O=vpnhub test, CN=spoke", 29, a, sizeof(a), &al,
					  why, sizeof(why)),
			0);
	CU_ASSERT_EQUAL(ike_cert_subject(pki.ee.der, pki.ee.len, b, sizeof(b), &bl), 0);
	CU_ASSERT_TRUE(ike_cert_dn_equal(a, al, b, bl));
	CU_ASSERT_TRUE(ike_cert_has_id(pki.ee.der, pki.ee.len, 9, a, al));
	/* RFC 5280 7.1: case and inner blanks aside; long names and OIDs too */
	CU_ASSERT_EQUAL(ike_cert_dn_parse("countryName=ch,O=VPNHUB  test,2.5.4.3=SPOKE", 43, a,
					  sizeof(a), &al, why, sizeof(why)),
			0);
	CU_ASSERT_TRUE(ike_cert_dn_equal(a, al, b, bl));
	CU_ASSERT_EQUAL(ike_cert_dn_parse("C=CH, O=vpnhub test, CN=hub", 27, a, sizeof(a), &al, why,
					  sizeof(why)),
			0);
	CU_ASSERT_FALSE(ike_cert_dn_equal(a, al, b, bl));
	/* escapes: a comma inside a value, a kept trailing blank */
	CU_ASSERT_EQUAL(
		ike_cert_dn_parse("O=a\\, b, CN=x\\ ", 15, a, sizeof(a), &al, why, sizeof(why)), 0);
	ike_cert_dn_str(a, al, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "O=a\\, b, CN=x\\ ");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		CU_ASSERT_EQUAL(ike_cert_dn_parse(bad[i], strlen(bad[i]), a, sizeof(a), &al, why,
						  sizeof(why)),
				-EINVAL);
		CU_ASSERT(why[0] != '\0');
	}
	CU_ASSERT_EQUAL(ike_cert_dn_parse("CN=spoke", 8, a, 5, &al, why, sizeof(why)), -ENOBUFS);
	/* the subject printed for logs */
	ike_cert_subject_str(pki.ee.der, pki.ee.len, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "C=CH, O=vpnhub test, CN=spoke");
	ike_cert_subject_str(pki.ee.der, pki.ee.len, s, 8);
	CU_ASSERT_STRING_EQUAL(s, "C=CH, O");
	ike_cert_dn_str(a, 1, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "");
}

/* ---- CERTREQ hashes, certificate lists ---- */

static void test_keyhash(void)
{
	uint8_t h[IKE_CERT_KEYHASH_LEN], want[20], *spki = NULL;
	unsigned int wl = 0;
	int n = i2d_PUBKEY(pki.root.key, &spki);

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(EVP_Digest(spki, (size_t)n, want, &wl, EVP_sha1(), NULL), 1);
	OPENSSL_free(spki);
	CU_ASSERT_EQUAL(ike_cert_keyhash(pki.root.der, pki.root.len, h), 0);
	CU_ASSERT(memcmp(h, want, sizeof(h)) == 0);
	CU_ASSERT_EQUAL(ike_cert_keyhash(pki.im.der, pki.im.len, h), 0);
	CU_ASSERT(memcmp(h, want, sizeof(h)) != 0);
	CU_ASSERT_EQUAL(ike_cert_keyhash(pki.root.der, pki.root.len - 2, h), -EBADMSG);
}

static void test_cert_list(void)
{
	const uint8_t *c;
	size_t cl, off = 0;

	/* the CA list walks certificate by certificate */
	CU_ASSERT_TRUE(ike_cert_next(pki.cas, pki.cas_len, &off, &c, &cl));
	CU_ASSERT(c == pki.cas && cl == pki.root.len);
	CU_ASSERT_TRUE(ike_cert_next(pki.cas, pki.cas_len, &off, &c, &cl));
	CU_ASSERT(cl == pki.im.len);
	CU_ASSERT_FALSE(ike_cert_next(pki.cas, pki.cas_len, &off, &c, &cl));
	off = 0;
	CU_ASSERT_FALSE(ike_cert_next(pki.cas, 3, &off, &c, &cl));
	CU_ASSERT_TRUE(ike_cert_self_signed(pki.root.der, pki.root.len));
	CU_ASSERT_FALSE(ike_cert_self_signed(pki.im.der, pki.im.len));
}

/* ---- signatures ---- */

/* RFC 7427 Appendix A, as printed there. */
static const uint8_t a11_sha1_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
				       0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
static const uint8_t a12_sha256_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const uint8_t a32_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t a33_ecdsa_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t a34_ecdsa_sha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
static const uint8_t a43_pss_sha256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};

#define H(x) (1u << IKE_SIG_HASH_##x)

/* Stand-ins for RealMessage | Nonce | MACedID. */
static uint8_t msg[300], nonce[32], maced[32];

static void octets(struct ike_chunk so[3])
{
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	memset(nonce, 0xa5, sizeof(nonce));
	memset(maced, 0x3c, sizeof(maced));
	so[0] = (struct ike_chunk){msg, sizeof(msg)};
	so[1] = (struct ike_chunk){nonce, sizeof(nonce)};
	so[2] = (struct ike_chunk){maced, sizeof(maced)};
}

/* OpenSSL itself verifies sig (DER for ECDSA) over msg | nonce | maced. */
static bool openssl_verifies(EVP_PKEY *k, const char *md, int pad, int salt, const uint8_t *sig,
			     size_t len)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	bool ok = EVP_DigestVerifyInit_ex(mc, &pc, md, NULL, NULL, k, NULL) == 1;

	if (ok && pad != 0)
		ok = EVP_PKEY_CTX_set_rsa_padding(pc, pad) == 1 &&
		     (pad != RSA_PKCS1_PSS_PADDING ||
		      EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt) == 1);
	ok = ok && EVP_DigestVerifyUpdate(mc, msg, sizeof(msg)) == 1 &&
	     EVP_DigestVerifyUpdate(mc, nonce, sizeof(nonce)) == 1 &&
	     EVP_DigestVerifyUpdate(mc, maced, sizeof(maced)) == 1 &&
	     EVP_DigestVerifyFinal(mc, sig, len) == 1;
	EVP_MD_CTX_free(mc);
	return ok;
}

struct sign_case {
	const char *what;
	const struct ent *e;
	unsigned int peer_hashes;
	uint8_t method;
	const uint8_t *algid; /* method 14 */
	size_t algid_len;
	const char *md; /* for OpenSSL's own check */
	int pad;
	int salt;
};

static void sign_check(const struct sign_case *t)
{
	struct ike_chunk so[3];
	uint8_t sig[IKE_SIG_MAX], method = 0;
	size_t len = 0, off;
	char why[IKE_CERT_WHY_MAX];

	octets(so);
	CU_ASSERT_EQUAL_FATAL(ike_sig_sign(t->e->p8, t->e->p8_len, t->peer_hashes, so, 3, &method,
					   sig, sizeof(sig), &len),
			      0);
	CU_ASSERT_EQUAL(method, t->method);
	off = method == IKE_AUTH_DIGITAL_SIG ? 1 + (size_t)sig[0] : 0;
	if (t->algid != NULL)
		CU_ASSERT(sig[0] == t->algid_len && memcmp(sig + 1, t->algid, t->algid_len) == 0);
	if (t->method == IKE_AUTH_ECDSA_P256 || t->method == IKE_AUTH_ECDSA_P384)
		CU_ASSERT_EQUAL(len, t->method == IKE_AUTH_ECDSA_P256 ? 64 : 96);
	if (t->method != IKE_AUTH_ECDSA_P256 && t->method != IKE_AUTH_ECDSA_P384)
		CU_ASSERT_TRUE(
			openssl_verifies(t->e->key, t->md, t->pad, t->salt, sig + off, len - off));
	CU_ASSERT_EQUAL(
		ike_sig_verify(t->e->der, t->e->len, method, sig, len, so, 3, why, sizeof(why)), 0);
	/* one bit of the message, of the nonce, of the signature: refused */
	msg[100] ^= 0x01;
	CU_ASSERT_EQUAL(
		ike_sig_verify(t->e->der, t->e->len, method, sig, len, so, 3, why, sizeof(why)),
		-EKEYREJECTED);
	msg[100] ^= 0x01;
	nonce[31] ^= 0x80;
	CU_ASSERT_EQUAL(
		ike_sig_verify(t->e->der, t->e->len, method, sig, len, so, 3, why, sizeof(why)),
		-EKEYREJECTED);
	nonce[31] ^= 0x80;
	sig[len - 1] ^= 0x01;
	CU_ASSERT_NOT_EQUAL(
		ike_sig_verify(t->e->der, t->e->len, method, sig, len, so, 3, why, sizeof(why)), 0);
	sig[len - 1] ^= 0x01;
	/* the right signature, another certificate */
	CU_ASSERT_NOT_EQUAL(ike_sig_verify(t->e == &pki.ee ? pki.rogue.der : pki.ee.der,
					   t->e == &pki.ee ? pki.rogue.len : pki.ee.len, method,
					   sig, len, so, 3, why, sizeof(why)),
			    0);
	if (ike_sig_verify(t->e->der, t->e->len, method, sig, len, so, 3, why, sizeof(why)) != 0)
		fprintf(stderr, "\n  case %s: %s\n", t->what, why);
}

static void test_sign_verify(void)
{
	const int pss = RSA_PKCS1_PSS_PADDING, v15 = RSA_PKCS1_PADDING;
	const struct sign_case cases[] = {
		{"RSA, peer SHA-256: RSASSA-PSS SHA-256", &pki.rsa, H(SHA2_256), 14, a43_pss_sha256,
		 sizeof(a43_pss_sha256), "SHA2-256", pss, 32},
		{"RSA, peer SHA-384/512: RSASSA-PSS SHA-384", &pki.rsa, H(SHA2_384) | H(SHA2_512),
		 14, NULL, 0, "SHA2-384", pss, 48},
		{"RSA, peer SHA-512 only", &pki.rsa, H(SHA2_512), 14, NULL, 0, "SHA2-512", pss, 64},
		{"RSA, no RFC 7427: method 1", &pki.rsa, 0, 1, NULL, 0, "SHA1", v15, 0},
		{"RSA, peer SHA-1 only: method 1", &pki.rsa, H(SHA1), 1, NULL, 0, "SHA1", v15, 0},
		{"P-256, all: ECDSA SHA-256", &pki.ee, H(SHA2_256) | H(SHA2_384) | H(SHA2_512), 14,
		 a32_ecdsa_sha256, sizeof(a32_ecdsa_sha256), "SHA2-256", 0, 0},
		{"P-256, peer SHA-512 only", &pki.ee, H(SHA2_512), 14, a34_ecdsa_sha512,
		 sizeof(a34_ecdsa_sha512), "SHA2-512", 0, 0},
		{"P-256, no RFC 7427: method 9", &pki.ee, 0, 9, NULL, 0, NULL, 0, 0},
		{"P-384, all: ECDSA SHA-384", &pki.p384, H(SHA2_256) | H(SHA2_384), 14,
		 a33_ecdsa_sha384, sizeof(a33_ecdsa_sha384), "SHA2-384", 0, 0},
		{"P-384, peer SHA-256 only", &pki.p384, H(SHA2_256), 14, a32_ecdsa_sha256,
		 sizeof(a32_ecdsa_sha256), "SHA2-256", 0, 0},
		{"P-384, no RFC 7427: method 10", &pki.p384, 0, 10, NULL, 0, NULL, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		sign_check(&cases[i]);
}

/* AUTH data of method 14 made by OpenSSL directly: algid, then the signature. */
static size_t foreign(EVP_PKEY *k, const char *md, int pad, const uint8_t *algid, size_t algid_len,
		      uint8_t *out, size_t cap)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	size_t sl = cap - 1 - algid_len;
	bool ok = EVP_DigestSignInit_ex(mc, &pc, md, NULL, NULL, k, NULL) == 1 &&
		  (pad == 0 || EVP_PKEY_CTX_set_rsa_padding(pc, pad) == 1) &&
		  EVP_DigestSignUpdate(mc, msg, sizeof(msg)) == 1 &&
		  EVP_DigestSignUpdate(mc, nonce, sizeof(nonce)) == 1 &&
		  EVP_DigestSignUpdate(mc, maced, sizeof(maced)) == 1 &&
		  EVP_DigestSignFinal(mc, out + 1 + algid_len, &sl) == 1;

	EVP_MD_CTX_free(mc);
	out[0] = (uint8_t)algid_len;
	memcpy(out + 1, algid, algid_len);
	return ok ? 1 + algid_len + sl : 0;
}

static void test_verify_foreign(void)
{
	struct ike_chunk so[3];
	uint8_t auth[IKE_SIG_MAX], alt[16];
	char why[IKE_CERT_WHY_MAX];
	size_t n;

	octets(so);
	/* A.1.2 sha256WithRSAEncryption (PKCS#1 v1.5), as strongSwan sends it by default */
	n = foreign(pki.rsa.key, "SHA2-256", RSA_PKCS1_PADDING, a12_sha256_rsa,
		    sizeof(a12_sha256_rsa), auth, sizeof(auth));
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.rsa.der, pki.rsa.len, 14, auth, n, so, 3, why, sizeof(why)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "PKCS#1 v1.5 SHA2-256"));
	/* the same without the NULL parameters (RFC 4055 5 tolerates it) */
	memcpy(alt, a12_sha256_rsa, 13);
	alt[1] = 0x0b;
	memmove(auth + 14, auth + 16, n - 16);
	auth[0] = 13;
	memcpy(auth + 1, alt, 13);
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.rsa.der, pki.rsa.len, 14, auth, n - 2, so, 3, why, sizeof(why)),
		0);
	/* A.1.1 sha1WithRSAEncryption: SHA-1 was not announced (RFC 7427 4) */
	n = foreign(pki.rsa.key, "SHA1", RSA_PKCS1_PADDING, a11_sha1_rsa, sizeof(a11_sha1_rsa),
		    auth, sizeof(auth));
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.rsa.der, pki.rsa.len, 14, auth, n, so, 3, why, sizeof(why)),
		-ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "SIGNATURE_HASH_ALGORITHMS"));
	/* A.3.2 ecdsa-with-SHA256 by OpenSSL */
	n = foreign(pki.ee.key, "SHA2-256", 0, a32_ecdsa_sha256, sizeof(a32_ecdsa_sha256), auth,
		    sizeof(auth));
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 14, auth, n, so, 3, why, sizeof(why)), 0);
	/* an ECDSA algorithm with an RSA certificate; method 9 with a P-384 key */
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.rsa.der, pki.rsa.len, 14, auth, n, so, 3, why, sizeof(why)),
		-EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_sig_verify(pki.p384.der, pki.p384.len, 9, auth + 13, 64, so, 3, why,
				       sizeof(why)),
			-EKEYREJECTED);
	/* lengths that lie: the AlgorithmIdentifier's length byte, a truncated OID */
	auth[0] = (uint8_t)(n - 1);
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 14, auth, n, so, 3, why, sizeof(why)),
		-EBADMSG);
	auth[0] = 11;
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 14, auth, n, so, 3, why, sizeof(why)),
		-EBADMSG);
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 14, auth, 1, so, 3, why, sizeof(why)),
		-EBADMSG);
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 14, auth, 0, so, 3, why, sizeof(why)),
		-EBADMSG);
	/* methods that are no signatures, raw ECDSA of the wrong size */
	CU_ASSERT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 2, auth, 32, so, 3, why, sizeof(why)),
		-ENOTSUP);
	CU_ASSERT_NOT_EQUAL(
		ike_sig_verify(pki.ee.der, pki.ee.len, 9, auth, 63, so, 3, why, sizeof(why)), 0);
}

/* ---- IKEv1: SIG_I / SIG_R over HASH_I / HASH_R as they are (RFC 2409 5.1, RFC 4754 7) ---- */

/*
 * Known answer for RSA, built without the code under test: the EMSA-PKCS1-v1_5 block of type 1
 * around h with no DigestInfo (00 01 FF..FF 00 h, as long as the modulus) put through the bare
 * RSA private operation. PKCS#1 v1.5 is deterministic: ours must be these very octets.
 */
static size_t rsa_by_hand(EVP_PKEY *k, const uint8_t *h, size_t hl, uint8_t *out, size_t cap)
{
	size_t n = (size_t)EVP_PKEY_get_size(k), sl = cap;
	uint8_t em[1024];
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	bool ok = pc != NULL && n <= sizeof(em) && hl + 11 <= n;

	if (ok) {
		em[0] = 0x00;
		em[1] = 0x01;
		memset(em + 2, 0xff, n - 3 - hl);
		em[n - hl - 1] = 0x00;
		memcpy(em + n - hl, h, hl);
	}
	ok = ok && EVP_PKEY_decrypt_init(pc) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pc, RSA_NO_PADDING) == 1 &&
	     EVP_PKEY_decrypt(pc, out, &sl, em, n) == 1;
	EVP_PKEY_CTX_free(pc);
	return ok ? sl : 0;
}

/* r | s (half octets each) as a DER Ecdsa-Sig-Value, verified by OpenSSL over h as the digest. */
static bool openssl_ecdsa_ok(EVP_PKEY *k, const uint8_t *h, size_t hl, const uint8_t *rs,
			     size_t half)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *ss = BN_bin2bn(rs + half, (int)half, NULL);
	uint8_t der[160], *p = der;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	bool ok = s != NULL && r != NULL && ss != NULL && ECDSA_SIG_set0(s, r, ss) == 1;
	int l;

	if (!ok) {
		BN_free(r);
		BN_free(ss);
	}
	l = ok ? i2d_ECDSA_SIG(s, &p) : 0;
	ok = ok && l > 0 && pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
	     EVP_PKEY_verify(pc, der, (size_t)l, h, hl) == 1;
	EVP_PKEY_CTX_free(pc);
	ECDSA_SIG_free(s);
	return ok;
}

/* An ECDSA signature of h made by OpenSSL directly, as r | s. */
static size_t openssl_ecdsa(EVP_PKEY *k, const uint8_t *h, size_t hl, size_t half, uint8_t *rs)
{
	uint8_t der[160];
	const uint8_t *p = der;
	size_t dl = sizeof(der);
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	bool ok = pc != NULL && EVP_PKEY_sign_init(pc) == 1 &&
		  EVP_PKEY_sign(pc, der, &dl, h, hl) == 1;
	ECDSA_SIG *s = ok ? d2i_ECDSA_SIG(NULL, &p, (long)dl) : NULL;
	const BIGNUM *r = NULL, *ss = NULL;

	if (s != NULL)
		ECDSA_SIG_get0(s, &r, &ss);
	ok = s != NULL && BN_bn2binpad(r, rs, (int)half) == (int)half &&
	     BN_bn2binpad(ss, rs + half, (int)half) == (int)half;
	ECDSA_SIG_free(s);
	EVP_PKEY_CTX_free(pc);
	return ok ? 2 * half : 0;
}

static void test_sign_hash(void)
{
	uint8_t h[64], sig[IKE_SIG_MAX], ref[IKE_SIG_MAX];
	size_t len = 0, rl;
	char why[IKE_CERT_WHY_MAX];
	static const struct {
		const struct ent *e;
		enum ike_sig_key type;
		size_t hl, half; /* half 0: RSA */
	} cases[] = {
		{&pki.rsa, IKE_SIG_KEY_RSA, 20, 0},    /* HASH_I with SHA-1 */
		{&pki.rsa, IKE_SIG_KEY_RSA, 32, 0},    /* with SHA2-256 */
		{&pki.rsa, IKE_SIG_KEY_RSA, 64, 0},    /* with SHA2-512 */
		{&pki.ee, IKE_SIG_KEY_P256, 32, 32},   /* method 9: HMAC-SHA-256 */
		{&pki.p384, IKE_SIG_KEY_P384, 48, 48}, /* method 10: HMAC-SHA-384 */
	};

	for (size_t i = 0; i < sizeof(h); i++)
		h[i] = (uint8_t)(0x5a ^ (i * 29));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ent *e = cases[i].e;
		size_t hl = cases[i].hl, half = cases[i].half;

		CU_ASSERT_EQUAL(ike_sig_key_type(e->p8, e->p8_len), cases[i].type);
		CU_ASSERT_EQUAL_FATAL(
			ike_sig_sign_hash(e->p8, e->p8_len, h, hl, sig, sizeof(sig), &len), 0);
		if (half == 0) { /* the very octets of the block built by hand */
			rl = rsa_by_hand(e->key, h, hl, ref, sizeof(ref));
			CU_ASSERT_TRUE(rl == 256 && len == rl && memcmp(sig, ref, rl) == 0);
		} else { /* r | s of the field's size, good for OpenSSL; OpenSSL's good for us */
			CU_ASSERT_EQUAL(len, 2 * half);
			CU_ASSERT_TRUE(openssl_ecdsa_ok(e->key, h, hl, sig, half));
			rl = openssl_ecdsa(e->key, h, hl, half, ref);
			CU_ASSERT_EQUAL_FATAL(rl, 2 * half);
			CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len, cases[i].type, h, hl,
							    ref, rl, why, sizeof(why)),
					0);
		}
		CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len, cases[i].type, h, hl, sig, len,
						    why, sizeof(why)),
				0);
		/* one bit of the hash, of the signature; one octet short; another key */
		h[hl - 1] ^= 0x01;
		CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len, cases[i].type, h, hl, sig, len,
						    why, sizeof(why)),
				-EKEYREJECTED);
		h[hl - 1] ^= 0x01;
		sig[len / 2] ^= 0x10;
		CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len, cases[i].type, h, hl, sig, len,
						    why, sizeof(why)),
				-EKEYREJECTED);
		sig[len / 2] ^= 0x10;
		CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len, cases[i].type, h, hl, sig + 1,
						    len - 1, why, sizeof(why)),
				-EKEYREJECTED);
		CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len, cases[i].type, h, hl - 1, sig,
						    len, why, sizeof(why)),
				-EKEYREJECTED);
		/* the certificate's key not of the negotiated method's type */
		CU_ASSERT_EQUAL(ike_sig_verify_hash(e->der, e->len,
						    half == 0 ? IKE_SIG_KEY_P256 : IKE_SIG_KEY_RSA,
						    h, hl, sig, len, why, sizeof(why)),
				-EKEYREJECTED);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "not the key of the negotiated method"));
	}
	/* RSA over a DigestInfo (PKCS#1 v1.5 with SHA-256 of the hash) is another thing */
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	rl = sizeof(ref);
	CU_ASSERT_FATAL(EVP_DigestSignInit_ex(mc, &pc, "SHA2-256", NULL, NULL, pki.rsa.key, NULL) ==
				1 &&
			EVP_DigestSign(mc, ref, &rl, h, 32) == 1);
	EVP_MD_CTX_free(mc);
	CU_ASSERT_EQUAL(ike_sig_verify_hash(pki.rsa.der, pki.rsa.len, IKE_SIG_KEY_RSA, h, 32, ref,
					    rl, why, sizeof(why)),
			-EKEYREJECTED);
	/* a signature of the right key type by another key; a certificate that is not one */
	CU_ASSERT_EQUAL_FATAL(
		ike_sig_sign_hash(pki.ee.p8, pki.ee.p8_len, h, 32, sig, sizeof(sig), &len), 0);
	CU_ASSERT_EQUAL(ike_sig_verify_hash(pki.rogue.der, pki.rogue.len, IKE_SIG_KEY_P256, h, 32,
					    sig, len, why, sizeof(why)),
			-EKEYREJECTED);
	CU_ASSERT_EQUAL(ike_sig_verify_hash(pki.ee.p8, pki.ee.p8_len, IKE_SIG_KEY_P256, h, 32, sig,
					    len, why, sizeof(why)),
			-EBADMSG);
	/* no hash, one longer than any prf's; a key that does not parse */
	CU_ASSERT_EQUAL(ike_sig_sign_hash(pki.ee.p8, pki.ee.p8_len, h, 0, sig, sizeof(sig), &len),
			-EINVAL);
	CU_ASSERT_EQUAL(ike_sig_verify_hash(pki.ee.der, pki.ee.len, IKE_SIG_KEY_P256, h, 0, sig, 64,
					    why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_EQUAL(ike_sig_sign_hash(pki.ee.der, pki.ee.len, h, 32, sig, sizeof(sig), &len),
			-EBADMSG);
	CU_ASSERT_EQUAL(ike_sig_key_type(pki.ee.der, pki.ee.len), IKE_SIG_KEY_NONE);
	/* ECDSA r | s does not fit in 63 octets of output */
	CU_ASSERT_NOT_EQUAL(ike_sig_sign_hash(pki.ee.p8, pki.ee.p8_len, h, 32, sig, 63, &len), 0);
}

/* ---- the config loader ---- */

static int put_file(const char *name, const char *text, size_t len)
{
	char path[PATH_LEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pki.dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fwrite(text, 1, len, f);
	return fclose(f);
}

static int put_pem(const char *name, int (*write)(BIO *, const void *), const void *obj)
{
	char pem[PEM_MAX];
	size_t n = pem_of(write, obj, pem, sizeof(pem));
	int rc = n > 0 ? put_file(name, pem, n) : -1;

	OPENSSL_cleanse(pem, sizeof(pem));
	return rc;
}

/* The peer (lines 6-17) with extra keys from line 13 on; the children follow them. */
#define PKI_CFG(extra)                                                                   \
	"interfaces:\n  - name: lan0\n    port: net_tap0\n    ipv4: 10.0.0.1/24\n"       \
	"ike:\n  peers:\n    - name: p\n      local: 10.0.0.1\n      remote: 10.0.0.2\n" \
	"      auth: pubkey\n" extra "      children:\n        - name: c\n"
#define CERT_KEY_CA "      cert: ee.pem\n      key: ee.key\n      ca: [root.pem, im.pem]\n"

/* Load the YAML text as t.yaml of the scratch directory; 0 with *cfg, or err filled. */
static int load(const char *yaml, struct config **cfg, char *err, size_t errlen)
{
	char path[PATH_LEN];

	snprintf(path, sizeof(path), "%s/t.yaml", pki.dir);
	*cfg = NULL;
	err[0] = '\0';
	if (put_file("t.yaml", yaml, strlen(yaml)) != 0)
		return -EIO;
	return cfg_load_file(path, cfg, err, errlen);
}

static void conf_files(void)
{
	char pem[2 * PEM_MAX];
	size_t n;

	CU_ASSERT_EQUAL(put_pem("ee.pem", w_cert, pki.ee.x), 0);
	CU_ASSERT_EQUAL(put_pem("ee.key", w_trad, pki.ee.key), 0);
	CU_ASSERT_EQUAL(put_pem("rsa.key", w_p8, pki.rsa.key), 0);
	CU_ASSERT_EQUAL(put_pem("root.pem", w_cert, pki.root.x), 0);
	CU_ASSERT_EQUAL(put_pem("im.pem", w_cert, pki.im.x), 0);
	CU_ASSERT_EQUAL(put_pem("old.pem", w_cert, pki.expired.x), 0);
	CU_ASSERT_EQUAL(put_pem("old.key", w_p8, pki.expired.key), 0);
	CU_ASSERT_EQUAL(put_pem("enc.key", w_enc, pki.ee.key), 0);
	n = pem_of(w_cert, pki.ee.x, pem, sizeof(pem));
	n += pem_of(w_cert, pki.im.x, pem + n, sizeof(pem) - n);
	CU_ASSERT_EQUAL(put_file("chain.pem", pem, n), 0);
	CU_ASSERT_EQUAL(put_file("junk.pem", "not a certificate\n", 18), 0);
}

static void test_conf_ok(void)
{
	struct config *cfg;
	char err[CFG_ERR_MAX];
	uint8_t dn[512];
	size_t dn_len = 0;
	const struct cfg_ike_peer *p;

	conf_files();
	CU_ASSERT_EQUAL_FATAL(load(PKI_CFG(CERT_KEY_CA), &cfg, err, sizeof(err)), 0);
	p = &cfg->ike_peers[0];
	CU_ASSERT_EQUAL(p->auth, CFG_IKE_AUTH_PUBKEY);
	CU_ASSERT(p->cert_len == pki.ee.len && memcmp(p->cert, pki.ee.der, pki.ee.len) == 0);
	CU_ASSERT(p->cas_len == pki.cas_len && memcmp(p->cas, pki.cas, pki.cas_len) == 0);
	CU_ASSERT(p->key_len == pki.ee.p8_len && memcmp(p->key, pki.ee.p8, p->key_len) == 0);
	CU_ASSERT_TRUE(p->send_certreq);
	/* local_id: the subject, as ID_DER_ASN1_DN */
	CU_ASSERT_EQUAL(ike_cert_subject(pki.ee.der, pki.ee.len, dn, sizeof(dn), &dn_len), 0);
	CU_ASSERT(p->local_id.type == CFG_IKE_ID_DN && p->local_id.len == dn_len &&
		  memcmp(p->local_id.data, dn, dn_len) == 0);
	cfg_free(cfg);
	/* an fqdn of the SAN, a DN remote_id, the chain in the cert file, no CERTREQ */
	CU_ASSERT_EQUAL(load(PKI_CFG("      cert: chain.pem\n      key: ee.key\n"
				     "      ca: root.pem\n      local_id: fqdn:spoke.example.net\n"
				     "      remote_id: 'dn:C=CH, O=vpnhub test, CN=hub'\n"
				     "      send_certreq: false\n"),
			     &cfg, err, sizeof(err)),
			0);
	if (cfg == NULL) {
		fprintf(stderr, "\n  %s\n", err);
		return;
	}
	p = &cfg->ike_peers[0];
	CU_ASSERT_EQUAL(p->cert_len, pki.ee.len + pki.im.len);
	CU_ASSERT(p->local_id.type == CFG_IKE_ID_FQDN && p->local_id.len == 17);
	CU_ASSERT_EQUAL(p->remote_id.type, CFG_IKE_ID_DN);
	CU_ASSERT_EQUAL(ike_cert_subject(pki.rsa.der, pki.rsa.len, dn, sizeof(dn), &dn_len), 0);
	CU_ASSERT_TRUE(ike_cert_dn_equal(p->remote_id.data, p->remote_id.len, dn, dn_len));
	CU_ASSERT_FALSE(p->send_certreq);
	cfg_free(cfg);
	/* expired: loads (with a warning on stderr), refused when used */
	CU_ASSERT_EQUAL(
		load(PKI_CFG("      cert: old.pem\n      key: old.key\n      ca: root.pem\n"), &cfg,
		     err, sizeof(err)),
		0);
	cfg_free(cfg);
}

static void test_conf_refused(void)
{
	static const struct {
		const char *what, *extra, *pos, *msg;
	} cases[] = {
		{"no cert", "      key: ee.key\n      ca: root.pem\n",
		 "t.yaml:7:7: ", "missing required key 'cert'"},
		{"no ca", "      cert: ee.pem\n      key: ee.key\n",
		 "t.yaml:7:7: ", "missing required key 'ca'"},
		{"psk with pubkey", CERT_KEY_CA "      psk: \"0123456789abcdef\"\n",
		 "t.yaml:14:12: ", "'psk' is not used with auth: pubkey"},
		{"not a certificate",
		 "      cert: junk.pem\n      key: ee.key\n      ca: root.pem\n",
		 "t.yaml:11:13: ", "holds no PEM certificate"},
		{"unreadable", "      cert: nope.pem\n      key: ee.key\n      ca: root.pem\n",
		 "t.yaml:11:13: ", "'cert' 'nope.pem' cannot be read"},
		{"key of another certificate",
		 "      cert: ee.pem\n      key: rsa.key\n      ca: root.pem\n",
		 "t.yaml:12:12: ", "is not the private key of the certificate"},
		{"encrypted key", "      cert: ee.pem\n      key: enc.key\n      ca: root.pem\n",
		 "t.yaml:12:12: ", "not encrypted"},
		{"no trust anchor", "      cert: ee.pem\n      key: ee.key\n      ca: im.pem\n",
		 "t.yaml:13:11: ", "none of the 'ca' certificates is self-signed"},
		{"local_id not in the SAN", CERT_KEY_CA "      local_id: fqdn:hub.example.net\n",
		 "t.yaml:14:17: ",
		 "'local_id' 'fqdn:hub.example.net' is not in the subjectAltName"},
		{"local_id another DN", CERT_KEY_CA "      local_id: 'dn:CN=hub'\n",
		 "t.yaml:14:17: ", "is not the subject of 'cert' 'ee.pem'"},
		{"local_id keyid", CERT_KEY_CA "      local_id: keyid:0a0b\n",
		 "t.yaml:14:17: ", "'local_id' keyid: is vouched for by no certificate"},
		{"remote_id keyid", CERT_KEY_CA "      remote_id: keyid:0a0b\n",
		 "t.yaml:14:18: ", "'remote_id' keyid: cannot be checked"},
		{"malformed dn", CERT_KEY_CA "      remote_id: 'dn:CN=a+O=b'\n",
		 "t.yaml:14:18: ", "is not a distinguished name: '+'"},
	};
	struct config *cfg;
	char err[CFG_ERR_MAX], yaml[2048];

	conf_files();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml), PKI_CFG("%s"), cases[i].extra);
		CU_ASSERT(load(yaml, &cfg, err, sizeof(err)) < 0);
		CU_ASSERT_PTR_NULL(cfg);
		CU_ASSERT(strncmp(err, pki.dir, strlen(pki.dir)) == 0);
		const char *rest = err + strlen(pki.dir) + 1;
		bool ok = strncmp(rest, cases[i].pos, strlen(cases[i].pos)) == 0 &&
			  strstr(rest, cases[i].msg) != NULL;
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr, "\n  case '%s': got \"%s\", want \"%s...%s\"\n",
				cases[i].what, err, cases[i].pos, cases[i].msg);
		if (cfg != NULL)
			cfg_free(cfg);
	}
	/* the certificate keys without auth: pubkey */
	snprintf(yaml, sizeof(yaml),
		 "interfaces:\n  - name: lan0\n    port: net_tap0\n    ipv4: 10.0.0.1/24\n"
		 "ike:\n  peers:\n    - name: p\n      local: 10.0.0.1\n      remote: 10.0.0.2\n"
		 "      psk: \"0123456789abcdef\"\n      cert: ee.pem\n"
		 "      children:\n        - name: c\n");
	CU_ASSERT(load(yaml, &cfg, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.yaml:11:13: 'cert' needs auth: pubkey"));
}

int test_ike_cert_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"PEM certificates and keys", test_pem},
		{"key types and pairs", test_key_check},
		{"chain verified (intermediate sent or configured)", test_chain_ok},
		{"chain refused: untrusted, expired, malformed", test_chain_refused},
		{"validity now", test_validity},
		{"IDs against subject and subjectAltName (3.5)", test_ids},
		{"distinguished names as text", test_dn_text},
		{"CERTREQ key hash (3.7)", test_keyhash},
		{"certificate lists, self-signed", test_cert_list},
		{"sign and verify, every method (RFC 7427, 4754)", test_sign_verify},
		{"OpenSSL's signatures, lying lengths (RFC 7427 A)", test_verify_foreign},
		{"IKEv1 SIG over the hash as it is (RFC 2409 5.1, 4754 7)", test_sign_hash},
		{"config: auth pubkey loads", test_conf_ok},
		{"config: auth pubkey refusals", test_conf_refused},
	};
	CU_pSuite s = CU_add_suite("ike_cert", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
