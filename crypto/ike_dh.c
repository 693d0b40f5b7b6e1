/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_dh.c - the IKEv2 key exchange groups on OpenSSL 3 EVP (see ike_dh.h).
 *
 * Keys are EVP_PKEYs of type "DH" (RFC 3526 groups by their OpenSSL names "modp_1536",
 * "modp_2048" ...; group 2, which OpenSSL has no name for, by its RFC 2409 prime and generator
 * 2), "EC" ("P-256", "P-384", "P-521") or "X25519". A peer's KE data is checked here first
 * (RFC 6989), with the field prime from the group itself, so that every refusal has its own
 * reason; only then does it become an EVP_PKEY and meet our key in EVP_PKEY_derive. OpenSSL's
 * own peer validation is not asked for: it would repeat the checks with one reason for all.
 *
 * OSSL_PARAM arrays are built by hand on stack buffers rather than with OSSL_PARAM_BLD, so that
 * a private value passed to OpenSSL (known-answer keys) sits in memory we can wipe.
 * Control lcore only (see ike_dh.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/proverr.h>

#include "crypto/ike_dh.h"

#define ECP_COORD_MAX 66 /* P-521 */

enum kind { K_MODP, K_ECP, K_X25519 };

struct group_desc {
	uint16_t id;
	uint8_t kind;
	uint16_t ke_len;
	uint16_t secret_len;
	int nid;		      /* ECP: the curve */
	BIGNUM *(*prime)(BIGNUM *bn); /* MODP: the RFC 2409 / RFC 3526 prime */
	const char *ossl; /* OpenSSL group name (NULL: MODP by p and g), or key type for X25519 */
	const char *name;
};

static const struct group_desc groups[] = {
	{IKE_DH_MODP1024, K_MODP, 128, 128, NID_undef, BN_get_rfc2409_prime_1024, NULL, "modp1024"},
	{IKE_DH_MODP1536, K_MODP, 192, 192, NID_undef, BN_get_rfc3526_prime_1536, "modp_1536",
	 "modp1536"},
	{IKE_DH_MODP2048, K_MODP, 256, 256, NID_undef, BN_get_rfc3526_prime_2048, "modp_2048",
	 "modp2048"},
	{IKE_DH_MODP3072, K_MODP, 384, 384, NID_undef, BN_get_rfc3526_prime_3072, "modp_3072",
	 "modp3072"},
	{IKE_DH_MODP4096, K_MODP, 512, 512, NID_undef, BN_get_rfc3526_prime_4096, "modp_4096",
	 "modp4096"},
	{IKE_DH_ECP256, K_ECP, 64, 32, NID_X9_62_prime256v1, NULL, "P-256", "ecp256"},
	{IKE_DH_ECP384, K_ECP, 96, 48, NID_secp384r1, NULL, "P-384", "ecp384"},
	{IKE_DH_ECP521, K_ECP, 132, 66, NID_secp521r1, NULL, "P-521", "ecp521"},
	{IKE_DH_CURVE25519, K_X25519, 32, 32, NID_undef, NULL, "X25519", "curve25519"},
};

struct ike_dh {
	EVP_PKEY *key;
	const struct group_desc *g;
};

#define DH_ERRNO(s, e, n, d) [IKE_DH_ERR_##s] = e,
static const int err_errno[IKE_DH_ERR_MAX] = {IKE_DH_ERRORS(DH_ERRNO)};
#undef DH_ERRNO
#define DH_NAME(s, e, n, d) [IKE_DH_ERR_##s] = n,
const char *const ike_dh_err_name[IKE_DH_ERR_MAX] = {IKE_DH_ERRORS(DH_NAME)};
#undef DH_NAME
#define DH_DESC(s, e, n, d) [IKE_DH_ERR_##s] = d,
const char *const ike_dh_err_desc[IKE_DH_ERR_MAX] = {IKE_DH_ERRORS(DH_DESC)};
#undef DH_DESC

static int fail(enum ike_dh_err e)
{
	return -err_errno[e];
}

enum ike_dh_err ike_dh_err_of(int rc)
{
	for (unsigned int e = 0; e < IKE_DH_ERR_MAX; e++)
		if (rc == -err_errno[e])
			return e;
	return IKE_DH_ERR_MAX;
}

static const struct group_desc *find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool ike_dh_supported(uint16_t group)
{
	return find(group) != NULL;
}

size_t ike_dh_ke_len(uint16_t group)
{
	const struct group_desc *g = find(group);
	return g == NULL ? 0 : g->ke_len;
}

size_t ike_dh_secret_len(uint16_t group)
{
	const struct group_desc *g = find(group);
	return g == NULL ? 0 : g->secret_len;
}

const char *ike_dh_group_name(uint16_t group)
{
	const struct group_desc *g = find(group);
	return g == NULL ? NULL : g->name;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->id;
}

static const char *key_type(const struct group_desc *g)
{
	return g->kind == K_MODP ? "DH" : g->kind == K_ECP ? "EC" : "X25519";
}

/* Constant-time: true when all n bytes are zero. */
static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static int new_key(const struct group_desc *g, EVP_PKEY *key, struct ike_dh **out)
{
	struct ike_dh *dh = calloc(1, sizeof(*dh));
	if (dh == NULL) {
		EVP_PKEY_free(key);
		return fail(IKE_DH_ERR_NOMEM);
	}
	dh->key = key;
	dh->g = g;
	*out = dh;
	return 0;
}

/* An EVP_PKEY of g's type from params (selection: domain, public key or key pair). */
static int from_params(const struct group_desc *g, OSSL_PARAM *params, int selection,
		       EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, key_type(g), NULL);
	int rc = 0;

	*out = NULL;
	if (ctx == NULL)
		return fail(IKE_DH_ERR_NOMEM);
	if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, out, selection, params) <= 0)
		rc = fail(IKE_DH_ERR_LIB);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/*
 * The group of g into p[0..n) for OpenSSL, n returned: its name (n = 1), or for a MODP group
 * OpenSSL has no name for, its prime (big-endian number in native order in pbuf, ke_len octets)
 * and the generator *two (n = 2). p must have room for two entries.
 */
static int domain(const struct group_desc *g, OSSL_PARAM *p, uint8_t *pbuf, uint8_t *two)
{
	BIGNUM *prime;
	int n;

	if (g->ossl != NULL) {
		p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->ossl,
							0);
		return 1;
	}
	prime = g->prime(NULL);
	n = prime == NULL ? -1 : BN_bn2nativepad(prime, pbuf, g->ke_len);
	BN_free(prime);
	if (n != g->ke_len)
		return fail(IKE_DH_ERR_NOMEM);
	*two = 2; /* one octet: the same in either byte order */
	p[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_FFC_P, pbuf, g->ke_len);
	p[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_FFC_G, two, 1);
	return 2;
}

/* A key generation context for g: by its name, or from its domain as a key-less EVP_PKEY. */
static int keygen_ctx(const struct group_desc *g, EVP_PKEY_CTX **ctx)
{
	OSSL_PARAM p[] = {OSSL_PARAM_END, OSSL_PARAM_END, OSSL_PARAM_END};
	uint8_t pbuf[IKE_DH_KE_MAX], two;
	EVP_PKEY *dom = NULL;
	int rc = g->kind == K_X25519 ? 0 : domain(g, p, pbuf, &two);
	bool named = rc != 2;

	*ctx = NULL;
	if (!named)
		rc = from_params(g, p, EVP_PKEY_KEY_PARAMETERS, &dom);
	if (rc < 0)
		return rc;
	*ctx = named ? EVP_PKEY_CTX_new_from_name(NULL, key_type(g), NULL)
		     : EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL);
	EVP_PKEY_free(dom); /* the context holds its own reference */
	if (*ctx == NULL)
		return fail(IKE_DH_ERR_NOMEM);
	if (EVP_PKEY_keygen_init(*ctx) <= 0 ||
	    (g->kind != K_X25519 && named && EVP_PKEY_CTX_set_params(*ctx, p) <= 0)) {
		EVP_PKEY_CTX_free(*ctx);
		*ctx = NULL;
		return fail(IKE_DH_ERR_LIB);
	}
	return 0;
}

int ike_dh_new(uint16_t group, struct ike_dh **out)
{
	const struct group_desc *g = find(group);
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx;
	int rc;

	*out = NULL;
	if (g == NULL)
		return fail(IKE_DH_ERR_GROUP);
	rc = keygen_ctx(g, &ctx);
	if (rc == 0 && EVP_PKEY_generate(ctx, &key) <= 0)
		rc = fail(IKE_DH_ERR_LIB);
	EVP_PKEY_CTX_free(ctx);
	if (rc < 0) {
		ERR_clear_error();
		return rc;
	}
	return new_key(g, key, out);
}

void ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}

/* ECP public value as OpenSSL encodes it (0x04 || x || y) into x || y. */
static int public_ecp(const struct ike_dh *dh, uint8_t *out)
{
	uint8_t buf[1 + 2 * ECP_COORD_MAX];
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf),
					    &len) != 1 ||
	    len != 1u + dh->g->ke_len || buf[0] != POINT_CONVERSION_UNCOMPRESSED)
		return fail(IKE_DH_ERR_LIB);
	memcpy(out, buf + 1, dh->g->ke_len);
	return 0;
}

static int public_modp(const struct ike_dh *dh, uint8_t *out)
{
	BIGNUM *y = NULL;
	int rc = 0;

	if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1 ||
	    BN_bn2binpad(y, out, dh->g->ke_len) != dh->g->ke_len)
		rc = fail(IKE_DH_ERR_LIB);
	BN_free(y);
	return rc;
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap)
{
	size_t n = dh->g->ke_len;
	int rc;

	if (cap < n)
		return fail(IKE_DH_ERR_BUF);
	if (dh->g->kind == K_MODP)
		rc = public_modp(dh, out);
	else if (dh->g->kind == K_ECP)
		rc = public_ecp(dh, out);
	else
		rc = EVP_PKEY_get_raw_public_key(dh->key, out, &n) == 1 && n == dh->g->ke_len
			     ? 0
			     : fail(IKE_DH_ERR_LIB);
	if (rc < 0)
		ERR_clear_error();
	return rc < 0 ? rc : (int)dh->g->ke_len;
}

/* RFC 6989 section 2.1: 1 < y < p-1 for the safe-prime groups of RFC 2409 and RFC 3526. */
static int check_modp(const struct group_desc *g, const uint8_t *ke, size_t len)
{
	BIGNUM *y = BN_bin2bn(ke, (int)len, NULL);
	BIGNUM *p = g->prime(NULL);
	int rc = 0;

	if (y == NULL || p == NULL || !BN_sub_word(p, 1))
		rc = fail(IKE_DH_ERR_NOMEM);
	else if (BN_is_zero(y) || BN_is_one(y) || BN_cmp(y, p) >= 0)
		rc = fail(IKE_DH_ERR_MODP_RANGE);
	BN_free(y);
	BN_free(p);
	return rc;
}

/* The ECP checks once the numbers exist: coordinates in [0, p), then on the curve. */
static int check_point(const EC_GROUP *grp, const BIGNUM *x, const BIGNUM *y, BN_CTX *bctx)
{
	BIGNUM *p = BN_CTX_get(bctx);
	EC_POINT *pt = EC_POINT_new(grp);
	int rc = 0;

	if (p == NULL || pt == NULL || !EC_GROUP_get_curve(grp, p, NULL, NULL, bctx))
		rc = fail(IKE_DH_ERR_NOMEM);
	else if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0)
		rc = fail(IKE_DH_ERR_ECP_RANGE);
	else if (EC_POINT_set_affine_coordinates(grp, pt, x, y, bctx) != 1 ||
		 EC_POINT_is_on_curve(grp, pt, bctx) != 1)
		rc = fail(IKE_DH_ERR_ECP_OFF_CURVE);
	else if (EC_POINT_is_at_infinity(grp, pt))
		rc = fail(IKE_DH_ERR_ECP_INFINITY);
	EC_POINT_free(pt);
	return rc;
}

/* RFC 6989 section 2.3 on x || y (RFC 5903 section 7). */
static int check_ecp(const struct group_desc *g, const uint8_t *ke, size_t len)
{
	size_t c = len / 2;
	EC_GROUP *grp;
	BN_CTX *bctx;
	BIGNUM *x, *y;
	int rc;

	/* No encoding of the point at infinity exists in x || y; the all-zero one is used. */
	if (all_zero(ke, len))
		return fail(IKE_DH_ERR_ECP_INFINITY);
	grp = EC_GROUP_new_by_curve_name(g->nid);
	bctx = BN_CTX_new();
	if (grp == NULL || bctx == NULL) {
		rc = fail(IKE_DH_ERR_NOMEM);
		goto out;
	}
	BN_CTX_start(bctx);
	x = BN_CTX_get(bctx);
	y = BN_CTX_get(bctx);
	if (y == NULL || BN_bin2bn(ke, (int)c, x) == NULL || BN_bin2bn(ke + c, (int)c, y) == NULL)
		rc = fail(IKE_DH_ERR_NOMEM);
	else
		rc = check_point(grp, x, y, bctx);
	BN_CTX_end(bctx);
out:
	BN_CTX_free(bctx);
	EC_GROUP_free(grp);
	return rc;
}

int ike_dh_check_peer(uint16_t group, const uint8_t *ke, size_t len)
{
	const struct group_desc *g = find(group);
	int rc;

	if (g == NULL)
		return fail(IKE_DH_ERR_GROUP);
	if (ke == NULL || len != g->ke_len)
		return fail(IKE_DH_ERR_KE_LEN);
	if (g->kind == K_MODP)
		rc = check_modp(g, ke, len);
	else if (g->kind == K_ECP)
		rc = check_ecp(g, ke, len);
	else
		rc = 0; /* any 32 bytes are a u-coordinate; the exchange result is checked */
	ERR_clear_error();
	return rc;
}

/* The peer's checked KE data as an EVP_PKEY. */
static int peer_key(const struct group_desc *g, const uint8_t *ke, size_t len, EVP_PKEY **out)
{
	uint8_t buf[1 + IKE_DH_KE_MAX], pbuf[IKE_DH_KE_MAX], two;
	OSSL_PARAM p[] = {OSSL_PARAM_END, OSSL_PARAM_END, OSSL_PARAM_END, OSSL_PARAM_END};
	BIGNUM *y;
	int n;

	if (g->kind == K_X25519) {
		*out = EVP_PKEY_new_raw_public_key_ex(NULL, g->ossl, NULL, ke, len);
		return *out == NULL ? fail(IKE_DH_ERR_LIB) : 0;
	}
	n = domain(g, p, pbuf, &two);
	if (n < 0)
		return n;
	if (g->kind == K_ECP) {
		buf[0] = POINT_CONVERSION_UNCOMPRESSED;
		memcpy(buf + 1, ke, len);
		p[n] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, buf, len + 1);
		return from_params(g, p, EVP_PKEY_PUBLIC_KEY, out);
	}
	y = BN_bin2bn(ke, (int)len, NULL);
	if (y == NULL || BN_bn2nativepad(y, buf, (int)len) != (int)len) {
		BN_free(y);
		return fail(IKE_DH_ERR_NOMEM);
	}
	BN_free(y);
	p[n] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PUB_KEY, buf, len);
	return from_params(g, p, EVP_PKEY_PUBLIC_KEY, out);
}

/* EVP_PKEY_derive failed: for X25519 the one refusal inside is the all-zero output. */
static int derive_failure(const struct group_desc *g)
{
	unsigned long e = ERR_peek_last_error();

	if (g->kind == K_X25519 && ERR_GET_LIB(e) == ERR_LIB_PROV &&
	    ERR_GET_REASON(e) == PROV_R_FAILED_DURING_DERIVATION)
		return fail(IKE_DH_ERR_X25519_ZERO);
	return fail(IKE_DH_ERR_LIB);
}

static int exchange(const struct ike_dh *dh, EVP_PKEY *peer, uint8_t *secret)
{
	const struct group_desc *g = dh->g;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	size_t n = g->secret_len;
	int rc = 0;

	if (ctx == NULL)
		return fail(IKE_DH_ERR_NOMEM);
	/* MODP: g^ir padded to the length of the prime (RFC 7296 2.14) */
	if (EVP_PKEY_derive_init(ctx) <= 0 ||
	    (g->kind == K_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0)
		rc = fail(IKE_DH_ERR_LIB);
	else if (EVP_PKEY_derive(ctx, secret, &n) <= 0)
		rc = derive_failure(g);
	else if (n != g->secret_len)
		rc = fail(IKE_DH_ERR_LIB);
	else if (g->kind == K_X25519 && all_zero(secret, n))
		rc = fail(IKE_DH_ERR_X25519_ZERO); /* RFC 8031 2.2, if the library let it by */
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int ike_dh_derive(const struct ike_dh *dh, const uint8_t *ke, size_t len, uint8_t *secret,
		  size_t cap)
{
	EVP_PKEY *peer = NULL;
	int rc;

	if (cap < dh->g->secret_len) {
		rc = fail(IKE_DH_ERR_BUF);
		goto out;
	}
	rc = ike_dh_check_peer(dh->g->id, ke, len);
	if (rc == 0)
		rc = peer_key(dh->g, ke, len, &peer);
	if (rc == 0)
		rc = exchange(dh, peer, secret);
out:
	EVP_PKEY_free(peer);
	if (rc < 0) {
		if (secret != NULL)
			OPENSSL_cleanse(secret, cap);
		ERR_clear_error();
		return rc;
	}
	return (int)dh->g->secret_len;
}

/* Known-answer keys: d*G for ECP, 2^x mod p for MODP, as OpenSSL key pairs. */
static int kat_public(const struct group_desc *g, const BIGNUM *d, uint8_t *pub, size_t *len)
{
	BN_CTX *bctx = BN_CTX_new();
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *p = NULL, *y = NULL;
	int rc = fail(IKE_DH_ERR_LIB);

	if (bctx == NULL)
		return fail(IKE_DH_ERR_NOMEM);
	if (g->kind == K_ECP) {
		grp = EC_GROUP_new_by_curve_name(g->nid);
		pt = grp == NULL ? NULL : EC_POINT_new(grp);
		if (pt != NULL && EC_POINT_mul(grp, pt, d, NULL, NULL, bctx) == 1)
			*len = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
						  1 + IKE_DH_KE_MAX, bctx);
		rc = *len == 1u + g->ke_len ? 0 : rc;
	} else {
		p = g->prime(NULL);
		y = BN_new();
		if (p != NULL && y != NULL && BN_set_word(y, 2) &&
		    BN_mod_exp(y, y, d, p, bctx) == 1 &&
		    BN_bn2nativepad(y, pub, g->ke_len) == g->ke_len) {
			*len = g->ke_len;
			rc = 0;
		}
	}
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	BN_free(p);
	BN_free(y);
	BN_CTX_free(bctx);
	return rc;
}

static int kat_pair(const struct group_desc *g, const uint8_t *priv, size_t plen, EVP_PKEY **key)
{
	uint8_t dbuf[IKE_DH_SECRET_MAX], pub[1 + IKE_DH_KE_MAX], pbuf[IKE_DH_KE_MAX], two;
	size_t publen = 0;
	BIGNUM *d = BN_secure_new();
	OSSL_PARAM p[] = {OSSL_PARAM_END, OSSL_PARAM_END, OSSL_PARAM_END, OSSL_PARAM_END,
			  OSSL_PARAM_END};
	int n, rc = fail(IKE_DH_ERR_ARG);

	if (d == NULL || BN_bin2bn(priv, (int)plen, d) == NULL || BN_is_zero(d) ||
	    BN_num_bytes(d) > (int)sizeof(dbuf) || BN_bn2nativepad(d, dbuf, (int)plen) != (int)plen)
		goto out;
	rc = kat_public(g, d, pub, &publen);
	n = rc < 0 ? rc : domain(g, p, pbuf, &two);
	if (n < 0) {
		rc = n;
		goto out;
	}
	p[n] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, dbuf, plen);
	if (g->kind == K_ECP)
		p[n + 1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, publen);
	else
		p[n + 1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PUB_KEY, pub, publen);
	rc = from_params(g, p, EVP_PKEY_KEYPAIR, key);
out:
	OPENSSL_cleanse(dbuf, sizeof(dbuf));
	BN_clear_free(d);
	return rc;
}

int ike_dh_new_kat(uint16_t group, const uint8_t *priv, size_t priv_len, struct ike_dh **out)
{
	const struct group_desc *g = find(group);
	EVP_PKEY *key = NULL;
	int rc = 0;

	*out = NULL;
	if (g == NULL)
		return fail(IKE_DH_ERR_GROUP);
	if (priv == NULL || priv_len == 0 || priv_len > IKE_DH_SECRET_MAX)
		return fail(IKE_DH_ERR_ARG);
	if (g->kind == K_X25519) {
		key = EVP_PKEY_new_raw_private_key_ex(NULL, g->ossl, NULL, priv, priv_len);
		rc = key == NULL ? fail(IKE_DH_ERR_ARG) : 0;
	} else {
		rc = kat_pair(g, priv, priv_len, &key);
	}
	if (rc < 0) {
		ERR_clear_error();
		return rc;
	}
	return new_key(g, key, out);
}
