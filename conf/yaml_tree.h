/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/yaml_tree.h - stage 1 of the config loader: YAML text to a small tree of positioned nodes.
 *
 * ytree_read() hands back plain data of bounded size or one error. It knows no schema and no
 * file name: an error is a 1-based position, a negative errno and a message, and the caller
 * prefixes "file:line:col: " itself.
 *
 * Invariants of a tree it returns: one root; every scalar is NUL-terminated and NUL-free; scalar
 * size, depth and node count are bounded (limits in yaml_tree.c), so recursing over it is safe; a
 * mapping's children alternate key, value. Nothing modifies it until ytree_free().
 */
#ifndef VPNHUB_CONF_YAML_TREE_H
#define VPNHUB_CONF_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#define YTREE_FILE_MAX (1u << 20) /* bytes of YAML accepted */
#define YTREE_MSG_MAX  256	  /* longer than any message; libyaml's texts are short literals */

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP };

struct node {
	enum node_kind kind;
	bool plain;		/* unquoted: only these can be numbers or bools */
	unsigned int line, col; /* 1-based */
	unsigned int n;		/* children; a mapping has two per pair, key then value */
	size_t len;
	char *str; /* scalar text; NUL-terminated and free of NULs (checked) */
	struct node *first, *last, *next;
};

/* The first error found; rc is 0 until then. */
struct ytree_err {
	unsigned int line, col; /* 1-based */
	int rc;			/* negative errno */
	char msg[YTREE_MSG_MAX];
};

/*
 * Parse len bytes of buf into *root. Returns 0, or err->rc with *root NULL and nothing left
 * allocated. Empty input, more than YTREE_FILE_MAX bytes, anchors, aliases, tags and a second
 * document are refused. err must not be NULL. Keeps no global state.
 */
int ytree_read(const char *buf, size_t len, struct node **root, struct ytree_err *err);

/* Free a tree from ytree_read(), wiping scalar text first (it may hold keys); NULL is a no-op. */
void ytree_free(struct node *root);

#endif /* VPNHUB_CONF_YAML_TREE_H */
