/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike_tmpl.c - what peers of the ike section share: named proposal lists
 * (ike.proposals) and peer templates (ike.templates), as an IOS hub's IKEv2 proposals and
 * profiles are written once and named by many peers.
 *
 * A named list is a mapping of names to a proposal or a sequence of them; a peer's `ike` or a
 * child's `esp` that is one of the names stands for its list, which is parsed where it is used
 * (an IKE list needs a PRF and a group, an ESP one not), so its errors point at the list's own
 * lines. A template is a mapping with a `name` and any keys a peer takes but `name` and
 * `template`; a peer with `template: NAME` is read as its own keys plus those of the template it
 * does not set itself (children included, as a whole). The merged mapping shares every node
 * with the tree (only the pairs are relinked), so errors still name the line and column where a
 * value was written, in the template or in the peer. Called on the main lcore during
 * cfg_load_*(); no global state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "conf/config_int.h"
#include "conf/yaml_tree.h"

#define TEMPLATES_MAX 64
#define NAMED_MAX     64

static bool named_ok(const struct node *k)
{
	return k->kind == NODE_SCALAR && k->len < CFG_NAME_MAX &&
	       cfgi_name_ok(k->str, k->len, NAME_FIRST, NAME_REST);
}

/* The value of key in mapping map, or NULL. */
static const struct node *value_of(const struct node *map, const char *key)
{
	for (const struct node *k = map->first; k != NULL; k = k->next->next)
		if (k->kind == NODE_SCALAR && strcmp(k->str, key) == 0)
			return k->next;
	return NULL;
}

static int check_proposals(struct ld *ld, const struct node *m)
{
	if (m == NULL)
		return 0;
	if (m->kind != NODE_MAP)
		return cfgi_fail(ld, m, -EINVAL,
				 "'proposals' must be a mapping of names to proposal lists, not %s",
				 cfgi_describe(m));
	if (m->n / 2 > NAMED_MAX)
		return cfgi_fail(ld, m, -E2BIG, "more than %u named proposal lists", NAMED_MAX);
	for (const struct node *k = m->first; k != NULL; k = k->next->next) {
		if (!named_ok(k))
			return cfgi_fail(ld, k, -EINVAL,
					 "a proposal list's name must be a letter then up to %u "
					 "of [A-Za-z0-9_/]",
					 CFG_NAME_MAX - 2);
		if (value_of(m, k->str) != k->next)
			return cfgi_fail(ld, k, -EEXIST, "proposal list %s is named twice", k->str);
		if (k->next->kind != NODE_SCALAR && k->next->kind != NODE_SEQ)
			return cfgi_fail(
				ld, k->next, -EINVAL,
				"proposal list %s must be a proposal or a sequence of them, "
				"not %s",
				k->str, cfgi_describe(k->next));
	}
	return 0;
}

static int check_templates(struct ld *ld, const struct node *s, const char *const *peer_keys,
			   unsigned int n_keys)
{
	char buf[64];
	int rc;

	if (s == NULL)
		return 0;
	rc = cfgi_want_seq(ld, s, "templates", TEMPLATES_MAX, "templates");
	for (const struct node *t = rc == 0 ? s->first : NULL; t != NULL; t = t->next) {
		if (t->kind != NODE_MAP)
			return cfgi_fail(ld, t, -EINVAL, "a template must be a mapping, not %s",
					 cfgi_describe(t));
		const struct node *name = value_of(t, "name");
		if (name == NULL)
			return cfgi_fail(ld, t, -EINVAL,
					 "missing required key 'name' in a template");
		if (!named_ok(name))
			return cfgi_fail(ld, name, -EINVAL,
					 "a template's name must be a letter then up to %u of "
					 "[A-Za-z0-9_/]",
					 CFG_NAME_MAX - 2);
		for (const struct node *o = s->first; o != t; o = o->next) {
			const struct node *on = value_of(o, "name");
			if (on != NULL && strcmp(on->str, name->str) == 0)
				return cfgi_fail(ld, name, -EEXIST, "template %s is defined twice",
						 name->str);
		}
		for (const struct node *k = t->first; k != NULL; k = k->next->next) {
			unsigned int i;
			if (k->kind != NODE_SCALAR)
				return cfgi_fail(ld, k, -EINVAL, "keys must be scalars, not %s",
						 cfgi_describe(k));
			if (value_of(t, k->str) != k->next)
				return cfgi_fail(ld, k, -EINVAL,
						 "duplicate key '%s' in template %s", k->str,
						 name->str);
			for (i = 0; i < n_keys && strcmp(peer_keys[i], k->str) != 0; i++)
				;
			if (strcmp(k->str, "template") == 0 || i == n_keys)
				return cfgi_fail(
					ld, k, -EINVAL,
					"unknown key '%s' in template %s (a template takes "
					"the keys of a peer)",
					cfgi_show(k, buf, sizeof(buf)), name->str);
		}
	}
	return rc;
}

int cfgi_ike_shared(struct ld *ld, const struct node *templates, const struct node *proposals,
		    const char *const *peer_keys, unsigned int n_keys)
{
	int rc = check_proposals(ld, proposals);

	if (rc == 0)
		rc = check_templates(ld, templates, peer_keys, n_keys);
	ld->ike_proposals = rc == 0 ? proposals : NULL;
	ld->ike_templates = rc == 0 ? templates : NULL;
	return rc;
}

const struct node *cfgi_ike_named(const struct ld *ld, const struct node *v)
{
	const struct node *l;

	if (v == NULL || v->kind != NODE_SCALAR || ld->ike_proposals == NULL)
		return v;
	l = value_of(ld->ike_proposals, v->str);
	return l != NULL ? l : v;
}

int cfgi_ike_template(struct ld *ld, const struct node *map, const struct node **merged,
		      struct node **owned)
{
	const struct node *ref, *tmpl = NULL;
	char buf[64];
	struct node *c;
	unsigned int n = 0, k = 1;

	*merged = map;
	*owned = NULL;
	if (map->kind != NODE_MAP || (ref = value_of(map, "template")) == NULL)
		return 0;
	if (ref->kind != NODE_SCALAR)
		return cfgi_fail(ld, ref, -EINVAL, "'template' must be a template's name, not %s",
				 cfgi_describe(ref));
	for (const struct node *t = ld->ike_templates != NULL ? ld->ike_templates->first : NULL;
	     t != NULL && tmpl == NULL; t = t->next)
		if (strcmp(value_of(t, "name")->str, ref->str) == 0)
			tmpl = t;
	if (tmpl == NULL)
		return cfgi_fail(ld, ref, -ENOENT, "'template' names unknown template '%s'",
				 cfgi_show(ref, buf, sizeof(buf)));
	c = calloc(map->n + tmpl->n + 1, sizeof(*c));
	if (c == NULL)
		return cfgi_fail(ld, map, -ENOMEM, "out of memory");
	c[0] = *map;
	c[0].first = c[0].last = c[0].next = NULL;
	/* the peer's own pairs, then the template's it does not set; "template" and "name" of
	 * the template are not copied */
	for (int pass = 0; pass < 2; pass++) {
		const struct node *src = pass == 0 ? map : tmpl;
		for (const struct node *p = src->first; p != NULL; p = p->next->next) {
			/* a key that is no scalar is copied: the walk that follows refuses it */
			if ((pass == 0 && p->kind == NODE_SCALAR &&
			     strcmp(p->str, "template") == 0) ||
			    (pass == 1 && (strcmp(p->str, "name") == 0 || value_of(map, p->str))))
				continue;
			c[k] = *p;
			c[k + 1] = *p->next;
			c[k].next = &c[k + 1];
			c[k + 1].next = NULL;
			if (c[0].last != NULL)
				c[0].last->next = &c[k];
			else
				c[0].first = &c[k];
			c[0].last = &c[k + 1];
			k += 2;
			n += 2;
		}
	}
	c[0].n = n;
	*merged = &c[0];
	*owned = c;
	return 0;
}
