/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_cert.c - X.509 certificates for IKEv2 on OpenSSL 3 (see ike_cert.h).
 *
 * Every call parses the DER it is given, works on OpenSSL objects and frees them before it
 * returns; nothing is cached. OpenSSL's error queue is cleared before returning, so a refused
 * certificate leaves nothing behind for the next caller. Any thread; vpnhub calls it from the
 * main lcore (config) and the control lcore (IKE_SA_INIT, IKE_AUTH).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/ike_cert.h"
#include "crypto/ike_x509.h"

#define NAME_SHOW    96	 /* octets of a certificate's name quoted in a reason */
#define DN_VALUE_MAX 256 /* one attribute value of a configured DN */
#define DN_TYPE_MAX  64

/* ID types of RFC 7296 3.5 (the IKE codec is above this layer). */
#define ID_IPV4_ADDR   1
#define ID_FQDN	       2
#define ID_RFC822_ADDR 3
#define ID_IPV6_ADDR   5
#define ID_DER_ASN1_DN 9

/* ---- helpers ---- */

void ike_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

X509 *ike_x509_parse(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509 *x;

	if (der == NULL || len == 0 || len > IKE_DER_LEN_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

/* Printable ASCII only: names come from certificates the peer chose. */
static void printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static void name_str(const X509_NAME *nm, char *out, size_t cap)
{
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253;
	BIO *b = nm != NULL ? BIO_new(BIO_s_mem()) : NULL;
	int n = 0;

	if (cap == 0)
		return;
	if (b != NULL && X509_NAME_print_ex(b, nm, 0, flags) >= 0)
		n = BIO_read(b, out, (int)(cap - 1 < INT_MAX ? cap - 1 : INT_MAX));
	out[n > 0 ? n : 0] = '\0';
	printable(out);
	BIO_free(b);
	ERR_clear_error();
}

static int name_der(const X509_NAME *nm, uint8_t *out, size_t cap, size_t *len)
{
	int l = i2d_X509_NAME(nm, NULL);
	uint8_t *p = out;

	if (l <= 0)
		return -EBADMSG;
	if ((size_t)l > cap)
		return -ENOBUFS;
	if (i2d_X509_NAME(nm, &p) != l)
		return -EIO;
	*len = (size_t)l;
	return 0;
}

/* A DER Name with at least one attribute that fills its length, or NULL. */
static X509_NAME *name_parse(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509_NAME *nm;

	if (der == NULL || len == 0 || len > IKE_DER_LEN_MAX)
		return NULL;
	nm = d2i_X509_NAME(NULL, &p, (long)len);
	if (nm != NULL && (p != der + len || X509_NAME_entry_count(nm) == 0)) {
		X509_NAME_free(nm);
		nm = NULL;
	}
	ERR_clear_error();
	return nm;
}

/* ---- loading ---- */

/* Encrypted PEM is refused: nobody is there to type a passphrase. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The PEM reader stopped because no block was left, not because one was bad. */
static bool pem_clean_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

static int append_der(X509 *x, uint8_t *der, size_t cap, size_t *len)
{
	int l = i2d_X509(x, NULL);
	uint8_t *p = der + *len;

	if (l <= 0)
		return -EBADMSG;
	if ((size_t)l > cap - *len)
		return -ENOBUFS;
	if (i2d_X509(x, &p) != l)
		return -EIO;
	*len += (size_t)l;
	return 0;
}

int ike_cert_pem_certs(const char *pem, size_t len, uint8_t *der, size_t cap, size_t *der_len,
		       unsigned int *n)
{
	BIO *b;
	X509 *x;
	int rc = 0;

	*der_len = 0;
	*n = 0;
	if (len > INT_MAX)
		return -EBADMSG;
	b = BIO_new_mem_buf(pem, (int)len);
	if (b == NULL)
		return -ENOMEM;
	ERR_clear_error();
	while (rc == 0 && (x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL)) != NULL) {
		rc = append_der(x, der, cap, der_len);
		X509_free(x);
		(*n)++;
	}
	if (rc == 0 && (*n == 0 || !pem_clean_end()))
		rc = -EBADMSG;
	ERR_clear_error();
	BIO_free(b);
	return rc;
}

int ike_cert_pem_key(const char *pem, size_t len, uint8_t *der, size_t cap, size_t *der_len)
{
	BIO *b = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	EVP_PKEY *k = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) : NULL;
	PKCS8_PRIV_KEY_INFO *p8 = k != NULL ? EVP_PKEY2PKCS8(k) : NULL;
	int l = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, NULL) : -1;
	uint8_t *p = der;
	int rc = 0;

	*der_len = 0;
	if (l <= 0)
		rc = b == NULL && len <= INT_MAX ? -ENOMEM : -EBADMSG;
	else if ((size_t)l > cap)
		rc = -ENOBUFS;
	else if (i2d_PKCS8_PRIV_KEY_INFO(p8, &p) != l)
		rc = -EIO;
	else
		*der_len = (size_t)l;
	PKCS8_PRIV_KEY_INFO_free(p8);
	EVP_PKEY_free(k);
	BIO_free(b);
	ERR_clear_error();
	return rc;
}

static void time_str(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, len, "?");
}

int ike_cert_valid_now(const uint8_t *cert, size_t len, char *why, size_t why_len)
{
	X509 *x = ike_x509_parse(cert, len);
	char nb[32], na[32];
	int rc = 0;

	if (x == NULL) {
		ike_why(why, why_len, "does not parse as X.509");
		return -EBADMSG;
	}
	time_str(X509_get0_notBefore(x), nb, sizeof(nb));
	time_str(X509_get0_notAfter(x), na, sizeof(na));
	/* X509_cmp_current_time: -1 before now, 1 after, 0 on error (taken as invalid) */
	if (X509_cmp_current_time(X509_get0_notBefore(x)) >= 0) {
		ike_why(why, why_len, "is not valid before %s", nb);
		rc = -EKEYEXPIRED;
	} else if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
		ike_why(why, why_len, "expired on %s", na);
		rc = -EKEYEXPIRED;
	}
	X509_free(x);
	ERR_clear_error();
	return rc;
}

int ike_cert_subject(const uint8_t *cert, size_t len, uint8_t *dn, size_t cap, size_t *dn_len)
{
	X509 *x = ike_x509_parse(cert, len);
	int rc = x == NULL ? -EBADMSG : name_der(X509_get_subject_name(x), dn, cap, dn_len);

	X509_free(x);
	ERR_clear_error();
	return rc;
}

bool ike_cert_self_signed(const uint8_t *cert, size_t len)
{
	X509 *x = ike_x509_parse(cert, len);
	bool self = x != NULL && X509_self_signed(x, 1) == 1;

	X509_free(x);
	ERR_clear_error();
	return self;
}

static bool name_equal(const X509_NAME *a, const uint8_t *der, size_t len)
{
	X509_NAME *b = name_parse(der, len);
	bool eq = b != NULL && X509_NAME_cmp(a, b) == 0;

	X509_NAME_free(b);
	return eq;
}

/* RFC 4945 3.1: non-DN identities are looked up in subjectAltName only, never in the CN. */
static bool id_in(X509 *x, uint8_t type, const uint8_t *id, size_t len)
{
	const unsigned int flags =
		X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_WILDCARDS;
	bool text = len > 0 && memchr(id, '\0', len) == NULL;

	switch (type) {
	case ID_DER_ASN1_DN:
		return name_equal(X509_get_subject_name(x), id, len);
	case ID_FQDN:
		return text && X509_check_host(x, (const char *)id, len, flags, NULL) == 1;
	case ID_RFC822_ADDR:
		return text && X509_check_email(x, (const char *)id, len, flags) == 1;
	case ID_IPV4_ADDR:
		return len == 4 && X509_check_ip(x, id, len, 0) == 1;
	case ID_IPV6_ADDR:
		return len == 16 && X509_check_ip(x, id, len, 0) == 1;
	default:
		return false;
	}
}

bool ike_cert_has_id(const uint8_t *cert, size_t len, uint8_t id_type, const uint8_t *id,
		     size_t id_len)
{
	X509 *x = ike_x509_parse(cert, len);
	bool ok = x != NULL && id != NULL && id_in(x, id_type, id, id_len);

	X509_free(x);
	ERR_clear_error();
	return ok;
}

bool ike_cert_dn_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	X509_NAME *na = name_parse(a, a_len);
	bool eq = na != NULL && name_equal(na, b, b_len);

	X509_NAME_free(na);
	return eq;
}

/* ---- distinguished names as text ---- */

static void skip_blanks(const char *s, size_t len, size_t *i)
{
	while (*i < len && s[*i] == ' ')
		(*i)++;
}

/* The attribute type before '=' at *i (which is consumed). */
static int dn_type(const char *s, size_t len, size_t *i, char *type, char *why, size_t why_len)
{
	size_t t = 0;

	skip_blanks(s, len, i);
	while (*i < len && s[*i] != '=' && s[*i] != ',' && t < DN_TYPE_MAX - 1)
		type[t++] = s[(*i)++];
	while (t > 0 && type[t - 1] == ' ')
		t--;
	type[t] = '\0';
	if (t == 0 || *i >= len || s[*i] != '=') {
		ike_why(why, why_len, "an attribute is not TYPE=VALUE (at character %zu)", *i + 1);
		return -EINVAL;
	}
	(*i)++;
	return 0;
}

/* The value after '=', unescaped, up to an unescaped ',' (consumed) or the end. */
static int dn_value(const char *s, size_t len, size_t *i, char *v, size_t *vlen, char *why,
		    size_t why_len)
{
	size_t n = 0, keep = 0; /* keep: length up to the last escaped character */

	skip_blanks(s, len, i);
	for (; *i < len && s[*i] != ','; (*i)++) {
		char c = s[*i];

		if (c == '+') {
			ike_why(why, why_len,
				"'+' (a multi-valued RDN) is not supported: escape it as \\+");
			return -EINVAL;
		}
		if (c == '\\' && ++(*i) == len) {
			ike_why(why, why_len, "a lone backslash ends it");
			return -EINVAL;
		}
		if (n == DN_VALUE_MAX - 1) {
			ike_why(why, why_len, "a value is longer than %u octets", DN_VALUE_MAX - 1);
			return -EINVAL;
		}
		v[n++] = s[*i];
		if (c == '\\')
			keep = n;
	}
	while (n > keep && v[n - 1] == ' ')
		n--;
	*vlen = n;
	return 0;
}

static int dn_rdn(X509_NAME *nm, const char *s, size_t len, size_t *i, char *why, size_t why_len)
{
	char type[DN_TYPE_MAX], v[DN_VALUE_MAX];
	size_t vlen = 0;
	int nid, rc = dn_type(s, len, i, type, why, why_len);

	if (rc == 0)
		rc = dn_value(s, len, i, v, &vlen, why, why_len);
	if (rc < 0)
		return rc;
	nid = OBJ_txt2nid(type);
	if (nid == NID_undef) {
		ike_why(why, why_len, "attribute type '%.32s' is unknown", type);
		return -EINVAL;
	}
	if (vlen == 0 || X509_NAME_add_entry_by_NID(nm, nid, MBSTRING_UTF8, (const uint8_t *)v,
						    (int)vlen, -1, 0) != 1) {
		ike_why(why, why_len, "the value of %.32s is empty or not allowed for it", type);
		return -EINVAL;
	}
	if (*i < len && ++(*i) == len) { /* past the ',' */
		ike_why(why, why_len, "a comma ends it");
		return -EINVAL;
	}
	return 0;
}

int ike_cert_dn_parse(const char *s, size_t len, uint8_t *der, size_t cap, size_t *der_len,
		      char *why, size_t why_len)
{
	X509_NAME *nm = X509_NAME_new();
	size_t i = 0;
	int rc = nm == NULL ? -ENOMEM : 0;

	while (rc == 0 && i < len)
		rc = dn_rdn(nm, s, len, &i, why, why_len);
	if (rc == 0 && X509_NAME_entry_count(nm) == 0) {
		ike_why(why, why_len, "it names no attribute");
		rc = -EINVAL;
	}
	if (rc == 0) {
		rc = name_der(nm, der, cap, der_len);
		if (rc < 0)
			ike_why(why, why_len, "it is longer than %zu octets in DER", cap);
	}
	X509_NAME_free(nm);
	ERR_clear_error();
	return rc;
}

void ike_cert_dn_str(const uint8_t *dn, size_t len, char *out, size_t cap)
{
	X509_NAME *nm = name_parse(dn, len);

	name_str(nm, out, cap);
	X509_NAME_free(nm);
}

void ike_cert_subject_str(const uint8_t *cert, size_t len, char *out, size_t cap)
{
	X509 *x = ike_x509_parse(cert, len);

	name_str(x != NULL ? X509_get_subject_name(x) : NULL, out, cap);
	X509_free(x);
}

/* ---- CERTREQ, chains ---- */

bool ike_cert_next(const uint8_t *cas, size_t len, size_t *off, const uint8_t **cert,
		   size_t *cert_len)
{
	const uint8_t *p;
	long body = 0;
	int tag, cls;
	size_t whole;

	if (cas == NULL || *off >= len || len - *off > LONG_MAX)
		return false;
	p = cas + *off;
	if (ASN1_get_object(&p, &body, &tag, &cls, (long)(len - *off)) & 0x80) {
		ERR_clear_error();
		return false;
	}
	whole = (size_t)(p - (cas + *off)) + (size_t)body;
	if (whole > len - *off)
		return false;
	*cert = cas + *off;
	*cert_len = whole;
	*off += whole;
	return true;
}

int ike_cert_keyhash(const uint8_t *cert, size_t len, uint8_t out[IKE_CERT_KEYHASH_LEN])
{
	X509 *x = ike_x509_parse(cert, len);
	uint8_t *spki = NULL;
	unsigned int hl = 0;
	int l = x != NULL ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
	int rc = l > 0 && EVP_Digest(spki, (size_t)l, out, &hl, EVP_sha1(), NULL) == 1 &&
				 hl == IKE_CERT_KEYHASH_LEN
			 ? 0
			 : -EBADMSG;

	OPENSSL_free(spki);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

static int add_received(STACK_OF(X509) * un, const struct ike_chunk *im, size_t n, char *why,
			size_t why_len)
{
	for (size_t i = 0; i < n; i++) {
		X509 *x = ike_x509_parse(im[i].p, im[i].len);

		if (x == NULL) {
			ike_why(why, why_len,
				"intermediate certificate %zu does not parse as X.509", i + 1);
			return -EBADMSG;
		}
		if (sk_X509_push(un, x) <= 0) {
			X509_free(x);
			return -ENOMEM;
		}
	}
	return 0;
}

/* The self-signed CAs are the anchors; the others only help build the chain. */
static int add_configured(X509_STORE *st, STACK_OF(X509) * un, const uint8_t *cas, size_t len)
{
	const uint8_t *c;
	size_t cl, off = 0;

	while (ike_cert_next(cas, len, &off, &c, &cl)) {
		X509 *x = ike_x509_parse(c, cl);

		if (x == NULL)
			continue; /* the loader checked them */
		if (X509_self_signed(x, 1) == 1) {
			int ok = X509_STORE_add_cert(st, x);

			X509_free(x);
			if (ok != 1)
				return -ENOMEM;
		} else if (sk_X509_push(un, x) <= 0) {
			X509_free(x);
			return -ENOMEM;
		}
	}
	return 0;
}

static int run_verify(X509_STORE_CTX *ctx, X509_STORE *st, X509 *leaf, STACK_OF(X509) * un,
		      char *why, size_t why_len)
{
	char name[NAME_SHOW];
	X509 *bad;
	int err;

	if (X509_STORE_CTX_init(ctx, st, leaf, un) != 1)
		return -ENOMEM;
	if (X509_verify_cert(ctx) == 1)
		return 0;
	err = X509_STORE_CTX_get_error(ctx);
	bad = X509_STORE_CTX_get_current_cert(ctx);
	name_str(bad != NULL ? X509_get_subject_name(bad) : NULL, name, sizeof(name));
	ike_why(why, why_len, "%s (depth %d: \"%s\")", X509_verify_cert_error_string(err),
		X509_STORE_CTX_get_error_depth(ctx), name);
	return err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID
		       ? -EKEYEXPIRED
		       : -EKEYREJECTED;
}

/*
 * The configured CAs as a store of anchors and a stack of the others, built once per CA file
 * content: parsing them and checking each anchor's self-signature again for every peer would
 * cost more than the peer's own verification. Entries are found by content, wiped at exit, and
 * evicted round robin. Not thread-safe: the control lcore verifies peers.
 */
#define CA_CACHE 4
static struct {
	uint8_t *der;
	size_t len;
	X509_STORE *st;
	STACK_OF(X509) * un;
} ca_cache[CA_CACHE];
static unsigned int ca_cache_next;

static void ca_cache_drop(unsigned int i)
{
	OPENSSL_free(ca_cache[i].der);
	X509_STORE_free(ca_cache[i].st);
	sk_X509_pop_free(ca_cache[i].un, X509_free);
	memset(&ca_cache[i], 0, sizeof(ca_cache[i]));
}

static void __attribute__((destructor)) ca_cache_wipe(void)
{
	for (unsigned int i = 0; i < CA_CACHE; i++)
		ca_cache_drop(i);
}

/* The store for cas (a reference the caller frees) and the configured intermediates added to un. */
static X509_STORE *ca_store(const uint8_t *cas, size_t len, STACK_OF(X509) * un, int *rc)
{
	unsigned int i;
	for (i = 0; i < CA_CACHE; i++)
		if (ca_cache[i].der != NULL && ca_cache[i].len == len &&
		    memcmp(ca_cache[i].der, cas, len) == 0)
			break;
	if (i == CA_CACHE) {
		X509_STORE *st = X509_STORE_new();
		STACK_OF(X509) *mine = sk_X509_new_null();
		uint8_t *copy = OPENSSL_memdup(cas, len ? len : 1);
		*rc = st == NULL || mine == NULL || copy == NULL
			      ? -ENOMEM
			      : add_configured(st, mine, cas, len);
		if (*rc != 0) {
			X509_STORE_free(st);
			sk_X509_pop_free(mine, X509_free);
			OPENSSL_free(copy);
			return NULL;
		}
		i = ca_cache_next++ % CA_CACHE;
		ca_cache_drop(i);
		ca_cache[i].der = copy;
		ca_cache[i].len = len;
		ca_cache[i].st = st;
		ca_cache[i].un = mine;
	}
	for (int k = 0; k < sk_X509_num(ca_cache[i].un); k++) {
		X509 *x = sk_X509_value(ca_cache[i].un, k);
		if (X509_up_ref(x) != 1 || sk_X509_push(un, x) <= 0) {
			X509_free(x);
			*rc = -ENOMEM;
			return NULL;
		}
	}
	*rc = X509_STORE_up_ref(ca_cache[i].st) == 1 ? 0 : -ENOMEM;
	return *rc == 0 ? ca_cache[i].st : NULL;
}

int ike_cert_verify_chain(const uint8_t *ee, size_t ee_len, const struct ike_chunk *im, size_t n_im,
			  const uint8_t *cas, size_t cas_len, char *why, size_t why_len)
{
	X509 *leaf = ike_x509_parse(ee, ee_len);
	X509_STORE *st = NULL;
	STACK_OF(X509) *un = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = leaf == NULL ? -EBADMSG : un == NULL || ctx == NULL ? -ENOMEM : 0;

	if (leaf == NULL)
		ike_why(why, why_len, "the certificate does not parse as X.509");
	if (rc == 0)
		rc = add_received(un, im, n_im, why, why_len);
	if (rc == 0)
		st = ca_store(cas, cas_len, un, &rc);
	if (rc == 0)
		rc = run_verify(ctx, st, leaf, un, why, why_len);
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(un, X509_free);
	X509_STORE_free(st);
	X509_free(leaf);
	ERR_clear_error();
	return rc;
}
