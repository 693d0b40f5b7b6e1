/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike_cert.c - auth: pubkey of an IKE peer (RFC 7296 3.6-3.8, RFC 7427): its
 * certificate (`cert`), private key (`key`) and certification authorities (`ca`) read from PEM
 * files into DER kept in the peer, and checked with crypto/ike_cert.h and ike_sig.h (the only
 * part of crypto/ the loader links: OpenSSL alone, no DPDK): the key is the
 * certificate's and of a type vpnhub signs with; at least one CA is a trust anchor
 * (self-signed); local_id, by default the certificate's subject (ID_DER_ASN1_DN), is one the
 * certificate vouches for (RFC 4945 3.1). A certificate outside its validity loads with a
 * warning on stderr (file:line:col: warning: ...): IKE refuses to authenticate with it until it
 * is renewed. Also the dn: form of identities.
 *
 * Invariants: the PEM text of every file is read into a heap buffer that is wiped before it is
 * freed, on every path (a key file is secret; the others cost nothing to wipe too); the key's
 * DER goes only into the peer, which cfg_free wipes, or load_peer when the peer fails. No
 * message quotes a file's content, only its name. Paths are relative to the config file's
 * directory, as key files are. Main lcore during cfg_load_*(); no global state.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf/config.h"
#include "conf/config_ike_cert.h"
#include "conf/config_int.h"
#include "crypto/ike_cert.h"
#include "crypto/ike_sig.h"

#define PEM_FILE_MAX (256u * 1024) /* bytes of one PEM file */
#define LABEL_MAX    (SHOW_MAX + 16)

/* ---- files ---- */

static int read_all(int fd, char *buf, size_t cap, size_t *n)
{
	*n = 0;
	while (*n < cap) {
		ssize_t got = read(fd, buf + *n, cap - *n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		*n += (size_t)got;
	}
	return 0;
}

static void wipe_free(char *buf, size_t cap)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, cap);
	free(buf);
}

/*
 * The file v, the value of key, names (label quotes it) into a new buffer *buf of *cap bytes, *n of them read.
 * O_NONBLOCK keeps a FIFO from stalling start-up. The caller wipes and frees *buf.
 */
static int read_pem(struct ld *ld, const struct node *v, const char *key, const char *label,
		    char **buf, size_t *cap, size_t *n)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, rc = cfgi_key_path(ld, v, key, path, sizeof(path));

	*buf = NULL;
	*cap = *n = 0;
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return cfgi_fail(ld, v, -errno, "%s cannot be read: %s", label, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = cfgi_fail(ld, v, -EINVAL, "%s is not a regular file", label);
	else if ((unsigned long long)st.st_size > PEM_FILE_MAX)
		rc = cfgi_fail(ld, v, -EFBIG, "%s is larger than %u bytes", label, PEM_FILE_MAX);
	else if ((*buf = calloc(1, (size_t)st.st_size + 1)) == NULL)
		rc = cfgi_fail(ld, v, -ENOMEM, "out of memory reading %s", label);
	if (rc == 0) {
		*cap = (size_t)st.st_size + 1;
		rc = read_all(fd, *buf, (size_t)st.st_size, n);
		if (rc < 0)
			rc = cfgi_fail(ld, v, rc, "%s cannot be read: %s", label, strerror(-rc));
	}
	close(fd);
	return rc;
}

/* "'cert' 'hub.pem'": how messages name a file key; 0 or the error of a non-scalar. */
static int label_of(struct ld *ld, const struct node *v, const char *key, char *label)
{
	char show[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc == 0)
		snprintf(label, LABEL_MAX, "'%s' '%s'", key, cfgi_show(v, show, sizeof(show)));
	return rc;
}

/* ---- cert, key, ca ---- */

/* Our certificate first, then the rest of its file: the chain sent after it (3.6). */
static int load_cert(struct ld *ld, const struct node *v, struct cfg_ike_peer *p)
{
	char label[LABEL_MAX], *pem = NULL;
	size_t cap = 0, n = 0, len = 0;
	unsigned int count = 0;
	int rc = label_of(ld, v, "cert", label);

	if (rc == 0)
		rc = read_pem(ld, v, "cert", label, &pem, &cap, &n);
	if (rc == 0) {
		rc = ike_cert_pem_certs(pem, n, p->cert, sizeof(p->cert), &len, &count);
		if (rc == -ENOBUFS)
			rc = cfgi_fail(ld, v, -EFBIG, "%s holds more than %u bytes of certificates",
				       label, CFG_IKE_CERT_MAX);
		else if (rc < 0)
			rc = cfgi_fail(ld, v, -EINVAL,
				       "%s holds no PEM certificate, or one that does not parse",
				       label);
		else if (count > 1 + IKE_CERT_CHAIN_MAX)
			rc = cfgi_fail(ld, v, -E2BIG,
				       "%s holds %u certificates: ours and at most %u of its chain",
				       label, count, IKE_CERT_CHAIN_MAX);
	}
	p->cert_len = rc == 0 ? (uint16_t)len : 0;
	wipe_free(pem, cap);
	return rc;
}

static int load_key(struct ld *ld, const struct node *v, struct cfg_ike_peer *p)
{
	char label[LABEL_MAX], *pem = NULL;
	size_t cap = 0, n = 0, len = 0;
	int rc = label_of(ld, v, "key", label);

	if (rc == 0)
		rc = read_pem(ld, v, "key", label, &pem, &cap, &n);
	if (rc == 0) {
		rc = ike_cert_pem_key(pem, n, p->key, sizeof(p->key), &len);
		if (rc == -ENOBUFS)
			rc = cfgi_fail(ld, v, -EFBIG, "%s holds a key of more than %u bytes", label,
				       CFG_IKE_KEY_MAX);
		else if (rc < 0)
			rc = cfgi_fail(ld, v, -EINVAL,
				       "%s holds no private key vpnhub can read (PEM: PKCS#8, RSA "
				       "or EC, not encrypted)",
				       label);
	}
	p->key_len = rc == 0 ? (uint16_t)len : 0;
	wipe_free(pem, cap);
	return rc;
}

/* One ca file: all its certificates, after those of the files before it. */
static int load_ca_file(struct ld *ld, const struct node *v, struct cfg_ike_peer *p)
{
	char label[LABEL_MAX], *pem = NULL;
	size_t cap = 0, n = 0, len = 0;
	unsigned int count = 0;
	int rc = label_of(ld, v, "ca", label);

	if (rc == 0)
		rc = read_pem(ld, v, "ca", label, &pem, &cap, &n);
	if (rc == 0) {
		rc = ike_cert_pem_certs(pem, n, p->cas + p->cas_len, sizeof(p->cas) - p->cas_len,
					&len, &count);
		if (rc == -ENOBUFS)
			rc = cfgi_fail(ld, v, -EFBIG,
				       "%s: the ca files hold more than %u bytes of certificates",
				       label, CFG_IKE_CA_MAX);
		else if (rc < 0)
			rc = cfgi_fail(ld, v, -EINVAL,
				       "%s holds no PEM certificate, or one that does not parse",
				       label);
	}
	if (rc == 0)
		p->cas_len = (uint16_t)(p->cas_len + len);
	wipe_free(pem, cap);
	return rc;
}

static int load_cas(struct ld *ld, const struct node *v, struct cfg_ike_peer *p)
{
	int rc;

	if (v->kind == NODE_SCALAR)
		return load_ca_file(ld, v, p);
	rc = cfgi_want_seq(ld, v, "ca", CFG_IKE_CA_FILES_MAX, "ca files");
	if (rc == 0 && v->n == 0)
		return cfgi_fail(ld, v, -EINVAL, "'ca' is empty: name the CA files");
	for (const struct node *m = rc == 0 ? v->first : NULL; m != NULL && rc == 0; m = m->next)
		rc = load_ca_file(ld, m, p);
	return rc;
}

/* A chain must end in a certificate the operator trusts as such: a self-signed one. */
static int check_anchor(struct ld *ld, const struct node *v, const struct cfg_ike_peer *p)
{
	const uint8_t *c;
	size_t cl, off = 0;

	while (ike_cert_next(p->cas, p->cas_len, &off, &c, &cl))
		if (ike_cert_self_signed(c, cl))
			return 0;
	return cfgi_fail(ld, v, -EINVAL,
			 "none of the 'ca' certificates is self-signed: name the root CA the "
			 "peer's chain ends in (intermediates alone are no trust anchor)");
}

static int check_key(struct ld *ld, const struct node *v, const uint8_t *cert, size_t len,
		     const struct cfg_ike_peer *p)
{
	char label[LABEL_MAX], why[IKE_CERT_WHY_MAX];
	int rc = ike_sig_key_check(cert, len, p->key, p->key_len, why, sizeof(why));

	if (rc == 0)
		return 0;
	label_of(ld, v, "key", label);
	return cfgi_fail(ld, v, rc == -ENOTSUP ? -ENOTSUP : -EINVAL, "%s %s", label, why);
}

/* ---- identities (RFC 7296 3.5, RFC 4945 3.1) ---- */

static int default_local_id(struct ld *ld, const struct node *v, const uint8_t *cert, size_t len,
			    struct cfg_ike_id *id)
{
	char label[LABEL_MAX];
	size_t dn_len = 0;
	int rc;

	memset(id, 0, sizeof(*id));
	rc = ike_cert_subject(cert, len, id->data, sizeof(id->data), &dn_len);
	if (rc == 0 && dn_len > 2) { /* more than an empty SEQUENCE */
		id->type = CFG_IKE_ID_DN;
		id->len = (uint16_t)dn_len;
		return 0;
	}
	label_of(ld, v, "cert", label);
	return cfgi_fail(ld, v, -EINVAL,
			 "%s has %s subject: give a local_id from its subjectAltName (fqdn:, "
			 "email: or an address)",
			 label, rc == 0 ? "an empty" : "a too long (> 256 octets)");
}

static int check_ids(struct ld *ld, const struct cfgi_auth_nodes *n, const uint8_t *cert,
		     size_t len, struct cfg_ike_peer *p)
{
	const struct cfg_ike_id *id = &p->local_id;
	char show[SHOW_MAX], label[LABEL_MAX];

	if (n->remote_id != NULL && p->remote_id.type == CFG_IKE_ID_KEY_ID)
		return cfgi_fail(ld, n->remote_id, -EINVAL,
				 "'remote_id' keyid: cannot be checked against a certificate: use "
				 "a dn:, fqdn:, email: or address");
	if (n->local_id == NULL)
		return default_local_id(ld, n->cert, cert, len, &p->local_id);
	if (id->type == CFG_IKE_ID_KEY_ID)
		return cfgi_fail(ld, n->local_id, -EINVAL,
				 "'local_id' keyid: is vouched for by no certificate: leave it out "
				 "(the subject), or give a dn:, fqdn:, email: or address of it");
	if (ike_cert_has_id(cert, len, id->type, id->data, id->len))
		return 0;
	label_of(ld, n->cert, "cert", label);
	return cfgi_fail(ld, n->local_id, -EINVAL, "'local_id' '%s' is not %s of %s",
			 cfgi_show(n->local_id, show, sizeof(show)),
			 id->type == CFG_IKE_ID_DN ? "the subject" : "in the subjectAltName",
			 label);
}

/* Load time warns; IKE refuses to use it (ctrlplane/ike/ike_cert.c). */
static void warn_validity(struct ld *ld, const struct node *v, const uint8_t *cert, size_t len)
{
	char label[LABEL_MAX], why[IKE_CERT_WHY_MAX];

	if (ike_cert_valid_now(cert, len, why, sizeof(why)) == 0 ||
	    label_of(ld, v, "cert", label) < 0)
		return;
	fprintf(stderr,
		"%s:%u:%u: warning: %s %s: the hub will not authenticate with it until it is "
		"renewed\n",
		ld->file, v->line, v->col, label, why);
}

/* ---- the entry points ---- */

static int stray(struct ld *ld, const struct node *v, const char *key, bool pubkey)
{
	if (v == NULL)
		return 0;
	return cfgi_fail(ld, v, -EINVAL,
			 pubkey ? "'%s' is not used with auth: pubkey" : "'%s' needs auth: pubkey",
			 key);
}

int cfgi_ike_psk_only(struct ld *ld, const struct cfgi_auth_nodes *n)
{
	int rc = stray(ld, n->cert, "cert", false);

	if (rc == 0)
		rc = stray(ld, n->key, "key", false);
	if (rc == 0)
		rc = stray(ld, n->ca, "ca", false);
	if (rc == 0)
		rc = stray(ld, n->send_certreq, "send_certreq", false);
	return rc;
}

static int require(struct ld *ld, const struct node *map, const char *where,
		   const struct cfgi_auth_nodes *n)
{
	const char *missing = n->cert == NULL ? "cert" : n->key == NULL ? "key" : "ca";

	if (n->cert != NULL && n->key != NULL && n->ca != NULL)
		return 0;
	return cfgi_fail(ld, map, -EINVAL,
			 "missing required key '%s' %s: auth: pubkey needs "
			 "cert, key and ca",
			 missing, where);
}

int cfgi_ike_pubkey(struct ld *ld, const struct node *map, const char *where,
		    const struct cfgi_auth_nodes *n, struct cfg_ike_peer *p)
{
	const uint8_t *cert = NULL;
	size_t len = 0, off = 0;
	int rc = stray(ld, n->psk, "psk", true);

	if (rc == 0)
		rc = stray(ld, n->psk_file, "psk_file", true);
	if (rc == 0)
		rc = require(ld, map, where, n);
	if (rc == 0)
		rc = load_cert(ld, n->cert, p);
	if (rc == 0)
		rc = load_key(ld, n->key, p);
	if (rc == 0)
		rc = load_cas(ld, n->ca, p);
	if (rc == 0 && !ike_cert_next(p->cert, p->cert_len, &off, &cert, &len))
		rc = cfgi_fail(ld, n->cert, -EINVAL, "'cert' holds no certificate");
	if (rc == 0)
		rc = check_key(ld, n->key, cert, len, p);
	if (rc == 0)
		rc = check_anchor(ld, n->ca, p);
	if (rc == 0)
		rc = check_ids(ld, n, cert, len, p);
	if (rc == 0)
		warn_validity(ld, n->cert, cert, len);
	return rc;
}

int cfgi_ike_dn(struct ld *ld, const struct node *v, const char *key, struct cfg_ike_id *id)
{
	char why[IKE_CERT_WHY_MAX], show[SHOW_MAX];
	size_t len = 0;
	int rc;

	memset(id, 0, sizeof(*id));
	rc = ike_cert_dn_parse(v->str + 3, v->len - 3, id->data, sizeof(id->data), &len, why,
			       sizeof(why));
	if (rc < 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' '%s' is not a distinguished name: %s", key,
				 cfgi_show(v, show, sizeof(show)), why);
	id->type = CFG_IKE_ID_DN;
	id->len = (uint16_t)len;
	return 0;
}
