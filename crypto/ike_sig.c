/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_sig.c - signatures of IKEv2 AUTH on OpenSSL 3 (see ike_sig.h): RFC 7296 3.8
 * method 1, RFC 4754 methods 9 and 10, RFC 7427 method 14 with the AlgorithmIdentifiers of its
 * Appendix A (and RFC 4055 3.1 for RSASSA-PSS with SHA-384/512).
 *
 * Every call parses the DER it is given (a certificate for its public key, a PKCS#8 key),
 * works on OpenSSL objects and frees them before it returns; a private key's object clears its
 * secrets when freed. OpenSSL's error queue is cleared before returning. Any thread; vpnhub
 * calls it from the main lcore (config) and the control lcore (IKE_AUTH).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/ike_sig.h"
#include "crypto/ike_x509.h"

#define RSA_BITS_MIN  2048
#define RSA_BITS_MAX  8192
#define PSS_SALT_MAX  1024
#define TRAILER_BC    1		    /* the only PSS trailerField (RFC 4055 3.1) */
#define KEY_DESC_MAX  80	    /* "EC " and a group name, or a type and its bits */
#define ECDSA_DER_MAX (2 * 48 + 16) /* a P-384 Ecdsa-Sig-Value */

enum key_kind { KEY_NONE = 0, KEY_RSA, KEY_P256, KEY_P384 };
enum sig_scheme { SCHEME_PKCS1 = 1, SCHEME_PSS, SCHEME_ECDSA };

/* ---- keys ---- */

/* A PKCS#8 private key that fills its DER exactly, or NULL. */
static EVP_PKEY *key_parse(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *k = NULL;

	if (der == NULL || len == 0 || len > IKE_DER_LEN_MAX)
		return NULL;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (p8 != NULL && p == der + len)
		k = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8); /* clears the key octets */
	ERR_clear_error();
	return k;
}

/*
 * Our signing keys, parsed once: OpenSSL 3 decodes PKCS#8 through its provider decoders, which
 * costs several times the signature itself, and a hub signs with the same few keys all day. An
 * entry is found by the DER's content (a config freed and another loaded may reuse its
 * address), holds a copy of it, and is wiped when it is evicted (round robin) or at exit. Not
 * thread-safe: the control lcore signs, and config checks run before it starts.
 */
#define KEY_CACHE 8
static struct {
	uint8_t *der;
	size_t len;
	EVP_PKEY *k;
} key_cache[KEY_CACHE];
static unsigned int key_cache_next;

static void key_cache_drop(unsigned int i)
{
	OPENSSL_clear_free(key_cache[i].der, key_cache[i].len);
	EVP_PKEY_free(key_cache[i].k);
	key_cache[i].der = NULL;
	key_cache[i].len = 0;
	key_cache[i].k = NULL;
}

static void __attribute__((destructor)) key_cache_wipe(void)
{
	for (unsigned int i = 0; i < KEY_CACHE; i++)
		key_cache_drop(i);
}

/* key_parse(der, len), from the cache when it holds it; a reference the caller frees. */
static EVP_PKEY *key_get(const uint8_t *der, size_t len)
{
	for (unsigned int i = 0; i < KEY_CACHE; i++)
		if (key_cache[i].len == len && key_cache[i].der != NULL &&
		    CRYPTO_memcmp(key_cache[i].der, der, len) == 0 &&
		    EVP_PKEY_up_ref(key_cache[i].k) == 1)
			return key_cache[i].k;
	EVP_PKEY *k = key_parse(der, len);
	uint8_t *copy = k != NULL ? OPENSSL_memdup(der, len) : NULL;
	if (copy == NULL || EVP_PKEY_up_ref(k) != 1) {
		OPENSSL_clear_free(copy, len);
		return k; /* not cached: still usable */
	}
	unsigned int i = key_cache_next++ % KEY_CACHE;
	key_cache_drop(i);
	key_cache[i].der = copy;
	key_cache[i].len = len;
	key_cache[i].k = k;
	return k;
}

static enum key_kind key_kind(const EVP_PKEY *k)
{
	char group[64];
	size_t glen = 0;
	int bits = EVP_PKEY_get_bits(k), nid;

	if (EVP_PKEY_is_a(k, "RSA"))
		return bits >= RSA_BITS_MIN && bits <= RSA_BITS_MAX ? KEY_RSA : KEY_NONE;
	if (!EVP_PKEY_is_a(k, "EC") || EVP_PKEY_get_group_name(k, group, sizeof(group), &glen) != 1)
		return KEY_NONE;
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	return nid == NID_X9_62_prime256v1 ? KEY_P256 : nid == NID_secp384r1 ? KEY_P384 : KEY_NONE;
}

/* "RSA-1024", "EC secp521r1", "ED25519-256": for a refusal. */
static void key_desc(const EVP_PKEY *k, char *out, size_t len)
{
	char group[64];
	size_t glen = 0;
	const char *type = EVP_PKEY_get0_type_name(k);

	if (EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_group_name(k, group, sizeof(group), &glen) == 1)
		snprintf(out, len, "EC %s", group);
	else
		snprintf(out, len, "%s-%d", type != NULL ? type : "?", EVP_PKEY_get_bits(k));
}

int ike_sig_key_check(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
		      char *why, size_t why_len)
{
	X509 *x = ike_x509_parse(cert, cert_len);
	EVP_PKEY *k = key_parse(key, key_len);
	char desc[KEY_DESC_MAX];
	int rc = 0;

	if (x == NULL || k == NULL) {
		ike_why(why, why_len, "%s does not parse",
			x == NULL ? "the certificate" : "the key");
		rc = -EBADMSG;
	} else if (key_kind(k) == KEY_NONE) {
		key_desc(k, desc, sizeof(desc));
		ike_why(why, why_len,
			"is %s: vpnhub signs with RSA of 2048 to 8192 bits, or EC P-256 or P-384",
			desc);
		rc = -ENOTSUP;
	} else if (X509_check_private_key(x, k) != 1) {
		ike_why(why, why_len, "is not the private key of the certificate");
		rc = -EKEYREJECTED;
	}
	EVP_PKEY_free(k);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* ---- signature schemes ---- */

struct hash_desc {
	uint8_t id; /* RFC 7427 4 */
	int nid;
	const char *md;
};

static const struct hash_desc hashes[] = {
	{IKE_SIG_HASH_SHA1, NID_sha1, "SHA1"},
	{IKE_SIG_HASH_SHA2_256, NID_sha256, "SHA2-256"},
	{IKE_SIG_HASH_SHA2_384, NID_sha384, "SHA2-384"},
	{IKE_SIG_HASH_SHA2_512, NID_sha512, "SHA2-512"},
};

static const struct hash_desc *hash_by_id(uint8_t id)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].id == id)
			return &hashes[i];
	return NULL;
}

static const struct hash_desc *hash_by_nid(int nid)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].nid == nid)
			return &hashes[i];
	return NULL;
}

/* One way to sign or verify: an AUTH method, a padding or ECDSA, a hash. */
struct sig_alg {
	uint8_t method;
	uint8_t scheme; /* enum sig_scheme */
	const struct hash_desc *h;
	int salt;	  /* RSASSA-PSS */
	const char *mgf1; /* RSASSA-PSS: MGF1's hash */
	size_t raw;	  /* methods 9, 10: octets of r and of s */
	const uint8_t *algid;
	size_t algid_len;
};

/* AlgorithmIdentifiers we sign with (method 14): RFC 7427 A.3.2-A.3.4 and A.4.3. */
static const uint8_t ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
				       0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t ecdsa_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
				       0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t ecdsa_sha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
				       0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};

/* RSASSA-PSS, hash H with NULL parameters, MGF1 with H, salt as long as H (RFC 4055 3.1). */
#define PSS_ALGID(h, salt)                                                                         \
	{                                                                                          \
		0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,      \
			0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,    \
			0x65, 0x03, 0x04, 0x02, h, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, \
			0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06,    \
			0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, h, 0x05, 0x00, 0xa2, \
			0x03, 0x02, 0x01, salt                                                     \
	}
static const uint8_t pss_sha256[] = PSS_ALGID(0x01, 0x20);
static const uint8_t pss_sha384[] = PSS_ALGID(0x02, 0x30);
static const uint8_t pss_sha512[] = PSS_ALGID(0x03, 0x40);

/* What we sign with, per key type, in order of preference (the hash of the curve first). */
static const struct {
	uint8_t kind;
	uint8_t hash;
	uint8_t scheme;
	uint8_t salt;
	const uint8_t *algid;
	uint8_t algid_len;
} ours[] = {
	{KEY_RSA, IKE_SIG_HASH_SHA2_256, SCHEME_PSS, 32, pss_sha256, sizeof(pss_sha256)},
	{KEY_RSA, IKE_SIG_HASH_SHA2_384, SCHEME_PSS, 48, pss_sha384, sizeof(pss_sha384)},
	{KEY_RSA, IKE_SIG_HASH_SHA2_512, SCHEME_PSS, 64, pss_sha512, sizeof(pss_sha512)},
	{KEY_P256, IKE_SIG_HASH_SHA2_256, SCHEME_ECDSA, 0, ecdsa_sha256, sizeof(ecdsa_sha256)},
	{KEY_P256, IKE_SIG_HASH_SHA2_384, SCHEME_ECDSA, 0, ecdsa_sha384, sizeof(ecdsa_sha384)},
	{KEY_P256, IKE_SIG_HASH_SHA2_512, SCHEME_ECDSA, 0, ecdsa_sha512, sizeof(ecdsa_sha512)},
	{KEY_P384, IKE_SIG_HASH_SHA2_384, SCHEME_ECDSA, 0, ecdsa_sha384, sizeof(ecdsa_sha384)},
	{KEY_P384, IKE_SIG_HASH_SHA2_512, SCHEME_ECDSA, 0, ecdsa_sha512, sizeof(ecdsa_sha512)},
	{KEY_P384, IKE_SIG_HASH_SHA2_256, SCHEME_ECDSA, 0, ecdsa_sha256, sizeof(ecdsa_sha256)},
};

/* The methods of RFC 7296 3.8 and RFC 4754 7, for a peer without RFC 7427. */
static void legacy(enum key_kind kind, struct sig_alg *a)
{
	a->method = kind == KEY_RSA    ? IKE_AUTH_RSA_SIG
		    : kind == KEY_P256 ? IKE_AUTH_ECDSA_P256
				       : IKE_AUTH_ECDSA_P384;
	a->scheme = kind == KEY_RSA ? SCHEME_PKCS1 : SCHEME_ECDSA;
	a->h = hash_by_id(kind == KEY_RSA    ? IKE_SIG_HASH_SHA1
			  : kind == KEY_P256 ? IKE_SIG_HASH_SHA2_256
					     : IKE_SIG_HASH_SHA2_384);
	a->raw = kind == KEY_RSA ? 0 : kind == KEY_P256 ? 32 : 48;
}

static bool choose(enum key_kind kind, unsigned int peer_hashes, struct sig_alg *a)
{
	memset(a, 0, sizeof(*a));
	if (kind == KEY_NONE)
		return false;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		if (ours[i].kind != kind ||
		    !(peer_hashes & IKE_SIG_HASHES_OURS & 1u << ours[i].hash))
			continue;
		a->method = IKE_AUTH_DIGITAL_SIG;
		a->scheme = ours[i].scheme;
		a->h = hash_by_id(ours[i].hash);
		a->salt = ours[i].salt;
		a->mgf1 = a->h->md;
		a->algid = ours[i].algid;
		a->algid_len = ours[i].algid_len;
		return true;
	}
	legacy(kind, a);
	return true;
}

static const char *scheme_name(const struct sig_alg *a)
{
	return a->scheme == SCHEME_PSS	   ? "RSASSA-PSS"
	       : a->scheme == SCHEME_PKCS1 ? "RSA PKCS#1 v1.5"
					   : "ECDSA";
}

static int pad_params(EVP_PKEY_CTX *pc, const struct sig_alg *a)
{
	if (a->scheme == SCHEME_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 ? 0 : -EIO;
	if (a->scheme != SCHEME_PSS)
		return 0;
	if (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, a->salt) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pc, a->mgf1, NULL) != 1)
		return -EIO;
	return 0;
}

/* r | s, each half octets, from a DER Ecdsa-Sig-Value (RFC 4754 7). */
static int der_to_raw(const uint8_t *der, size_t len, size_t half, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	const uint8_t *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r = NULL, *ss = NULL;
	int rc = -EIO;

	if (s != NULL && 2 * half <= cap) {
		ECDSA_SIG_get0(s, &r, &ss);
		if (BN_bn2binpad(r, out, (int)half) == (int)half &&
		    BN_bn2binpad(ss, out + half, (int)half) == (int)half) {
			*out_len = 2 * half;
			rc = 0;
		}
	}
	ECDSA_SIG_free(s);
	return rc;
}

static int raw_to_der(const uint8_t *raw, size_t len, size_t half, uint8_t *der, size_t cap,
		      size_t *der_len)
{
	ECDSA_SIG *s = len == 2 * half ? ECDSA_SIG_new() : NULL;
	BIGNUM *r = s != NULL ? BN_bin2bn(raw, (int)half, NULL) : NULL;
	BIGNUM *ss = r != NULL ? BN_bin2bn(raw + half, (int)half, NULL) : NULL;
	uint8_t *p = der;
	int l, rc = -EKEYREJECTED;

	if (ss != NULL && ECDSA_SIG_set0(s, r, ss) == 1) {
		r = ss = NULL; /* s owns them */
		l = i2d_ECDSA_SIG(s, NULL);
		if (l > 0 && (size_t)l <= cap && i2d_ECDSA_SIG(s, &p) == l) {
			*der_len = (size_t)l;
			rc = 0;
		}
	}
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return rc;
}

static int sign_raw(EVP_PKEY *k, const struct sig_alg *a, const struct ike_chunk *so, size_t n,
		    uint8_t *out, size_t cap, size_t *len)
{
	uint8_t sig[IKE_SIG_MAX];
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	size_t sl = sizeof(sig);
	int rc = mc != NULL && EVP_DigestSignInit_ex(mc, &pc, a->h->md, NULL, NULL, k, NULL) == 1
			 ? pad_params(pc, a)
			 : -EIO;

	for (size_t i = 0; rc == 0 && i < n; i++)
		if (EVP_DigestSignUpdate(mc, so[i].p, so[i].len) != 1)
			rc = -EIO;
	if (rc == 0 && EVP_DigestSignFinal(mc, sig, &sl) != 1)
		rc = -EIO;
	if (rc == 0 && a->raw != 0)
		rc = der_to_raw(sig, sl, a->raw, out, cap, len);
	else if (rc == 0 && sl > cap)
		rc = -ENOBUFS;
	else if (rc == 0)
		memcpy(out, sig, sl);
	if (rc == 0 && a->raw == 0)
		*len = sl;
	EVP_MD_CTX_free(mc);
	return rc;
}

int ike_sig_sign(const uint8_t *key, size_t key_len, unsigned int peer_hashes,
		 const struct ike_chunk *so, size_t n, uint8_t *method, uint8_t *out, size_t cap,
		 size_t *out_len)
{
	EVP_PKEY *k = key_get(key, key_len);
	struct sig_alg a;
	size_t off = 0, sl = 0;
	int rc = k == NULL ? -EBADMSG : choose(key_kind(k), peer_hashes, &a) ? 0 : -ENOTSUP;

	if (rc == 0 && a.method == IKE_AUTH_DIGITAL_SIG) {
		if (cap < 1 + a.algid_len)
			rc = -ENOBUFS;
		else {
			out[0] = (uint8_t)a.algid_len;
			memcpy(out + 1, a.algid, a.algid_len);
			off = 1 + a.algid_len;
		}
	}
	if (rc == 0)
		rc = sign_raw(k, &a, so, n, out + off, cap - off, &sl);
	if (rc == 0) {
		*method = a.method;
		*out_len = off + sl;
	}
	EVP_PKEY_free(k); /* the cache's reference stays; an uncached key is cleared */
	ERR_clear_error();
	return rc;
}

/* ---- verification ---- */

/* Signature algorithms of method 14 besides RSASSA-PSS (RFC 7427 A.1, A.3). */
static const struct {
	int nid;
	uint8_t scheme;
	uint8_t hash;
} algs[] = {
	{NID_sha1WithRSAEncryption, SCHEME_PKCS1, IKE_SIG_HASH_SHA1},
	{NID_sha256WithRSAEncryption, SCHEME_PKCS1, IKE_SIG_HASH_SHA2_256},
	{NID_sha384WithRSAEncryption, SCHEME_PKCS1, IKE_SIG_HASH_SHA2_384},
	{NID_sha512WithRSAEncryption, SCHEME_PKCS1, IKE_SIG_HASH_SHA2_512},
	{NID_ecdsa_with_SHA1, SCHEME_ECDSA, IKE_SIG_HASH_SHA1},
	{NID_ecdsa_with_SHA256, SCHEME_ECDSA, IKE_SIG_HASH_SHA2_256},
	{NID_ecdsa_with_SHA384, SCHEME_ECDSA, IKE_SIG_HASH_SHA2_384},
	{NID_ecdsa_with_SHA512, SCHEME_ECDSA, IKE_SIG_HASH_SHA2_512},
};

/* The hash of MGF1 (RFC 4055 2.2): SHA-1 when absent; NID_undef for another function. */
static int mgf1_hash(const X509_ALGOR *mgf)
{
	const ASN1_STRING *s;
	const uint8_t *p;
	X509_ALGOR *h;
	int nid;

	if (mgf == NULL)
		return NID_sha1;
	if (OBJ_obj2nid(mgf->algorithm) != NID_mgf1 || mgf->parameter == NULL ||
	    mgf->parameter->type != V_ASN1_SEQUENCE)
		return NID_undef;
	s = mgf->parameter->value.sequence;
	p = ASN1_STRING_get0_data(s);
	h = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(s));
	nid = h != NULL && p == ASN1_STRING_get0_data(s) + ASN1_STRING_length(s)
		      ? OBJ_obj2nid(h->algorithm)
		      : NID_undef;
	X509_ALGOR_free(h);
	return nid;
}

/* RSASSA-PSS-params (RFC 4055 3.1); absent fields take their defaults (SHA-1, salt 20). */
static int pss_params(int ptype, const void *pval, struct sig_alg *a)
{
	const ASN1_STRING *seq = pval;
	const uint8_t *p, *end;
	RSA_PSS_PARAMS *pp;
	const struct hash_desc *mgf;
	long salt, trailer;

	if (ptype != V_ASN1_SEQUENCE)
		return -EBADMSG;
	p = ASN1_STRING_get0_data(seq);
	end = p + ASN1_STRING_length(seq);
	pp = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(seq));
	if (pp == NULL || p != end) {
		RSA_PSS_PARAMS_free(pp);
		return -EBADMSG;
	}
	a->h = hash_by_nid(pp->hashAlgorithm != NULL ? OBJ_obj2nid(pp->hashAlgorithm->algorithm)
						     : NID_sha1);
	mgf = hash_by_nid(mgf1_hash(pp->maskGenAlgorithm));
	salt = pp->saltLength != NULL ? ASN1_INTEGER_get(pp->saltLength) : 20;
	trailer = pp->trailerField != NULL ? ASN1_INTEGER_get(pp->trailerField) : TRAILER_BC;
	RSA_PSS_PARAMS_free(pp);
	if (a->h == NULL || mgf == NULL || salt < 0 || salt > PSS_SALT_MAX || trailer != TRAILER_BC)
		return -ENOTSUP;
	a->scheme = SCHEME_PSS;
	a->salt = (int)salt;
	a->mgf1 = mgf->md;
	return 0;
}

static int algid_known(int nid, int ptype, const void *pval, struct sig_alg *a)
{
	if (nid == NID_rsassaPss)
		return pss_params(ptype, pval, a);
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].nid != nid)
			continue;
		/* RFC 4055 5: NULL for RSA (absent tolerated); RFC 5758 3.2: none for ECDSA */
		if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
			return -EBADMSG;
		a->scheme = algs[i].scheme;
		a->h = hash_by_id(algs[i].hash);
		return 0;
	}
	return -ENOTSUP;
}

static int algid_parse(const uint8_t *der, size_t len, struct sig_alg *a, char *why, size_t why_len)
{
	const uint8_t *p = der;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	const ASN1_OBJECT *oid = NULL;
	const void *pval = NULL;
	char name[64];
	int ptype = 0, rc;

	if (alg == NULL || p != der + len) {
		X509_ALGOR_free(alg);
		ike_why(why, why_len, "its AlgorithmIdentifier does not parse (RFC 7427 3)");
		return -EBADMSG;
	}
	X509_ALGOR_get0(&oid, &ptype, &pval, alg);
	rc = algid_known(OBJ_obj2nid(oid), ptype, pval, a);
	if (rc == -ENOTSUP && OBJ_obj2txt(name, sizeof(name), oid, 0) > 0)
		ike_why(why, why_len, "signature algorithm %s is not one vpnhub verifies", name);
	else if (rc < 0)
		ike_why(why, why_len,
			"its AlgorithmIdentifier has parameters vpnhub does not accept");
	X509_ALGOR_free(alg);
	return rc;
}

/* Method 14: the AlgorithmIdentifier in front of the signature, against the key and our hashes. */
static int digital(enum key_kind kind, const uint8_t **sig, size_t *len, struct sig_alg *a,
		   char *why, size_t why_len)
{
	size_t al = *len > 0 ? (*sig)[0] : 0;
	int rc;

	if (al == 0 || 1 + al >= *len) {
		ike_why(why, why_len, "its AlgorithmIdentifier length runs past the AUTH data");
		return -EBADMSG;
	}
	rc = algid_parse(*sig + 1, al, a, why, why_len);
	*sig += 1 + al;
	*len -= 1 + al;
	if (rc == 0 && (a->scheme == SCHEME_ECDSA) != (kind != KEY_RSA)) {
		ike_why(why, why_len, "%s does not fit the certificate's key", scheme_name(a));
		return -EKEYREJECTED;
	}
	if (rc == 0 && !(IKE_SIG_HASHES_OURS & 1u << a->h->id)) {
		ike_why(why, why_len,
			"%s was not announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 4)", a->h->md);
		return -ENOTSUP;
	}
	return rc;
}

static int method_alg(uint8_t method, enum key_kind kind, const uint8_t **sig, size_t *len,
		      struct sig_alg *a, char *why, size_t why_len)
{
	enum key_kind want = method == IKE_AUTH_RSA_SIG	     ? KEY_RSA
			     : method == IKE_AUTH_ECDSA_P256 ? KEY_P256
							     : KEY_P384;

	memset(a, 0, sizeof(*a));
	a->method = method;
	if (method == IKE_AUTH_DIGITAL_SIG)
		return digital(kind, sig, len, a, why, why_len);
	if (method != IKE_AUTH_RSA_SIG && method != IKE_AUTH_ECDSA_P256 &&
	    method != IKE_AUTH_ECDSA_P384) {
		ike_why(why, why_len, "AUTH method %u is not a signature method vpnhub verifies",
			method);
		return -ENOTSUP;
	}
	if (kind != want) {
		ike_why(why, why_len, "AUTH method %u does not fit the certificate's key", method);
		return -EKEYREJECTED;
	}
	legacy(kind, a);
	return 0;
}

static int verify_raw(EVP_PKEY *k, const struct sig_alg *a, const struct ike_chunk *so, size_t n,
		      const uint8_t *sig, size_t sig_len)
{
	uint8_t der[ECDSA_DER_MAX];
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int rc = mc != NULL && EVP_DigestVerifyInit_ex(mc, &pc, a->h->md, NULL, NULL, k, NULL) == 1
			 ? pad_params(pc, a)
			 : -EIO;

	if (rc == 0 && a->raw != 0) {
		rc = raw_to_der(sig, sig_len, a->raw, der, sizeof(der), &sig_len);
		sig = der;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (EVP_DigestVerifyUpdate(mc, so[i].p, so[i].len) != 1)
			rc = -EIO;
	if (rc == 0 && EVP_DigestVerifyFinal(mc, sig, sig_len) != 1)
		rc = -EKEYREJECTED;
	EVP_MD_CTX_free(mc);
	return rc;
}

int ike_sig_verify(const uint8_t *cert, size_t cert_len, uint8_t method, const uint8_t *data,
		   size_t len, const struct ike_chunk *so, size_t n, char *why, size_t why_len)
{
	X509 *x = ike_x509_parse(cert, cert_len);
	EVP_PKEY *k = x != NULL ? X509_get0_pubkey(x) : NULL;
	enum key_kind kind = k != NULL ? key_kind(k) : KEY_NONE;
	struct sig_alg a;
	char desc[KEY_DESC_MAX];
	int rc;

	if (k == NULL) {
		ike_why(why, why_len, "the certificate does not parse as X.509");
		rc = -EBADMSG;
	} else if (kind == KEY_NONE) {
		key_desc(k, desc, sizeof(desc));
		ike_why(why, why_len,
			"its key is %s, not RSA of 2048 to 8192 bits or EC P-256/P-384", desc);
		rc = -ENOTSUP;
	} else {
		rc = method_alg(method, kind, &data, &len, &a, why, why_len);
	}
	if (rc == 0) {
		rc = verify_raw(k, &a, so, n, data, len);
		if (rc == 0)
			ike_why(why, why_len, "%s %s (AUTH method %u)", scheme_name(&a), a.h->md,
				method);
		else
			ike_why(why, why_len, "the %s %s signature does not verify",
				scheme_name(&a), a.h->md);
	}
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* ---- IKEv1: the hash signed as it is (RFC 2409 5.1, RFC 4754 7) ---- */

_Static_assert((int)KEY_RSA == (int)IKE_SIG_KEY_RSA && (int)KEY_P256 == (int)IKE_SIG_KEY_P256 &&
		       (int)KEY_P384 == (int)IKE_SIG_KEY_P384,
	       "enum ike_sig_key names the kinds of enum key_kind");

/* Octets of r and of s on the curve of kind (RFC 4754 7). */
static size_t ec_half(enum key_kind kind)
{
	return kind == KEY_P256 ? 32 : kind == KEY_P384 ? 48 : 0;
}

static const char *kind_name(enum key_kind kind)
{
	return kind == KEY_RSA	  ? "RSA PKCS#1 v1.5"
	       : kind == KEY_P256 ? "ECDSA P-256"
				  : "ECDSA P-384";
}

enum ike_sig_key ike_sig_key_type(const uint8_t *key, size_t key_len)
{
	EVP_PKEY *k = key_get(key, key_len);
	enum key_kind kind = k != NULL ? key_kind(k) : KEY_NONE;

	EVP_PKEY_free(k);
	ERR_clear_error();
	return (enum ike_sig_key)kind;
}

/*
 * No digest set on the context: OpenSSL's RSA then pads the input itself (PKCS#1 type 1, no
 * DigestInfo) and its ECDSA takes the input as the digest, of any length.
 */
static EVP_PKEY_CTX *raw_ctx(EVP_PKEY *k, enum key_kind kind, bool sign)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	bool ok = pc != NULL && (sign ? EVP_PKEY_sign_init(pc) : EVP_PKEY_verify_init(pc)) == 1 &&
		  (kind != KEY_RSA || EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1);

	if (ok)
		return pc;
	EVP_PKEY_CTX_free(pc);
	return NULL;
}

int ike_sig_sign_hash(const uint8_t *key, size_t key_len, const uint8_t *hash, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t sig[IKE_SIG_MAX];
	size_t sl = sizeof(sig);
	EVP_PKEY *k = key_get(key, key_len);
	enum key_kind kind = k != NULL ? key_kind(k) : KEY_NONE;
	EVP_PKEY_CTX *pc = NULL;
	int rc = k == NULL ? -EBADMSG : kind == KEY_NONE ? -ENOTSUP : 0;

	if (rc == 0 && (len == 0 || len > EVP_MAX_MD_SIZE))
		rc = -EINVAL;
	if (rc == 0 &&
	    ((pc = raw_ctx(k, kind, true)) == NULL || EVP_PKEY_sign(pc, sig, &sl, hash, len) != 1))
		rc = -EIO;
	if (rc == 0 && kind != KEY_RSA)
		rc = der_to_raw(sig, sl, ec_half(kind), out, cap, out_len);
	else if (rc == 0 && sl > cap)
		rc = -ENOBUFS;
	else if (rc == 0) {
		memcpy(out, sig, sl);
		*out_len = sl;
	}
	EVP_PKEY_CTX_free(pc);
	EVP_PKEY_free(k); /* the cache's reference stays; an uncached key is cleared */
	ERR_clear_error();
	return rc;
}

/* The signature of kind over hash verifies with k: 0 or -EKEYREJECTED (-EIO: the library). */
static int verify_hash(EVP_PKEY *k, enum key_kind kind, const uint8_t *hash, size_t len,
		       const uint8_t *sig, size_t sig_len)
{
	uint8_t der[ECDSA_DER_MAX];
	EVP_PKEY_CTX *pc = raw_ctx(k, kind, false);
	int rc = pc != NULL ? 0 : -EIO;

	if (rc == 0 && kind == KEY_RSA && sig_len != (size_t)EVP_PKEY_get_size(k))
		rc = -EKEYREJECTED; /* as long as the modulus, no shorter */
	if (rc == 0 && kind != KEY_RSA) {
		rc = raw_to_der(sig, sig_len, ec_half(kind), der, sizeof(der), &sig_len);
		sig = der;
	}
	if (rc == 0 && EVP_PKEY_verify(pc, sig, sig_len, hash, len) != 1)
		rc = -EKEYREJECTED;
	EVP_PKEY_CTX_free(pc);
	return rc;
}

int ike_sig_verify_hash(const uint8_t *cert, size_t cert_len, enum ike_sig_key want,
			const uint8_t *hash, size_t len, const uint8_t *sig, size_t sig_len,
			char *why, size_t why_len)
{
	X509 *x = ike_x509_parse(cert, cert_len);
	EVP_PKEY *k = x != NULL ? X509_get0_pubkey(x) : NULL;
	enum key_kind kind = k != NULL ? key_kind(k) : KEY_NONE;
	char desc[KEY_DESC_MAX];
	int rc = 0;

	if (k == NULL) {
		ike_why(why, why_len, "the certificate does not parse as X.509");
		rc = -EBADMSG;
	} else if (kind == KEY_NONE || kind != (enum key_kind)want) {
		key_desc(k, desc, sizeof(desc));
		ike_why(why, why_len, "its key is %s, not the key of the negotiated method (%s)",
			desc, want != IKE_SIG_KEY_NONE ? kind_name((enum key_kind)want) : "none");
		rc = kind == KEY_NONE ? -ENOTSUP : -EKEYREJECTED;
	} else if (len == 0 || len > EVP_MAX_MD_SIZE) {
		ike_why(why, why_len, "a hash of %zu octets", len);
		rc = -EINVAL;
	} else {
		rc = verify_hash(k, kind, hash, len, sig, sig_len);
		ike_why(why, why_len, rc == 0 ? "%s" : "the %s signature does not verify",
			kind_name(kind));
	}
	X509_free(x);
	ERR_clear_error();
	return rc;
}
