/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike_users.c - ike.users: the local users XAUTH checks (IKEv1 remote access,
 * draft-beaulieu-ike-xauth-02), each a name and a password. Names are unique, printable and
 * without blanks; passwords are taken as written (1..128 octets) and, like pre-shared keys,
 * never printed and wiped by cfg_free() and by the loader on every error path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/config_int.h"

#define WHERE_MAX 32 /* "in ike.users[4095]" */

enum { USER_NAME, USER_PASSWORD, USER_N };

static int set_user_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_user *u = obj;
	const struct config *cfg = ld->cfg;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len == 0 || v->len > CFG_IKE_USER_MAX)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be 1..%u octets", r->key,
				 CFG_IKE_USER_MAX);
	for (size_t i = 0; i < v->len; i++)
		if ((unsigned char)v->str[i] <= ' ' || (unsigned char)v->str[i] >= 0x7f)
			return cfgi_fail(ld, v, -EINVAL,
					 "'%s' must be printable ASCII without blanks (character "
					 "%zu is not)",
					 r->key, i + 1);
	for (unsigned int i = 0; i < cfg->n_ike_users; i++)
		if (strcmp(cfg->ike_users[i].name, v->str) == 0)
			return cfgi_fail(ld, v, -EEXIST, "user %s is listed twice (line %u)",
					 v->str, cfg->ike_users[i].line);
	memcpy(u->name, v->str, v->len + 1);
	return 0;
}

static int set_user_password(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_user *u = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len == 0 || v->len > CFG_IKE_PASSWORD_MAX)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be 1..%u octets (it is %zu)", r->key,
				 CFG_IKE_PASSWORD_MAX, v->len);
	memcpy(u->password, v->str, v->len);
	u->password_len = (unsigned int)v->len;
	return 0;
}

static const struct rule user_rules[USER_N] = {
	[USER_NAME] = {"name", set_user_name, 0, 0, 0, true},
	[USER_PASSWORD] = {"password", set_user_password, 0, 0, 0, true},
};

static int load_user(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[USER_N] = {NULL};
	struct cfg_ike_user *u = &ld->cfg->ike_users[idx];
	char where[WHERE_MAX];
	int rc;

	u->line = map->line;
	snprintf(where, sizeof(where), "in ike.users[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, user_rules, USER_N, u, vals);
	if (rc < 0)
		explicit_bzero(u, sizeof(*u)); /* not counted yet: cfg_free would miss it */
	return rc;
}

int cfgi_ike_users(struct ld *ld, const struct node *seq)
{
	struct config *cfg = ld->cfg;

	return cfgi_load_list(ld, seq, "users", CFG_IKE_USERS_MAX, "users",
			      sizeof(struct cfg_ike_user), (void **)&cfg->ike_users,
			      &cfg->n_ike_users, load_user);
}
