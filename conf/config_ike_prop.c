/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike_prop.c - the value grammars of the ike section, written the way strongSwan
 * writes them: proposals ("aes256-sha256-modp2048", "aes128gcm16-prfsha256-x25519",
 * "aes256gcm16-esn") into IANA transform IDs (RFC 7296 3.3.2, 3.3.3) with the defaults used when
 * a peer or a child names none; traffic selectors ("10.1.0.0/16[udp/500]", RFC 7296 3.13.1); and
 * identities ("fqdn:hub.example.com", "email:ops@example.com", "keyid:0a0b", an address, and
 * "dn:C=CH, CN=hub" through config_ike_cert.c; 3.5).
 * config_ike.c puts them together into pools, peers and children.
 *
 * A proposal is a list of keywords joined by '-'; each keyword is an algorithm of one transform
 * type, and the order of the keywords of one type is the order of preference. Only what vpnhub
 * implements is accepted: the IKE suites of crypto/ike_sk.h, the PRFs of crypto/ike_prf.h, the
 * key exchange groups of crypto/ike_dh.h, and for ESP the transforms of crypto/esp_xform.h.
 * Legacy algorithms need ipsec.legacy: 3des and md5 in ESP, and for the Phase 1 of IKEv1 peers
 * (RFC 2409: old Cisco spokes) 3des, md5, prfmd5, modp1024 and modp1536 in IKE proposals. A
 * peer's keys are read in file order, so an IKE proposal may be parsed before the peer's
 * version: the parse refuses legacy without ipsec.legacy, and cfgi_ike_v1_only() refuses it
 * for a peer that turns out not to be IKEv1 once its mapping is read. The legacy groups are
 * never PFS groups (ESP). The loader links none of crypto/ (conf/ sits below it); the unit
 * suite checks every ID accepted here against it.
 *
 * Invariants: a loaded proposal has at least one cipher, never mixes AEAD and non-AEAD ciphers,
 * has integrity exactly when its ciphers are not AEAD, and for IKE at least one PRF and one key
 * exchange group; an ESP proposal lists at least one ESN choice. A selector's prefix has its host
 * bits zero and its port range is ordered. A refused proposal keyword is reported at its own
 * line:col, and any untrusted text is quoted through cfgi_show() only. Called on the main lcore
 * during cfg_load_*(); no global state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/config.h"
#include "conf/config_ike_cert.h"
#include "conf/config_int.h"
#include "conf/yaml_tree.h"

/* ---- proposals ---- */

/* Used when a peer (IKE) or a child (ESP) has no proposal of its own; see conf/README.md. */
static const char *const ike_defaults[] = {
	"aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256-modp2048",
	"aes128-aes256-sha256-sha1-x25519-ecp256-modp2048",
};
static const char *const esp_defaults[] = {
	"aes128gcm16-aes256gcm16",
	"aes128-aes256-sha256-sha1",
};

#define FQDN_MAX 253 /* RFC 1035 2.3.4, without the trailing dot */

enum kind { K_ENCR, K_INTEG, K_PRF, K_DH, K_ESN };

struct keyword {
	const char *name;
	uint8_t kind;
	bool aead;
	bool legacy; /* needs ipsec.legacy: true; in IKE proposals of IKEv1 peers only */
	uint16_t id;
	uint16_t keylen; /* bits, for the Key Length attribute; 0: none */
};

static const struct keyword keywords[] = {
	/* Transform Type 1, encryption */
	{"aes128", K_ENCR, false, false, 12, 128}, /* ENCR_AES_CBC, RFC 3602 */
	{"aes256", K_ENCR, false, false, 12, 256},
	{"aes128gcm16", K_ENCR, true, false, 20, 128}, /* ENCR_AES_GCM_16, RFC 4106, 5282 */
	{"aes256gcm16", K_ENCR, true, false, 20, 256},
	{"chacha20poly1305", K_ENCR, true, false, 28, 0}, /* RFC 7634 */
	{"3des", K_ENCR, false, true, 3, 0},		  /* ENCR_3DES, RFC 2451 */
	/* Transform Type 3, integrity */
	{"sha1", K_INTEG, false, false, 2, 0},	  /* AUTH_HMAC_SHA1_96, RFC 2404 */
	{"sha256", K_INTEG, false, false, 12, 0}, /* AUTH_HMAC_SHA2_256_128, RFC 4868 */
	{"sha384", K_INTEG, false, false, 13, 0},
	{"sha512", K_INTEG, false, false, 14, 0},
	{"md5", K_INTEG, false, true, 1, 0}, /* AUTH_HMAC_MD5_96, RFC 2403 */
	/* Transform Type 2, PRF */
	{"prfsha1", K_PRF, false, false, 2, 0},	  /* PRF_HMAC_SHA1, RFC 2104 */
	{"prfsha256", K_PRF, false, false, 5, 0}, /* PRF_HMAC_SHA2_256, RFC 4868 */
	{"prfsha384", K_PRF, false, false, 6, 0},
	{"prfsha512", K_PRF, false, false, 7, 0},
	{"prfmd5", K_PRF, false, true, 1, 0}, /* PRF_HMAC_MD5, RFC 2104 */
	/* Transform Type 4, key exchange */
	{"modp1024", K_DH, false, true, 2, 0},	 /* RFC 2409 6.2 */
	{"modp1536", K_DH, false, true, 5, 0},	 /* RFC 3526 2 */
	{"modp2048", K_DH, false, false, 14, 0}, /* RFC 3526 */
	{"modp3072", K_DH, false, false, 15, 0},
	{"modp4096", K_DH, false, false, 16, 0},
	{"ecp256", K_DH, false, false, 19, 0}, /* RFC 5903 */
	{"ecp384", K_DH, false, false, 20, 0},
	{"ecp521", K_DH, false, false, 21, 0},
	{"x25519", K_DH, false, false, 31, 0}, /* RFC 8031 */
	{"curve25519", K_DH, false, false, 31, 0},
	/* Transform Type 5, extended sequence numbers */
	{"noesn", K_ESN, false, false, 0, 0},
	{"esn", K_ESN, false, false, 1, 0},
};

/* Known keywords vpnhub refuses, with the reason. */
static const struct {
	const char *name;
	const char *why;
} refused[] = {
	{"modp768", "is not implemented: groups below 2048 bits are too weak (RFC 8247 2.4)"},
	{"null", "is refused: IPsec without encryption is not offered"},
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))
#define N_REFUSED  (sizeof(refused) / sizeof(refused[0]))

const char *cfg_ike_xform_name(uint8_t type, uint16_t id, uint16_t keylen)
{
	/* Transform Types 1..5 of RFC 7296 3.3.2, in the order of enum kind */
	static const uint8_t kind_of[] = {0, K_ENCR, K_PRF, K_INTEG, K_DH, K_ESN};
	if (type == 0 || type >= sizeof(kind_of))
		return NULL;
	for (size_t i = 0; i < N_KEYWORDS; i++) {
		const struct keyword *k = &keywords[i];
		if (k->kind == kind_of[type] && k->id == id &&
		    (k->keylen == 0 || k->keylen == keylen))
			return k->name;
	}
	return NULL;
}

/* The PRF of the same hash as an integrity algorithm (strongSwan's default for IKE). */
static uint16_t prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case 1: /* md5 (legacy) */
		return 1;
	case 2:
		return 2;
	case 12:
		return 5;
	case 13:
		return 6;
	case 14:
		return 7;
	default:
		return 0;
	}
}

/* One proposal being parsed: where its text is, and what was seen so far. */
struct prop_ctx {
	struct ld *ld;
	const struct node *v; /* NULL for the built-in defaults */
	const char *key;      /* "ike" or "esp" */
	bool ike;
	const char *s;
	size_t first_aead, first_plain, first_integ; /* offsets; SIZE_MAX: none yet */
	struct cfg_ike_proposal *p;
};

/*
 * An error at offset off of the proposal text. A quoted scalar starts one column after its
 * quote; proposals are single-line, so the column is exact for them.
 */
__attribute__((format(printf, 4, 5))) static int fail_off(const struct prop_ctx *x, size_t off,
							  int rc, const char *fmt, ...)
{
	char msg[CFG_ERR_MAX];
	unsigned int line = 1, col = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->v != NULL) {
		line = x->v->line;
		col = x->v->col + (x->v->plain ? 0 : 1) + (unsigned int)off;
	}
	return cfgi_fail_at(x->ld, line, col, rc, "%s", msg);
}

static const struct keyword *keyword_find(const char *s, size_t n)
{
	for (unsigned int i = 0; i < N_KEYWORDS; i++) {
		if (strlen(keywords[i].name) == n && memcmp(keywords[i].name, s, n) == 0)
			return &keywords[i];
	}
	return NULL;
}

static int unknown(const struct prop_ctx *x, size_t off, size_t n)
{
	const struct node tok = {
		.kind = NODE_SCALAR, .str = (char *)(uintptr_t)(x->s + off), .len = n};
	char buf[SHOW_MAX];

	cfgi_show(&tok, buf, sizeof(buf));
	for (unsigned int i = 0; i < N_REFUSED; i++) {
		if (strlen(refused[i].name) == n && memcmp(refused[i].name, x->s + off, n) == 0)
			return fail_off(x, off, -ENOTSUP, "'%s': %s %s", x->key, buf,
					refused[i].why);
	}
	return fail_off(x, off, -EINVAL, "'%s': unknown algorithm '%s' (conf/README.md lists them)",
			x->key, buf);
}

/* Append id to list (n entries of at most CFG_IKE_ALGS_MAX), refusing repeats. */
static int add_id(const struct prop_ctx *x, size_t off, const struct keyword *k, uint16_t *list,
		  uint8_t *n)
{
	for (unsigned int i = 0; i < *n; i++) {
		if (list[i] == k->id)
			return fail_off(x, off, -EEXIST, "'%s': %s is listed twice", x->key,
					k->name);
	}
	if (*n == CFG_IKE_ALGS_MAX)
		return fail_off(x, off, -E2BIG, "'%s': more than %u algorithms of one kind", x->key,
				CFG_IKE_ALGS_MAX);
	list[(*n)++] = k->id;
	return 0;
}

static int add_encr(struct prop_ctx *x, size_t off, const struct keyword *k)
{
	struct cfg_ike_proposal *p = x->p;

	for (unsigned int i = 0; i < p->n_encr; i++) {
		if (p->encr[i].id == k->id && p->encr[i].keylen == k->keylen)
			return fail_off(x, off, -EEXIST, "'%s': %s is listed twice", x->key,
					k->name);
	}
	if (p->n_encr == CFG_IKE_ALGS_MAX)
		return fail_off(x, off, -E2BIG, "'%s': more than %u algorithms of one kind", x->key,
				CFG_IKE_ALGS_MAX);
	p->encr[p->n_encr++] = (struct cfg_ike_alg){.id = k->id, .keylen = k->keylen};
	if (k->aead && x->first_aead == SIZE_MAX)
		x->first_aead = off;
	if (!k->aead && x->first_plain == SIZE_MAX)
		x->first_plain = off;
	return 0;
}

/* The ESN transform IDs are 0 and 1 (RFC 7296 3.3.2): a two-entry list. */
static int add_esn(const struct prop_ctx *x, size_t off, const struct keyword *k)
{
	struct cfg_ike_proposal *p = x->p;

	for (unsigned int i = 0; i < p->n_esn; i++) {
		if (p->esn[i] == k->id)
			return fail_off(x, off, -EEXIST, "'%s': %s is listed twice", x->key,
					k->name);
	}
	p->esn[p->n_esn++] = (uint8_t)k->id;
	return 0;
}

/* Keywords that belong to the other kind of proposal, and legacy algorithms. */
static int check_kind(const struct prop_ctx *x, size_t off, const struct keyword *k)
{
	if (x->ike && k->kind == K_ESN)
		return fail_off(x, off, -EINVAL, "'%s': %s applies to ESP proposals only", x->key,
				k->name);
	if (!x->ike && k->kind == K_PRF)
		return fail_off(x, off, -EINVAL,
				"'%s': %s is a PRF: ESP proposals take none (Child SA keys come "
				"from the IKE SA's PRF, RFC 7296 2.17)",
				x->key, k->name);
	if (!k->legacy)
		return 0;
	if (x->ike && !x->ld->cfg->ipsec_legacy)
		return fail_off(x, off, -EINVAL,
				"'%s': %s is a legacy algorithm: IKEv1 peers only, with "
				"ipsec.legacy: true",
				x->key, k->name);
	if (!x->ike && k->kind == K_DH)
		return fail_off(x, off, -ENOTSUP,
				"'%s': %s is a legacy group: IKEv1 Phase 1 only (a peer's 'ike'), "
				"not for PFS",
				x->key, k->name);
	if (!x->ld->cfg->ipsec_legacy)
		return fail_off(
			x, off, -EINVAL,
			"'%s': %s is a legacy algorithm: set ipsec.legacy: true to allow it",
			x->key, k->name);
	x->ld->cfg->legacy_used = true;
	return 0;
}

static int add_token(struct prop_ctx *x, size_t off, size_t n)
{
	const struct keyword *k;
	struct cfg_ike_proposal *p = x->p;
	int rc;

	if (n == 0)
		return fail_off(x, off, -EINVAL,
				"'%s': empty algorithm name (two '-' in a row, or "
				"one at an end)",
				x->key);
	k = keyword_find(x->s + off, n);
	if (k == NULL)
		return unknown(x, off, n);
	rc = check_kind(x, off, k);
	if (rc < 0)
		return rc;
	switch (k->kind) {
	case K_ENCR:
		return add_encr(x, off, k);
	case K_INTEG:
		if (x->first_integ == SIZE_MAX)
			x->first_integ = off;
		return add_id(x, off, k, p->integ, &p->n_integ);
	case K_PRF:
		return add_id(x, off, k, p->prf, &p->n_prf);
	case K_DH:
		return add_id(x, off, k, p->dh, &p->n_dh);
	default:
		return add_esn(x, off, k);
	}
}

/* Without a PRF, a non-AEAD IKE proposal offers the PRFs of its integrity hashes, in order. */
static void default_prfs(struct cfg_ike_proposal *p)
{
	for (unsigned int i = 0; i < p->n_integ; i++) {
		uint16_t prf = prf_of_integ(p->integ[i]);

		if (prf != 0)
			p->prf[p->n_prf++] = prf;
	}
}

/* What one proposal needs as a whole (RFC 7296 3.3.3: mandatory transform types). */
static int check_whole(struct prop_ctx *x)
{
	struct cfg_ike_proposal *p = x->p;
	bool aead = x->first_aead != SIZE_MAX;

	if (p->n_encr == 0)
		return fail_off(x, 0, -EINVAL, "'%s': the proposal has no encryption algorithm",
				x->key);
	if (aead && x->first_plain != SIZE_MAX)
		return fail_off(
			x, x->first_aead > x->first_plain ? x->first_aead : x->first_plain, -EINVAL,
			"'%s': AEAD and non-AEAD ciphers cannot share a proposal: write two",
			x->key);
	if (aead && p->n_integ > 0)
		return fail_off(x, x->first_integ, -EINVAL,
				"'%s': an AEAD cipher carries its own integrity: no integrity "
				"algorithm with it",
				x->key);
	if (!aead && p->n_integ == 0)
		return fail_off(x, 0, -EINVAL,
				"'%s': a non-AEAD cipher needs an integrity algorithm (sha256...)",
				x->key);
	if (x->ike && aead && p->n_prf == 0)
		return fail_off(x, 0, -EINVAL,
				"'%s': an AEAD IKE proposal needs a PRF (prfsha256...)", x->key);
	if (x->ike && p->n_prf == 0)
		default_prfs(p);
	if (x->ike && p->n_dh == 0)
		return fail_off(x, 0, -EINVAL,
				"'%s': an IKE proposal needs a key exchange group (x25519, ecp256, "
				"modp2048...)",
				x->key);
	if (!x->ike && p->n_esn == 0)
		p->esn[p->n_esn++] = 0; /* no ESN unless asked for */
	return 0;
}

static int parse_one(struct ld *ld, const struct node *v, const char *s, const char *key, bool ike,
		     struct cfg_ike_proposal *p)
{
	struct prop_ctx x = {.ld = ld, .v = v, .key = key, .ike = ike, .s = s, .p = p};
	size_t off = 0;
	int rc;

	x.first_aead = x.first_plain = x.first_integ = SIZE_MAX;
	memset(p, 0, sizeof(*p));
	p->line = v != NULL ? v->line : 0;
	for (;;) {
		size_t n = strcspn(s + off, "-");

		rc = add_token(&x, off, n);
		if (rc < 0 || s[off + n] == '\0')
			break;
		off += n + 1;
	}
	return rc < 0 ? rc : check_whole(&x);
}

static int parse_node(struct ld *ld, const struct node *v, const char *key, bool ike,
		      struct cfg_ike_proposal *p)
{
	int rc = cfgi_want_scalar(ld, v, key);

	return rc < 0 ? rc : parse_one(ld, v, v->str, key, ike, p);
}

/* The first legacy keyword of one proposal text (already loaded, so well formed): refused. */
static int v1_only_one(struct ld *ld, const struct node *v, const char *key)
{
	const struct prop_ctx x = {.ld = ld, .v = v, .key = key, .ike = true, .s = v->str};

	for (size_t off = 0, n;; off += n + 1) {
		const struct keyword *k;

		n = strcspn(v->str + off, "-");
		k = keyword_find(v->str + off, n);
		if (k != NULL && k->legacy)
			return fail_off(&x, off, -EINVAL,
					"'%s': %s is a legacy algorithm: IKEv1 peers only (this "
					"peer is IKEv2: add version: 1)",
					key, k->name);
		if (v->str[off + n] == '\0')
			return 0;
	}
}

int cfgi_ike_v1_only(struct ld *ld, const struct node *v, const char *key)
{
	int rc = 0;

	v = cfgi_ike_named(ld, v);
	if (v->kind == NODE_SCALAR)
		return v1_only_one(ld, v, key);
	for (const struct node *q = v->first; rc == 0 && q != NULL; q = q->next)
		rc = v1_only_one(ld, q, key);
	return rc;
}

int cfgi_ike_proposals(struct ld *ld, const struct node *v, const char *key, bool ike,
		       struct cfg_ike_proposal *props, unsigned int *n)
{
	const char *const *defs = ike ? ike_defaults : esp_defaults;
	int rc = 0;

	*n = 0;
	v = cfgi_ike_named(ld, v); /* a name of ike.proposals stands for its list */
	if (v == NULL) {
		for (unsigned int i = 0; i < 2 && rc == 0; i++, (*n)++)
			rc = parse_one(ld, NULL, defs[i], key, ike, &props[i]);
		return rc;
	}
	if (v->kind == NODE_SCALAR) {
		rc = parse_node(ld, v, key, ike, &props[0]);
		*n = rc == 0 ? 1 : 0;
		return rc;
	}
	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be a proposal or a sequence of them, not %s", key,
				 cfgi_describe(v));
	rc = cfgi_want_seq(ld, v, key, CFG_IKE_PROPOSALS_MAX, "proposals");
	if (rc == 0 && v->n == 0)
		rc = cfgi_fail(ld, v, -EINVAL, "'%s' needs at least one proposal", key);
	for (const struct node *q = v->first; rc == 0 && q != NULL; q = q->next) {
		rc = parse_node(ld, q, key, ike, &props[*n]);
		if (rc == 0)
			(*n)++;
	}
	return rc;
}

/* ---- prefixes ---- */

static struct cfg_addr net_of(const struct cfg_addr *a)
{
	struct cfg_addr n = *a;

	for (unsigned int i = 0; i < sizeof(n.bytes); i++) {
		unsigned int bits = a->plen > i * 8 ? a->plen - i * 8 : 0;

		if (bits < 8)
			n.bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
	return n;
}

/*
 * s (the node's text, or the part of it before a '[') as "address/length" with the host bits
 * zero; with bare, an address alone is a host prefix (/32, /128).
 */
int cfgi_ike_net(struct ld *ld, const struct node *v, const char *key, const char *s, bool bare,
		 struct cfg_addr *a)
{
	char buf[SHOW_MAX], sa[INET6_ADDRSTRLEN], sn[INET6_ADDRSTRLEN];
	struct cfg_addr net;

	if ((!bare && strchr(s, '/') == NULL) || cfg_addr_parse(s, true, a) < 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' '%s' is not a prefix (address/length)", key,
				 cfgi_show(v, buf, sizeof(buf)));
	net = net_of(a);
	if (!cfgi_addr_same(&net, a))
		return cfgi_fail(ld, v, -EINVAL, "host bits are set in %s/%u; the prefix is %s/%u",
				 cfg_addr_str(a, sa, sizeof(sa)), a->plen,
				 cfg_addr_str(&net, sn, sizeof(sn)), net.plen);
	return 0;
}

/* ---- identities (RFC 7296 3.5) ---- */

void cfgi_ike_addr_id(const struct cfg_addr *a, struct cfg_ike_id *id)
{
	id->type = a->family == AF_INET ? CFG_IKE_ID_IPV4 : CFG_IKE_ID_IPV6;
	id->len = a->family == AF_INET ? 4 : 16;
	memset(id->data, 0, sizeof(id->data));
	memcpy(id->data, a->bytes, id->len);
}

/* A host name as DNS writes it: labels of [A-Za-z0-9_-] between single dots. */
static bool fqdn_ok(const char *s, size_t n)
{
	if (n == 0 || n > FQDN_MAX || s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL)
		return false;
	return strspn(s, ALNUM ".-_") == n;
}

/* user@domain, printable, no blanks, exactly one '@' with text on both sides. */
static bool email_ok(const char *s, size_t n)
{
	const char *at = strchr(s, '@');

	if (n == 0 || n > CFG_IKE_ID_MAX || at == NULL || at == s || at == s + n - 1 ||
	    strchr(at + 1, '@') != NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	}
	return true;
}

static bool keyid_ok(const char *s, size_t n)
{
	return n > 0 && n % 2 == 0 && n / 2 <= CFG_IKE_ID_MAX && strspn(s, HEX_DIGITS) == n;
}

static void id_text(struct cfg_ike_id *id, uint8_t type, const char *s, size_t n)
{
	id->type = type;
	id->len = (uint16_t)n;
	memcpy(id->data, s, n);
}

static void id_hex(struct cfg_ike_id *id, const char *s, size_t n)
{
	id->type = CFG_IKE_ID_KEY_ID;
	id->len = (uint16_t)(n / 2);
	for (size_t i = 0; i < id->len; i++)
		id->data[i] =
			(uint8_t)(cfgi_hex_digit(s[2 * i]) << 4 | cfgi_hex_digit(s[2 * i + 1]));
}

/* A typed ID, "fqdn:NAME", "email:USER@DOMAIN" or "keyid:HEX"; false if s has none of them. */
static bool id_typed(const char *s, struct cfg_ike_id *id, bool *ok)
{
	static const struct {
		const char *prefix;
		uint8_t type;
	} forms[] = {{"fqdn:", CFG_IKE_ID_FQDN},
		     {"email:", CFG_IKE_ID_EMAIL},
		     {"keyid:", CFG_IKE_ID_KEY_ID}};

	for (unsigned int i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t p = strlen(forms[i].prefix), n;
		const char *t = s + p;

		if (strncmp(s, forms[i].prefix, p) != 0)
			continue;
		n = strlen(t);
		if (forms[i].type == CFG_IKE_ID_FQDN && (*ok = fqdn_ok(t, n)))
			id_text(id, CFG_IKE_ID_FQDN, t, n);
		else if (forms[i].type == CFG_IKE_ID_EMAIL && (*ok = email_ok(t, n)))
			id_text(id, CFG_IKE_ID_EMAIL, t, n);
		else if (forms[i].type == CFG_IKE_ID_KEY_ID && (*ok = keyid_ok(t, n)))
			id_hex(id, t, n);
		return true;
	}
	return false;
}

int cfgi_ike_id(struct ld *ld, const struct node *v, const char *key, bool any_ok,
		struct cfg_ike_id *id)
{
	char buf[SHOW_MAX];
	struct cfg_addr a;
	bool ok = false;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	memset(id, 0, sizeof(*id));
	if (strcmp(v->str, "any") == 0 && any_ok)
		return 0; /* CFG_IKE_ID_NONE */
	if (strcmp(v->str, "any") == 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' cannot be any: the hub names itself", key);
	if (strncmp(v->str, "dn:", 3) == 0)
		return cfgi_ike_dn(ld, v, key, id);
	if (id_typed(v->str, id, &ok) && !ok)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' is malformed: fqdn:NAME (1..%u of [A-Za-z0-9._-]), "
				 "email:USER@DOMAIN, keyid:HEX (1..%u bytes)",
				 key, cfgi_show(v, buf, sizeof(buf)), FQDN_MAX, CFG_IKE_ID_MAX);
	if (ok)
		return 0;
	if (cfg_addr_parse(v->str, false, &a) == 0) {
		cfgi_ike_addr_id(&a, id);
		return 0;
	}
	return cfgi_fail(ld, v, -EINVAL,
			 "'%s' '%s' is not an identity: an address, fqdn:NAME, email:USER@DOMAIN, "
			 "dn:DN or keyid:HEX%s",
			 key, cfgi_show(v, buf, sizeof(buf)), any_ok ? ", or any" : "");
}

/* ---- traffic selectors (RFC 7296 3.13.1) ---- */

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"icmpv6", 58}, {"sctp", 132},
};

/* Plain decimal, no sign, no leading zero, at most max. */
static bool number(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long x = 0;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0') || strspn(s, "0123456789") < n)
		return false;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (unsigned long)(s[i] - '0');
	*out = x;
	return x <= max;
}

static bool proto_of(const char *s, size_t n, uint8_t *proto)
{
	unsigned long x;

	if (n == 3 && memcmp(s, "any", 3) == 0) {
		*proto = 0;
		return true;
	}
	for (unsigned int i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strlen(protos[i].name) == n && memcmp(protos[i].name, s, n) == 0) {
			*proto = protos[i].proto;
			return true;
		}
	}
	if (!number(s, n, 255, &x))
		return false;
	*proto = (uint8_t)x;
	return true;
}

/* "N" or "N-M", N <= M, 0..65535. */
static bool ports_of(const char *s, size_t n, uint16_t *lo, uint16_t *hi)
{
	size_t dash = strcspn(s, "-");
	unsigned long a, b;

	if (dash > n)
		dash = n;
	if (!number(s, dash, 65535, &a))
		return false;
	b = a;
	if (dash < n && !number(s + dash + 1, n - dash - 1, 65535, &b))
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return a <= b;
}

/* "[PROTO]" or "[PROTO/PORTS]" after a prefix; s points after the '['. */
static int ts_suffix(struct ld *ld, const struct node *v, const char *key, const char *s,
		     struct cfg_ike_ts *ts)
{
	char buf[SHOW_MAX];
	size_t n = strlen(s), slash;
	bool v4 = ts->prefix.family == AF_INET;

	if (n < 2 || s[n - 1] != ']' || memchr(s, '[', n) != NULL)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' is not PREFIX[PROTO] or PREFIX[PROTO/PORT[-PORT]]", key,
				 cfgi_show(v, buf, sizeof(buf)));
	n--;
	slash = strcspn(s, "/");
	if (slash > n)
		slash = n;
	if (!proto_of(s, slash, &ts->proto))
		return cfgi_fail(
			ld, v, -EINVAL,
			"'%s' '%s': the protocol is any, icmp, tcp, udp, gre, icmpv6, sctp "
			"or 0..255",
			key, cfgi_show(v, buf, sizeof(buf)));
	if ((ts->proto == 1 && !v4) || (ts->proto == 58 && v4))
		return cfgi_fail(ld, v, -EINVAL, "'%s': %s does not go with an %s prefix", key,
				 v4 ? "icmpv6" : "icmp", v4 ? "IPv4" : "IPv6");
	if (slash == n)
		return 0;
	if (ts->proto != 6 && ts->proto != 17 && ts->proto != 132)
		return cfgi_fail(ld, v, -EINVAL, "'%s': ports need tcp, udp or sctp", key);
	if (!ports_of(s + slash + 1, n - slash - 1, &ts->port_lo, &ts->port_hi))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s': ports are N or N-M with N <= M, in 0..65535", key,
				 cfgi_show(v, buf, sizeof(buf)));
	return 0;
}

/* strongSwan's syntax: "10.1.0.0/16", "10.1.2.3", "10.1.0.0/16[udp/500]", "::/0[tcp/80-90]". */
int cfgi_ike_ts(struct ld *ld, const struct node *v, const char *key, struct cfg_ike_ts *ts)
{
	const char *br = strchr(v->str, '[');
	size_t n = br != NULL ? (size_t)(br - v->str) : v->len;
	char net[INET6_ADDRSTRLEN + 4], buf[SHOW_MAX];
	int rc;

	if (n == 0 || n >= sizeof(net))
		return cfgi_fail(ld, v, -EINVAL, "'%s' '%s' is not a prefix (address/length)", key,
				 cfgi_show(v, buf, sizeof(buf)));
	memcpy(net, v->str, n);
	net[n] = '\0';
	rc = cfgi_ike_net(ld, v, key, net, true, &ts->prefix);
	ts->proto = 0;
	ts->port_lo = 0;
	ts->port_hi = 65535;
	if (rc < 0 || br == NULL)
		return rc;
	return ts_suffix(ld, v, key, br + 1, ts);
}
