/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ipsec.c - the ipsec and tunnels sections: manually keyed ESP SAs (RFC 4303) and
 * route-based VTI tunnels bound to them, or left without SAs for an IKE child (config_ike.c) to
 * key.
 *
 * Applied after interfaces (an SA's local address must be a hub address) and before routes (a
 * route may name a tunnel). Everything that spans keys of one SA - cipher and integrity, the key
 * lengths they need, NAT-T ports, replay window, lifetimes - is checked after its mapping is
 * read, so the order of keys in the file does not matter; the error points at the key at fault.
 *
 * Invariants: key bytes are written only into a struct cfg_sa (wiped here when that SA fails to
 * load, by cfg_free otherwise) and into a key-file buffer wiped on every exit. No message quotes
 * key text: only the key's name, its length and the position of a bad digit. Called on the main
 * lcore during cfg_load_*(); no global state.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/config_int.h"
#include "conf/yaml_tree.h"

#define WINDOW_DEFAULT 1024
#define NATT_PORT      4500 /* RFC 3948 */
#define LABEL_MAX      (SHOW_MAX + 32)

/* Key lengths include the salt of the AEAD ciphers. */
struct enc_alg {
	const char *name;
	unsigned int key_len;
	bool aead;
	bool legacy;
};

static const struct enc_alg encs[] = {
	[CFG_ENC_NULL] = {"null", 0, false, false},		   /* RFC 2410 */
	[CFG_ENC_AES_CBC_128] = {"aes-cbc-128", 16, false, false}, /* RFC 3602 */
	[CFG_ENC_AES_CBC_256] = {"aes-cbc-256", 32, false, false},
	[CFG_ENC_AES_GCM_128] = {"aes-gcm-128", 20, true, false}, /* RFC 4106 8.1: + 4-byte salt */
	[CFG_ENC_AES_GCM_256] = {"aes-gcm-256", 36, true, false},
	[CFG_ENC_CHACHA20_POLY1305] = {"chacha20-poly1305", 36, true, false}, /* RFC 7634 2 */
	[CFG_ENC_3DES_CBC] = {"3des-cbc", 24, false, true},		      /* RFC 2451 */
};

struct auth_alg {
	const char *name;
	unsigned int key_len;
	bool legacy;
};

static const struct auth_alg auths[] = {
	[CFG_AUTH_NONE] = {"none", 0, false},
	[CFG_AUTH_HMAC_SHA1_96] = {"hmac-sha1-96", 20, false},	     /* RFC 2404 */
	[CFG_AUTH_HMAC_SHA256_128] = {"hmac-sha256-128", 32, false}, /* RFC 4868 */
	[CFG_AUTH_HMAC_SHA384_192] = {"hmac-sha384-192", 48, false},
	[CFG_AUTH_HMAC_SHA512_256] = {"hmac-sha512-256", 64, false},
	[CFG_AUTH_HMAC_MD5_96] = {"hmac-md5-96", 16, true}, /* RFC 2403 */
};

#define N_ENCS	(sizeof(encs) / sizeof(encs[0]))
#define N_AUTHS (sizeof(auths) / sizeof(auths[0]))

/* ---- values shared by SAs and tunnels ---- */

static bool addr_unspecified(const struct cfg_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, sizeof(zero)) == 0;
}

static int get_addr(struct ld *ld, const struct node *v, const char *key, struct cfg_addr *a)
{
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (cfg_addr_parse(v->str, false, a) < 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' is not an address (no prefix length here)", key,
				 cfgi_show(v, buf, sizeof(buf)));
	return 0;
}

/* Outer source of our packets: an address some interface owns. */
static int get_local(struct ld *ld, const struct node *v, const char *key, struct cfg_addr *a)
{
	char sa[INET6_ADDRSTRLEN];
	int rc = get_addr(ld, v, key, a);

	if (rc == 0 && cfgi_iface_with(ld->cfg, a) < 0)
		return cfgi_fail(ld, v, -EADDRNOTAVAIL,
				 "'%s' %s is not an address of any interface", key,
				 cfg_addr_str(a, sa, sizeof(sa)));
	return rc;
}

static int get_remote(struct ld *ld, const struct node *v, const char *key, struct cfg_addr *a)
{
	int rc = get_addr(ld, v, key, a);

	if (rc < 0)
		return rc;
	if (cfgi_addr_multicast(a))
		return cfgi_fail(ld, v, -EINVAL, "'%s' is a multicast address", key);
	if (addr_unspecified(a))
		return cfgi_fail(ld, v, -EINVAL, "'%s' is the unspecified address", key);
	return 0;
}

/* Checked once both are read, at the remote end. */
static int check_family(struct ld *ld, const struct cfg_addr *local, const struct cfg_addr *remote,
			const struct node *v)
{
	char sa[INET6_ADDRSTRLEN];

	if (local->family == remote->family)
		return 0;
	return cfgi_fail(ld, v, -EINVAL, "'remote' %s is not of the address family of 'local'",
			 cfg_addr_str(remote, sa, sizeof(sa)));
}

/* Replay windows are bitmaps of whole 64-bit words sized as powers of two (RFC 4303 3.4.3). */
static int set_window(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	unsigned long x;
	int rc = cfgi_get_uint(ld, v, r->key, r->min, r->max, &x);

	if (rc < 0)
		return rc;
	if ((x & (x - 1)) != 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' %lu is not a power of two", r->key, x);
	*(unsigned int *)((char *)obj + r->off) = (unsigned int)x;
	return 0;
}

/* ---- keys ---- */

/* How one key of an SA is checked: its key names, its algorithm and the length that needs. */
struct key_spec {
	const char *key;  /* "enc_key" */
	const char *file; /* "enc_key_file" */
	const char *what; /* "enc" */
	const char *alg;  /* "aes-gcm-128" */
	unsigned int len; /* bytes; 0 = the algorithm takes no key */
};

/*
 * Hex digits (after an optional "0x") into exactly ks->len bytes. Nothing is written unless the
 * whole text is valid. label names the key in messages ("'enc_key'", "'enc_key_file' 'k.hex'");
 * s starts at offset pos of the text the operator wrote, so a bad digit is reported where it is.
 */
static int unhex(struct ld *ld, const struct node *v, const char *label, const struct key_spec *ks,
		 const char *s, size_t n, size_t pos, uint8_t *out)
{
	size_t bad;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
		pos += 2;
	}
	bad = strspn(s, HEX_DIGITS);
	if (bad < n)
		return cfgi_fail(ld, v, -EINVAL, "%s is not hex: character %zu is not a hex digit",
				 label, pos + bad + 1);
	if (n % 2 != 0)
		return cfgi_fail(ld, v, -EINVAL, "%s has an odd number of hex digits (%zu)", label,
				 n);
	if (n / 2 != ks->len)
		return cfgi_fail(ld, v, -EINVAL,
				 "%s must be %u bytes (%u hex digits) for %s, not %zu bytes", label,
				 ks->len, ks->len * 2, ks->alg, n / 2);
	for (size_t i = 0; i < ks->len; i++)
		out[i] = (uint8_t)(cfgi_hex_digit(s[2 * i]) << 4 | cfgi_hex_digit(s[2 * i + 1]));
	return 0;
}

static int key_inline(struct ld *ld, const struct node *v, const struct key_spec *ks, uint8_t *out)
{
	char label[LABEL_MAX];
	int rc = cfgi_want_scalar(ld, v, ks->key);

	if (rc < 0)
		return rc;
	snprintf(label, sizeof(label), "'%s'", ks->key);
	return unhex(ld, v, label, ks, v->str, v->len, 0, out);
}

/* Relative names are relative to the config file's directory, never to the process's. */
int cfgi_key_path(struct ld *ld, const struct node *v, const char *key, char *path, size_t len)
{
	char buf[SHOW_MAX];
	int n;

	if (v->str[0] == '/')
		n = snprintf(path, len, "%s", v->str);
	else if (ld->dir == NULL)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' is relative, but the config was not read from a file: "
				 "give an absolute path",
				 key, cfgi_show(v, buf, sizeof(buf)));
	else
		n = snprintf(path, len, "%s/%s", ld->dir, v->str);
	if (n < 0 || (size_t)n >= len)
		return cfgi_fail(ld, v, -ENAMETOOLONG, "'%s' names a path longer than %zu bytes",
				 key, len - 1);
	return 0;
}

/* Up to KEY_FILE_MAX bytes of a regular file; O_NONBLOCK keeps a FIFO from stalling startup. */
int cfgi_read_key_file(struct ld *ld, const struct node *v, const char *label, const char *path,
		       char *buf, size_t *n)
{
	struct stat st;
	ssize_t got;
	int fd, e, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		return cfgi_fail(ld, v, -e, "%s cannot be read: %s", label, strerror(e));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = cfgi_fail(ld, v, -EINVAL, "%s is not a regular file", label);
	*n = 0;
	while (rc == 0 && *n <= KEY_FILE_MAX) {
		got = read(fd, buf + *n, KEY_FILE_MAX + 1 - *n);
		e = errno;
		if (got < 0 && e == EINTR)
			continue;
		if (got < 0)
			rc = cfgi_fail(ld, v, -e, "%s cannot be read: %s", label, strerror(e));
		if (got <= 0)
			break;
		*n += (size_t)got;
	}
	close(fd);
	if (rc == 0 && *n > KEY_FILE_MAX)
		return cfgi_fail(ld, v, -EFBIG, "%s is longer than %u bytes", label, KEY_FILE_MAX);
	return rc;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A file holding the hex text, as `openssl rand -hex N > file` writes it. */
static int key_file(struct ld *ld, const struct node *v, const struct key_spec *ks, uint8_t *out)
{
	char path[PATH_MAX], label[LABEL_MAX], show[SHOW_MAX];
	char buf[KEY_FILE_MAX + 1];
	size_t n = 0, start = 0;
	int rc = cfgi_want_scalar(ld, v, ks->file);

	if (rc < 0)
		return rc;
	snprintf(label, sizeof(label), "'%s' '%s'", ks->file, cfgi_show(v, show, sizeof(show)));
	rc = cfgi_key_path(ld, v, ks->file, path, sizeof(path));
	if (rc == 0)
		rc = cfgi_read_key_file(ld, v, label, path, buf, &n);
	if (rc < 0)
		goto out;
	while (n > 0 && blank(buf[n - 1]))
		n--;
	while (start < n && blank(buf[start]))
		start++;
	buf[n] = '\0';
	if (start == n)
		rc = cfgi_fail(ld, v, -EINVAL, "%s is empty", label);
	else
		rc = unhex(ld, v, label, ks, buf + start, n - start, start, out);
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* The later of two nodes in the file: where a conflict becomes visible to the reader. */
static const struct node *later(const struct node *a, const struct node *b)
{
	return a->line > b->line || (a->line == b->line && a->col > b->col) ? a : b;
}

/* Exactly one of the inline key and the key file, or neither when the algorithm takes no key. */
static int load_key(struct ld *ld, const struct node *map, const char *where,
		    const struct node *inl, const struct node *file, const struct key_spec *ks,
		    uint8_t *out, unsigned int *len)
{
	int rc;

	if (ks->len == 0 && (inl != NULL || file != NULL))
		return cfgi_fail(ld, inl != NULL ? inl : file, -EINVAL,
				 "'%s' is refused: %s %s takes no key",
				 inl != NULL ? ks->key : ks->file, ks->what, ks->alg);
	if (ks->len == 0)
		return 0;
	if (inl != NULL && file != NULL)
		return cfgi_fail(ld, later(inl, file), -EINVAL, "'%s' and '%s' exclude each other",
				 ks->key, ks->file);
	if (inl == NULL && file == NULL)
		return cfgi_fail(ld, map, -EINVAL, "missing required key '%s' or '%s' %s", ks->key,
				 ks->file, where);
	rc = inl != NULL ? key_inline(ld, inl, ks, out) : key_file(ld, file, ks, out);
	if (rc == 0)
		*len = ks->len;
	return rc;
}

/* ---- one manual SA ---- */

enum {
	SA_NAME,
	SA_SPI,
	SA_DIR,
	SA_MODE,
	SA_LOCAL,
	SA_REMOTE,
	SA_ENCAP,
	SA_SPORT,
	SA_DPORT,
	SA_FOLLOW,
	SA_ENC,
	SA_ENC_KEY,
	SA_ENC_FILE,
	SA_AUTH,
	SA_AUTH_KEY,
	SA_AUTH_FILE,
	SA_ESN,
	SA_WINDOW,
	SA_LIFE,
	SA_N
};

static int sa_find(const struct config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_sas; i++) {
		if (strcmp(cfg->sas[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

static int set_sa_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_sa *sa = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len >= CFG_NAME_MAX || !cfgi_name_ok(v->str, v->len, NAME_FIRST, NAME_REST))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be a letter then up to %u of [A-Za-z0-9_/]", r->key,
				 CFG_NAME_MAX - 2);
	if (sa_find(ld->cfg, v->str) >= 0)
		return cfgi_fail(ld, v, -EEXIST, "SA name %s is used twice", v->str);
	memcpy(sa->name, v->str, v->len + 1);
	return 0;
}

static int set_sa_spi(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_sa *sa = obj;
	uint64_t x;
	int rc = cfgi_get_u64(ld, v, r->key, 0, UINT32_MAX, true, &x);

	if (rc < 0)
		return rc;
	if (x < 256)
		return cfgi_fail(ld, v, -ERANGE,
				 "'%s' %llu is reserved: SPIs start at 0x100 (RFC 4303 2.1)",
				 r->key, (unsigned long long)x);
	sa->spi = (uint32_t)x;
	return 0;
}

/* One of two words, for the keys that are enums of two. */
static int pick2(struct ld *ld, const struct node *v, const char *key, const char *a, const char *b,
		 uint8_t *out)
{
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, a) == 0)
		*out = 0;
	else if (strcmp(v->str, b) == 0)
		*out = 1;
	else
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be %s or %s", key, a, b);
	return 0;
}

static int set_sa_dir(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	_Static_assert(CFG_SA_IN == 0 && CFG_SA_OUT == 1, "pick2 order");
	return pick2(ld, v, r->key, "in", "out", &((struct cfg_sa *)obj)->dir);
}

static int set_sa_mode(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	_Static_assert(CFG_SA_TUNNEL == 0 && CFG_SA_TRANSPORT == 1, "pick2 order");
	return pick2(ld, v, r->key, "tunnel", "transport", &((struct cfg_sa *)obj)->mode);
}

static int set_sa_encap(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_sa *sa = obj;
	uint8_t udp = 0;
	int rc = pick2(ld, v, r->key, "none", "udp", &udp);

	sa->udp_encap = udp != 0;
	return rc;
}

static int set_sa_local(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_local(ld, v, r->key, &((struct cfg_sa *)obj)->local);
}

static int set_sa_remote(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_remote(ld, v, r->key, &((struct cfg_sa *)obj)->remote);
}

static int set_port(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	unsigned long x;
	int rc = cfgi_get_uint(ld, v, r->key, 1, 65535, &x);

	if (rc == 0)
		*(uint16_t *)((char *)obj + r->off) = (uint16_t)x;
	return rc;
}

/*
 * "null" is a cipher here (RFC 2410), not YAML's null: ~ and an empty value still are. The
 * value is not quoted back: a key pasted into the wrong line must not reach the log.
 */
static int set_sa_enc(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_sa *sa = obj;
	int rc;

	if (v->kind == NODE_SCALAR && strcmp(v->str, "null") == 0) {
		sa->enc = CFG_ENC_NULL;
		return 0;
	}
	rc = cfgi_want_scalar(ld, v, r->key);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < N_ENCS; i++) {
		if (strcmp(v->str, encs[i].name) == 0) {
			sa->enc = (uint8_t)i;
			return 0;
		}
	}
	return cfgi_fail(ld, v, -EINVAL,
			 "'%s' must be one of null, aes-cbc-128, aes-cbc-256, aes-gcm-128, "
			 "aes-gcm-256, chacha20-poly1305, 3des-cbc",
			 r->key);
}

static int set_sa_auth(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_sa *sa = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < N_AUTHS; i++) {
		if (strcmp(v->str, auths[i].name) == 0) {
			sa->auth = (uint8_t)i;
			return 0;
		}
	}
	return cfgi_fail(ld, v, -EINVAL,
			 "'%s' must be one of none, hmac-sha1-96, hmac-sha256-128, "
			 "hmac-sha384-192, hmac-sha512-256, hmac-md5-96",
			 r->key);
}

/* ---- lifetime ---- */

enum { LT_SOFT_BYTES, LT_HARD_BYTES, LT_SOFT_PKTS, LT_HARD_PKTS, LT_SOFT_SECS, LT_HARD_SECS, LT_N };

static int set_u64(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	uint64_t x;
	int rc = cfgi_get_u64(ld, v, r->key, 0, UINT64_MAX, false, &x);

	if (rc == 0)
		*(uint64_t *)((char *)obj + r->off) = x;
	return rc;
}

static int set_u32(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	uint64_t x;
	int rc = cfgi_get_u64(ld, v, r->key, 0, UINT32_MAX, false, &x);

	if (rc == 0)
		*(uint32_t *)((char *)obj + r->off) = (uint32_t)x;
	return rc;
}

#define LT(k, f, fn)                                                 \
	{                                                            \
		k, fn, offsetof(struct cfg_lifetime, f), 0, 0, false \
	}

/* Soft and hard of one kind sit next to each other: soft at even, hard at odd indexes. */
static const struct rule lt_rules[LT_N] = {
	[LT_SOFT_BYTES] = LT("soft_bytes", soft_bytes, set_u64),
	[LT_HARD_BYTES] = LT("hard_bytes", hard_bytes, set_u64),
	[LT_SOFT_PKTS] = LT("soft_packets", soft_packets, set_u64),
	[LT_HARD_PKTS] = LT("hard_packets", hard_packets, set_u64),
	[LT_SOFT_SECS] = LT("soft_seconds", soft_seconds, set_u32),
	[LT_HARD_SECS] = LT("hard_seconds", hard_seconds, set_u32),
};

static uint64_t lt_value(const struct cfg_lifetime *life, unsigned int i)
{
	const char *p = (const char *)life + lt_rules[i].off;

	return lt_rules[i].set == set_u64 ? *(const uint64_t *)p : *(const uint32_t *)p;
}

/* RFC 4301 4.4.2.1: the soft limit warns ahead of the hard one, so it must come first. */
static int set_sa_life(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	const struct node *vals[LT_N] = {NULL};
	struct cfg_sa *sa = obj;
	char where[64];
	int rc;

	(void)r;
	snprintf(where, sizeof(where), "in ipsec.manual_sas[%u].lifetime", ld->cfg->n_sas);
	rc = cfgi_walk_map(ld, v, where, lt_rules, LT_N, &sa->life, vals);
	for (unsigned int i = 0; rc == 0 && i < LT_N; i += 2) {
		uint64_t soft = lt_value(&sa->life, i), hard = lt_value(&sa->life, i + 1);

		if (soft != 0 && hard != 0 && soft >= hard)
			rc = cfgi_fail(ld, vals[i], -EINVAL, "'%s' %llu must be below '%s' %llu",
				       lt_rules[i].key, (unsigned long long)soft,
				       lt_rules[i + 1].key, (unsigned long long)hard);
	}
	return rc;
}

static const struct rule sa_rules[SA_N] = {
	[SA_NAME] = {"name", set_sa_name, 0, 0, 0, true},
	[SA_SPI] = {"spi", set_sa_spi, 0, 0, 0, true},
	[SA_DIR] = {"direction", set_sa_dir, 0, 0, 0, true},
	[SA_MODE] = {"mode", set_sa_mode, 0, 0, 0, false},
	[SA_LOCAL] = {"local", set_sa_local, 0, 0, 0, true},
	[SA_REMOTE] = {"remote", set_sa_remote, 0, 0, 0, true},
	[SA_ENCAP] = {"encap", set_sa_encap, 0, 0, 0, false},
	[SA_SPORT] = {"udp_sport", set_port, offsetof(struct cfg_sa, udp_sport), 0, 0, false},
	[SA_DPORT] = {"udp_dport", set_port, offsetof(struct cfg_sa, udp_dport), 0, 0, false},
	[SA_FOLLOW] = {"follow_peer", cfgi_set_bool, offsetof(struct cfg_sa, follow_peer), 0, 0,
		       false},
	[SA_ENC] = {"enc", set_sa_enc, 0, 0, 0, true},
	[SA_ENC_KEY] = {"enc_key", cfgi_keep, 0, 0, 0, false},
	[SA_ENC_FILE] = {"enc_key_file", cfgi_keep, 0, 0, 0, false},
	[SA_AUTH] = {"auth", set_sa_auth, 0, 0, 0, false},
	[SA_AUTH_KEY] = {"auth_key", cfgi_keep, 0, 0, 0, false},
	[SA_AUTH_FILE] = {"auth_key_file", cfgi_keep, 0, 0, 0, false},
	[SA_ESN] = {"esn", cfgi_set_bool, offsetof(struct cfg_sa, esn), 0, 0, false},
	[SA_WINDOW] = {"replay_window", set_window, offsetof(struct cfg_sa, replay_window), 64,
		       4096, false},
	[SA_LIFE] = {"lifetime", set_sa_life, 0, 0, 0, false},
};

/* 3DES and HMAC-MD5 only when the operator said so; main warns when they are in use. */
static int check_legacy(struct ld *ld, const struct node *v, const char *key, bool legacy,
			const char *alg)
{
	if (!legacy)
		return 0;
	if (!ld->cfg->ipsec_legacy)
		return cfgi_fail(
			ld, v, -EINVAL,
			"'%s' %s is a legacy algorithm: set ipsec.legacy: true to allow it", key,
			alg);
	ld->cfg->legacy_used = true;
	return 0;
}

/* An AEAD carries its own integrity; everything else needs an HMAC: no ESP without integrity. */
static int check_algs(struct ld *ld, const struct cfg_sa *sa, const struct node **vals)
{
	const struct enc_alg *e = &encs[sa->enc];
	const struct auth_alg *a = &auths[sa->auth];
	int rc;

	rc = check_legacy(ld, vals[SA_ENC], "enc", e->legacy, e->name);
	if (rc == 0 && vals[SA_AUTH] != NULL)
		rc = check_legacy(ld, vals[SA_AUTH], "auth", a->legacy, a->name);
	if (rc < 0)
		return rc;
	if (e->aead && sa->auth != CFG_AUTH_NONE)
		return cfgi_fail(ld, vals[SA_AUTH], -EINVAL,
				 "'auth' must be none with %s: an AEAD cipher carries its own "
				 "integrity",
				 e->name);
	if (!e->aead && sa->auth == CFG_AUTH_NONE)
		return cfgi_fail(ld, vals[SA_AUTH] != NULL ? vals[SA_AUTH] : vals[SA_ENC], -EINVAL,
				 "'enc' %s needs an HMAC in 'auth': ESP without integrity is "
				 "refused",
				 e->name);
	return 0;
}

static int load_keys(struct ld *ld, const struct node *map, const char *where, struct cfg_sa *sa,
		     const struct node **vals)
{
	const struct key_spec ek = {"enc_key", "enc_key_file", "enc", encs[sa->enc].name,
				    encs[sa->enc].key_len};
	const struct key_spec ak = {"auth_key", "auth_key_file", "auth", auths[sa->auth].name,
				    auths[sa->auth].key_len};
	int rc;

	rc = load_key(ld, map, where, vals[SA_ENC_KEY], vals[SA_ENC_FILE], &ek, sa->enc_key,
		      &sa->enc_key_len);
	if (rc == 0)
		rc = load_key(ld, map, where, vals[SA_AUTH_KEY], vals[SA_AUTH_FILE], &ak,
			      sa->auth_key, &sa->auth_key_len);
	return rc;
}

/* NAT-T (RFC 3948): ports only with UDP encapsulation; following the peer only when receiving. */
static int check_encap(struct ld *ld, struct cfg_sa *sa, const struct node **vals)
{
	for (unsigned int k = SA_SPORT; k <= SA_DPORT; k++) {
		if (vals[k] != NULL && !sa->udp_encap)
			return cfgi_fail(ld, vals[k], -EINVAL, "'%s' needs 'encap: udp'",
					 sa_rules[k].key);
	}
	if (vals[SA_FOLLOW] != NULL && sa->dir != CFG_SA_IN)
		return cfgi_fail(ld, vals[SA_FOLLOW], -EINVAL,
				 "'follow_peer' applies to inbound SAs only");
	if (vals[SA_FOLLOW] != NULL && !sa->udp_encap)
		return cfgi_fail(ld, vals[SA_FOLLOW], -EINVAL, "'follow_peer' needs 'encap: udp'");
	if (sa->udp_encap && vals[SA_SPORT] == NULL)
		sa->udp_sport = NATT_PORT;
	if (sa->udp_encap && vals[SA_DPORT] == NULL)
		sa->udp_dport = NATT_PORT;
	return 0;
}

/* Inbound SAs are found by (SPI, destination): the pair must be unique (RFC 4301 4.1). */
static int check_inbound(struct ld *ld, struct cfg_sa *sa, const struct node **vals)
{
	const struct config *cfg = ld->cfg;
	char sa_txt[INET6_ADDRSTRLEN];

	if (sa->dir != CFG_SA_IN) {
		if (vals[SA_WINDOW] != NULL)
			return cfgi_fail(ld, vals[SA_WINDOW], -EINVAL,
					 "'replay_window' applies to inbound SAs only");
		return 0;
	}
	if (vals[SA_WINDOW] == NULL)
		sa->replay_window = cfg->replay_window;
	for (unsigned int j = 0; j < cfg->n_sas; j++) {
		const struct cfg_sa *o = &cfg->sas[j];

		if (o->dir == CFG_SA_IN && o->spi == sa->spi &&
		    cfgi_addr_same(&o->local, &sa->local))
			return cfgi_fail(ld, vals[SA_SPI], -EEXIST,
					 "inbound SPI 0x%x on %s is already used by SA %s", sa->spi,
					 cfg_addr_str(&sa->local, sa_txt, sizeof(sa_txt)), o->name);
	}
	return 0;
}

static int load_sa(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[SA_N] = {NULL};
	struct cfg_sa *sa = &ld->cfg->sas[idx];
	char where[48];
	int rc;

	sa->line = map->line;
	snprintf(where, sizeof(where), "in ipsec.manual_sas[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, sa_rules, SA_N, sa, vals);
	if (rc == 0)
		rc = check_family(ld, &sa->local, &sa->remote, vals[SA_REMOTE]);
	if (rc == 0)
		rc = check_algs(ld, sa, vals);
	if (rc == 0)
		rc = load_keys(ld, map, where, sa, vals);
	if (rc == 0)
		rc = check_encap(ld, sa, vals);
	if (rc == 0)
		rc = check_inbound(ld, sa, vals);
	if (rc < 0)
		explicit_bzero(sa, sizeof(*sa)); /* not counted in n_sas: cfg_free would miss it */
	return rc;
}

/* Every section that is a sequence of mappings loads through here (config_int.h). */
int cfgi_load_list(struct ld *ld, const struct node *seq, const char *key, unsigned int max,
		   const char *what, size_t sz, void **arr, unsigned int *n,
		   int (*one)(struct ld *ld, const struct node *map, unsigned int idx))
{
	unsigned int i = 0;
	int rc;

	if (seq == NULL)
		return 0;
	rc = cfgi_want_seq(ld, seq, key, max, what);
	if (rc < 0 || seq->n == 0)
		return rc;
	*arr = calloc(seq->n, sz);
	if (*arr == NULL)
		return cfgi_fail(ld, seq, -ENOMEM, "out of memory for %u %s", seq->n, what);
	for (const struct node *m = seq->first; m != NULL; m = m->next, i++) {
		rc = one(ld, m, i);
		if (rc < 0)
			return rc;
		*n = i + 1;
	}
	return 0;
}

static int load_sas(struct ld *ld, const struct node *seq)
{
	return cfgi_load_list(ld, seq, "manual_sas", CFG_SAS_MAX, "manual SAs",
			      sizeof(struct cfg_sa), (void **)&ld->cfg->sas, &ld->cfg->n_sas,
			      load_sa);
}

/* ---- the ipsec section ---- */

enum { IPS_LEGACY, IPS_WINDOW, IPS_SA_MAX, IPS_SAS, IPS_N };

static const struct rule ipsec_rules[IPS_N] = {
	[IPS_LEGACY] = {"legacy", cfgi_set_bool, offsetof(struct config, ipsec_legacy), 0, 0,
			false},
	[IPS_WINDOW] = {"replay_window", set_window, offsetof(struct config, replay_window), 64,
			4096, false},
	[IPS_SA_MAX] = {"sa_max", cfgi_set_uint, offsetof(struct config, sa_max), CFG_SA_TABLE_MIN,
			CFG_SA_TABLE_MAX, false},
	[IPS_SAS] = {"manual_sas", cfgi_keep, 0, 0, 0, false},
};

/* SAs are read after the walk: legacy and the default window may come after them. */
int cfgi_load_ipsec(struct ld *ld, const struct node *map)
{
	const struct node *vals[IPS_N] = {NULL};
	int rc;

	ld->cfg->replay_window = WINDOW_DEFAULT;
	ld->cfg->sa_max = CFG_SA_TABLE_DEFAULT;
	if (map == NULL)
		return 0;
	rc = cfgi_walk_map(ld, map, "in ipsec", ipsec_rules, IPS_N, ld->cfg, vals);
	if (rc == 0)
		rc = load_sas(ld, vals[IPS_SAS]);
	if (rc == 0 && ld->cfg->n_sas > ld->cfg->sa_max)
		rc = cfgi_fail(ld, vals[IPS_SA_MAX], -EINVAL,
			       "'sa_max' %u is below the %u manual SAs", ld->cfg->sa_max,
			       ld->cfg->n_sas);
	return rc;
}

/* ---- tunnels ---- */

enum {
	TUN_NAME,
	TUN_TYPE,
	TUN_LOCAL,
	TUN_REMOTE,
	TUN_SA_OUT,
	TUN_SA_IN,
	TUN_V4,
	TUN_V6,
	TUN_MTU,
	TUN_TEMPLATE,
	TUN_N
};

const struct cfg_addr *cfgi_tunnel_addrs(const struct cfg_tunnel *t, int family, unsigned int *n)
{
	*n = family == AF_INET ? t->n_v4 : t->n_v6;
	return family == AF_INET ? t->v4 : t->v6;
}

/* Tunnels and interfaces share one name space: routes name either. */
static int set_tun_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_tunnel *t = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len >= CFG_NAME_MAX || !cfgi_name_ok(v->str, v->len, NAME_FIRST, NAME_REST))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be a letter then up to %u of [A-Za-z0-9_/]", r->key,
				 CFG_NAME_MAX - 2);
	if (cfg_iface_find(ld->cfg, v->str) >= 0)
		return cfgi_fail(ld, v, -EEXIST, "tunnel name %s is already an interface name",
				 v->str);
	if (cfg_tunnel_find(ld->cfg, v->str) >= 0)
		return cfgi_fail(ld, v, -EEXIST, "tunnel name %s is used twice", v->str);
	memcpy(t->name, v->str, v->len + 1);
	return 0;
}

static int set_tun_type(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_tunnel *t = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, "vti") != 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be vti", r->key);
	t->type = CFG_TUN_VTI;
	return 0;
}

static int set_tun_local(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_local(ld, v, r->key, &((struct cfg_tunnel *)obj)->local);
}

static int set_tun_remote(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_remote(ld, v, r->key, &((struct cfg_tunnel *)obj)->remote);
}

static int set_tun_addrs(struct ld *ld, const struct node *v, void *obj, const struct rule *r,
			 int family)
{
	struct cfg_tunnel *t = obj;
	struct addr_lists own = {t->v4, &t->n_v4, t->v6, &t->n_v6, "this tunnel"};

	return cfgi_set_addrs(ld, v, r->key, family, &own);
}

static int set_tun_v4(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return set_tun_addrs(ld, v, obj, r, AF_INET);
}

static int set_tun_v6(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return set_tun_addrs(ld, v, obj, r, AF_INET6);
}

/* 0 leaves the MTU to the data plane: the underlay's minus the ESP overhead of the SA. */
static int set_tun_mtu(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_tunnel *t = obj;
	unsigned long x;
	int rc = cfgi_get_uint(ld, v, r->key, 0, 9000, &x);

	if (rc < 0)
		return rc;
	if (x != 0 && x < 576)
		return cfgi_fail(ld, v, -ERANGE, "'%s' must be 0 (derived) or 576..9000", r->key);
	t->mtu = (unsigned int)x;
	return 0;
}

static const struct rule tun_rules[TUN_N] = {
	[TUN_NAME] = {"name", set_tun_name, 0, 0, 0, true},
	[TUN_TYPE] = {"type", set_tun_type, 0, 0, 0, true},
	[TUN_LOCAL] = {"local", set_tun_local, 0, 0, 0, true},
	[TUN_REMOTE] = {"remote", set_tun_remote, 0, 0, 0, false},
	[TUN_SA_OUT] = {"sa_out", cfgi_keep, 0, 0, 0, false},
	[TUN_SA_IN] = {"sa_in", cfgi_keep, 0, 0, 0, false},
	[TUN_V4] = {"ipv4", set_tun_v4, 0, 0, 0, false},
	[TUN_V6] = {"ipv6", set_tun_v6, 0, 0, 0, false},
	[TUN_MTU] = {"mtu", set_tun_mtu, 0, 0, 0, false},
	[TUN_TEMPLATE] = {"template", cfgi_set_bool, offsetof(struct cfg_tunnel, template), 0, 0,
			  false},
};

/* The tunnel an SA is already bound to (cur is the one being loaded), or NULL. */
static const struct cfg_tunnel *sa_owner(const struct config *cfg, const struct cfg_tunnel *cur,
					 int sa)
{
	for (unsigned int i = 0; i <= cfg->n_tunnels; i++) {
		const struct cfg_tunnel *t = &cfg->tunnels[i];

		if (t->sa_out == sa)
			return t;
		for (unsigned int j = 0; j < t->n_sa_in; j++) {
			if (t->sa_in[j] == sa)
				return t;
		}
		if (t == cur)
			break;
	}
	return NULL;
}

/* A VTI's SAs run between the tunnel's own endpoints, in tunnel mode, for this tunnel only. */
static int bind_sa(struct ld *ld, const struct cfg_tunnel *t, const struct node *v, const char *key,
		   uint8_t dir, int *out)
{
	const struct config *cfg = ld->cfg;
	char buf[SHOW_MAX], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const struct cfg_tunnel *owner;
	const struct cfg_sa *sa;
	int i, rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	i = sa_find(cfg, v->str);
	if (i < 0)
		return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown SA '%s'", key,
				 cfgi_show(v, buf, sizeof(buf)));
	sa = &cfg->sas[i];
	if (sa->dir != dir)
		return cfgi_fail(ld, v, -EINVAL, "'%s' SA %s has direction %s, not %s", key,
				 sa->name, sa->dir == CFG_SA_IN ? "in" : "out",
				 dir == CFG_SA_IN ? "in" : "out");
	if (sa->mode != CFG_SA_TUNNEL)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' SA %s is in transport mode; a VTI needs tunnel mode", key,
				 sa->name);
	if (!cfgi_addr_same(&sa->local, &t->local) || !cfgi_addr_same(&sa->remote, &t->remote))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' SA %s runs between %s and %s, not the tunnel's endpoints",
				 key, sa->name, cfg_addr_str(&sa->local, a, sizeof(a)),
				 cfg_addr_str(&sa->remote, b, sizeof(b)));
	owner = sa_owner(cfg, t, i);
	if (owner == t)
		return cfgi_fail(ld, v, -EEXIST, "'%s' lists SA %s twice", key, sa->name);
	if (owner != NULL)
		return cfgi_fail(ld, v, -EEXIST, "SA %s is already bound to tunnel %s", sa->name,
				 owner->name);
	*out = i;
	return 0;
}

/* One name or a sequence of up to CFG_TUNNEL_SA_IN_MAX: more than one overlap during a rekey. */
static int bind_sa_in(struct ld *ld, struct cfg_tunnel *t, const struct node *v, const char *key)
{
	int rc;

	if (v->kind == NODE_SCALAR) {
		rc = bind_sa(ld, t, v, key, CFG_SA_IN, &t->sa_in[0]);
		t->n_sa_in = rc == 0 ? 1 : 0;
		return rc;
	}
	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be an SA name or a sequence of them, not %s", key,
				 cfgi_describe(v));
	if (v->n == 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' needs at least one SA", key);
	for (const struct node *s = v->first; s != NULL; s = s->next) {
		if (t->n_sa_in == CFG_TUNNEL_SA_IN_MAX)
			return cfgi_fail(ld, s, -E2BIG, "'%s' lists more than %u SAs", key,
					 CFG_TUNNEL_SA_IN_MAX);
		rc = bind_sa(ld, t, s, key, CFG_SA_IN, &t->sa_in[t->n_sa_in]);
		if (rc < 0)
			return rc;
		t->n_sa_in++;
	}
	return 0;
}

/*
 * A template (dynamic VTI) names no remote and no manual SAs: each spoke that IKE brings up gets
 * its own clone. Any other vti needs its remote.
 */
static int check_template(struct ld *ld, const struct node *map, const struct cfg_tunnel *t,
			  const struct node **vals)
{
	if (!t->template && vals[TUN_REMOTE] == NULL)
		return cfgi_fail(ld, map, -EINVAL,
				 "in tunnels: 'remote' is required (unless 'template: true')");
	if (t->template && vals[TUN_REMOTE] != NULL)
		return cfgi_fail(ld, vals[TUN_REMOTE], -EINVAL,
				 "a template has no 'remote': each spoke's clone takes the spoke's "
				 "address");
	if (t->template && (vals[TUN_SA_OUT] != NULL || vals[TUN_SA_IN] != NULL))
		return cfgi_fail(ld, vals[TUN_SA_OUT] != NULL ? vals[TUN_SA_OUT] : vals[TUN_SA_IN],
				 -EINVAL, "a template has no manual SAs: IKE keys each clone");
	return 0;
}

static int load_tunnel(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[TUN_N] = {NULL};
	struct cfg_tunnel *t = &ld->cfg->tunnels[idx];
	char where[32];
	int rc;

	t->sa_out = -1;
	for (unsigned int j = 0; j < CFG_TUNNEL_SA_IN_MAX; j++)
		t->sa_in[j] = -1;
	t->line = map->line;
	snprintf(where, sizeof(where), "in tunnels[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, tun_rules, TUN_N, t, vals);
	if (rc == 0)
		rc = check_template(ld, map, t, vals);
	if (rc == 0 && !t->template)
		rc = check_family(ld, &t->local, &t->remote, vals[TUN_REMOTE]);
	/* RFC 8200 section 5: IPv6 needs a link MTU of at least 1280. */
	if (rc == 0 && t->n_v6 > 0 && t->mtu != 0 && t->mtu < 1280)
		rc = cfgi_fail(ld, vals[TUN_MTU], -EINVAL,
			       "'mtu' %u is below 1280, the IPv6 minimum", t->mtu);
	/* Both manual SAs or neither: then an IKE child keys the tunnel (config_ike.c checks). */
	if (rc == 0 && (vals[TUN_SA_OUT] == NULL) != (vals[TUN_SA_IN] == NULL))
		rc = cfgi_fail(ld, vals[TUN_SA_OUT] != NULL ? vals[TUN_SA_OUT] : vals[TUN_SA_IN],
			       -EINVAL,
			       "'sa_out' and 'sa_in' go together: both (manual SAs) or neither "
			       "(an IKE child keys the tunnel)");
	if (rc == 0 && vals[TUN_SA_OUT] != NULL)
		rc = bind_sa(ld, t, vals[TUN_SA_OUT], "sa_out", CFG_SA_OUT, &t->sa_out);
	if (rc == 0 && vals[TUN_SA_IN] != NULL)
		rc = bind_sa_in(ld, t, vals[TUN_SA_IN], "sa_in");
	return rc;
}

int cfgi_load_tunnels(struct ld *ld, const struct node *seq)
{
	return cfgi_load_list(ld, seq, "tunnels", CFG_TUNNELS_MAX, "tunnels",
			      sizeof(struct cfg_tunnel), (void **)&ld->cfg->tunnels,
			      &ld->cfg->n_tunnels, load_tunnel);
}
