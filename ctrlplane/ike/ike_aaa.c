/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_aaa.c - the local backend of ike_aaa.h: ike.users of the config. A user
 * is accepted when its name is listed and its password matches, compared in constant time
 * over the longer of the two lengths, so that neither the length nor the first difference of
 * the password shows in the time taken. Control lcore only.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ctrlplane/ike/ike_aaa.h"
#include "ctrlplane/ike/ike_int.h"

static bool same_password(const struct cfg_ike_user *u, const uint8_t *p, size_t len)
{
	uint8_t a[CFG_IKE_PASSWORD_MAX] = {0}, b[CFG_IKE_PASSWORD_MAX] = {0};
	if (len > CFG_IKE_PASSWORD_MAX)
		return false;
	memcpy(a, u->password, u->password_len);
	memcpy(b, p, len);
	bool ok = CRYPTO_memcmp(a, b, sizeof(a)) == 0 && len == u->password_len;
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	return ok;
}

static void local_check(struct ike *ike, const char *user, const uint8_t *password, size_t len,
			const struct ike_aaa_cookie *c, ike_aaa_done done)
{
	const struct config *cfg = ike->cfg;
	for (unsigned int i = 0; i < cfg->n_ike_users; i++) {
		if (strcmp(cfg->ike_users[i].name, user) != 0)
			continue;
		if (same_password(&cfg->ike_users[i], password, len))
			done(ike, c, IKE_AAA_ACCEPT, "local user");
		else
			done(ike, c, IKE_AAA_REJECT, "wrong password");
		return;
	}
	done(ike, c, IKE_AAA_REJECT, "no such user");
}

const struct ike_aaa_backend ike_aaa_local = {.name = "local", .check = local_check};

void ike_aaa_check(struct ike *ike, const char *user, const uint8_t *password, size_t len,
		   const struct ike_aaa_cookie *c, ike_aaa_done done)
{
	ike_aaa_local.check(ike, user, password, len, c, done);
}
