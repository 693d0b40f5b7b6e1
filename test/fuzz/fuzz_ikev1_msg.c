/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_ikev1_msg.c - libFuzzer harness for the IKEv1 (ISAKMP) message codec
 * (ctrlplane/ike/ikev1_msg.h).
 *
 * Each input is parsed as a datagram; when the Encryption bit hid the payloads, the octets
 * after the header are parsed as the decrypted chain (the header's Next Payload first), as an
 * exchange would after decryption. Each input is also parsed as a plain chain on its own, the
 * first octet naming the first payload. What parses must keep the header's promises: 0 or
 * -EBADMSG, a reason exactly when parsing failed and its offset inside the buffer, every
 * payload body, SPI and attribute value inside the buffer it came from, and every table within
 * its bounds. Any breach aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrlplane/ike/ikev1_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ikev1_msg m;

static void check(int ok)
{
	if (!ok)
		abort();
}

static int inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

/* Everything the parse recorded points into buf[0..len) and stays within its tables. */
static void verify(int rc, const uint8_t *buf, size_t len)
{
	check(rc == 0 || rc == -EBADMSG);
	check((rc == 0) == (m.err == IKEV1_MSG_ERR_NONE));
	check(m.err < IKEV1_MSG_ERR_MAX);
	check(m.n <= IKEV1_MSG_PAYLOADS_MAX && m.n_props <= IKEV1_MSG_PROPS_MAX);
	check(m.n_xforms <= IKEV1_MSG_XFORMS_MAX && m.n_attrs <= IKEV1_MSG_ATTRS_MAX);
	check(rc == 0 || m.err_off <= len);
	for (unsigned int i = 0; rc == 0 && i < m.n; i++) {
		const struct ikev1_payload *pl = &m.pl[i];
		check(inside(pl->body, pl->len, buf, len));
		if (pl->type == IKEV1_PL_SA && pl->known) {
			check(pl->u.sa.first_prop + pl->u.sa.n_props <= m.n_props);
		} else if (pl->type == IKEV1_PL_N) {
			check(inside(pl->u.n.spi, pl->u.n.spi_size, buf, len));
			check(inside(pl->u.n.data, pl->u.n.data_len, buf, len));
		} else if (pl->type == IKEV1_PL_D) {
			check(inside(pl->u.d.spis, (size_t)pl->u.d.spi_size * pl->u.d.n_spi, buf,
				     len));
		} else if (pl->type == IKEV1_PL_ID) {
			check(inside(pl->u.id.data, pl->u.id.data_len, buf, len));
		}
	}
	for (unsigned int i = 0; rc == 0 && i < m.n_props; i++) {
		const struct ikev1_prop *p = &m.props[i];
		check(inside(p->spi, p->spi_size, buf, len) && p->spi_size <= IKEV1_SPI_MAX);
		check(p->first_xform + p->n_xforms <= m.n_xforms);
	}
	for (unsigned int i = 0; rc == 0 && i < m.n_xforms; i++)
		check(m.xforms[i].first_attr + m.xforms[i].n_attrs <= m.n_attrs);
	for (unsigned int i = 0; rc == 0 && i < m.n_attrs; i++)
		check(m.attrs[i].tv ? m.attrs[i].value == NULL
				    : inside(m.attrs[i].value, m.attrs[i].len, buf, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc = ikev1_msg_parse(&m, data, size);
	verify(rc, data, size);
	if (rc == 0 && m.enc != NULL) {
		check(inside(m.enc, m.enc_len, data, size));
		rc = ikev1_msg_parse_plain(&m, m.hdr.next, m.enc, m.enc_len);
		verify(rc, m.enc, m.enc_len);
	}
	if (size > 1) {
		m.n = m.n_props = m.n_xforms = 0;
		m.n_attrs = 0;
		rc = ikev1_msg_parse_plain(&m, data[0], data + 1, size - 1);
		verify(rc, data + 1, size - 1);
	}
	return 0;
}
